// `ecc gen-wasm-skel` (docs/ecc.md): compile, then write the WebAssembly guest
// framework next to the source from templates/.
#pragma once

#include <filesystem>

#include "options.h"

namespace ecc {

// ECC_TEMPLATES_DIR, else <exe_dir>/../share/ecc/templates (installed), else
// <exe_dir>/../../templates (the build tree). Throws Error(tool_failed).
std::filesystem::path find_templates_dir();

// Without input files: the current directory's single *.bpf.c and its
// <name>.h. Throws Error(bad_input) for none, several, or no header.
std::vector<std::string> default_bpf_inputs(const std::filesystem::path& dir);

int run_gen_wasm_skel(const Options& o);

}  // namespace ecc
