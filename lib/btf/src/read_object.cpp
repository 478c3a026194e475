// A linked BPF object -> maps, programs, data sections and types, as libbpf
// opens it (bpf_object__open_mem only: nothing is loaded into the kernel).
#include <linux/btf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <memory>
#include <utility>

#include "ecc/btf.h"
#include "ecc/error.h"
#include "ecc/libbpf_log.h"

namespace ecc {
namespace {

std::string upper(const char* s) {
  std::string out = s ? s : "unspec";
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// The skeleton identifier of a map, as `bpftool gen skeleton` names it: the
// variable name of a user map; for an internal map (libbpf names it
// "<obj prefix>.rodata" or, for a custom section, ".data.custom") the part
// after the first dot of its well-known section kind, as an identifier.
std::string map_ident(const struct bpf_map* map) {
  const char* name = bpf_map__name(map);
  if (!bpf_map__is_internal(map)) return name;
  for (const char* kind : {".data", ".rodata", ".bss", ".kconfig"})
    if (const char* p = std::strstr(name, kind)) return sanitize_ident(p + 1);
  return sanitize_ident(name);
}

// The ELF section behind a map. libbpf keeps it private, but names an
// internal map "<obj prefix>.rodata", or after the section itself when that
// has more dots (".data.custom", ".rodata.str1.1").
std::string map_section(const struct bpf_map* map) {
  if (!bpf_map__is_internal(map)) return ".maps";
  std::string name = bpf_map__name(map);
  if (name.starts_with('.')) return name;
  size_t dot = name.rfind('.');  // .rodata, .data, .bss and .kconfig hold one dot
  return dot == std::string::npos ? name : name.substr(dot);
}

// The BTF DATASEC an internal map was made from, or nullptr (sections of
// compiler constants only, like .rodata.str1.1, have none).
const struct btf_type* find_datasec(const struct btf* btf, const std::string& section) {
  uint32_t n = btf ? btf__type_cnt(btf) : 0;
  for (uint32_t i = 1; i < n; ++i) {
    const struct btf_type* t = btf__type_by_id(btf, i);
    if (btf_is_datasec(t) && section == btf__name_by_offset(btf, t->name_off)) return t;
  }
  return nullptr;
}

bool is_datasec_id(const struct btf* btf, uint32_t id) {
  const struct btf_type* t = btf ? btf__type_by_id(btf, id) : nullptr;
  return t && btf_is_datasec(t);
}

MapInfo read_map(const struct bpf_map* map, const struct btf* btf) {
  MapInfo m;
  m.name = bpf_map__name(map);
  m.ident = map_ident(map);
  m.section = map_section(map);
  m.mmaped = bpf_map__is_internal(map) && (bpf_map__map_flags(map) & BPF_F_MMAPABLE);
  m.type = "BPF_MAP_TYPE_" + upper(libbpf_bpf_map_type_str(bpf_map__type(map)));
  m.key_size = bpf_map__key_size(map);
  m.value_size = bpf_map__value_size(map);
  m.max_entries = bpf_map__max_entries(map);
  // An internal map's value is its DATASEC, which is not a C type: its
  // variables are described by the data section instead.
  if (uint32_t k = bpf_map__btf_key_type_id(map); k && !is_datasec_id(btf, k)) m.key_type = k;
  if (uint32_t v = bpf_map__btf_value_type_id(map); v && !is_datasec_id(btf, v)) m.value_type = v;
  return m;
}

// Whether the kernel gives the program's expected_attach_type a meaning.
// libbpf fills it from the SEC() definition for every program, but for
// tracepoint, kprobe, perf_event, raw_tp, socket filters, tc, lwt,
// struct_ops and syscall programs it is unused (and usually 0, which would
// read as BPF_CGROUP_INET_INGRESS). The types below select their hook by it
// (tracing and lsm: fentry/fexit/fmod_ret/iter/tp_btf/lsm; the cgroup,
// sk_*, sockops, flow dissector and lirc types); XDP only for devmap and
// cpumap programs, since plain "xdp" gets BPF_XDP, which any XDP hook takes.
bool uses_attach_type(enum bpf_prog_type type, enum bpf_attach_type attach) {
  switch (type) {
    case BPF_PROG_TYPE_TRACING:
    case BPF_PROG_TYPE_LSM:
    case BPF_PROG_TYPE_CGROUP_SKB:
    case BPF_PROG_TYPE_CGROUP_SOCK:
    case BPF_PROG_TYPE_CGROUP_SOCK_ADDR:
    case BPF_PROG_TYPE_CGROUP_SOCKOPT:
    case BPF_PROG_TYPE_CGROUP_SYSCTL:
    case BPF_PROG_TYPE_CGROUP_DEVICE:
    case BPF_PROG_TYPE_SOCK_OPS:
    case BPF_PROG_TYPE_SK_SKB:
    case BPF_PROG_TYPE_SK_MSG:
    case BPF_PROG_TYPE_SK_LOOKUP:
    case BPF_PROG_TYPE_SK_REUSEPORT:
    case BPF_PROG_TYPE_FLOW_DISSECTOR:
    case BPF_PROG_TYPE_LIRC_MODE2:
      return true;
    case BPF_PROG_TYPE_XDP:
      return attach == BPF_XDP_DEVMAP || attach == BPF_XDP_CPUMAP;
    default:
      return false;
  }
}

ProgInfo read_prog(const struct bpf_program* prog) {
  ProgInfo p;
  p.name = bpf_program__name(prog);
  p.attach = bpf_program__section_name(prog);
  p.link = true;
  enum bpf_prog_type type = bpf_program__type(prog);
  enum bpf_attach_type attach = bpf_program__expected_attach_type(prog);
  p.type = "BPF_PROG_TYPE_" + upper(libbpf_bpf_prog_type_str(type));
  if (uses_attach_type(type, attach)) {
    if (const char* s = libbpf_bpf_attach_type_str(attach)) p.attach_type = "BPF_" + upper(s);
  }
  return p;
}

// The variables of one DATASEC, static ones left out, by offset.
DataSection read_datasec(const struct btf* btf, const struct btf_type* sec, const MapInfo& map) {
  DataSection ds;
  ds.name = btf__name_by_offset(btf, sec->name_off);
  ds.map_ident = map.ident;
  ds.size = sec->size;
  const struct btf_var_secinfo* vi = btf_var_secinfos(sec);
  for (uint32_t i = 0; i < btf_vlen(sec); ++i, ++vi) {
    const struct btf_type* var = btf__type_by_id(btf, vi->type);
    if (!var || !btf_is_var(var) || btf_var(var)->linkage == BTF_VAR_STATIC) continue;
    ds.variables.push_back({.name = btf__name_by_offset(btf, var->name_off),
                            .type = var->type,
                            .offset = vi->offset,
                            .size = vi->size});
  }
  std::stable_sort(ds.variables.begin(), ds.variables.end(),
                   [](const Variable& a, const Variable& b) { return a.offset < b.offset; });
  return ds;
}

}  // namespace

OpenedObject::OpenedObject(std::span<const uint8_t> elf, const std::string& obj_name, const std::string& path)
    : obj_name_(obj_name), path_(path) {
  if (elf.empty()) throw Error(Exit::bad_input, "not a valid BPF object: the file is empty", path);
  LibbpfLog log;
  LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = obj_name.c_str());
  obj_ = bpf_object__open_mem(elf.data(), elf.size(), &opts);
  if (obj_) return;
  int err = errno;
  std::string why = log.last();
  if (why.empty()) why = std::strerror(err);
  throw Error(Exit::bad_input, "not a valid BPF object: " + why, path);
}

OpenedObject::~OpenedObject() { bpf_object__close(obj_); }

struct bpf_object* OpenedObject::take() { return std::exchange(obj_, nullptr); }

Skeleton read_object(std::span<const uint8_t> elf, const std::string& obj_name, const std::string& path) {
  return OpenedObject(elf, obj_name, path).read();
}

Skeleton OpenedObject::read() const {
  if (!obj_) throw Error(Exit::tool_failed, "the BPF object was taken before it was read", path_);
  Skeleton skel;
  skel.obj_name = obj_name_;
  const struct btf* btf = bpf_object__btf(obj_);
  try {
    if (btf) import_btf(btf, skel.types);  // a fresh table: table id == BTF id
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), path_);
  }

  const struct bpf_map* map;
  bpf_object__for_each_map(map, obj_) {
    skel.maps.push_back(read_map(map, btf));
    const MapInfo& m = skel.maps.back();
    if (!m.mmaped || !btf) continue;
    if (const struct btf_type* sec = find_datasec(btf, m.section))
      skel.data_sections.push_back(read_datasec(btf, sec, m));
  }

  struct bpf_program* prog;
  bpf_object__for_each_program(prog, obj_) skel.progs.push_back(read_prog(prog));
  return skel;
}

}  // namespace ecc
