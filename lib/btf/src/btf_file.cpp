#include "ecc/btf_file.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <optional>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/libbpf_log.h"

namespace ecc {

namespace {

// What the file starts with decides which reader libbpf uses, and so which
// explanation fits when it fails.
enum class Kind { raw_btf, elf, other };

Kind sniff(const std::string& path, size_t& size) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Exit::bad_input, std::string("cannot read the BTF file: ") + std::strerror(errno), path);
  uint8_t head[4] = {};
  ssize_t n = ::pread(fd, head, sizeof head, 0);
  off_t end = ::lseek(fd, 0, SEEK_END);
  ::close(fd);
  if (n < 0) throw Error(Exit::bad_input, std::string("cannot read the BTF file: ") + std::strerror(errno), path);
  size = end > 0 ? static_cast<size_t>(end) : 0;
  if (n == 0) throw Error(Exit::bad_input, "the BTF file is empty", path);
  // BTF_MAGIC 0xeB9F in either byte order; ELF's \x7fELF.
  if (n >= 2 && ((head[0] == 0x9f && head[1] == 0xeb) || (head[0] == 0xeb && head[1] == 0x9f))) return Kind::raw_btf;
  if (n == 4 && std::memcmp(head, "\x7f" "ELF", 4) == 0) return Kind::elf;
  return Kind::other;
}

}  // namespace

struct btf* open_btf_file(const std::string& path) {
  size_t size = 0;
  Kind kind = sniff(path, size);
  if (kind == Kind::other)
    throw Error(Exit::bad_input, "not a BTF file: neither raw BTF (magic 0xeb9f) nor an ELF file with a .BTF section",
                path);
  LibbpfLog log;
  // Raw BTF through a mapping when the file can be mapped (recent kernels'
  // /sys/kernel/btf/vmlinux can): libbpf reads it in 4 KiB read(2)s,
  // 18 ms for the 5 MB of a kernel's BTF against 2 ms mapped.
  std::optional<MappedFile> mapped = kind == Kind::raw_btf ? MappedFile::open(path) : std::nullopt;
  struct btf* btf = mapped ? btf__new(mapped->bytes().data(), static_cast<__u32>(mapped->bytes().size()))
                           : btf__parse(path.c_str(), nullptr);
  if (btf) return btf;
  int err = errno;
  std::string reason = log.last();
  if (kind == Kind::elf && reason.find("'.BTF'") != std::string::npos)
    throw Error(Exit::bad_input, "an ELF file without a .BTF section, not a BTF file", path);
  std::string what = kind == Kind::elf ? "damaged BTF in the ELF file" : "damaged raw BTF";
  what += " (" + std::to_string(size) + " bytes)";
  what += ": " + (reason.empty() ? std::string(std::strerror(err)) : reason);
  throw Error(Exit::bad_input, what, path);
}

void check_btf_file(const std::string& path) { btf__free(open_btf_file(path)); }

}  // namespace ecc
