// docs/cache.md, the object cache: an unchanged rebuild restores the outputs
// (byte-identical, nothing compiled); a changed source, included header,
// option or kernel BTF misses; a damaged entry is rebuilt, never used.
#include "ecc/cache_file.h"
#include "ecc_fixture.h"

using namespace ecc::test;

namespace {

class ObjectCacheTest : public EccTest {
 protected:
  fs::path dir, btf;

  void SetUp() override {
    EccTest::SetUp();
    dir = copy_example("sigsnoop");
    // The kernel BTF input, as a file the tests can change.
    btf = tmp / "vmlinux.btf";
    fs::copy_file("/sys/kernel/btf/vmlinux", btf);
  }

  RunResult build(const std::string& out, std::vector<std::string> extra = {}) const {
    std::vector<std::string> args = {"-v", "-y", "--btf", btf.string(), "-o", (tmp / out).string()};
    args.insert(args.end(), extra.begin(), extra.end());
    args.insert(args.end(), {(dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()});
    RunResult r = ecc(args, {"ECC_OBJECT_CACHE=on"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r;
  }

  static bool hit(const RunResult& r) { return r.err.find("# object cache: hit ") != std::string::npos; }
  static bool compiled(const RunResult& r) { return r.err.find(" -c ") != std::string::npos; }

  // A first build, then the same inputs again: a hit.
  void expect_hit_after_first_build() {
    RunResult first = build("a");
    EXPECT_NE(first.err.find("# object cache: miss (no entry"), std::string::npos) << first.err;
    EXPECT_TRUE(compiled(first));
    RunResult again = build("b");
    EXPECT_TRUE(hit(again)) << again.err;
    EXPECT_FALSE(compiled(again)) << again.err;
  }

  // The one entry of the object cache (its .entry, not the stamp).
  fs::path entry() const {
    std::vector<fs::path> found;
    for (const auto& e : fs::directory_iterator(cache() / "ecc" / "objects"))
      if (e.path().extension() == ".entry") found.push_back(e.path());
    EXPECT_EQ(found.size(), 1u);
    return found.empty() ? fs::path() : found[0];
  }
};

}  // namespace

TEST_F(ObjectCacheTest, UnchangedRebuildRestoresByteIdenticalOutputs) {
  expect_hit_after_first_build();
  std::vector<std::string> files = list_dir(tmp / "a");
  EXPECT_EQ(files, list_dir(tmp / "b"));
  EXPECT_EQ(files, (std::vector<std::string>{"package.json", "package.yaml", "sigsnoop.bpf.o", "sigsnoop.skel.json",
                                             "sigsnoop.skel.yaml"}));
  for (const auto& f : files) EXPECT_EQ(read_bytes(tmp / "a" / f), read_bytes(tmp / "b" / f)) << f;
}

TEST_F(ObjectCacheTest, ChangedSourceMisses) {
  expect_hit_after_first_build();
  write_text(dir / "sigsnoop.bpf.c", read_text(dir / "sigsnoop.bpf.c") + "\n// changed\n");
  RunResult r = build("c");
  EXPECT_FALSE(hit(r)) << r.err;
  EXPECT_TRUE(compiled(r));
}

TEST_F(ObjectCacheTest, ChangedIncludedHeaderMisses) {
  // A header the source includes but ecc is not told about.
  write_text(dir / "extra.h", "#define EXTRA_VALUE 1\n");
  std::string src = read_text(dir / "sigsnoop.bpf.c");
  size_t at = src.find("#include \"sigsnoop.h\"");
  ASSERT_NE(at, std::string::npos);
  write_text(dir / "sigsnoop.bpf.c", src.insert(at, "#include \"extra.h\"\n"));
  expect_hit_after_first_build();
  write_text(dir / "extra.h", "#define EXTRA_VALUE 2\n");
  RunResult r = build("c");
  EXPECT_NE(r.err.find("# object cache: miss (" + (dir / "extra.h").string() + " changed)"), std::string::npos)
      << r.err;
  EXPECT_TRUE(compiled(r));
  // And the export header, also included.
  write_text(dir / "sigsnoop.h", read_text(dir / "sigsnoop.h") + "\n/* changed */\n");
  RunResult h = build("d");
  EXPECT_FALSE(hit(h)) << h.err;
  EXPECT_TRUE(compiled(h));
}

TEST_F(ObjectCacheTest, ChangedOptionMisses) {
  expect_hit_after_first_build();
  RunResult r = build("c", {"-a", "-DECC_OBJECT_CACHE_TEST=1"});
  EXPECT_FALSE(hit(r)) << r.err;
  EXPECT_NE(r.err.find("-DECC_OBJECT_CACHE_TEST=1"), std::string::npos) << r.err;
  RunResult arch = build("d", {"--target-arch", "arm64"});
  EXPECT_FALSE(hit(arch)) << arch.err;
  EXPECT_NE(arch.err.find("-D__TARGET_ARCH_arm64"), std::string::npos) << arch.err;
}

TEST_F(ObjectCacheTest, ChangedKernelBtfMisses) {
  expect_hit_after_first_build();
  // Trailing bytes after the string section: still valid BTF, other content.
  std::vector<uint8_t> bytes = read_bytes(btf);
  bytes.insert(bytes.end(), {0, 0, 0, 0});
  write_text(btf, std::string(bytes.begin(), bytes.end()));
  RunResult r = build("c");
  EXPECT_FALSE(hit(r)) << r.err;
  EXPECT_TRUE(compiled(r));
  EXPECT_EQ(read_bytes(tmp / "c" / "sigsnoop.bpf.o"), read_bytes(tmp / "a" / "sigsnoop.bpf.o"));
}

TEST_F(ObjectCacheTest, DamagedEntryIsRebuiltNotUsed) {
  expect_hit_after_first_build();
  fs::path e = entry();
  std::string good = read_text(e);
  std::string flipped = good;
  flipped[flipped.size() / 2] = flipped[flipped.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {flipped, good.substr(0, good.size() / 2), std::string("{}"), std::string()}) {
    write_text(e, bad);
    RunResult r = build("c");
    EXPECT_NE(r.err.find("# object cache: miss (damaged entry)"), std::string::npos) << r.err;
    EXPECT_TRUE(compiled(r));
    EXPECT_EQ(read_bytes(tmp / "c" / "package.json"), read_bytes(tmp / "a" / "package.json"));
    // Rebuilt: the next run hits again.
    EXPECT_TRUE(hit(build("d")));
  }
}

// Entries whose stamp matches (as if written by a broken store) but whose
// content is not what store() writes: each is a miss, never a crash or a
// wrong output.
TEST_F(ObjectCacheTest, StampedButMalformedEntryIsAMiss) {
  expect_hit_after_first_build();
  fs::path e = entry();
  std::string good = read_text(e);
  size_t index_end = good.find('\n', good.find('\n') + 1);
  ASSERT_NE(index_end, std::string::npos) << "the entry has a magic line and an index line";
  std::string data = good.substr(index_end + 1);
  for (const std::string& bad :
       {good + "x", good.substr(0, good.size() - 1), "ecc object cache entry 3\n{}\n" + data,
        "ecc object cache entry 2\n" + good.substr(good.find('\n') + 1), good.substr(0, index_end)}) {
    write_text(e, bad);
    ecc::stamp_checked_cache_file(e);
    RunResult r = build("c");
    EXPECT_NE(r.err.find("# object cache: miss (damaged entry)"), std::string::npos) << r.err;
    EXPECT_EQ(read_bytes(tmp / "c" / "package.json"), read_bytes(tmp / "a" / "package.json"));
  }
}

TEST_F(ObjectCacheTest, OffAndRefreshNeverRestore) {
  expect_hit_after_first_build();
  std::vector<std::string> args = {"-v", "--btf", btf.string(), "-o", (tmp / "c").string(),
                                   (dir / "sigsnoop.bpf.c").string(), (dir / "sigsnoop.h").string()};
  RunResult off = ecc(args, {"ECC_OBJECT_CACHE=off"});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  EXPECT_EQ(off.err.find("# object cache"), std::string::npos) << off.err;
  EXPECT_TRUE(compiled(off));
  RunResult refresh = ecc(args, {"ECC_OBJECT_CACHE=refresh"});
  EXPECT_EQ(refresh.exit_code, 0) << refresh.err;
  EXPECT_NE(refresh.err.find("# object cache: miss (ECC_OBJECT_CACHE=refresh)"), std::string::npos) << refresh.err;
  EXPECT_TRUE(compiled(refresh));
}
