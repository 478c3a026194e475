// ecli killed with SIGKILL leaves nothing attached (issue 11, faults): its
// programs live on BPF links and file descriptors only, which the kernel
// drops with the process. (tc classifiers and xdp with @flags use netlink
// attachments, which outlive the process: not covered here.)
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class SigKill : public EcliTest {};

// Names of the BPF programs loaded in the kernel now (bpftool's JSON).
std::vector<std::string> loaded_program_names() {
  RunResult r = run({"bpftool", "-j", "prog", "show"});
  std::vector<std::string> names;
  if (r.exit_code != 0) return names;
  for (const auto& p : nlohmann::json::parse(r.out)) names.push_back(p.value("name", ""));
  return names;
}

size_t count_of(const std::vector<std::string>& names, const std::string& name) {
  return static_cast<size_t>(std::count(names.begin(), names.end(), name));
}

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
    // The kernel frees programs once their last reference is gone.
    bool gone = false;
    for (int i = 0; i < 50 && !gone; i++) {
      gone = count_of(loaded_program_names(), name) == count_of(before, name);
      if (!gone) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    EXPECT_TRUE(gone) << name << " is still loaded after ecli was killed";
  }
  RunResult link = run({"ip", "link", "show", "dev", "lo"});
  EXPECT_EQ(link.out.find("xdp"), std::string::npos) << link.out;
}

}  // namespace
}  // namespace ecc::test
