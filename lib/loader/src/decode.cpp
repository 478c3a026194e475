// package.json -> meta + ELF bytes + the object in the model, with every
// name the meta gives checked against the object before anything is loaded.
#include "ecc/btf.h"
#include "ecc/codec.h"
#include "ecc/files.h"
#include "ecc/loader.h"
#include "ecc/open_guard.h"
#include "ecc/step_times.h"
#include "meta.h"

namespace ecc::loader {

namespace {

const Json* find_key(const Json& j, const char* key) {
  auto it = j.find(key);
  return it == j.end() ? nullptr : &*it;
}

// No BPF object comes near this; a bigger size is a damaged or hostile package.
constexpr uint64_t kMaxObjectSize = 256u << 20;

}  // namespace

Package decode_package(std::string_view text, const std::string& path) {
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
  runtime::step_done("decode: JSON, base64, zlib");
  // A package comes from outside: a damaged ELF must not crash us in libbpf.
  check_libbpf_survives_open(pkg.elf.data(), pkg.elf.size(), path);
  runtime::step_done("decode: open guard");
  const Json* skel = find_key(*meta, "bpf_skel");
  const Json* obj_name = skel && skel->is_object() ? find_key(*skel, "obj_name") : nullptr;
  const std::string libbpf_name = obj_name && obj_name->is_string() ? obj_name->get<std::string>() : "bpf";
  pkg.opened = std::make_shared<OpenedObject>(pkg.elf, libbpf_name, path);
  pkg.object = pkg.opened->read();
  if (obj_name && obj_name->is_string()) {
    pkg.name = libbpf_name;
    if (pkg.name.ends_with("_bpf")) pkg.name.resize(pkg.name.size() - 4);
  }
  pkg.meta = *meta;
  if (const Json* a = find_key(j, "btf_archive")) pkg.btf_archive = a->dump();
  apply_meta(pkg);
  runtime::step_done("decode: object and meta");
  return pkg;
}

Package read_package(const std::string& path) {
  std::string text = read_text_file(path, "the package");
  runtime::step_done("decode: read the file");
  return decode_package(text, path);
}

}  // namespace ecc::loader
