// compile_program(): the clang driver command run in this process, as the
// clang binary of the same version runs it (driver -> one cc1 job ->
// EmitObjAction), with the scan's reader on the same AST; and what the
// clang binary says of itself with -v -E.
#include <atomic>
#include <exception>
#include <filesystem>
#include <mutex>

#include <clang/Basic/DiagnosticFrontend.h>
#include <clang/Basic/DiagnosticOptions.h>
#include <clang/Basic/Version.h>
#include <clang/CodeGen/CodeGenAction.h>
#include <clang/Driver/Compilation.h>
#include <clang/Driver/Driver.h>
#include <clang/Driver/Job.h>
#include <clang/Driver/Tool.h>
#include <clang/Lex/HeaderSearch.h>
#include <clang/Lex/Preprocessor.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/CompilerInvocation.h>
#include <clang/Frontend/MultiplexConsumer.h>
#include <clang/Frontend/TextDiagnosticPrinter.h>
#include <llvm/ADT/StringExtras.h>
#include <llvm/Support/BuryPointer.h>
#include <llvm/Support/CrashRecoveryContext.h>
#include <llvm/Support/Host.h>
#include <llvm/Support/TargetSelect.h>
#include <llvm/Support/raw_ostream.h>

#include "clang_setup.h"
#include "ecc/error.h"
#include "ecc/srcscan.h"
#include "driver.h"
#include "read_ast.h"

namespace ecc {

namespace {

using namespace srcscan;

// Set once a compile of this process reaches code generation. LLVM 14's code
// generator reads freed state of an earlier compile in the same process
// (AddressSanitizer), so a second compile that would generate code is refused;
// one that failed before (a refused PCH) does not count.
std::atomic<bool> generated_code = false;

// Reads the AST when the parse had no error, while the AST is alive; an
// exception of the reader waits in `thrown` until clang has returned.
class ScanConsumer : public clang::ASTConsumer {
 public:
  ScanConsumer(const CompileRequest& req, const std::optional<llvm::sys::fs::UniqueID>& header_id, TypeTable& into,
               CompileOutcome& out, bool& header_seen, std::exception_ptr& thrown)
      : req_(req), header_id_(header_id), into_(into), out_(out), header_seen_(header_seen), thrown_(thrown) {}

  bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
    decls_.insert(decls_.end(), group.begin(), group.end());
    return true;
  }

  void HandleTranslationUnit(clang::ASTContext& ctx) override {
    generated_code = true;  // the code generator runs next, whatever the scan finds
    if (ctx.getDiagnostics().hasErrorOccurred()) return;
    try {
      header_seen_ = read_ast(req_.scan, header_id_, ctx, decls_, into_, out_.scan);
    } catch (...) {
      thrown_ = std::current_exception();
    }
  }

 private:
  const CompileRequest& req_;
  const std::optional<llvm::sys::fs::UniqueID>& header_id_;
  TypeTable& into_;
  CompileOutcome& out_;
  bool& header_seen_;
  std::exception_ptr& thrown_;
  std::vector<clang::Decl*> decls_;
};

// clang -c: code generation, with the scan beside it.
class CompileAndScanAction : public clang::EmitObjAction {
 public:
  explicit CompileAndScanAction(std::unique_ptr<ScanConsumer> scan) : scan_(std::move(scan)) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance& ci, llvm::StringRef file) override {
    std::unique_ptr<clang::ASTConsumer> codegen = EmitObjAction::CreateASTConsumer(ci, file);
    if (!codegen) return nullptr;
    std::vector<std::unique_ptr<clang::ASTConsumer>> both;
    both.push_back(std::move(scan_));
    both.push_back(std::move(codegen));
    return std::make_unique<clang::MultiplexConsumer>(std::move(both));
  }

 private:
  std::unique_ptr<ScanConsumer> scan_;
};

bool has_flag(const std::vector<std::string>& argv, const char* flag) {
  for (const auto& a : argv)
    if (a == flag) return true;
  return false;
}

// The compile proper. Its text goes to `text` as the clang binary prints
// it: the driver's diagnostics prefixed "clang", then cc1's with the
// options the driver gave it (colour, carets), then the "N errors generated."
void run_compile(const CompileRequest& req, llvm::raw_ostream& text, TypeTable& into, CompileOutcome& out,
                 std::exception_ptr& thrown) {
  auto driver_opts = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  driver_opts->ShowColors = has_flag(req.argv, "-fcolor-diagnostics");
  clang::TextDiagnosticPrinter driver_printer(text, driver_opts.get());
  driver_printer.setPrefix("clang");
  auto driver_diags = clang::CompilerInstance::createDiagnostics(driver_opts.get(), &driver_printer, false);
  std::unique_ptr<clang::CompilerInvocation> inv = cc1_invocation(req.argv, *driver_diags);
  if (!inv) {
    out.failed = true;
    return;
  }
  auto ci = std::make_unique<clang::CompilerInstance>();
  ci->setInvocation(std::move(inv));
  auto printer = std::make_unique<clang::TextDiagnosticPrinter>(text, &ci->getDiagnosticOpts());
  ci->createDiagnostics(printer.get(), false);
  ci->setVerboseOutputStream(text);
  std::optional<llvm::sys::fs::UniqueID> header_id = header_id_of(req.scan);
  bool header_seen = false;
  CompileAndScanAction action(std::make_unique<ScanConsumer>(req, header_id, into, out, header_seen, thrown));
  out.failed = !ci->ExecuteAction(action) || ci->getDiagnostics().hasErrorOccurred();
  // -disable-free (the driver's default): as clang's cc1 does, the instance
  // and its AST are left to the process's exit, not torn down one by one.
  if (ci->getFrontendOpts().DisableFree) {
    llvm::BuryPointer(std::move(ci));
    llvm::BuryPointer(std::move(printer));
  }
  if (!out.failed && !thrown) finish_scan(req.scan, req.scan.clang_args, header_id, header_seen, into, out.scan);
}

// Only BPF: every compile of ecc is `-target bpf`. The module links only
// LLVM's BPF back end (lib/srcscan/CMakeLists.txt).
void init_llvm_targets() {
  static std::once_flag once;
  std::call_once(once, [] {
    LLVMInitializeBPFTargetInfo();
    LLVMInitializeBPFTarget();
    LLVMInitializeBPFTargetMC();
    LLVMInitializeBPFAsmPrinter();
    LLVMInitializeBPFAsmParser();
  });
}

}  // namespace

// The cc1 invocation the driver makes of `argv`: exactly one clang job, as
// for `clang -c` of one file; null (the driver's errors reported) otherwise.
std::unique_ptr<clang::CompilerInvocation> srcscan::cc1_invocation(const std::vector<std::string>& argv,
                                                          clang::DiagnosticsEngine& diags) {
  std::vector<const char*> args;
  for (const auto& a : argv) args.push_back(a.c_str());
  clang::driver::Driver driver(args[0], llvm::sys::getDefaultTargetTriple(), diags, "clang LLVM compiler");
  driver.setTitle("clang LLVM compiler");
  std::unique_ptr<clang::driver::Compilation> c(driver.BuildCompilation(args));
  if (!c || c->containsError() || diags.hasErrorOccurred()) return nullptr;
  const clang::driver::JobList& jobs = c->getJobs();
  if (jobs.size() != 1 || std::string(jobs.begin()->getCreator().getName()) != "clang") {
    diags.Report(clang::diag::err_fe_expected_compiler_job) << llvm::join(argv, " ");
    return nullptr;
  }
  auto inv = std::make_unique<clang::CompilerInvocation>();
  if (!clang::CompilerInvocation::CreateFromArgs(*inv, jobs.begin()->getArguments(), diags, args[0]))
    return nullptr;
  return inv;
}

CompileOutcome compile_program(const CompileRequest& req, TypeTable& into) {
  if (generated_code) throw Error(Exit::tool_failed, "internal: compile_program() after a compile that generated code");
  init_llvm_targets();
  CompileOutcome out;
  std::exception_ptr thrown;
  llvm::raw_string_ostream text(out.diagnostics);
  // As clang's own driver does for its in-process cc1: a crash ends this
  // compile, not ecc, and is reported as clang's.
  llvm::CrashRecoveryContext::Enable();
  llvm::CrashRecoveryContext crc;
  out.crashed = !crc.RunSafely([&] {
    try {
      run_compile(req, text, into, out, thrown);
    } catch (...) {
      thrown = std::current_exception();
    }
  });
  text.flush();
  if (thrown) std::rethrow_exception(thrown);
  return out;
}

std::string clang_version() { return clang::getClangFullVersion(); }

ClangFacts clang_facts(const std::string& clang) {
  FirstErrorConsumer diags;
  auto fail = [&] { throw Error(Exit::tool_failed, "cannot probe clang in-process: " + diags.first_error(), clang); };
  auto opts = llvm::makeIntrusiveRefCnt<clang::DiagnosticOptions>();
  auto engine = clang::CompilerInstance::createDiagnostics(opts.get(), &diags, false);
  std::unique_ptr<clang::CompilerInvocation> inv =
      cc1_invocation({clang, "-E", "-x", "c", "/dev/null", "-o", "/dev/null"}, *engine);
  if (!inv) fail();
  clang::CompilerInstance ci;
  ci.setInvocation(std::move(inv));
  ci.createDiagnostics(&diags, false);
  if (!ci.createTarget()) fail();
  ci.createFileManager();
  ci.createSourceManager(ci.getFileManager());
  ci.createPreprocessor(clang::TU_Complete);
  // The dirs `-v` lists after "#include <...> search starts here:".
  const clang::HeaderSearch& hs = ci.getPreprocessor().getHeaderSearchInfo();
  ClangFacts facts{clang_version(), ci.getHeaderSearchOpts().ResourceDir, {}};
  for (auto it = hs.angled_dir_begin(); it != hs.system_dir_end(); ++it)
    facts.system_includes.push_back(it->getName().str());
  return facts;
}

}  // namespace ecc
