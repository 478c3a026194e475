// The type model built from a compiled object's BTF: offsets, sizes,
// alignments, bitfields and C spellings. The expected layouts are those of
// the C ABI for target bpf (LP64, __int128 aligned at 16).
#include <gtest/gtest.h>

#include <memory>

#include "btf_test_util.h"

namespace ecc::test {
namespace {

const char* kTypes = R"(
typedef unsigned int u32;
typedef int pid_t;
typedef pid_t my_pid;
typedef my_pid my_pid2;

enum color { RED = -1, GREEN = 2, BLUE = 0x7fffffff };

struct event {
  pid_t pid;
  u32 flags : 3;
  u32 mode : 5;
  unsigned long long big : 40;
  char comm[16];
  int grid[2][3];
  const volatile int cv;
  char *name;
  _Bool ok;
  __int128 wide;
  unsigned __int128 uwide;
  union { int i; float f; } u;
  struct { short x, y; };
  enum color c;
  my_pid2 p2;
  int tail[];
};

union value {
  u32 a;
  unsigned long long b;
  char c[3];
};

struct with_anon_union {
  char tag;
  union {
    long l;
    struct { char lo, hi; };
  };
  void (*cb)(int, const char *);
  signed char sc : 4;
  unsigned char uc;
};

struct event ev;
union value val;
struct with_anon_union wau;
const volatile unsigned long cvl = 1;

char LICENSE[] __attribute__((section("license"), used)) = "GPL";
)";

class ImportBtf : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    skel_ = new Skeleton(compile_and_read(*dir_, "types", kTypes));
  }
  static void TearDownTestSuite() {
    delete skel_;
    delete dir_;
  }
  const TypeTable& tt() const { return skel_->types; }
  TypeId event() const { return require(tt(), TypeKind::Struct, "event"); }

  static TempDir* dir_;
  static Skeleton* skel_;
};
TempDir* ImportBtf::dir_;
Skeleton* ImportBtf::skel_;

TEST_F(ImportBtf, TableIdsAreBtfIds) {
  for (TypeId id = 1; id < tt().size(); ++id) EXPECT_EQ(tt().at(id).btf_id, id);
  EXPECT_EQ(tt().at(0).kind, TypeKind::Void);
}

TEST_F(ImportBtf, StructSizeAlignAndOffsets) {
  const Type& e = tt().at(event());
  EXPECT_EQ(e.size, 128u);
  EXPECT_EQ(e.align, 16u);  // because of __int128
  struct Want {
    const char* name;
    uint32_t byte_offset;
    const char* spelling;
    uint32_t size;
  };
  for (const Want& w : std::initializer_list<Want>{{"pid", 0, "pid_t", 4},
                                                   {"comm", 13, "char[16]", 16},
                                                   {"grid", 32, "int[2][3]", 24},
                                                   {"cv", 56, "int", 4},
                                                   {"name", 64, "char *", 8},
                                                   {"ok", 72, "_Bool", 1},
                                                   {"wide", 80, "__int128", 16},
                                                   {"uwide", 96, "unsigned __int128", 16},
                                                   {"c", 120, "enum color", 4},
                                                   {"p2", 124, "my_pid2", 4},
                                                   {"tail", 128, "int[]", 0}}) {
    const Member& m = member(tt(), event(), w.name);
    EXPECT_EQ(m.bit_offset, w.byte_offset * 8) << w.name;
    EXPECT_EQ(m.bit_size, 0u) << w.name;
    EXPECT_EQ(tt().spell(m.type), w.spelling) << w.name;
    EXPECT_EQ(tt().size_of(m.type), w.size) << w.name;
  }
}

TEST_F(ImportBtf, BitfieldsWithKindFlag) {
  // clang emits kind_flag=1 records: the size lives in the member offset.
  const Member& flags = member(tt(), event(), "flags");
  const Member& mode = member(tt(), event(), "mode");
  const Member& big = member(tt(), event(), "big");
  EXPECT_EQ(flags.bit_offset, 32u);
  EXPECT_EQ(flags.bit_size, 3u);
  EXPECT_EQ(mode.bit_offset, 35u);
  EXPECT_EQ(mode.bit_size, 5u);
  // 40 bits do not fit after bit 40 of the first 64-bit unit: next unit.
  EXPECT_EQ(big.bit_offset, 64u);
  EXPECT_EQ(big.bit_size, 40u);
  EXPECT_EQ(tt().spell(flags.type), "u32");
  EXPECT_EQ(tt().spell(big.type), "unsigned long long");

  TypeId w = require(tt(), TypeKind::Struct, "with_anon_union");
  const Member& sc = member(tt(), w, "sc");
  EXPECT_EQ(sc.bit_offset, 24u * 8);
  EXPECT_EQ(sc.bit_size, 4u);
  EXPECT_EQ(tt().spell(sc.type), "signed char");
  EXPECT_EQ(member(tt(), w, "uc").bit_offset, 25u * 8);
  EXPECT_EQ(member(tt(), w, "uc").bit_size, 0u);
}

TEST_F(ImportBtf, IntEncodings) {
  const Type& b = tt().at(tt().resolve(member(tt(), event(), "ok").type));
  EXPECT_TRUE(b.is_bool);
  EXPECT_EQ(b.size, 1u);
  TypeId comm = tt().resolve(member(tt(), event(), "comm").type);
  const Type& ch = tt().at(tt().resolve(tt().at(comm).target));
  EXPECT_EQ(ch.name, "char");
  EXPECT_TRUE(tt().is_char(tt().at(comm).target));
  EXPECT_TRUE(tt().is_char_array(comm));
  EXPECT_TRUE(ch.is_signed);  // plain char is signed for target bpf
  const Type& wide = tt().at(tt().resolve(member(tt(), event(), "wide").type));
  EXPECT_TRUE(wide.is_signed);
  EXPECT_EQ(wide.size, 16u);
  EXPECT_EQ(wide.align, 16u);
  const Type& uwide = tt().at(tt().resolve(member(tt(), event(), "uwide").type));
  EXPECT_FALSE(uwide.is_signed);
  const Type& flags = tt().at(tt().resolve(member(tt(), event(), "flags").type));
  EXPECT_EQ(flags.name, "unsigned int");
  EXPECT_FALSE(flags.is_signed);
  EXPECT_EQ(flags.align, 4u);
}

TEST_F(ImportBtf, MultiDimensionalArray) {
  TypeId grid = member(tt(), event(), "grid").type;
  const Type& outer = tt().at(grid);
  ASSERT_EQ(outer.kind, TypeKind::Array);
  EXPECT_EQ(outer.nelems, 2u);
  EXPECT_EQ(outer.size, 24u);
  EXPECT_EQ(outer.align, 4u);
  const Type& inner = tt().at(outer.target);
  ASSERT_EQ(inner.kind, TypeKind::Array);
  EXPECT_EQ(inner.nelems, 3u);
  EXPECT_EQ(inner.size, 12u);
  EXPECT_EQ(tt().spell(outer.target), "int[3]");
}

TEST_F(ImportBtf, FlexibleArrayMember) {
  const Type& tail = tt().at(member(tt(), event(), "tail").type);
  ASSERT_EQ(tail.kind, TypeKind::Array);
  EXPECT_EQ(tail.nelems, 0u);
  EXPECT_EQ(tail.size, 0u);
}

TEST_F(ImportBtf, AnonymousMembers) {
  // The unnamed struct member of event keeps an empty name and its own
  // members' offsets are relative to it.
  const Type& e = tt().at(event());
  const Member* anon = nullptr;
  for (const Member& m : e.members)
    if (m.name.empty()) anon = &m;
  ASSERT_NE(anon, nullptr);
  EXPECT_EQ(anon->bit_offset, 116u * 8);
  const Type& s = tt().at(anon->type);
  EXPECT_EQ(s.kind, TypeKind::Struct);
  EXPECT_TRUE(s.name.empty());
  EXPECT_EQ(s.size, 4u);
  EXPECT_EQ(s.align, 2u);
  EXPECT_EQ(member(tt(), anon->type, "y").bit_offset, 16u);
  EXPECT_EQ(tt().spell(anon->type), "struct {...}");

  // A named member of anonymous union type.
  const Member& u = member(tt(), event(), "u");
  EXPECT_EQ(u.bit_offset, 112u * 8);
  EXPECT_EQ(tt().at(u.type).kind, TypeKind::Union);
  EXPECT_EQ(tt().spell(u.type), "union {...}");

  // An anonymous union holding an anonymous struct.
  TypeId w = require(tt(), TypeKind::Struct, "with_anon_union");
  EXPECT_EQ(tt().at(w).size, 32u);
  EXPECT_EQ(tt().at(w).align, 8u);
  const Member& au = tt().at(w).members.at(1);
  EXPECT_TRUE(au.name.empty());
  EXPECT_EQ(au.bit_offset, 64u);
  const Type& un = tt().at(au.type);
  ASSERT_EQ(un.kind, TypeKind::Union);
  ASSERT_EQ(un.members.size(), 2u);
  EXPECT_EQ(un.members[1].name, "");
  EXPECT_EQ(member(tt(), un.members[1].type, "hi").bit_offset, 8u);
}

TEST_F(ImportBtf, Unions) {
  TypeId v = require(tt(), TypeKind::Union, "value");
  const Type& u = tt().at(v);
  EXPECT_EQ(u.size, 8u);
  EXPECT_EQ(u.align, 8u);
  ASSERT_EQ(u.members.size(), 3u);
  for (const Member& m : u.members) EXPECT_EQ(m.bit_offset, 0u) << m.name;
  EXPECT_EQ(tt().spell(member(tt(), v, "c").type), "char[3]");
  EXPECT_EQ(tt().spell(v), "union value");
}

TEST_F(ImportBtf, EnumWithNegativeValues) {
  TypeId c = require(tt(), TypeKind::Enum, "color");
  const Type& e = tt().at(c);
  EXPECT_EQ(e.size, 4u);
  EXPECT_EQ(e.align, 4u);
  EXPECT_TRUE(e.is_signed);
  ASSERT_EQ(e.values.size(), 3u);
  EXPECT_EQ(e.values[0].name, "RED");
  EXPECT_EQ(e.values[0].value, -1);
  EXPECT_EQ(e.values[1].value, 2);
  EXPECT_EQ(e.values[2].value, 0x7fffffff);
}

TEST_F(ImportBtf, TypedefChain) {
  TypeId p2 = member(tt(), event(), "p2").type;
  EXPECT_EQ(tt().at(p2).kind, TypeKind::Typedef);
  EXPECT_EQ(tt().spell(p2), "my_pid2");
  EXPECT_EQ(tt().spell(tt().at(p2).target), "my_pid");
  EXPECT_EQ(tt().spell(tt().at(tt().at(p2).target).target), "pid_t");
  EXPECT_EQ(tt().spell(tt().resolve(p2)), "int");
  EXPECT_EQ(tt().at(p2).size, 4u);
  EXPECT_EQ(tt().at(p2).align, 4u);
}

TEST_F(ImportBtf, ConstVolatile) {
  TypeId cv = member(tt(), event(), "cv").type;
  std::vector<TypeKind> chain;
  for (TypeId id = cv; tt().at(id).kind == TypeKind::Const || tt().at(id).kind == TypeKind::Volatile;
       id = tt().at(id).target)
    chain.push_back(tt().at(id).kind);
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_NE(chain[0], chain[1]);
  EXPECT_EQ(tt().spell(cv), "int");
  EXPECT_EQ(tt().size_of(cv), 4u);
}

TEST_F(ImportBtf, Pointers) {
  TypeId name = member(tt(), event(), "name").type;
  const Type& p = tt().at(name);
  ASSERT_EQ(p.kind, TypeKind::Pointer);
  EXPECT_EQ(p.size, 8u);
  EXPECT_EQ(p.align, 8u);
  EXPECT_EQ(tt().at(p.target).name, "char");

  TypeId w = require(tt(), TypeKind::Struct, "with_anon_union");
  const Member& cb = member(tt(), w, "cb");
  EXPECT_EQ(cb.bit_offset, 16u * 8);
  EXPECT_EQ(tt().spell(cb.type), "void (*)(int, char *)");
  const Type& proto = tt().at(tt().at(cb.type).target);
  ASSERT_EQ(proto.kind, TypeKind::FuncProto);
  ASSERT_EQ(proto.params.size(), 2u);
  EXPECT_FALSE(proto.variadic);
  EXPECT_EQ(proto.target, 0u);  // returns void
  EXPECT_EQ(tt().at(tt().strip_mods(tt().at(proto.params[1].type).target)).name, "char");
}

TEST_F(ImportBtf, FuncsAndDataSectionsAreNotTypes) {
  // VARs and DATASECs stay in the table as Void placeholders.
  size_t vars = 0;
  for (TypeId id = 1; id < tt().size(); ++id)
    if (tt().at(id).kind == TypeKind::Void) ++vars;
  EXPECT_GE(vars, 5u);  // ev, val, wau, cvl, LICENSE and their sections
}

TEST(ImportBtfBase, AppendsAfterExistingTypes) {
  TempDir dir;
  fs::path obj = compile_bpf(dir, "two", "struct pair { int a; long b; } p;\n");
  struct btf* btf = btf__parse(obj.c_str(), nullptr);
  ASSERT_NE(btf, nullptr);
  TypeTable tt;
  tt.add(Type{.kind = TypeKind::Int, .name = "int", .size = 4, .align = 4});
  TypeId base = import_btf(btf, tt);
  EXPECT_EQ(base, 2u);
  EXPECT_EQ(tt.size(), base + btf__type_cnt(btf) - 1);
  TypeId pair = require(tt, TypeKind::Struct, "pair");
  EXPECT_EQ(tt.at(pair).btf_id + base - 1, pair);
  // References are shifted with the table ids.
  EXPECT_EQ(tt.spell(member(tt, pair, "b").type), "long");
  EXPECT_EQ(member(tt, pair, "b").bit_offset, 64u);
  btf__free(btf);
}

}  // namespace
}  // namespace ecc::test
