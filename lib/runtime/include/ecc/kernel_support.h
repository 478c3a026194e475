// What the running kernel lacks, when libbpf could not load or attach an
// object (docs/ecli.md: name what is missing, not "needs privileges"), for ecli's
// loader and the Wasm host alike:
// kernel BTF for CO-RE, BPF trampolines for fentry/fexit/fmod_ret and LSM
// programs, `bpf` in the kernel's LSM list, kprobes, and the kernel function
// a program attaches to.
#pragma once

#include <bpf/libbpf.h>

#include <string>

namespace ecc {

// Where the kernel publishes its BTF and its active LSMs.
inline constexpr const char* kKernelBtf = "/sys/kernel/btf/vmlinux";
inline constexpr const char* kLsmList = "/sys/kernel/security/lsm";

// After bpf_object__load(obj) failed: one sentence naming what the kernel
// lacks, or empty when the failure has another cause (the verifier log
// tells). `libbpf_text` is what libbpf printed during the load;
// `custom_btf` whether the load used --btf instead of the kernel's BTF.
// Programs of a kind that needs BPF trampolines are checked with a minimal
// program of the same kind on the same target (loaded, attached, closed).
std::string kernel_lacks_for_load(bpf_object* obj, const std::string& libbpf_text, bool custom_btf);

// After attaching `prog` failed: as above, for that program alone.
std::string kernel_lacks_for_program(const bpf_program* prog);

}  // namespace ecc
