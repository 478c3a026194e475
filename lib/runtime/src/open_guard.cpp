#include "ecc/open_guard.h"

#include <bpf/libbpf.h>
#include <bpf/libbpf_version.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <algorithm>
#include <cstring>
#include <filesystem>
#include <optional>
#include <span>
#include <vector>

#include "ecc/cache_file.h"
#include "ecc/cache_root.h"
#include "ecc/error.h"
#include "ecc/files.h"

namespace ecc {

namespace {

libbpf_print_fn_t g_silent = [](libbpf_print_level, const char*, va_list) { return 0; };

bool g_keep_survivors = false;

// A crash depends on libbpf's code as much as on the bytes: its version is
// part of the name.
std::filesystem::path survivor_entry(std::span<const uint8_t> elf) {
  return cache_root() / "open-guard" /
         ("libbpf-" + std::to_string(LIBBPF_MAJOR_VERSION) + "." + std::to_string(LIBBPF_MINOR_VERSION) + "-" +
          hash_hex(elf) + ".o");
}

// Only a byte-for-byte copy counts: the hash names the entry, it proves nothing.
bool survived_before(const std::filesystem::path& entry, std::span<const uint8_t> elf) {
  std::optional<std::vector<uint8_t>> kept = try_read_file(entry);
  return kept && std::equal(kept->begin(), kept->end(), elf.begin(), elf.end());
}

void keep_survivor(const std::filesystem::path& entry, std::span<const uint8_t> elf) {
  std::error_code ec;
  std::filesystem::create_directories(entry.parent_path(), ec);
  try {
    if (!ec) write_file_atomic(entry, elf);
  } catch (const Error&) {
    // Not kept: the next run checks these bytes in a child again.
  }
}

void open_in_child(const uint8_t* elf, size_t size, const std::string& path) {
  pid_t pid = fork();
  if (pid < 0) throw Error(Exit::tool_failed, std::string("fork: ") + std::strerror(errno), path);
  if (pid == 0) {
    // Only async-signal-safe work would be strictly allowed here; the child
    // is single-threaded in ecli and the Wasm host at this point.
    // A crash must end the child by its signal, whatever handler the parent
    // has installed for it (a sanitizer's reports and exits with a status,
    // the AOT engine's forwards to the wasm runtime's).
    for (int sig : {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT}) signal(sig, SIG_DFL);
    libbpf_set_print(g_silent);
    bpf_object_open_opts oo{};
    oo.sz = sizeof oo;
    bpf_object* obj = bpf_object__open_mem(elf, size, &oo);
    if (obj) bpf_object__close(obj);
    _exit(0);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) throw Error(Exit::tool_failed, std::string("waitpid: ") + std::strerror(errno), path);
  if (WIFSIGNALED(status))
    throw Error(Exit::bad_input,
                "bpf_object is a damaged ELF file: libbpf crashes reading it (" +
                    std::string(strsignal(WTERMSIG(status))) + ")",
                path);
  // The child exits 0 when it survived; anything else (a sanitizer's report
  // of a fault inside libbpf) is the same crash.
  if (WIFEXITED(status) && WEXITSTATUS(status) != 0)
    throw Error(Exit::bad_input,
                "bpf_object is a damaged ELF file: libbpf crashes reading it (exit status " +
                    std::to_string(WEXITSTATUS(status)) + ")",
                path);
}

}  // namespace

void keep_open_survivors() { g_keep_survivors = true; }

void check_libbpf_survives_open(const uint8_t* elf, size_t size, const std::string& path) {
  if (!g_keep_survivors) return open_in_child(elf, size, path);
  std::span<const uint8_t> bytes(elf, size);
  std::filesystem::path entry = survivor_entry(bytes);
  if (survived_before(entry, bytes)) return;
  open_in_child(elf, size, path);
  keep_survivor(entry, bytes);
}

}  // namespace ecc
