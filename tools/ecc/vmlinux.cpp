#include "vmlinux.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "cache.h"
#include "ecc/btf_file.h"
#include "ecc/btf.h"
#include "ecc/error.h"

namespace ecc {

namespace {

// The running kernel's BTF. ECC_KERNEL_BTF overrides the path, for
// containers that mount the host's sysfs elsewhere (and for tests).
std::string kernel_btf_path() {
  const char* env = std::getenv("ECC_KERNEL_BTF");
  return env && *env ? env : "/sys/kernel/btf/vmlinux";
}

std::string flags_key(const std::string& version, const std::vector<std::string>& flags) {
  std::string text = version;
  for (const auto& f : flags) text += '\0' + f;
  return hash_hex(text);
}

// A new vmlinux.h makes the PCHs built from the old one stale.
void drop_pchs(const fs::path& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec))
    if (e.path().extension() == ".pch") fs::remove(e.path(), ec);
}

// The hash of the running kernel's BTF. It cannot change while the kernel
// runs, and reading /sys/kernel/btf/vmlinux takes a read(2) per 4 KiB page,
// so the hash is remembered per boot (boot_id) in
// kernel-btf-<hash of boot_id, path, size>.txt. A record that is not 16 hex
// digits is ignored and rewritten.
std::string running_kernel_btf_hash(const std::string& path) {
  std::optional<std::string> boot = try_read_text_file("/proc/sys/kernel/random/boot_id");
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  if (!boot || boot->empty() || ec) return hash_file_hex(path);
  std::string key = hash_hex(*boot + '\0' + path + '\0' + std::to_string(size));
  fs::path record = cache_root() / ("kernel-btf-" + key + ".txt");
  std::optional<std::string> known = try_read_text_file(record);
  if (known && known->size() == 16 && known->find_first_not_of("0123456789abcdef") == std::string::npos)
    return *known;
  std::string h = hash_file_hex(path);
  try {
    fs::create_directories(record.parent_path(), ec);
    write_file_atomic(record, h);
  } catch (const Error&) {
    // The cache is an optimisation.
  }
  return h;
}

}  // namespace

KernelHeader locate_vmlinux_h(const Options& o, bool check_cached) {
  KernelHeader kh;
  std::string prefix;
  if (!o.vmlinux_h.empty()) {
    kh.origin = o.vmlinux_h;
    prefix = "hdr-";
  } else {
    kh.origin = o.btf.empty() ? kernel_btf_path() : o.btf;
    prefix = "btf-";
    if (o.btf.empty() && !fs::exists(kh.origin))
      throw Error(Exit::bad_input,
                  "this kernel exposes no BTF; pass --btf FILE (a kernel's BTF) or --vmlinux-h FILE", kh.origin);
  }
  bool running = o.vmlinux_h.empty() && o.btf.empty() && !std::getenv("ECC_KERNEL_BTF");
  kh.dir = cache_root() / (prefix + (running ? running_kernel_btf_hash(kh.origin) : hash_file_hex(kh.origin)));
  kh.header = kh.dir / "vmlinux.h";
  kh.cached = check_cached && checked_cache_file_valid(kh.header);
  return kh;
}

Step make_vmlinux_h_step(const KernelHeader& kh, const Options& o) {
  if (!o.vmlinux_h.empty()) {
    return {"cp " + kh.origin + " " + kh.header.string(), [kh] {
              fs::create_directories(kh.dir);
              drop_pchs(kh.dir);
              write_checked_cache_file(kh.header, read_file(kh.origin));
            }};
  }
  return {"# generate " + kh.header.string() + " from the BTF in " + kh.origin + " (libbpf btf_dump)", [kh] {
            // Raw BTF (/sys/kernel/btf/vmlinux) and ELF files alike.
            struct btf* btf = open_btf_file(kh.origin);
            std::string text;
            try {
              text = generate_vmlinux_h(btf);
            } catch (...) {
              btf__free(btf);
              throw;
            }
            btf__free(btf);
            std::error_code ec;
            fs::create_directories(kh.dir, ec);
            if (ec) throw Error(Exit::bad_input, "cannot create the cache directory: " + ec.message(), kh.dir);
            drop_pchs(kh.dir);
            write_checked_cache_file(kh.header,
                                     std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
          }};
}

fs::path clang_pch_path(const KernelHeader& kh, const std::string& clang_version,
                        const std::vector<std::string>& flags) {
  return kh.dir / ("clang-" + flags_key(clang_version, flags) + ".pch");
}

fs::path scan_pch_path(const KernelHeader& kh, const std::vector<std::string>& flags) {
  return kh.dir / ("scan-" + flags_key("libclang " ECC_LIBCLANG_VERSION, flags) + ".pch");
}

bool starts_with_vmlinux_include(const fs::path& source) {
  std::vector<uint8_t> bytes = read_file(source);
  std::string text;
  // Line splices first, as translation phase 2 does.
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (bytes[i] == '\\' && i + 1 < bytes.size() && bytes[i + 1] == '\n') {
      ++i;
      continue;
    }
    text += static_cast<char>(bytes[i]);
  }
  size_t i = 0;
  auto skip_space_and_comments = [&](bool cross_lines) {
    while (i < text.size()) {
      char c = text[i];
      if (c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v' || (cross_lines && c == '\n')) {
        ++i;
      } else if (text.compare(i, 2, "//") == 0) {
        if (!cross_lines) return;
        while (i < text.size() && text[i] != '\n') ++i;
      } else if (text.compare(i, 2, "/*") == 0) {
        size_t end = text.find("*/", i + 2);
        i = end == std::string::npos ? text.size() : end + 2;
      } else {
        return;
      }
    }
  };
  skip_space_and_comments(true);
  if (i >= text.size() || text[i] != '#') return false;
  ++i;
  skip_space_and_comments(false);
  if (text.compare(i, 7, "include") != 0) return false;
  i += 7;
  skip_space_and_comments(false);
  return text.compare(i, 11, "\"vmlinux.h\"") == 0 || text.compare(i, 11, "<vmlinux.h>") == 0;
}

}  // namespace ecc
