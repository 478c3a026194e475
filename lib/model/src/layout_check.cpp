#include "ecc/layout_check.h"

#include <algorithm>

namespace ecc {

namespace {

std::string field_path(const std::string& prefix, const Member& m) {
  std::string name = m.name.empty() ? "<anonymous>" : m.name;
  return prefix.empty() ? name : prefix + "." + name;
}

std::optional<std::string> compare(const TypeTable& tt, TypeId c, TypeId b, const std::string& what,
                                   const std::string& prefix, int depth) {
  const Type& ct = tt.at(tt.resolve(c));
  const Type& bt = tt.at(tt.resolve(b));
  auto where = [&](const std::string& field) {
    return what + ": field '" + field + "'";
  };
  if (depth > 32) return std::nullopt;
  if (ct.kind != bt.kind)
    return what + (prefix.empty() ? "" : ": field '" + prefix + "'") + " is a different kind of type in BTF";
  auto size_diff = [&]() -> std::optional<std::string> {
    if (tt.size_of(c) == tt.size_of(b)) return std::nullopt;
    return (prefix.empty() ? what : where(prefix)) + " has size " + std::to_string(tt.size_of(b)) +
           " in BTF but " + std::to_string(tt.size_of(c)) + " per Clang";
  };
  if (!is_record(ct)) return size_diff();
  // Members first, so that the message names the field that moved rather
  // than the record that grew.
  size_t common = std::min(ct.members.size(), bt.members.size());
  for (size_t i = 0; i < common; ++i) {
    const Member& cm = ct.members[i];
    const Member& bm = bt.members[i];
    std::string path = field_path(prefix, cm);
    if (cm.name != bm.name)
      return where(path) + " is named '" + bm.name + "' in BTF";
    if (cm.bit_offset != bm.bit_offset)
      return where(path) + " is at bit " + std::to_string(bm.bit_offset) + " in BTF but bit " +
             std::to_string(cm.bit_offset) + " per Clang";
    if (cm.bit_size != bm.bit_size)
      return where(path) + " is " + std::to_string(bm.bit_size) + " bits wide in BTF but " +
             std::to_string(cm.bit_size) + " per Clang";
    // Member offsets inside nested records are relative to that record.
    if (auto err = compare(tt, cm.type, bm.type, what, path, depth + 1)) return err;
  }
  if (bt.members.size() > common)
    return where(field_path(prefix, bt.members[common])) + " exists in BTF but not per Clang";
  if (ct.members.size() > common)
    return where(field_path(prefix, ct.members[common])) + " exists per Clang but not in BTF";
  return size_diff();
}

}  // namespace

std::optional<std::string> compare_layouts(const TypeTable& tt, TypeId from_clang, TypeId from_btf) {
  return compare(tt, from_clang, from_btf, tt.spell(from_clang), "", 0);
}

}  // namespace ecc
