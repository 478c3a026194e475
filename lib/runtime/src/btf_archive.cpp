#include "ecc/btf_archive.h"

#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <set>
#include <vector>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/kernel_support.h"
#include "ecc/model.h"

namespace ecc {

namespace {

// No minimal BTF comes near this (a whole vmlinux BTF is ~5 MiB).
constexpr uint64_t kMaxBtfSize = 64u << 20;

const std::string& string_field(const Json& k, const char* key, const std::string& where, const std::string& file) {
  auto it = k.find(key);
  if (it == k.end() || !it->is_string() || it->get_ref<const std::string&>().empty())
    throw Error(Exit::bad_input, where + "." + key + " is missing or not a string", file);
  return it->get_ref<const std::string&>();
}

}  // namespace

std::string wasm_custom_section(const unsigned char* data, size_t size, const std::string& name) {
  size_t at = 8;  // magic and version
  auto leb = [&](uint64_t& v) {
    v = 0;
    for (int shift = 0; at < size && shift < 35; shift += 7) {
      uint8_t b = data[at++];
      v |= uint64_t(b & 0x7f) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  };
  while (at < size) {
    uint8_t id = data[at++];
    uint64_t len = 0;
    if (!leb(len) || len > size - at) return {};
    size_t end = at + len;
    uint64_t name_len = 0;
    if (id == 0 && leb(name_len) && name_len <= end - at &&
        std::string(reinterpret_cast<const char*>(data + at), name_len) == name)
      return std::string(reinterpret_cast<const char*>(data + at + name_len), end - at - name_len);
    at = end;
  }
  return {};
}

bool kernel_has_btf() {
  struct stat st{};
  return ::stat(kKernelBtf, &st) == 0 && st.st_size > 0;
}

std::string btfhub_arch(const std::string& machine) {
  if (machine == "aarch64") return "arm64";
  if (machine == "i686" || machine == "i386") return "x86";
  return machine;
}

EmbeddedBtf::~EmbeddedBtf() {
  if (fd_ >= 0) ::close(fd_);
}

EmbeddedBtf::EmbeddedBtf(EmbeddedBtf&& o) noexcept : fd_(o.fd_), path_(std::move(o.path_)), entry_(std::move(o.entry_)) {
  o.fd_ = -1;
}

EmbeddedBtf& EmbeddedBtf::operator=(EmbeddedBtf&& o) noexcept {
  if (this != &o) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = o.fd_, path_ = std::move(o.path_), entry_ = std::move(o.entry_);
    o.fd_ = -1;
  }
  return *this;
}

EmbeddedBtf choose_embedded_btf(const std::string& archive_json, const std::string& file, const std::string& release,
                                const std::string& arch) {
  Json a = Json::parse(archive_json, nullptr, false);
  if (a.is_discarded() || !a.is_object()) throw Error(Exit::bad_input, "btf_archive is not a JSON object", file);
  auto comp = a.find("compression");
  if (comp == a.end() || *comp != "zlib")
    throw Error(Exit::bad_input, "btf_archive.compression is not \"zlib\"", file);
  auto kernels = a.find("kernels");
  if (kernels == a.end() || !kernels->is_array()) throw Error(Exit::bad_input, "btf_archive.kernels is not an array", file);
  std::set<std::string> releases;
  const Json* match = nullptr;
  std::string where_match;
  for (size_t i = 0; i < kernels->size(); ++i) {
    const Json& k = (*kernels)[i];
    std::string where = "btf_archive.kernels[" + std::to_string(i) + "]";
    if (!k.is_object()) throw Error(Exit::bad_input, where + " is not an object", file);
    for (const char* key : {"distro", "version", "arch", "release", "btf"}) string_field(k, key, where, file);
    auto size = k.find("btf_size");
    if (size == k.end() || !size->is_number_unsigned() || size->get<uint64_t>() == 0 ||
        size->get<uint64_t>() > kMaxBtfSize)
      throw Error(Exit::bad_input, where + ".btf_size is missing or out of range", file);
    releases.insert(k["release"].get<std::string>() + "/" + k["arch"].get<std::string>());
    if (!match && k["release"] == release && k["arch"] == arch) match = &k, where_match = where;
  }
  if (!match) {
    throw Error(Exit::tool_failed,
                "kernel " + release + " (" + arch + ") has no BTF (" + kKernelBtf +
                    " is missing or empty) and the package's btf_archive has no entry for it (it carries " +
                    std::to_string(releases.size()) +
                    " release(s)): give this kernel's BTF with --btf FILE, or rebuild the package with "
                    "ecc --btfgen DIR over a btfhub-archive that has this release",
                file);
  }
  const Json& k = *match;
  std::vector<uint8_t> btf;
  try {
    btf = zlib_inflate(base64_decode(k["btf"].get<std::string>(), where_match + ".btf"), k["btf_size"].get<size_t>(),
                       where_match + ".btf", where_match + ".btf_size");
  } catch (const Error& e) {
    throw Error(e.code(), e.what(), file);
  }
  EmbeddedBtf out;
  out.fd_ = memfd_create("ecc-embedded-btf", MFD_CLOEXEC);
  if (out.fd_ < 0) throw Error(Exit::tool_failed, std::string("memfd_create: ") + std::strerror(errno), file);
  for (size_t off = 0; off < btf.size();) {
    ssize_t n = ::write(out.fd_, btf.data() + off, btf.size() - off);
    if (n <= 0) throw Error(Exit::tool_failed, std::string("cannot write the embedded BTF: ") + std::strerror(errno), file);
    off += static_cast<size_t>(n);
  }
  out.path_ = "/proc/self/fd/" + std::to_string(out.fd_);
  out.entry_ = k["distro"].get<std::string>() + "/" + k["version"].get<std::string>() + "/" + arch + "/" + release +
               " (" + std::to_string(btf.size()) + " bytes of BTF)";
  return out;
}

EmbeddedBtf choose_embedded_btf(const std::string& archive_json, const std::string& file) {
  utsname u{};
  uname(&u);
  return choose_embedded_btf(archive_json, file, u.release, btfhub_arch(u.machine));
}

}  // namespace ecc
