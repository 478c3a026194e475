// The scan on the repository's real programs (examples/ and tests/programs/):
// every export type has the same layout and member spellings as in the BTF
// of the program compiled with one global of each export type added (BTF
// only holds the types a program uses).
#include <gtest/gtest.h>

#include "btf_oracle.h"
#include "ecc/layout_check.h"
#include "scan_fixture.h"

namespace ecc::test {
namespace {

namespace fs = std::filesystem;

std::vector<fs::path> program_dirs() {
  std::vector<fs::path> dirs;
  for (const char* top : {"examples", "tests/programs"}) {
    fs::path root = source_dir() / top;
    if (!fs::is_directory(root)) continue;
    for (const auto& e : fs::directory_iterator(root))
      if (fs::exists(e.path() / (e.path().filename().string() + ".bpf.c"))) dirs.push_back(e.path());
  }
  std::sort(dirs.begin(), dirs.end());
  return dirs;
}

class Programs : public ::testing::TestWithParam<fs::path> {};

TEST_P(Programs, ExportTypesAgreeWithBtf) {
  const fs::path& src = GetParam();
  std::string name = src.filename().string();
  TempDir dir;
  for (const auto& e : fs::directory_iterator(src)) fs::copy_file(e.path(), dir / e.path().filename().string());
  std::string source = read_text(src / (name + ".bpf.c"));
  write_text(dir / (name + ".bpf.c"), source);
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, name, name + ".h"), tt);
  ASSERT_FALSE(r.export_types.empty()) << name << ".h exports nothing";
  source += "\n";
  for (size_t i = 0; i < r.export_types.size(); ++i)
    source += tt.spell(r.export_types[i]) + " __ecc_use_" + std::to_string(i) + ";\n";
  fs::path obj = compile_bpf(dir, name, source);
  BtfOracle btf(obj, tt);
  size_t checked = 0;  // every one, not just those the program happens to use
  for (TypeId id : r.export_types) {
    const Type& t = tt.at(id);
    auto b = btf.find(t.kind, t.name);
    ASSERT_TRUE(b) << name << ": " << t.name << " is not in the BTF";
    ++checked;
    EXPECT_EQ(compare_layouts(tt, id, *b), std::nullopt) << name;
    if (t.kind == TypeKind::Enum) {
      EXPECT_EQ(t.values.size(), tt.at(*b).values.size()) << name << " " << t.name;
      continue;
    }
    ASSERT_EQ(t.members.size(), tt.at(*b).members.size());
    for (size_t i = 0; i < t.members.size(); ++i)
      EXPECT_EQ(tt.spell(t.members[i].type), tt.spell(tt.at(*b).members[i].type))
          << name << ": " << t.name << "." << t.members[i].name;
  }
  EXPECT_EQ(checked, r.export_types.size());
}

INSTANTIATE_TEST_SUITE_P(Repo, Programs, ::testing::ValuesIn(program_dirs()),
                         [](const auto& info) { return info.param.filename().string(); });

}  // namespace
}  // namespace ecc::test
