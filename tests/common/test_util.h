// Helpers shared by the test suites: temp dirs, running commands, files,
// and the kernel requirement in docs/testing.md.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

namespace ecc::test {

namespace fs = std::filesystem;

// A fresh directory under $TMPDIR, removed with everything in it.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const fs::path& path() const { return path_; }
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

struct RunResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up in PATH when it has no '/') with the given extra
// environment ("NAME=value"), capturing stdout and stderr.
RunResult run(const std::vector<std::string>& argv, const std::vector<std::string>& env = {},
              const std::string& cwd = {});

std::string read_text(const fs::path& p);
std::vector<uint8_t> read_bytes(const fs::path& p);
void write_text(const fs::path& p, const std::string& text);

// Files in `dir` (names only, sorted), for "no output was left" checks.
std::vector<std::string> list_dir(const fs::path& dir);

// Build-tree and source-tree locations, set by CMake.
fs::path source_dir();   // the repository root
fs::path ecc_binary();   // the built tools/ecc

// A vmlinux.h for this machine's kernel, generated once per test binary
// with the built ecc (ecc --gen-vmlinux-h equivalent lives in the driver;
// tests use bpftool as an independent oracle here).
fs::path test_vmlinux_h();

// Compiles BPF C source with plain clang (-g -O2 -target bpf) and links it
// with `bpftool gen object`, returning the object path inside `dir`.
fs::path compile_bpf(const TempDir& dir, const std::string& name, const std::string& source);

// True when this process may load BPF programs (root, /sys/kernel/btf/vmlinux).
bool kernel_available();

// A tmpfs of `size` bytes mounted at `dir` (created), for the full-disk
// tests; unmounted again by the destructor. Mounting needs root.
class SmallTmpfs {
 public:
  SmallTmpfs(fs::path dir, size_t size);
  ~SmallTmpfs();
  SmallTmpfs(const SmallTmpfs&) = delete;
  SmallTmpfs& operator=(const SmallTmpfs&) = delete;
  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }  // why the mount failed
  // Fills it with a file "filler" until `free_bytes` (rounded up to pages)
  // are left. False when it cannot.
  bool fill_leaving(size_t free_bytes);

 private:
  fs::path dir_;
  size_t size_;
  bool mounted_ = false;
  std::string error_;
};

}  // namespace ecc::test

// Use at the top of a test that needs root and the kernel: skips without
// them, but fails when ECC_REQUIRE_KERNEL=1 (as CI sets it).
#define ECC_REQUIRE_KERNEL_OR_SKIP()                                                        \
  do {                                                                                      \
    if (!::ecc::test::kernel_available()) {                                                 \
      const char* req = std::getenv("ECC_REQUIRE_KERNEL");                                  \
      if (req && std::string(req) == "1") FAIL() << "needs root and kernel BPF (ECC_REQUIRE_KERNEL=1)"; \
      GTEST_SKIP() << "needs root and kernel BPF";                                          \
    }                                                                                       \
  } while (0)

// The same for a test that needs only the kernel's BTF (to build vmlinux.h).
#define ECC_REQUIRE_KERNEL_BTF_OR_SKIP()                                                    \
  do {                                                                                      \
    if (!std::filesystem::exists("/sys/kernel/btf/vmlinux")) {                              \
      const char* req = std::getenv("ECC_REQUIRE_KERNEL");                                  \
      if (req && std::string(req) == "1") FAIL() << "needs /sys/kernel/btf/vmlinux (ECC_REQUIRE_KERNEL=1)"; \
      GTEST_SKIP() << "needs /sys/kernel/btf/vmlinux";                                      \
    }                                                                                       \
  } while (0)

// And for a test that needs a SmallTmpfs `t`: a mount that failed is a
// failure under ECC_REQUIRE_KERNEL=1 (CI runs as root), a skip elsewhere.
#define ECC_REQUIRE_MOUNT_OR_SKIP(t)                                                        \
  do {                                                                                      \
    if (!(t).mounted()) {                                                                   \
      const char* req = std::getenv("ECC_REQUIRE_KERNEL");                                  \
      if (req && std::string(req) == "1") FAIL() << "cannot mount a tmpfs: " << (t).error(); \
      GTEST_SKIP() << "cannot mount a tmpfs (needs root): " << (t).error();                 \
    }                                                                                       \
  } while (0)

// And for a test that needs a command from the dependency list (which CI
// installs): a missing one is a failure there, a skip elsewhere.
#define ECC_REQUIRE_COMMAND_OR_SKIP(cmd)                                                    \
  do {                                                                                      \
    if (std::system("command -v " cmd " >/dev/null 2>&1") != 0) {                           \
      const char* req = std::getenv("ECC_REQUIRE_KERNEL");                                  \
      if (req && std::string(req) == "1") FAIL() << cmd " is missing (scripts/install-deps.sh installs it)"; \
      GTEST_SKIP() << cmd " is missing";                                                    \
    }                                                                                       \
  } while (0)
