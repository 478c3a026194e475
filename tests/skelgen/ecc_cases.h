// The programs the golden and oracle tests push through the built `ecc`:
// every example and every tests/programs program.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "test_util.h"

namespace ecc::test {

using OJson = nlohmann::ordered_json;

struct EccCase {
  std::string name;       // "sigsnoop": sources are <name>.bpf.c and <name>.h
  fs::path source_dir;    // examples/<name> or tests/programs/<name>
};

std::vector<EccCase> ecc_cases();
// gtest prints parameters in test names and failures: the name says it all.
inline void PrintTo(const EccCase& c, std::ostream* os) { *os << c.name; }
// For INSTANTIATE_TEST_SUITE_P names.
std::string case_name(const EccCase& c);

// ecc builds vmlinux.h from the running kernel's BTF: without it these
// tests skip, unless ECC_REQUIRE_KERNEL=1 (CI) makes that a failure.
#define SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP() ECC_REQUIRE_KERNEL_BTF_OR_SKIP()

// One run of ecc on a copy of the case's folder. Its outputs live as long as
// the object.
struct EccRun {
  TempDir dir;
  fs::path src_dir;   // dir/src: the copied sources
  fs::path out_dir;   // dir/out
  RunResult result;
  fs::path object() const;     // <name>.bpf.o
  fs::path skel_json() const;  // <name>.skel.json
  fs::path package() const;    // package.json
  std::string name;
};

// Copies the case into a fresh temp dir and runs
// `ecc EXTRA_ARGS -o OUT SRC/<name>.bpf.c SRC/<name>.h` there.
std::unique_ptr<EccRun> run_ecc(const EccCase& c, const std::vector<std::string>& extra_args = {});
// Runs ecc again on the same copied sources (same paths: BTF line info
// names the source file) into another output dir `out_name`.
RunResult rerun_ecc(const EccRun& first, const fs::path& out_dir);

// Replaces the value of every "type_id" key, at any depth, by 0.
void zero_type_ids(OJson& j);

}  // namespace ecc::test
