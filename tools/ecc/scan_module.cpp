#include "scan_module.h"

#include <dlfcn.h>

#include <filesystem>

#include "ecc/error.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

// A relocated install finds its own module.
const SrcscanApi* load() {
  std::string tried;
  for (const fs::path& p : scan_module_candidates()) {
    if (!fs::exists(p)) {
      tried += (tried.empty() ? "" : ", ") + p.string();
      continue;
    }
    // Lazy, as the clang binary binds: only the functions a run calls.
    void* handle = dlopen(p.c_str(), RTLD_LAZY | RTLD_LOCAL);
    if (!handle) throw Error(Exit::tool_failed, std::string("cannot load the scan module: ") + dlerror(), p);
    auto entry = reinterpret_cast<const SrcscanApi* (*)()>(dlsym(handle, "ecc_srcscan_api"));
    if (!entry) throw Error(Exit::tool_failed, "not an ecc scan module", p);
    const SrcscanApi* api = entry();
    if (api->abi_version != kSrcscanAbi)
      throw Error(Exit::tool_failed, "the scan module is from another build of ecc; reinstall ecc", p);
    return api;
  }
  throw Error(Exit::tool_failed, std::string("ecc is not installed completely: ") + kSrcscanModuleName + " not found",
              tried);
}

}  // namespace

bool is_libclang_clang(const std::string& clang) {
  std::error_code ec;
  return fs::equivalent(clang, ECC_LIBCLANG_CLANG, ec);
}

std::vector<fs::path> scan_module_candidates() {
  fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
  return {exe_dir / kSrcscanModuleName, exe_dir / ".." / "lib" / "ecc" / kSrcscanModuleName};
}

ScanModule::ScanModule(bool start_now) {
  if (start_now) start();
}

void ScanModule::start() {
  std::lock_guard lock(mutex_);
  if (!loading_.valid()) loading_ = std::async(std::launch::async, load).share();
}

const SrcscanApi& ScanModule::api() {
  std::shared_future<const SrcscanApi*> loading;
  {
    std::lock_guard lock(mutex_);
    if (!loading_.valid()) loading_ = std::async(std::launch::deferred, load).share();
    loading = loading_;
  }
  return *loading.get();
}

}  // namespace ecc
