// The one process runner of every tool and library (Boost.Process): runs a
// program with its output captured, or starts one that outlives the caller.
// Pipes are created close-on-exec, so a program started meanwhile on another
// thread never inherits an end of them.
#pragma once

#include <string>
#include <vector>

namespace ecc {

// `name` as a path, the way execvp finds it: itself when it has a slash and
// is executable, else the first executable regular file of that name in
// $PATH (an empty entry is the current directory; without $PATH,
// /usr/bin:/bin). Empty when there is none.
std::string search_path(const std::string& name);

// Where a program's stderr goes: captured apart from stdout, or into the
// same pipe (interleaved as written, into ToolResult::out).
enum class Output { separate, merged };

struct ToolResult {
  int exit_code = 0;      // its exit status; 128 + the signal when one ended it
  bool signaled = false;
  std::string out;
  std::string err;        // empty with Output::merged
};

// Runs argv (argv[0] already resolved: a path) with stdin from /dev/null,
// captures its output and waits for it. Never throws for a non-zero exit:
// callers decide. Throws Error(tool_failed, "cannot run <argv[0]>: <why>")
// when it cannot be started.
ToolResult run_tool(const std::vector<std::string>& argv, Output output = Output::separate);

// Starts argv in a session of its own (a Ctrl-C to the caller's terminal
// does not reach it) with stdin, stdout and stderr on /dev/null, and does not
// wait for it: meant for a caller that exits soon, after which init reaps it.
// Throws as run_tool does when it cannot be started.
void start_detached(const std::vector<std::string>& argv);

// Re-executes this program (the path /proc/self/exe names, the same
// arguments from /proc/self/cmdline) once, with glibc's malloc on transparent huge pages
// (GLIBC_TUNABLES glibc.malloc.hugetlb=1, inherited by what it starts), when
// the kernel offers them and no hugetlb tunable is set already: a compile
// faults in tens of megabytes of fresh heap, and where page faults are dear (a
// paravirtualised VM) that is a third of a cold compile. Call it before
// anything is written. Returns, and the program goes on as it is, when that
// does not apply (a sanitizer's allocator, THP "never", LD_PRELOAD: another
// malloc, valgrind, heaptrack) or the exec fails.
void reexec_with_huge_page_malloc();

}  // namespace ecc
