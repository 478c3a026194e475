// The default action: compile, link and package one .bpf.c (docs/ecc.md, docs/package-format.md).
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "btfgen.h"
#include "ecc/model.h"
#include "options.h"

namespace ecc {

struct Inputs {
  std::filesystem::path source;   // FILE.bpf.c
  std::filesystem::path header;   // EXPORT_HEADER.h, may be empty
  std::string name;               // file name cut at its first dot
  std::filesystem::path out_dir;
  std::filesystem::path deps;     // when set, the compile writes its make dependencies here (-MD -MF)
};

// Checks the positional arguments. Throws Error(usage) / Error(bad_input).
Inputs resolve_inputs(const Options& o);

struct Compiled {
  Skeleton skel;
  std::vector<uint8_t> object;    // the linked ELF
  std::optional<BtfgenResult> btfgen;  // with --btfgen: the minimal BTFs of the object
};

// Runs the passes of a compile (package.cpp lists them): discover (clang,
// vmlinux.h), compile || scan, link, strip, add the export types, describe,
// annotate, btfgen (with --btfgen), then warm the cache for the next run. `work_dir` holds
// intermediate files.
Compiled compile_and_describe(const Options& o, const Inputs& in, const std::filesystem::path& work_dir);

class OutputSet;

// Stages <name>.bpf.o, <name>.skel.json and (unless -n) package.json, plus
// their YAML with -y. Returns the package.json text (also when -n) when
// `want_text`, else nothing: the staged text is not copied for nothing.
std::string add_package_outputs(OutputSet& outputs, const Options& o, const Inputs& in, const Compiled& c,
                                bool want_text);

int run_package(const Options& o);

// The __TARGET_ARCH_ name of --target-arch (the host's when not given);
// throws Error(usage) for an unknown one.
std::string target_arch(const Options& o);

}  // namespace ecc
