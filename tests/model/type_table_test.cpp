#include <gtest/gtest.h>

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
