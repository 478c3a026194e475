#include "ecc/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace ecc {
namespace {

std::recursive_mutex capture_mutex;
std::string last_warning, last_any, text;
bool echo_all = false;
constexpr size_t kKeep = 1u << 20;  // bytes of log kept for the tail

std::string clean(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  constexpr std::string_view prefix = "libbpf: ";
  if (s.starts_with(prefix)) s.erase(0, prefix.size());
  return s;
}

int capture(enum libbpf_print_level level, const char* fmt, va_list ap) {
  va_list copy;
  va_copy(copy, ap);
  int n = vsnprintf(nullptr, 0, fmt, copy);
  va_end(copy);
  std::string buf(n > 0 ? static_cast<size_t>(n) : 0, '\0');
  if (n > 0) vsnprintf(buf.data(), buf.size() + 1, fmt, ap);
  if (echo_all) std::fputs(buf.c_str(), stderr);
  if (level != LIBBPF_DEBUG || echo_all) {
    text += buf;
    if (!text.empty() && text.back() != '\n') text += '\n';
    if (text.size() > 2 * kKeep) text.erase(0, text.size() - kKeep);
  }
  std::string msg = clean(buf);
  if (msg.empty()) return n;
  if (level == LIBBPF_WARN) last_warning = msg;
  last_any = msg;
  return n;
}

}  // namespace

LibbpfLog::LibbpfLog(bool echo) : lock_(capture_mutex) {
  clear();
  echo_all = echo;
  previous_ = reinterpret_cast<void*>(libbpf_set_print(capture));
}

LibbpfLog::~LibbpfLog() {
  libbpf_set_print(reinterpret_cast<libbpf_print_fn_t>(previous_));
  echo_all = false;
}

std::string LibbpfLog::last() const { return last_warning.empty() ? last_any : last_warning; }

void LibbpfLog::clear() {
  last_warning.clear();
  last_any.clear();
  text.clear();
}

std::string LibbpfLog::tail(size_t n) const {
  size_t pos = text.size();
  if (pos && text[pos - 1] == '\n') pos--;
  for (size_t k = 0; k < n && pos > 0; k++) {
    size_t nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) return text;
    pos = nl;
  }
  return pos == 0 ? text : text.substr(pos + 1);
}

}  // namespace ecc
