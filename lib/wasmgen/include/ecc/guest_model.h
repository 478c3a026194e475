// What every guest emitter (C skeleton, app.c, Rust) needs to know, derived
// once from the model: the layout plan, the data-section views, the maps and
// programs as the guest names them, and the command-line options.
#pragma once

#include <string>
#include <vector>

#include "ecc/wasm_layout.h"
#include "ecc/wasmgen.h"

namespace ecc::wasmgen {

struct SectionView {
  std::string section;        // ".rodata"
  std::string ident;          // "rodata": the skeleton member
  WRecord rec;                // its wasm32 layout
  bool in_image = false;      // has bytes in the ELF: set before load by patching them
  uint64_t file_offset = 0;   // of the section's bytes in the ELF
  const DataSection* ds = nullptr;
};

struct GuestMap {
  std::string ident;          // skeleton identifier
  std::string lookup_name;    // for wasm_bpf_map_fd_by_name: map name, or the section of an internal map
  std::string type;           // BPF_MAP_TYPE_...
  bool required = true;       // load fails without it (user maps)
  bool is_buffer = false;     // ring buffer or perf event array
  int event_record = -1;      // plan record its records decode as; -1: none
  // A map with a `@sample` doc (docs/annotations.md): app.c prints its entries as JSON
  // lines every `sample_ms`, as `ecli -j` does, and empties it after when
  // `sample_clear`.
  uint32_t sample_ms = 0;
  bool sample_clear = false;
  uint32_t key_size = 0;
  uint32_t value_size = 0;
  int value_record = -1;      // plan record of the value; -1: printed as hex
};

struct GuestProg {
  std::string name;
  std::string attach;
  bool auto_attach = true;    // libbpf can attach it from its section alone
};

struct GuestOption {
  std::string view;           // skeleton member holding the variable
  std::string var;            // variable name
  WType type;
  std::string long_name;
  char short_name = 0;
  std::string help;
  std::string default_text;   // empty: none given
  bool is_switch = false;     // bool: no argument
  bool is_string = false;     // char array
};

struct GuestModel {
  std::string obj;
  WPlan plan;
  std::vector<SectionView> views;
  std::vector<GuestMap> maps;
  std::vector<GuestProg> progs;
  std::vector<GuestOption> options;
  uint32_t poll_buf_size = 4096;
  std::string brief;          // @brief (or the LICENSE description)
  std::string details;        // @details
};

GuestModel guest_model(const GuestInput& in);

}  // namespace ecc::wasmgen
