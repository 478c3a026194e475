// `ecli pull` onto a full disk (docs/testing.md, Faults): a small tmpfs as `-o`'s
// directory and as $XDG_CACHE_HOME, where lib/oci keeps the pulled blobs.
// One `ecli: error:` line naming the file and "No space left on device",
// exit non-zero, and no partial file.
#include "oci_fixture.h"

namespace ecc::test {
namespace {

class OciFullDisk : public OciTest {};

TEST_F(OciFullDisk, PullOntoAFullTmpfsGivesOneErrorAndNoPartialFile) {
  Registry reg(Registry::Mode::plain);
  fs::path module = large_module();  // 6 MiB, larger than the tmpfs
  RunResult push = ecli(args("push", reg, {module.string(), reg.ref("big:1")}));
  ASSERT_EQ(push.exit_code, 0) << push.err;

  SmallTmpfs disk(tmp / "disk", 1 << 20);
  ECC_REQUIRE_MOUNT_OR_SKIP(disk);
  // -o on the full disk: the blob is in the cache, the copy does not fit.
  fs::path out = tmp / "disk" / "big.wasm";
  RunResult pull = ecli(args("pull", reg, {reg.ref("big:1"), "-o", out.string()}));
  EXPECT_NE(pull.exit_code, 0);
  EXPECT_EQ(std::count(pull.err.begin(), pull.err.end(), '\n'), 1) << pull.err;
  EXPECT_EQ(pull.err, "ecli: error: cannot write: No space left on device (" + out.string() + ")\n");
  EXPECT_EQ(files_under(tmp / "disk"), std::vector<std::string>{});

  // The cache on the full disk: the blob itself does not fit.
  std::vector<std::string> e = env();
  for (auto& kv : e)
    if (kv.rfind("XDG_CACHE_HOME=", 0) == 0) kv = "XDG_CACHE_HOME=" + (tmp / "disk").string();
  std::vector<std::string> argv = {oci_ecli_binary().string()};
  for (const auto& a : args("pull", reg, {reg.ref("big:1"), "-o", (tmp / "here.wasm").string()})) argv.push_back(a);
  RunResult cached = run(argv, e, tmp.path().string());
  EXPECT_NE(cached.exit_code, 0);
  EXPECT_EQ(std::count(cached.err.begin(), cached.err.end(), '\n'), 1) << cached.err;
  EXPECT_EQ(cached.err.rfind("ecli: error: ", 0), 0u) << cached.err;
  EXPECT_NE(cached.err.find("No space left on device (" + (tmp / "disk").string() + "/"), std::string::npos)
      << cached.err;
  EXPECT_FALSE(fs::exists(tmp / "here.wasm"));
  for (const std::string& f : files_under(tmp / "disk"))
    EXPECT_EQ(f.find("ecc-tmp"), std::string::npos) << "a partial file is left in the cache: " << f;
}

}  // namespace
}  // namespace ecc::test
