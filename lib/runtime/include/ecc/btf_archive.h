// The kernel BTFs a package carries for kernels without their own
// (`ecc --btfgen`, docs/package-format.md): package.json's "btf_archive", also embedded in
// an app.wasm as the custom section kBtfArchiveSection. One reader and
// chooser for ecli's loader and the Wasm host.
//
//   "btf_archive": { "compression": "zlib",
//     "kernels": [ { "distro": "debian", "version": "12", "arch": "x86_64",
//                    "release": "6.1.0-18-amd64", "btf_size": <bytes>,
//                    "btf": base64(zlib(minimal BTF)) }, ... ] }
#pragma once

#include <cstddef>
#include <string>

#include "ecc/package_format.h"

namespace ecc {

// The contents of the first custom section `name` of the Wasm module
// `data` (empty when it has none; the module was validated elsewhere).
std::string wasm_custom_section(const unsigned char* data, size_t size, const std::string& name);

// Whether the running kernel publishes its BTF (kKernelBtf exists and is not empty).
bool kernel_has_btf();

// `uname -m` spelled as btfhub's arch directories (x86_64, arm64, ...).
std::string btfhub_arch(const std::string& machine);

// The entry of an archive chosen for this kernel, held in a memfd that
// libbpf reads through path() (bpf_object_open_opts::btf_custom_path).
class EmbeddedBtf {
 public:
  EmbeddedBtf() = default;
  ~EmbeddedBtf();
  EmbeddedBtf(EmbeddedBtf&& o) noexcept;
  EmbeddedBtf& operator=(EmbeddedBtf&& o) noexcept;
  EmbeddedBtf(const EmbeddedBtf&) = delete;
  EmbeddedBtf& operator=(const EmbeddedBtf&) = delete;

  bool empty() const { return fd_ < 0; }
  const std::string& path() const { return path_; }  // /proc/self/fd/N
  // "debian/12/x86_64/6.1.0-18-amd64 (5012 bytes of BTF)", for -v.
  const std::string& entry() const { return entry_; }

 private:
  friend EmbeddedBtf choose_embedded_btf(const std::string&, const std::string&, const std::string&,
                                         const std::string&);
  int fd_ = -1;
  std::string path_, entry_;
};

// The entry of `archive_json` (the text of a "btf_archive" value) for
// kernel `release` on btfhub arch `arch`. Throws Error(bad_input) naming
// `file` and the field for a malformed archive, Error(tool_failed) when no
// entry matches: the release, the arch, how many releases the archive
// carries, and what to do (--btf FILE, ecc --btfgen).
EmbeddedBtf choose_embedded_btf(const std::string& archive_json, const std::string& file, const std::string& release,
                                const std::string& arch);
// The same for the running kernel (uname -r, uname -m).
EmbeddedBtf choose_embedded_btf(const std::string& archive_json, const std::string& file);

}  // namespace ecc
