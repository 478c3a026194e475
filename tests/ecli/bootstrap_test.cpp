// bootstrap on the kernel: an exec and an exit of a child of the test.
#include <sys/wait.h>
#include <unistd.h>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class Bootstrap : public EcliTest {};

pid_t spawn(const char* path, const char* arg) {
  pid_t pid = fork();
  if (pid == 0) {
    execl(path, path, arg, static_cast<char*>(nullptr));
    _exit(127);
  }
  int status;
  waitpid(pid, &status, 0);
  return pid;
}

TEST_F(Bootstrap, ExecAndExitEvents) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("bootstrap");
  EcliProcess p({"run", "-j", "-d", "4", pkg.string()});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  pid_t t = spawn("/bin/true", nullptr);
  pid_t g = fork();
  if (g == 0) {
    execl("/bin/sh", "sh", "-c", "exit 3", static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(g, nullptr, 0);
  EXPECT_TRUE(p.wait_output("\"pid\":" + std::to_string(g) + ",\"ppid\":" + std::to_string(getpid()) +
                                ",\"exit_code\":3",
                            std::chrono::seconds(3)));
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool exec_seen = false, exit_seen = false, code3 = false;
  for (const auto& e : json_lines(r.out)) {
    ASSERT_EQ(e.size(), 7u) << e.dump();
    if (e["pid"] == t) {
      EXPECT_EQ(e["ppid"], getpid());
      EXPECT_EQ(e["comm"], "true");
      if (e["exit_event"] == false) {
        exec_seen = true;
        EXPECT_EQ(e["filename"], "/bin/true");
      } else {
        exit_seen = true;
        EXPECT_EQ(e["exit_code"], 0);
        EXPECT_GT(e["duration_ns"].get<uint64_t>(), 0u);
        EXPECT_EQ(e["filename"], "");
      }
    }
    if (e["pid"] == g && e["exit_event"] == true) {
      code3 = true;
      EXPECT_EQ(e["exit_code"], 3);
      EXPECT_EQ(e["comm"], "sh");
    }
  }
  EXPECT_TRUE(exec_seen) << r.out;
  EXPECT_TRUE(exit_seen) << r.out;
  EXPECT_TRUE(code3) << r.out;
}

TEST_F(Bootstrap, TextRowsCarryTheFilename) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("bootstrap");
  EcliProcess p({"run", "-d", "2", pkg.string()});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  pid_t t = spawn("/bin/true", nullptr);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = split_lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(split_words(lines[0]), (std::vector<std::string>{"TIME", "PID", "PPID", "EXIT_CODE", "DURATION_NS", "COMM",
                                                              "FILENAME", "EXIT_EVENT"}));
  bool found = false;
  for (const auto& l : lines) {
    auto w = split_words(l);
    if (w.size() == 8 && w[1] == std::to_string(t) && w[6] == "/bin/true") {
      found = true;
      EXPECT_EQ(w[2], std::to_string(getpid()));
      EXPECT_EQ(w[5], "true");
      EXPECT_EQ(w[7], "false");
    }
  }
  EXPECT_TRUE(found) << r.out;
}

}  // namespace
}  // namespace ecc::test
