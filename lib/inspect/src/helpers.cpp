// The BPF helpers by number, and the calls and program types that give a
// program power over the rest of the system (docs/trust.md, "What a program
// may do").
#include <linux/bpf.h>

#include <array>
#include <string_view>

#include "ecc/inspect.h"
#include "inspect_internal.h"

namespace ecc::inspect {

namespace {

// The kernel's UAPI list, in id order: __BPF_FUNC_MAPPER names every helper
// (this UAPI header separates the entries with commas itself).
#define ECC_HELPER_NAME(x, ...) "bpf_" #x
constexpr const char* kHelpers[] = {__BPF_FUNC_MAPPER(ECC_HELPER_NAME)};
#undef ECC_HELPER_NAME

struct Flag {
  std::string_view name;
  std::string_view why;
};

// Helpers that reach past observing: kept short, each one in docs/trust.md.
constexpr std::array kDangerousHelpers = {
    Flag{"bpf_probe_write_user", "writes user memory"},
    Flag{"bpf_override_return", "changes a kernel function's return value"},
    Flag{"bpf_send_signal", "sends signals"},
    Flag{"bpf_send_signal_thread", "sends signals"},
    Flag{"bpf_sys_bpf", "runs bpf() syscalls"},
    Flag{"bpf_sys_close", "runs bpf() syscalls"},
};

// Program types whose verdict changes what the kernel does, by libbpf's names.
constexpr std::array kDangerousTypes = {
    Flag{"xdp", "can drop or redirect traffic"},
    Flag{"sched_cls", "can drop or redirect traffic"},
    Flag{"sched_act", "can drop or redirect traffic"},
    Flag{"cgroup_skb", "can drop or redirect traffic"},
    Flag{"sk_skb", "can drop or redirect traffic"},
    Flag{"sk_msg", "can drop or redirect traffic"},
    Flag{"lsm", "can deny operations"},
    Flag{"cgroup_device", "can deny operations"},
    Flag{"cgroup_sock", "can deny operations"},
    Flag{"cgroup_sock_addr", "can deny operations"},
    Flag{"cgroup_sysctl", "can deny operations"},
    Flag{"struct_ops", "replaces kernel functions"},
};

std::string lookup(std::span<const Flag> flags, const std::string& name) {
  for (const Flag& f : flags)
    if (f.name == name) return std::string(f.why);
  return {};
}

}  // namespace

std::string helper_name(int32_t id) {
  // Id 0 is BPF_FUNC_unspec, never a helper.
  if (id <= 0 || static_cast<size_t>(id) >= std::size(kHelpers)) return {};
  return kHelpers[id];
}

std::string call_danger(const std::string& name) { return lookup(kDangerousHelpers, name); }

std::string type_danger(const std::string& type) { return lookup(kDangerousTypes, type); }

}  // namespace ecc::inspect
