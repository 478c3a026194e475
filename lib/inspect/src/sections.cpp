// What a program's ELF section says of it: its type by libbpf's table, its
// attach target by the section's name (docs/trust.md, "What a program may do").
#include <bpf/libbpf.h>

#include "ecc/libbpf_log.h"
#include "inspect_internal.h"

namespace ecc::inspect {

std::string section_type(const std::string& section) {
  LibbpfLog quiet;  // libbpf warns of a section it does not know
  bpf_prog_type type = BPF_PROG_TYPE_UNSPEC;
  bpf_attach_type attach = BPF_CGROUP_INET_INGRESS;
  if (libbpf_prog_type_by_name(section.c_str(), &type, &attach) != 0) type = BPF_PROG_TYPE_UNSPEC;
  const char* name = libbpf_bpf_prog_type_str(type);
  return name ? name : "unspec";
}

std::string section_attach(const std::string& section) {
  size_t slash = section.find('/');
  if (slash == std::string::npos) return {};
  std::string target = section.substr(slash + 1);
  std::string prefix = section.substr(0, slash);
  // A tracepoint is "category/name"; perf and bpftool write it "category:name".
  if (prefix == "tracepoint" || prefix == "tp") {
    size_t inner = target.find('/');
    if (inner != std::string::npos) target[inner] = ':';
  }
  return target;
}

}  // namespace ecc::inspect
