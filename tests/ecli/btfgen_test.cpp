// ecc --btfgen and ecli on a kernel without BTF (docs/package-format.md): an archive made
// from this kernel's BTF, a package that carries its minimal BTF, run in a
// private mount namespace where /sys/kernel/btf/vmlinux reads as empty.
#include <bpf/btf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <signal.h>

#include <fstream>
#include <thread>

#include "ecc/btf_archive.h"
#include "ecli_fixture.h"

namespace ecc::test {
namespace {

std::string uname_release() {
  utsname u{};
  uname(&u);
  return u.release;
}

class Btfgen : public EcliTest {
 protected:
  // A btfhub-archive tree: this kernel as debian/12/x86_64/<release>.btf and
  // as ubuntu/22.04/x86_64/<release>.btf.tar.xz, and a second release (the
  // same BTF under another name) centos/8/x86_64/4.18.0-ecc-other.btf.
  fs::path make_hub(bool with_this_kernel = true) {
    fs::path hub = tmp / (with_this_kernel ? "hub" : "hub-other");
    std::string rel = uname_release();
    if (with_this_kernel) {
      fs::create_directories(hub / "debian/12/x86_64");
      fs::copy_file("/sys/kernel/btf/vmlinux", hub / "debian/12/x86_64" / (rel + ".btf"));
      fs::path stage = tmp / "stage";
      fs::create_directories(stage);
      fs::copy_file("/sys/kernel/btf/vmlinux", stage / (rel + ".btf"));
      fs::create_directories(hub / "ubuntu/22.04/x86_64");
      RunResult t = run({"tar", "-cJf", (hub / "ubuntu/22.04/x86_64" / (rel + ".btf.tar.xz")).string(), "-C",
                         stage.string(), rel + ".btf"});
      EXPECT_EQ(t.exit_code, 0) << t.err;
    }
    fs::create_directories(hub / "centos/8/x86_64");
    fs::copy_file("/sys/kernel/btf/vmlinux", hub / "centos/8/x86_64/4.18.0-ecc-other.btf");
    return hub;
  }

  RunResult ecc_btfgen(const fs::path& hub, const fs::path& out) {
    fs::path dir = source_dir() / "examples/sigsnoop";
    return run({ecc_binary().string(), "-o", out.string(), "--btfgen", hub.string(), (dir / "sigsnoop.bpf.c").string(),
                (dir / "sigsnoop.h").string()},
               {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"});
  }
};

TEST_F(Btfgen, PackageRunsWithTheKernelBtfHidden) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path hub = make_hub();
  fs::path out = tmp / "pkg";
  RunResult b = ecc_btfgen(hub, out);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  std::string rel = uname_release();
  // One line on stdout: the growth, total and per kernel.
  auto lines = split_lines(b.out);
  ASSERT_EQ(lines.size(), 1u) << b.out;
  EXPECT_EQ(lines[0].rfind("ecc: --btfgen: package.json grew by ", 0), 0u) << b.out;
  EXPECT_NE(lines[0].find("for 3 kernel(s): centos/8/x86_64/4.18.0-ecc-other +"), std::string::npos) << b.out;
  EXPECT_NE(lines[0].find("debian/12/x86_64/" + rel + " +"), std::string::npos) << b.out;
  EXPECT_NE(lines[0].find("ubuntu/22.04/x86_64/" + rel + " +"), std::string::npos) << b.out;

  std::string text = read_text(out / "package.json");
  // The total is what package.json grew by; each kernel's share is part of it.
  fs::path plain = build_example("sigsnoop");
  size_t grew = text.size() - read_text(plain).size();
  EXPECT_NE(lines[0].find("grew by " + std::to_string(grew) + " bytes"), std::string::npos) << b.out;
  size_t shares = 0;
  for (size_t at = 0; (at = lines[0].find(" +", at)) != std::string::npos; ++at) shares += std::stoul(lines[0].substr(at + 2));
  EXPECT_GT(shares, 0u);
  EXPECT_LT(shares, grew);
  auto pkg = nlohmann::json::parse(text);
  ASSERT_TRUE(pkg.contains("btf_archive"));
  const auto& kernels = pkg["btf_archive"]["kernels"];
  ASSERT_EQ(kernels.size(), 3u);
  EXPECT_EQ(kernels[1]["distro"], "debian");
  EXPECT_EQ(kernels[1]["version"], "12");
  EXPECT_EQ(kernels[1]["arch"], "x86_64");
  EXPECT_EQ(kernels[1]["release"], rel);
  // The .btf and the .btf.tar.xz of the same kernel give the same minimal BTF.
  EXPECT_EQ(kernels[1]["btf"], kernels[2]["btf"]);
  // The minimal BTF is far smaller than the kernel's and libbpf parses it.
  uint64_t full = fs::file_size(hub / "debian/12/x86_64" / (rel + ".btf"));
  uint64_t min = kernels[1]["btf_size"].get<uint64_t>();
  EXPECT_LT(min * 20, full) << min << " vs " << full;
  EmbeddedBtf chosen = choose_embedded_btf(pkg["btf_archive"].dump(), "package.json", rel, "x86_64");
  EXPECT_EQ(chosen.entry(), "debian/12/x86_64/" + rel + " (" + std::to_string(min) + " bytes of BTF)");
  struct btf* parsed = btf__parse(chosen.path().c_str(), nullptr);
  ASSERT_NE(parsed, nullptr) << chosen.path();
  EXPECT_GT(btf__type_cnt(parsed), 1u);
  EXPECT_EQ(btf__find_by_name_kind(parsed, "trace_event_raw_signal_generate", BTF_KIND_STRUCT) > 0, true);
  btf__free(parsed);
  // bpftool reads it too.
  std::ofstream(tmp / "min.btf", std::ios::binary) << std::ifstream(chosen.path(), std::ios::binary).rdbuf();
  RunResult dump = run({"/usr/sbin/bpftool", "btf", "dump", "file", (tmp / "min.btf").string()});
  EXPECT_EQ(dump.exit_code, 0) << dump.err;
  EXPECT_NE(dump.out.find("'trace_event_raw_signal_generate'"), std::string::npos);

  // The same package without the kernel's BTF: events field by field.
  hide_kernel_btf();
  RunResult v = ecli({"run", "-v", "-d", "0.5", (out / "package.json").string(), "-p", "1"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.err.find("ecli: btf_archive: using the embedded BTF of debian/12/x86_64/" + rel + " ("),
            std::string::npos)
      << v.err;
  expect_sigsnoop_json(out / "package.json");
}

TEST_F(Btfgen, ReleaseNotInThePackageIsOneClearLine) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path out = tmp / "pkg";
  RunResult b = ecc_btfgen(make_hub(false), out);
  ASSERT_EQ(b.exit_code, 0) << b.err;
  fs::copy_file("/sys/kernel/btf/vmlinux", tmp / "vmlinux.btf");
  hide_kernel_btf();
  RunResult r = ecli({"run", "-d", "1", (out / "package.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << r.err;
  EXPECT_EQ(lines[0], "ecli: error: kernel " + uname_release() +
                          " (x86_64) has no BTF (/sys/kernel/btf/vmlinux is missing or empty) and the package's "
                          "btf_archive has no entry for it (it carries 1 release(s)): give this kernel's BTF with "
                          "--btf FILE, or rebuild the package with ecc --btfgen DIR over a btfhub-archive that has "
                          "this release (" + (out / "package.json").string() + ")");
  // --btf still wins over the archive.
  r = ecli({"run", "-d", "0.5", "--btf", (tmp / "vmlinux.btf").string(), (out / "package.json").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("attached"), std::string::npos) << r.err;
}

// gen-wasm-skel --btfgen puts the same archive in app.wasm (a custom
// section); the Wasm host relocates with it when the kernel has no BTF.
TEST_F(Btfgen, WasmAppRunsWithTheKernelBtfHidden) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path hub = make_hub();
  fs::path dir = tmp / "sigsnoop";
  fs::create_directories(dir);
  for (const char* f : {"sigsnoop.bpf.c", "sigsnoop.h"}) fs::copy_file(source_dir() / "examples/sigsnoop" / f, dir / f);
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel", "--btfgen", hub.string()}, env, dir.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  EXPECT_NE(gen.out.find("ecc: --btfgen: package.json grew by "), std::string::npos) << gen.out;
  RunResult build = run({ecc_binary().string(), "build-wasm"}, env, dir.string());
  ASSERT_EQ(build.exit_code, 0) << build.err;
  std::vector<uint8_t> wasm = read_bytes(dir / "app.wasm");
  std::string section = wasm_custom_section(wasm.data(), wasm.size(), kBtfArchiveSection);
  auto pkg = nlohmann::ordered_json::parse(read_text(dir / "package.json"));
  EXPECT_EQ(section, pkg["btf_archive"].dump()) << "the module carries the package's archive, verbatim";
  std::string rel = uname_release();

  hide_kernel_btf();
  for (const char* engine : {"interp", "aot"}) {
    SCOPED_TRACE(engine);
    EcliProcess p({"run", "-v", "--engine", engine, "-d", "20", (dir / "app.wasm").string(), "--signal", "12", "--pid",
                   std::to_string(getpid())});
    Sleeper child;
    ASSERT_TRUE(signal_until_seen(p, child, SIGUSR2)) << p.err();
    child.send(SIGUSR1);
    child.send(SIGUSR2);
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    p.signal(SIGINT);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("ecli: btf_archive: using the embedded BTF of debian/12/x86_64/" + rel + " ("),
              std::string::npos)
        << r.err;
    int ours = 0;
    for (const auto& e : json_lines(r.out)) {
      EXPECT_EQ(e["sig"], 12) << e.dump();
      EXPECT_EQ(e["pid"], getpid()) << e.dump();
      EXPECT_EQ(e["tpid"], child.pid) << e.dump();
      EXPECT_EQ(e["ret"], 0) << e.dump();
      EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
      ++ours;
    }
    EXPECT_GE(ours, 2) << r.out;
  }
}

TEST_F(Btfgen, BadTreesAreOneLineAndWriteNothing) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  RunResult help = run({ecc_binary().string(), "--help"});
  EXPECT_NE(help.out.find("  --btfgen DIR         embed the minimal BTF of every kernel of a btfhub-archive tree"),
            std::string::npos)
      << help.out;
  fs::path out = tmp / "pkg";
  auto expect_error = [&](const fs::path& hub, const std::string& what, const std::string& file) {
    RunResult r = ecc_btfgen(hub, out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    auto lines = split_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("ecc: error: --btfgen: " + what, 0), 0u) << r.err;
    EXPECT_EQ(lines[0].substr(lines[0].size() - file.size() - 2), "(" + file + ")") << r.err;
    EXPECT_FALSE(fs::exists(out / "package.json"));
    EXPECT_FALSE(fs::exists(out / "sigsnoop.bpf.o"));
  };
  expect_error(tmp / "nowhere", "no such directory", (tmp / "nowhere").string());
  fs::create_directories(tmp / "empty/debian/12/x86_64");
  write_text(tmp / "empty/debian/12/x86_64/README", "not a BTF\n");
  expect_error(tmp / "empty", "no <distro>/<version>/<arch>/<release>.btf or .btf.tar.xz entries",
               (tmp / "empty").string());
  fs::path hub = make_hub();
  fs::path bad = hub / "debian/12/x86_64/6.0.0-damaged.btf";
  write_text(bad, "this is not BTF");
  expect_error(hub, "bpftool gen min_core_btf failed on this kernel BTF: ", bad.string());
  fs::remove(bad);
  fs::path bad_xz = hub / "ubuntu/22.04/x86_64/6.0.0-damaged.btf.tar.xz";
  write_text(bad_xz, "this is not xz");
  expect_error(hub, "damaged entry: tar -xJ failed: ", bad_xz.string());
  fs::remove(bad_xz);
  write_text(hub / "misplaced.btf", "x");
  expect_error(hub, "a BTF file outside the btfhub layout", (hub / "misplaced.btf").string());
}

}  // namespace
}  // namespace ecc::test
