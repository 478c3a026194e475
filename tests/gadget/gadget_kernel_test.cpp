// Gadgets written in Inspektor Gadget's style, packed as IG's builder packs
// them (an index of two platforms, raw layers), run by ecli on the kernel
// from a layout directory, from an exported tar and from a docker-registry
// (placed there by skopeo), events checked field by field.
#include <fcntl.h>
#include <signal.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <unistd.h>

#include <fstream>
#include <map>

#include "ecli_fixture.h"
#include "gadget_util.h"
#include "ecc/oci.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

class GadgetKernel : public EcliTest {
 protected:
  // The gadget `name` as IG's builder lays it out, at tmp/<name>.
  fs::path layout(const std::string& name) {
    fs::path dir = tmp / name;
    write_ig_layout(dir, "ghcr.io/ecc-tests/gadget/" + name + ":latest", gadget_yaml(name),
                    read_bytes(build_gadget_object(tmp, name)));
    return dir;
  }
  // `ig image export`: the layout as a tar.
  fs::path exported(const fs::path& dir) {
    fs::path tar = dir.string() + ".tar";
    RunResult r = run({"tar", "-C", dir.string(), "-cf", tar.string(), "."});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return tar;
  }
};

// Opens `path` once (it exists) and `path`.missing once (ENOENT).
int open_twice(const fs::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd >= 0) close(fd);
  int bad = open((path.string() + ".missing").c_str(), O_WRONLY | O_CREAT | O_EXCL | O_DIRECTORY, 0640);
  if (bad >= 0) close(bad);
  return fd;
}

void check_open_events(const std::string& out, const fs::path& target, int fd) {
  bool ok = false, failed = false;
  for (const auto& e : json_lines(out)) {
    EXPECT_EQ(e["proc"]["pid"], getpid()) << e.dump();
    if (e["fname"] == target.string()) {
      ok = true;
      EXPECT_EQ(e["fd"], fd) << e.dump();
      EXPECT_EQ(e["error"], "") << e.dump();
      EXPECT_EQ(e["error_raw"], 0) << e.dump();
      EXPECT_EQ(e["flags"], "O_RDONLY|O_CLOEXEC") << e.dump();
      EXPECT_EQ(e["proc"]["comm"], self_comm().substr(0, 15)) << e.dump();
      EXPECT_EQ(e["proc"]["uid"], getuid()) << e.dump();
      EXPECT_GT(e["timestamp_raw"].get<uint64_t>(), 0u);
      EXPECT_EQ(e["timestamp"].get<std::string>().size(), 30u) << e.dump();
    }
    if (e["fname"] == target.string() + ".missing") {
      failed = true;
      EXPECT_EQ(e["error"], "EINVAL") << e.dump();  // O_CREAT with O_DIRECTORY
      EXPECT_EQ(e["error_raw"], EINVAL) << e.dump();
      EXPECT_EQ(e["flags"], "O_WRONLY|O_CREAT|O_EXCL|O_DIRECTORY") << e.dump();
      EXPECT_EQ(e["mode"], "-rw-r-----") << e.dump();
    }
  }
  EXPECT_TRUE(ok) << out;
  EXPECT_TRUE(failed) << out;
}

// trace_open from the layout directory and from its tar, --pid ours.
TEST_F(GadgetKernel, TraceOpenFromALayoutAndItsTar) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_open");
  fs::path target = tmp / ("gadget-open-" + std::to_string(getpid()));
  write_text(target, "x");
  for (const fs::path& source : {dir, exported(dir)}) {
    EcliProcess p({"run", "-j", "-d", "4", source.string(), "--pid", std::to_string(getpid())});
    ASSERT_TRUE(p.wait_attached()) << source << ": " << p.err();
    int fd = open_twice(target);
    ASSERT_GE(fd, 0);
    EXPECT_TRUE(p.wait_output(target.string() + ".missing", std::chrono::seconds(3))) << p.out();
    p.signal(SIGINT);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    check_open_events(r.out, target, fd);
  }
}

// Pushed to a docker-registry by skopeo (an independent client), run by
// reference; then by digest with the registry stopped, from the cache.
TEST_F(GadgetKernel, TraceOpenFromARegistry) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = tmp / "for-registry";
  write_ig_layout(dir, "v1", gadget_yaml("trace_open"), read_bytes(build_gadget_object(tmp, "trace_open")));
  Registry reg(Registry::Mode::plain);
  std::string ref = reg.ref("gadget/trace_open:v1");
  RunResult copy = run({"skopeo", "copy", "--all", "--dest-tls-verify=false", "oci:" + dir.string() + ":v1", "docker://" + ref});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  nlohmann::json index = nlohmann::json::parse(read_text(dir / "index.json"));
  std::string digest = index["manifests"][0]["digest"];
  fs::path target = tmp / ("gadget-reg-" + std::to_string(getpid()));
  write_text(target, "x");
  for (const std::string& source : {ref, reg.ref("gadget/trace_open@" + digest)}) {
    EcliProcess p({"run", "--plain-http", "-j", "-d", "4", source, "--pid", std::to_string(getpid())});
    ASSERT_TRUE(p.wait_attached()) << source << ": " << p.err();
    int fd = open_twice(target);
    EXPECT_TRUE(p.wait_output(target.string() + ".missing", std::chrono::seconds(3))) << p.out();
    p.signal(SIGINT);
    RunResult r = p.finish();
    EXPECT_EQ(r.exit_code, 0) << r.err;
    check_open_events(r.out, target, fd);
    reg.stop();  // the digest run needs no registry
  }
}

// A --pid that excludes us shows none of our opens; --failed only failures.
TEST_F(GadgetKernel, ParamsFilter) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_open");
  fs::path target = tmp / ("gadget-filter-" + std::to_string(getpid()));
  write_text(target, "x");
  EcliProcess other({"run", "-j", "-d", "3", dir.string(), "--pid", "1"});
  EcliProcess failed({"run", "-j", "-d", "3", dir.string(), "--pid", std::to_string(getpid()), "--failed"});
  ASSERT_TRUE(other.wait_attached()) << other.err();
  ASSERT_TRUE(failed.wait_attached()) << failed.err();
  open_twice(target);
  EXPECT_TRUE(failed.wait_output(target.string() + ".missing", std::chrono::seconds(3))) << failed.out();
  RunResult o = other.finish(), f = failed.finish();
  EXPECT_EQ(o.out.find(target.string()), std::string::npos) << o.out;
  for (const auto& e : json_lines(f.out)) EXPECT_NE(e["error_raw"], 0) << e.dump();
  EXPECT_EQ(f.out.find("\"" + target.string() + "\""), std::string::npos) << f.out;
}

// The table: IG's column attributes (hidden, widths), formatted columns
// under their names, nested records flattened.
TEST_F(GadgetKernel, TraceOpenTable) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_open");
  fs::path target = tmp / ("gadget-table-" + std::to_string(getpid()));
  write_text(target, "x");
  EcliProcess p({"run", "-d", "3", dir.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  open_twice(target);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto lines = split_lines(r.out);
  ASSERT_FALSE(lines.empty());
  const std::string& header = lines[0];
  for (const char* col : {"TIME", "COMM", "PID", "UID", "GID", "ERROR", "FD", "FLAGS", "FNAME"})
    EXPECT_NE(header.find(col), std::string::npos) << col << " in " << header;
  for (const char* hidden : {"TIMESTAMP", "MNTNS_ID", "TID", "MODE"})
    EXPECT_EQ(header.find(hidden), std::string::npos) << hidden << " in " << header;
  bool row = false;
  for (const auto& l : lines)
    if (l.find(target.string() + ".missing") != std::string::npos) {
      row = true;
      EXPECT_NE(l.find("EINVAL"), std::string::npos) << l;
      EXPECT_NE(l.find("O_WRONLY|O_CREAT|O_EXCL|O_DIRECTORY"), std::string::npos) << l;
    }
  EXPECT_TRUE(row) << r.out;
}

// The older gadget.yaml form: trace_exec, params by key.
TEST_F(GadgetKernel, TraceExecOlderForm) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_exec");
  EcliProcess p({"run", "-j", "-d", "3", dir.string()});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  RunResult t = run({"/bin/true", "gadget-exec-" + std::to_string(getpid())});
  EXPECT_EQ(t.exit_code, 0);
  EXPECT_TRUE(p.wait_output("/bin/true", std::chrono::seconds(3))) << p.out();
  RunResult r = p.finish();
  bool seen = false;
  for (const auto& e : json_lines(r.out))
    if (e["filename"] == "/bin/true") {
      seen = true;
      EXPECT_EQ(e["comm"], "true") << e.dump();
      EXPECT_EQ(e["ppid"], getpid()) << e.dump();
      EXPECT_EQ(e["retval"], 0) << e.dump();
      EXPECT_EQ(e["uid"], getuid()) << e.dump();
    }
  EXPECT_TRUE(seen) << r.out;
}

// trace_signal: the signal and the errno by name.
TEST_F(GadgetKernel, TraceSignalNames) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_signal");
  Sleeper child;
  EcliProcess p({"run", "-j", "-d", "3", dir.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  child.send(SIGUSR1);
  EXPECT_NE(kill(999999, SIGUSR2), 0);  // ESRCH
  EXPECT_TRUE(p.wait_output("ESRCH", std::chrono::seconds(3))) << p.out();
  RunResult r = p.finish();
  bool sent = false, failed = false;
  for (const auto& e : json_lines(r.out)) {
    if (e["tpid"] == child.pid) {
      sent = true;
      EXPECT_EQ(e["sig"], "SIGUSR1") << e.dump();
      EXPECT_EQ(e["sig_raw"], SIGUSR1) << e.dump();
      EXPECT_EQ(e["error"], "") << e.dump();
    }
    if (e["tpid"] == 999999) {
      failed = true;
      EXPECT_EQ(e["sig"], "SIGUSR2") << e.dump();
      EXPECT_EQ(e["error"], "ESRCH") << e.dump();
    }
  }
  EXPECT_TRUE(sent) << r.out;
  EXPECT_TRUE(failed) << r.out;
}

// trace_bind: the address as IG's l4endpoint.
TEST_F(GadgetKernel, TraceBindEndpoint) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_bind");
  EcliProcess p({"run", "-j", "-d", "3", dir.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  ASSERT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  int t = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in b = a;
  socklen_t len = sizeof b;
  getsockname(s, reinterpret_cast<sockaddr*>(&b), &len);
  EXPECT_NE(bind(t, reinterpret_cast<sockaddr*>(&b), sizeof b), 0);  // EADDRINUSE
  close(t);
  close(s);
  EXPECT_TRUE(p.wait_output("EADDRINUSE", std::chrono::seconds(3))) << p.out();
  RunResult r = p.finish();
  int port = ntohs(b.sin_port);
  bool ok = false, busy = false;
  for (const auto& e : json_lines(r.out)) {
    if (e["addr"]["port"] == 0 && e["error"] == "") ok = e["addr"]["addr"] == "127.0.0.1";
    if (e["addr"]["port"] == port) {
      busy = true;
      EXPECT_EQ(e["addr"], nlohmann::json({{"addr", "127.0.0.1"}, {"port", port}, {"proto", 6}, {"version", 4}})) << e.dump();
      EXPECT_EQ(e["error"], "EADDRINUSE") << e.dump();
    }
  }
  EXPECT_TRUE(ok) << r.out;
  EXPECT_TRUE(busy) << r.out;
}

// A top-style gadget: its map printed (and cleared) every interval, sorted.
TEST_F(GadgetKernel, TopGadgetPrintsItsMap) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("top_open");
  fs::path target = tmp / "top-target";
  write_text(target, "x");
  EcliProcess p({"run", "-j", "-d", "2", "--sort", "-opens", "--max-entries", "5", dir.string(), "--pid",
                 std::to_string(getpid())});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  for (int i = 0; i < 7; i++) open_twice(target);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  uint64_t opens = 0, failed = 0;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["pid"], getpid()) << e.dump();
    EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
    opens += e["opens"].get<uint64_t>();
    failed += e["failed"].get<uint64_t>();
  }
  EXPECT_EQ(opens, 14u) << r.out;  // cleared each interval: the rows add up
  EXPECT_EQ(failed, 7u) << r.out;
}

// A snapshotter: its iterator runs once, every process one row, then ecli exits.
TEST_F(GadgetKernel, SnapshotterPrintsOnceAndExits) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("snapshot_process");
  RunResult r = run({ecli_binary().string(), "run", "-j", dir.string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("attached 0 programs"), std::string::npos) << r.err;  // the iterator is no attached program
  auto rows = json_lines(r.out);
  EXPECT_GT(rows.size(), 5u);
  bool self = false, parent = false;
  for (const auto& e : rows) {
    if (e["pid"] == getpid()) {
      self = true;
      EXPECT_EQ(e["comm"], self_comm().substr(0, 15)) << e.dump();
      EXPECT_EQ(e["ppid"], getppid()) << e.dump();
      EXPECT_EQ(e["uid"], getuid()) << e.dump();
    }
    parent |= e["pid"] == getppid();
  }
  EXPECT_TRUE(self) << r.out;
  EXPECT_TRUE(parent) << r.out;
  RunResult table = run({ecli_binary().string(), "run", dir.string()});
  ASSERT_EQ(table.exit_code, 0) << table.err;
  auto lines = split_lines(table.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0].substr(0, 4), "TIME") << lines[0];
  EXPECT_NE(lines[0].find("THREADS"), std::string::npos) << lines[0];
  bool row = false;  // our own row, formatted by the column attributes
  for (const auto& l : lines) row |= l.find(" " + std::to_string(getpid()) + " ") != std::string::npos;
  EXPECT_TRUE(row) << table.out;
}

// --mntns: IG's filter on: another namespace's id shows nothing, ours shows us.
TEST_F(GadgetKernel, MountNamespaceFilter) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = layout("trace_open");
  std::string ns = fs::read_symlink("/proc/self/ns/mnt").string();  // mnt:[4026531841]
  std::string id = ns.substr(ns.find('[') + 1, ns.find(']') - ns.find('[') - 1);
  fs::path target = tmp / "mntns-target";
  write_text(target, "x");
  EcliProcess ours({"run", "-j", "-d", "3", "--mntns", id, dir.string(), "--pid", std::to_string(getpid())});
  EcliProcess other({"run", "-j", "-d", "3", "--mntns", "12345", dir.string(), "--pid", std::to_string(getpid())});
  ASSERT_TRUE(ours.wait_attached()) << ours.err();
  ASSERT_TRUE(other.wait_attached()) << other.err();
  open_twice(target);
  EXPECT_TRUE(ours.wait_output(target.string(), std::chrono::seconds(3))) << ours.out();
  RunResult o = ours.finish(), t = other.finish();
  EXPECT_EQ(t.out.find(target.string()), std::string::npos) << t.out;
  for (const auto& e : json_lines(o.out)) EXPECT_EQ(std::to_string(e["proc"]["mntns_id"].get<uint64_t>()), id);
}

// open_wasm with its Wasm layer (open_wasm.wat, its @NAME@s replaced) at
// tmp/<dir>.
fs::path wasm_gadget(const TempDir& tmp, const std::string& dir, std::map<std::string, std::string> set) {
  set.insert({{"VERSION", "1"}, {"INIT_RESULT", "0"}, {"SYMBOL", "do_sys_openat2"}, {"PROGRAM", "ig_open_e"}});
  std::string wat = read_text(source_dir() / "tests/gadget/gadgets/open_wasm/open_wasm.wat");
  for (const auto& [name, value] : set)
    for (size_t at; (at = wat.find("@" + name + "@")) != std::string::npos;) wat.replace(at, name.size() + 2, value);
  write_text(tmp / (dir + ".wat"), wat);
  RunResult w = run({"wat2wasm", (tmp / (dir + ".wat")).string(), "-o", (tmp / (dir + ".wasm")).string()});
  if (w.exit_code != 0) throw std::runtime_error("wat2wasm: " + w.err);
  fs::path layout = tmp / dir;
  write_ig_layout(layout, dir + ":latest", gadget_yaml("open_wasm"), read_bytes(build_gadget_object(tmp, "open_wasm")),
                  {{oci::kGadgetWasmType, read_bytes(tmp / (dir + ".wasm"))}});
  return layout;
}

// The Wasm layer runs around the eBPF run: gadgetInit logs and reads its
// param, gadgetPreStart asks kallsyms and retargets the program (whose own
// section names no tracepoint), gadgetStart and gadgetStop log; debug
// lines only with -v. The events prove the retarget.
TEST_F(GadgetKernel, WasmLayerRunsAroundTheRun) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ASSERT_NE(read_text("/proc/kallsyms").find(" do_sys_openat2\n"), std::string::npos) << "the oracle: kallsyms";
  fs::path dir = wasm_gadget(tmp, "open-wasm", {});
  fs::path target = tmp / "wasm-target";
  write_text(target, "x");
  EcliProcess p({"run", "-j", "-d", "3", dir.string(), "--pid", std::to_string(getpid()), "--tag", "hello"});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  open_twice(target);
  EXPECT_TRUE(p.wait_output(target.string(), std::chrono::seconds(3))) << p.out();
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool seen = false;
  for (const auto& e : json_lines(r.out)) {
    EXPECT_EQ(e["proc"]["pid"], getpid()) << e.dump();
    seen |= e["fname"] == target.string();
  }
  EXPECT_TRUE(seen) << r.out;
  std::string at = "ecli: " + dir.string() + ": ";
  std::vector<std::string> order = {at + "info: hello from wasm\n", at + "info: tag=hello\n", at + "info: started\n",
                                    "ecli: attached 1 programs\n", at + "info: bye from wasm\n"};
  size_t pos = 0;
  for (const std::string& line : order) {
    size_t found = r.err.find(line, pos);
    EXPECT_NE(found, std::string::npos) << "'" << line << "' in order in:\n" << r.err;
    if (found != std::string::npos) pos = found + line.size();
  }
  EXPECT_EQ(r.err.find("debug: bye from wasm"), std::string::npos) << r.err;
}

// The param's default reaches getParamValue; -v shows the debug level and
// where the program attaches.
TEST_F(GadgetKernel, WasmLayerDefaultsAndVerbose) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = wasm_gadget(tmp, "open-wasm-v", {});
  RunResult r = run({ecli_binary().string(), "run", "-v", "-d", "0.5", dir.string()});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  std::string at = "ecli: " + dir.string() + ": ";
  EXPECT_NE(r.err.find(at + "info: tag=none\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(at + "program 'ig_open_e' attaches to 'syscalls/sys_enter_openat'\n"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(at + "debug: bye from wasm\n"), std::string::npos) << r.err;
}

// What the Wasm layer gets wrong is one error line each (after what the
// module logged itself), nothing attached.
TEST_F(GadgetKernel, WasmLayerErrorsAreOneLine) {
  struct Case {
    std::map<std::string, std::string> set;
    std::string message;
  } cases[] = {
      {{{"INIT_RESULT", "7"}}, "gadgetInit failed (returned 7)"},
      {{{"VERSION", "2"}}, "the gadget's Wasm layer uses API version 2; ecli implements version 1"},
      {{{"PROGRAM", "no_such_prog"}},
       "the Wasm layer sets programs.no_such_prog.attach_to, but the object has no program 'no_such_prog'"},
  };
  int k = 0;
  for (const Case& c : cases) {
    fs::path dir = wasm_gadget(tmp, "bad-wasm-" + std::to_string(k++), c.set);
    RunResult r = run({ecli_binary().string(), "run", "-d", "1", dir.string()});
    EXPECT_EQ(r.exit_code, 1) << r.err;
    std::string last = "ecli: error: " + c.message + " (" + dir.string() + ")\n";
    EXPECT_TRUE(r.err.ends_with(last)) << r.err;
    EXPECT_EQ(r.err.find("error:"), r.err.rfind("error:")) << r.err;
    EXPECT_EQ(r.err.find("attached"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
}

// A Wasm layer that calls a part of IG's host API ecli lacks: one line
// naming the first such import, before anything is loaded.
TEST_F(GadgetKernel, WasmLayerNamesTheFirstMissingImport) {
  write_text(tmp / "g.wat",
             "(module (import \"wasi_snapshot_preview1\" \"proc_exit\" (func (param i32)))\n"
             " (import \"ig\" \"gadgetLog\" (func (param i32 i64)))\n"
             " (import \"env\" \"newDataSource\" (func (param i64 i32) (result i32)))\n"
             " (memory (export \"memory\") 1)\n"
             " (func (export \"gadgetInit\") (result i32) i32.const 0))\n");
  RunResult w = run({"wat2wasm", (tmp / "g.wat").string(), "-o", (tmp / "g.wasm").string()});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  fs::path dir = tmp / "with-wasm";
  write_ig_layout(dir, "with-wasm:latest", gadget_yaml("trace_open"), read_bytes(build_gadget_object(tmp, "trace_open")),
                  {{oci::kGadgetWasmType, read_bytes(tmp / "g.wasm")}});
  RunResult r = run({ecli_binary().string(), "run", dir.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err, "ecli: error: the gadget's Wasm layer imports env.newDataSource, which ecli does not implement "
                   "(Inspektor Gadget's Wasm API) (" + dir.string() + ")\n");
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// A Wasm layer that is no module: one line, nothing run.
TEST_F(GadgetKernel, WasmLayerThatIsNoModule) {
  fs::path dir = tmp / "garbage-wasm";
  write_ig_layout(dir, "garbage-wasm:latest", gadget_yaml("trace_open"), read_bytes(build_gadget_object(tmp, "trace_open")),
                  {{oci::kGadgetWasmType, {0, 'a', 's', 'm', 9, 0, 0, 0}}});
  RunResult r = run({ecli_binary().string(), "run", dir.string()});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_TRUE(r.err.starts_with("ecli: error: invalid wasm module: ")) << r.err;
  EXPECT_TRUE(r.err.ends_with(" (" + dir.string() + ")\n")) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;
}

// -h lists the Wasm layer's params beside the eBPF ones.
TEST_F(GadgetKernel, HelpListsTheWasmParams) {
  fs::path dir = wasm_gadget(tmp, "open-wasm-help", {});
  RunResult r = run({ecli_binary().string(), "run", dir.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("--tag"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("A word the Wasm layer logs at gadgetInit [wasm] (default: none)"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--pid"), std::string::npos) << r.out;
}

// -h lists the params by their keys, with gadget.yaml's help and defaults.
TEST_F(GadgetKernel, HelpListsTheParams) {
  fs::path dir = layout("trace_open");
  RunResult r = run({ecli_binary().string(), "run", dir.string(), "-h"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("trace open: trace open files"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--pid"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Show only failed events"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(default: 4294967295)"), std::string::npos) << r.out;
  // Only params are options: no marker, not IG's own filter switch.
  for (const char* no : {"gadget_param", "gadget_tracer", "gadget_filter_by_mntns", "--targ_pid"})
    EXPECT_EQ(r.out.find(no), std::string::npos) << no << " in " << r.out;
}

}  // namespace
}  // namespace ecc::test
