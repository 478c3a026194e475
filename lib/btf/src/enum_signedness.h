// What the BTF reader (import_btf) and writer (add_types) share so that both
// agree: names, and how a BTF's 32-bit ENUM values are to be read.
#pragma once

#include <linux/btf.h>
#include <bpf/btf.h>

#include <string>

namespace ecc {

// A name of a BTF's string section; "" for a bad offset.
inline std::string name_of(const struct btf* btf, uint32_t off) {
  const char* s = btf__name_by_offset(btf, off);
  return s ? s : "";
}

// ENUM's kind_flag means "signed" since kernel 6.0 / clang 15. Producers
// from before that (clang 14, old pahole) never set it and stored every value
// as __s32, so in a BTF with no kind_flag'd enum and no ENUM64 at all a
// 32-bit value is read as signed; otherwise kind_flag decides.
inline bool legacy_enum_signedness(const struct btf* btf) {
  uint32_t n = btf__type_cnt(btf);
  for (uint32_t i = 1; i < n; ++i) {
    const struct btf_type* t = btf__type_by_id(btf, i);
    if (btf_is_enum64(t) || (btf_is_enum(t) && btf_kflag(t))) return false;
  }
  return true;
}

}  // namespace ecc
