#include "object_cache.h"

#include <bpf/libbpf.h>
#include <sys/stat.h>

#include <cstdlib>
#include <iostream>

#include <nlohmann/json.hpp>

#include "cache.h"
#include "ecc/codec.h"
#include "package.h"
#include "process.h"
#include "scan_module.h"
#include "vmlinux.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

// A binary's path, size and modification time: it changes when it is rebuilt.
std::string identity(const fs::path& p) {
  struct stat st {};
  if (stat(p.c_str(), &st) != 0) return p.string() + "|-";
  return p.string() + "|" + std::to_string(st.st_size) + "|" + std::to_string(st.st_mtim.tv_sec) + "." +
         std::to_string(st.st_mtim.tv_nsec);
}

std::string content_hash(const fs::path& p) { return p.empty() ? "-" : hash_hex(read_file(p)); }

// Everything known before compiling that decides the outputs. clang is
// known by its binary's identity, not its probe: a cold cache probes it
// beside the other work of discover, not before it.
std::string base_key(const Options& o, const Inputs& in, const KernelHeader& kh) {
  std::vector<std::string> parts = {"ecc object cache 2", ECC_VERSION, identity("/proc/self/exe"),
                                    libbpf_version_string(), "libclang " ECC_LIBCLANG_VERSION,
                                    identity(fs::canonical(find_tool(o.clang, "--clang"))),
                                    target_arch(o), kh.dir.string(),
                                    o.llvm_strip.empty() ? "-" : identity(find_tool(o.llvm_strip, "--llvm-strip")),
                                    o.yaml ? "yaml" : "-", o.no_package ? "no-package" : "-",
                                    in.name, in.source.string(), content_hash(in.source),
                                    in.header.string(), content_hash(in.header)};
  for (const auto& p : scan_module_candidates()) parts.push_back(identity(p));
  parts.push_back(std::to_string(o.clang_flags.size()));
  parts.insert(parts.end(), o.clang_flags.begin(), o.clang_flags.end());
  std::string text;
  for (const auto& p : parts) text += p + '\0';
  return hash_hex(text);
}

bool is_under(const fs::path& p, const fs::path& dir) {
  auto [d, _] = std::mismatch(dir.begin(), dir.end(), p.begin(), p.end());
  return d == dir.end();
}

// Why the entry cannot be used, or "" when every file it lists is unchanged.
std::string stale_dependency(const nlohmann::json& deps) {
  for (const auto& d : deps) {
    std::optional<std::vector<uint8_t>> bytes = try_read_file(d[0].get<std::string>());
    if (!bytes) return d[0].get<std::string>() + " is gone";
    if (hash_hex(*bytes) != d[1].get<std::string>()) return d[0].get<std::string>() + " changed";
  }
  return "";
}

// The entry, or nothing when it is not exactly what store() writes.
std::optional<nlohmann::json> read_entry(const fs::path& file) {
  std::optional<std::string> text = try_read_text_file(file);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("deps") || !j["deps"].is_array() ||
      !j.contains("outputs") || !j["outputs"].is_array())
    return std::nullopt;
  for (const auto& d : j["deps"])
    if (!d.is_array() || d.size() != 2 || !d[0].is_string() || !d[1].is_string()) return std::nullopt;
  for (const auto& f : j["outputs"])
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("data") ||
        !f["data"].is_string() || !f.contains("executable") || !f["executable"].is_boolean())
      return std::nullopt;
  return j;
}

}  // namespace

std::vector<std::string> parse_make_deps(const std::string& text) {
  std::vector<std::string> deps;
  std::string cur;
  bool after_colon = false;
  auto flush = [&] {
    if (after_colon && !cur.empty()) deps.push_back(cur);
    cur.clear();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '\\' && i + 1 < text.size() && (text[i + 1] == '\n' || text[i + 1] == ' ')) {
      if (text[i + 1] == ' ') cur += ' ';
      else flush();
      ++i;
    } else if (!after_colon && c == ':' && (i + 1 == text.size() || text[i + 1] == ' ' || text[i + 1] == '\n')) {
      after_colon = true;
      cur.clear();
    } else if (c == ' ' || c == '\n' || c == '\t') {
      flush();
    } else {
      cur += c;
    }
  }
  flush();
  return deps;
}

std::optional<ObjectCache> ObjectCache::open(const Options& o, const Inputs& in) {
  const char* env = std::getenv("ECC_OBJECT_CACHE");
  std::string mode = env && *env ? env : "on";
  if (mode == "off" || o.gadget || !o.btfgen.empty() || o.standalone) return std::nullopt;
  KernelHeader kh = locate_vmlinux_h(o, false);
  ObjectCache c;
  c.entry_ = cache_root() / "objects" / (base_key(o, in, kh) + ".json");
  c.skip_dir_ = kh.dir;
  c.verbose_ = o.verbose;
  c.refresh_ = mode == "refresh";
  return c;
}

bool ObjectCache::restore(OutputSet& outputs) const {
  std::string why;
  std::optional<nlohmann::json> j;
  if (refresh_) why = "ECC_OBJECT_CACHE=refresh";
  else if (!fs::exists(entry_)) why = "no entry for this source, header, options and tools";
  else if (!checked_cache_file_valid(entry_) || !(j = read_entry(entry_))) why = "damaged entry";
  else why = stale_dependency((*j)["deps"]);
  if (why.empty()) {
    try {
      for (const auto& f : (*j)["outputs"]) {
        std::vector<uint8_t> bytes = base64_decode(f["data"].get<std::string>(), "data");
        if (f["executable"].get<bool>()) outputs.add_executable(f["name"], bytes);
        else outputs.add(f["name"], bytes);
      }
    } catch (const Error&) {
      why = "damaged entry";
    }
  }
  if (verbose_)
    std::cerr << "# object cache: " << (why.empty() ? "hit " : "miss (" + why + "): compile, then store ")
              << entry_.string() << "\n";
  return why.empty();
}

void ObjectCache::store(const OutputSet& outputs, const fs::path& deps) const {
  try {
    nlohmann::json j = {{"deps", nlohmann::json::array()}, {"outputs", nlohmann::json::array()}};
    for (const auto& d : parse_make_deps(read_text_file(deps))) {
      fs::path p = fs::absolute(d).lexically_normal();
      if (is_under(p, skip_dir_)) continue;
      j["deps"].push_back({p.string(), hash_hex(read_file(p))});
    }
    for (const auto& a : outputs.added())
      j["outputs"].push_back({{"name", a.name}, {"executable", a.executable}, {"data", base64_encode(a.bytes)}});
    fs::create_directories(entry_.parent_path());
    std::string text = j.dump();
    write_checked_cache_file(entry_, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
  } catch (const std::exception&) {
    // The next run compiles again.
  }
}

}  // namespace ecc
