// vmlinux.h from kernel BTF: every type through libbpf's btf_dump (as
// `bpftool btf dump ... format c` does), plus the kernel's kfuncs.
#include <linux/btf.h>
#include <bpf/btf.h>

#include <cerrno>
#include <cstdarg>
#include <cstdio>
#include <cstring>
#include <memory>
#include <set>

#include "ecc/btf.h"
#include "ecc/error.h"
#include "ecc/libbpf_log.h"

namespace ecc {
namespace {

// Where btf_dump's text goes. libbpf 1.1 prints an empty parameter list as
// "()" (two calls: "(" then ")"), a declaration without a prototype in C
// before C23; newer libbpf and bpftool print "(void)", which we insert so
// that kfuncs get real prototypes and the text matches bpftool's.
struct Sink {
  std::string out;
  bool after_open_paren = false;

  // Our own text, between btf_dump's.
  Sink& operator+=(std::string_view text) {
    out += text;
    after_open_paren = false;
    return *this;
  }
};

void append(void* ctx, const char* fmt, va_list ap) {
  auto* sink = static_cast<Sink*>(ctx);
  bool close_paren = fmt[0] == ')' && fmt[1] == '\0';
  if (close_paren && sink->after_open_paren) sink->out += "void";
  sink->after_open_paren = fmt[0] == '(' && fmt[1] == '\0';
  std::string* out = &sink->out;
  // Most of btf_dump's calls are plain text or one "%s": appended directly,
  // without a formatting pass.
  if (!std::strchr(fmt, '%')) {
    out->append(fmt);
    return;
  }
  if (std::strcmp(fmt, "%s") == 0) {
    out->append(va_arg(ap, const char*));
    return;
  }
  char buf[512];
  va_list again;
  va_copy(again, ap);
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if (n < 0) {
    va_end(again);
    return;
  }
  if (static_cast<size_t>(n) < sizeof buf) {
    out->append(buf, n);
  } else {
    size_t at = out->size();
    out->resize(at + n + 1);
    vsnprintf(out->data() + at, n + 1, fmt, again);
    out->resize(at + n);
  }
  va_end(again);
}

struct DumpFree {
  void operator()(struct btf_dump* d) const { btf_dump__free(d); }
};

[[noreturn]] void fail(const std::string& what, int err, const LibbpfLog& log) {
  std::string why = log.last();
  if (why.empty()) why = std::strerror(err < 0 ? -err : err);
  throw Error(Exit::bad_input, what + ": " + why);
}

// The FUNC ids tagged "bpf_kfunc" as a whole (component_idx -1), in BTF id
// order; a name seen twice is declared once.
std::vector<uint32_t> kfuncs(const struct btf* btf) {
  std::vector<uint32_t> ids;
  std::set<std::string> seen;
  uint32_t n = btf__type_cnt(btf);
  for (uint32_t i = 1; i < n; ++i) {
    const struct btf_type* t = btf__type_by_id(btf, i);
    if (!btf_is_decl_tag(t) || btf_decl_tag(t)->component_idx != -1) continue;
    if (std::strcmp(btf__name_by_offset(btf, t->name_off), "bpf_kfunc") != 0) continue;
    const struct btf_type* f = btf__type_by_id(btf, t->type);
    if (!f || !btf_is_func(f)) continue;
    if (seen.insert(btf__name_by_offset(btf, f->name_off)).second) ids.push_back(t->type);
  }
  return ids;
}

}  // namespace

std::string generate_vmlinux_h(const struct btf* btf) {
  LibbpfLog log;
  Sink sink;
  sink.out.reserve(4 << 20);
  std::unique_ptr<struct btf_dump, DumpFree> d(btf_dump__new(btf, append, &sink, nullptr));
  if (!d) fail("cannot dump BTF", errno, log);

  sink +=
      "#ifndef __VMLINUX_H__\n"
      "#define __VMLINUX_H__\n"
      "\n"
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
      "#pragma clang attribute push (__attribute__((preserve_access_index)), apply_to = record)\n"
      "#endif\n"
      "\n";
  uint32_t n = btf__type_cnt(btf);
  for (uint32_t id = 1; id < n; ++id)
    if (int err = btf_dump__dump_type(d.get(), id)) fail("cannot dump BTF type " + std::to_string(id), err, log);

  // Declared weak so that a program still loads on a kernel without one of
  // them (libbpf resolves missing weak ksyms to 0); .ksyms is where libbpf
  // looks for kernel symbols (bpf_helpers.h's __ksym).
  // btf_dump ends every type with a blank line already.
  sink += "#ifndef BPF_NO_KFUNC_PROTOTYPES\n";
  for (uint32_t id : kfuncs(btf)) {
    const struct btf_type* f = btf__type_by_id(btf, id);
    LIBBPF_OPTS(btf_dump_emit_type_decl_opts, opts, .field_name = btf__name_by_offset(btf, f->name_off));
    sink += "extern ";
    if (int err = btf_dump__emit_type_decl(d.get(), f->type, &opts))
      fail("cannot declare kfunc " + std::string(opts.field_name), err, log);
    sink += " __attribute__((weak)) __attribute__((section(\".ksyms\")));\n";
  }
  sink +=
      "#endif /* BPF_NO_KFUNC_PROTOTYPES */\n"
      "\n"
      "#ifndef BPF_NO_PRESERVE_ACCESS_INDEX\n"
      "#pragma clang attribute pop\n"
      "#endif\n"
      "\n"
      "#endif /* __VMLINUX_H__ */\n";
  return std::move(sink.out);
}

}  // namespace ecc
