#include "cache.h"

#include <sys/stat.h>

#include <cstdlib>
#include <iostream>
#include <optional>
#include <sstream>

#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "process.h"

namespace ecc {

// clang 11 is the oldest that emits the BTF (.maps definitions, DATASEC,
// CO-RE relocations) libbpf 1.x expects.
constexpr int kMinClangMajor = 11;

namespace {

std::vector<std::string> parse_include_dirs(const std::string& verbose_output) {
  // Between "#include <...> search starts here:" and "End of search list."
  std::vector<std::string> dirs;
  std::istringstream in(verbose_output);
  std::string line;
  bool inside = false;
  while (std::getline(in, line)) {
    if (line.rfind("#include <...>", 0) == 0) inside = true;
    else if (line.rfind("End of search list", 0) == 0) inside = false;
    else if (inside && line.size() > 1 && line[0] == ' ') dirs.push_back(line.substr(1));
  }
  return dirs;
}

int parse_major(const std::string& version_line) {
  auto pos = version_line.find("version ");
  if (pos == std::string::npos) return 0;
  return std::atoi(version_line.c_str() + pos + 8);
}

// One `clang -v -E` tells everything: the version (first line), the resource
// dir (on the -cc1 line) and the system include dirs.
Toolchain probe_now(const std::string& path, bool verbose) {
  Toolchain tc;
  tc.clang = path;
  std::vector<std::string> argv = {path, "-v", "-E", "-x", "c", "/dev/null", "-o", "/dev/null"};
  if (verbose) std::cerr << shell_quote(argv) << "\n";
  ToolResult r = run_tool(argv);
  if (r.exit_code != 0)
    throw Error(Exit::tool_failed, "'" + shell_quote(argv) + "' failed; pass a working clang with --clang PATH", path);
  std::istringstream lines(r.err);
  std::string line;
  while (std::getline(lines, line)) {
    if (tc.version.empty() && line.find("clang version ") != std::string::npos) tc.version = line;
    if (auto pos = line.find(" -resource-dir "); pos != std::string::npos && tc.resource_dir.empty()) {
      std::istringstream rest(line.substr(pos + 15));
      rest >> tc.resource_dir;
    }
  }
  tc.system_includes = parse_include_dirs(r.err);
  return tc;
}

// The same facts from the module's own clang, for the clang binary of its
// build: no clang process to start.
Toolchain probe_in_process(const std::string& path, ScanModule& module, bool verbose) {
  std::vector<std::string> argv = {path, "-v", "-E", "-x", "c", "/dev/null", "-o", "/dev/null"};
  if (verbose) std::cerr << "# probe in-process: what '" << shell_quote(argv) << "' says\n";
  ClangFacts f = module.api().clang_facts(fs::canonical(path).string());
  return Toolchain{path, f.version, 0, f.resource_dir, f.system_includes};
}

void check_version(Toolchain& tc) {
  tc.major = parse_major(tc.version);
  if (tc.major < kMinClangMajor)
    throw Error(Exit::tool_failed,
                "clang is too old ('" + (tc.version.empty() ? std::string("no version") : tc.version) +
                    "'): ecc needs clang " + std::to_string(kMinClangMajor) + " or newer; pass one with --clang PATH",
                tc.clang);
}

// The cached probe of `clang`, or nothing when the record is missing or
// not exactly what probe_toolchain writes (then clang is probed again).
std::optional<Toolchain> read_toolchain_record(const fs::path& file, const std::string& clang) {
  std::optional<std::string> text = try_read_text_file(file);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return std::nullopt;
  auto str = [&](const char* key) { return j.contains(key) && j[key].is_string(); };
  if (!str("version") || !str("resource_dir") || !j.contains("major") || !j["major"].is_number_integer() ||
      !j.contains("system_includes") || !j["system_includes"].is_array())
    return std::nullopt;
  Toolchain tc{clang, j["version"], j["major"], j["resource_dir"], {}};
  for (const auto& d : j["system_includes"]) {
    if (!d.is_string()) return std::nullopt;
    tc.system_includes.push_back(d);
  }
  if (tc.major < kMinClangMajor) return std::nullopt;
  return tc;
}

}  // namespace

Toolchain probe_toolchain(const std::string& clang, bool verbose, ScanModule* module) {
  std::string path = find_tool(clang, "--clang");
  struct stat st {};
  if (stat(path.c_str(), &st) != 0) throw Error(Exit::tool_failed, "cannot stat; pass --clang PATH", path);
  std::string key = hash_hex(fs::weakly_canonical(path).string() + "|" + std::to_string(st.st_size) + "|" +
                             std::to_string(st.st_mtim.tv_sec) + "." + std::to_string(st.st_mtim.tv_nsec));
  fs::path file = cache_root() / ("toolchain-" + key + ".json");
  if (std::optional<Toolchain> cached = read_toolchain_record(file, path)) return *cached;
  Toolchain tc = module && is_libclang_clang(path) ? probe_in_process(path, *module, verbose) : probe_now(path, verbose);
  check_version(tc);
  nlohmann::json j = {{"clang", path}, {"version", tc.version}, {"major", tc.major},
                      {"resource_dir", tc.resource_dir}, {"system_includes", tc.system_includes}};
  std::error_code ec;
  fs::create_directories(file.parent_path(), ec);
  // The cache is an optimisation: failing to write it is not an error.
  try {
    write_file_atomic(file, j.dump(2) + "\n");
  } catch (const Error&) {
  }
  return tc;
}

}  // namespace ecc
