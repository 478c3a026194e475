#include "ecc_cases.h"


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

static RunResult ecc_into(const EccRun& r, const fs::path& out_dir, const std::vector<std::string>& extra_args) {
  fs::create_directories(out_dir);
  std::vector<std::string> argv = {ecc_binary().string()};
  argv.insert(argv.end(), extra_args.begin(), extra_args.end());
  argv.insert(argv.end(), {"-o", out_dir.string(), (r.src_dir / (r.name + ".bpf.c")).string(),
                           (r.src_dir / (r.name + ".h")).string()});
  return run(argv, ecc_env());
}

std::unique_ptr<EccRun> run_ecc(const EccCase& c, const std::vector<std::string>& extra_args) {
  auto r = std::make_unique<EccRun>();
  r->name = c.name;
  r->src_dir = r->dir / "src";
  r->out_dir = r->dir / "out";
  fs::create_directories(r->src_dir);
  for (const auto& e : fs::directory_iterator(c.source_dir))
    if (e.is_regular_file()) fs::copy_file(e.path(), r->src_dir / e.path().filename());
  r->result = ecc_into(*r, r->out_dir, extra_args);
  return r;
}

RunResult rerun_ecc(const EccRun& first, const fs::path& out_dir) { return ecc_into(first, out_dir, {}); }

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

}  // namespace ecc::test
