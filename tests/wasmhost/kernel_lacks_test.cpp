// When wasm_load_bpf_object (or an attach) fails because of the kernel, the
// host's stderr names what the kernel lacks (docs/ecli.md) — no BTF for CO-RE, no
// BPF trampolines for fentry/LSM programs, `bpf` missing from the LSM list —
// and the guest still gets handle 0 / a negative errno. Also the capture of
// libbpf's messages the host prints from (LibbpfLog).
#include <bpf/libbpf.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <fstream>

#include "ecc/libbpf_log.h"
#include "wasm_fixture.h"

namespace ecc::test {
namespace {

std::string release() {
  utsname u{};
  uname(&u);
  return u.release;
}

std::string first_line(const std::string& s) { return s.substr(0, s.find('\n')); }

// Runs the module in a child process whose mount namespace hides the
// kernel's BTF, and the other places libbpf looks for it, under empty tmpfs
// mounts. The child reports the exit code and stderr through a pipe.
AppRun run_without_kernel_btf(const std::vector<uint8_t>& module, const WasmRunOptions& opts = {}) {
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("pipe failed");
  pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    ::close(fds[0]);
    AppRun r;
    r.err = "child setup failed: ";
    bool ok = unshare(CLONE_NEWNS) == 0 && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) == 0;
    for (const char* dir : {"/sys/kernel/btf", "/boot", "/lib/modules", "/usr/lib/debug"})
      if (ok && fs::is_directory(dir)) ok = mount("tmpfs", dir, "tmpfs", 0, "size=1m") == 0;
    if (!ok) r.err += std::strerror(errno);
    else if (fs::exists("/sys/kernel/btf/vmlinux")) r.err += "the BTF is still visible";
    else {
      try {
        r = run_app(module, {}, opts);
      } catch (const std::exception& e) {
        r.code = -1;
        r.err = std::string("error: ") + e.what();
      }
    }
    std::string msg = std::to_string(r.code) + "\n" + r.err;
    (void)!::write(fds[1], msg.data(), msg.size());
    _exit(0);
  }
  ::close(fds[1]);
  std::string msg;
  char buf[4096];
  for (ssize_t n; (n = ::read(fds[0], buf, sizeof buf)) > 0;) msg.append(buf, n);
  ::close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  AppRun r;
  size_t nl = msg.find('\n');
  if (nl == std::string::npos) throw std::runtime_error("the child said nothing");
  r.code = std::stoi(msg.substr(0, nl));
  r.err = msg.substr(nl + 1);
  return r;
}

class KernelLacksBase {
 protected:
  std::vector<uint8_t> wasm_loading(const std::vector<uint8_t>& object, const std::string& body,
                                    const std::string& extra = "") {
    return wat2wasm(dir_, module(body, "(i32.const 0)", &object, extra));
  }
  TempDir dir_;
};

class KernelLacksTest : public WithEngine, protected KernelLacksBase {};

TEST_P(KernelLacksTest, NoKernelBtfForCoRe) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  std::vector<uint8_t> object = read_bytes(compile_bpf(dir_, "core", read_text(source_dir() / "tests/wasmhost/apps/core.bpf.c")));
  std::vector<uint8_t> wasm = wasm_loading(object, "(call $exit (i32.const 5))");
  // With the kernel's BTF the object loads.
  AppRun with = run_app(wasm);
  EXPECT_EQ(with.code, 5) << with.err;
  // Without it: handle 0, and the reason.
  AppRun r = run_without_kernel_btf(wasm);
  EXPECT_EQ(r.code, 100) << r.err;
  EXPECT_EQ(first_line(r.err),
            "wasm_load_bpf_object: kernel " + release() + " has no BTF (/sys/kernel/btf/vmlinux is missing or "
            "empty), which the object's CO-RE relocations need: give this kernel's BTF with --btf FILE");
  EXPECT_NE(r.err.find("libbpf output (last 20 lines):\n"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.back(), '\n');
  // --btf with a copy of the kernel's BTF: loads again.
  fs::copy_file("/sys/kernel/btf/vmlinux", dir_ / "vmlinux.btf");
  WasmRunOptions o;
  o.btf_path = (dir_ / "vmlinux.btf").string();
  AppRun given = run_without_kernel_btf(wasm, o);
  EXPECT_EQ(given.code, 5) << given.err;
  EXPECT_EQ(given.err, "");
}

TEST_P(KernelLacksTest, UnreadableBtfFile) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  WasmRunOptions o;
  o.btf_path = (dir_ / "missing.btf").string();
  AppRun r = run_app(wasm_loading(events_object(dir_), "(call $exit (i32.const 5))"), {}, o);
  EXPECT_EQ(r.code, 100);
  EXPECT_EQ(r.err, "wasm_load_bpf_object: cannot read the kernel BTF " + o.btf_path +
                       " (--btf): No such file or directory\n");
}

// An object whose bytes were damaged at random (a mutation run of ecli's
// packages): libbpf 1.1 crashes opening it; the guest gets handle 0 instead.
TEST_P(KernelLacksTest, DamagedObjectIsRefusedNotACrash) {
  std::vector<uint8_t> damaged = read_bytes(source_dir() / "tests/wasmhost/inputs/damaged.bpf.o");
  AppRun r = run_app(wasm_loading(damaged, "(call $exit (i32.const 5))"));
  EXPECT_EQ(r.code, 100) << r.err;
  EXPECT_EQ(r.err.rfind("wasm_load_bpf_object: ", 0), 0u) << r.err;
}

// Whether this kernel loads and attaches every program of `object` (libbpf
// directly, its messages kept out of the test's output).
bool kernel_runs(const std::vector<uint8_t>& object) {
  LibbpfLog quiet;
  bpf_object* o = bpf_object__open_mem(object.data(), object.size(), nullptr);
  if (!o) return false;
  bool ok = bpf_object__load(o) == 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, o) {
    if (!ok) break;
    bpf_link* link = bpf_program__attach(prog);
    ok = link != nullptr;
    bpf_link__destroy(link);
  }
  bpf_object__close(o);
  return ok;
}

struct Kind {
  const char* define;
  const char* prog;
  const char* section;
  const char* kind;
};

class TrampolineKinds : public WithEngineAnd<Kind>, protected KernelLacksBase {};

TEST_P(TrampolineKinds, FailuresNameWhatTheKernelLacks) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  const Kind& k = param();
  std::string src = "#define " + std::string(k.define) + "\n" +
                    read_text(source_dir() / "tests/wasmhost/apps/trampoline.bpf.c");
  std::vector<uint8_t> object = read_bytes(compile_bpf(dir_, k.kind, src));
  // Load, attach the program by name (exit 101 when that fails), exit 5.
  std::string extra = " (data (i32.const 80) \"" + std::string(k.prog) + "\\00\")";
  AppRun r = run_app(wasm_loading(object,
                                  "(if (call $attach (global.get $h) (i32.const 80) (i32.const 0))"
                                  " (then (call $exit (i32.const 101))))\n(call $exit (i32.const 5))",
                                  extra));
  if (kernel_runs(object)) {
    EXPECT_EQ(r.code, 5) << r.err;
    EXPECT_EQ(r.err, "");
    return;
  }
  ASSERT_TRUE(r.code == 100 || r.code == 101) << r.code << "\n" << r.err;
  std::string who = r.code == 100 ? "wasm_load_bpf_object: " : "wasm_attach_bpf_program: ";
  std::string which = std::string("'") + k.prog + "' (" + k.section + ")";
  std::ifstream lsm("/sys/kernel/security/lsm");
  std::string list;
  bool bpf_lsm = true;
  if (std::string(k.kind) == "lsm" && std::getline(lsm, list))
    bpf_lsm = ("," + list + ",").find(",bpf,") != std::string::npos;
  if (!bpf_lsm)
    EXPECT_EQ(first_line(r.err), who + "the kernel does not run BPF LSM programs such as " + which +
                                     ": 'bpf' is not in its LSM list (/sys/kernel/security/lsm: " + list + ")");
  else
    EXPECT_EQ(first_line(r.err).rfind(who + "the kernel cannot run " + k.kind + " programs such as " + which +
                                          ": it has no usable BPF trampolines (a minimal " + k.kind + " program ",
                                      0),
              0u)
        << r.err;
  EXPECT_EQ(r.err.find("privileges"), std::string::npos) << r.err;
}

INSTANTIATE_TEST_SUITE_P(Kinds, TrampolineKinds,
                         ::testing::Combine(::testing::Values(Kind{"WANT_FENTRY", "on_unlinkat", "fentry/do_unlinkat", "fentry"},
                                                              Kind{"WANT_LSM", "on_file_open", "lsm/file_open", "lsm"}),
                                            kEngines),
                         [](const auto& info) {
                           return std::string(std::get<0>(info.param).kind) + "_" + engine_name(std::get<1>(info.param));
                         });

ECC_WASM_ENGINES(KernelLacksTest);

// The capture the host prints libbpf's output from: the whole text, and
// tails that always end with a newline.
TEST(LibbpfLogTail, TailsOfTheWholeText) {
  TempDir dir;
  std::vector<uint8_t> object = events_object(dir);
  object.resize(object.size() / 2);  // libbpf refuses it, saying why
  LibbpfLog log;
  EXPECT_EQ(bpf_object__open_mem(object.data(), object.size(), nullptr), nullptr);
  std::string text = log.text();
  ASSERT_FALSE(text.empty());
  EXPECT_EQ(text.find("libbpf: "), 0u) << text;
  EXPECT_EQ(log.tail(0), "");
  std::string all = text.back() == '\n' ? text : text + "\n";
  EXPECT_EQ(log.tail(100000), all);
  std::string one = log.tail(1);
  EXPECT_EQ(one.back(), '\n');
  EXPECT_EQ(std::count(one.begin(), one.end(), '\n'), 1);
  EXPECT_EQ(all.substr(all.size() - one.size()), one);
  EXPECT_EQ(one.find("libbpf: "), 0u) << one;
  EXPECT_EQ(log.last() + "\n", one.substr(std::string("libbpf: ").size()));
}

}  // namespace
}  // namespace ecc::test
