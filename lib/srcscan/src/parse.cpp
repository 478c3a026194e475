#include "parse.h"

#include <clang/AST/ASTConsumer.h>
#include <clang/Frontend/CompilerInstance.h>
#include <clang/Frontend/FrontendAction.h>

#include "clang_setup.h"

namespace ecc::srcscan {

namespace {

class CollectConsumer : public clang::ASTConsumer {
 public:
  explicit CollectConsumer(std::vector<clang::Decl*>& out) : out_(out) {}
  bool HandleTopLevelDecl(clang::DeclGroupRef group) override {
    out_.insert(out_.end(), group.begin(), group.end());
    return true;
  }

 private:
  std::vector<clang::Decl*>& out_;
};

class CollectAction : public clang::ASTFrontendAction {
 public:
  explicit CollectAction(std::vector<clang::Decl*>& out) : out_(out) {}

 protected:
  std::unique_ptr<clang::ASTConsumer> CreateASTConsumer(clang::CompilerInstance&, llvm::StringRef) override {
    return std::make_unique<CollectConsumer>(out_);
  }

 private:
  std::vector<clang::Decl*>& out_;
};

std::string or_unknown(const std::string& e) { return e.empty() ? "unknown error" : e; }

}  // namespace

std::optional<std::string> parse(const std::vector<std::string>& args, const std::string& input,
                                 llvm::IntrusiveRefCntPtr<llvm::vfs::FileSystem> vfs, const AstUser& use) {
  FirstErrorConsumer diags;
  std::unique_ptr<clang::CompilerInstance> ci = make_instance(args, input, false, diags, vfs);
  if (!ci) return or_unknown(diags.first_error());
  // Declarations (and the comments before them) are all the scan needs;
  // bodies are the compile's business and cost time.
  ci->getFrontendOpts().SkipFunctionBodies = true;
  if (!ci->createTarget() || ci->getFrontendOpts().Inputs.size() != 1) return or_unknown(diags.first_error());

  std::vector<clang::Decl*> decls;
  CollectAction action(decls);
  if (!action.BeginSourceFile(*ci, ci->getFrontendOpts().Inputs[0])) return or_unknown(diags.first_error());
  // Run the parse and the caller's walk, then always end the source file:
  // the AST dies with it.
  std::optional<std::string> error;
  std::exception_ptr thrown;
  if (llvm::Error e = action.Execute()) {
    llvm::consumeError(std::move(e));
    error = or_unknown(diags.first_error());
  } else if (diags.getNumErrors() > 0 || ci->getDiagnostics().hasErrorOccurred()) {
    error = or_unknown(diags.first_error());
  } else {
    try {
      use(ci->getASTContext(), decls);
    } catch (...) {
      thrown = std::current_exception();
    }
  }
  action.EndSourceFile();
  if (thrown) std::rethrow_exception(thrown);
  return error;
}

}  // namespace ecc::srcscan
