// POSIX ustar archives, in memory: OCI image layouts exported as tar (`ig
// image export`), and btfhub-archive-like trees of kernel BTFs (IG's btfgen
// layer). Regular files and directories only; links and devices are refused.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace ecc {

struct TarEntry {
  std::string path;            // without a leading "./"
  std::vector<uint8_t> bytes;  // empty for a directory
  bool directory = false;
};

// Every entry of `archive`. Throws Error(bad_input) naming `where` and the
// entry for a damaged header (checksum, size past the end, a path with ".."
// or a leading '/') and for an entry that is not a file or a directory.
std::vector<TarEntry> read_tar(std::span<const uint8_t> archive, const std::string& where);

// A ustar archive of `entries` in their order (mode 0644 files, 0755
// directories, mtime 0, owner root: the same entries give the same bytes).
// Paths over 255 bytes throw Error(bad_input).
std::vector<uint8_t> write_tar(const std::vector<TarEntry>& entries);

}  // namespace ecc
