// The load policy on the kernel (docs/trust.md, "Load rules"): a package
// and an app.wasm whose programs call bpf_send_signal and
// bpf_probe_write_user are refused before anything is loaded under a
// denyHelpers or allowProgramTypes rule of their scope, with one line naming
// the program and the helper; allowed, they load and attach. The Wasm host's
// wasm_load_bpf_object asks the same check for each object a guest loads.
#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/inspect.h"
#include "ecc/wasmhost.h"
#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class LoadPolicy : public EcliTest {
 protected:
  fs::path guard_dir() const { return source_dir() / "tests/trust/programs/guard"; }

  // A policy whose file scope for `dir` carries `bpf`, anything else accepted.
  fs::path policy(const fs::path& dir, const json& bpf) {
    json rules = bpf;
    rules["type"] = "bpf";
    json p = {{"default", {{{"type", "insecureAcceptAnything"}}}},
              {"transports",
               {{"file", {{fs::weakly_canonical(dir).string(), {{{"type", "insecureAcceptAnything"}}, rules}}}}}}};
    write_text(tmp / "policy.json", p.dump());
    return tmp / "policy.json";
  }

  // One refusal line naming `program` and `what`, exit 1, nothing attached.
  static void expect_refused(const RunResult& r, const std::string& program, const std::string& what) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("ecli: error: program '" + program + "'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("attached"), std::string::npos) << r.err;
  }
};

TEST_F(LoadPolicy, APackageCallingDeniedHelpersIsRefusedBeforeLoadAndRunsWhenAllowed) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_package(guard_dir() / "guard.bpf.c");
  fs::path p = policy(tmp.path(), {{"denyHelpers", {"bpf_send_signal"}}});
  expect_refused(ecli({"run", "--policy", p.string(), pkg.string()}), "guard_kill", "calls bpf_send_signal");
  p = policy(tmp.path(), {{"denyHelpers", {"probe_write_user"}}});
  expect_refused(ecli({"run", "--policy", p.string(), pkg.string()}), "scribble", "calls bpf_probe_write_user");
  p = policy(tmp.path(), {{"allowProgramTypes", {"xdp", "sched_cls"}}});
  expect_refused(ecli({"run", "--policy", p.string(), pkg.string()}), "guard_kill", "tracepoint");
  // Allowed: -v says which rule decided, and the programs attach.
  p = policy(tmp.path(), {{"allowProgramTypes", {"tracepoint"}}, {"denyHelpers", {"bpf_override_return"}}});
  RunResult ok = ecli({"run", "-v", "--policy", p.string(), "-d", "0.5", pkg.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("attached 2 programs"), std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find("policy: transports.file.\"" + fs::weakly_canonical(tmp.path()).string() + "\""),
            std::string::npos) << ok.err;
  EXPECT_NE(ok.err.find("allowed by the bpf rules"), std::string::npos) << ok.err;
}

TEST_F(LoadPolicy, AnAppWasmCarryingADeniedHelperIsRefusedBeforeItRuns) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_wasm_app(guard_dir());
  fs::path p = policy(tmp.path(), {{"denyHelpers", {"bpf_send_signal"}}});
  expect_refused(ecli({"run", "--policy", p.string(), app.string()}), "guard_kill", "calls bpf_send_signal");
  p = policy(tmp.path(), {{"denyHelpers", {"bpf_sys_bpf"}}});
  RunResult ok = ecli({"run", "--policy", p.string(), "-d", "0.5", app.string()});
  EXPECT_EQ(ok.exit_code, 0) << ok.err;
}

// The check wasm_load_bpf_object makes of each object a guest loads (the
// runtime's, the same for a package): the guest's load fails with the line.
TEST_F(LoadPolicy, TheWasmHostAsksTheCheckForEachObjectTheGuestLoads) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_wasm_app(guard_dir());
  inspect::Rules rules;
  rules.deny_helpers = {"bpf_probe_write_user"};
  rules.scope = "the test's rules";
  int asked = 0;
  std::string err;
  WasmRunOptions opts;
  opts.engine = WasmEngine::interp;
  opts.duration = 5;
  opts.err = [&err](std::string_view s) { err += s; };
  opts.out = [](std::string_view) {};
  opts.load_check = [&](const unsigned char* elf, size_t size) {
    asked++;
    inspect::Report r = inspect::inspect_object(std::span(elf, size), "the guest's object");
    if (auto why = inspect::refusal(r, rules)) throw Error(Exit::bad_input, *why);
  };
  std::vector<uint8_t> module = read_file(app);
  int code = run_wasm_app(module, app.string(), {}, opts);
  EXPECT_EQ(asked, 1);
  EXPECT_NE(code, 0);
  EXPECT_NE(err.find("wasm_load_bpf_object: program 'scribble' calls bpf_probe_write_user, denied by the test's rules"),
            std::string::npos) << err;
}

}  // namespace
}  // namespace ecc::test
