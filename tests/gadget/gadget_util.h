// The gadgets of tests/gadget/gadgets, built as Inspektor Gadget's builder
// builds them (clang -target bpf against vmlinux.h and include/gadget), and
// packed as IG packs them: an OCI image layout with an index of two
// platforms, raw layers, the gadget.yaml as config (docs/gadget.md).
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test_util.h"

namespace ecc::test {

// tests/gadget/gadgets/<name>/program.bpf.c compiled into `dir`; the object's path.
fs::path build_gadget_object(const TempDir& dir, const std::string& name);
// tests/gadget/gadgets/<name>/gadget.yaml.
std::string gadget_yaml(const std::string& name);

// An OCI image layout at `layout` (a directory) in IG's style: index.json ->
// an image index (amd64 and arm64 manifests, the same object in both) ->
// manifests with the config and raw layers. `ref_name` is index.json's
// org.opencontainers.image.ref.name. Extra layers: media type -> bytes.
void write_ig_layout(const fs::path& layout, const std::string& ref_name, const std::string& yaml,
                     const std::vector<uint8_t>& ebpf,
                     const std::vector<std::pair<std::string, std::vector<uint8_t>>>& extra_layers = {});

}  // namespace ecc::test
