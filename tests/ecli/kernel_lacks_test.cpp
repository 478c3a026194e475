// What the kernel lacks is said in words (docs/ecli.md), never "needs
// privileges" when ecli runs as root.
#include <bpf/libbpf.h>
#include <unistd.h>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class KernelLacks : public EcliTest {};

TEST_F(KernelLacks, FentryWithoutTrampolines) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_package(source_dir() / "tests/ecli/programs/fentry_only.bpf.c");
  RunResult r = ecli({"run", "-d", "1", pkg.string()});
  // libbpf's own probe tells whether this kernel has trampolines.
  if (libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, nullptr) == 1) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("attached 1 programs"), std::string::npos) << r.err;
    return;
  }
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_EQ(lines.size(), 1u) << "one line, no libbpf tail:\n" << r.err;
  EXPECT_EQ(lines[0].rfind("ecli: error: the kernel cannot run fentry programs such as 'count_unlink' "
                           "(fentry/do_unlinkat): it has no usable BPF trampolines (a minimal fentry program ",
                           0),
            0u)
      << r.err;
  EXPECT_NE(lines[0].find("(" + pkg.string() + ")"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("privileges"), std::string::npos) << r.err;
}

TEST_F(KernelLacks, KprobeWithoutKprobes) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_package(source_dir() / "tests/ecli/programs/kprobe_only.bpf.c");
  RunResult r = ecli({"run", "-d", "1", pkg.string()});
  bool has_kprobes = fs::exists("/sys/bus/event_source/devices/kprobe/type") ||
                     fs::exists("/sys/kernel/tracing/kprobe_events") || fs::exists("/sys/kernel/debug/tracing/kprobe_events");
  if (has_kprobes) {
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return;
  }
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "ecli: error: the kernel cannot run kprobe programs such as 'count_unlink' (kprobe/do_unlinkat): "
                          "it has no kprobes (no kprobe PMU in /sys/bus/event_source/devices, no kprobe_events in "
                          "tracefs) (" + pkg.string() + ")");
}

TEST_F(KernelLacks, MissingAttachTargetIsNamed) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_package(source_dir() / "tests/ecli/programs/fentry_missing.bpf.c");
  RunResult r = ecli({"run", "-d", "1", pkg.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back(), "ecli: error: program 'on_nothing' (fentry/ecc_no_such_kernel_function) attaches to kernel "
                          "function 'ecc_no_such_kernel_function', which this kernel does not have (" + pkg.string() + ")");
}

TEST_F(KernelLacks, NoKernelBtfSaysSo) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  // A private mount namespace in which the kernel's BTF reads as empty.
  RunResult r = run({"unshare", "-m", "sh", "-c",
                     "mount --bind /dev/null /sys/kernel/btf/vmlinux && exec \"$0\" run -d 1 \"$1\"",
                     ecli_binary().string(), pkg.string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  auto lines = split_lines(r.err);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().rfind("ecli: error: kernel ", 0), 0u) << r.err;
  EXPECT_NE(lines.back().find("has no BTF (/sys/kernel/btf/vmlinux is missing or empty)"), std::string::npos) << r.err;
  EXPECT_NE(lines.back().find("--btf FILE"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("No such process"), std::string::npos) << r.err;
  // With --btf the same package runs in that namespace.
  r = run({"unshare", "-m", "sh", "-c",
           "cp /sys/kernel/btf/vmlinux \"$2\" && mount --bind /dev/null /sys/kernel/btf/vmlinux && "
           "exec \"$0\" run -d 1 --btf \"$2\" \"$1\"",
           ecli_binary().string(), pkg.string(), (tmp / "vmlinux.btf").string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("attached"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecc::test
