// package.json -> meta + ELF bytes + the object in the model, with every
// name the meta gives checked against the object before anything is loaded.
#include <fstream>
#include <sstream>

#include <zlib.h>

#include "ecc/btfdump.h"
#include "ecc/loader.h"

namespace ecc::loader {

namespace {

int base64_value(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

const Json* find_key(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// Checks that every map and export type the meta names exists in the object.
void check_meta_against_object(const Json& meta, const Skeleton& obj, const std::string& path) {
  const Json* skel = find_key(meta, "bpf_skel");
  if (!skel || !skel->is_object()) throw Error(Exit::bad_input, "package meta has no bpf_skel object", path);
  if (const Json* maps = find_key(*skel, "maps")) {
    if (!maps->is_array()) throw Error(Exit::bad_input, "bpf_skel.maps is not an array", path);
    for (const auto& m : *maps) {
      std::string name = m.value("name", "");
      bool found = false;
      for (const auto& om : obj.maps) found |= om.name == name;
      if (!found) throw Error(Exit::bad_input, "package names map '" + name + "' that the BPF object lacks", path);
    }
  }
  const Json* types = find_key(meta, "export_types");
  if (!types) return;
  if (!types->is_array()) throw Error(Exit::bad_input, "meta.export_types is not an array", path);
  for (const auto& t : *types) {
    std::string name = t.value("name", "");
    if (name.empty()) throw Error(Exit::bad_input, "an export type has no name", path);
    if (t.contains("type_id")) {
      // The id must name this very struct/union/enum in the packaged BTF.
      uint64_t id = t["type_id"].is_number_unsigned() ? t["type_id"].get<uint64_t>() : 0;
      bool ok = id > 0 && id < obj.types.size();
      if (ok) {
        const Type& ty = obj.types.at(static_cast<TypeId>(id));
        ok = (ty.name == name || ty.name.empty()) &&
             (ty.kind == TypeKind::Struct || ty.kind == TypeKind::Union || ty.kind == TypeKind::Enum);
      }
      if (!ok)
        throw Error(Exit::bad_input,
                    "export type '" + name + "' (type_id " + t["type_id"].dump() + ") is not in the BPF object's BTF",
                    path);
    } else if (!t.contains("members") && !t.contains("values")) {
      // Without an id the layout must come from the JSON or the BTF by name.
      bool found = obj.types.find(TypeKind::Struct, name) || obj.types.find(TypeKind::Union, name) ||
                   obj.types.find(TypeKind::Enum, name);
      if (!found)
        throw Error(Exit::bad_input, "export type '" + name + "' has no layout and is not in the BPF object", path);
    }
  }
}

}  // namespace

std::vector<uint8_t> base64_decode(std::string_view text) {
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  uint32_t acc = 0;
  int bits = 0;
  size_t pad = 0;
  for (size_t i = 0; i < text.size(); i++) {
    char c = text[i];
    if (c == '=') {
      pad++;
      continue;
    }
    int v = base64_value(c);
    if (v < 0 || pad)
      throw Error(Exit::bad_input, "bpf_object is not valid base64 (bad character at offset " + std::to_string(i) + ")");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  if (pad > 2 || (text.size() % 4) != 0)
    throw Error(Exit::bad_input, "bpf_object is not valid base64 (length " + std::to_string(text.size()) + ")");
  return out;
}

std::vector<uint8_t> zlib_inflate(std::span<const uint8_t> bytes, size_t expected_size) {
  // One spare byte so that a stream longer than announced is caught.
  std::vector<uint8_t> out(expected_size + 1);
  z_stream z{};
  if (inflateInit(&z) != Z_OK) throw Error(Exit::tool_failed, "zlib: cannot initialise");
  z.next_in = const_cast<Bytef*>(bytes.data());
  z.avail_in = static_cast<uInt>(bytes.size());
  z.next_out = out.data();
  z.avail_out = static_cast<uInt>(out.size());
  int rc = inflate(&z, Z_FINISH);
  size_t produced = z.total_out;
  inflateEnd(&z);
  if (rc == Z_BUF_ERROR && z.avail_out == 0)
    throw Error(Exit::bad_input, "bpf_object inflates to more than bpf_object_size (" + std::to_string(expected_size) +
                                     " bytes)");
  if (rc != Z_STREAM_END) throw Error(Exit::bad_input, "bpf_object is not valid zlib data (code " + std::to_string(rc) + ")");
  if (produced != expected_size)
    throw Error(Exit::bad_input, "bpf_object inflates to " + std::to_string(produced) + " bytes, but bpf_object_size is " +
                                     std::to_string(expected_size));
  out.resize(produced);
  return out;
}

Package decode_package(const std::string& text, const std::string& path) {
  Package pkg;
  pkg.path = path;
  Json j = Json::parse(text, nullptr, false);
  if (j.is_discarded()) throw Error(Exit::bad_input, "not a JSON package", path);
  if (!j.is_object()) throw Error(Exit::bad_input, "package is not a JSON object", path);
  const Json* obj = find_key(j, "bpf_object");
  if (!obj) throw Error(Exit::bad_input, "package has no bpf_object", path);
  if (!obj->is_string()) throw Error(Exit::bad_input, "bpf_object is not a string", path);
  const Json* size = find_key(j, "bpf_object_size");
  if (!size || !size->is_number_unsigned())
    throw Error(Exit::bad_input, "package has no valid bpf_object_size", path);
  const Json* meta = find_key(j, "meta");
  if (!meta || !meta->is_object()) throw Error(Exit::bad_input, "package has no meta object", path);
  try {
    auto compressed = base64_decode(obj->get_ref<const std::string&>());
    pkg.elf = zlib_inflate(compressed, size->get<size_t>());
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), path);
  }
  static const uint8_t elf_magic[4] = {0x7f, 'E', 'L', 'F'};
  if (pkg.elf.size() < 4 || !std::equal(elf_magic, elf_magic + 4, pkg.elf.begin()))
    throw Error(Exit::bad_input, "bpf_object is not an ELF file", path);
  std::string obj_name = (*meta).contains("bpf_skel") && (*meta)["bpf_skel"].is_object()
                             ? (*meta)["bpf_skel"].value("obj_name", "bpf")
                             : "bpf";
  pkg.object = read_object(pkg.elf, obj_name, path);
  pkg.meta = *meta;
  check_meta_against_object(pkg.meta, pkg.object, path);
  return pkg;
}

Package read_package(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(Exit::bad_input, "cannot read the package", path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return decode_package(ss.str(), path);
}

}  // namespace ecc::loader
