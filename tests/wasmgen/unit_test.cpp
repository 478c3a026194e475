// The generators on hand-built models: literals, templates, ELF sections,
// and the wasm32 re-layout rules (pointers and long, padding, packing, bitfields).
#include <gtest/gtest.h>

#include "ecc/elf_file.h"
#include "ecc/error.h"
#include "ecc/wasm_layout.h"
#include "ecc/wasmgen.h"
#include "test_util.h"

namespace ecc::test {
namespace {

using namespace ecc::wasmgen;

TypeId add_int(TypeTable& t, const char* name, uint32_t size, bool is_signed) {
  return t.add(Type{.kind = TypeKind::Int, .name = name, .size = size, .align = size, .is_signed = is_signed});
}

// A C program printing a literal byte for byte, compiled natively.
std::string round_trip(const std::string& text) {
  TempDir d;
  write_text(d / "p.c", "#include <stdio.h>\nstatic const char s[] = " + c_string_literal(text) +
                            ";\nint main(void) { fwrite(s, 1, sizeof(s) - 1, stdout); return 0; }\n");
  RunResult c = run({"clang", "-Wall", "-Werror", "-o", (d / "p").string(), (d / "p.c").string()});
  EXPECT_EQ(c.exit_code, 0) << c.err;
  return run({(d / "p").string()}).out;
}

TEST(Literal, EveryByteRoundTrips) {
  std::string all;
  for (int i = 1; i < 256; ++i) all += static_cast<char>(i);
  all += "\\x41\"?\?=\n\x01" "a\x7f" "F";  // escapes followed by hex digits, trigraphs
  EXPECT_EQ(round_trip(all), all);
  EXPECT_EQ(round_trip(std::string(5000, 'x') + "\n" + std::string(300, '"')), std::string(5000, 'x') + "\n" + std::string(300, '"'));
}

TEST(Literal, ByteList) {
  std::vector<uint8_t> b = {0x7f, 0x45, 0, 0xff};
  EXPECT_EQ(c_byte_list(b), "\t0x7f, 0x45, 0x00, 0xff");
  std::vector<uint8_t> many(17, 1);
  EXPECT_NE(c_byte_list(many).find("0x01,\n\t0x01"), std::string::npos);
}

TEST(Template, SubstitutesAndRejectsUnknownNames) {
  EXPECT_EQ(render("a{{x}}b{{y}}{{x}}", {{"x", "1"}, {"y", "{{x}}"}}, "t"), "a1b{{x}}1");
  try {
    render("a{{nope}}", {{"x", "1"}}, "t.in");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("nope"), std::string::npos);
    EXPECT_EQ(e.code(), Exit::bad_input);
  }
  EXPECT_THROW(render("a{{x", {{"x", "1"}}, "t.in"), Error);
}

TEST(Template, SectionsRepeatPerItemAndLookOutward) {
  Context c{{{"obj", "x"}}, {}};
  c.lists["maps"] = {Context{{{"m", "a"}}, {{"opt", {}}}}, Context{{{"m", "b"}}, {{"opt", {Context{}}}}}};
  c.lists["none"] = {};
  // A newline right after a section tag (open or close) is dropped; a '{'
  // before a tag stays.
  EXPECT_EQ(render_context("[\n{{#maps}}\n{{obj}}.{{m}}{{#opt}}?{{/opt}}\n{{/maps}}\n{{#none}}gone{{/none}}]{{{obj}}}", c, "t"),
            "[\nx.ax.b?]{x}");
  EXPECT_THROW(render_context("{{#maps}}x", c, "t.in"), Error);
  EXPECT_THROW(render_context("{{#nolist}}x{{/nolist}}", c, "t.in"), Error);
  EXPECT_THROW(render_context("x{{/maps}}", c, "t.in"), Error);
  try {
    render_context("{{#maps}}{{opt}}{{/maps}}", c, "t.in");
    FAIL();
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("opt"), std::string::npos) << "a list is not a variable";
  }
}

// fsslower, mountsnoop, statsnoop: one enum used by two export types (and
// here once more as an array element) must be defined once.
TEST(Layout, AnEnumSharedByTwoRecordsIsDefinedOnce) {
  Skeleton s;
  Type en{.kind = TypeKind::Enum, .name = "sys_type", .size = 4, .align = 4};
  en.values = {{"A", 0}, {"B", 1}};
  TypeId e1 = s.types.add(en);
  TypeId e2 = s.types.add(en);  // the same enum again, as from Clang's AST
  TypeId arr = s.types.add(Type{.kind = TypeKind::Array, .size = 8, .align = 4, .target = e2, .nelems = 2});
  Type a{.kind = TypeKind::Struct, .name = "a", .size = 4, .align = 4};
  a.members = {{"t", e1, 0, 0}};
  Type b{.kind = TypeKind::Struct, .name = "b", .size = 8, .align = 4};
  b.members = {{"ts", arr, 0, 0}};
  s.export_types = {s.types.add(a), s.types.add(b)};
  WPlan plan = plan_export_types(s);
  EXPECT_EQ(plan.enums.size(), 1u);
  std::string c = c_export_types(s);
  size_t first = c.find("enum sys_type {");
  ASSERT_NE(first, std::string::npos) << c;
  EXPECT_EQ(c.find("enum sys_type {", first + 1), std::string::npos) << c;
  EXPECT_EQ(c.find("ewasm_json_enum_sys_type(int64_t", c.find("ewasm_json_enum_sys_type(int64_t") + 1), std::string::npos)
      << c;
}

TEST(Elf, RejectsBadImages) {
  std::vector<uint8_t> junk = {1, 2, 3};
  EXPECT_THROW(read_elf(junk, "x.o"), Error);
  std::vector<uint8_t> truncated = {0x7f, 'E', 'L', 'F', 2, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_THROW(read_elf(truncated, "x.o"), Error);
}

TEST(Elf, FindsSectionsOfARealObject) {
  TempDir d;
  write_text(d / "o.c", "int a = 3; const volatile int b = 5; int c;\n");
  RunResult r = run({"clang", "-target", "bpf", "-c", "-o", (d / "o.o").string(), (d / "o.c").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::vector<uint8_t> elf = read_bytes(d / "o.o");
  bool data = false, bss = false;
  for (const auto& s : read_elf(elf, "o.o").sections) {
    if (s.name == ".data") {
      data = true;
      ASSERT_TRUE(s.has_bytes);
      int v;
      std::memcpy(&v, elf.data() + s.offset, 4);
      EXPECT_EQ(v, 3);
    }
    if (s.name == ".bss") bss = !s.has_bytes;
  }
  EXPECT_TRUE(data);
  EXPECT_TRUE(bss);
}

struct Built {
  Skeleton skel;
  TypeId rec = 0;
};

// struct s { char c; long l (8 on bpf); void *p; } with the BPF offsets.
TEST(Layout, PointersAndLongBecome64BitWithExplicitPadding) {
  Skeleton s;
  TypeId ch = s.types.add(Type{.kind = TypeKind::Int, .name = "char", .size = 1, .align = 1, .is_signed = true, .is_char = true});
  TypeId lg = add_int(s.types, "long", 8, true);
  TypeId vp = s.types.add(Type{.kind = TypeKind::Pointer, .size = 8, .align = 8, .target = 0});
  Type st{.kind = TypeKind::Struct, .name = "s", .size = 24, .align = 8};
  st.members = {{"c", ch, 0, 0}, {"l", lg, 64, 0}, {"p", vp, 128, 0}};
  s.export_types.push_back(s.types.add(st));
  WPlan plan = plan_export_types(s);
  ASSERT_EQ(plan.records.size(), 1u);
  const WRecord& r = plan.records[0];
  ASSERT_EQ(r.fields.size(), 4u);
  EXPECT_EQ(r.fields[1].role, WField::Role::Padding);
  EXPECT_EQ(r.fields[1].size, 7u);
  EXPECT_EQ(r.fields[3].type.kind, WKind::Pointer);
  EXPECT_FALSE(r.packed);
  std::string c = c_export_types(s);
  EXPECT_NE(c.find("uint64_t p;"), std::string::npos) << c;
  EXPECT_NE(c.find("int64_t l;"), std::string::npos) << c;
  EXPECT_NE(c.find("_Static_assert(offsetof(struct s, p) == 16"), std::string::npos) << c;
}

TEST(Layout, MisalignedMemberMakesThePackedRecordKeepItsAlignment) {
  Skeleton s;
  TypeId u8 = add_int(s.types, "unsigned char", 1, false);
  TypeId u32 = add_int(s.types, "unsigned int", 4, false);
  Type st{.kind = TypeKind::Struct, .name = "pk", .size = 5, .align = 1};
  st.members = {{"a", u8, 0, 0}, {"b", u32, 8, 0}};
  s.export_types.push_back(s.types.add(st));
  WPlan plan = plan_export_types(s);
  EXPECT_TRUE(plan.records[0].packed);
  EXPECT_NE(c_export_types(s).find("__attribute__((packed, aligned(1)))"), std::string::npos);
}

TEST(Layout, BitfieldsNativeWhenProvenElseStorage) {
  Skeleton s;
  TypeId u32 = add_int(s.types, "unsigned int", 4, false);
  Type ok{.kind = TypeKind::Struct, .name = "ok", .size = 4, .align = 4};
  ok.members = {{"a", u32, 0, 3}, {"b", u32, 3, 5}};
  // A layout no wasm32 allocation of `unsigned int` bitfields produces (as
  // from a packed or differently-typed declaration): b straddles a unit.
  Type odd{.kind = TypeKind::Struct, .name = "odd", .size = 8, .align = 4};
  odd.members = {{"a", u32, 0, 30}, {"b", u32, 30, 4}};
  s.export_types.push_back(s.types.add(ok));
  s.export_types.push_back(s.types.add(odd));
  WPlan plan = plan_export_types(s);
  EXPECT_EQ(plan.records[0].fields[0].role, WField::Role::NativeBits);
  EXPECT_EQ(plan.records[1].fields[0].role, WField::Role::BitStorage);
  std::string c = c_export_types(s);
  EXPECT_NE(c.find("uint32_t a : 3;"), std::string::npos) << c;
  EXPECT_NE(c.find("static inline uint64_t odd__b(const struct odd *p)"), std::string::npos) << c;
  EXPECT_NE(c.find("ewasm_bits_get(p->__bits1, 30, 4)"), std::string::npos) << c;
}

TEST(Layout, OverlappingMembersAreAnError) {
  Skeleton s;
  TypeId u32 = add_int(s.types, "unsigned int", 4, false);
  Type st{.kind = TypeKind::Struct, .name = "bad", .size = 8, .align = 4};
  st.members = {{"a", u32, 0, 0}, {"b", u32, 16, 0}};
  s.export_types.push_back(s.types.add(st));
  EXPECT_THROW(plan_export_types(s), Error);
}

}  // namespace
}  // namespace ecc::test
