// Whole files in and out. The one reader of a whole file, and the one way
// ecc and ecli write a file that someone else may read at the same time
// (outputs, cache entries, PCHs): under a temporary name in the same
// directory, then renamed into place. A reader sees the old file or the
// whole new one, never a part; a failed write leaves nothing behind.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecc/error.h"

namespace ecc {

// The whole of `path` (a regular file, or one of /proc or /sys, whose size
// stat does not tell). A file that cannot be opened or read, a directory
// too, throws Error(code, "cannot read <what>: <reason>", path), or
// "cannot read: <reason>" without a `what`.
std::vector<uint8_t> read_file(const std::filesystem::path& path, const std::string& what = {},
                               Exit code = Exit::bad_input);
std::string read_text_file(const std::filesystem::path& path, const std::string& what = {},
                           Exit code = Exit::bad_input);
// The same, or nothing for a file that cannot be read, for readers to whom
// that is not an error (a missing cache entry or config file).
std::optional<std::vector<uint8_t>> try_read_file(const std::filesystem::path& path);
std::optional<std::string> try_read_text_file(const std::filesystem::path& path);

// A read-only view of the whole of a regular file, mapped rather than read:
// hashing a large cache entry (vmlinux.h, an AOT module) then fills no fresh
// buffer, whose every page costs a fault on first touch. For files replaced
// only by rename (PendingFile), never truncated in place while mapped.
class MappedFile {
 public:
  // Nothing when `path` cannot be opened, is not a regular file, or cannot
  // be mapped.
  static std::optional<MappedFile> open(const std::filesystem::path& path);
  ~MappedFile();
  MappedFile(MappedFile&& other) noexcept;
  MappedFile& operator=(MappedFile&&) = delete;
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;

  std::span<const uint8_t> bytes() const { return {static_cast<const uint8_t*>(addr_), size_}; }

 private:
  MappedFile(void* addr, size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;  // null for an empty file
  size_t size_ = 0;
};

// A temporary name next to `path` (".<name>.ecc-tmp-<pid>-<n>"), for a
// producer that writes the file itself (clang -o, a PCH writer, write()).
// commit() renames it to `path`; without a commit the destructor removes it.
class PendingFile {
 public:
  explicit PendingFile(std::filesystem::path path);
  ~PendingFile();
  PendingFile(PendingFile&&) noexcept;
  PendingFile& operator=(PendingFile&&) = delete;
  PendingFile(const PendingFile&) = delete;
  PendingFile& operator=(const PendingFile&) = delete;

  const std::filesystem::path& tmp() const { return tmp_; }
  const std::filesystem::path& path() const { return path_; }
  // Writes `bytes` to tmp(). Throws Error(bad_input, "cannot write: ...", path).
  void write(std::span<const uint8_t> bytes);
  // The pieces one after the other, as one file.
  void write(std::span<const std::span<const uint8_t>> pieces);
  // Renames tmp() to path(). Throws Error(bad_input, "cannot write: ...", path).
  void commit();

 private:
  std::filesystem::path path_, tmp_;
  bool done_ = false;
};

// Leftovers of killed processes: removes what in `dir` is named
// "<prefix><pid>-..." for a pid that no longer exists, untouched for ten
// minutes (the temporaries above, ecc's work directories in TMPDIR).
// pid_is_gone: no such process.
bool pid_is_gone(pid_t pid);
void remove_leftovers_of_dead(const std::filesystem::path& dir, const std::string& prefix);

// write + commit in one: `path` holds exactly `bytes` afterwards.
void write_file_atomic(const std::filesystem::path& path, std::span<const uint8_t> bytes);
void write_file_atomic(const std::filesystem::path& path, const std::string& text);

}  // namespace ecc
