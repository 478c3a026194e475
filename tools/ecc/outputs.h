// The outputs of one run, staged under temporary names in their directory and
// renamed into place together at the end (SPEC §4.7): a failed run leaves no
// new or half-written file.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <vector>

#include "ecc/files.h"

namespace ecc {

class OutputSet {
 public:
  // Checks that `dir` exists (creating it, and removing it again on failure,
  // when it does not) and is writable. Throws Error(bad_input) naming it.
  explicit OutputSet(std::filesystem::path dir);
  ~OutputSet();
  OutputSet(const OutputSet&) = delete;
  OutputSet& operator=(const OutputSet&) = delete;

  const std::filesystem::path& dir() const { return dir_; }
  // Writes the content now, under a temporary name.
  void add(const std::string& name, std::span<const uint8_t> bytes);
  void add(const std::string& name, const std::string& text);
  // Renames every staged file into place.
  void commit();

 private:
  std::filesystem::path dir_;
  bool created_dir_ = false;
  bool committed_ = false;
  std::vector<PendingFile> staged_;
};

// A private temporary directory for intermediate files, removed with
// everything in it.
class WorkDir {
 public:
  WorkDir();  // throws Error(tool_failed)
  ~WorkDir();
  WorkDir(const WorkDir&) = delete;
  WorkDir& operator=(const WorkDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

}  // namespace ecc
