// generate_vmlinux_h: the types part is what `bpftool btf dump ... format c`
// prints; the kfunc declarations make kfuncs callable without prototypes.
#include <gtest/gtest.h>

#include <chrono>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "btf_test_util.h"

namespace ecc::test {
namespace {

const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
const std::string kKfuncBegin = "#ifndef BPF_NO_KFUNC_PROTOTYPES\n";
const std::string kKfuncEnd = "#endif /* BPF_NO_KFUNC_PROTOTYPES */\n";

class VmlinuxH : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    if (!fs::exists(kKernelBtf)) return;
    struct btf* btf = btf__parse(kKernelBtf, nullptr);
    if (!btf) throw std::runtime_error("cannot parse kernel BTF");
    auto start = std::chrono::steady_clock::now();
    text_ = new std::string(generate_vmlinux_h(btf));
    ms_ = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    again_ = new std::string(generate_vmlinux_h(btf));
    btf__free(btf);
    dir_ = new TempDir;
    write_text(*dir_ / "vmlinux.h", *text_);
  }
  static void TearDownTestSuite() {
    delete text_;
    delete again_;
    delete dir_;
  }
  void SetUp() override {
    ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
    ASSERT_TRUE(text_) << "the kernel's BTF exists, but vmlinux.h was not generated from it";
  }

  // The kfunc block, without its guard lines.
  static std::string kfunc_block() {
    size_t b = text_->find(kKfuncBegin), e = text_->find(kKfuncEnd);
    if (b == std::string::npos || e == std::string::npos) return {};
    return text_->substr(b + kKfuncBegin.size(), e - b - kKfuncBegin.size());
  }

  // Compiles a BPF program against the generated vmlinux.h.
  static RunResult compile(const std::string& name, const std::string& source,
                           const std::vector<std::string>& extra = {}) {
    fs::path src = *dir_ / (name + ".bpf.c");
    write_text(src, source);
    std::vector<std::string> argv = {"clang", "-g", "-O2", "-target", "bpf", "-D__TARGET_ARCH_x86",
                                     "-Werror=implicit-function-declaration", "-I", dir_->path().string()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.insert(argv.end(), {"-c", src.string(), "-o", (*dir_ / (name + ".o")).string()});
    return run(argv);
  }

  static std::string* text_;
  static std::string* again_;
  static double ms_;
  static TempDir* dir_;
};
std::string* VmlinuxH::text_;
std::string* VmlinuxH::again_;
double VmlinuxH::ms_;
TempDir* VmlinuxH::dir_;

const char* kUsesKfuncs = R"(
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *task, u64 clone_flags) {
  struct task_struct *t = bpf_task_acquire(task);
  if (t) bpf_task_release(t);
  bpf_rcu_read_lock();
  bpf_rcu_read_unlock();
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
)";

const char* kDeclaresKfuncs = R"(
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

extern struct task_struct *bpf_task_acquire(struct task_struct *p) __ksym;
extern void bpf_task_release(struct task_struct *p) __ksym;
extern void bpf_rcu_read_lock(void) __ksym;
extern void bpf_rcu_read_unlock(void) __ksym;

SEC("tp_btf/task_newtask")
int BPF_PROG(on_newtask, struct task_struct *task, u64 clone_flags) {
  struct task_struct *t = bpf_task_acquire(task);
  if (t) bpf_task_release(t);
  bpf_rcu_read_lock();
  bpf_rcu_read_unlock();
  return 0;
}
char LICENSE[] SEC("license") = "GPL";
)";

TEST_F(VmlinuxH, TypesAreWhatBpftoolDumps) {
  RunResult r = run({"bpftool", "btf", "dump", "file", kKernelBtf, "format", "c"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string without_kfuncs = *text_;
  size_t b = without_kfuncs.find(kKfuncBegin), e = without_kfuncs.find(kKfuncEnd);
  ASSERT_NE(b, std::string::npos);
  ASSERT_NE(e, std::string::npos);
  // Our kfunc block sits between the types and the closing pragma.
  ASSERT_EQ(without_kfuncs.substr(e + kKfuncEnd.size(), 2), "\n#");
  without_kfuncs.erase(b, e + kKfuncEnd.size() + 1 - b);
  // The libbpf we link keeps the size of 1-byte enums; bpftool 7.1's own
  // copy of libbpf does not. That is the only other difference allowed.
  for (const std::string attr : {" __attribute__((mode(byte)))", " __attribute__((mode(word)))"})
    for (size_t at; (at = without_kfuncs.find(attr)) != std::string::npos;) without_kfuncs.erase(at, attr.size());
  EXPECT_TRUE(without_kfuncs == r.out) << "differs from bpftool's vmlinux.h (sizes " << without_kfuncs.size()
                                       << " vs " << r.out.size() << ")";
}

TEST_F(VmlinuxH, GuardsAndPragmas) {
  EXPECT_TRUE(text_->starts_with("#ifndef __VMLINUX_H__\n#define __VMLINUX_H__\n"));
  EXPECT_TRUE(text_->ends_with("#endif /* __VMLINUX_H__ */\n"));
  EXPECT_NE(text_->find("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute push "
                        "(__attribute__((preserve_access_index)), apply_to = record)\n#endif\n"),
            std::string::npos);
  EXPECT_NE(text_->find("#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n#pragma clang attribute pop\n#endif\n"),
            std::string::npos);
}

TEST_F(VmlinuxH, Deterministic) { EXPECT_TRUE(*text_ == *again_); }

TEST_F(VmlinuxH, DeclaresEveryTaggedKfuncOnce) {
  // The oracle: bpftool's raw listing of DECL_TAG 'bpf_kfunc' -> FUNC.
  RunResult r = run({"bpftool", "btf", "dump", "file", kKernelBtf});
  ASSERT_EQ(r.exit_code, 0);
  std::map<std::string, std::string> func_names;  // "[id]" -> name
  std::set<std::string> tagged_ids, want;
  std::istringstream in(r.out);
  std::string line;
  static const std::regex func(R"re(^\[(\d+)\] FUNC '(\w+)')re");
  static const std::regex tag(R"re(^\[\d+\] DECL_TAG 'bpf_kfunc' type_id=(\d+) component_idx=-1)re");
  std::smatch m;
  while (std::getline(in, line)) {
    if (std::regex_search(line, m, func)) func_names[m[1]] = m[2];
    else if (std::regex_search(line, m, tag)) tagged_ids.insert(m[1]);
  }
  for (const std::string& id : tagged_ids) want.insert(func_names.at(id));
  ASSERT_FALSE(want.empty()) << "this kernel tags no kfuncs";

  std::set<std::string> got;
  std::istringstream block(kfunc_block());
  static const std::regex decl(R"re(^extern .*\) __attribute__\(\(weak\)\) __attribute__\(\(section\("\.ksyms"\)\)\);$)re");
  // The declared name: the first identifier followed by '(' that is not
  // part of an attribute (type tags such as address_space(1) come first).
  static const std::regex call(R"re((\w+)\()re");
  size_t lines = 0;
  while (std::getline(block, line)) {
    ++lines;
    ASSERT_TRUE(std::regex_match(line, decl)) << line;
    std::string name;
    std::string rest = line;
    while (name.empty() && std::regex_search(rest, m, call)) {
      if (m[1] != "__attribute__" && m[1] != "btf_type_tag" && m[1] != "address_space") name = m[1];
      rest = m.suffix();
    }
    got.insert(name);
  }
  EXPECT_EQ(got, want);
  EXPECT_EQ(lines, want.size());
}

TEST_F(VmlinuxH, KfuncCallableWithoutPrototype) {
  RunResult r = compile("uses", kUsesKfuncs);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // The calls are kernel symbols (extern FUNCs in .ksyms) in the object.
  RunResult d = run({"bpftool", "btf", "dump", "file", (*dir_ / "uses.o").string()});
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.out.find("FUNC 'bpf_task_acquire' type_id="), std::string::npos);
  EXPECT_NE(d.out.find("DATASEC '.ksyms'"), std::string::npos);
}

TEST_F(VmlinuxH, NoKfuncPrototypesLetsProgramsDeclareTheirOwn) {
  RunResult own = compile("declares", kDeclaresKfuncs, {"-DBPF_NO_KFUNC_PROTOTYPES"});
  EXPECT_EQ(own.exit_code, 0) << own.err;
  // And the guard really removes them: the undeclared call no longer compiles.
  RunResult none = compile("undeclared", kUsesKfuncs, {"-DBPF_NO_KFUNC_PROTOTYPES"});
  EXPECT_NE(none.exit_code, 0);
  EXPECT_NE(none.err.find("bpf_task_acquire"), std::string::npos) << none.err;
}

TEST_F(VmlinuxH, FastEnough) {
  // Runs on every cold compile; bpftool takes ~0.2 s for the same work.
  RecordProperty("generate_ms", std::to_string(static_cast<int>(ms_)));
  std::cout << "generate_vmlinux_h(" << kKernelBtf << "): " << ms_ << " ms, " << text_->size() << " bytes\n";
  EXPECT_LT(ms_, 5000.0);
}

TEST(VmlinuxHSmall, KfuncDeclarationText) {
  // A hand-made BTF with one tagged and one untagged function.
  struct btf* btf = btf__new_empty();
  int i = btf__add_int(btf, "int", 4, BTF_INT_SIGNED);
  int s = btf__add_struct(btf, "task", 4);
  btf__add_field(btf, "pid", i, 0, 0);
  int ps = btf__add_ptr(btf, s);
  int proto = btf__add_func_proto(btf, ps);
  btf__add_func_param(btf, "t", ps);
  btf__add_func_param(btf, "flags", i);
  int kf = btf__add_func(btf, "my_kfunc", BTF_FUNC_GLOBAL, proto);
  btf__add_func(btf, "not_a_kfunc", BTF_FUNC_GLOBAL, proto);
  btf__add_decl_tag(btf, "bpf_kfunc", kf, -1);
  btf__add_decl_tag(btf, "bpf_kfunc", kf, 0);  // a parameter tag is not a kfunc tag
  std::string text = generate_vmlinux_h(btf);
  btf__free(btf);
  EXPECT_NE(text.find("struct task {\n\tint pid;\n};\n"), std::string::npos) << text;
  EXPECT_NE(text.find(kKfuncBegin + "extern struct task *my_kfunc(struct task *t, int flags) "
                                    "__attribute__((weak)) __attribute__((section(\".ksyms\")));\n" +
                      kKfuncEnd),
            std::string::npos)
      << text;
  EXPECT_EQ(text.find("not_a_kfunc"), std::string::npos);
}

}  // namespace
}  // namespace ecc::test
