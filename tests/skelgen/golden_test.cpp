// Golden tests: `ecc -y` on every example and test program writes a
// <name>.skel.json equal to tests/golden/<name>.skel.json, and a
// <name>.skel.yaml and package.yaml equal to tests/golden/yaml/<name>.skel.yaml
// and tests/golden/yaml/<name>.package.yaml.
//
// Regenerate every golden file (these and the others, tests/wasmgen/golden):
//
//   UPDATE_GOLDENS=1 ctest -R golden
//
// ecc compiles against a vmlinux.h of the running kernel's BTF, so what
// follows that BTF is replaced before comparing: BTF type ids (by 0), and in
// package.yaml the object itself (bpf_object, base64, and bpf_object_size:
// the object's BTF holds the kernel types the program uses).
#include <algorithm>
#include <sstream>

#include "ecc_cases.h"
#include "golden.h"

namespace ecc::test {
namespace {

class Golden : public testing::TestWithParam<EccCase> {};

OJson comparable(const std::string& text) {
  OJson j = OJson::parse(text);
  zero_type_ids(j);
  return j;
}

// The YAML text with the kernel-dependent values replaced, line by line.
std::string comparable_yaml(const std::string& text) {
  std::istringstream in(text);
  std::string out, line;
  while (std::getline(in, line)) {
    size_t key = line.find_first_not_of(' ');
    if (line.compare(0, 12, "bpf_object: ") == 0) line = "bpf_object: BPF_OBJECT";
    if (line.compare(0, 17, "bpf_object_size: ") == 0) line = "bpf_object_size: SIZE";
    if (key != std::string::npos && line.compare(key, 9, "type_id: ") == 0) line = line.substr(0, key) + "type_id: 0";
    out += line + "\n";
  }
  return out;
}

TEST_P(Golden, PackageOutputsMatch) {
  SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
  const EccCase& c = GetParam();
  auto r = run_ecc(c, {"-y"});
  ASSERT_EQ(r->result.exit_code, 0) << r->result.err;
  // Compared as text so that a failure shows the lines that differ and
  // key order counts.
  check_golden(fs::path("tests") / "golden" / (c.name + ".skel.json"),
               comparable(read_text(r->skel_json())).dump(2) + "\n");
  std::string package_yaml = comparable_yaml(read_text(r->out_dir / "package.yaml"));
  EXPECT_NE(package_yaml.find("\nmeta:\n"), std::string::npos) << package_yaml;
  check_golden(fs::path("tests") / "golden" / "yaml" / (c.name + ".skel.yaml"),
               comparable_yaml(read_text(r->out_dir / (c.name + ".skel.yaml"))));
  check_golden(fs::path("tests") / "golden" / "yaml" / (c.name + ".package.yaml"), package_yaml);
}

INSTANTIATE_TEST_SUITE_P(Examples, Golden, testing::ValuesIn(ecc_cases()),
                         [](const auto& info) { return case_name(info.param); });

TEST(GoldenCases, EveryExampleAndProgramIsCovered) {
  std::vector<std::string> want, have;
  for (const char* area : {"examples", "tests/programs"})
    for (const auto& e : fs::directory_iterator(source_dir() / area))
      if (e.is_directory()) want.push_back(e.path().filename().string());
  for (const EccCase& c : ecc_cases()) have.push_back(c.name);
  std::sort(want.begin(), want.end());
  std::sort(have.begin(), have.end());
  EXPECT_EQ(have, want);
}

}  // namespace
}  // namespace ecc::test
