// lib/oci's internal parts shared by the registry client and the image
// layout code (docs/oci.md, "Inspektor Gadget images"): descriptors as JSON,
// one reader of checked blobs for a registry, a layout directory and a
// layout tar, and the index -> platform -> gadget manifest walk.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "ecc/oci.h"

namespace ecc::oci {

// --- manifest.cpp ---------------------------------------------------------------

// A descriptor of a manifest, an index or index.json; `what` names it in the
// error line ("manifest layer 0", "index entry 1").
Descriptor read_descriptor(const nlohmann::json& j, const std::string& what, const std::string& where);
nlohmann::json descriptor_json(const Descriptor& d);
// A string member of a JSON object (a server's, a manifest's); empty when
// absent or not a string.
std::string string_member(const nlohmann::json& o, const char* key);
// s in ASCII lower case (header names, auth schemes, hosts).
std::string lower(std::string s);
// The string-valued entries of j["annotations"].
std::map<std::string, std::string> annotations_of(const nlohmann::json& j);

// --- gadget_image.cpp -------------------------------------------------------------

std::span<const uint8_t> bytes_of(const std::string& s);
std::string text_of(std::span<const uint8_t> bytes);

// The bytes of the manifest, index or blob `d` names, checked against its
// digest and size; throws Error(bad_input) naming the source.
using BlobReader = std::function<std::vector<uint8_t>(const Descriptor&)>;
// `bytes` when they are what `d` says, else a digest mismatch naming `what`
// ("the blob", "the manifest") and `where`.
std::vector<uint8_t> checked(std::vector<uint8_t> bytes, const Descriptor& d, const std::string& what,
                             const std::string& where);

// One manifest or index as served, with its digest.
struct ImageManifest {
  std::string text;
  std::string digest;
};
// The JSON of a manifest or an index: an object, or one line naming `what`.
nlohmann::json parse_image_json(const std::string& text, const std::string& what, const std::string& where);
bool is_index(const nlohmann::json& j);  // an OCI index or a Docker manifest list
// A manifest's config (first) and layers; `part` names the manifest in errors.
std::vector<Descriptor> manifest_parts(const nlohmann::json& m, const std::string& part, const std::string& where);
// An index's (or index.json's) entries.
std::vector<Descriptor> index_entries(const nlohmann::json& index, const std::string& part, const std::string& where);
// The manifest `top` names for this platform: `top` itself when it is a
// manifest, else the index's entry for linux/host_architecture(), read
// through `manifests`. One line listing the index's platforms when none fits.
ImageManifest platform_manifest(const ImageManifest& top, const BlobReader& manifests, const std::string& where);

bool is_gadget_manifest(const std::string& text);
// IG's rules for a gadget's programs: the ebpf layer a non-empty ELF, the
// wasm layer (when there is one) a Wasm module. One line naming `part`.
void check_gadget_programs(std::span<const uint8_t> ebpf, std::span<const uint8_t> wasm, const std::string& part,
                           const std::string& where);
// The gadget image of manifest `m`: its layers checked against IG's rules
// before any blob is read, then the config and every layer through `blobs`.
GadgetImage read_gadget(const ImageManifest& m, const BlobReader& blobs, const std::string& where);

// --- signatures.cpp ---------------------------------------------------------------

// The signature image `m` (its simple-signing layers read through `blobs`).
SignatureImage read_signature_image(const ImageManifest& m, const BlobReader& blobs, const std::string& where);

// --- layout.cpp -----------------------------------------------------------------

// One image of an OCI image layout (directory or tar): the index.json entry
// `name` picks (see read_layout_gadget) and a reader of the layout's blobs.
struct Layout {
  std::string where;
  Descriptor entry;
  BlobReader blobs;
};
Layout open_layout(const fs::path& path, const std::string& name);

}  // namespace ecc::oci
