// Packages in the format eunomia-bpf's own ecc writes (docs/package-format.md
// Interoperability), made here from ours: variables with only name and type,
// export types without member offsets, `"maps": null`, `__eunomia_dummy_*`
// placeholders that pull the event type into the BTF, unknown keys. ecli
// takes every layout from the object's BTF and runs them on the kernel.
#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class EunomiaPackage : public EcliTest {
 protected:
  // sigsnoop as eunomia's ecc compiles it: a placeholder global that uses
  // the export type, so the type lands in the object's BTF.
  json build() {
    fs::path src = tmp / "src";
    fs::create_directories(src);
    fs::path dir = source_dir() / "examples" / "sigsnoop";
    fs::copy_file(dir / "sigsnoop.h", src / "sigsnoop.h");
    write_text(src / "sigsnoop.bpf.c",
               read_text(dir / "sigsnoop.bpf.c") +
                   "\nconst volatile struct event *__eunomia_dummy_event_ptr __attribute__((unused));\n");
    return json::parse(read_text(build_package(src / "sigsnoop.bpf.c", src / "sigsnoop.h")));
  }

  // What eunomia-bpf's ecc writes: no offsets or sizes, null maps.
  static json eunomia_style(json pkg, bool with_type_ids) {
    json& meta = pkg["meta"];
    json& skel = meta["bpf_skel"];
    skel["maps"] = nullptr;
    json progs = json::array();
    for (const auto& p : skel["progs"]) progs.push_back({{"name", p["name"]}, {"attach", p["attach"]}, {"link", true}});
    skel["progs"] = progs;
    for (auto& ds : skel["data_sections"])
      for (auto& v : ds["variables"]) {
        v.erase("offset");
        v.erase("size");
      }
    json types = json::array();
    for (const auto& t : meta["export_types"]) {
      json e = {{"name", t["name"]}, {"size", t["size"]}};
      if (with_type_ids && t.contains("type_id")) e["type_id"] = t["type_id"];
      json members = json::array();
      for (const auto& m : t["members"]) members.push_back({{"name", m["name"]}, {"type", m["type"]}});
      e["members"] = members;
      types.push_back(e);
    }
    meta["export_types"] = types;
    meta["eunomia_version"] = "0.3.4";
    meta["a_key_of_a_later_version"] = {{"anything", 1}};
    skel["another_unknown_key"] = json::array();
    return pkg;
  }

  fs::path write(const json& j) {
    fs::path p = tmp / "eunomia-package.json";
    write_text(p, j.dump());
    return p;
  }

};

TEST_F(EunomiaPackage, WithTypeIdsRunsOnTheKernel) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  json ours = build();
  ASSERT_TRUE(ours["meta"]["export_types"][0].contains("type_id")) << "the placeholder puts struct event in BTF";
  expect_sigsnoop_json(write(eunomia_style(ours, true)));
}

TEST_F(EunomiaPackage, WithoutTypeIdsTheBtfIsFoundByName) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  expect_sigsnoop_json(write(eunomia_style(build(), false)));
}

TEST_F(EunomiaPackage, PlaceholdersAreNeverOptions) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = write(eunomia_style(build(), true));
  RunResult r = ecli({"run", pkg.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("-p, --pid"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("eunomia_dummy"), std::string::npos) << r.out;
  r = ecli({"run", pkg.string(), "--__eunomia_dummy_event_ptr", "1"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("unknown program option"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecc::test
