// `ecc --gadget` (docs/gadget.md): the compiled program as an Inspektor
// Gadget image, an OCI image layout <name>.gadget/ with one manifest per
// --target-arch. The object is linked with generated markers (a tracer per
// ring buffer or perf event array with an export type, a param per program
// option), gadget.yaml comes from the model, --btfgen becomes the btfgen
// layer. Both are rendered from templates/gadget/.
#pragma once

#include <filesystem>
#include <string>

#include "ecc/oci.h"
#include "options.h"
#include "package.h"

namespace ecc {

// One architecture's image ("x86" or "arm64", ecc's names) of a compile.
oci::GadgetBuild gadget_build(const Options& o, const Inputs& in, const Compiled& c, const std::string& arch,
                              const std::filesystem::path& work_dir);

// Every architecture's build: `first` is the compile ecc made for
// o.target_arch; the others are compiled here.
std::vector<oci::GadgetBuild> gadget_builds(const Options& o, const Inputs& in, const Compiled& first,
                                            const std::filesystem::path& work_dir);

}  // namespace ecc
