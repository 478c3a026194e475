// The headline flow of docs/ecc.md, docs/wasm-host-abi.md on the kernel: gen-wasm-skel and
// build-wasm on an example, then `ecli run app.wasm` with the app's own
// options, checked event by event.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <map>
#include <thread>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

using namespace std::chrono_literals;

// Every app runs under both engines in docs/wasm-host-abi.md (--engine aot|interp), with
// the same output and exit codes.
class WasmApp : public EcliTest, public ::testing::WithParamInterface<const char*> {
 protected:
  // `ecli run ...` with --engine of this test after "run".
  std::vector<std::string> with_engine(std::vector<std::string> args) {
    args.insert(args.begin() + 1, {"--engine", GetParam()});
    return args;
  }
  // Copies examples/<name> into the temp dir and builds its app.wasm there,
  // the way a user would: in the project directory, no file arguments.
  fs::path build_app(const std::string& name, const std::string& app_c = {}) {
    return build_app_from(source_dir() / "examples" / name, app_c);
  }
  fs::path build_app_from(const fs::path& src, const std::string& app_c = {}) { return build_wasm_app(src, app_c); }
};


// A sampled map whose value struct is defined only in the .bpf.c is printed
// typed, as ecli prints it for the package (tests/ecli/samples_test.cpp).
TEST_P(WasmApp, SampledStructValuesDefinedInTheSourceArePrintedTyped) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path src = tmp / "samples-src" / "samples";
  fs::create_directories(src);
  fs::copy_file(source_dir() / "tests/ecli/programs/samples.bpf.c", src / "samples.bpf.c");
  // gen-wasm-skel wants the export header; struct kv is not in it.
  write_text(src / "samples.h", "#pragma once\nstruct samples_other { int unused; };\n");
  fs::path app = build_app_from(src);
  EcliProcess p(with_engine({"run", "-d", "20", app.string(), "--target_pid", std::to_string(getpid())}));
  // Calls until two prints of kvs came (the app says nothing when attached).
  for (int i = 0; i < 1000; i++) {
    getppid();
    if (p.wait_output("\"map\":\"kvs\"", 10ms) && std::count(p.out().begin(), p.out().end(), '\n') >= 3) break;
  }
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  int kvs = 0;
  for (const auto& o : json_lines(r.out)) {
    if (o.value("map", "") != "kvs") continue;
    kvs++;
    EXPECT_EQ(o["key"], 7) << o.dump();
    ASSERT_TRUE(o["value"].is_object()) << o.dump();
    EXPECT_EQ(o["value"]["tag"], "kv") << o.dump();
    EXPECT_GT(o["value"]["calls"].get<int>(), 0) << o.dump();
  }
  EXPECT_GE(kvs, 1) << r.out << r.err;
}

TEST_P(WasmApp, HelpPrintsTheGeneratedUsage) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("sigsnoop");
  RunResult r = ecli(with_engine({"run", app.string(), "-h"}));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  for (const char* s : {"usage: sigsnoop", "-p, --pid", "-s, --signal", "-x, --failed",
                        "trace only signals sent by this PID", "Trace standard and real-time signals."})
    EXPECT_NE(r.out.find(s), std::string::npos) << s << "\n" << r.out;
  EXPECT_LT(fs::file_size(app), 70076u) << "smaller than eunomia-bpf's sigsnoop app.wasm";
}

TEST_P(WasmApp, SignalFilterShowsExactlyTheSignalsSent) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("sigsnoop");
  EcliProcess p(with_engine({"run", "-d", "20", app.string(), "--signal", "12", "--pid", std::to_string(getpid())}));
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
  int ours = expect_sigsnoop_app_events(r.out, child.pid, 12);
  EXPECT_GE(ours, 4) << "the first seen plus the three sent after it:\n" << r.out;
}

// The background article's sigsnoop adds the signal's name in user space:
// the same app.c, edited the way a user would.
TEST_P(WasmApp, EditedAppAddsSigName) {
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
  EcliProcess p(with_engine({"run", "-d", "20", edited.string(), "-s", "10", "-p", std::to_string(getpid())}));
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
TEST_P(WasmApp, OpensnoopEventsDecodeThroughTheWasmTypes) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("opensnoop");
  std::string path = (tmp / ("wasm-open-" + std::to_string(getpid()))).string();
  EcliProcess p(with_engine({"run", "-d", "20", app.string()}));
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

// forkmix.h's first record (task_ids) is a member of a later one
// (fork_event): ecli and the generated app apply the one rule of the model
// and both print fork_event records.
TEST_P(WasmApp, ForkmixPackageAndAppPrintTheSameEventType) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path src = source_dir() / "tests/programs/forkmix";
  fs::path pkg = build_package(src / "forkmix.bpf.c", src / "forkmix.h");
  fs::path app = build_app_from(src);
  std::map<std::string, std::vector<std::string>> keys;
  for (const fs::path& file : {pkg, app}) {
    EcliProcess p(with_engine({"run", "-j", "-d", "20", file.string()}));
    pid_t child = -1;
    std::string needle;
    for (int i = 0; i < 50; ++i) {
      child = fork();
      if (child == 0) _exit(0);
      waitpid(child, nullptr, 0);
      needle = "\"pid\":" + std::to_string(child) + ",";
      if (p.wait_output(needle, 200ms)) break;
    }
    p.signal(SIGINT);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, 0) << file << r.err;
    bool seen = false;
    for (const auto& e : json_lines(r.out)) {
      if (!e.contains("child") || e["child"].value("pid", -1) != child) continue;
      seen = true;
      EXPECT_EQ(e["parent"]["pid"], getpid()) << e.dump();
      EXPECT_EQ(e["child"]["tgid"], child) << e.dump();
      EXPECT_EQ(e["kind"], "FORK_PROCESS") << e.dump();
      EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
      std::vector<std::string> k;
      for (const auto& [key, v] : e.items()) k.push_back(key);
      keys[file.filename().string()] = k;
    }
    EXPECT_TRUE(seen) << file << "\n" << r.out << r.err;
  }
  // (json_lines() keeps keys sorted.)
  EXPECT_EQ(keys["package.json"], (std::vector<std::string>{"child", "comm", "cpu", "delta_ns", "kind", "parent",
                                                            "payload"}));
  EXPECT_EQ(keys["package.json"], keys["app.wasm"]);
}

// runqlat has no event buffer: its app prints the @sample map every interval.
TEST_P(WasmApp, RunqlatAppPrintsTheSampledHistogram) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path app = build_app("runqlat");
  EcliProcess p(with_engine({"run", "-d", "2.6", app.string()}));
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
TEST_P(WasmApp, RustAppRuns) {
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
  // The Rust module is large: compiled ahead (as a user would with `ecli
  // compile`), so that a loaded machine's wasm2c + cc does not eat the run's -d.
  if (GetParam() == std::string("aot")) {
    RunResult c = ecli({"compile", wasm.string()});
    ASSERT_EQ(c.exit_code, 0) << c.err;
  }
  EcliProcess p(with_engine({"run", "-d", "20", wasm.string(), "--pid", std::to_string(getpid())}));
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

// UDP datagrams to 127.0.0.1 (discard port): traffic on `lo`.
void send_udp_to_lo(int count) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(9);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  for (int i = 0; i < count; ++i)
    sendto(s, "x", 1, 0, reinterpret_cast<const sockaddr*>(&to), sizeof to);
  close(s);
}

// tests/ecli/wasm_apps/apitest: an app in wasm-bpf's style, two .c files
// (main.c polls, maps.c edits and iterates maps) on the generated
// apitest.skel.h, built with `ecc build-wasm main.c maps.c` and run on the
// kernel. Every function of libbpf-wasm.h is used; the numbers printed for
// errors are the guest's (WASI) errno values: EINVAL 28, ENOENT 44, EEXIST 20.
TEST_P(WasmApp, WasmBpfStyleAppInTwoFilesUsesTheWholeGuestApi) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = tmp / "apitest";
  fs::create_directories(dir);
  for (const auto& e : fs::directory_iterator(source_dir() / "tests" / "ecli" / "wasm_apps" / "apitest"))
    fs::copy_file(e.path(), dir / e.path().filename());
  std::vector<std::string> env = {"XDG_CACHE_HOME=" + cache().string(), "ECC_CACHE_WARM=off", "NO_COLOR=1"};
  RunResult gen = run({ecc_binary().string(), "gen-wasm-skel"}, env, dir.string());
  ASSERT_EQ(gen.exit_code, 0) << gen.err;
  RunResult build = run({ecc_binary().string(), "build-wasm", "main.c", "maps.c"}, env, dir.string());
  ASSERT_EQ(build.exit_code, 0) << build.err;

  Sleeper child;
  EcliProcess p(with_engine({"run", "-d", "30", (dir / "app.wasm").string(), std::to_string(getpid()), "6"}));
  ASSERT_TRUE(p.wait_output("\"attached\":true", 20s)) << p.out() << p.err();
  // kill(child, 0) until an event is back: the programs are attached (and
  // the perf buffers were open before: those events are there too).
  bool seen = false;
  for (int i = 0; i < 50 && !seen; ++i) {
    ::kill(child.pid, 0);
    seen = p.wait_output("\"via\":\"ring_buffer\"", 100ms);
  }
  ASSERT_TRUE(seen) << p.out() << p.err();
  // Autoload off keeps the program out of the kernel, not only unattached.
  RunResult progs = run({"bpftool", "prog", "show"});
  ASSERT_EQ(progs.exit_code, 0) << progs.err;
  EXPECT_NE(progs.out.find("name on_kill_ring"), std::string::npos) << progs.out;
  EXPECT_NE(progs.out.find("name count_lo"), std::string::npos) << progs.out;
  EXPECT_EQ(progs.out.find("name never_loaded"), std::string::npos) << progs.out;
  child.send(SIGUSR1);
  child.send(SIGUSR1);
  child.send(SIGUSR2);
  // Another sender: the .rodata filter set before load keeps it out.
  RunResult other = run({"/bin/kill", "-0", std::to_string(child.pid)});
  EXPECT_EQ(other.exit_code, 0) << other.err;
  send_udp_to_lo(5);
  RunResult r = p.finish(30s);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;

  std::map<std::string, std::vector<int>> sigs;  // per way of polling
  std::map<uint32_t, uint64_t> counts;           // the last dump of `counts`
  uint64_t packets = 0;
  nlohmann::json totals, prepare, before;
  bool dump_started = false;
  for (const auto& e : json_lines(r.out)) try {
    if (e.contains("via")) {
      std::string via = e["via"];
      EXPECT_EQ(e["pid"].get<int64_t>(), getpid()) << "the pid filter let another sender through: " << e.dump();
      EXPECT_EQ(e["tpid"].get<int64_t>(), child.pid) << e.dump();
      EXPECT_NE(e["kind"].get<int>(), 3) << "the program with autoload off ran: " << e.dump();
      bool ring = via == "bpf_buffer" || via == "ring_buffer";
      EXPECT_EQ(e["kind"].get<int>(), ring ? 1 : 2) << e.dump();
      if (ring) EXPECT_EQ(e["size"].get<int>(), 16) << e.dump();
      else EXPECT_GE(e["size"].get<int>(), 16) << e.dump();
      sigs[via].push_back(e["sig"].get<int>());
    } else if (e.contains("map")) {
      if (!dump_started) counts.clear();
      dump_started = true;
      EXPECT_EQ(e["map"], "counts");
      counts[e["key"].get<uint32_t>()] = e["value"].get<uint64_t>();
    } else if (e.contains("xdp_packets")) {
      packets = e["xdp_packets"].get<uint64_t>();
      dump_started = false;
    } else if (e.contains("ring_count")) {
      totals = e;
    } else if (e.contains("noexist_again")) {
      prepare = e;
    } else if (e.contains("fd_before_load")) {
      before = e;
    }
  } catch (const std::exception& x) {
    ADD_FAILURE() << x.what() << " in " << e.dump();
  }
  // Every way of polling saw every kill of this process, in order.
  for (const char* via : {"bpf_buffer", "bpf_buffer_perf", "ring_buffer", "perf_buffer"}) {
    std::vector<int> got = sigs[via];
    std::vector<int> tail;
    for (int s : got)
      if (s != 0) tail.push_back(s);
    EXPECT_EQ(tail, (std::vector<int>{SIGUSR1, SIGUSR1, SIGUSR2})) << via << "\n" << r.out;
    EXPECT_GE(got.size(), 4u) << via;
  }
  ASSERT_TRUE(totals.is_object()) << r.out << r.err;
  EXPECT_EQ(totals["ring_count"].get<size_t>(), sigs["ring_buffer"].size()) << "ring_buffer__poll/__consume return counts";
  EXPECT_EQ(totals["perf_count"].get<size_t>(), sigs["perf_buffer"].size()) << "perf_buffer__poll returns counts";
  // Map operations: update/delete/lookup before the events, iteration after.
  EXPECT_EQ(before.value("fd_before_load", 0), -28) << before.dump();
  EXPECT_EQ(before.value("name", ""), "counts");
  EXPECT_EQ(before.value("type", 0), 1) << "BPF_MAP_TYPE_HASH";
  EXPECT_EQ(prepare.value("noexist_again", 0), -20) << prepare.dump();
  EXPECT_EQ(prepare.value("delete_missing", 0), -44) << prepare.dump();
  EXPECT_EQ(prepare.value("delete_missing_flags", 0), -44) << prepare.dump();
  EXPECT_EQ(prepare.value("lookup_missing", 0), -44) << prepare.dump();
  EXPECT_EQ(prepare.value("marker", 0), 7) << prepare.dump();
  EXPECT_EQ(counts[1000], 7u) << "the entry added by the app";
  EXPECT_EQ(counts.count(1001), 0u) << "the entry deleted by the app";
  EXPECT_EQ(counts[SIGUSR1], 2u);
  EXPECT_EQ(counts[SIGUSR2], 1u);
  EXPECT_GE(counts[0], 1u);
  // bpf_set_prog_attach_target(xdp, "lo"): the datagrams were counted.
  EXPECT_GE(packets, 5u) << r.out;
  EXPECT_NE(r.out.find("\"autoload_after_load\":-28"), std::string::npos) << "set_autoload after load is -EINVAL";
  EXPECT_NE(r.out.find("\"open_and_load\":true"), std::string::npos) << r.out << r.err;
}

TEST_P(WasmApp, ModuleThatIsNotWasmIsAnError) {
  fs::path bad = tmp / "app.wasm";
  write_text(bad, std::string("\0asX not really", 15));
  RunResult r = ecli(with_engine({"run", bad.string()}));
  EXPECT_NE(r.exit_code, 0);
}

INSTANTIATE_TEST_SUITE_P(Engines, WasmApp, ::testing::Values("aot", "interp"),
                         [](const auto& info) { return std::string(info.param); });

// `ecli compile APP.wasm` fills the AOT cache ($XDG_CACHE_HOME/ecc/aot);
// the run after it finds the entry. No kernel needed.
class EcliCompile : public EcliTest {
 protected:
  // A module no earlier run has compiled: its exit code and a data segment
  // of this process's id and the time.
  fs::path unique_app(int code) {
    std::string stamp = std::to_string(getpid()) + "-" +
                        std::to_string(std::chrono::steady_clock::now().time_since_epoch().count());
    write_text(tmp / "app.wat", R"((module
 (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
 (memory (export "memory") 1)
 (data (i32.const 16) ")" + stamp + R"(")
 (func (export "_start") (call $exit (i32.const )" + std::to_string(code) + "))))");
    RunResult w = run({"wat2wasm", (tmp / "app.wat").string(), "-o", (tmp / "app.wasm").string()});
    EXPECT_EQ(w.exit_code, 0) << w.err;
    return tmp / "app.wasm";
  }
};

TEST_F(EcliCompile, CompilesOnceThenRunsFromTheCache) {
  fs::path app = unique_app(9);
  RunResult first = ecli({"compile", app.string()});
  EXPECT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(first.err.rfind("ecli: compiled ", 0), 0u) << first.err;
  std::string entry = first.err.substr(std::string("ecli: compiled ").size());
  while (!entry.empty() && entry.back() == '\n') entry.pop_back();
  EXPECT_NE(entry.find("/ecc/aot/"), std::string::npos) << entry;
  EXPECT_TRUE(fs::exists(entry)) << entry;
  RunResult again = ecli({"compile", "-v", app.string()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err, "ecli: already compiled: " + entry + "\n");
  RunResult r = ecli({"run", "--engine", "aot", app.string()});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(r.err, "");
}

TEST_F(EcliCompile, ErrorsAndUsage) {
  fs::path bad = tmp / "bad.wasm";
  write_text(bad, "not wasm");
  RunResult r = ecli({"compile", bad.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ecli: error: not a wasm module (no \\0asm header) (" + bad.string() + ")\n");
  r = ecli({"compile"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ecli: error: ecli compile takes one APP.wasm (ecli compile [options] APP.wasm)\n");
  r = ecli({"run", "--engine", "jit", bad.string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "ecli: error: --engine is auto, aot or interp, not 'jit'\n");
}

}  // namespace
}  // namespace ecc::test
