// `ecc --standalone` (docs/ecc-standalone.md): the executable ecc writes next to the
// package runs it by itself, with the program's options plus ecli run's, from
// anywhere; a damaged one says so in one line.
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

fs::path bare_runner() { return ecc_binary().parent_path() / "ecc-standalone"; }

class Standalone : public EcliTest {
 protected:
  std::vector<std::string> ecc_env() {
    return {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  }
  // ecc --standalone -o <tmp>/sigsnoop on the example: the executable.
  fs::path build_sigsnoop() {
    fs::path src = source_dir() / "examples" / "sigsnoop";
    fs::path out = tmp / "sigsnoop";
    RunResult r = run({ecc_binary().string(), "--standalone", "-o", out.string(), (src / "sigsnoop.bpf.c").string(),
                       (src / "sigsnoop.h").string()},
                      ecc_env());
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(fs::exists(out / "package.json")) << "the normal package is written too";
    return out / "sigsnoop";
  }
  // A copy of `exe` with its last `cut` bytes cut off (or one byte at
  // `flip` changed): what the runner says about it.
  RunResult run_damaged(const fs::path& exe, size_t cut, long flip = -1) {
    std::vector<uint8_t> bytes = read_bytes(exe);
    bytes.resize(bytes.size() - cut);
    if (flip >= 0) bytes[static_cast<size_t>(flip)] ^= 0x20;
    fs::path copy = tmp / "damaged";
    fs::remove(copy);
    write_text(copy, std::string(bytes.begin(), bytes.end()));
    fs::permissions(copy, fs::perms::owner_all);
    return run({copy.string(), "-h"});
  }
};

TEST_F(Standalone, RunsWithItsOptionsAndEcliOptions) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path exe = build_sigsnoop();
  struct stat st {};
  ASSERT_EQ(stat(exe.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0755u);
  EXPECT_GT(fs::file_size(exe), fs::file_size(bare_runner()));
  // The program's options and ecli's, mixed in any order.
  EcliProcess p(exe, {"--signal", "10", "-j", "-d", "4", "--pid=" + std::to_string(getpid())});
  expect_sigsnoop_json(p);
  // The runner's messages carry its own name.
  EXPECT_NE(p.err().find("sigsnoop: attached 1 programs\n"), std::string::npos) << p.err();
  EXPECT_EQ(p.err().find("ecli:"), std::string::npos) << p.err();
}

TEST_F(Standalone, HelpListsTheProgramsAndTheRunnersOptions) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path exe = build_sigsnoop();
  RunResult r = run({exe.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"Usage: sigsnoop [options]", "-p, --pid", "trace only signals sent by this PID", "-s, --signal",
                        "-x, --failed", "Trace standard and real-time signals.", "-j, --json",
                        "-d, --duration SECONDS", "--btf FILE", "-v, --verbose"})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_EQ(r.out.find("--engine"), std::string::npos) << "a package has no engine:\n" << r.out;
  EXPECT_EQ(r.err, "");
  RunResult bad = run({exe.string(), "--no-such-option"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_EQ(bad.err, "sigsnoop: error: unknown program option '--no-such-option' (see -h)\n");
}

// A copy somewhere else, started from / with an almost empty environment
// and, in a mount namespace, the source and build trees hidden: nothing of
// them is needed.
TEST_F(Standalone, MovedCopyRunsWithTheBuildTreeHidden) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("unshare");
  fs::path exe = build_sigsnoop();
  TempDir elsewhere;
  fs::path copy = elsewhere / "sigsnoop-copy";
  fs::copy_file(exe, copy);
  fs::remove_all(exe.parent_path());  // no package.json next to anything
  std::string hide;
  fs::path build_root = ecc_binary().parent_path().parent_path().parent_path();
  for (const fs::path& d : {build_root, source_dir()}) {  // the build tree may lie inside the source tree
    auto rel = fs::relative(copy, d);
    if (!rel.empty() && *rel.begin() != "..") continue;  // the copy lives there: keep it visible
    hide += "mount -t tmpfs none '" + d.string() + "' && ";
  }
  ASSERT_FALSE(hide.empty()) << "nothing to hide";
  std::string pid = std::to_string(getpid());
  EcliProcess p("/usr/bin/unshare",
                {"--mount", "--propagation", "private", "sh", "-c",
                 "cd / && " + hide + "test ! -e '" + bare_runner().string() + "' && exec '" + copy.string() +
                     "' -d 3 -s 12 -p " + pid},
                {"PATH=/usr/bin:/bin"});
  p.set_tool("sigsnoop-copy");
  expect_sigsnoop_table(p);
}

TEST_F(Standalone, DamagedExecutablesSayWhatIsWrong) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path exe = build_sigsnoop();
  size_t runner = fs::file_size(bare_runner()), total = fs::file_size(exe);
  const std::string name = "damaged: error: ";
  RunResult tail_cut = run_damaged(exe, 100);
  EXPECT_EQ(tail_cut.exit_code, 1);
  EXPECT_EQ(tail_cut.out, "");
  EXPECT_TRUE(std::regex_match(tail_cut.err, std::regex(name + "the embedded package is damaged: the payload has \\d+ of "
                                                                "its \\d+ bytes \\(truncated or appended to\\) \\(.*damaged\\)\n")))
      << tail_cut.err;
  RunResult header_cut = run_damaged(exe, total - runner - 10);
  EXPECT_EQ(header_cut.exit_code, 1);
  EXPECT_NE(header_cut.err.find("the embedded package is damaged: no payload header after the runner"),
            std::string::npos)
      << header_cut.err;
  RunResult flipped = run_damaged(exe, 0, static_cast<long>(runner + 24 + 40));
  EXPECT_EQ(flipped.exit_code, 1);
  EXPECT_NE(flipped.err.find("the embedded package is damaged: its checksum does not match"), std::string::npos)
      << flipped.err;
  RunResult bare = run({bare_runner().string()});
  EXPECT_EQ(bare.exit_code, 1);
  EXPECT_NE(bare.err.find("ecc-standalone: error: no package embedded"), std::string::npos) << bare.err;
  for (const RunResult* r : {&tail_cut, &header_cut, &flipped, &bare})
    EXPECT_EQ(std::count(r->err.begin(), r->err.end(), '\n'), 1) << "one line: " << r->err;
}

// An ecc without its runner: exit 3, one line, nothing compiled or written.
TEST_F(Standalone, MissingRunnerIsAToolError) {
  fs::path bin = tmp / "bin";
  fs::create_directories(bin);
  for (const auto& e : fs::directory_iterator(ecc_binary().parent_path()))
    if (e.path().filename() == "ecc" || e.path().extension() == ".so") fs::copy_file(e.path(), bin / e.path().filename());
  fs::path src = source_dir() / "examples" / "sigsnoop";
  fs::path out = tmp / "out";
  RunResult r = run({(bin / "ecc").string(), "--standalone", "-o", out.string(), (src / "sigsnoop.bpf.c").string()},
                    ecc_env());
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_EQ(r.err, "ecc: error: ecc is not installed completely: ecc-standalone (for --standalone) not found (" +
                       (bin / "ecc-standalone").string() + ", " + (tmp / "libexec" / "ecc" / "ecc-standalone").string() +
                       ")\n");
  EXPECT_FALSE(fs::exists(out));
}

// `ecc build-wasm --standalone`: `app`, the module inside the runner, under
// both engines (the AOT one compiles the module into the cache on first run).
class StandaloneWasm : public Standalone, public ::testing::WithParamInterface<const char*> {};

TEST_P(StandaloneWasm, AppRunsAndPrintsItsEvents) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = tmp / "sigsnoop-app";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(source_dir() / "examples" / "sigsnoop"))
    fs::copy_file(e.path(), dir / e.path().filename());
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel"}, ecc_env(), dir.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  RunResult build = run({ecc_binary().string(), "build-wasm", "--standalone"}, ecc_env(), dir.string());
  ASSERT_EQ(build.exit_code, 0) << build.err;
  fs::path app = dir / "app";
  EXPECT_NE(build.out.find(app.string() + ": "), std::string::npos) << build.out;
  ASSERT_TRUE(fs::exists(app));
  EXPECT_EQ(fs::file_size(app), fs::file_size(bare_runner()) + 24 + fs::file_size(dir / "app.wasm"));

  RunResult help = run({app.string(), "--engine", GetParam(), "-h"});
  EXPECT_EQ(help.exit_code, 0) << help.err;
  for (const char* s : {"usage: sigsnoop", "-p, --pid", "Runner options", "--engine ENGINE", "-d, --duration SECONDS"})
    EXPECT_NE(help.out.find(s), std::string::npos) << s << "\n" << help.out;
  EXPECT_EQ(help.out.find("-j, --json"), std::string::npos) << "an app prints its own format:\n" << help.out;

  EcliProcess p(app, {"--engine", GetParam(), "-d", "20", "--signal", "12", "--pid", std::to_string(getpid())});
  Sleeper child;
  ASSERT_TRUE(signal_until_seen(p, child, SIGUSR2)) << p.err();
  child.send(SIGUSR1);
  child.send(SIGUSR2);
  ASSERT_TRUE(p.wait_output("\"sig\":12", 1s));
  std::this_thread::sleep_for(300ms);
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_GE(expect_sigsnoop_app_events(r.out, child.pid, 12), 2) << r.out;
}

INSTANTIATE_TEST_SUITE_P(Engines, StandaloneWasm, ::testing::Values("interp", "aot"));

// What a run of `argv` read with read(2) (rchar of /proc/PID/io, taken
// while the exited child is not yet reaped); -1 when it did not exit 0.
long long bytes_read_by(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid == 0) {
    int null = open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execv(args[0], args.data());
    _exit(127);
  }
  siginfo_t info{};
  if (pid < 0 || waitid(P_PID, static_cast<id_t>(pid), &info, WEXITED | WNOWAIT) != 0) return -1;
  std::ifstream io("/proc/" + std::to_string(pid) + "/io");
  long long rchar = -1;
  for (std::string key; io >> key;) {
    long long value = 0;
    io >> value;
    if (key == "rchar:") rchar = value;
  }
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? rchar : -1;
}

// lib/runtime/src/vmlinux_btf_hook.cpp: libbpf gets the kernel's BTF
// through a mapping, in ecli (shared libbpf) and in a standalone executable
// (libbpf.a) alike, not through read(2)s of its whole size.
TEST_F(Standalone, KernelBtfIsMappedNotRead) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  long long btf_size = static_cast<long long>(fs::file_size("/sys/kernel/btf/vmlinux"));
  ASSERT_GT(btf_size, 1 << 20);
  fs::path exe = build_sigsnoop();
  long long ecli_read = bytes_read_by({ecli_binary().string(), "run", "-d", "0.01", (exe.parent_path() / "package.json").string()});
  long long standalone_read = bytes_read_by({exe.string(), "-d", "0.01"});
  ASSERT_GE(ecli_read, 0) << "ecli run failed";
  ASSERT_GE(standalone_read, 0) << "the standalone executable failed";
  EXPECT_LT(ecli_read, btf_size / 4);
  // The executable reads itself (the runner and its package) to find the package.
  EXPECT_LT(standalone_read, static_cast<long long>(fs::file_size(exe)) + btf_size / 4);
}

}  // namespace
}  // namespace ecc::test
