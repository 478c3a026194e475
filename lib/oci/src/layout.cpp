// OCI image layouts (docs/oci.md, "Inspektor Gadget images"): a directory
// with `oci-layout`, `index.json` and `blobs/sha256/<hex>`, or a tar of one
// (`ig image export`), read in memory; written whole under a temporary name
// and renamed into place.
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/tar.h"
#include "image.h"

namespace ecc::oci {

using nlohmann::json;

namespace {

// A layout's files by relative path ("index.json", "blobs/sha256/<hex>");
// nullopt for a file it does not have.
using LayoutFiles = std::function<std::optional<std::vector<uint8_t>>(const std::string&)>;

bool has_tar_suffix(const fs::path& path) { return path.extension() == ".tar"; }

bool looks_like_tar(std::span<const uint8_t> bytes) {
  return bytes.size() >= 512 && std::memcmp(bytes.data() + 257, "ustar", 5) == 0;
}

// The entries of a tar file's bytes, or nullopt when they are not one.
std::optional<std::vector<TarEntry>> tar_entries(std::span<const uint8_t> bytes) {
  if (!looks_like_tar(bytes)) return std::nullopt;
  try {
    return read_tar(bytes, "");
  } catch (const Error&) {
    return std::nullopt;
  }
}

bool has_entry(const std::vector<TarEntry>& entries, const std::string& name) {
  for (const auto& e : entries)
    if (!e.directory && e.path == name) return true;
  return false;
}

LayoutFiles layout_files(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return [path](const std::string& rel) { return try_read_file(path / rel); };
  std::vector<uint8_t> bytes = read_file(path, "the image layout");
  if (!looks_like_tar(bytes))
    throw Error(Exit::bad_input, "neither an image layout directory nor a tar of one", path.string());
  auto files = std::make_shared<std::map<std::string, std::vector<uint8_t>>>();
  for (auto& e : read_tar(bytes, path.string()))
    if (!e.directory) (*files)[e.path] = std::move(e.bytes);
  return [files](const std::string& rel) -> std::optional<std::vector<uint8_t>> {
    auto it = files->find(rel);
    if (it == files->end()) return std::nullopt;
    return it->second;
  };
}

std::string ref_name_of(const Descriptor& d) {
  auto it = d.annotations.find(kRefNameAnnotation);
  return it == d.annotations.end() ? std::string() : it->second;
}

// `name` against an entry's ref.name "host/a/b:tag": the whole of it, the
// tag, the repository's last component ("b") or both ("b:tag"); or the
// entry's digest.
bool name_matches(const Descriptor& d, const std::string& name) {
  std::string full = ref_name_of(d);
  if (name == full || name == d.digest) return true;
  size_t slash = full.rfind('/'), colon = full.rfind(':');
  bool tagged = colon != std::string::npos && (slash == std::string::npos || colon > slash);
  std::string repo = tagged ? full.substr(0, colon) : full, tag = tagged ? full.substr(colon + 1) : std::string();
  std::string component = repo.substr(repo.rfind('/') + 1);
  return (!tag.empty() && (name == tag || name == component + ":" + tag)) || (!component.empty() && name == component);
}

std::string names_of(const std::vector<Descriptor>& entries) {
  std::string out;
  for (const auto& d : entries) {
    std::string n = ref_name_of(d);
    out += (out.empty() ? "" : ", ") + (n.empty() ? d.digest : n);
  }
  return out;
}

// The index.json entry `name` picks (the only one when `name` is empty);
// entries naming the same digest are one image.
Descriptor choose_entry(const json& index, const std::string& name, const std::string& where) {
  std::vector<Descriptor> all = index_entries(index, "index.json", where), hits;
  if (all.empty()) throw Error(Exit::bad_input, "index.json lists no image", where);
  for (const auto& d : all)
    if ((name.empty() || name_matches(d, name)) &&
        std::none_of(hits.begin(), hits.end(), [&](const Descriptor& h) { return h.digest == d.digest; }))
      hits.push_back(d);
  if (hits.size() == 1) return hits[0];
  if (hits.empty())
    throw Error(Exit::bad_input, "no image named '" + name + "' (images: " + names_of(all) + ")", where);
  if (name.empty())
    throw Error(Exit::bad_input, "index.json has " + std::to_string(hits.size()) + " images; name one (images: " +
                                     names_of(hits) + ")", where);
  throw Error(Exit::bad_input, "'" + name + "' names " + std::to_string(hits.size()) + " images (" + names_of(hits) + ")",
              where);
}

}  // namespace

bool is_image_layout(const fs::path& path) {
  std::error_code ec;
  if (fs::is_directory(path, ec)) return fs::is_regular_file(path / "oci-layout", ec);
  if (!fs::is_regular_file(path, ec)) return false;
  auto bytes = try_read_file(path);
  return bytes && is_image_layout_tar(*bytes);
}

bool is_image_layout_tar(std::span<const uint8_t> file) {
  auto entries = tar_entries(file);
  return entries && has_entry(*entries, "oci-layout") && has_entry(*entries, "index.json");
}

Layout open_layout(const fs::path& path, const std::string& name) {
  const std::string where = path.string();
  LayoutFiles files = layout_files(path);
  auto marker = files("oci-layout");
  if (!marker) throw Error(Exit::bad_input, "not an OCI image layout: no oci-layout file", where);
  json version = parse_image_json(text_of(*marker), "oci-layout", where);
  if (!version.contains("imageLayoutVersion") || !version["imageLayoutVersion"].is_string())
    throw Error(Exit::bad_input, "oci-layout has no imageLayoutVersion", where);
  auto index = files("index.json");
  if (!index) throw Error(Exit::bad_input, "the image layout has no index.json", where);
  Descriptor entry = choose_entry(parse_image_json(text_of(*index), "index.json", where), name, where);
  BlobReader blobs = [files, where](const Descriptor& d) {
    std::string rel = "blobs/sha256/" + d.digest.substr(7);
    auto bytes = files(rel);
    if (!bytes) throw Error(Exit::bad_input, "blob " + d.digest + " is missing (" + rel + ")", where);
    return checked(std::move(*bytes), d, "blob", where);
  };
  return Layout{where, entry, blobs};
}

GadgetImage read_layout_gadget(const fs::path& path, const std::string& name) {
  Layout l = open_layout(path, name);
  ImageManifest top{text_of(l.blobs(l.entry)), l.entry.digest};
  ImageManifest m = platform_manifest(top, l.blobs, l.where);
  parse_image_json(m.text, "the manifest " + m.digest, l.where);
  if (!is_gadget_manifest(m.text))
    throw Error(Exit::bad_input, "manifest " + m.digest + " is not an Inspektor Gadget image (artifactType " +
                                     kGadgetArtifactType + ")", l.where);
  return read_gadget(m, l.blobs, l.where);
}

// --- writing ---------------------------------------------------------------------------

namespace {

// What a layout holds: its blobs by digest and index.json's entries.
struct LayoutContent {
  std::map<std::string, std::vector<uint8_t>> blobs;
  json entries = json::array();

  Descriptor add(const std::string& media_type, std::span<const uint8_t> bytes) {
    Descriptor d{media_type, sha256_digest(bytes), bytes.size(), {}};
    blobs[d.digest].assign(bytes.begin(), bytes.end());
    return d;
  }
  // index.json's entry for `d` on `architecture`, named `ref_name`.
  void add_entry(Descriptor d, const std::string& architecture, const std::string& ref_name) {
    if (!ref_name.empty()) d.annotations[kRefNameAnnotation] = ref_name;
    json e = descriptor_json(d);
    if (!architecture.empty()) e["platform"] = {{"architecture", architecture}, {"os", "linux"}};
    entries.push_back(e);
  }
};

std::vector<TarEntry> layout_entries(const LayoutContent& c) {
  json index = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"manifests", c.entries}};
  std::string marker = R"({"imageLayoutVersion":"1.0.0"})", index_text = index.dump();
  std::vector<TarEntry> out = {{"oci-layout", {marker.begin(), marker.end()}, false},
                               {"index.json", {index_text.begin(), index_text.end()}, false},
                               {"blobs", {}, true},
                               {"blobs/sha256", {}, true}};
  for (const auto& [digest, bytes] : c.blobs) out.push_back({"blobs/sha256/" + digest.substr(7), bytes, false});
  return out;
}

// A directory under a temporary name next to `path`, removed with what is
// in it unless renamed into place.
class PendingDir {
 public:
  explicit PendingDir(const fs::path& path) : name_(path) {
    std::error_code ec;
    fs::create_directory(name_.tmp(), ec);
    if (ec) throw Error(Exit::bad_input, "cannot write: " + ec.message(), path.string());
  }
  ~PendingDir() {
    std::error_code ec;
    fs::remove_all(name_.tmp(), ec);
  }
  PendingDir(const PendingDir&) = delete;
  PendingDir& operator=(const PendingDir&) = delete;
  const fs::path& tmp() const { return name_.tmp(); }
  // Renames the directory to the path; a layout (or an empty directory)
  // there is replaced, anything else is refused.
  void commit();

 private:
  PendingFile name_;
};

void PendingDir::commit() {
  const fs::path& path = name_.path();
  std::error_code ec;
  bool there = fs::exists(fs::symlink_status(path, ec));
  if (there && !(fs::is_directory(fs::symlink_status(path, ec)) && (fs::is_empty(path, ec) || is_image_layout(path))))
    throw Error(Exit::bad_input, "cannot write: exists and is not an image layout directory", path.string());
  PendingFile old(path);  // the name the replaced layout goes under until it is removed
  if (there && ::rename(path.c_str(), old.tmp().c_str()) != 0)
    throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(errno), path.string());
  if (::rename(tmp().c_str(), path.c_str()) != 0) {
    std::string reason = std::strerror(errno);
    if (there) ::rename(old.tmp().c_str(), path.c_str());
    throw Error(Exit::bad_input, "cannot write: " + reason, path.string());
  }
  if (there) fs::remove_all(old.tmp(), ec);
}

void write_layout(const fs::path& path, const LayoutContent& c) {
  std::vector<TarEntry> entries = layout_entries(c);
  if (has_tar_suffix(path)) {
    write_file_atomic(path, write_tar(entries));
    return;
  }
  PendingDir dir(path);
  for (const auto& e : entries) {
    std::error_code ec;
    if (e.directory) fs::create_directories(dir.tmp() / e.path, ec);
    if (ec) throw Error(Exit::bad_input, "cannot write: " + ec.message(), path.string());
    if (!e.directory) write_file_atomic(dir.tmp() / e.path, e.bytes);
  }
  dir.commit();
}

void check_builds(const std::vector<GadgetBuild>& builds, const std::string& where) {
  if (builds.empty()) throw Error(Exit::bad_input, "no platform to write", where);
  for (size_t i = 0; i < builds.size(); i++) {
    const std::string& arch = builds[i].architecture;
    if (arch.empty()) throw Error(Exit::bad_input, "gadget build " + std::to_string(i) + " has no architecture", where);
    for (size_t j = 0; j < i; j++)
      if (builds[j].architecture == arch) throw Error(Exit::bad_input, "two gadget builds for " + arch, where);
    check_gadget_programs(builds[i].ebpf, builds[i].wasm, "gadget build " + arch, where);
  }
}

// One platform's manifest as IG's builder lays it out, its parts in `c`.
Descriptor add_gadget_manifest(LayoutContent& c, const GadgetBuild& b) {
  Descriptor config = c.add(kGadgetConfigType, bytes_of(b.metadata));
  json layers = json::array({descriptor_json(c.add(kGadgetEbpfType, b.ebpf))});
  if (!b.wasm.empty()) layers.push_back(descriptor_json(c.add(kGadgetWasmType, b.wasm)));
  if (!b.btfgen.empty()) layers.push_back(descriptor_json(c.add(kGadgetBtfgenType, b.btfgen)));
  json m = {{"schemaVersion", 2}, {"mediaType", kManifestType}, {"artifactType", kGadgetArtifactType},
            {"config", descriptor_json(config)}, {"layers", layers}};
  if (!b.annotations.empty()) m["annotations"] = b.annotations;
  return c.add(kManifestType, bytes_of(m.dump()));
}

// The bytes of a pulled gadget's part of type `media_type`.
std::span<const uint8_t> gadget_part(const GadgetImage& g, const std::string& media_type) {
  if (media_type == kGadgetConfigType) return bytes_of(g.metadata);
  if (media_type == kGadgetEbpfType) return g.ebpf;
  if (media_type == kGadgetWasmType) return g.wasm;
  if (media_type == kGadgetBtfgenType) return g.btfgen;
  return {};
}

}  // namespace

void write_gadget_layout(const fs::path& path, const std::vector<GadgetBuild>& builds, const std::string& ref_name) {
  check_builds(builds, path.string());
  LayoutContent c;
  json manifests = json::array();
  for (const auto& b : builds) {
    json e = descriptor_json(add_gadget_manifest(c, b));
    e["platform"] = {{"architecture", b.architecture}, {"os", "linux"}};
    manifests.push_back(e);
  }
  json index = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"artifactType", kGadgetArtifactType},
                {"manifests", manifests}};
  c.add_entry(c.add(kIndexType, bytes_of(index.dump())), "", ref_name);
  write_layout(path, c);
}

void write_pulled_layout(const fs::path& path, const GadgetImage& image, const std::string& ref_name) {
  const std::string where = path.string(), part = "gadget manifest " + image.manifest_digest;
  LayoutContent c;
  Descriptor m = c.add(kManifestType, bytes_of(image.manifest));
  if (m.digest != image.manifest_digest)
    throw Error(Exit::bad_input, "digest mismatch: " + part + " holds " + m.digest, where);
  for (const Descriptor& d : manifest_parts(parse_image_json(image.manifest, part, where), part, where)) {
    std::span<const uint8_t> bytes = gadget_part(image, d.media_type);
    c.blobs[d.digest] = checked(std::vector<uint8_t>(bytes.begin(), bytes.end()), d, "blob", where);
  }
  c.add_entry(m, host_architecture(), ref_name);
  write_layout(path, c);
}

}  // namespace ecc::oci
