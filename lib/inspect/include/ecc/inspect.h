// What a BPF object may do to the kernel, read before it is loaded
// (docs/trust.md, "What a program may do"): every program's type and attach
// target, every map, and every BPF helper and kfunc each program calls
// (from the `call` instructions of the program and of the subprograms it
// calls; kfuncs by their extern symbols), with the dangerous ones flagged;
// and the load rules a policy scope gives (`"type": "bpf"`), checked against
// that reading. `ecli inspect` prints it; the runtime checks it before
// every open (package, Wasm guest's wasm_load_bpf_object, gadget).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ecc::inspect {

struct Call {
  std::string name;     // "bpf_probe_write_user", or the kfunc's name
  int32_t helper_id = -1;  // the helper's number; -1 for a kfunc
  bool kfunc = false;
  std::string danger;   // why it is dangerous ("writes user memory"), or empty
};

struct Program {
  std::string name;     // the function's symbol
  std::string section;  // its ELF section ("tracepoint/syscalls/sys_enter_openat")
  std::string type;     // libbpf's name of its type: "tracepoint", "xdp", "sched_cls", "lsm", ...
  std::string attach;   // its attach target as the section names it ("syscalls:sys_enter_openat"), or empty
  std::vector<Call> calls;            // sorted by name, each once
  std::vector<std::string> dangers;   // the program's own ("can drop or redirect packets (xdp)") and its calls'
};

struct Map {
  std::string name;
  std::string type;  // libbpf's name: "ringbuf", "hash", ...
  uint32_t key_size = 0, value_size = 0, max_entries = 0;
};

struct Report {
  std::vector<Program> programs;  // in section order
  std::vector<Map> maps;
};

// Reads `elf` (a BPF object's bytes); errors are Error(bad_input) naming
// `where` and the section or symbol at fault.
Report inspect_object(std::span<const uint8_t> elf, const std::string& where);

// The BPF objects an app.wasm (`ecc build-wasm`) carries in its initial
// memory (its data segments), each bounded by its ELF headers, in address
// order. Errors (a damaged module or object) name `where`.
std::vector<std::vector<uint8_t>> wasm_objects(std::span<const uint8_t> module, const std::string& where);

// A helper's name by its number (from the kernel's UAPI list), or empty.
std::string helper_name(int32_t id);

// One policy scope's load rules. Names are libbpf's program type names and
// helper/kfunc names with or without the "bpf_" prefix. An unset allow list
// allows everything; a deny list wins over an allow list.
struct Rules {
  std::optional<std::vector<std::string>> allow_program_types;
  std::vector<std::string> deny_program_types;
  std::optional<std::vector<std::string>> allow_helpers;  // helpers and kfuncs
  std::vector<std::string> deny_helpers;
  std::string scope;  // the scope that gave them, for -v and messages
  bool empty() const {
    return !allow_program_types && deny_program_types.empty() && !allow_helpers && deny_helpers.empty();
  }
};

// The first program `r` refuses, as one line naming the program and the
// helper or program type ("program 'p' calls bpf_send_signal, denied by
// <scope>"); nullopt when every program is allowed.
std::optional<std::string> refusal(const Report& report, const Rules& r);

}  // namespace ecc::inspect
