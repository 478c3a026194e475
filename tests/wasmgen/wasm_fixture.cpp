#include "wasm_fixture.h"

namespace ecc::test {

const fs::path& shared_cache() {
  static TempDir dir;
  return dir.path();
}

RunResult ecc(const std::vector<std::string>& args, const fs::path& cwd) {
  std::vector<std::string> argv = {ecc_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, {"XDG_CACHE_HOME=" + shared_cache().string(), "NO_COLOR=1", "ECC_CACHE_WARM=off"}, cwd.string());
}

fs::path program_dir(const std::string& name) {
  for (fs::path dir : {source_dir() / "examples" / name, source_dir() / "tests" / "programs" / name,
                       source_dir() / "tests" / "wasmgen" / "programs" / name})
    if (fs::exists(dir)) return dir;
  return {};
}

fs::path copy_program(const TempDir& tmp, const std::string& name) {
  fs::path dst = tmp / name;
  fs::create_directories(dst);
  for (const auto& e : fs::directory_iterator(program_dir(name)))
    fs::copy_file(e.path(), dst / e.path().filename(), fs::copy_options::overwrite_existing);
  return dst;
}

}  // namespace ecc::test
