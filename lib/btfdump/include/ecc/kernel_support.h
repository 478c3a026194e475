// What the running kernel lacks to run a BPF object, in words a user can act
// on (SPEC §9): no kernel BTF, no BPF trampolines (fentry/fexit/fmod_ret), no
// BPF LSM. Used after libbpf failed to load an object, by ecli's loader and
// the Wasm host alike, so that root is never told it "needs privileges".
#pragma once

#include <string>

struct bpf_object;

namespace ecc {

// One line saying what the kernel lacks for `obj` (opened, its load failed),
// or empty when it lacks none of these. `btf_path`: the --btf given, if any.
std::string kernel_lacks(bpf_object* obj, const std::string& btf_path);

// True when the running kernel exposes its BTF (what libbpf looks for).
bool kernel_has_btf();

}  // namespace ecc
