// `ecli inspect FILE`: what the BPF objects of a package, an app.wasm, a BPF
// object or an Inspektor Gadget image may do to the kernel (docs/trust.md,
// "What a program may do"), read without loading anything.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace ecc::ecli {

// One BPF object's bytes and where they came from ("app.wasm: object 1").
using NamedObject = std::pair<std::string, std::vector<uint8_t>>;

// The objects of a local FILE: a package.json's bpf_object, the objects an
// app.wasm carries, a gadget image layout's (`image` picks one, as `ecli run
// --image` does) ebpf layer, or a BPF object file itself.
std::vector<NamedObject> objects_of_file(const std::string& path, const std::string& image);

// Prints the inspection of every object: one block per program, then the
// maps; `json`: one JSON document. Returns the exit code (0): a dangerous
// program is reported, not refused.
int inspect_objects(const std::vector<NamedObject>& objects, bool json, std::ostream& out);

}  // namespace ecc::ecli
