// The headline flow of SPEC §7-§8 on the kernel: gen-wasm-skel and
// build-wasm on an example, then `ecli run app.wasm` with the app's own
// options, checked event by event.
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

class WasmApp : public EcliTest {
 protected:
  // Copies examples/<name> into the temp dir and builds its app.wasm there,
  // the way a user would: in the project directory, no file arguments.
  fs::path build_app(const std::string& name, const std::string& app_c = {}) {
    fs::path dir = tmp / name;
    fs::create_directories(dir);
    for (const auto& e : fs::directory_iterator(source_dir() / "examples" / name))
      fs::copy_file(e.path(), dir / e.path().filename());
    std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
    RunResult gen = run({ecc_binary().string(), "gen-wasm-skel"}, env, dir.string());
    EXPECT_EQ(gen.exit_code, 0) << gen.err;
    if (!app_c.empty()) write_text(dir / "app.c", app_c);
    RunResult build = run({ecc_binary().string(), "build-wasm"}, env, dir.string());
    EXPECT_EQ(build.exit_code, 0) << build.err;
    EXPECT_NE(build.out.find("app.wasm"), std::string::npos) << "prints the result and its size: " << build.out;
    return dir / "app.wasm";
  }
};

// A Wasm app prints nothing when it has attached, so the test signals the
// child until the first event comes back, then sends the checked ones.
// `needle` marks an event in the output (default: one aimed at the child).
void signal_until_seen(EcliProcess& p, Sleeper& child, int sig, std::string needle = {}) {
  if (needle.empty()) needle = "\"tpid\":" + std::to_string(child.pid);
  for (int i = 0; i < 50; ++i) {
    child.send(sig);
    if (p.wait_output(needle, 200ms)) return;
  }
}

TEST_F(WasmApp, HelpPrintsTheGeneratedUsage) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("sigsnoop");
  RunResult r = ecli({"run", app.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"usage: sigsnoop", "-p, --pid", "-s, --signal", "-x, --failed",
                        "trace only signals sent by this PID", "Trace standard and real-time signals."})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_LT(fs::file_size(app), 70076u) << "smaller than eunomia-bpf's sigsnoop app.wasm";
}

TEST_F(WasmApp, SignalFilterShowsExactlyTheSignalsSent) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("sigsnoop");
  EcliProcess p({"run", "-d", "20", app.string(), "--signal", "12", "--pid", std::to_string(getpid())});
  Sleeper child;
  signal_until_seen(p, child, SIGUSR2);
  // Attached now: these are all delivered, and only the USR2s may show.
  for (int i = 0; i < 3; ++i) {
    child.send(SIGUSR1);
    child.send(SIGUSR2);
  }
  ASSERT_TRUE(p.wait_output("\"sig\":12", 1s));
  std::this_thread::sleep_for(300ms);
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int ours = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e.size(), 5u) << e.dump();
    EXPECT_EQ(e["sig"], 12) << "the filter let another signal through: " << e.dump();
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    EXPECT_EQ(e["tpid"], child.pid) << e.dump();
    EXPECT_EQ(e["ret"], 0) << e.dump();
    EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
    ++ours;
  }
  EXPECT_GE(ours, 4) << "the first seen plus the three sent after it:\n" << r.out;
}

// The background article's sigsnoop adds the signal's name in user space:
// the same app.c, edited the way a user would.
TEST_F(WasmApp, EditedAppAddsSigName) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path probe = build_app("sigsnoop");
  std::string app = read_text(probe.parent_path() / "app.c");
  const std::string call = "ewasm_json_event((const struct event *)data);";
  auto pos = app.find(call);
  ASSERT_NE(pos, std::string::npos) << "the generated handler changed shape:\n" << app;
  app.replace(pos, call.size(), R"({
		static const char *names[] = {"N/A", "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP",
			"SIGABRT", "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
			"SIGPIPE", "SIGALRM", "SIGTERM"};
		const struct event *e = data;
		const char *name = e->sig >= 0 && e->sig < 16 ? names[e->sig] : "?";
		ewasm_json_raw("{\"pid\":");
		ewasm_json_u64(e->pid);
		ewasm_json_raw(",\"sig\":");
		ewasm_json_i64(e->sig);
		ewasm_json_raw(",\"sig_name\":");
		ewasm_json_strn(name, strlen(name));
		ewasm_json_raw("}");
	})");
  app.insert(0, "#include <string.h>\n");
  fs::remove_all(tmp / "sigsnoop");
  fs::path edited = build_app("sigsnoop", app);
  EcliProcess p({"run", "-d", "20", edited.string(), "-s", "10", "-p", std::to_string(getpid())});
  Sleeper child;
  signal_until_seen(p, child, SIGUSR1, "\"sig_name\"");
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto events = json_lines(r.out);
  ASSERT_FALSE(events.empty()) << r.out << r.err;
  for (const auto& e : events) {
    EXPECT_EQ(e["sig"], 10) << e.dump();
    EXPECT_EQ(e["sig_name"], "SIGUSR1") << e.dump();
  }
}

// opensnoop's event has 64-bit members and long strings: the wasm32 types
// must decode what the kernel wrote.
TEST_F(WasmApp, OpensnoopEventsDecodeThroughTheWasmTypes) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("opensnoop");
  std::string path = (tmp / ("wasm-open-" + std::to_string(getpid()))).string();
  EcliProcess p({"run", "-d", "20", app.string()});
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    int fd = open(path.c_str(), O_RDONLY | O_CREAT, 0600);
    if (fd >= 0) close(fd);
    seen = p.wait_output(path, 200ms);
  }
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  ASSERT_TRUE(seen) << r.out << r.err;
  int matched = 0;
  for (const auto& e : json_lines(r.out)) {
    if (e.value("fname", "") != path) continue;
    ++matched;
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
    EXPECT_GE(e["ret"].get<int64_t>(), 0) << e.dump();
  }
  EXPECT_GE(matched, 1) << r.out;
}

// runqlat has no event buffer: its app prints the @sample map every interval.
TEST_F(WasmApp, RunqlatAppPrintsTheSampledHistogram) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("runqlat");
  EcliProcess p({"run", "-d", "2.6", app.string()});
  // A workload that waits on the run queue: threads yielding to each other.
  std::vector<std::thread> load;
  auto until = std::chrono::steady_clock::now() + 1500ms;
  for (int i = 0; i < 4; ++i)
    load.emplace_back([until] {
      while (std::chrono::steady_clock::now() < until) std::this_thread::yield();
    });
  for (auto& t : load) t.join();
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = json_lines(r.out);
  ASSERT_GE(lines.size(), 2u) << "one line per interval (1000 ms) at least:\n" << r.out << r.err;
  uint64_t total = 0;
  for (const auto& e : lines) {
    EXPECT_EQ(e["map"], "hists") << e.dump();
    ASSERT_TRUE(e["value"]["slots"].is_array()) << e.dump();
    EXPECT_EQ(e["value"]["slots"].size(), 26u) << e.dump();
    for (const auto& c : e["value"]["slots"]) total += c.get<uint64_t>();
  }
  EXPECT_GT(total, 0u) << r.out;
}

// The Rust guest of tests/wasmgen on the generated Rust module, built with
// Debian's rustc for wasm32-wasi, runs on ecli and decodes real events.
TEST_F(WasmApp, RustAppRuns) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = tmp / "rust";
  fs::create_directories(dir);
  for (const char* f : {"sigsnoop.bpf.c", "sigsnoop.h"})
    fs::copy_file(source_dir() / "examples" / "sigsnoop" / f, dir / f);
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel", "--rust"}, env, dir.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  fs::copy_file(source_dir() / "tests" / "wasmgen" / "rust_app" / "main.rs", dir / "rust_app.rs");
  fs::path wasm = dir / "rust_app.wasm";
  RunResult rc = run({"/usr/bin/rustc", "--edition", "2021", "--target", "wasm32-wasi", "-O", "-C",
                      "link-arg=--export-table", "-o", wasm.string(), (dir / "rust_app.rs").string()});
  ASSERT_EQ(rc.exit_code, 0) << rc.err;
  EcliProcess p({"run", "-d", "20", wasm.string(), "--pid", std::to_string(getpid())});
  Sleeper child;
  signal_until_seen(p, child, SIGUSR1);
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  // This app filters by sender only: also the test's SIGINT to ecli shows.
  int to_child = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    if (e["tpid"] != child.pid) continue;
    ++to_child;
    EXPECT_EQ(e["sig"], 10) << e.dump();
    EXPECT_EQ(e["ret"], 0) << e.dump();
    EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
  }
  EXPECT_GE(to_child, 1) << r.out << r.err;
}

TEST_F(WasmApp, ModuleThatIsNotWasmIsAnError) {
  fs::path bad = tmp / "app.wasm";
  write_text(bad, std::string("\0asX not really", 15));
  RunResult r = ecli({"run", bad.string()});
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace ecc::test
