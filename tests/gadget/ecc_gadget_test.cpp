// `ecc --gadget`: our program as an Inspektor Gadget image. The layout is
// checked against IG's format field by field (media types, platforms,
// annotations, markers in the object's BTF by bpftool, gadget.yaml by
// yaml-cpp), then pushed with `ecli push`, run by reference on the kernel,
// and run from its btfgen layer with the kernel's BTF hidden.
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "ecc/btf_archive.h"
#include "ecc/gadget.h"
#include "ecc/oci.h"
#include "ecc/tar.h"
#include "ecli_fixture.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class EccGadget : public EcliTest {
 protected:
  // ecc --gadget on examples/opensnoop into tmp/<dir>.
  RunResult ecc_gadget(const fs::path& out, const std::vector<std::string>& extra = {}) {
    fs::path ex = source_dir() / "examples/opensnoop";
    std::vector<std::string> argv = {ecc_binary().string(), "--gadget", "-o", out.string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {(ex / "opensnoop.bpf.c").string(), (ex / "opensnoop.h").string()});
    return run(argv, {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"});
  }
  json blob_json(const fs::path& layout, const std::string& digest) {
    return json::parse(read_text(layout / "blobs/sha256" / digest.substr(7)));
  }
  fs::path blob(const fs::path& layout, const std::string& digest) { return layout / "blobs/sha256" / digest.substr(7); }
};

// The manifest of one platform, checked against IG's format; its layers by type.
std::map<std::string, json> check_manifest(const json& m) {
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["mediaType"], oci::kManifestType);
  EXPECT_EQ(m["artifactType"], oci::kGadgetArtifactType);
  EXPECT_EQ(m["config"]["mediaType"], oci::kGadgetConfigType);
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.title"], "opensnoop");
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.description"], "Trace open(2) family syscalls.");
  std::map<std::string, json> layers;
  for (const json& l : m["layers"]) {
    EXPECT_TRUE(layers.emplace(l["mediaType"], l).second) << "one layer per media type: " << l.dump();
    EXPECT_GT(l["size"].get<uint64_t>(), 0u);
  }
  EXPECT_EQ(layers.count(oci::kGadgetEbpfType), 1u) << m.dump();
  return layers;
}

TEST_F(EccGadget, LayoutIsInspektorGadgetsFormat) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path out = tmp / "out";
  RunResult r = ecc_gadget(out, {"--target-arch", "x86", "--target-arch", "arm64"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  fs::path layout = out / "opensnoop.gadget";
  EXPECT_EQ(json::parse(read_text(layout / "oci-layout"))["imageLayoutVersion"], "1.0.0");
  json top = json::parse(read_text(layout / "index.json"));
  ASSERT_EQ(top["manifests"].size(), 1u);
  EXPECT_EQ(top["manifests"][0]["annotations"][oci::kRefNameAnnotation], "opensnoop:latest");
  EXPECT_EQ(top["manifests"][0]["mediaType"], oci::kIndexType);
  json index = blob_json(layout, top["manifests"][0]["digest"]);
  EXPECT_EQ(index["mediaType"], oci::kIndexType);
  EXPECT_EQ(index["artifactType"], oci::kGadgetArtifactType);
  std::set<std::string> archs;
  for (const json& d : index["manifests"]) {
    EXPECT_EQ(d["platform"]["os"], "linux");
    archs.insert(d["platform"]["architecture"]);
    auto layers = check_manifest(blob_json(layout, d["digest"]));
    EXPECT_EQ(layers.size(), 1u);  // no wasm, no btfgen without --btfgen
    // The markers ecc linked in, as bpftool sees them in the object's BTF.
    RunResult btf = run({"bpftool", "btf", "dump", "file", blob(layout, layers[oci::kGadgetEbpfType]["digest"]).string()});
    ASSERT_EQ(btf.exit_code, 0) << btf.err;
    for (const char* marker : {"VAR 'gadget_tracer_events___events___event'", "VAR 'gadget_param_targ_pid'",
                               "VAR 'gadget_param_targ_uid'", "VAR 'gadget_param_targ_failed'"})
      EXPECT_NE(btf.out.find(marker), std::string::npos) << marker;
    // gadget.yaml, read as IG reads it (yaml-cpp here): the current form.
    json config_desc = blob_json(layout, d["digest"])["config"];
    gadget::Metadata meta = gadget::parse_metadata(read_text(blob(layout, config_desc["digest"])), "gadget.yaml");
    EXPECT_EQ(meta.name, "opensnoop");
    EXPECT_EQ(meta.params.at("targ_pid").key, "pid");
    EXPECT_EQ(meta.params.at("targ_failed").default_value, "false");
    EXPECT_EQ(meta.params.at("targ_uid").description, "trace only this UID");
    EXPECT_EQ(meta.fields.at("events").at("fname").description, "char[255] fname");
  }
  EXPECT_EQ(archs, (std::set<std::string>{"amd64", "arm64"}));
}

// ecli push of the layout, ecli run of the reference: events of our opens.
TEST_F(EccGadget, RoundTripsThroughARegistryAndRuns) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path out = tmp / "out";
  RunResult r = ecc_gadget(out);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  Registry reg(Registry::Mode::plain);
  std::string ref = reg.ref("gadgets/opensnoop:v1");
  RunResult push = run({ecli_binary().string(), "push", "--plain-http", (out / "opensnoop.gadget").string(), ref});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  fs::path target = tmp / "ecc-gadget-open";
  write_text(target, "x");
  EcliProcess p({"run", "--plain-http", "-j", "-d", "4", ref, "--pid", std::to_string(getpid()), "--failed"});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  int fd = open(target.c_str(), O_RDONLY);
  close(fd);
  EXPECT_LT(open((target.string() + ".missing").c_str(), O_RDONLY), 0);
  EXPECT_TRUE(p.wait_output(target.string() + ".missing", std::chrono::seconds(3))) << p.out();
  RunResult run_r = p.finish();
  EXPECT_EQ(run_r.exit_code, 0) << run_r.err;
  auto events = json_lines(run_r.out);
  ASSERT_FALSE(events.empty()) << run_r.out;
  for (const auto& e : events) {
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    EXPECT_EQ(e["ret"], -ENOENT) << e.dump();  // --failed only
    EXPECT_EQ(e["fname"], target.string() + ".missing") << e.dump();
  }
}

// --btfgen becomes the btfgen layer: btfhub's tree in a tar, and the gadget
// runs from it on a kernel without BTF.
TEST_F(EccGadget, BtfgenLayerServesAKernelWithoutBtf) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  utsname u{};
  uname(&u);
  fs::path hub = tmp / "hub";
  fs::create_directories(hub / "debian/12/x86_64");
  fs::copy_file("/sys/kernel/btf/vmlinux", hub / "debian/12/x86_64" / (std::string(u.release) + ".btf"));
  fs::path out = tmp / "out";
  RunResult r = ecc_gadget(out, {"--btfgen", hub.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  oci::GadgetImage g = oci::read_layout_gadget(out / "opensnoop.gadget", "");
  ASSERT_FALSE(g.btfgen.empty());
  auto entries = read_tar(g.btfgen, "btfgen");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].path, "debian/12/x86_64/" + std::string(u.release) + ".btf");
  EXPECT_LT(entries[0].bytes.size(), fs::file_size("/sys/kernel/btf/vmlinux") / 10);  // the minimal BTF
  hide_kernel_btf();
  fs::path target = tmp / "nobtf-open";
  write_text(target, "x");
  EcliProcess p({"run", "-j", "-d", "3", (out / "opensnoop.gadget").string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  int fd = open(target.c_str(), O_RDONLY);
  close(fd);
  EXPECT_TRUE(p.wait_output(target.string(), std::chrono::seconds(3))) << p.out();
  RunResult run_r = p.finish();
  EXPECT_EQ(run_r.exit_code, 0) << run_r.err;
}

TEST_F(EccGadget, RefusesWhatInspektorGadgetCannotShow) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  RunResult r = ecc_gadget(tmp / "o1", {"--target-arch", "riscv"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--gadget builds for x86 (amd64) and arm64"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(tmp / "o1" / "opensnoop.gadget"));
  RunResult twice = run({ecc_binary().string(), "--target-arch", "x86", "--target-arch", "arm64", "x.bpf.c"});
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("only --gadget builds for several architectures"), std::string::npos) << twice.err;
}

}  // namespace
}  // namespace ecc::test
