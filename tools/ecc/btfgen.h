// ecc --btfgen DIR (docs/package-format.md): the minimal BTF of every kernel of a
// btfhub-archive tree that this object's CO-RE relocations need, as the
// package's "btf_archive" (read back by ecc/btf_archive.h).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "ecc/model.h"

namespace ecc {

struct BtfgenResult {
  Json archive;  // {"compression": "zlib", "kernels": [...]}
  // "<distro>/<version>/<arch>/<release>" and the bytes its entry adds to package.json.
  std::vector<std::pair<std::string, size_t>> growth;
};

// Walks `dir` (<distro>/<version>/<arch>/<release>.btf or .btf.tar.xz) and
// runs `bpftool gen min_core_btf` for each entry against `object`, two at a
// time. Throws Error naming the entry: bad_input for a missing or empty tree
// or a damaged entry, tool_failed when bpftool is missing or fails.
BtfgenResult btfgen_archive(const std::string& dir, const std::vector<uint8_t>& object, bool verbose);

// One line: how much the package grew, per kernel and in total (`total`:
// the bytes package.json grew by).
std::string btfgen_growth_line(const BtfgenResult& r, size_t total);

}  // namespace ecc
