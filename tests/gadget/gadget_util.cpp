#include "gadget_util.h"

#include <nlohmann/json.hpp>

#include "ecc/oci.h"

namespace ecc::test {

namespace {

using nlohmann::json;

fs::path gadgets_dir() { return source_dir() / "tests/gadget/gadgets"; }

// Writes `bytes` as a blob of the layout; its descriptor.
json put_blob(const fs::path& layout, const std::string& media_type, std::span<const uint8_t> bytes) {
  std::string digest = oci::sha256_digest(bytes);
  fs::create_directories(layout / "blobs/sha256");
  write_text(layout / "blobs/sha256" / digest.substr(7), std::string(bytes.begin(), bytes.end()));
  return {{"mediaType", media_type}, {"digest", digest}, {"size", bytes.size()}};
}

json put_text(const fs::path& layout, const std::string& media_type, const std::string& text) {
  return put_blob(layout, media_type, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace

fs::path build_gadget_object(const TempDir& dir, const std::string& name) {
  fs::path out = dir / (name + ".o");
  RunResult r = run({"clang", "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_x86", "-I",
                     test_vmlinux_h().parent_path().string(), "-I", (source_dir() / "tests/gadget/include").string(),
                     "-c", (gadgets_dir() / name / "program.bpf.c").string(), "-o", out.string()});
  if (r.exit_code != 0) throw std::runtime_error("clang failed on gadget " + name + ":\n" + r.err);
  return out;
}

std::string gadget_yaml(const std::string& name) { return read_text(gadgets_dir() / name / "gadget.yaml"); }

void write_ig_layout(const fs::path& layout, const std::string& ref_name, const std::string& yaml,
                     const std::vector<uint8_t>& ebpf,
                     const std::vector<std::pair<std::string, std::vector<uint8_t>>>& extra_layers) {
  fs::create_directories(layout);
  write_text(layout / "oci-layout", "{\"imageLayoutVersion\":\"1.0.0\"}");
  json config = put_text(layout, oci::kGadgetConfigType, yaml);
  json layers = json::array({put_blob(layout, oci::kGadgetEbpfType, ebpf)});
  for (const auto& [type, bytes] : extra_layers) layers.push_back(put_blob(layout, type, bytes));
  json manifests = json::array();
  for (const char* arch : {"amd64", "arm64"}) {
    json m = {{"schemaVersion", 2},
              {"mediaType", oci::kManifestType},
              {"artifactType", oci::kGadgetArtifactType},
              {"config", config},
              {"layers", layers},
              {"annotations", {{"org.opencontainers.image.title", "test gadget"},
                               {"org.opencontainers.image.created", "2026-12-05T00:00:00Z"}}}};
    json d = put_text(layout, oci::kManifestType, m.dump());
    d["platform"] = {{"architecture", arch}, {"os", "linux"}};
    manifests.push_back(d);
  }
  json index = {{"schemaVersion", 2}, {"mediaType", oci::kIndexType}, {"artifactType", oci::kGadgetArtifactType},
                {"manifests", manifests}};
  json top = put_text(layout, oci::kIndexType, index.dump());
  top["annotations"] = {{oci::kRefNameAnnotation, ref_name}};
  json index_json = {{"schemaVersion", 2}, {"mediaType", oci::kIndexType}, {"manifests", json::array({top})}};
  write_text(layout / "index.json", index_json.dump());
}

}  // namespace ecc::test
