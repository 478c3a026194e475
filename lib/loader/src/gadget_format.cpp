// Inspektor Gadget's formatted types (docs/gadget.md): what `ig run` prints
// for gadget_timestamp, gadget_errno, gadget_signal, gadget_syscall, file
// modes and flags, flag-set enums and L3/L4 endpoints.
#include <arpa/inet.h>
#include <string.h>
#include <sys/stat.h>

#include <cinttypes>
#include <cstring>
#include <ctime>
#include <unordered_map>

#include "ecc/loader.h"

namespace ecc::loader {

namespace {

uint64_t load_uint(const uint8_t* p, size_t n) {
  uint64_t v = 0;
  for (size_t i = std::min<size_t>(n, 8); i-- > 0;) v = (v << 8) | p[i];
  return v;
}

// ns since boot -> wall-clock UTC, the offset taken once per process.
std::string timestamp_text(uint64_t boot_ns) {
  static const int64_t offset = [] {
    timespec real{}, boot{};
    clock_gettime(CLOCK_REALTIME, &real);
    clock_gettime(CLOCK_BOOTTIME, &boot);
    return (real.tv_sec - boot.tv_sec) * 1000000000LL + (real.tv_nsec - boot.tv_nsec);
  }();
  int64_t ns = static_cast<int64_t>(boot_ns) + offset;
  std::time_t secs = static_cast<std::time_t>(ns / 1000000000LL);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char b[64];
  size_t n = std::strftime(b, sizeof b, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(b + n, sizeof b - n, ".%09" PRId64 "Z", static_cast<int64_t>(ns % 1000000000LL));
  return b;
}

std::string errno_text(uint64_t e) {
  if (e == 0) return "";
  const char* name = e < 4096 ? strerrorname_np(static_cast<int>(e)) : nullptr;
  return name ? name : std::to_string(e);
}

std::string signal_text(uint64_t s) {
  if (s == 0) return "";
  const char* abbrev = s < 128 ? sigabbrev_np(static_cast<int>(s)) : nullptr;
  return abbrev ? std::string("SIG") + abbrev : std::to_string(s);
}

std::string syscall_text(uint64_t nr) {
  static const std::unordered_map<uint64_t, std::string> names = [] {
    static const std::pair<uint64_t, const char*> table[] = {
#include "syscall_names.inc"
    };
    std::unordered_map<uint64_t, std::string> m;
    for (const auto& [n, name] : table) {
      std::string up = "SYS_";
      for (const char* c = name; *c; c++) up += static_cast<char>(std::toupper(static_cast<unsigned char>(*c)));
      m.emplace(n, up);
    }
    return m;
  }();
  auto it = names.find(nr);
  return it != names.end() ? it->second : std::to_string(nr);
}

std::string mode_text(uint64_t mode) {
  char type = '-';
  switch (mode & S_IFMT) {
    case S_IFDIR: type = 'd'; break;
    case S_IFLNK: type = 'l'; break;
    case S_IFCHR: type = 'c'; break;
    case S_IFBLK: type = 'b'; break;
    case S_IFIFO: type = 'p'; break;
    case S_IFSOCK: type = 's'; break;
    default: break;
  }
  std::string s(1, type);
  const char* rwx = "rwxrwxrwx";
  for (int i = 0; i < 9; i++) s += (mode & (0400u >> i)) ? rwx[i] : '-';
  if (mode & S_ISUID) s[3] = (mode & S_IXUSR) ? 's' : 'S';
  if (mode & S_ISGID) s[6] = (mode & S_IXGRP) ? 's' : 'S';
  if (mode & S_ISVTX) s[9] = (mode & S_IXOTH) ? 't' : 'T';
  return s;
}

// open(2) flags with the kernel's values (O_LARGEFILE is 0 in userspace headers).
std::string flags_text(uint64_t flags) {
  static const std::pair<uint64_t, const char*> bits[] = {
      {0100, "O_CREAT"},         {0200, "O_EXCL"},           {0400, "O_NOCTTY"},      {01000, "O_TRUNC"},
      {02000, "O_APPEND"},       {04000, "O_NONBLOCK"},      {04010000, "O_SYNC"},    {010000, "O_DSYNC"},
      {020000, "O_ASYNC"},       {040000, "O_DIRECT"},       {0100000, "O_LARGEFILE"}, {020200000, "O_TMPFILE"},
      {0200000, "O_DIRECTORY"},  {0400000, "O_NOFOLLOW"},    {01000000, "O_NOATIME"}, {02000000, "O_CLOEXEC"},
      {010000000, "O_PATH"},
  };
  static const char* access[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
  std::string s = access[flags & 3];
  uint64_t rest = flags & ~uint64_t{3};
  for (const auto& [bit, name] : bits)
    if ((rest & bit) == bit) {
      s += std::string("|") + name;
      rest &= ~bit;
    }
  if (rest) s += "|0x" + [&] { char b[20]; std::snprintf(b, sizeof b, "%" PRIx64, rest); return std::string(b); }();
  return s;
}

std::string flag_set_text(const Field& f, uint64_t v) {
  std::string s;
  uint64_t rest = v;
  for (const EnumValue& e : f.values) {
    uint64_t bit = static_cast<uint64_t>(e.value);
    if (bit && (v & bit) == bit) {
      s += (s.empty() ? "" : "|") + e.name;
      rest &= ~bit;
    }
  }
  if (rest || s.empty()) s += (s.empty() ? "" : "|") + std::to_string(rest);
  return s;
}

// An endpoint's members by name (the struct is the gadget's own BTF).
const Field* member(const Field& f, const char* name) {
  for (const Field& c : f.children)
    if (c.name == name) return &c;
  return nullptr;
}

uint64_t member_uint(const Field& f, const char* name, const uint8_t* p) {
  const Field* m = member(f, name);
  return m && m->kind != Field::Kind::Record ? load_uint(p + m->offset, m->size) : 0;
}

std::string address_text(const Field& f, const uint8_t* p) {
  const Field* addr = member(f, "addr_raw");
  if (!addr || addr->size < 16) return "";
  char b[INET6_ADDRSTRLEN] = "";
  int af = member_uint(f, "version", p) == 6 ? AF_INET6 : AF_INET;
  inet_ntop(af, p + addr->offset, b, sizeof b);
  return b;
}

}  // namespace

std::string format_text(const Field& f, const uint8_t* p, size_t avail) {
  if (f.size > avail) return "";
  uint64_t v = f.kind == Field::Kind::Record ? 0 : load_uint(p, f.size);
  switch (f.format) {
    case Field::Format::timestamp: return timestamp_text(v);
    case Field::Format::errno_name: return errno_text(v);
    case Field::Format::signal_name: return signal_text(v);
    case Field::Format::syscall_name: return syscall_text(v);
    case Field::Format::file_mode: return mode_text(v);
    case Field::Format::file_flags: return flags_text(v);
    case Field::Format::flag_set: return flag_set_text(f, v);
    case Field::Format::l3endpoint: return address_text(f, p);
    case Field::Format::l4endpoint: {
      std::string a = address_text(f, p);
      if (member_uint(f, "version", p) == 6) a = "[" + a + "]";
      return a + ":" + std::to_string(member_uint(f, "port", p));
    }
    case Field::Format::plain: break;
  }
  return std::to_string(v);
}

Json format_json(const Field& f, const uint8_t* p, size_t avail) {
  if (f.size > avail) return nullptr;
  if (f.format != Field::Format::l3endpoint && f.format != Field::Format::l4endpoint) return format_text(f, p, avail);
  Json o = {{"addr", address_text(f, p)}};
  if (f.format == Field::Format::l4endpoint) {
    o["port"] = member_uint(f, "port", p);
    o["proto"] = member_uint(f, "proto_raw", p) ? member_uint(f, "proto_raw", p) : member_uint(f, "proto", p);
  }
  o["version"] = member_uint(f, "version", p);
  return o;
}

}  // namespace ecc::loader
