// Inspektor Gadget images (docs/oci.md, "Inspektor Gadget images"): OCI
// image layouts written and read back (directory and tar, GNU tar as the
// oracle of the tar), layouts written by hand in IG's shape, every bad input
// as one line naming the path; then through a real registry, with skopeo as
// the independent client both ways, and `ecli pull`/`ecli push`.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/oci.h"
#include "ecc/tar.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;
using namespace ecc::oci;

std::span<const uint8_t> span_of(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}
std::vector<uint8_t> vec(const std::string& s) { return {s.begin(), s.end()}; }
std::string digest_of(const std::string& s) { return sha256_digest(span_of(s)); }

// Not this host's platform: the one the writer adds next to the host's.
std::string other_architecture() { return host_architecture() == "arm64" ? "amd64" : "arm64"; }

std::string elf(const std::string& tag) { return std::string("\x7f" "ELF\2\1\1\0", 8) + "program for " + tag; }
std::string wasm_module() { return std::string("\0asm\1\0\0\0", 8) + "gadget module"; }

GadgetBuild build_for(const std::string& arch) {
  GadgetBuild b;
  b.architecture = arch;
  b.metadata = "name: trace_open\ndescription: opens\n";
  b.ebpf = vec(elf(arch));
  b.wasm = vec(wasm_module());
  b.btfgen = write_tar({{"btfs/5.15.0-" + arch + ".btf", vec("btf of " + arch), false}});
  b.annotations = {{"org.opencontainers.image.title", "trace_open"},
                   {"org.opencontainers.image.description", "opens"},
                   {"org.opencontainers.image.created", "2024-01-02T03:04:05Z"}};
  return b;
}

std::vector<GadgetBuild> two_platforms() { return {build_for(other_architecture()), build_for(host_architecture())}; }

const char* kIgName = "ghcr.io/inspektor-gadget/gadget/trace_open:latest";

json read_json(const fs::path& p) { return json::parse(read_text(p)); }
json blob_json(const fs::path& layout, const std::string& digest) {
  return read_json(layout / "blobs" / "sha256" / digest.substr(7));
}

// Runs `body`, which must throw one Error(bad_input) line naming `where`
// and containing `needle`; nothing may appear in or next to `dir`.
template <typename F>
void expect_one_line_error(F body, const fs::path& dir, const std::string& where, const std::string& needle) {
  std::vector<std::string> before = files_under(dir);
  try {
    body();
    ADD_FAILURE() << "no error; wanted: " << needle;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input) << e.line();
    EXPECT_EQ(e.file(), where) << e.line();
    EXPECT_EQ(e.line().find('\n'), std::string::npos) << e.line();
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << needle << " in: " << e.line();
  }
  EXPECT_EQ(files_under(dir), before) << "nothing written: " << needle;
}

// --- written by write_gadget_layout ------------------------------------------------

// index.json -> the index -> one manifest per platform, field by field.
void check_ig_shape(const fs::path& layout, const std::vector<GadgetBuild>& builds) {
  EXPECT_EQ(read_json(layout / "oci-layout"), json({{"imageLayoutVersion", "1.0.0"}}));
  json top = read_json(layout / "index.json");
  EXPECT_EQ(top["schemaVersion"], 2);
  ASSERT_EQ(top["manifests"].size(), 1u);
  const json& entry = top["manifests"][0];
  EXPECT_EQ(entry["mediaType"], kIndexType);
  EXPECT_EQ(entry["annotations"][kRefNameAnnotation], kIgName);
  json index = blob_json(layout, entry["digest"]);
  EXPECT_EQ(index["schemaVersion"], 2);
  EXPECT_EQ(index["mediaType"], "application/vnd.oci.image.index.v1+json");
  EXPECT_EQ(index["artifactType"], "application/vnd.gadget.v1+binary");
  ASSERT_EQ(index["manifests"].size(), builds.size());
  for (size_t i = 0; i < builds.size(); i++) {
    const json& e = index["manifests"][i];
    EXPECT_EQ(e["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(e["platform"], json({{"architecture", builds[i].architecture}, {"os", "linux"}}));
    json m = blob_json(layout, e["digest"]);
    EXPECT_EQ(m["schemaVersion"], 2);
    EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
    EXPECT_EQ(m["artifactType"], "application/vnd.gadget.v1+binary");
    EXPECT_EQ(m["config"]["mediaType"], "application/vnd.gadget.config.v1+yaml");
    EXPECT_EQ(m["config"]["digest"], digest_of(builds[i].metadata));
    ASSERT_EQ(m["layers"].size(), 3u);
    EXPECT_EQ(m["layers"][0]["mediaType"], "application/vnd.gadget.ebpf.program.v1+binary");
    EXPECT_EQ(m["layers"][0]["size"], builds[i].ebpf.size());
    EXPECT_EQ(m["layers"][1]["mediaType"], "application/vnd.gadget.wasm.program.v1+binary");
    EXPECT_EQ(m["layers"][2]["mediaType"], "application/vnd.gadget.btfgen.v1+binary");
    EXPECT_EQ(m["annotations"]["org.opencontainers.image.title"], "trace_open");
    EXPECT_EQ(m["annotations"]["org.opencontainers.image.created"], "2024-01-02T03:04:05Z");
    for (const json& l : m["layers"]) EXPECT_FALSE(l.contains("annotations")) << "raw layers, as IG writes them";
  }
}

void expect_host_image(const GadgetImage& g, const std::string& where) {
  GadgetBuild want = build_for(host_architecture());
  EXPECT_EQ(g.where, where);
  EXPECT_EQ(g.metadata, want.metadata);
  EXPECT_EQ(g.ebpf, want.ebpf) << "this host's platform is the one picked";
  EXPECT_EQ(g.wasm, want.wasm);
  EXPECT_EQ(g.btfgen, want.btfgen);
  EXPECT_EQ(g.manifest_digest, digest_of(g.manifest));
  EXPECT_EQ(g.annotations.at("org.opencontainers.image.description"), "opens");
}

TEST(GadgetLayout, WrittenAsADirectoryItHasIgsShapeAndReadsBack) {
  TempDir t;
  write_gadget_layout(t / "trace_open", two_platforms(), kIgName);
  EXPECT_TRUE(is_image_layout(t / "trace_open"));
  check_ig_shape(t / "trace_open", two_platforms());
  GadgetImage g = read_layout_gadget(t / "trace_open", "");
  expect_host_image(g, (t / "trace_open").string());
  json index = blob_json(t / "trace_open", read_json(t / "trace_open" / "index.json")["manifests"][0]["digest"]);
  EXPECT_EQ(g.manifest_digest, index["manifests"][1]["digest"]) << "the host's entry";
  EXPECT_EQ(list_dir(t.path()), std::vector<std::string>{"trace_open"}) << "no temporary left";
}

TEST(GadgetLayout, WrittenAsATarGnuTarListsAndExtractsIt) {
  TempDir t;
  write_gadget_layout(t / "g.tar", two_platforms(), kIgName);
  EXPECT_TRUE(is_image_layout(t / "g.tar"));
  RunResult list = run({"tar", "-tf", (t / "g.tar").string()});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_EQ(list.out.find("oci-layout\nindex.json\nblobs/\nblobs/sha256/\nblobs/sha256/"), 0u) << list.out;
  size_t blobs = 0;
  for (size_t p = list.out.find("blobs/sha256/"); p != std::string::npos; p = list.out.find("blobs/sha256/", p + 1))
    blobs++;
  // ebpf, btfgen and a manifest per platform, one config and one wasm (the
  // same bytes on both), the index; and the directory itself.
  EXPECT_EQ(blobs, 2u * 3u + 2u + 1u + 1u) << list.out;
  GadgetImage from_tar = read_layout_gadget(t / "g.tar", "trace_open");
  expect_host_image(from_tar, (t / "g.tar").string());
  fs::create_directories(t / "x");
  ASSERT_EQ(run({"tar", "-xf", (t / "g.tar").string(), "-C", (t / "x").string()}).exit_code, 0);
  check_ig_shape(t / "x", two_platforms());
  EXPECT_EQ(read_layout_gadget(t / "x", "").manifest_digest, from_tar.manifest_digest);
  // GNU tar's own archive of the same directory, with "./" in front of every name.
  ASSERT_EQ(run({"tar", "-cf", (t / "gnu.tar").string(), "-C", (t / "x").string(), "."}).exit_code, 0);
  EXPECT_TRUE(is_image_layout(t / "gnu.tar"));
  EXPECT_EQ(read_layout_gadget(t / "gnu.tar", "").manifest_digest, from_tar.manifest_digest);
}

TEST(GadgetLayout, OneManifestWithoutWasmOrBtfgenAndNoName) {
  TempDir t;
  GadgetBuild b = build_for(host_architecture());
  b.wasm.clear();
  b.btfgen.clear();
  b.annotations.clear();
  write_gadget_layout(t / "one", {b}, "");
  json entry = read_json(t / "one" / "index.json")["manifests"][0];
  EXPECT_FALSE(entry.contains("annotations")) << entry;
  json m = blob_json(t / "one", blob_json(t / "one", entry["digest"])["manifests"][0]["digest"]);
  EXPECT_EQ(m["layers"].size(), 1u);
  EXPECT_FALSE(m.contains("annotations"));
  GadgetImage g = read_layout_gadget(t / "one", "");
  EXPECT_EQ(g.ebpf, b.ebpf);
  EXPECT_TRUE(g.wasm.empty());
  EXPECT_TRUE(g.btfgen.empty());
}

TEST(GadgetLayout, BadBuildsAndUnwritablePathsLeaveNothing) {
  TempDir t;
  GadgetBuild empty = build_for(host_architecture());
  empty.ebpf.clear();
  std::string d = (t / "d").string(), tar = (t / "d.tar").string();
  expect_one_line_error([&] { write_gadget_layout(d, {empty}, "x"); }, t.path(), d,
                        "gadget build " + host_architecture() + ": the ebpf layer is empty");
  GadgetBuild not_wasm = build_for(host_architecture());
  not_wasm.wasm = vec("not a module");
  expect_one_line_error([&] { write_gadget_layout(tar, {not_wasm}, "x"); }, t.path(), tar,
                        "the wasm layer is not a Wasm module");
  expect_one_line_error([&] { write_gadget_layout(d, {build_for("arm64"), build_for("arm64")}, "x"); }, t.path(), d,
                        "two gadget builds for arm64");
  expect_one_line_error([&] { write_gadget_layout(d, {}, "x"); }, t.path(), d, "no platform to write");
  std::string nowhere = (t / "missing" / "g.tar").string();
  expect_one_line_error([&] { write_gadget_layout(nowhere, two_platforms(), "x"); }, t.path(), nowhere, "cannot write");
  // A directory that is not a layout is never replaced; a layout is.
  fs::create_directories(t / "keep");
  write_text(t / "keep" / "precious.txt", "mine");
  std::string keep = (t / "keep").string();
  expect_one_line_error([&] { write_gadget_layout(keep, two_platforms(), "x"); }, t.path(), keep,
                        "exists and is not an image layout directory");
  write_gadget_layout(t / "again", {build_for("arm64")}, "x");
  write_gadget_layout(t / "again", two_platforms(), kIgName);
  expect_host_image(read_layout_gadget(t / "again", ""), (t / "again").string());
  EXPECT_EQ(list_dir(t.path()), (std::vector<std::string>{"again", "keep"}));
}

// --- written by hand, as `ig image export` lays a layout out ------------------------------

// Blobs under blobs/sha256/, manifests and indexes built from them, and
// index.json's entries, each written as it is added.
class HandLayout {
 public:
  explicit HandLayout(fs::path dir) : dir_(std::move(dir)) {
    fs::create_directories(dir_ / "blobs" / "sha256");
    write_text(dir_ / "oci-layout", R"({"imageLayoutVersion":"1.0.0"})");
  }
  const fs::path& dir() const { return dir_; }
  json blob(const std::string& media_type, const std::string& bytes) {
    std::string d = digest_of(bytes);
    write_text(dir_ / "blobs" / "sha256" / d.substr(7), bytes);
    return {{"mediaType", media_type}, {"digest", d}, {"size", bytes.size()}};
  }
  // A gadget manifest of the layers (media type, bytes) given.
  json manifest(const std::vector<std::pair<std::string, std::string>>& layers, const std::string& tag) {
    json m = {{"schemaVersion", 2}, {"mediaType", kManifestType}, {"artifactType", kGadgetArtifactType},
              {"config", blob(kGadgetConfigType, "name: " + tag + "\n")}, {"layers", json::array()},
              {"annotations", {{"org.opencontainers.image.title", tag}}}};
    for (const auto& [type, bytes] : layers) m["layers"].push_back(blob(type, bytes));
    return blob(kManifestType, m.dump());
  }
  json gadget(const std::string& tag) {
    return manifest({{kGadgetEbpfType, elf(tag)}, {kGadgetWasmType, wasm_module()}}, tag);
  }
  // An index of (manifest descriptor, architecture).
  json index(const std::vector<std::pair<json, std::string>>& entries) {
    json i = {{"schemaVersion", 2}, {"mediaType", kIndexType}, {"artifactType", kGadgetArtifactType},
              {"manifests", json::array()}};
    for (auto [d, arch] : entries) {
      d["platform"] = {{"architecture", arch}, {"os", "linux"}};
      i["manifests"].push_back(d);
    }
    return blob(kIndexType, i.dump());
  }
  void name(json d, const std::string& ref_name) {
    d["annotations"] = {{kRefNameAnnotation, ref_name}};
    entries_.push_back(d);
    write_text(dir_ / "index.json", json({{"schemaVersion", 2}, {"manifests", entries_}}).dump());
  }

 private:
  fs::path dir_;
  json entries_ = json::array();
};

// Two gadgets, each an index of two platforms, as IG names them.
void two_ig_gadgets(HandLayout& h) {
  for (const std::string tool : {"trace_open", "trace_exec"}) {
    json host = h.gadget(tool + "-" + host_architecture()), other = h.gadget(tool + "-" + other_architecture());
    h.name(h.index({{other, other_architecture()}, {host, host_architecture()}}),
           "ghcr.io/inspektor-gadget/gadget/" + tool + (tool == "trace_open" ? ":latest" : ":v0.30.0"));
  }
}

TEST(GadgetLayout, AnIgStyleLayoutIsChosenByFullNameTagOrRepositoryComponent) {
  TempDir t;
  HandLayout h(t / "ig");
  two_ig_gadgets(h);
  std::string open_elf = elf("trace_open-" + host_architecture()), exec_elf = elf("trace_exec-" + host_architecture());
  EXPECT_EQ(read_layout_gadget(h.dir(), kIgName).ebpf, vec(open_elf));
  EXPECT_EQ(read_layout_gadget(h.dir(), "latest").ebpf, vec(open_elf));
  EXPECT_EQ(read_layout_gadget(h.dir(), "trace_open").ebpf, vec(open_elf));
  EXPECT_EQ(read_layout_gadget(h.dir(), "v0.30.0").ebpf, vec(exec_elf));
  EXPECT_EQ(read_layout_gadget(h.dir(), "trace_exec").ebpf, vec(exec_elf));
  EXPECT_EQ(read_layout_gadget(h.dir(), "trace_exec:v0.30.0").ebpf, vec(exec_elf));
  GadgetImage g = read_layout_gadget(h.dir(), "trace_exec");
  EXPECT_EQ(g.metadata, "name: trace_exec-" + host_architecture() + "\n");
  EXPECT_EQ(g.annotations.at("org.opencontainers.image.title"), "trace_exec-" + host_architecture());
  std::string both = "ghcr.io/inspektor-gadget/gadget/trace_open:latest, ghcr.io/inspektor-gadget/gadget/trace_exec:v0.30.0";
  expect_one_line_error([&] { read_layout_gadget(h.dir(), ""); }, t.path(), h.dir().string(),
                        "index.json has 2 images; name one (images: " + both + ")");
  expect_one_line_error([&] { read_layout_gadget(h.dir(), "trace_close"); }, t.path(), h.dir().string(),
                        "no image named 'trace_close' (images: " + both + ")");
  // The same layout as a tar of it, as `ig image export` writes one.
  ASSERT_EQ(run({"tar", "-cf", (t / "ig.tar").string(), "-C", h.dir().string(), "."}).exit_code, 0);
  EXPECT_EQ(read_layout_gadget(t / "ig.tar", "latest").ebpf, vec(open_elf));
}

TEST(GadgetLayout, ANameForTwoImagesIsAmbiguousAndOneImageTwiceIsOne) {
  TempDir t;
  HandLayout h(t / "l");
  json a = h.gadget("a"), b = h.gadget("b");
  h.name(a, "registry.example/x/trace_open:latest");
  h.name(a, "latest");
  EXPECT_EQ(read_layout_gadget(h.dir(), "").ebpf, vec(elf("a"))) << "one image under two names";
  h.name(b, "other.example/y/trace_open:v2");
  expect_one_line_error([&] { read_layout_gadget(h.dir(), "trace_open"); }, t.path(), h.dir().string(),
                        "'trace_open' names 2 images (registry.example/x/trace_open:latest, "
                        "other.example/y/trace_open:v2)");
  EXPECT_EQ(read_layout_gadget(h.dir(), "trace_open:v2").ebpf, vec(elf("b")));
  EXPECT_EQ(read_layout_gadget(h.dir(), std::string(b["digest"])).ebpf, vec(elf("b")));
}

TEST(GadgetLayout, AManifestStraightFromIndexJsonAndOneWithoutArtifactType) {
  TempDir t;
  HandLayout h(t / "l");
  h.name(h.gadget("direct"), "v1");
  // Older images: no artifactType, the config's media type says it.
  json old = {{"schemaVersion", 2}, {"mediaType", kManifestType},
              {"config", h.blob(kGadgetConfigType, "name: old\n")},
              {"layers", json::array({h.blob(kGadgetEbpfType, elf("old"))})}};
  h.name(h.blob(kManifestType, old.dump()), "old");
  EXPECT_EQ(read_layout_gadget(h.dir(), "v1").ebpf, vec(elf("direct")));
  EXPECT_EQ(read_layout_gadget(h.dir(), "old").metadata, "name: old\n");
  EXPECT_EQ(is_image_layout(t / "l"), true);
  EXPECT_FALSE(is_image_layout(t.path()));
  write_text(t / "plain.tar", "not a tar");
  EXPECT_FALSE(is_image_layout(t / "plain.tar"));
}

// A layout "bad" whose index has a good manifest for another platform and
// `make`'s for this one.
fs::path bad_layout(const TempDir& t, const std::string& name, const std::function<json(HandLayout&)>& make) {
  HandLayout h(t / name);
  h.name(h.index({{h.gadget("other"), other_architecture()}, {make(h), host_architecture()}}), "bad");
  return h.dir();
}

TEST(GadgetLayout, BadGadgetManifestsAreOneLineNamingTheManifestAndThePath) {
  TempDir t;
  std::string ebpf = elf("x"), wasm = wasm_module(), python = "application/vnd.gadget.python.v1+binary";
  using Layers = std::vector<std::pair<std::string, std::string>>;
  std::vector<std::pair<Layers, std::string>> cases = {
      {{{kGadgetWasmType, wasm}}, "no layer of type application/vnd.gadget.ebpf.program.v1+binary"},
      {{{kGadgetEbpfType, ebpf}, {kGadgetEbpfType, ebpf + "2"}},
       "two layers of type application/vnd.gadget.ebpf.program.v1+binary"},
      {{{kGadgetEbpfType, ebpf}, {kGadgetWasmType, wasm}, {kGadgetWasmType, wasm + "2"}},
       "two layers of type application/vnd.gadget.wasm.program.v1+binary"},
      {{{kGadgetEbpfType, ebpf}, {python, "print()"}}, "unknown layer media type " + python},
      {{{kGadgetEbpfType, ""}}, "the ebpf layer is empty"},
      {{{kGadgetEbpfType, "MZ not an ELF"}}, "the ebpf layer is not an ELF file"},
      {{{kGadgetEbpfType, ebpf}, {kGadgetWasmType, "text"}}, "the wasm layer is not a Wasm module (no \\0asm magic)"},
  };
  for (size_t i = 0; i < cases.size(); i++) {
    std::string manifest_digest;
    fs::path dir = bad_layout(t, "case" + std::to_string(i), [&](HandLayout& h) {
      json d = h.manifest(cases[i].first, "x");
      manifest_digest = d["digest"];
      return d;
    });
    expect_one_line_error([&] { read_layout_gadget(dir, "bad"); }, t.path(), dir.string(),
                          "gadget manifest " + manifest_digest + ": " + cases[i].second);
  }
}

TEST(GadgetLayout, DamagedJsonMismatchedBlobsAndMissingPlatformsAreOneLineNamingThePath) {
  TempDir t;
  auto expect = [&](const fs::path& dir, const std::string& needle) {
    expect_one_line_error([&] { read_layout_gadget(dir, "bad"); }, t.path(), dir.string(), needle);
  };
  fs::path damaged_manifest =
      bad_layout(t, "damaged-manifest", [](HandLayout& h) { return h.blob(kManifestType, "{\"schemaVersion\": 2,"); });
  expect(damaged_manifest, " is not a JSON object");
  HandLayout damaged_index(t / "damaged-index");
  json broken = damaged_index.blob(kIndexType, "[\"not an index\"]");
  damaged_index.name(broken, "bad");
  expect(damaged_index.dir(), "the manifest " + std::string(broken["digest"]) + " is not a JSON object");
  fs::path bad_json = bad_layout(t, "index-json", [](HandLayout& h) { return h.gadget("x"); });
  write_text(bad_json / "index.json", "{\"manifests\": [");
  expect(bad_json, "index.json is not a JSON object");
  // A layer file whose bytes are not what its digest says.
  std::string ebpf_digest;
  fs::path liar = bad_layout(t, "liar", [&](HandLayout& h) {
    ebpf_digest = digest_of(elf("liar"));
    return h.manifest({{kGadgetEbpfType, elf("liar")}}, "x");
  });
  write_text(liar / "blobs" / "sha256" / ebpf_digest.substr(7), elf("other bytes"));
  expect(liar, "digest mismatch: blob " + ebpf_digest);
  fs::remove(liar / "blobs" / "sha256" / ebpf_digest.substr(7));
  expect(liar, "blob " + ebpf_digest + " is missing (blobs/sha256/" + ebpf_digest.substr(7) + ")");
  HandLayout elsewhere(t / "elsewhere");
  json index = elsewhere.index({{elsewhere.gadget("a"), "riscv64"}, {elsewhere.gadget("b"), "s390x"}});
  elsewhere.name(index, "bad");
  expect(elsewhere.dir(), "an image index (" + std::string(index["digest"]) + ") with no manifest for linux/" +
                              host_architecture() + " (platforms: linux/riscv64, linux/s390x)");
}

TEST(GadgetLayout, ABadTarIsOneLineNamingIt) {
  TempDir t;
  write_gadget_layout(t / "g.tar", two_platforms(), kIgName);
  std::vector<uint8_t> bytes = read_bytes(t / "g.tar");
  write_text(t / "cut.tar", std::string(bytes.begin(), bytes.begin() + 1024));  // oci-layout alone
  bytes[514] ^= 0xff;  // inside the first entry's data: oci-layout's text
  write_text(t / "g.tar", std::string(bytes.begin(), bytes.end()));
  std::string where = (t / "g.tar").string();
  expect_one_line_error([&] { read_layout_gadget(t / "g.tar", ""); }, t.path(), where,
                        "oci-layout is not a JSON object");
  expect_one_line_error([&] { read_layout_gadget(t / "cut.tar", ""); }, t.path(), (t / "cut.tar").string(),
                        "the image layout has no index.json");
  write_text(t / "text", "hello");
  expect_one_line_error([&] { read_layout_gadget(t / "text", ""); }, t.path(), (t / "text").string(),
                        "neither an image layout directory nor a tar of one");
}

TEST(GadgetLayout, APulledImageIsWrittenWithItsManifestByteForByte) {
  TempDir t;
  HandLayout h(t / "src");
  two_ig_gadgets(h);
  GadgetImage g = read_layout_gadget(h.dir(), "trace_exec");
  for (const std::string out : {"pulled", "pulled.tar"}) {
    write_pulled_layout(t / out, g, "127.0.0.1:5000/gadget/trace_exec:v1");
    GadgetImage back = read_layout_gadget(t / out, "trace_exec");
    EXPECT_EQ(back.manifest, g.manifest);
    EXPECT_EQ(back.manifest_digest, g.manifest_digest);
    EXPECT_EQ(back.ebpf, g.ebpf);
    EXPECT_EQ(back.wasm, g.wasm);
    EXPECT_EQ(back.metadata, g.metadata);
  }
  json entry = read_json(t / "pulled" / "index.json")["manifests"][0];
  EXPECT_EQ(entry["digest"], g.manifest_digest);
  EXPECT_EQ(entry["mediaType"], kManifestType);
  EXPECT_EQ(entry["platform"], json({{"architecture", host_architecture()}, {"os", "linux"}}));
  EXPECT_EQ(entry["annotations"][kRefNameAnnotation], "127.0.0.1:5000/gadget/trace_exec:v1");
  GadgetImage lying = g;
  lying.ebpf.push_back(0);
  std::string where = (t / "lying").string();
  expect_one_line_error([&] { write_pulled_layout(where, lying, "x"); }, t.path(), where, "digest mismatch: blob ");
}

// --- through a registry ------------------------------------------------------------------

// fetch() in this process with the test's own cache and docker config, as
// ecli runs get them.
class GadgetRegistry : public OciTest {
 protected:
  void SetUp() override {
    setenv("XDG_CACHE_HOME", cache().c_str(), 1);
    setenv("DOCKER_CONFIG", docker_config().c_str(), 1);
  }
  void TearDown() override {
    unsetenv("XDG_CACHE_HOME");
    unsetenv("DOCKER_CONFIG");
  }
  static ClientOptions plain() {
    ClientOptions c;
    c.plain_http = true;
    c.progress = false;
    return c;
  }
  // `ecli push` of `layout` to `ref`; the digest it prints.
  std::string push(const Registry& reg, const fs::path& layout, const std::string& ref) {
    RunResult r = ecli(args("push", reg, {layout.string(), ref}));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err, "ecli: pushed " + layout.string() + " to " + ref + "\n");
    return r.out.substr(0, r.out.find('\n'));
  }
  // The two-platform layout as a tar, pushed to `ref`.
  std::string push_two_platforms(const Registry& reg, const std::string& ref) {
    write_gadget_layout(tmp / "g.tar", two_platforms(), kIgName);
    return push(reg, tmp / "g.tar", ref);
  }
  // The digest of this host's manifest in the index `index_digest` of layout `dir`.
  static std::string host_manifest_digest(const fs::path& dir, const std::string& index_digest) {
    json index = blob_json(dir, index_digest);
    for (const json& e : index["manifests"])
      if (e["platform"]["architecture"] == host_architecture()) return e["digest"];
    return {};
  }
  std::vector<std::string> cached() const { return files_under(cache() / "ecc" / "oci"); }
};

// The status of a HEAD of blob `digest` in `repo` (python3's urllib as the client).
std::string blob_status(const Registry& reg, const std::string& repo, const std::string& digest) {
  RunResult r = run({"python3", "-c",
                     "import sys, urllib.request as u, urllib.error as e\n"
                     "try: print(u.urlopen(u.Request(sys.argv[1], method='HEAD')).status)\n"
                     "except e.HTTPError as x: print(x.code)",
                     "http://" + reg.host() + "/v2/" + repo + "/blobs/" + digest});
  return r.out.substr(0, r.out.find('\n'));
}

std::string sha256sum_of(const std::string& text) {
  TempDir t;
  write_text(t / "raw", text);
  RunResult r = run({"sha256sum", (t / "raw").string()});
  return "sha256:" + r.out.substr(0, 64);
}

TEST_F(GadgetRegistry, APushedLayoutIsFetchedByTagAndByDigestThenFromTheCacheAlone) {
  auto reg = std::make_unique<Registry>(Registry::Mode::plain);
  std::string ref = reg->ref("gadget/trace_open:v1");
  std::string digest = push_two_platforms(*reg, ref);
  write_gadget_layout(tmp / "g", two_platforms(), kIgName);
  json entry = read_json(tmp / "g" / "index.json")["manifests"][0];
  EXPECT_EQ(digest, entry["digest"]) << "the index's digest is what REF names now";
  RunResult raw = run({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref});
  ASSERT_EQ(raw.exit_code, 0) << raw.err;
  EXPECT_EQ(sha256sum_of(raw.out), digest) << "skopeo sees the index byte for byte";
  EXPECT_EQ(json::parse(raw.out)["manifests"].size(), 2u);

  std::string host_digest = host_manifest_digest(tmp / "g", digest);
  Fetched by_tag = fetch(parse_reference(ref), plain());
  ASSERT_TRUE(by_tag.gadget);
  EXPECT_FALSE(by_tag.artifact);
  expect_host_image(*by_tag.gadget, ref);
  EXPECT_EQ(by_tag.gadget->manifest_digest, host_digest);
  std::string by_digest_ref = reg->ref("gadget/trace_open@" + digest);
  fs::remove_all(cache());
  Fetched by_digest = fetch(parse_reference(by_digest_ref), plain());
  ASSERT_TRUE(by_digest.gadget);
  EXPECT_EQ(by_digest.gadget->manifest_digest, host_digest);
  EXPECT_TRUE(fs::exists(cache() / "ecc" / "oci" / "manifests" / "sha256" / digest.substr(7)));
  EXPECT_TRUE(fs::exists(cache() / "ecc" / "oci" / "manifests" / "sha256" / host_digest.substr(7)));

  reg.reset();  // stopped: the digest's index, manifest and blobs are cached
  Fetched offline = fetch(parse_reference(by_digest_ref), plain());
  ASSERT_TRUE(offline.gadget);
  expect_host_image(*offline.gadget, parse_reference(by_digest_ref).str());
  EXPECT_THROW(fetch(parse_reference(ref), plain()), Error) << "a tag needs the registry";
}

TEST_F(GadgetRegistry, SkopeoCopiesItBothWaysBetweenOciLayoutsAndTheRegistry) {
  Registry reg(Registry::Mode::plain);
  std::string digest = push_two_platforms(reg, reg.ref("gadget/trace_open:v1"));
  fs::path copied = tmp / "skopeo-oci";
  RunResult out = run({"skopeo", "copy", "--all", "--src-tls-verify=false", "docker://" + reg.ref("gadget/trace_open:v1"),
                       "oci:" + copied.string() + ":v1"});
  ASSERT_EQ(out.exit_code, 0) << out.err;
  GadgetImage g = read_layout_gadget(copied, "v1");
  expect_host_image(g, copied.string());
  EXPECT_EQ(read_json(copied / "index.json")["manifests"][0]["digest"], digest);
  // Our directory layout, read by skopeo by its ref.name, into the registry.
  write_gadget_layout(tmp / "ours", two_platforms(), "v2");
  RunResult in = run({"skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:" + (tmp / "ours").string() + ":v2",
                      "docker://" + reg.ref("gadget/copied:v2")});
  ASSERT_EQ(in.exit_code, 0) << in.err;
  Fetched f = fetch(parse_reference(reg.ref("gadget/copied:v2")), plain());
  ASSERT_TRUE(f.gadget);
  EXPECT_EQ(f.gadget->manifest_digest, g.manifest_digest);
}

TEST_F(GadgetRegistry, EcliPullWritesLayoutsThatReadBackAndPushesThemAgain) {
  Registry reg(Registry::Mode::plain);
  std::string ref = reg.ref("gadget/trace_open:v1");
  std::string digest = push_two_platforms(reg, ref);
  write_gadget_layout(tmp / "g", two_platforms(), kIgName);
  std::string host_digest = host_manifest_digest(tmp / "g", digest);
  for (const std::string out : {"x.tar", "x"}) {
    RunResult pull = ecli(args("pull", reg, {ref, "-o", (tmp / out).string()}));
    ASSERT_EQ(pull.exit_code, 0) << pull.err;
    EXPECT_EQ(pull.err,
              "ecli: pulled " + reg.host() + "/gadget/trace_open@" + host_digest + " to " + (tmp / out).string() + "\n");
    GadgetImage g = read_layout_gadget(tmp / out, "");
    EXPECT_EQ(g.manifest_digest, host_digest);
    expect_host_image(g, (tmp / out).string());
    EXPECT_EQ(read_layout_gadget(tmp / out, "v1").manifest_digest, host_digest) << "named after the reference";
  }
  fs::create_directories(tmp / "here");
  RunResult here = run({oci_ecli_binary().string(), "pull", "--plain-http", ref}, env(), (tmp / "here").string());
  ASSERT_EQ(here.exit_code, 0) << here.err;
  EXPECT_EQ(list_dir(tmp / "here"), std::vector<std::string>{"trace_open"}) << "the repository's last component";
  EXPECT_EQ(read_layout_gadget(tmp / "here" / "trace_open", "trace_open").manifest_digest, host_digest);
  // The pulled directory (one manifest) pushed again: REF names that manifest.
  EXPECT_EQ(push(reg, tmp / "x", reg.ref("gadget/single:v1")), host_digest);
  Fetched f = fetch(parse_reference(reg.ref("gadget/single:v1")), plain());
  ASSERT_TRUE(f.gadget);
  EXPECT_EQ(f.gadget->manifest_digest, host_digest);
}

TEST_F(GadgetRegistry, ADamagedImageInTheRegistryIsOneLineAndCachesNothing) {
  Registry reg(Registry::Mode::plain);
  HandLayout two(tmp / "two-ebpf");
  json bad = two.manifest({{kGadgetEbpfType, elf("a")}, {kGadgetEbpfType, elf("b")}}, "x");
  two.name(two.index({{bad, host_architecture()}}), "v1");
  HandLayout elsewhere(tmp / "elsewhere");
  elsewhere.name(elsewhere.index({{elsewhere.gadget("a"), "riscv64"}}), "v1");
  std::vector<std::pair<fs::path, std::string>> cases = {
      {two.dir(), "gadget manifest " + std::string(bad["digest"]) + ": two layers of type " + kGadgetEbpfType},
      {elsewhere.dir(), "with no manifest for linux/" + host_architecture() + " (platforms: linux/riscv64)"}};
  for (const auto& [dir, needle] : cases) {
    std::string ref = reg.ref("bad/" + dir.filename().string() + ":v1");
    push(reg, dir, ref);
    RunResult pull = ecli(args("pull", reg, {ref, "-o", (tmp / "out").string()}));
    EXPECT_EQ(pull.exit_code, 1);
    EXPECT_EQ(pull.err.rfind("ecli: error: ", 0), 0u) << pull.err;
    EXPECT_EQ(pull.err.find('\n'), pull.err.size() - 1) << "one line: " << pull.err;
    EXPECT_NE(pull.err.find(needle + " (" + ref + ")"), std::string::npos) << needle << " in: " << pull.err;
    EXPECT_FALSE(fs::exists(tmp / "out"));
    EXPECT_EQ(cached(), std::vector<std::string>{}) << "nothing of a damaged image is cached";
  }
  // A layout with a blob that is not what its digest says is refused before anything is sent.
  write_gadget_layout(tmp / "liar", two_platforms(), "v1");
  std::string ebpf = sha256_digest(build_for(host_architecture()).ebpf);
  write_text(tmp / "liar" / "blobs" / "sha256" / ebpf.substr(7), elf("something else"));
  RunResult push_liar = ecli(args("push", reg, {(tmp / "liar").string(), reg.ref("bad/liar:v1")}));
  EXPECT_EQ(push_liar.exit_code, 1);
  EXPECT_EQ(push_liar.err.rfind("ecli: error: digest mismatch: blob " + ebpf, 0), 0u) << push_liar.err;
  EXPECT_NE(push_liar.err.find("(" + (tmp / "liar").string() + ")\n"), std::string::npos) << push_liar.err;
  RunResult missing = run({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reg.ref("bad/liar:v1")});
  EXPECT_NE(missing.exit_code, 0) << "no manifest was pushed";
  EXPECT_EQ(blob_status(reg, "bad/liar", digest_of(build_for(host_architecture()).metadata)), "404")
      << "not even the config blob went up";
  EXPECT_EQ(blob_status(reg, "bad/two-ebpf", digest_of("name: x\n")), "200") << "as it did for a good layout";
}

}  // namespace
}  // namespace ecc::test
