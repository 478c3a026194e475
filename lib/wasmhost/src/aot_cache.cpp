#include "aot_cache.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <optional>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>

#include "aot_glue_template.h"
#include "ecc/cache_file.h"
#include "ecc/cache_root.h"
#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/process.h"
#include "wasm_bpf_abi.h"

namespace ecc::wasmhost {
namespace {

namespace fs = std::filesystem;

// The flags every module and the runtime are compiled with: guard pages
// (the runtime's SIGSEGV handler does the bounds checks), hidden symbols but
// the glue's entry.
const char* const kCompileFlags[] = {"-shared", "-fPIC", "-O1", "-fvisibility=hidden", "-w",
                                     "-DWASM_RT_MEMCHECK_SIGNAL_HANDLER=1"};

uint64_t fnv1a(std::string_view bytes, uint64_t h = 0xcbf29ce484222325ull) {
  for (unsigned char c : bytes) h = (h ^ c) * 0x100000001b3ull;
  return h;
}

std::string hex64(uint64_t v) {
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(v));
  return buf;
}

// Runs argv (argv[0] a path) with stdout and stderr together in `said`;
// true when it ran and exited 0.
bool run_ok(const std::vector<std::string>& argv, std::string* said) {
  said->clear();
  try {
    ToolResult r = run_tool(argv, Output::merged);
    *said = std::move(r.out);
    return r.exit_code == 0;
  } catch (const Error&) {
    return false;  // it could not be started
  }
}

std::string first_line(const std::string& text) {
  size_t nl = text.find('\n');
  std::string line = text.substr(0, nl);
  return line.empty() ? "no output" : line;
}

std::optional<AotToolchain> look_up_toolchain(std::string* why) {
  AotToolchain t;
  const char* cc_env = std::getenv("CC");
  std::string cc_name = cc_env && *cc_env ? cc_env : "cc";
  t.cc = search_path(cc_name);
  if (t.cc.empty()) return *why = "no C compiler " + cc_name + " found", std::nullopt;
  t.wasm2c = search_path("wasm2c");
  if (t.wasm2c.empty()) return *why = "no wasm2c found (Debian package wabt)", std::nullopt;
  t.runtime_dir = "/usr/src/wasm2c";
  if (::access((t.runtime_dir + "/wasm-rt-impl.c").c_str(), R_OK) != 0)
    return *why = "no wasm2c runtime in " + t.runtime_dir + " (Debian package wabt)", std::nullopt;
  std::string cc_version, wasm2c_version;
  if (!run_ok({t.cc, "--version"}, &cc_version))
    return *why = "the C compiler " + t.cc + " does not run", std::nullopt;
  run_ok({t.wasm2c, "--version"}, &wasm2c_version);
  std::string runtime;
  for (const char* f : {"wasm-rt-impl.c", "wasm-rt-impl.h", "wasm-rt.h"})
    runtime += try_read_text_file(t.runtime_dir + "/" + f).value_or("");
  t.identity = t.cc + "\n" + cc_version + "\n" + t.wasm2c + "\n" + wasm2c_version + "\n" + runtime + "\n" +
               std::string(kAotGlueTemplate) + "\n" + std::to_string(kAotGlueVersion);
  for (const char* f : kCompileFlags) t.identity += std::string(" ") + f;
  return t;
}

fs::path cache_dir(const WasmRunOptions& opts) {
  if (!opts.aot_cache.empty()) return opts.aot_cache;
  return cache_root() / "aot";
}

// wasm2c's names: letters, digits and '_' as they are ('Z' doubled as
// "Z5A"), every other byte as Z and two hex digits, after a "Z_".
std::string mangle(std::string_view name) {
  std::string out = "Z_";
  for (unsigned char c : name) {
    if ((std::isalnum(c) && c != 'Z') || c == '_') {
      out += static_cast<char>(c);
    } else {
      char buf[4];
      std::snprintf(buf, sizeof buf, "Z%02X", c);
      out += buf;
    }
  }
  return out;
}

std::string c_type(char t, const std::string& what, const std::string& name) {
  switch (t) {
    case 'i': return "u32";
    case 'l': return "u64";
    case 'f': return "f32";
    case 'd': return "f64";
    default: throw Error(Exit::bad_input, "import " + what + " has a value type the AOT engine cannot pass", name);
  }
}

// One import: the function wasm2c's module calls, forwarding to the host.
std::string import_thunk(uint32_t index, const AotImport& imp, const std::string& name) {
  const std::string what = imp.module + "." + imp.name;
  const AotImport& type = imp;
  if (type.results.size() > 1)
    throw Error(Exit::bad_input, "import " + what + " returns several values, which the AOT engine cannot pass", name);
  std::string result = type.results.empty() ? "void" : c_type(type.results[0], what, name);
  std::string s = "/* import " + std::to_string(index) + ": " + what + " */\n" + result + " " + mangle(imp.module) +
                  mangle(imp.name) + "(struct " + mangle(imp.module) + "_instance_t *self";
  std::string body = "  uint64_t a[" + std::to_string(std::max<size_t>(type.params.size(), 1)) + "] = {0}, r[1] = {0};\n  (void)self;\n";
  for (size_t i = 0; i < type.params.size(); i++) {
    // Appended rather than "p" + to_string(i): GCC 12 at -O3 reports a false
    // -Wrestrict for the latter.
    std::string p = "p";
    p += std::to_string(i);
    s += ", " + c_type(type.params[i], what, name) + " " + p;
    body += "  memcpy(&a[" + std::to_string(i) + "], &" + p + ", sizeof " + p + ");\n";
  }
  body += "  ecc_aot_import(" + std::to_string(index) + ", a, r);\n";
  if (!type.results.empty()) body += "  " + result + " v;\n  memcpy(&v, &r[0], sizeof v);\n  return v;\n";
  return s + ") {\n" + body + "}\n\n";
}

// The module's part of the glue, from its imports and wasm2c's header.
std::string module_part(const AotModule& m, const std::string& header) {
  std::string s;
  s += std::string("#define ECC_AOT_HAS_GO_CALLBACK ") + (m.go_callback ? "1" : "0") + "\n\n";
  std::vector<std::string> seen;
  uint32_t index = 0;
  for (const AotImport& imp : m.imports) {
    std::string symbol = mangle(imp.module) + mangle(imp.name);
    if (std::find(seen.begin(), seen.end(), symbol) == seen.end()) s += import_thunk(index, imp, m.name);
    seen.push_back(symbol);
    index++;
  }
  // The table the host reaches callbacks through: the exported one, else
  // the first (as the interpreter engine).
  std::string table;
  if (header.find(" w2c___indirect_function_table;") != std::string::npos) {
    table = "w2c___indirect_function_table";
  } else if (size_t at = header.find("wasm_rt_funcref_table_t w2c_"); at != std::string::npos) {
    at += std::string_view("wasm_rt_funcref_table_t ").size();
    table = header.substr(at, header.find(';', at) - at);
  }
  s += "static wasm_rt_funcref_table_t *ecc_aot_table(void) { return " + (table.empty() ? "0" : "&g_inst." + table) +
       "; }\n\n";
  // Z_m_instantiate(instance, one pointer per imported module): the host
  // is reached through g_host, so those are null.
  const std::string decl = "void Z_m_instantiate(";
  size_t at = header.find(decl);
  if (at == std::string::npos) throw Error(Exit::tool_failed, "AOT: wasm2c wrote no Z_m_instantiate", m.name);
  size_t end = header.find(')', at);
  size_t extra = std::count(header.begin() + at, header.begin() + end, ',');
  s += "static void ecc_aot_body_instantiate(void *arg) {\n  (void)arg;\n  Z_m_init_module();\n  Z_m_instantiate(&g_inst";
  for (size_t i = 0; i < extra; i++) s += ", 0";
  s += ");\n  g_instantiated = 1;\n}\n\n";
  s += "static void ecc_aot_body_start(void *arg) {\n  (void)arg;\n  Z_mZ__start(&g_inst);\n}\n\n";
  s += "static void ecc_aot_body_go_callback(void *arg) {\n";
  if (m.go_callback)
    s += "  struct ecc_aot_call3 *c = arg;\n  c->result = (int32_t)" + std::string("Z_m") + mangle(EWASM_ABI_GO_CALLBACK) +
         "(&g_inst, c->a, c->b, c->c);\n";
  else
    s += "  (void)arg;\n";
  return s + "}\n";
}

std::string render_glue(const AotModule& m, const std::string& header) {
  std::string s(kAotGlueTemplate);
  auto put = [&](const std::string& key, const std::string& value) {
    size_t at = s.find(key);
    s.replace(at, key.size(), value);
  };
  put("@MODULE@", module_part(m, header));
  put("@VERSION@", std::to_string(kAotGlueVersion));
  return s;
}

// A private directory for one compile, removed with this object.
class BuildDir {
 public:
  explicit BuildDir(const fs::path& cache) {
    static std::atomic<unsigned> n{0};
    path_ = cache / (".build-" + std::to_string(::getpid()) + "-" + std::to_string(n++));
    fs::create_directories(path_);
  }
  ~BuildDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void compile(const AotModule& m, const AotToolchain& t, const fs::path& cache, PendingFile& out) {
  BuildDir build(cache);
  const fs::path wasm = build.path() / "module.wasm", c = build.path() / "module.c", glue = build.path() / "glue.c";
  write_file_atomic(wasm, std::span<const uint8_t>(m.data, m.size));
  std::string said;
  if (!run_ok({t.wasm2c, wasm.string(), "-n", "m", "-o", c.string()}, &said))
    throw Error(Exit::tool_failed, "AOT: wasm2c failed: " + first_line(said), m.name);
  write_file_atomic(glue, render_glue(m, try_read_text_file(build.path() / "module.h").value_or("")));
  std::vector<std::string> argv{t.cc};
  for (const char* f : kCompileFlags) argv.push_back(f);
  argv.insert(argv.end(), {"-I", build.path().string(), "-I", t.runtime_dir, c.string(), glue.string(),
                           t.runtime_dir + "/wasm-rt-impl.c", "-o", out.tmp().string(), "-lm"});
  if (!run_ok(argv, &said))
    throw Error(Exit::tool_failed, "AOT: the C compiler " + t.cc + " failed: " + first_line(said), m.name);
  out.commit();
}

}  // namespace

const AotToolchain* find_aot_toolchain(std::string* why) {
  static std::once_flag once;
  static std::optional<AotToolchain> toolchain;
  static std::string reason;
  std::call_once(once, [] { toolchain = look_up_toolchain(&reason); });
  if (!toolchain && why) *why = reason;
  return toolchain ? &*toolchain : nullptr;
}

std::string aot_shared_object(const AotModule& m, const WasmRunOptions& opts, bool* compiled) {
  std::string why;
  const AotToolchain* t = find_aot_toolchain(&why);
  if (!t) throw Error(Exit::tool_failed, "the AOT engine is not available: " + why, m.name);
  const fs::path dir = cache_dir(opts);
  const std::string module_key = hex64(fnv1a(std::string_view(reinterpret_cast<const char*>(m.data), m.size))) +
                                 hex64(fnv1a(std::string_view(reinterpret_cast<const char*>(m.data), m.size),
                                             0x84222325cbf29ce4ull));
  const fs::path entry = dir / (module_key + "-" + hex64(fnv1a(t->identity)) + ".so");
  *compiled = false;
  std::error_code ec;
  // A damaged entry (truncated, overwritten) would crash or fail dlopen:
  // only an entry whose stamp agrees is used, any other is compiled again.
  if (checked_cache_file_valid(entry)) return entry.string();
  fs::create_directories(dir, ec);
  if (ec) throw Error(Exit::tool_failed, "AOT: cannot create the cache " + dir.string() + ": " + ec.message(), m.name);
  PendingFile out(entry);
  compile(m, *t, dir, out);
  stamp_checked_cache_file(entry);
  *compiled = true;
  return entry.string();
}

}  // namespace ecc::wasmhost
