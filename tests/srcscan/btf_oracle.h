// The test's own reading of an object's BTF into the model, independent of
// lib/srcscan (and of lib/btfdump, which is tested on its own): the oracle
// the Clang-built export types are compared with.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "ecc/model.h"

namespace ecc::test {

// Appends every BTF type of the object at `obj` to `tt` and returns a lookup
// of named structs/unions/enums among them.
class BtfOracle {
 public:
  BtfOracle(const std::filesystem::path& obj, TypeTable& tt);
  // The named struct/union/enum `name` of the object's BTF.
  std::optional<TypeId> find(TypeKind kind, const std::string& name) const;

 private:
  TypeTable& tt_;
  TypeId base_ = 0;
  TypeId end_ = 0;
};

}  // namespace ecc::test
