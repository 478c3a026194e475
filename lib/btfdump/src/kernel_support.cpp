#include "ecc/kernel_support.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <sys/utsname.h>

#include <fstream>
#include <sstream>

namespace ecc {

namespace {

bool needs_trampoline(bpf_program* p) {
  bpf_prog_type t = bpf_program__type(p);
  bpf_attach_type a = bpf_program__expected_attach_type(p);
  return (t == BPF_PROG_TYPE_TRACING &&
          (a == BPF_TRACE_FENTRY || a == BPF_TRACE_FEXIT || a == BPF_MODIFY_RETURN)) ||
         t == BPF_PROG_TYPE_LSM || t == BPF_PROG_TYPE_EXT;
}

std::string read_line(const char* path) {
  std::ifstream in(path);
  std::string s;
  std::getline(in, s);
  return s;
}

// The kernel's active LSMs, "lockdown,capability,landlock,yama,apparmor".
bool lsm_has_bpf(std::string& list) {
  list = read_line("/sys/kernel/security/lsm");
  std::stringstream ss(list);
  for (std::string item; std::getline(ss, item, ',');)
    if (item == "bpf") return true;
  return false;
}

}  // namespace

bool kernel_has_btf() {
  btf* b = btf__load_vmlinux_btf();
  if (!b) return false;
  btf__free(b);
  return true;
}

std::string kernel_lacks(bpf_object* obj, const std::string& btf_path) {
  if (btf_path.empty() && !kernel_has_btf()) {
    utsname u{};
    uname(&u);
    return std::string("kernel ") + u.release +
           " has no BTF (/sys/kernel/btf/vmlinux is missing or empty), which CO-RE relocation needs: pass this "
           "kernel's BTF with --btf FILE (for example from btfhub-archive)";
  }
  bpf_program* p;
  bpf_object__for_each_program(p, obj) {
    if (!bpf_program__autoload(p)) continue;
    std::string name = bpf_program__name(p);
    if (bpf_program__type(p) == BPF_PROG_TYPE_LSM) {
      std::string list;
      if (!lsm_has_bpf(list))
        return "program '" + name + "' is a BPF LSM program, but 'bpf' is not in this kernel's LSM list (" +
               (list.empty() ? "/sys/kernel/security/lsm is unreadable" : list) + ")";
    }
    if (needs_trampoline(p) && !libbpf_probe_bpf_prog_type(BPF_PROG_TYPE_TRACING, nullptr))
      return "program '" + name + "' (" + bpf_program__section_name(p) +
             ") needs BPF trampolines, which this kernel does not support";
  }
  return "";
}

}  // namespace ecc
