// ecli killed with SIGKILL leaves nothing attached (docs/testing.md, Faults): its
// programs live on BPF links and file descriptors only, which the kernel
// drops with the process. tc classifiers are tcx links on a kernel that has
// them (this one: 6.x); xdp with @flags uses a netlink attachment, which
// outlives the process: not covered here.
#include <signal.h>
#include <unistd.h>

#include "kernel_state.h"

namespace ecc::test {
namespace {

class SigKill : public UdpwatchTest {};

TEST_F(SigKill, LeavesNoProgramsOrXdpBehind) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("bpftool");
  fs::path dir = source_dir() / "tests/ecli/programs";
  fs::path sig = build_example("sigsnoop");
  fs::path xdp = build_package(dir / "xdp_only.bpf.c");
  // sigsnoop's programs are tracepoints ("sig_trace", 15 characters at most
  // in the kernel's name), xdp_only's program is on a BPF link.
  auto before = loaded_program_names();
  for (const fs::path& pkg : {sig, xdp}) {
    EcliProcess p({"run", pkg.string()});
    ASSERT_TRUE(p.wait_attached()) << p.err();
    auto during = loaded_program_names();
    std::string name = pkg == sig ? "sig_trace" : "xdp_count";
    EXPECT_EQ(count_of(during, name), count_of(before, name) + 1) << name;
    p.signal(SIGKILL);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, -9);
    EXPECT_TRUE(programs_back_to(name, count_of(before, name))) << name << " is still loaded after ecli was killed";
  }
  RunResult link = run({"ip", "link", "show", "dev", "lo"});
  EXPECT_EQ(link.out.find("xdp"), std::string::npos) << link.out;
}

// A tc classifier (egress on lo, with a handle and priority in its
// annotations) next to an XDP program: both on links, so after SIGKILL no
// program, no link, no tc filter and no XDP program of ours remains.
TEST_F(SigKill, LeavesNoTcFilterOrLinkBehind) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("bpftool");
  ECC_REQUIRE_COMMAND_OR_SKIP("tc");
  fs::path pkg = build_udpwatch();
  auto before = loaded_program_names();
  ASSERT_EQ(traces_on_lo("tc_udp"), "");
  EcliProcess p({"run", "-v", pkg.string(), "--port", "47914"});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  // -v says how: a tcx link, where handle and priority do not apply.
  EXPECT_NE(p.err().find("tc program 'tc_udp': a tcx link on ifindex 1 egress"), std::string::npos) << p.err();
  std::vector<int> ids = program_ids("tc_udp");
  ASSERT_EQ(ids.size(), count_of(before, "tc_udp") + 1);
  auto linked = linked_program_ids();
  int tc_id = 0;
  for (int id : ids)
    if (std::count(linked.begin(), linked.end(), id)) tc_id = id;
  EXPECT_GT(tc_id, 0) << "no BPF link holds tc_udp";
  p.signal(SIGKILL);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, -9);
  EXPECT_TRUE(programs_back_to("tc_udp", count_of(before, "tc_udp"))) << "tc_udp is still loaded after SIGKILL";
  EXPECT_TRUE(programs_back_to("xdp_udp", count_of(before, "xdp_udp"))) << "xdp_udp is still loaded after SIGKILL";
  linked = linked_program_ids();
  EXPECT_EQ(std::count(linked.begin(), linked.end(), tc_id), 0) << "a link still holds tc_udp";
  EXPECT_EQ(traces_on_lo("tc_udp"), "");
  EXPECT_EQ(traces_on_lo("xdp_udp"), "");
}

}  // namespace
}  // namespace ecc::test
