#include "ecc/files.h"

#include <fcntl.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>

#include "ecc/error.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {
std::atomic<unsigned> g_counter{0};  // threads of one process get distinct names
}

PendingFile::PendingFile(fs::path path) : path_(std::move(path)) {
  tmp_ = path_.parent_path() / ("." + path_.filename().string() + ".ecc-tmp-" + std::to_string(getpid()) + "-" +
                                std::to_string(g_counter++));
}

PendingFile::PendingFile(PendingFile&& o) noexcept : path_(std::move(o.path_)), tmp_(std::move(o.tmp_)), done_(o.done_) {
  o.done_ = true;
}

PendingFile::~PendingFile() {
  if (done_) return;
  std::error_code ec;
  fs::remove(tmp_, ec);
}

void PendingFile::write(std::span<const uint8_t> bytes) {
  int fd = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error(Exit::bad_input, std::string("cannot write: ") + std::strerror(errno), path_.string());
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
