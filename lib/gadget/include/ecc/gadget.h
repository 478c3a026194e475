// Inspektor Gadget's image-based gadgets (docs/gadget.md) read into the same
// model a package fills: gadget.yaml (the older tracers/structs/ebpfParams
// form and the current datasources/params form), the object's marker
// symbols (gadget_tracer_*, gadget_param_*, gadget_mapiter_*,
// gadget_snapshotter_*) and IG's typedefs. The loader then runs it as it
// runs a package.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "ecc/loader.h"

namespace ecc::gadget {

// One field's column attributes and description from gadget.yaml.
struct FieldMeta {
  std::string description;
  bool hidden = false;
  uint32_t width = 0;
  bool align_right = false;
};

struct ParamMeta {
  std::string key;            // the option's name (--pid); empty: the variable's
  std::string default_value;  // empty: none
  std::string description;
};

struct TracerMeta {
  std::string map, structure;  // the older form names them; empty otherwise
};

struct Metadata {
  std::string name, description, version;
  std::map<std::string, TracerMeta> tracers;                       // tracers: (older form)
  std::vector<std::string> structs;                                // structs: (older form), by name
  std::map<std::string, std::map<std::string, FieldMeta>> fields;  // struct or data source -> field -> meta
  std::map<std::string, ParamMeta> params;                         // variable -> param
  std::map<std::string, ParamMeta> wasm_params;                    // params.wasm: name -> param of the Wasm layer
  std::map<std::string, uint32_t> intervals;                       // data source -> fetch interval (ms)
};

// gadget.yaml's text. Throws Error(bad_input) naming `where` and the key for
// text that is not YAML or a key of the wrong shape; unknown keys are ignored.
Metadata parse_metadata(const std::string& yaml, const std::string& where);

// What a gadget image holds (lib/oci gets it from a registry or a layout).
struct Parts {
  std::string where;               // the reference or path, for messages
  std::string metadata;            // gadget.yaml
  std::vector<uint8_t> ebpf;       // the ELF
  std::vector<uint8_t> wasm;       // empty without a Wasm layer
  std::vector<uint8_t> btfgen;     // a btfhub-archive-like tar; empty without
};

// The gadget as a package: tracers stream (their map's event type is the
// marker's struct), params are the only program options (by their key, with
// gadget.yaml's default and description), map iterators print as `top`
// samples, gadget.yaml's column attributes apply. Throws Error(bad_input)
// naming the part for a marker naming a map or struct the object lacks, a
// gadget.yaml naming one. The Wasm layer is run beside (ecc/gadget_wasm.h).
loader::Package read_gadget(const Parts& parts);

// A btfgen layer (a tar of <distro>/<version>/<arch>/<release>.btf) as the
// JSON text of a btf_archive (docs/package-format.md); `where` names it in errors.
std::string btfgen_archive_json(std::span<const uint8_t> tar, const std::string& where);

// `ecli run --mntns ID`: IG's filter on (gadget_filter_by_mntns) with ID in
// gadget_mntns_filter_map; the setting's option goes into `storage`, whose
// elements stay put. Throws Error(usage) when the gadget has no filter.
void add_mntns_filter(const loader::Package& pkg, uint64_t mntns_id, std::vector<loader::ProgSetting>& settings,
                      loader::RunOptions& run, std::deque<loader::ProgOption>& storage);

}  // namespace ecc::gadget
