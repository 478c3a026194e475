// docs/cache.md: nothing in ecc's cache is trusted. A damaged entry (the clang
// probe record, vmlinux.h, either PCH) is rebuilt, never fatal, and the
// package is byte-identical to one built on a clean cache.
#include "ecc_fixture.h"

using namespace ecc::test;

namespace {

class CacheDamage : public EccTest {
 protected:
  fs::path dir;
  std::vector<std::string> mode;  // ECC_COMPILE, for every build
  std::vector<uint8_t> reference_object;
  std::string reference_package;

  void SetUp() override {
    EccTest::SetUp();
    dir = copy_example("sigsnoop");
    RunResult r = build("ref", {"ECC_CACHE_WARM=sync"});  // leaves both PCHs
    ASSERT_EQ(r.exit_code, 0) << r.err;
    reference_object = read_bytes(tmp / "ref" / "sigsnoop.bpf.o");
    reference_package = read_text(tmp / "ref" / "package.json");
  }

  RunResult build(const std::string& out, std::vector<std::string> env = {}) const {
    env.insert(env.end(), mode.begin(), mode.end());
    return ecc({"-v", "-o", (tmp / out).string(), (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()},
               env);
  }

  // The one cache file whose name starts with `prefix` (vmlinux.h, clang-, scan-, toolchain-).
  fs::path entry(const std::string& prefix) const {
    std::vector<fs::path> found;
    for (const auto& e : fs::recursive_directory_iterator(cache()))
      if (e.path().filename().string().rfind(prefix, 0) == 0 && e.path().extension() != ".sum") found.push_back(e);
    EXPECT_EQ(found.size(), 1u) << prefix;
    return found.empty() ? fs::path() : found[0];
  }

  // Builds again and expects success with the reference bytes.
  RunResult expect_rebuilt(const std::string& out) const {
    RunResult r = build(out);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("error"), std::string::npos) << r.err;
    EXPECT_EQ(read_bytes(tmp / out / "sigsnoop.bpf.o"), reference_object);
    EXPECT_EQ(read_text(tmp / out / "package.json"), reference_package);
    return r;
  }
};

}  // namespace

TEST_F(CacheDamage, ToolchainRecordOfTheWrongShapeIsProbedAgain) {
  fs::path t = entry("toolchain-");
  for (const char* text : {"{\"version\": 3}", "[]", "not json", "{\"version\":\"x\",\"major\":14,\"resource_dir\":"
                                                                  "\"/r\",\"system_includes\":[1]}"}) {
    SCOPED_TRACE(text);
    write_text(t, text);
    RunResult r = expect_rebuilt("out");
    EXPECT_NE(r.err.find(" -v -E -x c /dev/null"), std::string::npos) << "clang probed again:\n" << r.err;
  }
}

TEST_F(CacheDamage, DamagedVmlinuxHeaderIsRegenerated) {
  fs::path h = entry("vmlinux.h");
  std::string good = read_text(h);
  for (const std::string& bad : {std::string("garbage\n"), good.substr(0, good.size() / 2), std::string()}) {
    write_text(h, bad);
    RunResult r = expect_rebuilt("out");
    EXPECT_NE(r.err.find("# generate " + h.string()), std::string::npos) << r.err;
    EXPECT_EQ(read_text(h), good);
  }
  // A stamp that is missing (a writer that died between the two renames).
  fs::remove(h.string() + ".sum");
  RunResult r = expect_rebuilt("out");
  EXPECT_NE(r.err.find("# generate " + h.string()), std::string::npos) << r.err;
}

TEST_F(CacheDamage, ClangRefusesADamagedPchAndTheCompileGoesOnWithoutIt) {
  fs::path pch = entry("clang-");
  std::string bytes = read_text(pch);
  write_text(pch, bytes.substr(0, 4096));
  RunResult r = expect_rebuilt("out");
  EXPECT_NE(r.err.find("clang refused the cached " + pch.string()), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(pch)) << "the damaged PCH is dropped";
  // The next run builds a good one again (the warm step) and uses it.
  ASSERT_EQ(build("again", {"ECC_CACHE_WARM=sync"}).exit_code, 0);
  ASSERT_TRUE(fs::exists(pch));
  RunResult warm = expect_rebuilt("warm");
  EXPECT_NE(warm.err.find("-include-pch " + pch.string()), std::string::npos) << warm.err;
  EXPECT_EQ(warm.err.find("refused"), std::string::npos) << warm.err;
}

// Only a scan beside a clang process has a PCH of its own.
class CacheDamageProcess : public CacheDamage {
 protected:
  void SetUp() override {
    mode = {"ECC_COMPILE=process"};
    CacheDamage::SetUp();
  }
};

TEST_F(CacheDamageProcess, ADamagedScanPchIsDroppedAndTheScanGoesOnWithoutIt) {
  fs::path pch = entry("scan-");
  write_text(pch, "garbage");
  expect_rebuilt("out");
  EXPECT_FALSE(fs::exists(pch)) << "the refused PCH is dropped";
}
