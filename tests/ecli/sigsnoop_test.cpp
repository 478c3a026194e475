// sigsnoop on the kernel: the test signals a sleeping child of its own and
// finds exactly those signals in ecli's output, field by field.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <regex>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class Sigsnoop : public EcliTest {};

TEST_F(Sigsnoop, JsonOnlyTheChosenSignal) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  expect_sigsnoop_json(build_example("sigsnoop"));
}

TEST_F(Sigsnoop, TextTableWithTime) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  EcliProcess p({"run", "-d", "3", pkg.string(), "-s", "12", "-p", std::to_string(getpid())});
  expect_sigsnoop_table(p);
}

TEST_F(Sigsnoop, SigtermStopsCleanly) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  EcliProcess p({"run", "-j", pkg.string(), "-p", "1"});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  p.signal(SIGTERM);
  RunResult r = p.finish(std::chrono::seconds(5));
  EXPECT_EQ(r.exit_code, 0) << r.err;
}

TEST_F(Sigsnoop, HelpListsOptionsAndDoc) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  RunResult r = ecli({"run", pkg.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"-p, --pid", "trace only signals sent by this PID", "-s, --signal", "-x, --failed",
                        "Trace standard and real-time signals.", "whether it was delivered", "1.0"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.err.find("attached"), std::string::npos);
}

}  // namespace
}  // namespace ecc::test
