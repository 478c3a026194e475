// Oracle tests: what ecc writes for every example and test program agrees
// with independent tools run on the object ecc produced — bpftool's
// skeleton generator, bpftool's raw BTF dump, pahole — and the package
// carries that very object, byte for byte, deterministically.
#include <set>

#include "ecc/loader.h"
#include "ecc_cases.h"
#include "oracle_parsers.h"

namespace ecc::test {
namespace {

class Oracle : public testing::TestWithParam<EccCase> {
 public:
  void SetUp() override {
    SKELGEN_REQUIRE_KERNEL_BTF_OR_SKIP();
    r_ = run_ecc(GetParam());
    ASSERT_EQ(r_->result.exit_code, 0) << r_->result.err;
    pkg_ = OJson::parse(read_text(r_->package()));
    meta_ = OJson::parse(read_text(r_->skel_json()));
    skel_ = meta_.at("bpf_skel");
  }

  static std::string tool(const std::vector<std::string>& argv) {
    RunResult t = run(argv);
    EXPECT_EQ(t.exit_code, 0) << argv[0] << " failed: " << t.err;
    return t.out;
  }

  void skel_json_is_the_package_meta();
  void package_carries_the_object();
  void maps_and_progs_match_bpftool_skeleton();
  void data_section_variables_match_btf_datasecs();
  void export_types_match_btf_and_pahole();
  void two_runs_give_identical_bytes();
  fs::path probe_object(const std::string& type_name);

  std::unique_ptr<EccRun> r_;
  OJson pkg_, meta_, skel_;
};

void Oracle::skel_json_is_the_package_meta() { EXPECT_EQ(meta_, pkg_.at("meta")); }

void Oracle::package_carries_the_object() {
  std::vector<uint8_t> elf = read_bytes(r_->object());
  ASSERT_FALSE(elf.empty());
  EXPECT_EQ(pkg_.at("bpf_object_size").get<size_t>(), elf.size());
  std::vector<uint8_t> decoded = ecc::zlib_inflate(ecc::base64_decode(pkg_.at("bpf_object").get<std::string>()),
                                                      pkg_.at("bpf_object_size").get<size_t>());
  EXPECT_TRUE(decoded == elf) << "decoded " << decoded.size() << " bytes, object has " << elf.size();
}

// True when the DATASEC whose skeleton identifier is `ident` (".rodata.str1.1"
// -> "rodata_str1_1") has a variable that is not static.
bool section_has_globals(const BtfRaw& btf, const std::string& ident) {
  for (const auto& [sec, vars] : btf.datasecs) {
    std::string id = sec.substr(sec.rfind('.', 0) == 0 ? 1 : 0);
    for (char& c : id)
      if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    if (id != ident) continue;
    for (const auto& v : vars)
      if (btf.types.at(v.type_id).attrs.at("linkage") != "static") return true;
  }
  return false;
}

void Oracle::maps_and_progs_match_bpftool_skeleton() {
  BpftoolSkeleton b = parse_bpftool_skeleton(tool({"bpftool", "gen", "skeleton", r_->object().string()}));
  BtfRaw btf = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", r_->object().string()}));
  ASSERT_FALSE(b.maps.empty() && b.prog_names.empty()) << "nothing parsed from bpftool's skeleton";

  std::vector<std::string> idents, names, mmaped, b_names, b_mmaped;
  for (const auto& m : skel_.at("maps")) {
    idents.push_back(m.at("ident"));
    names.push_back(m.at("name"));
    if (m.value("mmaped", false)) mmaped.push_back(m.at("ident"));
  }
  std::vector<std::string> b_idents;
  for (const auto& m : b.maps) {
    b_idents.push_back(m.ident);
    b_names.push_back(m.name);
    // bpftool 7.1 gives every internal map an mmaped pointer; libbpf makes
    // a map mmapable only when its DATASEC has a non-static variable
    // (.rodata.str1.1 holds only string literals). docs/package-format.md means the latter.
    if (m.mmaped && section_has_globals(btf, m.ident)) b_mmaped.push_back(m.ident);
  }
  EXPECT_EQ(b_idents, b.map_idents) << "bpftool's own two lists disagree";
  EXPECT_EQ(idents, b.map_idents);
  EXPECT_EQ(names, b_names);
  EXPECT_EQ(mmaped, b_mmaped);

  std::vector<std::string> progs;
  for (const auto& p : skel_.at("progs")) progs.push_back(p.at("name"));
  EXPECT_EQ(progs, b.prog_idents);
  EXPECT_EQ(progs, b.prog_names);
}

void Oracle::data_section_variables_match_btf_datasecs() {
  BtfRaw btf = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", r_->object().string()}));
  std::map<std::string, const OJson*> ours;
  for (const auto& s : skel_.at("data_sections")) ours[s.at("name")] = &s;

  size_t checked = 0;
  for (const auto& [sec, vars] : btf.datasecs) {
    // `.maps` holds map definitions and `license` the LICENSE string:
    // neither is an internal map with variables.
    if (sec == ".maps" || sec.empty() || sec[0] != '.') continue;
    std::map<std::string, BtfRaw::SecVar> want;
    bool externs = false;
    for (const auto& v : vars) {
      std::string linkage = btf.types.at(v.type_id).attrs["linkage"];
      externs |= linkage == "extern";
      if (linkage != "static") want[v.name] = v;
    }
    if (want.empty()) continue;
    SCOPED_TRACE("section " + sec);
    ASSERT_TRUE(ours.count(sec)) << "no data_sections entry";
    std::set<std::string> seen;
    uint32_t extern_end = 0;
    for (const auto& v : ours[sec]->at("variables")) {
      std::string name = v.at("name");
      seen.insert(name);
      ASSERT_TRUE(want.count(name)) << name << " is not a non-static VAR of the DATASEC";
      EXPECT_EQ(v.at("size").get<uint32_t>(), want[name].size) << name;
      // Extern sections (.kconfig) are laid out by libbpf when it opens the
      // object; the linker leaves their DATASEC offsets at 0. There the
      // oracle is only that variables do not overlap, in order.
      uint32_t offset = v.at("offset");
      if (externs) {
        EXPECT_GE(offset, extern_end) << name << " overlaps the previous variable";
        extern_end = offset + want[name].size;
      } else {
        EXPECT_EQ(offset, want[name].offset) << name;
      }
      ++checked;
    }
    EXPECT_EQ(seen.size(), want.size()) << "variables missing from data_sections";
  }
  for (const auto& [name, s] : ours) {
    if (s->at("variables").empty()) continue;
    EXPECT_TRUE(btf.datasecs.count(name)) << name << " has no DATASEC";
  }
  EXPECT_GT(checked, 0u) << "every case here has globals";
}

fs::path Oracle::probe_object(const std::string& type_name) {
  // The export JSON does not say whether a name is a struct, a union, an
  // enum or a typedef: the spelling clang accepts is the one.
  std::string errors;
  int n = 0;
  for (const char* keyword : {"struct ", "union ", "enum ", ""}) {
    std::string src = "#include \"vmlinux.h\"\n#include \"" + (r_->src_dir / (r_->name + ".h")).string() +
                      "\"\n" + keyword + type_name + " ecc_layout_probe;\n";
    try {
      return compile_bpf(r_->dir, "probe" + std::to_string(n++), src);
    } catch (const std::exception& e) {
      errors += e.what();
    }
  }
  ADD_FAILURE() << "plain clang cannot declare a global of type " << type_name << ":\n" << errors;
  return {};
}

// Compares one member list with pahole's, recursing into anonymous records.
void expect_members(const OJson& ours, const std::vector<PaholeMember>& theirs, const std::string& where) {
  ASSERT_EQ(ours.size(), theirs.size()) << where << ": member count";
  for (size_t i = 0; i < theirs.size(); ++i) {
    const OJson& m = ours[i];
    const PaholeMember& p = theirs[i];
    std::string at = where + "." + (p.name.empty() ? "<anon>" : p.name);
    EXPECT_EQ(m.at("name").get<std::string>(), p.name) << at;
    EXPECT_EQ(m.at("size").get<uint32_t>(), p.size) << at;
    if (p.bit_size) {
      EXPECT_EQ(m.value("bit_size", 0u), p.bit_size) << at;
      EXPECT_EQ(m.value("bit_offset", 0u), p.offset * 8 + p.bit) << at;
    } else {
      EXPECT_FALSE(m.contains("bit_size")) << at;
      EXPECT_EQ(m.at("offset").get<uint32_t>(), p.offset) << at;
    }
    if (!p.members.empty() || m.contains("members")) {
      ASSERT_TRUE(m.contains("members")) << at << ": anonymous record without its members";
      expect_members(m.at("members"), p.members, at);
    }
  }
}

void Oracle::export_types_match_btf_and_pahole() {
  const fs::path obj = r_->object();
  BtfRaw btf = parse_btf_raw(tool({"bpftool", "btf", "dump", "file", obj.string()}));
  const OJson& types = meta_.at("export_types");
  ASSERT_FALSE(types.empty()) << "every case exports types";
  for (const OJson& t : types) {
    std::string name = t.at("name");
    SCOPED_TRACE("export type " + name);
    // docs/package-format.md: every export type is in the packaged object's BTF, also
    // one the program uses only for locals (ecc added it).
    std::optional<uint32_t> id = btf.find_record_or_enum(name);
    ASSERT_TRUE(id) << "not in the object's BTF";
    EXPECT_EQ(t.value("type_id", 0u), *id);
    EXPECT_EQ(std::to_string(t.at("size").get<uint32_t>()), btf.types.at(*id).attrs["size"]);
    // pahole reads the object ecc wrote; a probe compiled by plain clang
    // with a global of the type is a second, independent layout (except for
    // an ENUM64 ecc added: clang 14 cuts the values of its probe to 32 bits).
    fs::path probe = btf.types.at(*id).kind == "ENUM64" ? fs::path() : probe_object(name);
    if (!probe.empty()) {
      EXPECT_EQ(tool({"pahole", "-C", name, obj.string()}), tool({"pahole", "-C", name, probe.string()}));
    }
    PaholeType p = parse_pahole(tool({"pahole", "-C", name, obj.string()}));
    if (p.is_enum) {
      ASSERT_TRUE(t.contains("values"));
      // Clang 14 writes enums as BTF ENUM (no ENUM64, no signedness), so
      // pahole sees only the low 32 bits of each value: compare those.
      std::vector<std::pair<std::string, uint32_t>> values, theirs;
      for (const auto& v : t.at("values"))
        values.emplace_back(v.at("name"), static_cast<uint32_t>(v.at("value").get<int64_t>()));
      for (const auto& [n, v] : p.enum_values) theirs.emplace_back(n, static_cast<uint32_t>(v));
      EXPECT_EQ(values, theirs);
    } else {
      expect_members(t.at("members"), p.members, name);
    }
  }
}

void Oracle::two_runs_give_identical_bytes() {
  fs::path again = r_->dir / "again";
  RunResult second = rerun_ecc(*r_, again);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_TRUE(read_text(r_->package()) == read_text(again / "package.json")) << "package.json differs";
  EXPECT_TRUE(read_text(r_->skel_json()) == read_text(again / (r_->name + ".skel.json")));
  EXPECT_TRUE(read_bytes(r_->object()) == read_bytes(again / (r_->name + ".bpf.o")));
}

// One test per program: ecc runs once for all the checks (twice for the
// determinism check), which keeps the suite fast.
TEST_P(Oracle, AgreesWithBpftoolPaholeAndItself) {
  const std::pair<const char*, void (Oracle::*)()> checks[] = {
      {"skel.json is package meta", &Oracle::skel_json_is_the_package_meta},
      {"bpf_object", &Oracle::package_carries_the_object},
      {"bpftool gen skeleton", &Oracle::maps_and_progs_match_bpftool_skeleton},
      {"DATASEC variables", &Oracle::data_section_variables_match_btf_datasecs},
      {"export types vs BTF and pahole", &Oracle::export_types_match_btf_and_pahole},
      {"determinism", &Oracle::two_runs_give_identical_bytes},
  };
  for (const auto& [what, check] : checks) {
    SCOPED_TRACE(what);
    (this->*check)();
  }
}

INSTANTIATE_TEST_SUITE_P(Examples, Oracle, testing::ValuesIn(ecc_cases()),
                         [](const auto& info) { return case_name(info.param); });

}  // namespace
}  // namespace ecc::test
