// The object cache (docs/cache.md): the outputs of a package build, stored
// under the cache root and keyed by the content of every input, so that an
// unchanged rebuild restores them instead of compiling.
//
// The key is two-level, like ccache's direct mode. The base key hashes what
// is known before compiling: the source and the export header (content and
// path), the options that shape the outputs, the vmlinux.h (its cache
// directory is named by the hash of the BTF or --vmlinux-h it comes from),
// and the versions of ecc (its binary and scan module), libbpf, libclang
// and clang. The entry of a base key lists the files the compile read
// (clang's -MD output) with the hash of each; it is used only when every one
// of them still has that content, so a changed header misses.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "options.h"
#include "outputs.h"

namespace ecc {

struct Inputs;

class ObjectCache {
 public:
  // Nothing when the run is not cached: ECC_OBJECT_CACHE=off, or --gadget,
  // --btfgen or --standalone (their outputs depend on more than the key).
  // ECC_OBJECT_CACHE=refresh compiles and stores, never restores.
  static std::optional<ObjectCache> open(const Options& o, const Inputs& in);

  // Stages the cached outputs into `outputs` and returns true on a hit.
  // -v says hit, or miss and why. A damaged entry is a miss.
  bool restore(OutputSet& outputs) const;

  // The files named in the clang -MD file `deps` (but vmlinux.h and its
  // PCHs, which the key covers), each with the hash of its content; nothing
  // when one cannot be read (the run then stores no entry).
  using Deps = std::vector<std::pair<std::string, std::string>>;
  std::optional<Deps> hash_deps(const std::filesystem::path& deps) const;

  // Stores what `outputs` staged, with the files `deps` the compile read.
  // Failing to store is no error: the cache is an optimisation.
  void store(const OutputSet& outputs, const Deps& deps) const;

  const std::filesystem::path& entry() const { return entry_; }

 private:
  ObjectCache() = default;
  std::filesystem::path entry_;     // <cache root>/objects/<base key>.entry
  std::filesystem::path skip_dir_;  // vmlinux.h's directory: covered by the base key
  bool verbose_ = false;
  bool refresh_ = false;
};

// The prerequisites in a make rule as clang -MD writes it ("out: a b c",
// lines continued with a backslash), with its backslash escapes of spaces
// undone.
std::vector<std::string> parse_make_deps(const std::string& text);

}  // namespace ecc
