// ecc under faults (docs/testing.md): killed at any stage, a full disk under the
// outputs or the cache, and the order in which the outputs are renamed into
// place (tools/ecc/outputs.h).
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <map>
#include <thread>

#include "ecc_fixture.h"

extern char** environ;

namespace ecc::test {
namespace {

using clock_type = std::chrono::steady_clock;

// The files of `dir` and their bytes (none when it does not exist).
std::map<std::string, std::vector<uint8_t>> files_of(const fs::path& dir) {
  std::map<std::string, std::vector<uint8_t>> out;
  if (!fs::exists(dir)) return out;
  for (const std::string& name : list_dir(dir)) out[name] = read_bytes(dir / name);
  return out;
}

bool is_temporary(const std::string& name) { return name.find(".ecc-tmp-") != std::string::npos; }

// One ecc child in its own process group, its stderr read through a pipe,
// so that a test can kill it at a chosen moment: after the n-th line of its
// -v output, or after some milliseconds.
class EccChild {
 public:
  EccChild(const std::vector<std::string>& args, const std::vector<std::string>& env) {
    int fds[2];
    if (pipe2(fds, O_CLOEXEC)) throw std::runtime_error("pipe2 failed");
    std::vector<std::string> envs;
    for (char** e = environ; *e; e++) envs.emplace_back(*e);
    envs.insert(envs.end(), env.begin(), env.end());
    std::vector<std::string> argv = args;
    argv.insert(argv.begin(), ecc_binary().string());
    pid_ = fork();
    if (pid_ == 0) {
      setpgid(0, 0);
      int devnull = open("/dev/null", O_RDWR);
      dup2(devnull, 0);
      dup2(devnull, 1);
      dup2(fds[1], 2);
      std::vector<char*> a, e;
      for (auto& s : argv) a.push_back(s.data());
      a.push_back(nullptr);
      for (auto& s : envs) e.push_back(s.data());
      e.push_back(nullptr);
      execve(a[0], a.data(), e.data());
      _exit(127);
    }
    setpgid(pid_, pid_);  // also here: no race with the kill below
    close(fds[1]);
    fd_ = fds[0];
  }
  ~EccChild() {
    if (!reaped_) kill_now();
    if (fd_ >= 0) close(fd_);
  }
  EccChild(const EccChild&) = delete;
  EccChild& operator=(const EccChild&) = delete;

  // Reads stderr until it has `lines` lines or the child closed it (false).
  bool wait_lines(size_t lines) {
    while (std::count(err_.begin(), err_.end(), '\n') < static_cast<long>(lines))
      if (!read_some(-1)) return false;
    return true;
  }
  void sleep_reading(std::chrono::milliseconds ms) {
    auto deadline = clock_type::now() + ms;
    for (auto now = clock_type::now(); now < deadline; now = clock_type::now())
      if (!read_some(static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(deadline - now).count())))
        break;
  }
  // SIGKILL to ecc, then to whatever of its process group is left (clang,
  // the scan module's helpers), and waits until the group is gone. Returns
  // ecc's exit code, or -9 when the kill came first.
  int kill_now() {
    kill(pid_, SIGKILL);
    return reap();
  }
  int wait_exit() { return reap(); }
  const std::string& err() const { return err_; }

 private:
  bool read_some(int timeout_ms) {
    if (fd_ < 0) return false;
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) return timeout_ms == 0 ? true : p.revents == 0;
    char buf[4096];
    ssize_t n = read(fd_, buf, sizeof buf);
    if (n <= 0) {
      close(fd_);
      fd_ = -1;
      return false;
    }
    err_.append(buf, static_cast<size_t>(n));
    return true;
  }
  int reap() {
    int status = 0;
    waitpid(pid_, &status, 0);
    reaped_ = true;
    kill(-pid_, SIGKILL);
    for (int i = 0; i < 500 && kill(-pid_, 0) == 0; i++) std::this_thread::sleep_for(std::chrono::milliseconds(10));
    while (read_some(0) && fd_ >= 0) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
  }
  int pid_ = -1;
  int fd_ = -1;
  bool reaped_ = false;
  std::string err_;
};

class EccFault : public EccTest {
 protected:
  // ECC_CACHE_WARM=sync: the PCH is written inside the run, so a kill can
  // land while it is written too. TMPDIR: a killed run's work directory
  // stays behind (nobody is left to remove it); here, not in /tmp.
  std::vector<std::string> env(const fs::path& cache) const {
    fs::create_directories(tmp / "tmpdir");
    return {"XDG_CACHE_HOME=" + cache.string(), "NO_COLOR=1", "ECC_CACHE_WARM=sync", "TMPDIR=" + (tmp / "tmpdir").string()};
  }
};

// Every output path holds nothing, or exactly the reference file; the only
// other names are hidden temporaries of the killed run.
void expect_no_partial_output(const fs::path& out, const std::map<std::string, std::vector<uint8_t>>& reference,
                              const std::string& when) {
  for (const auto& [name, bytes] : files_of(out)) {
    if (is_temporary(name)) continue;
    auto it = reference.find(name);
    if (it == reference.end()) {
      ADD_FAILURE() << when << ": unexpected file " << name;
      continue;
    }
    EXPECT_EQ(bytes, it->second) << when << ": " << name << " is partial or differs from a clean run";
  }
  // package.json is renamed last: once it is there, every other output is.
  if (fs::exists(out / "package.json")) {
    for (const auto& [name, bytes] : reference)
      EXPECT_TRUE(fs::exists(out / name)) << when << ": package.json is in place but " << name << " is not";
  }
}

// SIGKILL at every stage of a cold run (after each line of its -v output:
// vmlinux.h, clang compile, link, BTF and the scan, package writing) and
// after a sweep of delays; after each kill the outputs are none, old or
// complete, and finally a run on the cache the killed runs left writes
// exactly what a clean run writes.
TEST_F(EccFault, KilledAtAnyStageLeavesNoPartialOutputAndAValidCache) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path dir = copy_example("bootstrap");
  std::vector<std::string> args = {(dir / "bootstrap.bpf.c").string(), (dir / "bootstrap.h").string()};
  auto with_out = [&](const fs::path& out, bool verbose) {
    std::vector<std::string> a = {"-y", "-o", out.string()};
    if (verbose) a.push_back("-v");
    a.insert(a.end(), args.begin(), args.end());
    return a;
  };
  // The reference: a clean cold run, with the number of its -v lines.
  auto t0 = clock_type::now();
  EccChild clean(with_out(tmp / "ref", true), env(tmp / "ref-cache"));
  ASSERT_EQ(clean.wait_exit(), 0) << clean.err();
  auto cold_ms = std::chrono::duration_cast<std::chrono::milliseconds>(clock_type::now() - t0).count();
  auto reference = files_of(tmp / "ref");
  ASSERT_EQ(reference.size(), 5u);
  size_t lines = static_cast<size_t>(std::count(clean.err().begin(), clean.err().end(), '\n'));
  ASSERT_GE(lines, 3u) << clean.err();

  fs::path cache = tmp / "cache", out = tmp / "out";
  int killed = 0, finished = 0;
  // Each stage, on a cache the runs before left (cold at first).
  for (size_t n = 1; n <= lines; n++) {
    EccChild c(with_out(out, true), env(cache));
    std::string when = "killed after -v line " + std::to_string(n);
    int code = c.wait_lines(n) ? c.kill_now() : c.wait_exit();
    (code == -9 ? killed : finished)++;
    if (code != -9) {
      EXPECT_EQ(code, 0) << when << "\n" << c.err();
    }
    expect_no_partial_output(out, reference, when);
  }
  // Delays from 0 to a cold run's length, on a fresh cold cache, each kill
  // in the middle of what the last one left.
  fs::path cache2 = tmp / "cache2", out2 = tmp / "out2";
  for (long ms = 0; ms <= cold_ms; ms = ms < 50 ? ms + 25 : ms * 2) {
    EccChild c(with_out(out2, false), env(cache2));
    c.sleep_reading(std::chrono::milliseconds(ms));
    int code = c.kill_now();
    (code == -9 ? killed : finished)++;
    std::string when = "killed after " + std::to_string(ms) + " ms";
    if (code != -9) {
      EXPECT_EQ(code, 0) << when << "\n" << c.err();
    }
    expect_no_partial_output(out2, reference, when);
  }
  size_t temporaries = 0;
  for (const fs::path& o : {out, out2})
    for (const auto& [name, bytes] : files_of(o)) temporaries += is_temporary(name);
  std::printf("cold run %lld ms, -v lines %zu; %d runs killed, %d finished first; left behind: %zu hidden "
              "temporaries next to the outputs, %zu work directories in TMPDIR\n",
              static_cast<long long>(cold_ms), lines, killed, finished, temporaries, list_dir(tmp / "tmpdir").size());
  EXPECT_GT(killed, 0);
  // The caches the killed runs left are valid: a run on each succeeds and
  // writes the reference bytes.
  for (const auto& [c, o] : {std::pair{cache, out}, std::pair{cache2, out2}}) {
    EccChild after(with_out(o, false), env(c));
    ASSERT_EQ(after.wait_exit(), 0) << after.err();
    auto got = files_of(o);
    for (auto it = got.begin(); it != got.end();) it = is_temporary(it->first) ? got.erase(it) : std::next(it);
    EXPECT_EQ(got, reference) << "a run on the cache left by killed runs differs from a clean run";
  }
}

// The renames of one run, as inotify sees them: package.json comes last,
// after the object and every skeleton, also over the outputs of a run before.
TEST_F(EccFault, PackageJsonIsRenamedLast) {
  fs::path dir = copy_example("sigsnoop");
  fs::path out = tmp / "out";
  fs::create_directories(out);
  const std::vector<std::string> expected = {"sigsnoop.bpf.o", "sigsnoop.skel.json", "sigsnoop.skel.yaml",
                                             "package.yaml", "package.json"};
  for (int round = 0; round < 2; round++) {
    int in = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
    ASSERT_GE(in, 0);
    ASSERT_GE(inotify_add_watch(in, out.c_str(), IN_MOVED_TO), 0);
    RunResult r = ecc({"-y", "-o", out.string(), (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> renamed;
    alignas(inotify_event) char buf[8192];
    for (ssize_t n; (n = read(in, buf, sizeof buf)) > 0;)
      for (char* p = buf; p < buf + n;) {
        auto* ev = reinterpret_cast<inotify_event*>(p);
        if (ev->len) renamed.emplace_back(ev->name);
        p += sizeof(inotify_event) + ev->len;
      }
    close(in);
    EXPECT_EQ(renamed, expected) << "round " << round;
  }
}

// -o on a full disk: the object fits, the package does not. One error line
// naming the file, exit non-zero, nothing left in the output directory.
TEST_F(EccFault, FullDiskUnderTheOutputsGivesOneErrorAndNoPartialFile) {
  fs::path dir = copy_example("sigsnoop");
  SmallTmpfs disk(tmp / "disk", 256 * 1024);
  ECC_REQUIRE_MOUNT_OR_SKIP(disk);
  ASSERT_TRUE(disk.fill_leaving(8192));
  fs::path out = tmp / "disk" / "out";
  RunResult r = ecc({"-o", out.string(), (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("ecc: error: cannot write: No space left on device (" + out.string() + "/", 0), 0u) << r.err;
  EXPECT_FALSE(fs::exists(out)) << "the output directory ecc made is removed again";
  EXPECT_EQ(list_dir(tmp / "disk"), std::vector<std::string>{"filler"});
  // With old outputs there, they stay as they were.
  fs::create_directories(out);
  write_text(out / "package.json", "old");
  r = ecc({"-o", out.string(), (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(list_dir(out), std::vector<std::string>{"package.json"});
  EXPECT_EQ(read_text(out / "package.json"), "old");
}

// XDG_CACHE_HOME on a full disk: vmlinux.h does not fit in the cache.
TEST_F(EccFault, FullDiskUnderTheCacheGivesOneErrorAndNoPartialFile) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path dir = copy_example("sigsnoop");
  SmallTmpfs disk(tmp / "disk", 256 * 1024);
  ECC_REQUIRE_MOUNT_OR_SKIP(disk);
  fs::path out = tmp / "out";
  RunResult r = run({ecc_binary().string(), "-o", out.string(), (dir / "sigsnoop.bpf.c").string(),
                     (dir / "sigsnoop.h").string()},
                    {"XDG_CACHE_HOME=" + (tmp / "disk").string(), "NO_COLOR=1", "ECC_CACHE_WARM=off"});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_EQ(r.err.rfind("ecc: error: ", 0), 0u) << r.err;
  EXPECT_NE(r.err.find("No space left on device (" + (tmp / "disk").string() + "/"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(out));
  for (const auto& e : fs::recursive_directory_iterator(tmp / "disk"))
    EXPECT_FALSE(e.is_regular_file() && is_temporary(e.path().filename().string())) << e.path();
}


// What killed runs leave (hidden temporaries next to the outputs and in the
// cache, work directories in TMPDIR) is swept by the next run once the
// process is gone and the leftover is ten minutes old; a live process's,
// or a fresh one (maybe of another pid namespace), is kept.
TEST_F(EccFault, LeftoversOfKilledRunsAreSweptByTheNextRun) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path dir = copy_example("sigsnoop");
  fs::path out = tmp / "out";
  std::vector<std::string> e = env(tmp / "cache");
  std::vector<std::string> args = {ecc_binary().string(), "-o", out.string(), (dir / "sigsnoop.bpf.c").string(),
                                   (dir / "sigsnoop.h").string()};
  ASSERT_EQ(run(args, e).exit_code, 0);
  pid_t dead = fork();
  if (dead == 0) _exit(0);
  waitpid(dead, nullptr, 0);
  const std::string d = std::to_string(dead), live = std::to_string(getpid());
  const auto long_ago = fs::file_time_type::clock::now() - std::chrono::hours(1);
  auto leave = [&](const fs::path& p, bool old, bool directory) {
    if (directory) {
      fs::create_directories(p / "inner");
      write_text(p / "inner" / "sigsnoop.o", "partial");
    } else {
      write_text(p, "partial");
    }
    if (old) fs::last_write_time(p, long_ago);
    return p;
  };
  fs::path swept[] = {leave(out / (".package.json.ecc-tmp-" + d + "-0"), true, false),
                      leave(out / (".sigsnoop.bpf.o.ecc-tmp-" + d + "-3"), true, false),
                      leave(tmp / "tmpdir" / ("ecc-" + d + "-AbCdEf"), true, true)};
  fs::path kept[] = {leave(out / (".package.json.ecc-tmp-" + live + "-0"), true, false),
                     leave(out / (".package.json.ecc-tmp-" + d + "-1"), false, false),
                     leave(tmp / "tmpdir" / ("ecc-" + d + "-fresh1"), false, true),
                     leave(tmp / "tmpdir" / "ecc-rootfs.abc", true, true)};
  ASSERT_EQ(run(args, e).exit_code, 0);
  for (const fs::path& p : swept) EXPECT_FALSE(fs::exists(p)) << p;
  for (const fs::path& p : kept) EXPECT_TRUE(fs::exists(p)) << p;
}

}  // namespace
}  // namespace ecc::test
