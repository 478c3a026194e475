#include <gtest/gtest.h>

#include "ecc/error.h"
#include "ecc/layout_check.h"
#include "ecc/model.h"

using namespace ecc;

namespace {

TypeId add_int(TypeTable& tt, const char* name, uint32_t size, bool sign) {
  return tt.add(Type{.kind = TypeKind::Int, .name = name, .size = size, .align = size, .is_signed = sign});
}

}  // namespace

TEST(TypeTable, SpellsDeclaratorsInsideOut) {
  TypeTable tt;
  TypeId chr = tt.add(Type{.kind = TypeKind::Int, .name = "char", .size = 1, .align = 1, .is_signed = true, .is_char = true});
  TypeId uint = add_int(tt, "unsigned int", 4, false);
  TypeId i = add_int(tt, "int", 4, true);
  TypeId arr16 = tt.add(Type{.kind = TypeKind::Array, .target = chr, .nelems = 16});
  TypeId ptr = tt.add(Type{.kind = TypeKind::Pointer, .size = 8, .align = 8, .target = chr});
  TypeId arr_of_ptr = tt.add(Type{.kind = TypeKind::Array, .target = ptr, .nelems = 4});
  TypeId inner = tt.add(Type{.kind = TypeKind::Array, .target = i, .nelems = 3});
  TypeId md = tt.add(Type{.kind = TypeKind::Array, .target = inner, .nelems = 2});
  TypeId ptr_to_arr = tt.add(Type{.kind = TypeKind::Pointer, .size = 8, .align = 8, .target = inner});
  TypeId cv = tt.add(Type{.kind = TypeKind::Volatile, .target = uint});
  TypeId ccv = tt.add(Type{.kind = TypeKind::Const, .target = cv});
  TypeId td = tt.add(Type{.kind = TypeKind::Typedef, .name = "pid_t", .target = i});
  TypeId ctd = tt.add(Type{.kind = TypeKind::Const, .target = td});
  TypeId proto = tt.add(Type{.kind = TypeKind::FuncProto, .target = TypeId{0}, .params = {{"x", i}}});
  TypeId fptr = tt.add(Type{.kind = TypeKind::Pointer, .size = 8, .align = 8, .target = proto});
  TypeId st = tt.add(Type{.kind = TypeKind::Struct, .name = "event", .size = 4, .align = 4});
  TypeId anon = tt.add(Type{.kind = TypeKind::Union, .size = 4, .align = 4});

  EXPECT_EQ(tt.spell(chr), "char");
  EXPECT_EQ(tt.spell(arr16), "char[16]");
  EXPECT_EQ(tt.spell(ptr), "char *");
  EXPECT_EQ(tt.spell(arr_of_ptr), "char *[4]");
  EXPECT_EQ(tt.spell(md), "int[2][3]");
  EXPECT_EQ(tt.spell(ptr_to_arr), "int (*)[3]");
  EXPECT_EQ(tt.spell(ccv), "unsigned int");
  EXPECT_EQ(tt.spell(ctd), "pid_t");
  EXPECT_EQ(tt.spell(fptr), "void (*)(int)");
  EXPECT_EQ(tt.spell(st), "struct event");
  EXPECT_EQ(tt.spell(anon), "union {...}");

  EXPECT_EQ(tt.size_of(md), 24u);
  EXPECT_EQ(tt.align_of(md), 4u);
  EXPECT_EQ(tt.resolve(ctd), i);
  EXPECT_EQ(tt.strip_mods(ccv), uint);
  EXPECT_EQ(tt.find(TypeKind::Struct, "event"), st);
  EXPECT_FALSE(tt.find(TypeKind::Union, "event").has_value());
}

// The one-line bad_input error `f` throws, or a failure.
template <typename F>
std::string bad_input_of(F f) {
  try {
    f();
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input) << e.what();
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "not an ecc::Error: " << e.what();
    return {};
  }
  ADD_FAILURE() << "no error";
  return {};
}

TEST(TypeTable, DamagedTablesAreBadInputNamingTheType) {
  TypeTable tt;
  TypeId i = add_int(tt, "int", 4, true);
  EXPECT_EQ(bad_input_of([&] { tt.at(6684690); }), "type 6684690 is past the last type 1");
  // typedef a -> const -> typedef b -> typedef a
  TypeId a = tt.add(Type{.kind = TypeKind::Typedef, .name = "a"});
  TypeId c = tt.add(Type{.kind = TypeKind::Const, .target = a});
  TypeId b = tt.add(Type{.kind = TypeKind::Typedef, .name = "b", .target = c});
  tt.at(a).target = b;
  EXPECT_NE(bad_input_of([&] { tt.resolve(a); }).find(" is in a loop of typedefs and modifiers"), std::string::npos);
  EXPECT_NE(bad_input_of([&] { tt.size_of(b); }).find("(typedef "), std::string::npos);
  // An array of itself.
  TypeId arr = tt.add(Type{.kind = TypeKind::Array, .nelems = 2});
  tt.at(arr).target = arr;
  EXPECT_EQ(bad_input_of([&] { tt.size_of(arr); }), "type " + std::to_string(arr) + " (array) nests arrays more than " +
                                                        std::to_string(kMaxTypeDepth) + " deep");
  EXPECT_EQ(bad_input_of([&] { tt.align_of(arr); }).rfind("type " + std::to_string(arr) + " (array)", 0), 0u);
  EXPECT_EQ(tt.describe(i), "type 1 (int)");
  EXPECT_EQ(tt.describe(b), "type " + std::to_string(b) + " (typedef b)");
}

TEST(TypeTable, CharNessIsOneRule) {
  TypeTable tt;
  TypeId by_name = add_int(tt, "char", 1, true);
  TypeId uchar = add_int(tt, "unsigned char", 1, false);
  TypeId marked = tt.add(Type{.kind = TypeKind::Int, .name = "ch8", .size = 1, .align = 1, .is_char = true});
  TypeId u8 = add_int(tt, "__u8", 1, false);
  TypeId wide = tt.add(Type{.kind = TypeKind::Int, .name = "char", .size = 2, .align = 2, .is_char = true});
  TypeId boolean = tt.add(Type{.kind = TypeKind::Int, .name = "_Bool", .size = 1, .align = 1, .is_bool = true});
  TypeId td = tt.add(Type{.kind = TypeKind::Typedef, .name = "my_char", .target = by_name});
  TypeId ctd = tt.add(Type{.kind = TypeKind::Const, .target = td});
  EXPECT_TRUE(tt.is_char(by_name));
  EXPECT_TRUE(tt.is_char(uchar));
  EXPECT_TRUE(tt.is_char(marked));
  EXPECT_TRUE(tt.is_char(ctd));
  EXPECT_FALSE(tt.is_char(u8));
  EXPECT_FALSE(tt.is_char(wide));
  EXPECT_FALSE(tt.is_char(boolean));
  TypeId comm = tt.add(Type{.kind = TypeKind::Array, .target = ctd, .nelems = 16});
  TypeId bytes = tt.add(Type{.kind = TypeKind::Array, .target = u8, .nelems = 16});
  TypeId comm_td = tt.add(Type{.kind = TypeKind::Typedef, .name = "comm_t", .target = comm});
  TypeId rows = tt.add(Type{.kind = TypeKind::Array, .target = comm, .nelems = 2});
  EXPECT_TRUE(tt.is_char_array(comm));
  EXPECT_TRUE(tt.is_char_array(comm_td));
  EXPECT_FALSE(tt.is_char_array(bytes));
  EXPECT_FALSE(tt.is_char_array(rows));
  EXPECT_FALSE(tt.is_char_array(by_name));
}

TEST(TypeTable, AnonymousMembersArePlacedInTheOuterRecord) {
  // struct outer { int a; union { int b; struct { int c; int d; }; }; struct { int e; } named; };
  TypeTable tt;
  TypeId i = add_int(tt, "int", 4, true);
  TypeId cd = tt.add(Type{.kind = TypeKind::Struct, .size = 8, .align = 4,
                          .members = {{"c", i, 0, 0}, {"d", i, 32, 0}}});
  TypeId u = tt.add(Type{.kind = TypeKind::Union, .size = 8, .align = 4, .members = {{"b", i, 0, 0}, {"", cd, 0, 0}}});
  TypeId e = tt.add(Type{.kind = TypeKind::Struct, .size = 4, .align = 4, .members = {{"e", i, 0, 0}}});
  TypeId outer = tt.add(Type{.kind = TypeKind::Struct, .name = "outer", .size = 16, .align = 4,
                             .members = {{"a", i, 0, 0}, {"", u, 32, 0}, {"named", e, 96, 0}}});
  TypeId td = tt.add(Type{.kind = TypeKind::Typedef, .name = "outer_t", .target = outer});

  std::vector<PlacedMember> placed = tt.placed_members(td);
  ASSERT_EQ(placed.size(), 3u);
  EXPECT_FALSE(placed[0].expanded);
  ASSERT_TRUE(placed[1].expanded);
  ASSERT_EQ(placed[1].inner.size(), 2u);
  EXPECT_EQ(placed[1].inner[1].inner[1].member->name, "d");
  EXPECT_EQ(placed[1].inner[1].inner[1].bit_offset, 64u);
  ASSERT_TRUE(placed[2].expanded) << "a member of an anonymous type is described in place";
  EXPECT_EQ(placed[2].inner[0].bit_offset, 96u);

  std::vector<std::pair<std::string, uint32_t>> flat;
  for (const PlacedMember& p : tt.flat_members(outer)) flat.emplace_back(p.member->name, p.bit_offset);
  EXPECT_EQ(flat, (std::vector<std::pair<std::string, uint32_t>>{{"a", 0}, {"b", 32}, {"c", 32}, {"d", 64}, {"named", 96}}));
}

TEST(TypeTable, AnonymousRecordsNestAtMostTheDepthLimit) {
  TypeTable tt;
  TypeId i = add_int(tt, "int", 4, true);
  TypeId rec = tt.add(Type{.kind = TypeKind::Struct, .size = 4, .align = 4, .members = {{"x", i, 0, 0}}});
  for (int d = 1; d < kMaxTypeDepth; ++d)  // `ok` adds the last level
    rec = tt.add(Type{.kind = TypeKind::Struct, .size = 4, .align = 4, .members = {{"", rec, 0, 0}}});
  TypeId deepest_ok = tt.add(Type{.kind = TypeKind::Struct, .name = "ok", .size = 4, .align = 4, .members = {{"", rec, 0, 0}}});
  ASSERT_EQ(tt.flat_members(deepest_ok).size(), 1u);
  EXPECT_EQ(tt.flat_members(deepest_ok)[0].member->name, "x");
  TypeId mid = tt.add(Type{.kind = TypeKind::Struct, .size = 4, .align = 4, .members = {{"", rec, 0, 0}}});
  TypeId too_deep = tt.add(Type{.kind = TypeKind::Struct, .name = "deep", .size = 4, .align = 4, .members = {{"", mid, 0, 0}}});
  EXPECT_EQ(bad_input_of([&] { tt.placed_members(too_deep); }),
            tt.describe(too_deep) + " nests anonymous records more than " + std::to_string(kMaxTypeDepth) + " deep");
}

TEST(LayoutCheck, NamesTheFirstFieldThatDiffers) {
  TypeTable tt;
  TypeId i = add_int(tt, "int", 4, true);
  auto rec = [&](uint32_t second_off, uint32_t bits) {
    return tt.add(Type{.kind = TypeKind::Struct, .name = "event", .size = 8, .align = 4,
                       .members = {{"a", i, 0, 0}, {"b", i, second_off, bits}}});
  };
  TypeId btf = rec(32, 0);
  EXPECT_FALSE(compare_layouts(tt, rec(32, 0), btf).has_value());
  auto moved = compare_layouts(tt, rec(0, 0), btf);
  ASSERT_TRUE(moved.has_value());
  EXPECT_NE(moved->find("'b'"), std::string::npos) << *moved;
  auto narrowed = compare_layouts(tt, rec(32, 3), btf);
  ASSERT_TRUE(narrowed.has_value());
  EXPECT_NE(narrowed->find("bits wide"), std::string::npos) << *narrowed;
}

TEST(TypeTable, CopiesTypesAcrossTablesOnce) {
  TypeTable src;
  TypeId i = add_int(src, "int", 4, true);
  TypeId node = src.add(Type{.kind = TypeKind::Struct, .name = "node", .size = 16, .align = 8});
  TypeId ptr = src.add(Type{.kind = TypeKind::Pointer, .size = 8, .align = 8, .target = node});
  src.at(node).members = {{"v", i, 0, 0}, {"next", ptr, 64, 0}};

  TypeTable dst;
  add_int(dst, "long", 8, true);
  std::vector<TypeId> memo;
  TypeId copied = copy_type(src, node, dst, memo);
  EXPECT_EQ(copy_type(src, node, dst, memo), copied);
  EXPECT_EQ(dst.spell(copied), "struct node");
  const Type& t = dst.at(copied);
  ASSERT_EQ(t.members.size(), 2u);
  EXPECT_EQ(dst.spell(t.members[0].type), "int");
  EXPECT_EQ(dst.at(t.members[1].type).target, copied);
  EXPECT_EQ(dst.size(), 5u);  // void, long, node, int, pointer
}
