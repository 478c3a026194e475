#include "link.h"

#include <bpf/libbpf.h>

#include "ecc/error.h"
#include "ecc/libbpf_log.h"

namespace ecc {

void link_bpf_object(const std::string& in, const std::string& out) { link_bpf_objects({in}, out); }

void link_bpf_objects(const std::vector<std::string>& in, const std::string& out) {
  LibbpfLog log;
  auto fail = [&](const char* what) {
    std::string why = log.last();
    throw Error(Exit::bad_input, std::string(what) + (why.empty() ? "" : ": " + why), in.at(0));
  };
  bpf_linker* linker = bpf_linker__new(out.c_str(), nullptr);
  if (!linker) fail("cannot start the BPF linker");
  int err = 0;
  for (size_t i = 0; i < in.size() && !err; i++) err = bpf_linker__add_file(linker, in[i].c_str(), nullptr);
  if (!err) err = bpf_linker__finalize(linker);
  bpf_linker__free(linker);
  if (err) fail("the BPF linker rejected the object");
}

}  // namespace ecc
