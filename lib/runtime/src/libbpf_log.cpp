#include "ecc/libbpf_log.h"

#include <bpf/libbpf.h>

#include <cstdarg>
#include <cstdio>

namespace ecc {
namespace {

std::recursive_mutex capture_mutex;
std::string last_warning, last_any;
std::string all_text;  // info and warning messages, as printed
bool echo_all = false;
constexpr size_t kTextLimit = 4u << 20, kTextKeep = 1u << 20;

std::string clean(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  constexpr std::string_view prefix = "libbpf: ";
  if (s.starts_with(prefix)) s.erase(0, prefix.size());
  return s;
}

int capture(enum libbpf_print_level level, const char* fmt, va_list ap) {
  va_list again;
  va_copy(again, ap);
  char buf[1024];
  int n = vsnprintf(buf, sizeof buf, fmt, ap);
  if ((level != LIBBPF_DEBUG || echo_all) && n > 0) {
    // The whole message (a verifier log is one message), not only buf.
    size_t at = all_text.size();
    all_text.resize(at + static_cast<size_t>(n) + 1);
    vsnprintf(all_text.data() + at, static_cast<size_t>(n) + 1, fmt, again);
    all_text.resize(at + static_cast<size_t>(n));
    if (echo_all) std::fputs(all_text.c_str() + at, stderr);
    if (all_text.back() != '\n') all_text += '\n';
    if (all_text.size() > kTextLimit) all_text.erase(0, all_text.size() - kTextKeep);
  }
  va_end(again);
  std::string msg = clean(buf);
  if (msg.empty()) return 0;
  if (level == LIBBPF_WARN) last_warning = msg;
  last_any = msg;
  return 0;
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

void LibbpfLog::clear() {
  last_warning.clear();
  last_any.clear();
  all_text.clear();
}

std::string LibbpfLog::last() const { return last_warning.empty() ? last_any : last_warning; }

std::string LibbpfLog::text() const { return all_text; }

std::string LibbpfLog::tail(size_t lines) const {
  const std::string& t = all_text;
  size_t end = !t.empty() && t.back() == '\n' ? t.size() - 1 : t.size();  // the end of the last line
  if (lines == 0 || end == 0) return {};
  size_t begin = 0;  // the start of the first line kept
  for (size_t k = 0, at = end; k < lines; k++) {
    size_t nl = at == 0 ? std::string::npos : t.rfind('\n', at - 1);
    if (nl == std::string::npos) {
      begin = 0;
      break;
    }
    begin = nl + 1;
    at = nl;
  }
  return t.substr(begin, end - begin) + "\n";
}

}  // namespace ecc
