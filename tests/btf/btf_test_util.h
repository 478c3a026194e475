// Small lookups shared by the lib/btf tests.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include <bpf/btf.h>

#include "ecc/btf.h"
#include "test_util.h"

namespace ecc::test {

// Compiles `source` and reads the linked object back as a skeleton.
inline Skeleton compile_and_read(const TempDir& dir, const std::string& name, const std::string& source) {
  fs::path obj = compile_bpf(dir, name, source);
  std::vector<uint8_t> bytes = read_bytes(obj);
  return read_object(bytes, name + "_bpf", obj.string());
}

// The named member of a struct/union; fails the test when it is missing.
inline const Member& member(const TypeTable& tt, TypeId record, const std::string& name) {
  for (const Member& m : tt.at(record).members)
    if (m.name == name) return m;
  ADD_FAILURE() << "no member " << name << " in " << tt.spell(record);
  static const Member none{};
  return none;
}

inline TypeId require(const TypeTable& tt, TypeKind kind, const std::string& name) {
  auto id = tt.find(kind, name);
  if (!id) throw std::runtime_error("type not found: " + name);
  return *id;
}

}  // namespace ecc::test
