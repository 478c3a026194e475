#include "warm_cache.h"

#include <filesystem>
#include <mutex>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/process.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

WarmJob parse_warm_job(const std::vector<std::string>& args) {
  const std::string shape = std::string(kWarmCacheFlag) +
                            " SCAN_PCH VMLINUX_H COUNT SCAN_ARG... CLANG_COMMAND... (ecc starts it itself)";
  if (args.size() < 3 || args[2].empty() || args[2].find_first_not_of("0123456789") != std::string::npos)
    throw Error(Exit::usage, "expected " + shape);
  size_t count = std::stoul(args[2]);
  // The clang command has at least clang, -o and the PCH.
  if (args.size() < 3 + count + 3) throw Error(Exit::usage, "expected " + shape);
  WarmJob job;
  job.scan_pch = args[0];
  job.header = args[1];
  job.scan_args.assign(args.begin() + 3, args.begin() + 3 + static_cast<std::ptrdiff_t>(count));
  job.clang_cmd.assign(args.begin() + 3 + static_cast<std::ptrdiff_t>(count), args.end());
  return job;
}

}  // namespace

void warm_cache(ScanModule& scan_module, const WarmJob& job) {
  fs::path clang_pch = job.clang_cmd.back();
  if (!fs::exists(clang_pch)) {
    PendingFile pch(clang_pch);
    std::vector<std::string> argv = job.clang_cmd;
    argv.back() = pch.tmp().string();
    if (run_tool(argv).exit_code == 0) pch.commit();
  }
  if (!job.scan_pch.empty() && !fs::exists(job.scan_pch)) {
    try {
      scan_module.api().make_scan_pch(job.header, job.scan_args, job.scan_pch);
    } catch (const Error&) {
      // A missing PCH only costs time.
    }
  }
}

void start_warm_cache(const WarmJob& job) {
  try {
    std::vector<std::string> argv = {fs::read_symlink("/proc/self/exe").string(), kWarmCacheFlag, job.scan_pch,
                                     job.header, std::to_string(job.scan_args.size())};
    argv.insert(argv.end(), job.scan_args.begin(), job.scan_args.end());
    argv.insert(argv.end(), job.clang_cmd.begin(), job.clang_cmd.end());
    start_detached(argv);
  } catch (const std::exception&) {
    // The cache stays cold: the next run compiles without PCHs and tries again.
  }
}

namespace {

std::mutex deferred_mutex;
std::vector<WarmJob> deferred_jobs;

}  // namespace

void defer_warm_cache(const WarmJob& job) {
  std::lock_guard<std::mutex> lock(deferred_mutex);
  deferred_jobs.push_back(job);
}

void start_deferred_warm_caches() {
  std::lock_guard<std::mutex> lock(deferred_mutex);
  for (const auto& job : deferred_jobs) start_warm_cache(job);
  deferred_jobs.clear();
}

int run_warm_cache(const std::vector<std::string>& args) {
  WarmJob job = parse_warm_job(args);
  ScanModule scan_module(!job.scan_pch.empty());  // loads libclang while clang builds its PCH
  warm_cache(scan_module, job);
  return 0;
}

}  // namespace ecc
