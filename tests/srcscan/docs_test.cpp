// Doc comments on globals, maps, programs, LICENSE and the members of
// export types, read from the AST.
#include <gtest/gtest.h>

#include "ecc/error.h"
#include "scan_fixture.h"
#include "sigsnoop_like.h"

namespace ecc::test {
namespace {

class Docs : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new TempDir;
    write_files(*dir_, {{"sigsnoop.h", kSigsnoopH}});
    compile_bpf(*dir_, "sigsnoop", kSigsnoopC);  // the source is valid BPF C
    TypeTable tt;
    result_ = new ScanResult(scan_source(scan_options(*dir_, "sigsnoop", "sigsnoop.h"), tt));
  }
  static void TearDownTestSuite() {
    delete result_;
    delete dir_;
  }
  static TempDir* dir_;
  static ScanResult* result_;
};
TempDir* Docs::dir_ = nullptr;
ScanResult* Docs::result_ = nullptr;

std::vector<std::string> keys(const std::map<std::string, Json>& m) {
  std::vector<std::string> out;
  for (const auto& [k, v] : m) out.push_back(k);
  return out;
}

TEST_F(Docs, OnlyDocumentedDeclarationsAppear) {
  EXPECT_EQ(keys(result_->vars),
            (std::vector<std::string>{"LICENSE", "counter", "events", "filtered_pid", "target_signal"}));
  EXPECT_EQ(keys(result_->funcs),
            (std::vector<std::string>{"do_unlinkat", "kill_entry", "tc_ingress", "xdp_pass"}));
}

TEST_F(Docs, GlobalsGetDescriptionAndCmdarg) {
  EXPECT_EQ(result_->vars.at("filtered_pid"),
            Json::parse(R"({"description":"Process ID to trace","cmdarg":{"short":"p","long":"pid","default":0}})"));
  EXPECT_EQ(result_->vars.at("target_signal"),
            Json::parse(R"({"description":"Target signal to trace, 0 for all","cmdarg":{"short":"s","long":"signal"}})"));
  EXPECT_TRUE(result_->vars.at("filtered_pid")["cmdarg"].is_object());
  EXPECT_EQ(result_->vars.at("counter"), Json::parse(R"({"unit":"not json at all"})"));
}

TEST_F(Docs, MapsGetSample) {
  EXPECT_EQ(result_->vars.at("events"),
            Json::parse(R"({"description":"Signals sent, as events","sample":{"interval":1000,"type":"log2_hist"}})"));
}

TEST_F(Docs, ProgramsGetTheirKeys) {
  EXPECT_EQ(result_->funcs.at("kill_entry"), Json::parse(R"J({"description":"Entry of kill(2)"})J"));
  EXPECT_EQ(result_->funcs.at("xdp_pass"),
            Json::parse(R"({"description":"Pass every packet","ifindex":1,"flags":0,"xdpopts":{"old_prog_fd":0}})"));
  EXPECT_EQ(result_->funcs.at("tc_ingress"),
            Json::parse(R"({"tchook":{"ifindex":1,"attach_point":"BPF_TC_INGRESS"},"tcopts":{"handle":1,"priority":1}})"));
  EXPECT_EQ(result_->funcs.at("do_unlinkat"),
            Json::parse(R"({"description":"Entry of unlinkat, through the BPF_PROG macro"})"));
}

TEST_F(Docs, LicenseCarriesThePackageDoc) {
  const Json& doc = result_->vars.at("LICENSE");
  EXPECT_EQ(doc.dump(),
            R"({"brief":"Trace signals sent by kill","version":"0.1.0",)"
            R"("details":"Reports the pid, target, signal and result."})");
}

TEST(DocsPlacement, ACommentSeparatedByCodeIsNotAttached) {
  TempDir dir;
  write_text(dir / "p.bpf.c",
             "/// belongs to nothing\n"
             "#define X 1\n"
             "int a;\n"
             "/// for b\n"
             "int b;\n"
             "/// for c only\n"
             "int c; int d; ///< trailing, about d\n"
             "int e;\n");
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, "p"), tt);
  EXPECT_EQ(keys(r.vars), (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(r.vars.at("c")["description"], "for c only");
}

// Bodies are skipped (the compile reports their errors); the comments on
// the functions are still read.
TEST(DocsPlacement, FunctionBodiesAreNotParsed) {
  TempDir dir;
  write_text(dir / "p.bpf.c", "/// documented\nint f(void) { return not_declared_anywhere; }\n");
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, "p"), tt);
  EXPECT_EQ(r.funcs.at("f")["description"], "documented");
}

// --- members of the export types (docs/annotations.md#metric) ---

const char* kMembersH = R"(#pragma once
/// The struct's own comment, not its first member's.
struct proc { /// @metric label
  int pid;
  int tgid; ///< trailing: not kept, and not uid's
  int uid;
};

typedef struct {
  /** @metric counter */
  unsigned long long n;
} count_t;

struct event {
  /// Command name.
  /// @metric label
  char comm[16];
  struct proc proc;
  struct {
    /// @metric label
    unsigned int pid;
  } task;
  union {
    /**
     * Return value.
     * @metric histogram {"buckets": [-1, 0]}
     */
    int ret;
    unsigned int raw;
  };
  // a plain comment
  int plain;
  /* a plain block */
  int block;
};
)";

const char* kMembersC = "#include \"vmlinux.h\"\n#include \"members.h\"\nstruct event e;\ncount_t c;\n";

const Member& member(const TypeTable& tt, TypeId record, const std::string& name) {
  for (const Member& m : tt.at(tt.resolve(record)).members)
    if (m.name == name) return m;
  throw std::runtime_error("no member " + name);
}

TEST(MemberDocs, AreReadForTheMembersOfExportRecords) {
  TempDir dir;
  write_files(dir, {{"members.h", kMembersH}, {"p.bpf.c", kMembersC}});
  TypeTable tt;
  ScanResult r = scan_source(scan_options(dir, "p", "members.h"), tt);
  TypeId proc = *tt.find(TypeKind::Struct, "proc"), event = *tt.find(TypeKind::Struct, "event");
  EXPECT_EQ(member(tt, proc, "pid").doc, Json::parse(R"({"metric":"label"})"));
  EXPECT_TRUE(member(tt, proc, "tgid").doc.is_null());
  EXPECT_TRUE(member(tt, proc, "uid").doc.is_null());
  EXPECT_EQ(member(tt, *tt.find(TypeKind::Typedef, "count_t"), "n").doc, Json::parse(R"({"metric":"counter"})"));
  EXPECT_EQ(member(tt, event, "comm").doc.dump(), R"({"description":"Command name.","metric":"label"})");
  EXPECT_EQ(member(tt, member(tt, event, "task").type, "pid").doc, Json::parse(R"({"metric":"label"})"));
  EXPECT_EQ(member(tt, member(tt, event, "").type, "ret").doc.dump(),
            R"({"description":"Return value.","metric":"histogram {\"buckets\": [-1, 0]}"})");
  EXPECT_TRUE(member(tt, event, "proc").doc.is_null());
  EXPECT_TRUE(member(tt, event, "plain").doc.is_null());
  EXPECT_TRUE(member(tt, event, "block").doc.is_null());
  EXPECT_EQ(r.export_types.size(), 3u);
}

TEST(MemberDocs, MetricTwiceOnOneMemberIsAnErrorNamingIt) {
  TempDir dir;
  write_files(dir, {{"members.h", "struct event {\n  int a;\n  struct {\n    /// @unit ms\n    /// @unit s\n"
                                  "    unsigned int ok;\n    /// @metric label\n    /// @metric counter\n"
                                  "    unsigned int pid;\n  } task;\n};\n"},
                    {"p.bpf.c", "#include \"vmlinux.h\"\n#include \"members.h\"\n"}});
  TypeTable tt;
  try {
    scan_source(scan_options(dir, "p", "members.h"), tt);
    ADD_FAILURE() << "accepted @metric twice";
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.line(), "struct event member 'task.pid': @metric is given more than once (" +
                            (dir / "members.h").string() + ")");
  }
}

}  // namespace
}  // namespace ecc::test
