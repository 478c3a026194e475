// Export types: which types, in which order, and that Clang's layouts and
// spellings agree with the BTF clang emits for the same source.
#include <set>

#include <gtest/gtest.h>

#include "btf_oracle.h"
#include "ecc/error.h"
#include "ecc/layout_check.h"
#include "scan_fixture.h"

namespace ecc::test {
namespace {

const char* kBaseH = R"(#pragma once
struct base_info { __u32 a; __u16 b; };
enum base_state { BASE_ON = 1 };
)";

const char* kTypesH = R"(#ifndef TYPES_H
#define TYPES_H
#include "base.h"

enum kind { KIND_A = 1, KIND_B = -2, KIND_C = 0x7fffffff };

struct inner_holder {
  struct nested { short s; char c; } n;
  union { int as_int; float as_float; };
  struct { char x; long long y; } anon_struct_member;
  unsigned int flag : 1;
  unsigned int mode : 3;
  int : 0;
  int signed_bits : 5;
  unsigned long long wide : 40;
};

typedef __u32 my_u32;
typedef my_u32 my_id;

struct event {
  int pid;
  pid_t tgid;
  my_id id;
  const volatile char *name;
  char comm[16];
  int grid[2][3];
  _Bool ok;
  unsigned char uc;
  signed char sc;
  long long ll;
  unsigned long ul;
  unsigned __int128 big;
  double d;
  enum kind k;
  struct base_info base;
  struct task_struct *task;
  struct event *next;
  void (*cb)(int, char *);
  struct inner_holder h;
  __u8 data[];
};

typedef struct { int only_via_typedef; } anon_t;

union value { __u64 u; __s64 s; char bytes[8]; };

struct packed_rec { char c; int i; short s; } __attribute__((packed));
struct aligned_rec { char a; int b __attribute__((aligned(16))); };
#endif
)";

const char* kSource = R"(#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include "types.h"

struct event g_event;
union value g_value;
struct inner_holder g_holder;
struct nested g_nested;
enum kind g_kind;
anon_t g_anon;
struct base_info g_base;
struct packed_rec g_packed;
struct aligned_rec g_aligned;

char LICENSE[] SEC("license") = "GPL";
)";

// One compile and one scan for the suite; each test reads them (tests that
// add BTF types use a copy of the table).
struct Fixture {
  TempDir dir;
  std::filesystem::path obj;
  TypeTable tt;
  ScanResult result;
  Fixture() {
    write_files(dir, {{"base.h", kBaseH}, {"types.h", kTypesH}});
    obj = compile_bpf(dir, "prog", kSource);
    result = scan_source(scan_options(dir, "prog", "types.h"), tt);
  }
};

class ExportTypes : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { shared_ = new Fixture; }
  static void TearDownTestSuite() { delete shared_; }
  void SetUp() override {
    obj_ = shared_->obj;
    tt_ = shared_->tt;
    result_ = shared_->result;
  }
  std::vector<std::string> exported_names() const {
    std::vector<std::string> names;
    for (TypeId id : result_.export_types) names.push_back(tt_.spell(id));
    return names;
  }
  TypeId exported(const std::string& spelled) const {
    for (TypeId id : result_.export_types)
      if (tt_.spell(id) == spelled) return id;
    ADD_FAILURE() << spelled << " not exported";
    return 0;
  }

  static Fixture* shared_;
  std::filesystem::path obj_;
  TypeTable tt_;
  ScanResult result_;
};
Fixture* ExportTypes::shared_ = nullptr;

TEST_F(ExportTypes, AreTheHeadersOwnNamedTypesInOrder) {
  EXPECT_EQ(exported_names(), (std::vector<std::string>{"enum kind", "struct inner_holder", "struct nested",
                                                        "struct event", "anon_t", "union value", "struct packed_rec",
                                                        "struct aligned_rec"}));
  for (TypeId id : result_.export_types) EXPECT_EQ(tt_.at(id).btf_id, 0u);
}

TEST_F(ExportTypes, LayoutsAgreeWithBtf) {
  BtfOracle btf(obj_, tt_);
  for (TypeId id : result_.export_types) {
    const Type& t = tt_.at(id);
    if (t.kind == TypeKind::Enum) continue;
    auto b = btf.find(t.kind, t.name);
    ASSERT_TRUE(b) << t.name << " is not in the object's BTF";
    EXPECT_EQ(compare_layouts(tt_, id, *b), std::nullopt);
    EXPECT_EQ(tt_.size_of(id), tt_.size_of(*b)) << t.name;
    // BTF has no alignment: libbpf guesses it from the members, capping
    // ints at pointer size and not seeing aligned(). Clang knows both; the
    // two over-aligned records are checked on their own below.
    if (t.name != "event" && t.name != "aligned_rec") {
      EXPECT_EQ(tt_.align_of(id), tt_.align_of(*b)) << t.name;
    }
  }
  EXPECT_EQ(tt_.at(exported("struct event")).align, 16u);
  const Type& packed = tt_.at(exported("struct packed_rec"));
  EXPECT_EQ(packed.size, 7u);
  EXPECT_EQ(packed.align, 1u);
  EXPECT_EQ(packed.members.at(1).bit_offset, 8u);
  const Type& aligned = tt_.at(exported("struct aligned_rec"));
  EXPECT_EQ(aligned.size, 32u);
  EXPECT_EQ(aligned.members.at(1).bit_offset, 128u);
}

// Every member spells the same from Clang as from BTF: the names the
// builder gives builtins and typedefs are BTF's.
TEST_F(ExportTypes, MemberSpellingsAgreeWithBtf) {
  BtfOracle btf(obj_, tt_);
  for (const char* name : {"event", "inner_holder", "nested"}) {
    TypeId c = *tt_.find(TypeKind::Struct, name);
    auto b = btf.find(TypeKind::Struct, name);
    ASSERT_TRUE(b) << name;
    const auto& cm = tt_.at(c).members;
    const auto& bm = tt_.at(*b).members;
    ASSERT_EQ(cm.size(), bm.size()) << name;
    for (size_t i = 0; i < cm.size(); ++i)
      EXPECT_EQ(tt_.spell(cm[i].type), tt_.spell(bm[i].type)) << name << "." << cm[i].name;
  }
  const auto& ev = tt_.at(exported("struct event")).members;
  std::map<std::string, std::string> spelled;
  for (const Member& m : ev) spelled[m.name] = tt_.spell(m.type);
  EXPECT_EQ(spelled["tgid"], "pid_t");
  EXPECT_EQ(spelled["id"], "my_id");
  EXPECT_EQ(spelled["name"], "char *");
  EXPECT_EQ(spelled["comm"], "char[16]");
  EXPECT_EQ(spelled["grid"], "int[2][3]");
  EXPECT_EQ(spelled["ok"], "_Bool");
  EXPECT_EQ(spelled["uc"], "unsigned char");
  EXPECT_EQ(spelled["sc"], "signed char");
  EXPECT_EQ(spelled["ll"], "long long");
  EXPECT_EQ(spelled["ul"], "unsigned long");
  EXPECT_EQ(spelled["big"], "unsigned __int128");
  EXPECT_EQ(spelled["d"], "double");
  EXPECT_EQ(spelled["k"], "enum kind");
  EXPECT_EQ(spelled["task"], "struct task_struct *");
  EXPECT_EQ(spelled["cb"], "void (*)(int, char *)");
  EXPECT_EQ(spelled["data"], "__u8[]");
}

TEST_F(ExportTypes, TypedefChainsAndModifiersAreKept) {
  const auto& ev = tt_.at(exported("struct event")).members;
  const Type& id = tt_.at(ev.at(2).type);
  ASSERT_EQ(id.kind, TypeKind::Typedef);
  EXPECT_EQ(id.name, "my_id");
  EXPECT_EQ(tt_.at(id.target).name, "my_u32");
  EXPECT_EQ(tt_.at(tt_.at(id.target).target).name, "__u32");
  const Type& u = tt_.at(tt_.resolve(ev.at(2).type));
  EXPECT_EQ(u.name, "unsigned int");
  EXPECT_FALSE(u.is_signed);
  // const volatile char *: the pointee keeps both qualifiers.
  const Type& ptr = tt_.at(ev.at(3).type);
  ASSERT_EQ(ptr.kind, TypeKind::Pointer);
  EXPECT_EQ(ptr.size, 8u);
  std::set<TypeKind> mods;
  TypeId p = ptr.target;
  while (tt_.at(p).kind == TypeKind::Const || tt_.at(p).kind == TypeKind::Volatile) {
    mods.insert(tt_.at(p).kind);
    p = tt_.at(p).target;
  }
  EXPECT_EQ(mods, (std::set<TypeKind>{TypeKind::Const, TypeKind::Volatile}));
  EXPECT_TRUE(tt_.at(p).is_char);
  EXPECT_TRUE(tt_.at(p).is_signed);  // char is signed on bpf
  // Self-reference goes back to the same type; a vmlinux.h record behind a
  // pointer is only a forward declaration.
  EXPECT_EQ(tt_.at(ev.at(16).type).target, exported("struct event"));
  EXPECT_EQ(tt_.at(tt_.at(ev.at(15).type).target).kind, TypeKind::Fwd);
}

TEST_F(ExportTypes, NestedAnonymousAndBitfieldMembers) {
  const Type& h = tt_.at(exported("struct inner_holder"));
  std::vector<std::string> names;
  for (const Member& m : h.members) names.push_back(m.name);
  // The unnamed `int : 0` is padding, as in BTF.
  EXPECT_EQ(names, (std::vector<std::string>{"n", "", "anon_struct_member", "flag", "mode", "signed_bits",
                                             "wide"}));
  EXPECT_EQ(h.members[0].type, exported("struct nested"));
  const Type& anon = tt_.at(h.members[1].type);
  EXPECT_EQ(anon.kind, TypeKind::Union);
  EXPECT_EQ(anon.name, "");
  ASSERT_EQ(anon.members.size(), 2u);
  EXPECT_EQ(anon.members[1].name, "as_float");
  EXPECT_EQ(tt_.at(anon.members[1].type).kind, TypeKind::Float);
  EXPECT_EQ(h.members[1].bit_offset, 32u);
  const Type& anon_struct = tt_.at(h.members[2].type);
  EXPECT_EQ(anon_struct.members.at(1).bit_offset, 64u);  // relative to its own record
  EXPECT_EQ(h.members[2].bit_offset, 64u);
  EXPECT_EQ(h.members[3].bit_size, 1u);
  EXPECT_EQ(h.members[4].bit_size, 3u);
  EXPECT_EQ(h.members[4].bit_offset, h.members[3].bit_offset + 1);
  EXPECT_EQ(h.members[5].bit_size, 5u);
  EXPECT_EQ(h.members[5].bit_offset % 32, 0u);  // after the zero-width bitfield
  EXPECT_EQ(h.members[6].bit_size, 40u);
  EXPECT_EQ(h.members[0].bit_size, 0u);
}

TEST_F(ExportTypes, EnumsCarryTheirValues) {
  // A copy: the oracle below adds BTF's types to tt_, which moves its storage.
  const Type k = tt_.at(exported("enum kind"));
  ASSERT_EQ(k.values.size(), 3u);
  EXPECT_EQ(k.values[0].name, "KIND_A");
  EXPECT_EQ(k.values[0].value, 1);
  EXPECT_EQ(k.values[1].value, -2);
  EXPECT_EQ(k.values[2].value, 0x7fffffff);
  EXPECT_EQ(k.size, 4u);
  EXPECT_TRUE(k.is_signed);
  BtfOracle btf(obj_, tt_);
  auto b = btf.find(TypeKind::Enum, "kind");
  ASSERT_TRUE(b);
  EXPECT_EQ(tt_.at(*b).size, k.size);
  ASSERT_EQ(tt_.at(*b).values.size(), 3u);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(tt_.at(*b).values[i].name, k.values[i].name);
    EXPECT_EQ(static_cast<int32_t>(tt_.at(*b).values[i].value), k.values[i].value);
  }
}

TEST_F(ExportTypes, FlexibleAndMultiDimensionalArrays) {
  const Type& ev = tt_.at(exported("struct event"));
  const Member& data = ev.members.back();
  ASSERT_EQ(data.name, "data");
  const Type& flex = tt_.at(data.type);
  EXPECT_EQ(flex.kind, TypeKind::Array);
  EXPECT_EQ(flex.nelems, 0u);
  EXPECT_EQ(flex.size, 0u);
  // Right after the member before it; the record's size does not count it.
  const Member& before = ev.members.at(ev.members.size() - 2);
  EXPECT_EQ(data.bit_offset, before.bit_offset + tt_.size_of(before.type) * 8);
  EXPECT_EQ(ev.size, (data.bit_offset / 8 + ev.align - 1) / ev.align * ev.align);
  const Type& grid = tt_.at(ev.members.at(5).type);
  EXPECT_EQ(grid.nelems, 2u);
  EXPECT_EQ(grid.size, 24u);
  EXPECT_EQ(tt_.at(grid.target).nelems, 3u);
  EXPECT_EQ(tt_.size_of(ev.members.at(5).type), 24u);
}

TEST_F(ExportTypes, TheSameTypeMapsToOneId) {
  TypeTable tt;
  scan_source(scan_options(shared_->dir, "prog", "types.h"), tt);
  size_t events = 0, u32s = 0;
  for (size_t i = 1; i < tt.size(); ++i) {
    if (tt.at(i).kind == TypeKind::Struct && tt.at(i).name == "event") ++events;
    if (tt.at(i).kind == TypeKind::Typedef && tt.at(i).name == "__u32") ++u32s;
  }
  EXPECT_EQ(events, 1u);
  EXPECT_EQ(u32s, 1u);
}

TEST(ExportTypesAlone, HeaderNotIncludedIsScannedOnItsOwn) {
  TempDir dir;
  write_files(dir, {{"alone.h", "struct alone { __u32 x; pid_t p; };\nenum e_alone { A1 };\n"}});
  compile_bpf(dir, "prog", "#include \"vmlinux.h\"\nint x;\n");
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, "prog", "alone.h"), tt);
  ASSERT_EQ(r.export_types.size(), 2u);
  EXPECT_EQ(tt.spell(r.export_types[0]), "struct alone");
  EXPECT_EQ(tt.at(r.export_types[0]).size, 8u);
  EXPECT_EQ(tt.spell(r.export_types[1]), "enum e_alone");
}

TEST(ExportTypesAlone, NoHeaderNoExportTypes) {
  TempDir dir;
  compile_bpf(dir, "prog", "#include \"vmlinux.h\"\nstruct local { int a; };\nstruct local l;\n");
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, "prog"), tt);
  EXPECT_TRUE(r.export_types.empty());
  EXPECT_EQ(tt.size(), 1u);
}

TEST(ScanErrors, ParseErrorsNameTheSource) {
  TempDir dir;
  write_text(dir / "bad.bpf.c", "#include \"vmlinux.h\"\nint x = ;\n");
  TypeTable tt;
  try {
    scan_source(scan_options(dir, "bad"), tt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), (dir / "bad.bpf.c").string());
    EXPECT_NE(std::string(e.what()).find("cannot parse for export types: "), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("bad.bpf.c:2:"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("expected expression"), std::string::npos) << e.what();
  }
}

TEST(ScanErrors, MissingIncludeAndMissingHeader) {
  TempDir dir;
  write_text(dir / "p.bpf.c", "#include \"nope.h\"\n");
  TypeTable tt;
  try {
    scan_source(scan_options(dir, "p"), tt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_NE(std::string(e.what()).find("'nope.h' file not found"), std::string::npos) << e.what();
  }
  write_text(dir / "p.bpf.c", "int x;\n");
  try {
    scan_source(scan_options(dir, "p", "missing.h"), tt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), (dir / "missing.h").string());
  }
}

TEST(ScanErrors, AResourceDirWithoutBuiltinHeadersIsAToolProblem) {
  TempDir dir;
  write_text(dir / "p.bpf.c", "int x;\n");
  ScanOptions o = scan_options(dir, "p");
  o.clang_args.insert(o.clang_args.end(), {"-resource-dir", dir.path().string()});
  TypeTable tt;
  try {
    scan_source(o, tt);
    FAIL() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::tool_failed);
  }
}

}  // namespace
}  // namespace ecc::test
