// The outputs of one run, staged under temporary names in their directory and
// renamed into place together at the end (docs/ecc.md): a failed run leaves no
// new or half-written file.
//
// What a reader sees if the writer stops (is killed, the disk fills) in the
// middle of commit(): each output path holds either its old file (or none) or
// the complete new one, never a part, since every file is one rename(2) of a
// complete temporary. The renames are not atomic together: outputs renamed
// before the stop are new, those after it still old. package.json is renamed
// last of all, so a new package.json is only ever seen when every other
// output of its run (the .bpf.o, skel.json/yaml, package.yaml) is already in
// place: it never stands next to a stale object from an earlier run. A
// writer that stops before commit() leaves hidden temporaries
// (".<name>.ecc-tmp-<pid>-<n>") and no changed output.
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
  // Kept without a copy: skel.json and package.json are 2 MB each for 1024
  // export types.
  void add(const std::string& name, std::string&& text);
  // The same for an executable: mode 0755.
  void add_executable(const std::string& name, std::span<const uint8_t> bytes);
  // Renames every staged file into place: in the order they were added,
  // except that package.json comes last.
  void commit();

  // What was added, in order (the object cache stores it).
  struct Added {
    std::string name;
    std::string bytes;
    bool executable = false;
    std::span<const uint8_t> data() const {
      return std::span(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
    }
  };
  const std::vector<Added>& added() const { return added_; }

 private:
  std::filesystem::path dir_;
  bool created_dir_ = false;
  bool committed_ = false;
  std::vector<PendingFile> staged_;
  std::vector<Added> added_;
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
