// inspect_object (docs/trust.md, "What a program may do"): the programs from
// the code (code.cpp), their types and targets from their sections
// (sections.cpp), and the maps as libbpf opens them, without loading.
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstring>
#include <memory>

#include "ecc/error.h"
#include "ecc/inspect.h"
#include "ecc/libbpf_log.h"
#include "ecc/open_guard.h"
#include "inspect_internal.h"

namespace ecc::inspect {

namespace {

struct ObjectCloser {
  void operator()(bpf_object* obj) const { bpf_object__close(obj); }
};

Program program(CodeProgram&& code) {
  Program p;
  p.name = std::move(code.name);
  p.section = std::move(code.section);
  p.type = section_type(p.section);
  p.attach = section_attach(p.section);
  p.calls = std::move(code.calls);
  if (std::string why = type_danger(p.type); !why.empty()) p.dangers.push_back(why + " (" + p.type + ")");
  for (const Call& c : p.calls)
    if (!c.danger.empty()) p.dangers.push_back(c.danger + " (" + c.name + ")");
  return p;
}

// The maps, as libbpf opens the object (nothing is created in the kernel).
// The object's code was checked by read_code; libbpf 1.1 can still crash on
// other damage, so it first opens the bytes in a child (ecc/open_guard.h).
std::vector<Map> maps(std::span<const uint8_t> elf, const std::string& where) {
  check_libbpf_survives_open(elf.data(), elf.size(), where);
  LibbpfLog log;
  bpf_object_open_opts opts{};
  opts.sz = sizeof opts;
  std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(elf.data(), elf.size(), &opts));
  if (!obj) {
    std::string why = log.last();
    throw Error(Exit::bad_input, "not a valid BPF object: " + (why.empty() ? std::strerror(errno) : why), where);
  }
  std::vector<Map> out;
  const bpf_map* m;
  bpf_object__for_each_map(m, obj.get()) {
    const char* type = libbpf_bpf_map_type_str(bpf_map__type(m));
    // libbpf names a data section's map after the object ("a1b2c3d4.rodata"):
    // the section's name alone is what the object says.
    std::string name = bpf_map__name(m);
    if (bpf_map__is_internal(m) && name.find('.') != std::string::npos) name = name.substr(name.find('.'));
    out.push_back({name, type ? type : "unknown", bpf_map__key_size(m), bpf_map__value_size(m), bpf_map__max_entries(m)});
  }
  return out;
}

}  // namespace

Report inspect_object(std::span<const uint8_t> elf, const std::string& where) {
  try {
    Report r;
    for (CodeProgram& c : read_code(elf, where)) r.programs.push_back(program(std::move(c)));
    r.maps = maps(elf, where);
    return r;
  } catch (const Error& e) {
    // One line, whatever bytes a damaged name in the message holds.
    std::string what = e.what();
    for (char& c : what)
      if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = '?';
    throw Error(e.code(), what, e.file());
  }
}

}  // namespace ecc::inspect
