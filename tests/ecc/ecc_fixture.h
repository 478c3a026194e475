// A private cache and a copy of an example per test, and a way to run ecc.
#pragma once

#include "test_util.h"

namespace ecc::test {

class EccTest : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path cache() const { return tmp / "cache"; }
  fs::path work() const { return tmp / "work"; }

  void SetUp() override { fs::create_directories(tmp / "work"); }

  // Copies examples/<name> into work()/<name>; returns that directory.
  fs::path copy_example(const std::string& name) const {
    fs::path dst = work() / name;
    fs::create_directories(dst);
    for (const auto& e : fs::directory_iterator(source_dir() / "examples" / name))
      fs::copy_file(e.path(), dst / e.path().filename(), fs::copy_options::overwrite_existing);
    return dst;
  }

  RunResult ecc(std::vector<std::string> args, std::vector<std::string> env = {}) const {
    args.insert(args.begin(), ecc_binary().string());
    env.push_back("XDG_CACHE_HOME=" + cache().string());
    env.push_back("NO_COLOR=1");
    bool has_mode = false;
    for (const auto& e : env) has_mode |= e.rfind("ECC_CACHE_WARM=", 0) == 0;
    // Background cache warming would outlive the test's temp dir.
    if (!has_mode) env.push_back("ECC_CACHE_WARM=off");
    // The tests of the compile path run it every time; object_cache_test
    // turns the object cache on.
    bool has_object_mode = false;
    for (const auto& e : env) has_object_mode |= e.rfind("ECC_OBJECT_CACHE=", 0) == 0;
    if (!has_object_mode) env.push_back("ECC_OBJECT_CACHE=off");
    return run(args, env);
  }
};

}  // namespace ecc::test
