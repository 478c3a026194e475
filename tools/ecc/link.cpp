#include "link.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>
#include <mutex>

#include "ecc/error.h"

namespace ecc {

namespace {

// libbpf reports through one global print hook; keep its last warning so a
// failure can say why in one line.
std::mutex g_log_mutex;
std::string g_last_message;

int capture_libbpf(enum libbpf_print_level level, const char* fmt, va_list args) {
  if (level == LIBBPF_DEBUG) return 0;
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, args);
  std::string line(buf);
  while (!line.empty() && (line.back() == '\n' || line.back() == ' ')) line.pop_back();
  g_last_message = line;
  return 0;
}

}  // namespace

void link_bpf_object(const std::string& in, const std::string& out) {
  std::lock_guard lock(g_log_mutex);
  g_last_message.clear();
  libbpf_print_fn_t previous = libbpf_set_print(capture_libbpf);
  auto fail = [&](const char* what) {
    libbpf_set_print(previous);
    throw Error(Exit::bad_input, std::string(what) + (g_last_message.empty() ? "" : ": " + g_last_message), in);
  };
  bpf_linker* linker = bpf_linker__new(out.c_str(), nullptr);
  if (!linker) fail("cannot start the BPF linker");
  if (bpf_linker__add_file(linker, in.c_str(), nullptr) != 0) {
    bpf_linker__free(linker);
    fail("the BPF linker rejected the object");
  }
  if (bpf_linker__finalize(linker) != 0) {
    bpf_linker__free(linker);
    fail("the BPF linker failed");
  }
  bpf_linker__free(linker);
  libbpf_set_print(previous);
}

}  // namespace ecc
