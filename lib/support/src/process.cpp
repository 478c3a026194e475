#include "ecc/process.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <optional>
#include <sstream>

#include <boost/process/args.hpp>
#include <boost/process/child.hpp>
#include <boost/process/exe.hpp>
#include <boost/process/extend.hpp>
#include <boost/process/io.hpp>
#include <boost/process/pipe.hpp>

#include "ecc/error.h"
#include "ecc/files.h"

namespace bp = boost::process;

namespace ecc {

namespace {

bool executable_file(const std::string& path) {
  struct stat st {};
  return stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && access(path.c_str(), X_OK) == 0;
}

// A pipe whose ends are closed on exec: the child gets its own copy as
// stdout or stderr (dup2 clears the flag), nobody else gets any.
bp::pipe cloexec_pipe(const std::string& program) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0)
    throw Error(Exit::tool_failed, "cannot run " + program + ": pipe: " + std::strerror(errno), program);
  return bp::pipe(fds[0], fds[1]);
}

[[noreturn]] void cannot_run(const std::string& program, const std::error_code& ec) {
  throw Error(Exit::tool_failed, "cannot run " + program + ": " + ec.message(), program);
}

// Reads both pipes until both are closed, so a chatty child never blocks on
// a full one. `err_fd` is -1 when stderr goes into `out_fd` (poll skips it).
void drain(int out_fd, int err_fd, std::string& out, std::string& err) {
  pollfd fds[2] = {{out_fd, POLLIN, 0}, {err_fd, POLLIN, 0}};
  std::string* text[2] = {&out, &err};
  char buf[65536];
  while (fds[0].fd >= 0 || fds[1].fd >= 0) {
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || fds[i].revents == 0) continue;
      ssize_t n = read(fds[i].fd, buf, sizeof buf);
      if (n > 0) text[i]->append(buf, static_cast<size_t>(n));
      else if (n == 0 || errno != EINTR) fds[i].fd = -1;  // closed (or broken): done with it
    }
  }
}

}  // namespace

std::string search_path(const std::string& name) {
  if (name.find('/') != std::string::npos) return access(name.c_str(), X_OK) == 0 ? name : std::string();
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "/usr/bin:/bin");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    std::string p = (dir.empty() ? "." : dir) + "/" + name;
    if (executable_file(p)) return p;
  }
  return {};
}

ToolResult run_tool(const std::vector<std::string>& argv, Output output) {
  const std::string& program = argv.at(0);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  bp::pipe out = cloexec_pipe(program);
  bp::pipe err = output == Output::separate ? cloexec_pipe(program) : bp::pipe(-1, -1);
  std::error_code ec;
  bp::child child = output == Output::separate
                        ? bp::child(bp::exe = program, bp::args = args, bp::std_in < bp::null, bp::std_out > out,
                                    bp::std_err > err, ec)
                        : bp::child(bp::exe = program, bp::args = args, bp::std_in < bp::null,
                                    (bp::std_out & bp::std_err) > out, ec);
  if (ec) cannot_run(program, ec);
  ToolResult r;
  drain(out.native_source(), err.native_source(), r.out, r.err);
  child.wait(ec);
  if (ec) throw Error(Exit::tool_failed, "cannot wait for " + program + ": " + ec.message(), program);
  int native = child.native_exit_code();
  r.signaled = WIFSIGNALED(native);
  r.exit_code = r.signaled ? 128 + WTERMSIG(native) : WEXITSTATUS(native);
  return r;
}

void start_detached(const std::vector<std::string>& argv) {
  const std::string& program = argv.at(0);
  std::vector<std::string> args(argv.begin() + 1, argv.end());
  std::error_code ec;
  bp::child child(bp::exe = program, bp::args = args, bp::std_in < bp::null, bp::std_out > bp::null,
                  bp::std_err > bp::null, bp::extend::on_exec_setup = [](auto&) { setsid(); }, ec);
  if (ec) cannot_run(program, ec);
  child.detach();
}

void reexec_with_huge_page_malloc() {
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__)
  const char* tunables = std::getenv("GLIBC_TUNABLES");
  const char* preload = std::getenv("LD_PRELOAD");
  std::string set = tunables ? tunables : "";
  if (set.find("glibc.malloc.hugetlb") != std::string::npos || (preload && *preload)) return;
  std::optional<std::string> thp = try_read_text_file("/sys/kernel/mm/transparent_hugepage/enabled");
  std::optional<std::string> cmdline = try_read_text_file("/proc/self/cmdline");
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!thp || thp->find("[never]") != std::string::npos || !cmdline || cmdline->empty() || ec) return;
  std::vector<char*> argv;
  for (size_t at = 0; at < cmdline->size(); at = cmdline->find('\0', at) + 1) argv.push_back(cmdline->data() + at);
  argv.push_back(nullptr);
  set += std::string(set.empty() ? "" : ":") + "glibc.malloc.hugetlb=1";
  if (setenv("GLIBC_TUNABLES", set.c_str(), 1) != 0) return;
  execv(self.c_str(), argv.data());
  // Not replaced: go on without, and keep the caller's environment.
  if (tunables)
    setenv("GLIBC_TUNABLES", tunables, 1);
  else
    unsetenv("GLIBC_TUNABLES");
#endif
}

}  // namespace ecc
