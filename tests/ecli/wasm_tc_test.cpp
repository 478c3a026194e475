// The Wasm host's tc attach (bpf_host.cpp: a SCHED_CLS program with the
// target "IFNAME[:ingress|:egress]"): the same helper as ecli's loader
// (ecc/tc_attach.h), so on this kernel a tcx link, detached when the app
// ends and when ecli is SIGKILLed.
#include <signal.h>

#include "kernel_state.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

class WasmTc : public EcliTest {};

TEST_F(WasmTc, AttachesATcxLinkThatGoesWithEcli) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("bpftool");
  ECC_REQUIRE_COMMAND_OR_SKIP("tc");
  fs::path dir = tmp / "tcapp";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(source_dir() / "tests" / "ecli" / "wasm_apps" / "tcapp"))
    fs::copy_file(e.path(), dir / e.path().filename());
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel"}, env, dir.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  RunResult build = run({ecc_binary().string(), "build-wasm", "main.c"}, env, dir.string());
  ASSERT_EQ(build.exit_code, 0) << build.err;
  fs::path app = dir / "app.wasm";
  size_t before = count_of(loaded_program_names(), "tc_count_lo");
  ASSERT_EQ(traces_on_lo("tc_count_lo"), "");

  // Runs to its end: a tcx link while it runs, nothing afterwards.
  {
    EcliProcess p({"run", "-v", app.string(), "1"});
    ASSERT_TRUE(p.wait_output("\"attached\":true", 20s)) << p.out() << p.err();
    EXPECT_TRUE(wait_stderr(p, "ecli: tc program 'tc_count_lo': a tcx link on ifindex 1 egress", 2s)) << p.err();
    std::vector<int> linked = linked_program_ids();
    bool held = false;
    for (int id : program_ids("tc_count_lo")) held |= std::count(linked.begin(), linked.end(), id) > 0;
    EXPECT_TRUE(held) << "no BPF link holds tc_count_lo";
    RunResult r = p.finish(20s);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(programs_back_to("tc_count_lo", before));
    EXPECT_EQ(traces_on_lo("tc_count_lo"), "");
  }
  // SIGKILLed while attached: nothing of it remains either.
  {
    EcliProcess p({"run", app.string(), "30"});
    ASSERT_TRUE(p.wait_output("\"attached\":true", 20s)) << p.out() << p.err();
    EXPECT_EQ(count_of(loaded_program_names(), "tc_count_lo"), before + 1);
    p.signal(SIGKILL);
    EXPECT_EQ(p.finish().exit_code, -9);
    EXPECT_TRUE(programs_back_to("tc_count_lo", before)) << "tc_count_lo is still loaded after SIGKILL";
    EXPECT_EQ(traces_on_lo("tc_count_lo"), "");
  }
}

}  // namespace
}  // namespace ecc::test
