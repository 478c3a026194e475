#include "btfgen.h"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <optional>
#include <thread>

#include "cache.h"
#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/skelgen.h"
#include "outputs.h"
#include "process.h"

namespace fs = std::filesystem;

namespace ecc {

namespace {

struct Entry {
  fs::path file;
  std::string distro, version, arch, release;
  bool tar_xz = false;
  std::string key() const { return distro + "/" + version + "/" + arch + "/" + release; }
};

bool ends_with(const std::string& s, const std::string& tail) {
  return s.size() > tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

std::vector<Entry> walk_tree(const std::string& dir) {
  std::error_code ec;
  if (!fs::exists(dir, ec)) throw Error(Exit::bad_input, "--btfgen: no such directory", dir);
  if (!fs::is_directory(dir, ec)) throw Error(Exit::bad_input, "--btfgen: not a directory", dir);
  std::vector<Entry> entries;
  fs::path root = fs::absolute(dir).lexically_normal();
  auto it = fs::recursive_directory_iterator(root, fs::directory_options::follow_directory_symlink, ec);
  if (ec) throw Error(Exit::bad_input, "--btfgen: cannot read the directory: " + ec.message(), dir);
  for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec) throw Error(Exit::bad_input, "--btfgen: cannot read the directory: " + ec.message(), dir);
    if (!it->is_regular_file(ec)) continue;
    std::string name = it->path().filename().string();
    Entry e;
    if (ends_with(name, ".btf.tar.xz")) e.tar_xz = true, e.release = name.substr(0, name.size() - 11);
    else if (ends_with(name, ".btf")) e.release = name.substr(0, name.size() - 4);
    else continue;
    std::vector<std::string> parts;
    for (const auto& p : it->path().lexically_relative(root)) parts.push_back(p.string());
    if (parts.size() != 4)
      throw Error(Exit::bad_input,
                  "--btfgen: a BTF file outside the btfhub layout <distro>/<version>/<arch>/<release>.btf",
                  it->path().string());
    e.file = it->path(), e.distro = parts[0], e.version = parts[1], e.arch = parts[2];
    entries.push_back(std::move(e));
  }
  if (entries.empty())
    throw Error(Exit::bad_input,
                "--btfgen: no <distro>/<version>/<arch>/<release>.btf or .btf.tar.xz entries in the directory", dir);
  std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key() < b.key(); });
  for (size_t i = 1; i < entries.size(); ++i)
    if (entries[i].key() == entries[i - 1].key())
      throw Error(Exit::bad_input, "--btfgen: kernel " + entries[i].key() + " is given twice (also " +
                                       entries[i - 1].file.string() + ")",
                  entries[i].file.string());
  return entries;
}

// bpftool from PATH, else Debian's /usr/sbin (not on a user's PATH).
std::string find_bpftool() {
  try {
    return find_tool("bpftool", "--btfgen");
  } catch (const Error&) {
    if (access("/usr/sbin/bpftool", X_OK) == 0) return "/usr/sbin/bpftool";
  }
  throw Error(Exit::tool_failed,
              "--btfgen needs bpftool (gen min_core_btf), which is not in PATH nor /usr/sbin: install Debian's bpftool",
              "bpftool");
}

std::string last_line(const std::string& text) {
  std::string t = text;
  while (!t.empty() && (t.back() == '\n' || t.back() == ' ')) t.pop_back();
  size_t nl = t.rfind('\n');
  return nl == std::string::npos ? t : t.substr(nl + 1);
}

// The kernel BTF of one entry, unpacked into `dir` when it is a .tar.xz.
fs::path input_btf(const Entry& e, const fs::path& dir, bool verbose) {
  if (!e.tar_xz) return e.file;
  fs::create_directories(dir);
  std::vector<std::string> tar = {find_tool("tar", "--btfgen"), "-xJf", e.file.string(), "-C", dir.string()};
  if (verbose) std::cerr << shell_quote(tar) + "\n";
  ToolResult r = run_tool(tar);
  if (r.exit_code != 0)
    throw Error(Exit::bad_input, "--btfgen: damaged entry: tar -xJ failed: " + last_line(r.err), e.file.string());
  std::vector<fs::path> btfs;
  for (const auto& f : fs::recursive_directory_iterator(dir))
    if (f.is_regular_file() && ends_with(f.path().filename().string(), ".btf")) btfs.push_back(f.path());
  if (btfs.size() != 1)
    throw Error(Exit::bad_input, "--btfgen: damaged entry: the archive holds " + std::to_string(btfs.size()) +
                                     " .btf files, not one",
                e.file.string());
  return btfs[0];
}

Json one_kernel(const Entry& e, const std::string& bpftool, const fs::path& object, const fs::path& dir,
                bool verbose) {
  fs::create_directories(dir);
  fs::path in = input_btf(e, dir / "in", verbose);
  if (fs::file_size(in) == 0) throw Error(Exit::bad_input, "--btfgen: damaged entry: the BTF is empty", e.file.string());
  fs::path out = dir / "min.btf";
  std::vector<std::string> argv = {bpftool, "gen", "min_core_btf", in.string(), out.string(), object.string()};
  if (verbose) std::cerr << shell_quote(argv) + "\n";
  ToolResult r = run_tool(argv);
  if (r.signaled || r.exit_code != 0 || !fs::exists(out))
    throw Error(r.signaled ? Exit::tool_failed : Exit::bad_input,
                "--btfgen: bpftool gen min_core_btf failed on this kernel BTF: " + last_line(r.err + r.out),
                e.file.string());
  std::vector<uint8_t> btf = read_file(out);
  Json k = Json::object();
  k["distro"] = e.distro;
  k["version"] = e.version;
  k["arch"] = e.arch;
  k["release"] = e.release;
  k["btf_size"] = btf.size();
  k["btf"] = base64_encode(zlib_compress(btf));
  return k;
}

}  // namespace

BtfgenResult btfgen_archive(const std::string& dir, const std::vector<uint8_t>& object, bool verbose) {
  std::vector<Entry> entries = walk_tree(dir);
  std::string bpftool = find_bpftool();
  WorkDir work;
  fs::path obj = work.path() / "object.bpf.o";
  {
    std::ofstream f(obj, std::ios::binary);
    f.write(reinterpret_cast<const char*>(object.data()), static_cast<std::streamsize>(object.size()));
    if (!f) throw Error(Exit::tool_failed, "cannot write the object for bpftool", obj.string());
  }
  if (verbose)
    std::cerr << "# btfgen: " << entries.size() << " kernel(s) under " << dir << ", 2 at a time\n";
  std::vector<std::optional<Json>> kernels(entries.size());
  std::vector<std::optional<Error>> errors(entries.size());
  std::atomic<size_t> next{0};
  auto worker = [&] {
    for (size_t i; (i = next++) < entries.size();) {
      try {
        kernels[i] = one_kernel(entries[i], bpftool, obj, work.path() / std::to_string(i), verbose);
      } catch (const Error& e) {
        errors[i] = e;
      } catch (const std::exception& e) {
        errors[i] = Error(Exit::tool_failed, std::string("--btfgen: ") + e.what(), entries[i].file.string());
      }
    }
  };
  std::thread second(worker);
  worker();
  second.join();
  // The first failing entry in the tree's order, whatever the threads' order.
  for (auto& e : errors)
    if (e) throw *e;
  BtfgenResult r;
  r.archive = Json::object();
  r.archive["compression"] = "zlib";
  r.archive["kernels"] = Json::array();
  for (size_t i = 0; i < entries.size(); ++i) {
    // What the entry adds to package.json: its text, indented three levels
    // deep (6 spaces a line), and the ",\n" that separates it.
    std::string text = kernels[i]->dump(2);
    size_t lines = static_cast<size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
    r.growth.emplace_back(entries[i].key(), text.size() + 6 * lines + 2);
    r.archive["kernels"].push_back(std::move(*kernels[i]));
  }
  return r;
}

std::string btfgen_growth_line(const BtfgenResult& r, size_t total) {
  std::string line = "ecc: --btfgen: package.json grew by " + std::to_string(total) + " bytes for " +
                     std::to_string(r.growth.size()) + " kernel(s):";
  for (const auto& [k, n] : r.growth) line += " " + k + " +" + std::to_string(n);
  return line + "\n";
}

}  // namespace ecc
