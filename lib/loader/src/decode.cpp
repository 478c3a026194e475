// package.json -> meta + ELF bytes + the object in the model, with every
// name the meta gives checked against the object before anything is loaded.
#include <fstream>
#include <sstream>

#include <zlib.h>

#include "ecc/btfdump.h"
#include "ecc/loader.h"
#include "ecc/open_guard.h"
#include "meta.h"

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

// No BPF object comes near this; a bigger size is a damaged or hostile package.
constexpr uint64_t kMaxObjectSize = 256u << 20;

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
  if (!find_key(j, "bpf_object") && find_key(j, "data") && find_key(j, "data_sz"))
    throw Error(Exit::bad_input,
                "package is in the pre-0.3 eunomia-bpf layout (top-level data/data_sz), which ecli does not read: "
                "rebuild it with a current ecc",
                path);
  const Json* obj = find_key(j, "bpf_object");
  if (!obj) throw Error(Exit::bad_input, "package has no bpf_object", path);
  if (!obj->is_string()) throw Error(Exit::bad_input, "bpf_object is not a string", path);
  const Json* size = find_key(j, "bpf_object_size");
  if (!size || !size->is_number_unsigned())
    throw Error(Exit::bad_input, "package has no valid bpf_object_size", path);
  if (size->get<uint64_t>() > kMaxObjectSize)
    throw Error(Exit::bad_input,
                "bpf_object_size " + size->dump() + " is over the limit of " + std::to_string(kMaxObjectSize >> 20) +
                    " MiB",
                path);
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
  // A package comes from outside: a damaged ELF must not crash us in libbpf.
  check_libbpf_survives_open(pkg.elf.data(), pkg.elf.size(), path);
  const Json* skel = find_key(*meta, "bpf_skel");
  const Json* obj_name = skel && skel->is_object() ? find_key(*skel, "obj_name") : nullptr;
  pkg.object = read_object(pkg.elf, obj_name && obj_name->is_string() ? obj_name->get<std::string>() : "bpf", path);
  pkg.meta = *meta;
  if (const Json* a = find_key(j, "btf_archive")) pkg.btf_archive = a->dump();
  apply_meta(pkg);
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
