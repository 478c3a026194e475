#include "standalone.h"


#include "ecc/error.h"
#include "ecc/files.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {
constexpr const char* kRunnerName = "ecc-standalone";
}  // namespace

fs::path find_standalone_runner() {
  fs::path exe_dir = fs::read_symlink("/proc/self/exe").parent_path();
  std::string tried;
  for (const fs::path& p : {exe_dir / kRunnerName, exe_dir / ".." / "libexec" / "ecc" / kRunnerName}) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p.lexically_normal();
    tried += (tried.empty() ? "" : ", ") + p.lexically_normal().string();
  }
  throw Error(Exit::tool_failed,
              std::string("ecc is not installed completely: ") + kRunnerName + " (for --standalone) not found", tried);
}

std::vector<uint8_t> standalone_executable(const fs::path& runner, standalone::PayloadKind kind,
                                           std::span<const uint8_t> payload) {
  return standalone::build_image(read_file(runner, "the standalone runner", Exit::tool_failed), runner.string(), kind,
                                 payload);
}

}  // namespace ecc
