#include "test_util.h"

#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>

#include <boost/process.hpp>

namespace bp = boost::process;

namespace ecc::test {

TempDir::TempDir() {
  std::random_device rd;
  fs::path base = fs::temp_directory_path();
  for (int i = 0; i < 100; ++i) {
    fs::path p = base / ("ecc-test-" + std::to_string(getpid()) + "-" + std::to_string(rd()));
    if (fs::create_directory(p)) {
      path_ = p;
      return;
    }
  }
  throw std::runtime_error("cannot create a temp dir");
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env,
              const std::string& cwd) {
  RunResult r;
  bp::ipstream out, err;
  bp::environment e = boost::this_process::environment();
  for (const auto& kv : env) {
    auto eq = kv.find('=');
    e[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  std::string exe = argv.at(0);
  if (exe.find('/') == std::string::npos) exe = bp::search_path(exe).string();
  if (exe.empty()) {
    r.err = "not found: " + argv[0];
    return r;
  }
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::child c(exe, bp::args(args), e, bp::std_out > out, bp::std_err > err, bp::std_in < bp::null,
              bp::start_dir(cwd.empty() ? fs::current_path().string() : cwd));
  // Drain both pipes concurrently so neither fills up and blocks the child.
  std::string err_text;
  std::thread t([&] {
    std::ostringstream s;
    s << err.rdbuf();
    err_text = s.str();
  });
  std::ostringstream s;
  s << out.rdbuf();
  t.join();
  c.wait();
  r.exit_code = c.exit_code();
  r.out = s.str();
  r.err = err_text;
  return r;
}

std::string read_text(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::vector<uint8_t> read_bytes(const fs::path& p) {
  std::string s = read_text(p);
  return {s.begin(), s.end()};
}

void write_text(const fs::path& p, const std::string& text) {
  std::ofstream f(p, std::ios::binary);
  f << text;
}

std::vector<std::string> list_dir(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

fs::path source_dir() { return ECC_SOURCE_DIR; }
fs::path ecc_binary() { return ECC_BINARY; }

fs::path test_vmlinux_h() {
  // One per kernel BTF (by size and mtime), shared by every test process and
  // written atomically, so parallel tests neither race nor leave copies behind.
  static std::once_flag once;
  static fs::path path;
  std::call_once(once, [] {
    auto btf = fs::path("/sys/kernel/btf/vmlinux");
    auto key = std::to_string(fs::file_size(btf)) + "-" +
               std::to_string(fs::last_write_time(btf).time_since_epoch().count());
    fs::path dir = fs::temp_directory_path() / ("ecc-test-vmlinux-" + key);
    path = dir / "vmlinux.h";
    if (fs::exists(path)) return;
    fs::create_directories(dir);
    RunResult r = run({"bpftool", "btf", "dump", "file", btf.string(), "format", "c"});
    if (r.exit_code != 0) throw std::runtime_error("bpftool btf dump failed: " + r.err);
    fs::path tmp = dir / ("vmlinux.h.tmp-" + std::to_string(getpid()));
    write_text(tmp, r.out);
    fs::rename(tmp, path);
  });
  return path;
}

fs::path compile_bpf(const TempDir& dir, const std::string& name, const std::string& source) {
  fs::path src = dir / (name + ".bpf.c");
  fs::path obj = dir / (name + ".tmp.o");
  fs::path linked = dir / (name + ".bpf.o");
  write_text(src, source);
  RunResult c = run({"clang", "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_x86", "-I",
                     test_vmlinux_h().parent_path().string(), "-I", dir.path().string(), "-c",
                     src.string(), "-o", obj.string()});
  if (c.exit_code != 0) throw std::runtime_error("clang failed on " + name + ":\n" + c.err);
  RunResult l = run({"bpftool", "gen", "object", linked.string(), obj.string()});
  if (l.exit_code != 0) throw std::runtime_error("bpftool gen object failed on " + name + ":\n" + l.err);
  return linked;
}

bool kernel_available() {
  return geteuid() == 0 && fs::exists("/sys/kernel/btf/vmlinux");
}

SmallTmpfs::SmallTmpfs(fs::path dir, size_t size) : dir_(std::move(dir)), size_(size) {
  fs::create_directories(dir_);
  std::string opts = "size=" + std::to_string(size_);
  mounted_ = mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, opts.c_str()) == 0;
  if (!mounted_) error_ = std::strerror(errno);
}

SmallTmpfs::~SmallTmpfs() {
  if (mounted_) umount2(dir_.c_str(), MNT_DETACH);
}

bool SmallTmpfs::fill_leaving(size_t free_bytes) {
  std::vector<uint8_t> page(4096, 0xee);
  int fd = open((dir_ / "filler").c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return false;
  size_t keep = (free_bytes + page.size() - 1) / page.size() * page.size();
  bool ok = true;
  for (size_t off = 0; ok && off + keep < size_; off += page.size())
    ok = write(fd, page.data(), page.size()) == static_cast<ssize_t>(page.size());
  close(fd);
  return ok;
}

}  // namespace ecc::test
