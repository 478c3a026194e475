// Sampled maps: a linear histogram cleared after each print and a key/value
// map, printed every 300 ms, as text and as JSON.
#include <unistd.h>

#include <regex>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class EcliSamples : public EcliTest {
 protected:
  RunResult run_samples(bool json) {
    fs::path pkg = build_package(source_dir() / "tests/ecli/programs/samples.bpf.c");
    std::vector<std::string> args = {"run", "-d", "1.1", pkg.string(), "--target_pid", std::to_string(getpid())};
    if (json) args.insert(args.begin() + 1, "-j");
    EcliProcess p(args);
    EXPECT_TRUE(p.wait_attached()) << p.err();
    for (int i = 0; i < 10; i++) getppid();
    return p.finish();
  }
};

TEST_F(EcliSamples, JsonPerKeyPerIntervalAndClearMap) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  RunResult r = run_samples(true);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int lins = 0, kvs = 0;
  for (const auto& o : json_lines(r.out)) {
    EXPECT_EQ(o["key"], 7) << o.dump();
    if (o["map"] == "lins") {
      lins++;
      EXPECT_EQ(o["value"]["slots"], nlohmann::json::parse("[3,3,2,2,0,0,0,0]"));
    } else {
      kvs++;
      EXPECT_EQ(o["map"], "kvs");
      EXPECT_EQ(o["value"], nlohmann::json::parse(R"({"calls":10,"tag":"kv"})"));
    }
  }
  EXPECT_EQ(lins, 1) << "clear_map: the histogram is printed once, then deleted\n" << r.out;
  EXPECT_EQ(kvs, 3) << "one print per 300 ms interval in 1.1 s\n" << r.out;
}

TEST_F(EcliSamples, TextLinearHistogram) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  RunResult r = run_samples(false);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("calls          : count    distribution"), std::string::npos) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\n\s+0 -> 0\s+: 3\s+\|\*{40}\|)"))) << r.out;
  EXPECT_TRUE(std::regex_search(r.out, std::regex(R"(\n\s+3 -> 3\s+: 2\s+\|\*{26} {14}\|)"))) << r.out;
  EXPECT_NE(r.out.find("key = 7  value = {\"calls\":10,\"tag\":\"kv\"}"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace ecc::test
