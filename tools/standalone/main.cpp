// The runner of `ecc --standalone` (SPEC §14): an executable that carries a
// package.json or an app.wasm after its own ELF image (payload.h) and runs
// it with ecli's code (ecli_run): the program's options are its options,
// plus ecli run's -j, -d, --btf, --engine, -v and -h.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <iostream>

#include "ecc/btf_file.h"
#include "ecc/error.h"
#include "options.h"
#include "payload.h"
#include "run_file.h"

namespace {

using namespace ecc;

// This executable's own bytes, through /proc/self/exe: it works for a copy
// moved anywhere, and for one whose directory is gone.
std::vector<uint8_t> read_self() {
  int fd = open("/proc/self/exe", O_RDONLY | O_CLOEXEC);
  if (fd < 0) throw Error(Exit::tool_failed, std::string("cannot read this executable: ") + std::strerror(errno),
                          "/proc/self/exe");
  std::vector<uint8_t> bytes;
  struct stat st {};
  if (fstat(fd, &st) == 0) bytes.reserve(static_cast<size_t>(st.st_size));
  uint8_t buf[1 << 16];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      int err = errno;
      close(fd);
      throw Error(Exit::tool_failed, std::string("cannot read this executable: ") + std::strerror(err),
                  "/proc/self/exe");
    }
    if (n == 0) break;
    bytes.insert(bytes.end(), buf, buf + n);
  }
  close(fd);
  return bytes;
}

// How the package's options are spelled: -1 not one, 0 a switch, 1 with a value.
ecli::ProgramArity package_arity(const std::vector<loader::ProgOption>& opts) {
  return [&opts](const std::string& spelling) {
    for (const auto& o : opts) {
      bool is = spelling == "--" + o.long_name || spelling == "--" + o.var ||
                (!o.short_name.empty() && spelling == "-" + o.short_name);
      if (is) return o.type.kind == loader::Field::Kind::Bool ? 0 : 1;
    }
    return -1;
  };
}

int run(const std::string& name, const std::vector<std::string>& args) {
  std::vector<uint8_t> self = read_self();
  std::string label = std::filesystem::read_symlink("/proc/self/exe").string();
  standalone::Embedded payload = standalone::read_embedded(self, label);
  self = {};
  if (payload.kind == standalone::PayloadKind::wasm) {
    auto none = [](const std::string&) { return -1; };
    ecli::StandaloneArgs a = ecli::parse_standalone_args(args, true, none);
    if (!a.ecli.run.btf_path.empty()) check_btf_file(a.ecli.run.btf_path);
    int code = ecli::run_wasm_module(payload.bytes, name, a.program_args, a.ecli.run, a.ecli.engine);
    if (a.help) std::cout << ecli::standalone_usage_text(true, none);
    return code;
  }
  loader::Package pkg = loader::decode_package(std::string(payload.bytes.begin(), payload.bytes.end()), name);
  payload.bytes = {};
  auto opts = loader::program_options(pkg);
  ecli::ProgramArity arity = package_arity(opts);
  ecli::StandaloneArgs a = ecli::parse_standalone_args(args, false, arity);
  if (a.help) a.program_args.push_back("--help");
  if (!a.ecli.run.btf_path.empty() && !a.help) check_btf_file(a.ecli.run.btf_path);
  return ecli::run_decoded_package(pkg, a.program_args, a.ecli.run, {name, ecli::standalone_usage_text(false, arity)});
}

}  // namespace

int main(int argc, char** argv) {
  std::string name = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "ecc-standalone";
  try {
    return run(name, std::vector<std::string>(argv + 1, argv + argc));
  } catch (const Error& e) {
    std::cerr << name << ": error: " << e.line() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::exception& e) {
    std::cerr << name << ": error: internal: " << e.what() << "\n";
    return static_cast<int>(Exit::tool_failed);
  }
}
