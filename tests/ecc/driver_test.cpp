#include <map>
#include <regex>
#include <sstream>
#include <thread>

#include "ecc_fixture.h"

using namespace ecc::test;

namespace {

std::vector<fs::path> pch_files(const fs::path& cache) {
  std::vector<fs::path> out;
  if (!fs::exists(cache)) return out;
  for (const auto& e : fs::recursive_directory_iterator(cache))
    if (e.path().extension() == ".pch") out.push_back(e.path());
  return out;
}

}  // namespace

TEST_F(EccTest, PackagesSigsnoopNextToTheSource) {
  fs::path dir = copy_example("sigsnoop");
  RunResult r = ecc({(dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(fs::exists(dir / "sigsnoop.bpf.o"));
  EXPECT_TRUE(fs::exists(dir / "sigsnoop.skel.json"));
  EXPECT_TRUE(fs::exists(dir / "package.json"));
  EXPECT_FALSE(fs::exists(dir / "sigsnoop.skel.yaml"));
  // Only the outputs: no temporaries left behind.
  EXPECT_EQ(list_dir(dir), (std::vector<std::string>{"package.json", "sigsnoop.bpf.c", "sigsnoop.bpf.o",
                                                      "sigsnoop.h", "sigsnoop.skel.json"}));
  // DWARF dropped, BTF kept.
  RunResult sections = run({"readelf", "-S", "-W", (dir / "sigsnoop.bpf.o").string()});
  EXPECT_NE(sections.out.find(".BTF.ext"), std::string::npos);
  EXPECT_EQ(sections.out.find(".debug_info"), std::string::npos);
}

TEST_F(EccTest, OutputDirYamlAndNoPackage) {
  fs::path dir = copy_example("sigsnoop");
  RunResult r = ecc({"-y", "-n", "-o", (tmp / "out").string(), (dir / "sigsnoop.bpf.c").string(),
                     (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(list_dir(tmp / "out"),
            (std::vector<std::string>{"sigsnoop.bpf.o", "sigsnoop.skel.json", "sigsnoop.skel.yaml"}));
}

TEST_F(EccTest, YamlAlsoForThePackage) {
  fs::path dir = copy_example("sigsnoop");
  RunResult r = ecc({"-y", "-o", (tmp / "out").string(), (dir / "sigsnoop.bpf.c").string(),
                     (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(list_dir(tmp / "out"), (std::vector<std::string>{"package.json", "package.yaml", "sigsnoop.bpf.o",
                                                             "sigsnoop.skel.json", "sigsnoop.skel.yaml"}));
  EXPECT_NE(read_text(tmp / "out" / "package.yaml").find("bpf_object_size:"), std::string::npos);
}

TEST_F(EccTest, TwoRunsGiveIdenticalBytes) {
  fs::path dir = copy_example("bootstrap");
  std::vector<std::string> args = {"-y", (dir / "bootstrap.bpf.c").string(), (dir / "bootstrap.h").string()};
  ASSERT_EQ(ecc(args).exit_code, 0);
  auto pkg1 = read_text(dir / "package.json"), skel1 = read_text(dir / "bootstrap.skel.yaml");
  auto obj1 = read_bytes(dir / "bootstrap.bpf.o");
  ASSERT_EQ(ecc(args).exit_code, 0);
  EXPECT_EQ(pkg1, read_text(dir / "package.json"));
  EXPECT_EQ(skel1, read_text(dir / "bootstrap.skel.yaml"));
  EXPECT_EQ(obj1, read_bytes(dir / "bootstrap.bpf.o"));
}

// docs/cache.md: a warm compile reuses the PCH and the object is unchanged by
// it. In-process (the default) the scan reads the compile's AST, so only
// clang's PCH is built; with ECC_COMPILE=process the scan has its own.
class Pch : public EccTest {
 protected:
  void expect_the_same_object(const std::string& mode, size_t pchs) const;
};

void Pch::expect_the_same_object(const std::string& mode, size_t pchs) const {
  SCOPED_TRACE(mode);
  const Pch& t = *this;
  fs::path dir = t.copy_example("sigsnoop");
  std::vector<std::string> files = {(dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()};
  std::vector<std::string> cold = {"-v", "-o", (t.tmp / "cold").string()};
  cold.insert(cold.end(), files.begin(), files.end());
  RunResult first = t.ecc(cold, {"ECC_CACHE_WARM=sync", mode});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.find("-include-pch"), std::string::npos) << "a cold cache has no PCH yet";
  ASSERT_EQ(pch_files(t.cache()).size(), pchs) << first.err;

  std::vector<std::string> warm = {"-v", "-o", (t.tmp / "warm").string()};
  warm.insert(warm.end(), files.begin(), files.end());
  RunResult second = t.ecc(warm, {mode});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("-include-pch"), std::string::npos) << second.err;
  EXPECT_EQ(read_bytes(t.tmp / "cold" / "sigsnoop.bpf.o"), read_bytes(t.tmp / "warm" / "sigsnoop.bpf.o"));
  EXPECT_EQ(read_text(t.tmp / "cold" / "package.json"), read_text(t.tmp / "warm" / "package.json"));
}

TEST_F(Pch, AWarmCompileGivesTheSameObject) { expect_the_same_object("ECC_COMPILE=in-process", 1); }

TEST_F(Pch, AWarmCompileGivesTheSameObjectWithAClangProcess) { expect_the_same_object("ECC_COMPILE=process", 2); }

// The in-process probe of clang records what `clang -v -E` says.
TEST_F(EccTest, InProcessProbeSaysWhatTheClangBinarySays) {
  fs::path dir = copy_example("sigsnoop");
  std::map<std::string, std::string> record;
  for (const std::string mode : {"in-process", "process"}) {
    fs::path cache = tmp / ("cache-" + mode);
    RunResult r = run({ecc_binary().string(), "-v", "-o", (tmp / mode).string(), (dir / "sigsnoop.bpf.c").string(),
                       (dir / "sigsnoop.h").string()},
                      {"XDG_CACHE_HOME=" + cache.string(), "ECC_CACHE_WARM=off", "ECC_COMPILE=" + mode});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("# probe in-process: ") != std::string::npos, mode == "in-process") << r.err;
    for (const auto& e : fs::directory_iterator(cache / "ecc"))
      if (e.path().filename().string().rfind("toolchain-", 0) == 0) record[mode] = read_text(e.path());
  }
  ASSERT_FALSE(record["process"].empty());
  EXPECT_NE(record["process"].find("/include"), std::string::npos) << record["process"];
  EXPECT_EQ(record["in-process"], record["process"]);
}

// The clang in ecc and the clang binary make the same bytes, with and
// without the PCH; -v says which one ran.
TEST_F(EccTest, InProcessCompileGivesTheClangBinarysBytes) {
  fs::path dir = copy_example("runqlat");
  std::vector<std::string> files = {(dir / "runqlat.bpf.c").string(), (dir / "runqlat.h").string()};
  for (const char* warm : {"ECC_CACHE_WARM=off", "ECC_CACHE_WARM=sync"}) {
    std::map<std::string, std::pair<std::vector<uint8_t>, std::string>> made;
    for (const std::string mode : {"in-process", "process"}) {
      std::vector<std::string> args = {"-v", "-o", (tmp / mode).string()};
      args.insert(args.end(), files.begin(), files.end());
      RunResult r = ecc(args, {warm, "ECC_COMPILE=" + mode});
      ASSERT_EQ(r.exit_code, 0) << r.err;
      EXPECT_EQ(r.err.find("# (in-process: ") != std::string::npos, mode == "in-process") << r.err;
      made[mode] = {read_bytes(tmp / mode / "runqlat.bpf.o"), read_text(tmp / mode / "package.json")};
    }
    EXPECT_EQ(made["in-process"], made["process"]) << warm;
  }
  RunResult bad = ecc(files, {"ECC_COMPILE=sometimes"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  EXPECT_NE(bad.err.find("ECC_COMPILE"), std::string::npos) << bad.err;
}

TEST_F(EccTest, SourcesThatDoNotStartWithVmlinuxSkipThePch) {
  fs::path dir = copy_example("sigsnoop");
  std::string src = read_text(dir / "sigsnoop.bpf.c");
  write_text(dir / "sigsnoop.bpf.c", "#define SIGSNOOP_EXTRA 1\n" + src);
  std::vector<std::string> args = {"-v", (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()};
  ASSERT_EQ(ecc(args, {"ECC_CACHE_WARM=sync"}).exit_code, 0);
  RunResult r = ecc(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("-include-pch"), std::string::npos) << r.err;
}

// -v prints the compile as a shell line that reproduces the compile.
TEST_F(EccTest, VerbosePrintsPasteableCommands) {
  fs::path dir = copy_example("sigsnoop");
  RunResult r = ecc({"-v", (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string compile_line;
  std::istringstream lines(r.err);
  for (std::string line; std::getline(lines, line);)
    if (line.find(" -target bpf ") != std::string::npos && line.find(" -c ") != std::string::npos)
      compile_line = line;
  ASSERT_FALSE(compile_line.empty()) << r.err;
  EXPECT_NE(compile_line.find("-D__TARGET_ARCH_"), std::string::npos);
  EXPECT_NE(compile_line.find("-fno-stack-protector"), std::string::npos);
  EXPECT_NE(compile_line.find("-idirafter"), std::string::npos);
  // Re-run it through the shell, with the output redirected into our temp dir.
  std::string out = (tmp / "again.o").string();
  compile_line = std::regex_replace(compile_line, std::regex(" -o [^ ]+$"), " -o " + out);
  RunResult again = run({"sh", "-c", compile_line});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_TRUE(fs::exists(out));
  EXPECT_NE(r.err.find("# link"), std::string::npos);
}

TEST_F(EccTest, VmlinuxHeaderOptionAndTargetArch) {
  fs::path dir = copy_example("sigsnoop");
  fs::path vmh = tmp / "my-vmlinux.h";
  write_text(vmh, read_text(test_vmlinux_h()));
  RunResult r = ecc({"-v", "--vmlinux-h", vmh.string(), "--target-arch", "arm64", "-o", (tmp / "o").string(),
                     (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("-D__TARGET_ARCH_arm64"), std::string::npos);
  EXPECT_TRUE(fs::exists(tmp / "o" / "package.json"));
}

TEST_F(EccTest, BtfFileOptionGeneratesVmlinuxWithKfuncs) {
  fs::path dir = copy_example("sigsnoop");
  fs::path btf = tmp / "vmlinux.btf";
  fs::copy_file("/sys/kernel/btf/vmlinux", btf);
  RunResult r = ecc({"--btf", btf.string(), "-n", (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  bool found = false;
  for (const auto& e : fs::recursive_directory_iterator(cache()))
    if (e.path().filename() == "vmlinux.h") {
      std::string text = read_text(e.path());
      found = text.find("__VMLINUX_H__") != std::string::npos && text.find(".ksyms") != std::string::npos;
    }
  EXPECT_TRUE(found) << "vmlinux.h with kfunc externs in the cache";
}

TEST_F(EccTest, ExtraClangFlagsReachTheCompile) {
  fs::path dir = copy_example("sigsnoop");
  RunResult r = ecc({"-a", "-DECC_TEST_FLAG=1", "-a", "-Wno-unused", "-v", (dir / "sigsnoop.bpf.c").string(),
                     (dir / "sigsnoop.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("-DECC_TEST_FLAG=1"), std::string::npos);
}

TEST_F(EccTest, HelpAndVersion) {
  RunResult h = ecc({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  EXPECT_NE(h.out.find("usage: ecc"), std::string::npos);
  RunResult v = ecc({"--version"});
  EXPECT_EQ(v.exit_code, 0);
  EXPECT_EQ(v.out.rfind("ecc ", 0), 0u);
}

// Eight ecc runs at once on one cold cache (docs/testing.md, Faults): every run
// succeeds, all write the same package, and the cache they left serves a
// warm run that writes it again, byte for byte. ECC_CACHE_WARM=sync so the
// PCH writers race too, inside the runs.
TEST_F(EccTest, EightConcurrentColdRunsAgree) {
  ECC_REQUIRE_KERNEL_BTF_OR_SKIP();
  fs::path dir = copy_example("bootstrap");
  constexpr int kRuns = 8;
  std::vector<RunResult> results(kRuns);
  std::vector<std::thread> threads;
  for (int i = 0; i < kRuns; i++)
    threads.emplace_back([&, i] {
      results[i] = ecc({"-o", (tmp / ("out" + std::to_string(i))).string(), (dir / "bootstrap.bpf.c").string(),
                        (dir / "bootstrap.h").string()},
                       {"ECC_CACHE_WARM=sync"});
    });
  for (auto& t : threads) t.join();
  std::string first;
  for (int i = 0; i < kRuns; i++) {
    ASSERT_EQ(results[i].exit_code, 0) << "run " << i << ":\n" << results[i].err;
    std::string pkg = read_text(tmp / ("out" + std::to_string(i)) / "package.json");
    if (i == 0) first = pkg;
    EXPECT_EQ(pkg, first) << "run " << i << " wrote another package";
  }
  RunResult warm = ecc({"-o", (tmp / "warm").string(), (dir / "bootstrap.bpf.c").string(), (dir / "bootstrap.h").string()});
  ASSERT_EQ(warm.exit_code, 0) << warm.err;
  EXPECT_EQ(read_text(tmp / "warm" / "package.json"), first);
  // No temporary file is left in the cache.
  for (const auto& e : fs::recursive_directory_iterator(cache()))
    EXPECT_EQ(e.path().filename().string().find("ecc-tmp"), std::string::npos) << e.path();
}

// A package build re-executes ecc with glibc's malloc on huge pages
// (docs/ecc.md, Compile): what it starts inherits GLIBC_TUNABLES with
// glibc.malloc.hugetlb=1 added to the caller's, and a hugetlb tunable the
// caller set is left as it is. A clang wrapper records what the compile saw.
TEST_F(EccTest, CompilesWithMallocOnHugePages) {
  fs::path dir = copy_example("sigsnoop");
  fs::path seen = tmp / "tunables", wrapper = tmp / "clang-wrapper";
  write_text(wrapper, "#!/bin/sh\nprintf '%s\\n' \"$GLIBC_TUNABLES\" >> " + seen.string() + "\nexec clang \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);
  std::string thp = fs::exists("/sys/kernel/mm/transparent_hugepage/enabled")
                        ? read_text("/sys/kernel/mm/transparent_hugepage/enabled") : "[never]";
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
  bool applies = false;  // a sanitizer's allocator: ecc does not re-execute
#else
  const char* preload = std::getenv("LD_PRELOAD");  // another malloc: ecc does not re-execute
  bool applies = thp.find("[never]") == std::string::npos && !(preload && *preload);
#endif
  for (const std::string set : {"glibc.malloc.arena_max=4", "glibc.malloc.hugetlb=0"}) {
    fs::remove(seen);
    RunResult r = run({ecc_binary().string(), "--clang", wrapper.string(), "-o", (tmp / "out").string(),
                       (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()},
                      {"GLIBC_TUNABLES=" + set, "XDG_CACHE_HOME=" + (tmp / "cache").string(),
                       "ECC_CACHE_WARM=off", "ECC_OBJECT_CACHE=off"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string want = applies && set.find("hugetlb") == std::string::npos ? set + ":glibc.malloc.hugetlb=1" : set;
    std::string lines = read_text(seen);
    ASSERT_FALSE(lines.empty());
    std::istringstream in(lines);
    for (std::string line; std::getline(in, line);) EXPECT_EQ(line, want) << thp;
  }
}
