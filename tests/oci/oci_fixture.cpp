#include "oci_fixture.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/oci.h"

namespace ecc::test {

namespace {

fs::path oci_tests_dir() { return source_dir() / "tests" / "oci"; }

void must_run(const std::vector<std::string>& argv, const std::string& cwd = {}) {
  RunResult r = run(argv, {}, cwd);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " failed: " + r.err);
}

}  // namespace

fs::path oci_ecli_binary() { return ECLI_BINARY; }

int free_port() {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("no free port");
  int port = ntohs(a.sin_port);
  close(fd);
  return port;
}

bool wait_port(int port, int timeout_ms) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (std::chrono::steady_clock::now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<uint16_t>(port));
    bool ok = connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    close(fd);
    if (ok) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

Child::Child(const std::vector<std::string>& argv, const fs::path& log) {
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, 0);
    dup2(fd, 1);
    dup2(fd, 2);
    std::vector<char*> args;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    execvp(args[0], args.data());
    _exit(127);
  }
  if (pid_ < 0) throw std::runtime_error("fork failed");
}

Child& Child::operator=(Child&& o) noexcept {
  stop();
  pid_ = o.pid_;
  o.pid_ = -1;
  return *this;
}

void Child::stop() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);
  for (int i = 0; i < 100; i++) {
    if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
      pid_ = -1;
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

TestCa::TestCa(const fs::path& dir) {
  ca_crt = dir / "ca.crt";
  server_crt = dir / "server.crt";
  server_key = dir / "server.key";
  fs::path ca_key = dir / "ca.key", csr = dir / "server.csr", ext = dir / "san.ext";
  write_text(ext, "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  must_run({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            ca_key.string(), "-out", ca_crt.string(), "-subj", "/CN=ecc test CA", "-days", "2"});
  must_run({"openssl", "req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-keyout",
            server_key.string(), "-out", csr.string(), "-subj", "/CN=127.0.0.1"});
  must_run({"openssl", "x509", "-req", "-in", csr.string(), "-CA", ca_crt.string(), "-CAkey", ca_key.string(),
            "-CAcreateserial", "-out", server_crt.string(), "-days", "2", "-extfile", ext.string()});
}

Registry::Registry(Mode mode) : mode_(mode) {
  port_ = free_port();
  std::string config =
      "version: 0.1\n"
      "log:\n  level: warn\n"
      "storage:\n  filesystem:\n    rootdirectory: " + (dir_ / "data").string() + "\n"
      "  delete:\n    enabled: true\n"
      "http:\n  addr: 127.0.0.1:" + std::to_string(port_) + "\n  secret: ecc-test-secret\n";
  if (mode == Mode::tls_htpasswd) {
    TestCa ca(dir_.path());
    ca_crt_ = ca.ca_crt;
    config += "  tls:\n    certificate: " + ca.server_crt.string() + "\n    key: " + ca.server_key.string() + "\n";
    must_run({"htpasswd", "-Bbc", (dir_ / "htpasswd").string(), kUser, kPassword});
    config += "auth:\n  htpasswd:\n    realm: ecc-test\n    path: " + (dir_ / "htpasswd").string() + "\n";
  }
  if (mode == Mode::token) {
    fs::path key = dir_ / "token.key", crt = dir_ / "token.crt";
    must_run({"openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key.string(), "-out", crt.string(),
              "-subj", "/CN=ecc test token signer", "-days", "2"});
    int token_port = free_port();
    token_ = Child({"python3", (oci_tests_dir() / "token_server.py").string(), "--port", std::to_string(token_port),
                    "--key", key.string(), "--cert", crt.string(), "--user", kUser, "--password", kPassword, "--issuer",
                    "ecc-test-issuer", "--service", "ecc-test-registry", "--issued", (dir_ / "issued").string()},
                   dir_ / "token.log");
    if (!wait_port(token_port, 10000)) throw std::runtime_error("the token service did not start: " + read_text(dir_ / "token.log"));
    config += "auth:\n  token:\n    realm: http://127.0.0.1:" + std::to_string(token_port) +
              "/token\n    service: ecc-test-registry\n    issuer: ecc-test-issuer\n    rootcertbundle: " +
              crt.string() + "\n";
  }
  write_text(dir_ / "config.yml", config);
  server_ = Child({"docker-registry", "serve", (dir_ / "config.yml").string()}, log());
  if (!wait_port(port_, 10000)) throw std::runtime_error("docker-registry did not start: " + read_text(log()));
}

Registry::~Registry() {
  server_.stop();
  token_.stop();
  std::error_code ec;
  for (const auto& d : installed_) fs::remove_all(d, ec);
}

std::vector<std::string> Registry::options() const {
  if (mode_ == Mode::tls_htpasswd) return {};
  return {"--plain-http"};
}

std::string Registry::issued_tokens() const { return read_text(dir_ / "issued"); }

void Registry::install_ca(const std::string& tool) {
  fs::path d = fs::path("/etc") / tool / "certs.d" / host();
  // Removed again in the destructor: the directories this made, outermost last.
  for (fs::path p = d; !fs::exists(p); p = p.parent_path()) installed_.push_back(p);
  fs::create_directories(d);
  fs::copy_file(ca_crt_, d / "ca.crt", fs::copy_options::overwrite_existing);
}

FakeServer::FakeServer(const fs::path& root, const std::string& basic) {
  port_ = free_port();
  std::vector<std::string> argv = {"python3", (oci_tests_dir() / "fake_registry.py").string(), "--port",
                                   std::to_string(port_), "--root", root.string()};
  if (!basic.empty()) argv.insert(argv.end(), {"--basic", basic});
  server_ = Child(argv, dir_ / "fake.log");
  if (!wait_port(port_, 10000)) throw std::runtime_error("fake_registry.py did not start: " + read_text(dir_ / "fake.log"));
}

std::string FakeServer::log() const {
  RunResult r = run({"python3", "-c",
                     "import sys,urllib.request; sys.stdout.write(urllib.request.urlopen(sys.argv[1]).read().decode())",
                     url("/log")});
  return r.out;
}

fs::path write_docker_config(const fs::path& dir, const std::string& registry, const std::string& user,
                             const std::string& password) {
  std::string up = user + ":" + password;
  nlohmann::json j = {{"auths", {{registry, {{"auth", base64_encode(std::span(
                                                          reinterpret_cast<const uint8_t*>(up.data()), up.size()))}}}}}};
  fs::create_directories(dir);
  write_text(dir / "config.json", j.dump(2));
  return dir;
}

fs::path exit_module(const fs::path& dir, int code) {
  fs::path wat = dir / "exit.wat", wasm = dir / "exit.wasm";
  write_text(wat, "(module\n"
                  "  (import \"wasi_snapshot_preview1\" \"proc_exit\" (func $exit (param i32)))\n"
                  "  (memory (export \"memory\") 1)\n"
                  "  (func (export \"_start\") (call $exit (i32.const " + std::to_string(code) + "))))\n");
  must_run({"wat2wasm", wat.string(), "-o", wasm.string()});
  return wasm;
}

fs::path wasm_to_oci_dir(const fs::path& dir, const std::vector<uint8_t>& module, const std::string& title) {
  fs::create_directories(dir);
  const std::string config = "{}";
  std::string config_digest = oci::sha256_digest(std::span(reinterpret_cast<const uint8_t*>(config.data()), config.size()));
  std::string layer_digest = oci::sha256_digest(module);
  // Written by hand, as wasm-to-oci writes it: no manifest mediaType field.
  nlohmann::json m = {
      {"schemaVersion", 2},
      {"config", {{"mediaType", "application/vnd.wasm.config.v1+json"}, {"digest", config_digest}, {"size", 2}}},
      {"layers",
       {{{"mediaType", "application/vnd.wasm.content.layer.v1+wasm"},
         {"digest", layer_digest},
         {"size", module.size()},
         {"annotations", {{"org.opencontainers.image.title", title}}}}}}};
  write_text(dir / "manifest.json", m.dump());
  write_text(dir / "version", "Directory Transport Version: 1.1\n");
  write_text(dir / config_digest.substr(7), config);
  write_text(dir / layer_digest.substr(7), std::string(module.begin(), module.end()));
  return dir;
}

RunResult ecli_with_stdin(const std::vector<std::string>& args, const std::string& input,
                          const std::vector<std::string>& env) {
  TempDir t;
  write_text(t / "stdin", input);
  std::vector<std::string> argv = {"sh", "-c", "exec \"$0\" \"$@\" < '" + (t / "stdin").string() + "'",
                                   oci_ecli_binary().string()};
  argv.insert(argv.end(), args.begin(), args.end());
  return run(argv, env);
}

std::vector<std::string> OciTest::env() const {
  return {"XDG_CACHE_HOME=" + cache().string(), "DOCKER_CONFIG=" + docker_config().string(), "NO_COLOR=1"};
}

RunResult OciTest::ecli(const std::vector<std::string>& a) const {
  std::vector<std::string> argv = {oci_ecli_binary().string()};
  argv.insert(argv.end(), a.begin(), a.end());
  return run(argv, env(), tmp.path().string());
}

RunResult OciTest::ecli_password(const std::vector<std::string>& a, const std::string& password) const {
  return ecli_with_stdin(a, password + "\n", env());
}

std::vector<std::string> OciTest::args(const std::string& command, const Registry& reg,
                                       const std::vector<std::string>& rest) {
  std::vector<std::string> v = {command};
  for (const auto& o : reg.options()) v.push_back(o);
  v.insert(v.end(), rest.begin(), rest.end());
  return v;
}

fs::path OciTest::small_module(const std::string& name) const {
  std::string m("\0asm\1\0\0\0", 8);
  for (int i = 0; i < 300; i++) m += static_cast<char>(i * 7);
  write_text(tmp / name, m);
  return tmp / name;
}

fs::path OciTest::large_module() const {
  std::string big("\0asm\1\0\0\0", 8);
  big.reserve((6u << 20) + 12345);
  uint32_t x = 1;
  while (big.size() < (6u << 20) + 12345) {
    x = x * 1103515245u + 12345u;
    big += static_cast<char>(x >> 24);
  }
  write_text(tmp / "big.wasm", big);
  return tmp / "big.wasm";
}

fs::path OciTest::package_json() const {
  write_text(tmp / "package.json", R"({"bpf_object":"eJwDAAAAAAE=","bpf_object_size":0,"meta":{"bpf_skel":{}}})");
  return tmp / "package.json";
}

std::vector<std::string> files_under(const fs::path& dir) {
  std::vector<std::string> out;
  std::error_code ec;
  if (!fs::exists(dir, ec)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir, ec))
    if (!e.is_directory()) out.push_back(fs::relative(e.path(), dir).string());
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace ecc::test
