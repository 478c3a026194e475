// Every member kind and every option type, through a program that echoes its
// globals: decoded from the BTF (type_id) and from the JSON members alone.
#include <unistd.h>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class EcliTypes : public EcliTest {
 protected:
  fs::path package() {
    fs::path dir = source_dir() / "tests/ecli/programs";
    return build_package(dir / "types.bpf.c", dir / "types.h");
  }
  std::vector<std::string> extremes(const fs::path& pkg) {
    return {"run", "-j", "-d", "4", pkg.string(), "--target_pid", std::to_string(getpid()),
            "--v_s8", "-128", "--v_u8", "255", "--v_s16=-32768", "--v_u16", "0xffff",
            "--v_s32", "-2147483648", "--v_u32", "4294967295", "--v_s64", "-9223372036854775808",
            "--v_u64", "18446744073709551615", "-f", "--v_name", "abc\"def", "--v_color", "BLUE",
            "--v_f", "1.5", "--v_d", "-2.25"};
  }
  json run_once(std::vector<std::string> args) {
    EcliProcess p(std::move(args));
    EXPECT_TRUE(p.wait_attached()) << p.err();
    getppid();
    EXPECT_TRUE(p.wait_output("\n", std::chrono::seconds(3)));
    p.signal(SIGINT);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto objs = json_lines(r.out);
    EXPECT_EQ(objs.size(), 1u) << r.out;
    return objs.empty() ? json() : objs[0];
  }
};

const json kExpected = json::parse(R"({"s8":-128,"u8":255,"s16":-32768,"u16":65535,"s32":-2147483648,
  "u32":4294967295,"s64":-9223372036854775808,"u64":18446744073709551615,"flag":true,"name":"abc\"def",
  "color":"BLUE","f":1.5,"d":-2.25,"in":{"a":-7,"b":[1,2,65535]},"arr":[-1,0,1],"bf_lo":5,"bf_neg":-9,
  "bf_hi":11259375,"as_int":-2,"as_uint":4294967294})");

TEST_F(EcliTypes, EveryMemberKindFromBtf) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  json pj = json::parse(read_text(pkg));
  ASSERT_TRUE(pj["meta"]["export_types"][2].contains("type_id"));
  EXPECT_EQ(run_once(extremes(pkg)), kExpected);
}

TEST_F(EcliTypes, EveryMemberKindFromJsonMembers) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  json pj = json::parse(read_text(pkg));
  for (auto& t : pj["meta"]["export_types"]) t.erase("type_id");  // no BTF: offsets and spellings only
  fs::path stripped = tmp / "stripped.json";
  write_text(stripped, pj.dump());
  EXPECT_EQ(run_once(extremes(stripped)), kExpected);
}

TEST_F(EcliTypes, EnumByNumberAndDefaults) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = package();
  json e = run_once({"run", "-j", "-d", "4", pkg.string(), "--target_pid", std::to_string(getpid()), "--v_color", "2",
                     "--v_s8=0x7f"});
  EXPECT_EQ(e["color"], "GREEN");
  EXPECT_EQ(e["s8"], 127);
  EXPECT_EQ(e["flag"], false);
  EXPECT_EQ(e["name"], "");
}

TEST_F(EcliTypes, ValuesOutOfRangeAreRefusedBeforeLoading) {
  fs::path pkg = package();
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"--v_s8=128", "signed 8-bit"},          {"--v_s8=-129", "signed 8-bit"},
      {"--v_u8=256", "unsigned 8-bit"},        {"--v_s16=32768", "signed 16-bit"},
      {"--v_u16=0x10000", "unsigned 16-bit"},  {"--v_u16=-1", "negative"},
      {"--v_s32=2147483648", "signed 32-bit"}, {"--v_u32=4294967296", "unsigned 32-bit"},
      {"--v_s64=9223372036854775808", "signed 64-bit"}, {"--v_u64=-5", "negative"},
      {"--v_name=abcdefgh", "longer than 7 characters"}, {"--v_color=PURPLE", "not one of RED, GREEN, BLUE"},
      {"--v_f=abc", "not a floating-point number"},     {"--v_f=1e39", "out of range for a float"},
      {"--v_d=1e999", "not a floating-point number"},   {"--flag=2", "not a boolean"},
      {"--v_s32=12abc", "not an integer"},
  };
  for (const auto& [arg, why] : bad) {
    RunResult r = ecli({"run", pkg.string(), arg});
    EXPECT_EQ(r.exit_code, 1) << arg << ": " << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << arg << ": " << r.err;
    EXPECT_EQ(r.err.find("attached"), std::string::npos);
  }
}

}  // namespace
}  // namespace ecc::test
