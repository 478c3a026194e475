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

std::string content_hash(const fs::path& p) { return p.empty() ? "-" : hash_file_hex(p); }

// Everything known before compiling that decides the outputs. clang is
// known by its binary's identity, not its probe: a cold cache probes it
// beside the other work of discover, not before it.
std::string base_key(const Options& o, const Inputs& in, const KernelHeader& kh) {
  std::vector<std::string> parts = {"ecc object cache 3", ECC_VERSION, identity("/proc/self/exe"),
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

// An entry: this line, then one line of JSON (the files the compile read,
// each with its content's hash, and the outputs' names, modes and sizes),
// then the outputs' bytes one after the other, as they are: a store writes
// them in one go and a hit copies them out, with no encoding either way.
constexpr std::string_view kEntryMagic = "ecc object cache entry 3\n";

struct CacheEntry {
  nlohmann::json index;
  std::span<const uint8_t> data;  // the outputs' bytes
};

// The entry in `bytes`, or nothing when it is not exactly what store() writes.
std::optional<CacheEntry> parse_entry(std::span<const uint8_t> bytes) {
  std::string_view text(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  if (!text.starts_with(kEntryMagic)) return std::nullopt;
  size_t eol = text.find('\n', kEntryMagic.size());
  if (eol == std::string_view::npos) return std::nullopt;
  auto j = nlohmann::json::parse(text.substr(kEntryMagic.size(), eol - kEntryMagic.size()), nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("deps") || !j["deps"].is_array() ||
      !j.contains("outputs") || !j["outputs"].is_array())
    return std::nullopt;
  for (const auto& d : j["deps"])
    if (!d.is_array() || d.size() != 2 || !d[0].is_string() || !d[1].is_string()) return std::nullopt;
  uint64_t total = 0;
  for (const auto& f : j["outputs"]) {
    if (!f.is_object() || !f.contains("name") || !f["name"].is_string() || !f.contains("size") ||
        !f["size"].is_number_unsigned() || !f.contains("executable") || !f["executable"].is_boolean())
      return std::nullopt;
    total += f["size"].get<uint64_t>();
  }
  if (total != bytes.size() - eol - 1) return std::nullopt;
  return CacheEntry{std::move(j), bytes.subspan(eol + 1)};
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
  c.entry_ = cache_root() / "objects" / (base_key(o, in, kh) + ".entry");
  c.skip_dir_ = kh.dir;
  c.verbose_ = o.verbose;
  c.refresh_ = mode == "refresh";
  return c;
}

bool ObjectCache::restore(OutputSet& outputs) const {
  std::string why;
  std::optional<MappedFile> mapped = refresh_ ? std::nullopt : MappedFile::open(entry_);
  std::optional<CacheEntry> e;
  if (refresh_) why = "ECC_OBJECT_CACHE=refresh";
  else if (!fs::exists(entry_)) why = "no entry for this source, header, options and tools";
  else if (!mapped || !checked_cache_file_valid(entry_, mapped->bytes()) || !(e = parse_entry(mapped->bytes())))
    why = "damaged entry";
  else why = stale_dependency(e->index["deps"]);
  if (why.empty()) {
    size_t at = 0;
    for (const auto& f : e->index["outputs"]) {
      std::span<const uint8_t> bytes = e->data.subspan(at, f["size"].get<size_t>());
      at += bytes.size();
      if (f["executable"].get<bool>()) outputs.add_executable(f["name"], bytes);
      else outputs.add(f["name"], bytes);
    }
  }
  if (verbose_)
    std::cerr << "# object cache: " << (why.empty() ? "hit " : "miss (" + why + "): compile, then store ")
              << entry_.string() << "\n";
  return why.empty();
}

std::optional<ObjectCache::Deps> ObjectCache::hash_deps(const fs::path& deps) const {
  try {
    Deps out;
    for (const auto& d : parse_make_deps(read_text_file(deps))) {
      fs::path p = fs::absolute(d).lexically_normal();
      if (!is_under(p, skip_dir_)) out.emplace_back(p.string(), hash_file_hex(p));
    }
    return out;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

void ObjectCache::store(const OutputSet& outputs, const Deps& deps) const {
  try {
    nlohmann::json j = {{"deps", nlohmann::json::array()}, {"outputs", nlohmann::json::array()}};
    for (const auto& [path, hash] : deps) j["deps"].push_back({path, hash});
    for (const auto& a : outputs.added())
      j["outputs"].push_back({{"name", a.name}, {"executable", a.executable}, {"size", a.bytes.size()}});
    std::string head = std::string(kEntryMagic) + j.dump() + "\n";
    // Written piece by piece: the outputs of 1024 export types are 4 MB.
    std::vector<std::span<const uint8_t>> entry = {std::span(reinterpret_cast<const uint8_t*>(head.data()), head.size())};
    for (const auto& a : outputs.added()) entry.push_back(a.data());
    fs::create_directories(entry_.parent_path());
    write_checked_cache_file(entry_, entry);
  } catch (const std::exception&) {
    // The next run compiles again.
  }
}

}  // namespace ecc
