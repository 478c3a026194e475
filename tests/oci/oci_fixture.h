// Servers on 127.0.0.1 for the distribution tests: Debian's docker-registry
// (plain HTTP; TLS with a CA the test makes and htpasswd; token auth behind
// tests/oci/token_server.py) and tests/oci/fake_registry.py. Each server is
// a child process stopped by its PID when the object goes away, also when
// the test fails.
#pragma once

#include <string>
#include <vector>

#include "test_util.h"

namespace ecc::test {

int free_port();                            // a loopback TCP port nobody listens on now
bool wait_port(int port, int timeout_ms);  // true once 127.0.0.1:port accepts

// One child process with its output in `log`.
class Child {
 public:
  Child() = default;
  Child(const std::vector<std::string>& argv, const fs::path& log);
  ~Child() { stop(); }
  Child(Child&& o) noexcept : pid_(o.pid_) { o.pid_ = -1; }
  Child& operator=(Child&& o) noexcept;
  void stop();  // SIGTERM, then SIGKILL after 2 s; reaped
  int pid() const { return pid_; }

 private:
  int pid_ = -1;
};

// A CA and a server certificate for 127.0.0.1 made with the openssl CLI.
struct TestCa {
  fs::path ca_crt, server_crt, server_key;
  explicit TestCa(const fs::path& dir);
};

class Registry {
 public:
  enum class Mode { plain, tls_htpasswd, token };
  static constexpr const char* kUser = "ecc-user";
  static constexpr const char* kPassword = "s3cret-Pa55word";

  explicit Registry(Mode mode);
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string ref(const std::string& repo_tag) const { return host() + "/" + repo_tag; }
  // ecli's options for this registry: --plain-http for the plain one.
  std::vector<std::string> options() const;
  const fs::path& ca_crt() const { return ca_crt_; }
  // Every token the token service issued (token mode).
  std::string issued_tokens() const;
  // Trusts the CA through /etc/<tool>/certs.d/HOST:PORT/ca.crt until the
  // registry goes away ("docker" or "containers"). Needs root.
  void install_ca(const std::string& tool);
  void stop() { server_.stop(); }
  fs::path log() const { return dir_ / "registry.log"; }

 private:
  Mode mode_;
  TempDir dir_;
  int port_ = 0;
  fs::path ca_crt_;
  std::vector<fs::path> installed_;
  Child token_, server_;
};

// tests/oci/fake_registry.py, serving `root` under /files/.
class FakeServer {
 public:
  explicit FakeServer(const fs::path& root, const std::string& basic = {});
  std::string url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }
  std::string host() const { return "127.0.0.1:" + std::to_string(port_); }
  std::string log() const;  // the JSON of /log
  int port() const { return port_; }

 private:
  TempDir dir_;
  int port_ = 0;
  Child server_;
};

// A docker config.json in `dir` with an `auths` entry (base64 `auth`).
fs::path write_docker_config(const fs::path& dir, const std::string& registry, const std::string& user,
                             const std::string& password);

// A tiny WASI module (wat2wasm) whose _start calls proc_exit(code).
fs::path exit_module(const fs::path& dir, int code);

// Writes `bytes` as the skopeo/containers `dir:` layout of one Wasm module
// in the wasm-to-oci layout (manifest.json, version, blobs named by hex).
fs::path wasm_to_oci_dir(const fs::path& dir, const std::vector<uint8_t>& module, const std::string& title);

// A `ecli` run with stdin fed from `input`.
RunResult ecli_with_stdin(const std::vector<std::string>& args, const std::string& input,
                          const std::vector<std::string>& env = {});
fs::path oci_ecli_binary();

// A test with its own cache ($XDG_CACHE_HOME) and docker config directory
// ($DOCKER_CONFIG, empty unless the test writes one) for every ecli run.
class OciTest : public ::testing::Test {
 protected:
  TempDir tmp;
  fs::path cache() const { return tmp / "cache"; }
  fs::path docker_config() const { return tmp / "docker"; }
  std::vector<std::string> env() const;
  RunResult ecli(const std::vector<std::string>& args) const;
  RunResult ecli_password(const std::vector<std::string>& args, const std::string& password) const;
  // ecli `command` OPTIONS... REST...: the registry's options first.
  static std::vector<std::string> args(const std::string& command, const Registry& reg,
                                       const std::vector<std::string>& rest);
  // The module, a package-shaped JSON, and a large module (chunked upload).
  fs::path small_module(const std::string& name = "app.wasm") const;
  fs::path package_json() const;
  fs::path large_module() const;  // big.wasm, 6 MiB and some
};

// Files under `dir`, recursively (relative paths), for "nothing
// half-written" checks.
std::vector<std::string> files_under(const fs::path& dir);

}  // namespace ecc::test
