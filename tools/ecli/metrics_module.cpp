#include "metrics_module.h"

#include <dlfcn.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "ecc/error.h"

namespace ecc::ecli {

namespace {

using StartFn = int (*)(const metrics::Options*, metrics::Exporter**, char*, size_t);

std::vector<std::string> candidates() {
  std::vector<std::string> out;
  if (const char* env = std::getenv("ECC_METRICS_LIB"); env && *env) out.push_back(env);
  std::error_code ec;
  std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (!ec) out.push_back((self.parent_path() / "../lib/ecc/libecc-metrics.so").lexically_normal().string());
  out.push_back("/usr/local/lib/ecc/libecc-metrics.so");
  out.push_back("/usr/lib/ecc/libecc-metrics.so");
  return out;
}

}  // namespace

std::unique_ptr<metrics::Exporter> load_exporter(const metrics::Options& o) {
  std::string tried, why;
  for (const std::string& path : candidates()) {
    // Never closed: the exporter's code runs until the process exits.
    void* lib = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
      tried += (tried.empty() ? "" : ", ") + path;
      if (why.empty() || std::filesystem::exists(path)) why = dlerror();
      continue;
    }
    auto start = reinterpret_cast<StartFn>(dlsym(lib, "ecc_metrics_start"));
    if (!start) throw Error(Exit::tool_failed, "--metrics: " + path + " has no ecc_metrics_start");
    metrics::Exporter* e = nullptr;
    char err[512] = {};
    if (int code = start(&o, &e, err, sizeof err)) throw Error(static_cast<Exit>(code), err);
    return std::unique_ptr<metrics::Exporter>(e);
  }
  throw Error(Exit::tool_failed, "--metrics and --otlp need libecc-metrics.so (ecc's lib/ecc, with prometheus-cpp and "
                                 "libcurl), not found in " + tried + " (" + why + "); set ECC_METRICS_LIB");
}

}  // namespace ecc::ecli
