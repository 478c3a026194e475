#include "ecc/kernel_support.h"

#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <optional>
#include <sstream>

#include "ecc/files.h"

namespace ecc {
namespace {

// A program kind that runs through a BPF trampoline.
struct TrampolineKind {
  const char* name;        // as in SEC("fentry/...")
  bpf_prog_type type;
  bpf_attach_type attach;
  const char* btf_prefix;  // the target's BTF function: prefix + target
};

std::optional<TrampolineKind> trampoline_kind(const bpf_program* prog) {
  bpf_attach_type at = bpf_program__expected_attach_type(prog);
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_TRACING:
      if (at == BPF_TRACE_FENTRY) return TrampolineKind{"fentry", BPF_PROG_TYPE_TRACING, at, ""};
      if (at == BPF_TRACE_FEXIT) return TrampolineKind{"fexit", BPF_PROG_TYPE_TRACING, at, ""};
      if (at == BPF_MODIFY_RETURN) return TrampolineKind{"fmod_ret", BPF_PROG_TYPE_TRACING, at, ""};
      return std::nullopt;
    case BPF_PROG_TYPE_LSM:
      if (at == BPF_LSM_MAC) return TrampolineKind{"lsm", BPF_PROG_TYPE_LSM, at, "bpf_lsm_"};
      return std::nullopt;
    default:
      return std::nullopt;
  }
}

std::string errno_text(int err) {
  // The kernel's ENOTSUPP (524) has no libc name.
  return err == 524 ? std::string("not supported") : std::string(std::strerror(err));
}

// The kernel's active LSMs, or nullopt when the list cannot be read
// (securityfs not mounted).
std::optional<std::string> lsm_list() {
  std::optional<std::string> text = try_read_text_file(kLsmList);
  if (text) text->erase(std::min(text->find('\n'), text->size()));
  return text;
}

bool lists_bpf(const std::string& list) {
  std::stringstream s(list);
  for (std::string item; std::getline(s, item, ',');)
    if (item == "bpf") return true;
  return false;
}

struct BtfDeleter {
  void operator()(btf* b) const { btf__free(b); }
};

// Loads and attaches `r0 = 0; exit` as a `kind` program on `target`.
// Returns empty when both work, else what failed.
std::string probe(const TrampolineKind& kind, const btf* vmlinux, const std::string& target) {
  int id = btf__find_by_name_kind(vmlinux, (kind.btf_prefix + target).c_str(), BTF_KIND_FUNC);
  if (id < 0) return {};  // an unknown target is the program's problem, libbpf said so
  const bpf_insn insns[2] = {
      {BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0},
      {BPF_JMP | BPF_EXIT, 0, 0, 0, 0},
  };
  bpf_prog_load_opts opts{};
  opts.sz = sizeof opts;
  opts.expected_attach_type = kind.attach;
  opts.attach_btf_id = static_cast<uint32_t>(id);
  int fd = bpf_prog_load(kind.type, "ecc_probe", "GPL", insns, 2, &opts);
  if (fd < 0) return std::string("a minimal ") + kind.name + " program fails to load too: " + errno_text(errno);
  int link = bpf_link_create(fd, 0, kind.attach, nullptr);
  int err = errno;
  ::close(fd);
  if (link < 0) return std::string("a minimal ") + kind.name + " program loads but cannot attach: " + errno_text(err);
  ::close(link);
  return {};
}

std::string lacks_for(const bpf_program* prog, const btf* vmlinux) {
  std::optional<TrampolineKind> kind = trampoline_kind(prog);
  if (!kind) return {};
  std::string sec = bpf_program__section_name(prog);
  std::string which = std::string("'") + bpf_program__name(prog) + "' (" + sec + ")";
  if (kind->type == BPF_PROG_TYPE_LSM) {
    std::optional<std::string> list = lsm_list();
    if (list && !lists_bpf(*list))
      return "the kernel does not run BPF LSM programs such as " + which + ": 'bpf' is not in its LSM list (" +
             kLsmList + ": " + *list + ")";
  }
  size_t slash = sec.find('/');
  if (slash == std::string::npos || !vmlinux) return {};
  std::string why = probe(*kind, vmlinux, sec.substr(slash + 1));
  if (why.empty()) return {};
  return std::string("the kernel cannot run ") + kind->name + " programs such as " + which +
         ": it has no usable BPF trampolines (" + why + ")";
}

// The running kernel's BTF; null when it has none (libbpf 1.x returns NULL
// on errors).
std::unique_ptr<btf, BtfDeleter> kernel_btf() { return std::unique_ptr<btf, BtfDeleter>(btf__load_vmlinux_btf()); }

// The function named in libbpf's "failed to find kernel BTF type ID of 'f'".
std::string missing_btf_target(const std::string& text) {
  static const std::string marker = "failed to find kernel BTF type ID of '";
  size_t at = text.rfind(marker);
  if (at == std::string::npos) return {};
  at += marker.size();
  size_t end = text.find('\'', at);
  return end == std::string::npos ? std::string() : text.substr(at, end - at);
}

// kprobes need CONFIG_KPROBES: the kprobe PMU, or tracefs' kprobe_events.
bool kernel_has_kprobes() {
  for (const char* p : {"/sys/bus/event_source/devices/kprobe/type", "/sys/kernel/tracing/kprobe_events",
                        "/sys/kernel/debug/tracing/kprobe_events"})
    if (::access(p, F_OK) == 0) return true;
  return false;
}

std::string lacks_kprobes(const bpf_program* prog) {
  if (bpf_program__type(prog) != BPF_PROG_TYPE_KPROBE) return {};
  std::string sec = bpf_program__section_name(prog);
  bool kprobe = sec.rfind("kprobe", 0) == 0 || sec.rfind("kretprobe", 0) == 0 || sec.rfind("ksyscall", 0) == 0 ||
                sec.rfind("kretsyscall", 0) == 0;
  if (!kprobe || kernel_has_kprobes()) return {};
  return std::string("the kernel cannot run kprobe programs such as '") + bpf_program__name(prog) + "' (" + sec +
         "): it has no kprobes (no kprobe PMU in /sys/bus/event_source/devices, no kprobe_events in tracefs)";
}

}  // namespace

std::string kernel_lacks_for_load(bpf_object* obj, const std::string& libbpf_text, bool custom_btf) {
  // libbpf: "Error loading vmlinux BTF: -3" when CO-RE needs the kernel's
  // BTF and none was found.
  if (!custom_btf && libbpf_text.find("Error loading vmlinux BTF") != std::string::npos) {
    utsname u{};
    uname(&u);
    return std::string("kernel ") + u.release + " has no BTF (" + kKernelBtf +
           " is missing or empty), which the object's CO-RE relocations need: give this kernel's BTF with --btf FILE";
  }
  // libbpf: "prog 'p': failed to find kernel BTF type ID of 'f': -3" when a
  // program's attach target is a function this kernel does not have.
  if (std::string fn = missing_btf_target(libbpf_text); !fn.empty()) {
    bpf_program* p;
    bpf_object__for_each_program(p, obj) {
      std::string sec = bpf_program__section_name(p);
      if (sec.size() > fn.size() && sec.compare(sec.size() - fn.size(), fn.size(), fn) == 0 &&
          sec[sec.size() - fn.size() - 1] == '/')
        return std::string("program '") + bpf_program__name(p) + "' (" + sec + ") attaches to kernel function '" +
               fn + "', which this kernel does not have";
    }
  }
  // The kernel's BTF only when some program needs a trampoline.
  std::unique_ptr<btf, BtfDeleter> vmlinux;
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj) {
    if (!bpf_program__autoload(prog) || !trampoline_kind(prog)) continue;
    if (!vmlinux) vmlinux = kernel_btf();
    std::string why = lacks_for(prog, vmlinux.get());
    if (!why.empty()) return why;
  }
  return {};
}

std::string kernel_lacks_for_program(const bpf_program* prog) {
  if (std::string why = lacks_kprobes(prog); !why.empty()) return why;
  if (!trampoline_kind(prog)) return {};
  return lacks_for(prog, kernel_btf().get());
}

}  // namespace ecc
