// Doc comments on globals, maps, programs and LICENSE, read from the AST.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace ecc::test
