// `ecli run REF|URL` on the kernel: the sigsnoop package and app.wasm,
// pushed by ecli (or by skopeo in the wasm-to-oci layout), run from the
// cache with their events checked field by field.
#include <signal.h>
#include <unistd.h>

#include <memory>

#include "ecli_fixture.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

class OciKernel : public EcliTest {
 protected:
  fs::path oci_cache() const { return tmp / "oci-cache"; }
  std::vector<std::string> env() const {
    return {"XDG_CACHE_HOME=" + oci_cache().string(), "DOCKER_CONFIG=" + (tmp / "docker").string()};
  }
  RunResult ecli_env(std::vector<std::string> a) {
    a.insert(a.begin(), ecli_binary().string());
    return run(a, env());
  }
  // examples/sigsnoop's app.wasm, built as a user builds it.
  fs::path build_app() {
    fs::path dir = tmp / "sigsnoop";
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(source_dir() / "examples" / "sigsnoop"))
      fs::copy_file(e.path(), dir / e.path().filename());
    std::vector<std::string> e = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
    EXPECT_EQ(run({ecc_binary().string(), "gen-wasm-skel"}, e, dir.string()).exit_code, 0);
    RunResult b = run({ecc_binary().string(), "build-wasm"}, e, dir.string());
    EXPECT_EQ(b.exit_code, 0) << b.err;
    return dir / "app.wasm";
  }
  void SetUp() override { setenv("XDG_CACHE_HOME", oci_cache().c_str(), 1); }  // for expect_sigsnoop_json's ecli
  void TearDown() override {
    unsetenv("XDG_CACHE_HOME");
    EcliTest::TearDown();
  }
};

// The app prints nothing on attach: signal until its first event shows, then
// check two USR1s to the child with the --signal 10 filter.
void expect_app_events(const std::vector<std::string>& run_args) {
  std::vector<std::string> a = {"run", "-d", "20"};
  a.insert(a.end(), run_args.begin(), run_args.end());
  a.insert(a.end(), {"--signal", "10", "--pid", std::to_string(getpid())});
  EcliProcess p(a);
  Sleeper child;
  ASSERT_TRUE(signal_until_seen(p, child, SIGUSR1)) << p.err();
  child.send(SIGUSR2);
  child.send(SIGUSR1);
  std::this_thread::sleep_for(300ms);
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int ours = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["sig"], 10) << e.dump();
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    if (e["tpid"] == child.pid) ours++;
  }
  EXPECT_GE(ours, 2) << r.out;
}

TEST_F(OciKernel, PackagePushedThenRunByReferenceByUrlAndFromTheCacheWithTheRegistryStopped) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  auto reg = std::make_unique<Registry>(Registry::Mode::plain);
  RunResult push = ecli_env({"push", "--plain-http", pkg.string(), reg->ref("ebpf/sigsnoop:latest")});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  std::string digest = push.out.substr(0, push.out.find('\n'));
  RunResult pull = ecli_env({"pull", "--plain-http", reg->ref("ebpf/sigsnoop"), "-o", (tmp / "back.json").string()});
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "back.json"), read_bytes(pkg));
  expect_sigsnoop_json(reg->ref("ebpf/sigsnoop:latest"), {"--plain-http"});
  std::string by_digest = reg->ref("ebpf/sigsnoop@" + digest);
  expect_sigsnoop_json(by_digest, {"--plain-http"});
  reg.reset();
  expect_sigsnoop_json(by_digest, {"--plain-http"});  // the registry is gone: the cache runs it

  fs::create_directories(tmp / "www");
  fs::copy_file(pkg, tmp / "www" / "package.json");
  FakeServer www(tmp / "www");
  expect_sigsnoop_json(www.url("/files/package.json"));
}

TEST_F(OciKernel, AppWasmPushedByEcliAndBySkopeoRunsByReference) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app();
  Registry reg(Registry::Mode::plain);
  RunResult push = ecli_env({"push", "--plain-http", app.string(), reg.ref("ebpf/sigsnoop-wasm:v1")});
  ASSERT_EQ(push.exit_code, 0) << push.err;
  expect_app_events({"--plain-http", reg.ref("ebpf/sigsnoop-wasm:v1")});

  fs::path layout = wasm_to_oci_dir(tmp / "layout", read_bytes(app), "sigsnoop.wasm");
  RunResult copy = run({"skopeo", "copy", "--dest-tls-verify=false", "dir:" + layout.string(),
                        "docker://" + reg.ref("skopeo/sigsnoop:v1")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  expect_app_events({"--plain-http", reg.ref("skopeo/sigsnoop:v1")});
}

}  // namespace
}  // namespace ecc::test
