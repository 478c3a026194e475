#include "ecli_fixture.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <regex>
#include <sstream>

#include "ecc/btf_archive.h"

namespace ecc::test {

fs::path ecli_binary() { return ECLI_BINARY; }

EcliProcess::EcliProcess(std::vector<std::string> args) : EcliProcess(ecli_binary(), std::move(args)) {}

EcliProcess::EcliProcess(const fs::path& binary, std::vector<std::string> args, std::vector<std::string> env)
    : tool_(binary.filename().string()) {
  args.insert(args.begin(), binary.string());
  int out[2], err[2];
  if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) throw std::runtime_error("pipe failed");
  pid_ = fork();
  if (pid_ == 0) {
    dup2(out[1], 1);
    dup2(err[1], 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    if (env.empty()) {
      execv(argv[0], argv.data());
    } else {
      std::vector<char*> envp;
      for (auto& e : env) envp.push_back(e.data());
      envp.push_back(nullptr);
      execve(argv[0], argv.data(), envp.data());
    }
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

EcliProcess::~EcliProcess() {
  if (!reaped_ && pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

bool EcliProcess::pump(int timeout_ms) {
  pollfd fds[2] = {{out_fd_, POLLIN, 0}, {err_fd_, POLLIN, 0}};
  int nfds = 0;
  pollfd active[2];
  for (auto& f : fds)
    if (f.fd >= 0) active[nfds++] = f;
  if (nfds == 0) return false;
  if (poll(active, nfds, timeout_ms) <= 0) return true;
  for (int i = 0; i < nfds; i++) {
    if (!(active[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
    char buf[65536];
    ssize_t n = read(active[i].fd, buf, sizeof buf);
    bool is_out = active[i].fd == out_fd_;
    if (n > 0) {
      (is_out ? out_ : err_).append(buf, static_cast<size_t>(n));
    } else {
      close(active[i].fd);
      (is_out ? out_fd_ : err_fd_) = -1;
    }
  }
  return true;
}

bool EcliProcess::wait_attached(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (err_.find(tool_ + ": attached") == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline || err_fd_ < 0) return false;
    pump(50);
  }
  return true;
}

bool EcliProcess::wait_output(const std::string& needle, std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_.find(needle) == std::string::npos) {
    if (std::chrono::steady_clock::now() >= deadline || out_fd_ < 0) return false;
    pump(50);
  }
  return true;
}

void EcliProcess::signal(int sig) {
  if (!reaped_) kill(pid_, sig);
}

RunResult EcliProcess::finish(std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (out_fd_ >= 0 || err_fd_ >= 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      kill(pid_, SIGKILL);
      ADD_FAILURE() << "ecli did not stop in time; killed";
      deadline = std::chrono::steady_clock::time_point::max();
    }
    pump(50);
  }
  RunResult r;
  waitpid(pid_, &status_, 0);
  reaped_ = true;
  r.exit_code = WIFEXITED(status_) ? WEXITSTATUS(status_) : -WTERMSIG(status_);
  r.out = out_;
  r.err = err_;
  return r;
}

namespace {
int g_ack_fd = -1;
void on_usr(int) {
  if (write(g_ack_fd, "a", 1) != 1) _exit(1);
}
}  // namespace

Sleeper::Sleeper() {
  int ready[2];
  if (pipe(ready) != 0) throw std::runtime_error("pipe");
  pid = fork();
  if (pid == 0) {
    g_ack_fd = ready[1];
    signal(SIGUSR1, on_usr);
    signal(SIGUSR2, on_usr);
    if (write(ready[1], "r", 1) != 1) _exit(1);
    for (;;) pause();
  }
  close(ready[1]);
  ack = ready[0];
  wait_ack();
}

void Sleeper::wait_ack() {
  pollfd pfd = {ack, POLLIN, 0};
  char c;
  if (poll(&pfd, 1, 3000) != 1 || read(ack, &c, 1) != 1) throw std::runtime_error("sleeper did not answer");
}

void Sleeper::send(int sig) {
  if (kill(pid, sig) != 0) throw std::runtime_error("kill failed");
  wait_ack();
}

Sleeper::~Sleeper() {
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  close(ack);
}

fs::path EcliTest::cache() {
  static TempDir dir;  // lives as long as the test binary
  return dir.path();
}

fs::path EcliTest::build_package(const fs::path& source, const fs::path& header) {
  fs::path out = tmp / source.stem().stem().string();
  std::vector<std::string> argv = {ecc_binary().string(), "-o", out.string(), source.string()};
  if (!header.empty()) argv.push_back(header.string());
  RunResult r = run(argv, {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return out / "package.json";
}

fs::path EcliTest::build_example(const std::string& name) {
  fs::path dir = source_dir() / "examples" / name;
  return build_package(dir / (name + ".bpf.c"), dir / (name + ".h"));
}

fs::path EcliTest::build_wasm_app(const fs::path& src, const std::string& app_c) {
  fs::path dir = tmp / src.filename();
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(src)) fs::copy_file(e.path(), dir / e.path().filename());
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel"}, env, dir.string());
  EXPECT_EQ(gen.exit_code, 0) << gen.err;
  if (!app_c.empty()) write_text(dir / "app.c", app_c);
  RunResult build = run({ecc_binary().string(), "build-wasm"}, env, dir.string());
  EXPECT_EQ(build.exit_code, 0) << build.err;
  EXPECT_NE(build.out.find("app.wasm"), std::string::npos) << "prints the result and its size: " << build.out;
  return dir / "app.wasm";
}

RunResult EcliTest::ecli(std::vector<std::string> args) {
  EcliProcess p(std::move(args));
  return p.finish(std::chrono::seconds(20));
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  return lines;
}

std::vector<std::string> split_words(const std::string& line) {
  std::vector<std::string> words;
  std::istringstream in(line);
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> v;
  for (const auto& l : split_lines(out)) {
    auto j = nlohmann::json::parse(l, nullptr, false);
    if (!j.is_discarded() && j.is_object()) v.push_back(j);
  }
  return v;
}

std::string self_comm() {
  std::string c = read_text("/proc/self/comm");
  while (!c.empty() && c.back() == '\n') c.pop_back();
  return c;
}

bool signal_until_seen(EcliProcess& p, Sleeper& child, int sig, std::string needle) {
  if (needle.empty()) needle = "\"tpid\":" + std::to_string(child.pid);
  for (int i = 0; i < 50; ++i) {
    child.send(sig);
    if (p.wait_output(needle, std::chrono::milliseconds(200))) return true;
  }
  return false;
}

void expect_sigsnoop_json(const fs::path& pkg, const std::vector<std::string>& options) {
  std::vector<std::string> args = {"run", "-j", "-d", "4"};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {pkg.string(), "--signal", "10", "--pid=" + std::to_string(getpid())});
  EcliProcess p(args);
  expect_sigsnoop_json(p);
}

void expect_sigsnoop_json(EcliProcess& p) {
  ASSERT_TRUE(p.wait_attached()) << p.err();
  Sleeper child;
  child.send(SIGUSR1);
  child.send(SIGUSR2);
  child.send(SIGUSR1);
  EXPECT_TRUE(p.wait_output("\"tpid\":" + std::to_string(child.pid), std::chrono::seconds(3)));
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto events = json_lines(r.out);
  int seen = 0;
  for (const auto& e : events) {
    ASSERT_EQ(e.size(), 5u) << e.dump();
    EXPECT_EQ(e["sig"], 10) << "the --signal filter let another signal through: " << e.dump();
    EXPECT_EQ(e["pid"], getpid());
    if (e["tpid"] == child.pid) {
      seen++;
      EXPECT_EQ(e["ret"], 0);
      EXPECT_EQ(e["comm"], self_comm().substr(0, 15));
      EXPECT_FALSE(e.contains("TIME"));
    }
  }
  EXPECT_EQ(seen, 2) << r.out;
}

int expect_sigsnoop_table(const std::string& out, int tpid, int sig) {
  auto lines = split_lines(out);
  EXPECT_GE(lines.size(), 2u) << out;
  if (lines.empty()) return 0;
  EXPECT_EQ(split_words(lines[0]), (std::vector<std::string>{"TIME", "PID", "TPID", "SIG", "RET", "COMM"}));
  int seen = 0;
  for (size_t i = 1; i < lines.size(); i++) {
    auto w = split_words(lines[i]);
    EXPECT_GE(w.size(), 6u) << lines[i];
    if (w.size() < 6) continue;
    EXPECT_TRUE(std::regex_match(w[0], std::regex(R"(\d\d:\d\d:\d\d)"))) << lines[i];
    EXPECT_EQ(w[1], std::to_string(getpid()));
    EXPECT_EQ(w[3], std::to_string(sig)) << lines[i];
    if (w[2] == std::to_string(tpid)) {
      seen++;
      EXPECT_EQ(w[4], "0");
      EXPECT_EQ(lines[i].substr(lines[i].find(w[5])), self_comm().substr(0, 15));
      // Columns line up with the header.
      EXPECT_EQ(lines[i].find(w[2], w[0].size() + w[1].size()), lines[0].find("TPID"));
    }
  }
  return seen;
}

void expect_sigsnoop_table(EcliProcess& p) {
  ASSERT_TRUE(p.wait_attached()) << p.err();
  Sleeper child;
  child.send(SIGUSR2);
  child.send(SIGUSR1);
  RunResult r = p.finish();  // -d stops it
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(expect_sigsnoop_table(r.out, child.pid, 12), 1) << r.out;
}

int expect_sigsnoop_app_events(const std::string& out, int tpid, int sig) {
  int ours = 0;
  for (const auto& e : json_lines(out)) {
    EXPECT_EQ(e.size(), 5u) << e.dump();
    EXPECT_EQ(e["sig"], sig) << "the filter let another signal through: " << e.dump();
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    EXPECT_EQ(e["tpid"], tpid) << e.dump();
    EXPECT_EQ(e["ret"], 0) << e.dump();
    EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
    ++ours;
  }
  return ours;
}

PinToThisCpu::PinToThisCpu() {
  EXPECT_EQ(sched_getaffinity(0, sizeof all_, &all_), 0);
  cpu_set_t one;
  CPU_ZERO(&one);
  CPU_SET(sched_getcpu(), &one);
  EXPECT_EQ(sched_setaffinity(0, sizeof one, &one), 0);
}

PinToThisCpu::~PinToThisCpu() { sched_setaffinity(0, sizeof all_, &all_); }

LostReports lost_reports(const std::string& err, const std::string& map) {
  LostReports r;
  std::regex per_cpu("^ecli: lost (\\d+) events of '" + map + "' on CPU \\d+$");
  std::regex total("^ecli: (\\d+) events of '" + map + "' were lost \\(the perf buffer overflowed\\)$");
  for (const auto& line : split_lines(err)) {
    std::smatch m;
    if (std::regex_match(line, m, per_cpu)) r.per_cpu += std::stoull(m[1]);
    if (std::regex_match(line, m, total)) r.total += std::stoull(m[1]);
  }
  return r;
}

void EcliTest::hide_kernel_btf() {
  ASSERT_EQ(unshare(CLONE_NEWNS), 0) << std::strerror(errno);
  ASSERT_EQ(mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr), 0) << std::strerror(errno);
  ASSERT_EQ(mount("/dev/null", "/sys/kernel/btf/vmlinux", nullptr, MS_BIND, nullptr), 0) << std::strerror(errno);
  btf_hidden_ = true;
  ASSERT_FALSE(kernel_has_btf());
}

void EcliTest::TearDown() {
  if (btf_hidden_) umount2("/sys/kernel/btf/vmlinux", MNT_DETACH);
}

}  // namespace ecc::test
