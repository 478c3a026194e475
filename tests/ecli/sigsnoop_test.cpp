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
  ASSERT_TRUE(p.wait_attached()) << p.err();
  Sleeper child;
  child.send(SIGUSR2);
  child.send(SIGUSR1);
  RunResult r = p.finish();  // -d stops it
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = split_lines(r.out);
  ASSERT_GE(lines.size(), 2u) << r.out;
  EXPECT_EQ(split_words(lines[0]), (std::vector<std::string>{"TIME", "PID", "TPID", "SIG", "RET", "COMM"}));
  int seen = 0;
  for (size_t i = 1; i < lines.size(); i++) {
    auto w = split_words(lines[i]);
    ASSERT_GE(w.size(), 6u) << lines[i];
    EXPECT_TRUE(std::regex_match(w[0], std::regex(R"(\d\d:\d\d:\d\d)"))) << lines[i];
    EXPECT_EQ(w[1], std::to_string(getpid()));
    EXPECT_EQ(w[3], "12") << lines[i];
    if (w[2] == std::to_string(child.pid)) {
      seen++;
      EXPECT_EQ(w[4], "0");
      EXPECT_EQ(lines[i].substr(lines[i].find(w[5])), self_comm().substr(0, 15));
      // Columns line up with the header.
      EXPECT_EQ(lines[i].find(w[2], w[0].size() + w[1].size()), lines[0].find("TPID"));
    }
  }
  EXPECT_EQ(seen, 1) << r.out;
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
