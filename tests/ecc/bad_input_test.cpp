// Every bad input: one `ecc: error:` line naming the file, the exit code of
// docs/ecc.md, and no output file left behind.
#include <sys/stat.h>

#include "ecc_fixture.h"

using namespace ecc::test;

namespace {

int count_error_lines(const std::string& err) {
  int n = 0;
  std::istringstream lines(err);
  for (std::string line; std::getline(lines, line);) n += line.rfind("ecc: error: ", 0) == 0;
  return n;
}

}  // namespace

class BadInput : public EccTest {
 protected:
  fs::path dir;
  void SetUp() override {
    EccTest::SetUp();
    dir = copy_example("sigsnoop");
  }
  std::string src() const { return (dir / "sigsnoop.bpf.c").string(); }
  std::string hdr() const { return (dir / "sigsnoop.h").string(); }

  // Runs ecc expecting failure `code` with one error line that mentions `needle`,
  // and checks the source dir holds only what it held before.
  RunResult expect_failure(const std::vector<std::string>& args, int code, const std::string& needle,
                           std::vector<std::string> env = {}) {
    auto before = list_dir(dir);
    RunResult r = ecc(args, env);
    EXPECT_EQ(r.exit_code, code) << r.err;
    EXPECT_EQ(count_error_lines(r.err), 1) << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << "expected '" << needle << "' in:\n" << r.err;
    EXPECT_EQ(list_dir(dir), before) << "no output may be left behind";
    return r;
  }
};

TEST_F(BadInput, MissingSource) {
  auto r = expect_failure({(dir / "nope.bpf.c").string(), hdr()}, 1, "nope.bpf.c");
  EXPECT_NE(r.err.find("not found"), std::string::npos);
}

TEST_F(BadInput, MissingHeader) { expect_failure({src(), (dir / "nope.h").string()}, 1, "nope.h"); }

TEST_F(BadInput, SyntaxErrorShowsClangDiagnostics) {
  write_text(dir / "sigsnoop.bpf.c", read_text(dir / "sigsnoop.bpf.c") + "\nint broken( {\n");
  auto r = expect_failure({src(), hdr()}, 1, "sigsnoop.bpf.c)");
  // clang's own diagnostic, untouched: file:line:col: error: ...
  EXPECT_NE(r.err.find("sigsnoop.bpf.c:"), std::string::npos);
  EXPECT_NE(r.err.find(": error: "), std::string::npos);
}

TEST_F(BadInput, HeaderWithoutTypesWarnsAndExportsNothing) {
  write_text(dir / "empty.h", "#pragma once\n#define NOTHING_HERE 1\n");
  RunResult r = ecc({"-o", (tmp / "o").string(), src(), (dir / "empty.h").string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("ecc: warning: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("empty.h"), std::string::npos) << r.err;
  std::string skel = read_text(tmp / "o" / "sigsnoop.skel.json");
  EXPECT_NE(skel.find("\"export_types\": []"), std::string::npos) << skel;
}

TEST_F(BadInput, ClangMissing) {
  expect_failure({"--clang", "/nonexistent/clang", src(), hdr()}, 3, "--clang");
  expect_failure({"--clang", "no-such-clang-binary", src(), hdr()}, 3, "--clang");
}

TEST_F(BadInput, ClangTooOld) {
  fs::path fake = tmp / "old-clang";
  write_text(fake, "#!/bin/sh\necho 'clang version 9.0.1' >&2\n");
  fs::permissions(fake, fs::perms::owner_all);
  auto r = expect_failure({"--clang", fake.string(), src(), hdr()}, 3, "--clang");
  EXPECT_NE(r.err.find("too old"), std::string::npos);
}

TEST_F(BadInput, NoKernelBtf) {
  auto r = expect_failure({src(), hdr()}, 1, "--btf", {"ECC_KERNEL_BTF=/nonexistent/vmlinux"});
  EXPECT_NE(r.err.find("--vmlinux-h"), std::string::npos);
}

TEST_F(BadInput, CorruptBtfFile) {
  fs::path bad = tmp / "corrupt.btf";
  std::string bytes = read_text("/sys/kernel/btf/vmlinux").substr(0, 4096);
  for (size_t i = 24; i < bytes.size(); i += 7) bytes[i] = static_cast<char>(0xff);
  write_text(bad, bytes);
  auto r = expect_failure({"--btf", bad.string(), src(), hdr()}, 1, "corrupt.btf");
  EXPECT_NE(r.err.find("BTF"), std::string::npos);
}

TEST_F(BadInput, UnwritableOutputDir) {
  // Root ignores permission bits, so use places no one can write to.
  expect_failure({"-o", hdr(), src(), hdr()}, 1, "sigsnoop.h");  // a file, not a directory
  expect_failure({"-o", "/proc/ecc-cannot-exist/out", src(), hdr()}, 1, "/proc/ecc-cannot-exist/out");
}

TEST_F(BadInput, ExportTypeNotComputable) {
  // Not included by the source, so it is scanned on its own: its member's
  // type is declared nowhere, so no layout can be computed.
  write_text(dir / "other.h", "struct unknown;\nstruct bad { int a; struct unknown u; };\n");
  auto r = expect_failure({src(), (dir / "other.h").string()}, 1, "other.h");
  EXPECT_NE(r.err.find("incomplete"), std::string::npos);
}

// A compiler wrapper that defines something the in-process scan does not see:
// the layout in BTF then disagrees with Clang's and ecc names the field.
// runqlat's `struct hist` is a map value, so it is in the object's BTF.
TEST_F(BadInput, LayoutDisagreementNamesTheField) {
  fs::path rq = copy_example("runqlat");
  fs::path wrapper = tmp / "clang-wrapper";
  write_text(wrapper, "#!/bin/sh\nexec clang -DECC_WRAPPED \"$@\"\n");
  fs::permissions(wrapper, fs::perms::owner_all);
  std::string h = read_text(rq / "runqlat.h");
  auto pos = h.find("struct hist {");
  ASSERT_NE(pos, std::string::npos);
  h.insert(pos + 13, "\n#ifdef ECC_WRAPPED\n\tunsigned int only_in_btf;\n#endif\n");
  write_text(rq / "runqlat.h", h);
  auto before = list_dir(rq);
  RunResult r = ecc({"--clang", wrapper.string(), (rq / "runqlat.bpf.c").string(), (rq / "runqlat.h").string()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_EQ(count_error_lines(r.err), 1) << r.err;
  EXPECT_NE(r.err.find("layout"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("'slots'"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("runqlat.h"), std::string::npos) << r.err;
  EXPECT_EQ(list_dir(rq), before);
}

TEST_F(BadInput, UsageErrors) {
  expect_failure({"--no-such-option", src()}, 2, "--no-such-option");
  expect_failure({}, 2, "no input file");
  expect_failure({"-o"}, 2, "-o");
  expect_failure({"--target-arch", "vax", src(), hdr()}, 2, "vax");
}

TEST_F(BadInput, FailedRunKeepsPreviousOutputsIntact) {
  RunResult ok = ecc({src(), hdr()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  std::string pkg = read_text(dir / "package.json");
  write_text(dir / "sigsnoop.bpf.c", read_text(dir / "sigsnoop.bpf.c") + "\n#error stop here\n");
  expect_failure({src(), hdr()}, 1, "sigsnoop.bpf.c");
  EXPECT_EQ(read_text(dir / "package.json"), pkg);
}

// Annotations with meaning to the runner are typed at build time (docs/annotations.md):
// a malformed one is one error naming the declaration, not an internal error.
TEST_F(BadInput, MalformedAnnotationsNameTheDeclaration) {
  std::string text = read_text(dir / "sigsnoop.bpf.c");
  std::string sample = text;
  auto at = sample.find("struct {\n\t__uint(type, BPF_MAP_TYPE_PERF_EVENT_ARRAY)");
  ASSERT_NE(at, std::string::npos) << "sigsnoop's event map";
  sample.insert(at, "/// @sample {\"interval\": \"x\"}\n");
  write_text(dir / "sigsnoop.bpf.c", sample);
  auto r = expect_failure({src(), hdr()}, 1, "@sample.interval is not a non-negative integer: \"x\"");
  EXPECT_NE(r.err.find("map 'events'"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("internal"), std::string::npos) << r.err;

  std::string cmdarg = text;
  at = cmdarg.find("const volatile");
  ASSERT_NE(at, std::string::npos);
  cmdarg.insert(at, "/// @cmdarg {\"short\": \"too long\"}\n");
  write_text(dir / "sigsnoop.bpf.c", cmdarg);
  r = expect_failure({src(), hdr()}, 1, "@cmdarg.short is not one letter");
  EXPECT_NE(r.err.find("variable '"), std::string::npos) << r.err;
}

// @metric on a member of an export struct (docs/annotations.md#metric): a
// bad one is exactly one line naming the struct, the member and the header,
// and nothing is written.
TEST_F(BadInput, MalformedMetricNamesTheMemberAndTheHeader) {
  const std::string text = read_text(dir / "sigsnoop.h");
  const std::pair<const char*, std::string> cases[] = {
      {"/// @metric counter\n", "struct event member 'comm': @metric counter needs a numeric member, not char[16]"},
      {"/// @metric gauge\n", "struct event member 'comm': @metric is not label, counter or histogram: \"gauge\""},
      {"/// @metric label\n/// @metric label\n", "struct event member 'comm': @metric is given more than once"},
  };
  for (const auto& [comment, line] : cases) {
    SCOPED_TRACE(comment);
    std::string h = text;
    auto at = h.find("\tchar comm[");
    ASSERT_NE(at, std::string::npos) << "sigsnoop's comm";
    h.insert(at, comment);
    write_text(dir / "sigsnoop.h", h);
    auto r = expect_failure({src(), hdr()}, 1, line);
    EXPECT_EQ(r.err, "ecc: error: " + line + " (" + hdr() + ")\n");
  }
  std::string h = text;
  h.insert(h.find("\tint sig;"), "\t/// @metric histogram {\"buckets\": [1, 0.5]}\n");
  write_text(dir / "sigsnoop.h", h);
  expect_failure({src(), hdr()}, 1,
                 "struct event member 'sig': @metric histogram buckets are not strictly ascending: [1,0.5] (" + hdr() +
                     ")");
  // With -o: the output directory is not even created.
  fs::path out = tmp / "out";
  RunResult r = ecc({"-o", out.string(), src(), hdr()});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_FALSE(fs::exists(out));
}

// `-a` flags that would change what clang produces, for which target or
// where, or that are not flags at all, are usage errors in the user's words.
TEST_F(BadInput, ClangFlagsThatBreakThePlanAreRefused) {
  for (const char* flag : {"-o", "-ofile.o", "-E", "-S", "-c", "-emit-llvm", "-fsyntax-only", "--target=x86_64",
                           "-target", "-###"}) {
    SCOPED_TRACE(flag);
    auto r = expect_failure({"-a", flag, src(), hdr()}, 2, std::string("-a '") + flag + "'");
    EXPECT_NE(r.err.find("changes what clang produces"), std::string::npos) << r.err;
  }
  expect_failure({"-a", "other.c", src(), hdr()}, 2, "-a 'other.c' is not a clang flag");
  expect_failure({"-a", "", src(), hdr()}, 2, "-a needs a clang flag");
  // A value of a flag that takes one may follow as the next -a.
  RunResult ok = ecc({"-a", "-I", "-a", dir.string(), "-a", "-DX=1", "-o", (tmp / "ok").string(), src(), hdr()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// Every kind of file that is not a kernel BTF: one line saying which kind.
TEST_F(BadInput, BtfFilesThatAreNotBtfSayWhy) {
  fs::path empty = tmp / "empty.btf", garbage = tmp / "garbage.btf", truncated = tmp / "truncated.btf";
  write_text(empty, "");
  write_text(garbage, "this is not BTF\n");
  write_text(truncated, read_text("/sys/kernel/btf/vmlinux").substr(0, 1000));
  expect_failure({"--btf", empty.string(), src(), hdr()}, 1, "the BTF file is empty (" + empty.string() + ")");
  expect_failure({"--btf", garbage.string(), src(), hdr()}, 1, "neither raw BTF");
  expect_failure({"--btf", truncated.string(), src(), hdr()}, 1, "damaged raw BTF (1000 bytes)");
  // An ELF file without .BTF: ecc itself (built without -g BTF).
  expect_failure({"--btf", ecc_binary().string(), src(), hdr()}, 1, "an ELF file without a .BTF section");
  expect_failure({"--btf", (tmp / "missing.btf").string(), src(), hdr()}, 1, "missing.btf");
}
