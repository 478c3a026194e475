#include "ecc/files.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstring>

#include "ecc/error.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

std::atomic<unsigned> g_counter{0};  // threads of one process get distinct names

// The pid in a name that starts with `prefix` and then "<pid>-", or 0.
pid_t pid_after(const std::string& name, const std::string& prefix) {
  if (name.compare(0, prefix.size(), prefix) != 0) return 0;
  pid_t pid = 0;
  size_t i = prefix.size();
  for (; i < name.size() && name[i] >= '0' && name[i] <= '9' && pid < 100000000; ++i) pid = pid * 10 + (name[i] - '0');
  return i < name.size() && name[i] == '-' ? pid : 0;
}

// Reads all of `path` into `out` with read(2) into one buffer (this reads
// the 5 MiB kernel BTF on every run of ecc, and sysfs reports its size);
// 0, or the errno of what failed.
template <typename Bytes>
int read_all(const fs::path& path, Bytes& out) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  struct stat st {};
  size_t hint = ::fstat(fd, &st) == 0 && st.st_size > 0 ? static_cast<size_t>(st.st_size) + 1 : 65536;
  out.resize(hint);
  size_t used = 0;
  int err = 0;
  for (;;) {
    if (used == out.size()) out.resize(out.size() * 2);
    ssize_t n = ::read(fd, out.data() + used, out.size() - used);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    if (n <= 0) break;
    used += static_cast<size_t>(n);
  }
  ::close(fd);
  out.resize(used);
  return err;
}

template <typename Bytes>
Bytes read_or_throw(const fs::path& path, const std::string& what, Exit code) {
  Bytes out;
  if (int err = read_all(path, out))
    throw Error(code, "cannot read" + (what.empty() ? std::string() : " " + what) + ": " + std::strerror(err),
                path.string());
  return out;
}

template <typename Bytes>
std::optional<Bytes> read_or_nothing(const fs::path& path) {
  Bytes out;
  if (read_all(path, out)) return std::nullopt;
  return out;
}

}  // namespace

std::vector<uint8_t> read_file(const fs::path& path, const std::string& what, Exit code) {
  return read_or_throw<std::vector<uint8_t>>(path, what, code);
}

std::string read_text_file(const fs::path& path, const std::string& what, Exit code) {
  return read_or_throw<std::string>(path, what, code);
}

std::optional<std::vector<uint8_t>> try_read_file(const fs::path& path) {
  return read_or_nothing<std::vector<uint8_t>>(path);
}

std::optional<std::string> try_read_text_file(const fs::path& path) { return read_or_nothing<std::string>(path); }

std::optional<MappedFile> MappedFile::open(const fs::path& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return std::nullopt;
  }
  size_t size = static_cast<size_t>(st.st_size);
  void* addr = size == 0 ? nullptr : ::mmap(nullptr, size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);  // the mapping keeps the file
  if (addr == MAP_FAILED) return std::nullopt;
  return MappedFile(addr, size);
}

MappedFile::~MappedFile() {
  if (addr_) ::munmap(addr_, size_);
}

MappedFile::MappedFile(MappedFile&& other) noexcept : addr_(other.addr_), size_(other.size_) {
  other.addr_ = nullptr;
  other.size_ = 0;
}

bool pid_is_gone(pid_t pid) { return pid > 0 && pid != getpid() && ::kill(pid, 0) != 0 && errno == ESRCH; }

void remove_leftovers_of_dead(const fs::path& dir, const std::string& prefix) {
  // Also ten minutes old: a process of another pid namespace sharing the
  // directory (a container's /src or /tmp) looks gone from here.
  const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(10);
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    std::error_code t;
    if (pid_is_gone(pid_after(e.path().filename().string(), prefix)) && fs::last_write_time(e.path(), t) < old && !t) {
      std::error_code rm;
      fs::remove_all(e.path(), rm);  // best effort: another run may sweep it first
    }
  }
}

PendingFile::PendingFile(fs::path path) : path_(std::move(path)) {
  const std::string prefix = "." + path_.filename().string() + ".ecc-tmp-";
  // A writer that was killed left its temporary (and what a compiler
  // writing it made next to it) behind: swept by the next writer.
  remove_leftovers_of_dead(path_.parent_path().empty() ? "." : path_.parent_path(), prefix);
  tmp_ = path_.parent_path() / (prefix + std::to_string(getpid()) + "-" + std::to_string(g_counter++));
}

PendingFile::PendingFile(PendingFile&& o) noexcept : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), done_(o.done_) {
  o.done_ = true;
}

PendingFile::~PendingFile() {
  if (done_) return;
  std::error_code ec;
  fs::remove(tmp_, ec);
}

void PendingFile::write(std::span<const uint8_t> bytes) { write(std::span(&bytes, 1)); }

void PendingFile::write(std::span<const std::span<const uint8_t>> pieces) {
  int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(errno), path_.string());
  for (std::span<const uint8_t> bytes : pieces) {
    size_t off = 0;
    while (off < bytes.size()) {
      ssize_t n = ::write(fd, bytes.data() + off, bytes.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        int err = n < 0 ? errno : ENOSPC;
        ::close(fd);
        throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(err), path_.string());
      }
      off += static_cast<size_t>(n);
    }
  }
  if (::close(fd) != 0) throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(errno), path_.string());
}

void PendingFile::commit() {
  std::error_code ec;
  fs::rename(tmp_, path_, ec);
  if (ec) throw Error(Exit::bad_input, "cannot write: " + ec.message(), path_.string());
  done_ = true;
}

void write_file_atomic(const fs::path& path, std::span<const uint8_t> bytes) {
  PendingFile f(path);
  f.write(bytes);
  f.commit();
}

void write_file_atomic(const fs::path& path, const std::string& text) {
  write_file_atomic(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

}  // namespace ecc
