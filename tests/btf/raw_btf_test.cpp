// BTF that clang 14 does not emit, built by hand: kind_flag=0 bitfields
// (the encoding older pahole wrote into kernel BTF) and the kinds of newer
// producers (ENUM64, signed ENUM, type tags...).
#include <linux/btf.h>
#include <bpf/btf.h>

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

#include "btf_test_util.h"
#include "ecc/error.h"

namespace ecc::test {
namespace {

// A raw .BTF blob: header, type records (u32 words) and string section.
class RawBtf {
 public:
  RawBtf() { strings_.push_back('\0'); }

  uint32_t str(const std::string& s) {
    uint32_t off = static_cast<uint32_t>(strings_.size());
    strings_.insert(strings_.end(), s.begin(), s.end());
    strings_.push_back('\0');
    return off;
  }
  static uint32_t info(uint32_t kind, uint32_t vlen, bool kflag) {
    return (kflag ? 1u << 31 : 0) | (kind << 24) | vlen;
  }
  uint32_t add_int(const std::string& name, uint32_t size, uint32_t encoding, uint32_t offset, uint32_t bits) {
    words_.insert(words_.end(), {str(name), info(BTF_KIND_INT, 0, false), size,
                                 (encoding << 24) | (offset << 16) | bits});
    return ++count_;
  }
  struct M {
    std::string name;
    uint32_t type, offset;
  };
  uint32_t add_struct(const std::string& name, uint32_t size, const std::vector<M>& members) {
    words_.insert(words_.end(),
                  {str(name), info(BTF_KIND_STRUCT, static_cast<uint32_t>(members.size()), false), size});
    for (const M& m : members) words_.insert(words_.end(), {str(m.name), m.type, m.offset});
    return ++count_;
  }

  struct btf* parse() {
    std::vector<uint8_t> blob(sizeof(btf_header));
    btf_header h{};
    h.magic = BTF_MAGIC;
    h.version = BTF_VERSION;
    h.hdr_len = sizeof(btf_header);
    h.type_off = 0;
    h.type_len = static_cast<uint32_t>(words_.size() * 4);
    h.str_off = h.type_len;
    h.str_len = static_cast<uint32_t>(strings_.size());
    std::memcpy(blob.data(), &h, sizeof h);
    const auto* w = reinterpret_cast<const uint8_t*>(words_.data());
    blob.insert(blob.end(), w, w + words_.size() * 4);
    blob.insert(blob.end(), strings_.begin(), strings_.end());
    return btf__new(blob.data(), static_cast<uint32_t>(blob.size()));
  }

 private:
  std::vector<uint32_t> words_;
  std::vector<char> strings_;
  uint32_t count_ = 0;
};

TEST(RawBtf, LegacyBitfieldsWithoutKindFlag) {
  // struct legacy { unsigned a:3, b:5; int c; unsigned char d:2; u16 e; }
  // in the old encoding: each bitfield's type is an INT of its own width,
  // the bit position either in the member offset (a, d) or partly in the
  // INT's BTF_INT_OFFSET (b: member at 0, INT offset 3).
  RawBtf raw;
  uint32_t i32 = raw.add_int("int", 4, BTF_INT_SIGNED, 0, 32);
  uint32_t u3 = raw.add_int("unsigned int", 4, 0, 0, 3);
  uint32_t u5_at3 = raw.add_int("unsigned int", 4, 0, 3, 5);
  uint32_t uc2 = raw.add_int("unsigned char", 1, 0, 0, 2);
  uint32_t u16 = raw.add_int("unsigned short", 2, 0, 0, 16);
  uint32_t s = raw.add_struct("legacy", 12,
                              {{"a", u3, 0}, {"b", u5_at3, 0}, {"c", i32, 32}, {"d", uc2, 64}, {"e", u16, 80}});
  struct btf* btf = raw.parse();
  ASSERT_NE(btf, nullptr) << "libbpf rejected the hand-made BTF";

  TypeTable tt;
  ASSERT_EQ(import_btf(btf, tt), 1u);
  const Type& st = tt.at(s);
  EXPECT_EQ(st.kind, TypeKind::Struct);
  EXPECT_EQ(st.size, 12u);
  EXPECT_EQ(st.align, 4u);
  EXPECT_EQ(member(tt, s, "a").bit_offset, 0u);
  EXPECT_EQ(member(tt, s, "a").bit_size, 3u);
  EXPECT_EQ(member(tt, s, "b").bit_offset, 3u);
  EXPECT_EQ(member(tt, s, "b").bit_size, 5u);
  EXPECT_EQ(member(tt, s, "c").bit_offset, 32u);
  EXPECT_EQ(member(tt, s, "c").bit_size, 0u);  // a full-width INT is no bitfield
  EXPECT_EQ(member(tt, s, "d").bit_offset, 64u);
  EXPECT_EQ(member(tt, s, "d").bit_size, 2u);
  EXPECT_EQ(member(tt, s, "e").bit_offset, 80u);
  EXPECT_EQ(member(tt, s, "e").bit_size, 0u);
  EXPECT_EQ(tt.spell(member(tt, s, "b").type), "unsigned int");
  btf__free(btf);
}

TEST(RawBtf, KindFlagBitfieldsViaTypedef) {
  // kind_flag=1: the member type stays the plain typedef, the width is in
  // the member's offset word.
  struct btf* btf = btf__new_empty();
  int u32 = btf__add_int(btf, "unsigned int", 4, 0);
  int td = btf__add_typedef(btf, "u32", u32);
  int s = btf__add_struct(btf, "flags", 4);
  ASSERT_EQ(btf__add_field(btf, "lo", td, 0, 4), 0);
  ASSERT_EQ(btf__add_field(btf, "hi", td, 4, 28), 0);
  TypeTable tt;
  import_btf(btf, tt);
  EXPECT_EQ(member(tt, s, "lo").bit_size, 4u);
  EXPECT_EQ(member(tt, s, "hi").bit_offset, 4u);
  EXPECT_EQ(member(tt, s, "hi").bit_size, 28u);
  EXPECT_EQ(tt.spell(member(tt, s, "hi").type), "u32");
  EXPECT_EQ(tt.at(s).align, 4u);
  btf__free(btf);
}

TEST(RawBtf, Enum64AndSignedEnums) {
  struct btf* btf = btf__new_empty();
  int e64 = btf__add_enum64(btf, "big", 8, false);
  ASSERT_GT(e64, 0);
  ASSERT_EQ(btf__add_enum64_value(btf, "BIG_MAX", 0xffffffffffULL), 0);
  ASSERT_EQ(btf__add_enum64_value(btf, "BIG_TOP", 0x8000000000000000ULL), 0);
  int s64 = btf__add_enum64(btf, "sbig", 8, true);
  ASSERT_EQ(btf__add_enum64_value(btf, "SBIG_NEG", static_cast<uint64_t>(-5LL)), 0);
  int u = btf__add_enum(btf, "flags32", 4);
  ASSERT_EQ(btf__add_enum_value(btf, "TOP_BIT", static_cast<int64_t>(0x80000000u)), 0);
  int neg = btf__add_enum(btf, "neg32", 4);
  ASSERT_EQ(btf__add_enum_value(btf, "MINUS_ONE", -1), 0);  // libbpf sets kind_flag

  TypeTable tt;
  import_btf(btf, tt);
  const Type& big = tt.at(e64);
  EXPECT_EQ(big.kind, TypeKind::Enum);
  EXPECT_EQ(big.size, 8u);
  EXPECT_EQ(big.align, 8u);
  EXPECT_FALSE(big.is_signed);
  ASSERT_EQ(big.values.size(), 2u);
  EXPECT_EQ(big.values[0].value, 0xffffffffffLL);
  EXPECT_EQ(static_cast<uint64_t>(big.values[1].value), 0x8000000000000000ULL);
  EXPECT_TRUE(tt.at(s64).is_signed);
  EXPECT_EQ(tt.at(s64).values.at(0).value, -5);
  // With signedness recorded in this BTF, an ENUM without kind_flag is
  // unsigned: 0x80000000 stays positive.
  EXPECT_FALSE(tt.at(u).is_signed);
  EXPECT_EQ(tt.at(u).values.at(0).value, 0x80000000LL);
  EXPECT_TRUE(tt.at(neg).is_signed);
  EXPECT_EQ(tt.at(neg).values.at(0).value, -1);
  EXPECT_EQ(tt.spell(e64), "enum big");
  btf__free(btf);
}

TEST(RawBtf, OtherKinds) {
  struct btf* btf = btf__new_empty();
  int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
  int c = btf__add_int(btf, "char", 1, BTF_INT_CHAR);
  int f = btf__add_float(btf, "double", 8);
  int fwd_u = btf__add_fwd(btf, "later_u", BTF_FWD_UNION);
  int fwd_s = btf__add_fwd(btf, "later_s", BTF_FWD_STRUCT);
  int cp = btf__add_ptr(btf, c);
  int rp = btf__add_restrict(btf, cp);
  int tag = btf__add_type_tag(btf, "user", i);
  int tp = btf__add_ptr(btf, tag);
  int proto = btf__add_func_proto(btf, i);
  ASSERT_EQ(btf__add_func_param(btf, "fmt", rp), 0);
  ASSERT_EQ(btf__add_func_param(btf, nullptr, 0), 0);  // `...`
  int fn = btf__add_func(btf, "printk_like", BTF_FUNC_GLOBAL, proto);
  int var = btf__add_var(btf, "counter", BTF_VAR_GLOBAL_ALLOCATED, i);
  int sec = btf__add_datasec(btf, ".bss", 4);
  ASSERT_EQ(btf__add_datasec_var_info(btf, var, 0, 4), 0);
  int dtag = btf__add_decl_tag(btf, "bpf_kfunc", fn, -1);
  int after = btf__add_int(btf, "long", 8, BTF_INT_SIGNED);

  TypeTable tt;
  import_btf(btf, tt);
  ASSERT_EQ(tt.size(), static_cast<size_t>(after) + 1);
  EXPECT_EQ(tt.at(f).kind, TypeKind::Float);
  EXPECT_EQ(tt.at(f).size, 8u);
  EXPECT_EQ(tt.spell(f), "double");
  EXPECT_TRUE(tt.at(fwd_u).fwd_is_union);
  EXPECT_FALSE(tt.at(fwd_s).fwd_is_union);
  EXPECT_EQ(tt.spell(fwd_u), "union later_u");
  EXPECT_EQ(tt.at(rp).kind, TypeKind::Restrict);
  EXPECT_EQ(tt.at(tag).kind, TypeKind::TypeTag);
  EXPECT_EQ(tt.at(tag).name, "user");
  EXPECT_EQ(tt.spell(tp), "int *");
  EXPECT_EQ(tt.at(tp).size, 8u);
  const Type& p = tt.at(proto);
  EXPECT_EQ(p.kind, TypeKind::FuncProto);
  EXPECT_TRUE(p.variadic);
  ASSERT_EQ(p.params.size(), 1u);
  EXPECT_EQ(p.params[0].name, "fmt");
  EXPECT_EQ(tt.spell(proto), "int (char *, ...)");
  EXPECT_EQ(tt.at(fn).kind, TypeKind::Func);
  EXPECT_EQ(tt.at(fn).name, "printk_like");
  EXPECT_EQ(tt.at(fn).target, static_cast<TypeId>(proto));
  for (int placeholder : {var, sec, dtag}) {
    EXPECT_EQ(tt.at(placeholder).kind, TypeKind::Void);
    EXPECT_EQ(tt.at(placeholder).btf_id, static_cast<uint32_t>(placeholder));
  }
  EXPECT_EQ(tt.spell(after), "long");
  btf__free(btf);
}

// A damaged id is found where it is read, and named with its type and field.
TEST(RawBtf, AnIdPastTheLastTypeIsOneLineNamingTheTypeAndTheField) {
  RawBtf raw;
  uint32_t c = raw.add_int("char", 1, BTF_INT_SIGNED, 0, 8);
  raw.add_struct("event", 24, {{"pid", c, 0}, {"comm", 6684690, 64}});
  struct btf* btf = raw.parse();
  ASSERT_TRUE(btf) << "libbpf 1.1 does not check member ids itself";
  TypeTable tt;
  try {
    import_btf(btf, tt);
    ADD_FAILURE() << "no error";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_STREQ(e.what(), "BTF type 2 (struct event) member 'comm' refers to type 6684690, past the last type 2");
  }
  btf__free(btf);
}

TEST(RawBtf, PackedRecordHasAlignmentOne) {
  // struct __attribute__((packed)) { char a; int b; }: b sits off its
  // natural alignment, which only a packed record allows.
  struct btf* btf = btf__new_empty();
  int c = btf__add_int(btf, "char", 1, BTF_INT_CHAR);
  int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
  int s = btf__add_struct(btf, "packed", 5);
  btf__add_field(btf, "a", c, 0, 0);
  btf__add_field(btf, "b", i, 8, 0);
  TypeTable tt;
  import_btf(btf, tt);
  EXPECT_EQ(tt.at(s).align, 1u);
  EXPECT_EQ(tt.at(s).size, 5u);
  btf__free(btf);
}

}  // namespace
}  // namespace ecc::test
