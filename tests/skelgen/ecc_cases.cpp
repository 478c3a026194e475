#include "ecc_cases.h"

#include <zlib.h>

#include <stdexcept>

namespace ecc::test {

std::vector<EccCase> ecc_cases() {
  std::vector<EccCase> out;
  for (const char* n : {"sigsnoop", "opensnoop", "bootstrap", "runqlat"})
    out.push_back({n, source_dir() / "examples" / n});
  for (const char* n : {"unlinkwatch", "forkmix", "netmix", "taskiter"})
    out.push_back({n, source_dir() / "tests" / "programs" / n});
  return out;
}

std::string case_name(const EccCase& c) { return c.name; }

fs::path EccRun::object() const { return out_dir / (name + ".bpf.o"); }
fs::path EccRun::skel_json() const { return out_dir / (name + ".skel.json"); }
fs::path EccRun::package() const { return out_dir / "package.json"; }

// One ecc cache shared by every test process (set by CMake, inside the
// build tree): the first compile pays for vmlinux.h and its PCH, the rest
// reuse them, and the user's own ~/.cache is left alone.
static std::vector<std::string> ecc_env() { return {std::string("XDG_CACHE_HOME=") + SKELGEN_TEST_CACHE}; }

static RunResult ecc_into(const EccRun& r, const fs::path& out_dir) {
  fs::create_directories(out_dir);
  return run({ecc_binary().string(), "-o", out_dir.string(), (r.src_dir / (r.name + ".bpf.c")).string(),
              (r.src_dir / (r.name + ".h")).string()},
             ecc_env());
}

std::unique_ptr<EccRun> run_ecc(const EccCase& c) {
  auto r = std::make_unique<EccRun>();
  r->name = c.name;
  r->src_dir = r->dir / "src";
  r->out_dir = r->dir / "out";
  fs::create_directories(r->src_dir);
  for (const auto& e : fs::directory_iterator(c.source_dir))
    if (e.is_regular_file()) fs::copy_file(e.path(), r->src_dir / e.path().filename());
  r->result = ecc_into(*r, r->out_dir);
  return r;
}

RunResult rerun_ecc(const EccRun& first, const fs::path& out_dir) { return ecc_into(first, out_dir); }

void zero_type_ids(OJson& j) {
  if (j.is_object()) {
    for (auto& [key, value] : j.items()) {
      if (key == "type_id")
        value = 0;
      else
        zero_type_ids(value);
    }
  } else if (j.is_array()) {
    for (auto& v : j) zero_type_ids(v);
  }
}

std::vector<uint8_t> base64_decode(const std::string& text) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
  };
  if (text.size() % 4) throw std::runtime_error("base64 length is not a multiple of 4");
  std::vector<uint8_t> out;
  for (size_t i = 0; i < text.size(); i += 4) {
    uint32_t v = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = text[i + k];
      if (c == '=' && i + 4 == text.size() && k >= 2) {
        ++pad;
        v <<= 6;
        continue;
      }
      int d = value(c);
      if (d < 0 || pad) throw std::runtime_error("bad base64 character at " + std::to_string(i + k));
      v = v << 6 | d;
    }
    out.push_back(v >> 16);
    if (pad < 2) out.push_back((v >> 8) & 0xff);
    if (pad < 1) out.push_back(v & 0xff);
  }
  return out;
}

std::vector<uint8_t> zlib_inflate(const std::vector<uint8_t>& z, size_t expected_size) {
  // One byte of room beyond the claimed size: a longer stream then shows
  // up as Z_BUF_ERROR instead of being cut silently.
  std::vector<uint8_t> out(expected_size + 1);
  uLongf len = out.size();
  int rc = uncompress(out.data(), &len, z.data(), z.size());
  if (rc != Z_OK) throw std::runtime_error("zlib inflate failed: " + std::to_string(rc));
  out.resize(len);
  return out;
}

}  // namespace ecc::test
