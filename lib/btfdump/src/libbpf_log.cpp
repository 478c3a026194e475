#include "ecc/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace ecc {
namespace {

std::recursive_mutex capture_mutex;
std::string last_warning, last_any;

std::string clean(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  constexpr std::string_view prefix = "libbpf: ";
  if (s.starts_with(prefix)) s.erase(0, prefix.size());
  return s;
}

int capture(enum libbpf_print_level level, const char* fmt, va_list ap) {
  char buf[1024];
  vsnprintf(buf, sizeof buf, fmt, ap);
  std::string msg = clean(buf);
  if (msg.empty()) return 0;
  if (level == LIBBPF_WARN) last_warning = msg;
  last_any = msg;
  return 0;
}

}  // namespace

LibbpfLog::LibbpfLog() : lock_(capture_mutex) {
  last_warning.clear();
  last_any.clear();
  previous_ = reinterpret_cast<void*>(libbpf_set_print(capture));
}

LibbpfLog::~LibbpfLog() { libbpf_set_print(reinterpret_cast<libbpf_print_fn_t>(previous_)); }

std::string LibbpfLog::last() const { return last_warning.empty() ? last_any : last_warning; }

}  // namespace ecc
