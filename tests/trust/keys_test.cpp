// cosign key pairs and the simple-signing payload (docs/trust.md), with the
// openssl CLI as the oracle for keys and signatures, and
// tests/trust/cosign_key.py (python3-nacl, hashlib.scrypt) writing cosign's
// encrypted keys.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <stdexcept>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/trust.h"
#include "test_util.h"

namespace {

namespace fs = std::filesystem;
using ecc::test::read_bytes;
using ecc::test::read_text;
using ecc::test::TempDir;
using ecc::test::write_text;
using ecc::trust::PrivateKey;
using ecc::trust::PublicKey;
using nlohmann::json;

std::vector<uint8_t> bytes(const std::string& s) { return {s.begin(), s.end()}; }

// Runs a command that must succeed; its stdout.
std::string must(const std::vector<std::string>& argv) {
  auto r = ecc::test::run(argv);
  if (r.exit_code != 0) throw std::runtime_error(argv[0] + " " + argv[1] + " failed: " + r.err);
  return r.out;
}

fs::path ec_key(const TempDir& d, const std::string& name, const std::string& curve = "prime256v1") {
  must({"openssl", "ecparam", "-genkey", "-name", curve, "-noout", "-out", (d / name).string()});
  return d / name;
}

fs::path public_of(const TempDir& d, const fs::path& key) {
  fs::path pub = d / (key.filename().string() + ".pub");
  must({"openssl", "pkey", "-in", key.string(), "-pubout", "-out", pub.string()});
  return pub;
}

// openssl's word on `sig_b64` as `pub`'s signature of `payload`.
bool openssl_verifies(const TempDir& d, const fs::path& pub, const std::string& payload, const std::string& sig_b64) {
  write_text(d / "payload", payload);
  auto der = ecc::base64_decode(sig_b64, "signature");
  write_text(d / "sig.der", std::string(der.begin(), der.end()));
  auto r = ecc::test::run({"openssl", "dgst", "-sha256", "-verify", pub.string(), "-signature", (d / "sig.der").string(),
                           (d / "payload").string()});
  return r.exit_code == 0 && r.out.find("Verified OK") != std::string::npos;
}

std::string openssl_sign(const TempDir& d, const fs::path& key, const std::string& payload) {
  write_text(d / "payload", payload);
  must({"openssl", "dgst", "-sha256", "-sign", key.string(), "-out", (d / "sig.der").string(), (d / "payload").string()});
  return ecc::base64_encode(read_bytes(d / "sig.der"));
}

// The one line of the Error that `f` must throw about `file`.
std::string error_of(const std::function<void()>& f, const std::string& file) {
  try {
    f();
  } catch (const ecc::Error& e) {
    EXPECT_EQ(e.code(), ecc::Exit::bad_input);
    EXPECT_EQ(e.file(), file);
    std::string what = e.what();
    EXPECT_EQ(what.find('\n'), std::string::npos) << what;
    return what;
  }
  ADD_FAILURE() << "no error";
  return {};
}

std::string load_error(const fs::path& key) {
  return error_of([&] { PrivateKey::load(key); }, key.string());
}

// An environment variable set (or unset) for one scope.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, std::optional<std::string> value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value) setenv(name, value->c_str(), 1);
    else unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_) setenv(name_, old_->c_str(), 1);
    else unsetenv(name_);
  }

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// Standard input that is not a terminal for one scope (a developer may
// run the test binary in one), so that nothing prompts.
class NoTerminal {
 public:
  NoTerminal() {
    if (!isatty(STDIN_FILENO)) return;
    saved_ = dup(STDIN_FILENO);
    int null = open("/dev/null", O_RDONLY);
    dup2(null, STDIN_FILENO);
    close(null);
  }
  ~NoTerminal() {
    if (saved_ < 0) return;
    dup2(saved_, STDIN_FILENO);
    close(saved_);
  }

 private:
  int saved_ = -1;
};

const std::string kPayload = "{\"critical\":{}} some bytes to sign";

// --- keys as openssl writes them -----------------------------------------------

void expect_signs_like_openssl(const TempDir& d, const fs::path& key) {
  PrivateKey k = PrivateKey::load(key);
  fs::path pub = public_of(d, key);
  std::string sig = k.sign(bytes(kPayload));
  EXPECT_TRUE(openssl_verifies(d, pub, kPayload, sig));
  EXPECT_FALSE(openssl_verifies(d, pub, kPayload + "!", sig));
  EXPECT_EQ(k.public_pem(), read_text(pub));
  // ECDSA signatures differ each time; both verify.
  std::string again = k.sign(bytes(kPayload));
  EXPECT_NE(sig, again);
  EXPECT_TRUE(openssl_verifies(d, pub, kPayload, again));
}

TEST(PrivateKey, Sec1KeySignsAndOpensslVerifies) {
  TempDir d;
  expect_signs_like_openssl(d, ec_key(d, "k.pem"));
}

TEST(PrivateKey, Pkcs8KeySignsAndOpensslVerifies) {
  TempDir d;
  must({"openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", (d / "k.pem").string()});
  ASSERT_NE(read_text(d / "k.pem").find("-----BEGIN PRIVATE KEY-----"), std::string::npos);
  expect_signs_like_openssl(d, d / "k.pem");
}

TEST(PrivateKey, Sec1KeyAfterEcParametersBlock) {
  TempDir d;
  must({"openssl", "ecparam", "-genkey", "-name", "prime256v1", "-out", (d / "k.pem").string()});
  ASSERT_NE(read_text(d / "k.pem").find("-----BEGIN EC PARAMETERS-----"), std::string::npos);
  expect_signs_like_openssl(d, d / "k.pem");
}

TEST(PrivateKey, OtherCurvesAndRsaDoNotSign) {
  TempDir d;
  EXPECT_NE(load_error(ec_key(d, "p384.pem", "secp384r1")).find("secp384r1, but only ECDSA P-256"), std::string::npos);
  must({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", (d / "rsa.pem").string()});
  EXPECT_NE(load_error(d / "rsa.pem").find("the key is RSA, but only ECDSA P-256"), std::string::npos);
  must({"openssl", "genpkey", "-algorithm", "ED25519", "-out", (d / "ed.pem").string()});
  EXPECT_NE(load_error(d / "ed.pem").find("ED25519, but only ECDSA P-256"), std::string::npos);
}

TEST(PrivateKey, BadFilesAreOneLine) {
  TempDir d;
  auto key_file = [&](const std::string& name, const std::string& text) {
    write_text(d / name, text);
    return load_error(d / name);
  };
  EXPECT_NE(load_error(d / "missing.pem").find("cannot read the private key"), std::string::npos);
  EXPECT_NE(key_file("empty.pem", "").find("not a PEM file"), std::string::npos);
  EXPECT_NE(key_file("open.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n").find("has no END line"), std::string::npos);
  EXPECT_NE(key_file("b64.pem", "-----BEGIN PRIVATE KEY-----\nA*AA\n-----END PRIVATE KEY-----\n").find("not valid base64"),
            std::string::npos);
  EXPECT_NE(key_file("der.pem", "-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
                .find("\"PRIVATE KEY\" is not a private key openssl reads"),
            std::string::npos);
  fs::path pub = public_of(d, ec_key(d, "k.pem"));
  EXPECT_NE(load_error(pub).find("no private key in the PEM file (only PUBLIC KEY)"), std::string::npos);
  must({"openssl", "pkcs8", "-topk8", "-in", (d / "k.pem").string(), "-passout", "pass:pw", "-out",
        (d / "enc.pem").string()});
  EXPECT_NE(load_error(d / "enc.pem").find("encrypted as openssl does it"), std::string::npos);
  // The older SEC1 form, with Proc-Type and DEK-Info headers.
  must({"openssl", "ec", "-in", (d / "k.pem").string(), "-aes256", "-passout", "pass:pw", "-out", (d / "enc1.pem").string()});
  ASSERT_NE(read_text(d / "enc1.pem").find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
  EXPECT_NE(load_error(d / "enc1.pem").find("encrypted as openssl does it"), std::string::npos);
}

// --- public keys -----------------------------------------------------------------

TEST(PublicKey, VerifiesOpensslSignatures) {
  TempDir d;
  fs::path key = ec_key(d, "k.pem"), other = ec_key(d, "other.pem");
  PublicKey pub = PublicKey::load(public_of(d, key));
  EXPECT_EQ(pub.label(), (d / "k.pem.pub").string());
  std::string sig = openssl_sign(d, key, kPayload);
  EXPECT_TRUE(pub.verify(bytes(kPayload), sig));
  EXPECT_FALSE(pub.verify(bytes(kPayload + " "), sig));
  auto der = ecc::base64_decode(sig, "signature");
  for (size_t i : {size_t(0), der.size() / 2, der.size() - 1}) {
    auto flipped = der;
    flipped[i] ^= 0x04;
    EXPECT_FALSE(pub.verify(bytes(kPayload), ecc::base64_encode(flipped))) << "byte " << i;
  }
  EXPECT_FALSE(pub.verify(bytes(kPayload), openssl_sign(d, other, kPayload)));
  EXPECT_FALSE(pub.verify(bytes(kPayload), "not base64!"));
  EXPECT_FALSE(pub.verify(bytes(kPayload), ""));
  EXPECT_FALSE(pub.verify(bytes(kPayload), ecc::base64_encode(bytes("not DER at all"))));
  // A signature of ours verifies with the key from openssl.
  EXPECT_TRUE(pub.verify(bytes(kPayload), PrivateKey::load(key).sign(bytes(kPayload))));
}

TEST(PublicKey, RsaKeysVerifyToo) {
  TempDir d;
  must({"openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", (d / "rsa.pem").string()});
  PublicKey pub = PublicKey::from_pem(read_text(public_of(d, d / "rsa.pem")), "keyData");
  EXPECT_EQ(pub.label(), "keyData");
  std::string sig = openssl_sign(d, d / "rsa.pem", kPayload);
  EXPECT_TRUE(pub.verify(bytes(kPayload), sig));
  EXPECT_FALSE(pub.verify(bytes(kPayload + "x"), sig));
}

TEST(PublicKey, BadPemIsOneLineNamingTheLabel) {
  TempDir d;
  auto from = [](const std::string& pem) { return error_of([&] { PublicKey::from_pem(pem, "keyData"); }, "keyData"); };
  EXPECT_NE(from("").find("not a PEM file"), std::string::npos);
  EXPECT_NE(from(read_text(ec_key(d, "k.pem"))).find("no PEM block \"PUBLIC KEY\""), std::string::npos);
  EXPECT_NE(from("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n").find("not a public key openssl reads"),
            std::string::npos);
  fs::path missing = d / "missing.pub";
  EXPECT_NE(error_of([&] { PublicKey::load(missing); }, missing.string()).find("cannot read the public key"),
            std::string::npos);
}

// --- cosign's encrypted keys ---------------------------------------------------------

// An openssl key and the same key as cosign's encrypted key (by the Python
// oracle), its public half as openssl writes it.
struct CosignKey {
  fs::path encrypted, pub;
};

CosignKey cosign_key(const TempDir& d, const std::string& password, const std::string& type = {}) {
  fs::path key = ec_key(d, "plain.pem");
  must({"openssl", "pkcs8", "-topk8", "-nocrypt", "-outform", "DER", "-in", key.string(), "-out", (d / "k.der").string()});
  std::vector<std::string> argv = {"/usr/bin/python3", (ecc::test::source_dir() / "tests/trust/cosign_key.py").string(),
                                   (d / "k.der").string(), (d / "cosign.key").string(), password};
  if (!type.empty()) argv.insert(argv.end(), {"--type", type});
  must(argv);
  return {d / "cosign.key", public_of(d, key)};
}

TEST(CosignKey, DecryptsWithCosignPasswordAndSigns) {
  for (std::string type : {"ENCRYPTED SIGSTORE PRIVATE KEY", "ENCRYPTED COSIGN PRIVATE KEY"}) {
    TempDir d;
    CosignKey k = cosign_key(d, "correct horse", type);
    ASSERT_NE(read_text(k.encrypted).find("-----BEGIN " + type + "-----"), std::string::npos);
    ScopedEnv pw("COSIGN_PASSWORD", "correct horse");
    PrivateKey key = PrivateKey::load(k.encrypted);
    EXPECT_TRUE(openssl_verifies(d, k.pub, kPayload, key.sign(bytes(kPayload)))) << type;
    EXPECT_EQ(key.public_pem(), read_text(k.pub)) << type;
  }
}

TEST(CosignKey, EmptyPasswordIsAPassword) {
  TempDir d;
  CosignKey k = cosign_key(d, "");
  ScopedEnv pw("COSIGN_PASSWORD", "");
  NoTerminal no_tty;
  EXPECT_TRUE(openssl_verifies(d, k.pub, kPayload, PrivateKey::load(k.encrypted).sign(bytes(kPayload))));
}

TEST(CosignKey, WrongPasswordIsOneLineWithoutIt) {
  TempDir d;
  CosignKey k = cosign_key(d, "right");
  ScopedEnv pw("COSIGN_PASSWORD", "wrong-secret");
  std::string what = load_error(k.encrypted);
  EXPECT_EQ(what, "cannot decrypt the key: wrong password?");
  EXPECT_EQ(what.find("wrong-secret"), std::string::npos);
}

TEST(CosignKey, NoPasswordAndNoTerminalIsOneLine) {
  TempDir d;
  CosignKey k = cosign_key(d, "right");
  ScopedEnv pw("COSIGN_PASSWORD", std::nullopt);
  NoTerminal no_tty;
  EXPECT_NE(load_error(k.encrypted).find("set COSIGN_PASSWORD"), std::string::npos);
}

// Loads `key` in a child whose terminal is a pseudo-terminal, without
// COSIGN_PASSWORD, typing `password` at the prompt. The child's exit code
// (0: loaded, 1: an Error) and all the terminal showed.
std::pair<int, std::string> load_on_terminal(const fs::path& key, const std::string& password) {
  int master = -1;
  pid_t pid = forkpty(&master, nullptr, nullptr, nullptr);
  if (pid < 0) throw std::runtime_error("forkpty failed");
  if (pid == 0) {
    unsetenv("COSIGN_PASSWORD");
    try {
      PrivateKey::load(key);
      _exit(0);
    } catch (const ecc::Error&) {
      _exit(1);
    }
  }
  std::string shown;
  bool typed = false;
  for (;;) {
    pollfd p{master, POLLIN, 0};
    if (poll(&p, 1, 10000) <= 0) break;  // a child that hangs fails the exit code check
    char buf[256];
    ssize_t n = read(master, buf, sizeof buf);
    if (n <= 0) break;  // EIO: the child has gone
    shown.append(buf, size_t(n));
    if (!typed && shown.find("Enter password for private key: ") != std::string::npos) {
      std::string line = password + "\n";
      typed = write(master, line.data(), line.size()) == ssize_t(line.size());
    }
  }
  close(master);
  int status = 0;
  waitpid(pid, &status, 0);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, shown};
}

TEST(CosignKey, PromptsOnTheTerminalWithoutEcho) {
  TempDir d;
  CosignKey k = cosign_key(d, "typed-secret");
  auto [code, shown] = load_on_terminal(k.encrypted, "typed-secret");
  EXPECT_EQ(code, 0) << shown;
  EXPECT_NE(shown.find("Enter password for private key: "), std::string::npos) << shown;
  EXPECT_EQ(shown.find("typed-secret"), std::string::npos) << shown;
  auto [wrong, shown2] = load_on_terminal(k.encrypted, "other-secret");
  EXPECT_EQ(wrong, 1) << shown2;
  EXPECT_EQ(shown2.find("other-secret"), std::string::npos) << shown2;
}

// The encrypted key with its JSON changed by `edit`, written to `name`.
fs::path damaged(const TempDir& d, const CosignKey& k, const std::string& name, const std::function<void(json&)>& edit) {
  std::string pem = read_text(k.encrypted);
  size_t begin = pem.find('\n') + 1, end = pem.find("-----END");
  std::string body;
  for (char c : pem.substr(begin, end - begin))
    if (c != '\n') body += c;
  auto text = ecc::base64_decode(body, "body");
  json doc = json::parse(text.begin(), text.end());
  edit(doc);
  std::string out = doc.dump();
  write_text(d / name, "-----BEGIN ENCRYPTED SIGSTORE PRIVATE KEY-----\n" + ecc::base64_encode(bytes(out)) +
                           "\n-----END ENCRYPTED SIGSTORE PRIVATE KEY-----\n");
  return d / name;
}

TEST(CosignKey, DamagedFieldsAreOneLineEach) {
  TempDir d;
  CosignKey k = cosign_key(d, "pw");
  ScopedEnv pw("COSIGN_PASSWORD", "pw");
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j = json::array(); }, "the encrypted key's body is not a JSON object"},
      {[](json& j) { j.erase("kdf"); }, "kdf is missing or not an object"},
      {[](json& j) { j["kdf"]["name"] = "bcrypt"; }, "kdf.name is \"bcrypt\", not \"scrypt\""},
      {[](json& j) { j["kdf"]["name"] = "two\nlines"; }, "kdf.name is \"two\\nlines\", not \"scrypt\""},
      {[](json& j) { j["kdf"].erase("params"); }, "kdf.params is missing"},
      {[](json& j) { j["kdf"]["params"]["N"] = 1u << 30; }, "kdf.params are not scrypt parameters cosign writes"},
      {[](json& j) { j["kdf"]["params"]["r"] = "8"; }, "kdf.params.r is missing or not a whole number"},
      {[](json& j) { j["kdf"]["salt"] = 5; }, "kdf.salt is missing or not a string"},
      {[](json& j) { j["kdf"]["salt"] = "%%%%"; }, "kdf.salt is not valid base64"},
      {[](json& j) { j.erase("cipher"); }, "cipher is missing or not an object"},
      {[](json& j) { j["cipher"]["name"] = "aes-gcm"; }, "cipher.name is \"aes-gcm\", not \"nacl/secretbox\""},
      {[](json& j) { j["cipher"]["nonce"] = "AAAA"; }, "cipher.nonce is 3 bytes, not 24"},
      {[](json& j) { j.erase("ciphertext"); }, "ciphertext is missing or not a string"},
      {[](json& j) { j["ciphertext"] = "AAAA"; }, "ciphertext is too short"},
  };
  for (size_t i = 0; i < cases.size(); i++) {
    fs::path f = damaged(d, k, "damaged" + std::to_string(i) + ".key", cases[i].edit);
    EXPECT_NE(load_error(f).find(cases[i].expected), std::string::npos) << cases[i].expected;
  }
  // A flipped byte of the ciphertext fails as a wrong password does.
  fs::path f = damaged(d, k, "flipped.key", [](json& j) {
    auto c = ecc::base64_decode(j["ciphertext"].get<std::string>(), "ciphertext");
    c[20] ^= 1;
    j["ciphertext"] = ecc::base64_encode(c);
  });
  EXPECT_EQ(load_error(f), "cannot decrypt the key: wrong password?");
  // The untouched JSON, re-encoded, still loads.
  EXPECT_NO_THROW(PrivateKey::load(damaged(d, k, "same.key", [](json&) {})));
}

// --- the simple-signing payload --------------------------------------------------------

const std::string kDigest = "sha256:" + std::string(64, 'a');

TEST(Payload, ExactlyCosignsBytes) {
  EXPECT_EQ(ecc::trust::simple_signing_payload("localhost:5000/ebpf/sigsnoop", "sha256:" + std::string(32, '0') +
                                                                                 std::string(32, 'f')),
            "{\"critical\":{\"identity\":{\"docker-reference\":\"localhost:5000/ebpf/sigsnoop\"},"
            "\"image\":{\"docker-manifest-digest\":\"sha256:00000000000000000000000000000000ffffffffffffffffffffffffffff"
            "ffff\"},\"type\":\"cosign container image signature\"},\"optional\":null}");
  // Go's encoding/json escapes these, so cosign's bytes have them escaped.
  EXPECT_NE(ecc::trust::simple_signing_payload("a<b>&\"c", kDigest).find(R"("a\u003cb\u003e\u0026\"c")"),
            std::string::npos);
}

TEST(Payload, RoundTrips) {
  std::string p = ecc::trust::simple_signing_payload("ghcr.io/a/b", kDigest);
  auto claim = ecc::trust::parse_payload(bytes(p), "sig");
  EXPECT_EQ(claim.docker_reference, "ghcr.io/a/b");
  EXPECT_EQ(claim.digest, kDigest);
  // containers/image's own type is accepted too, and fields in any order.
  json j = json::parse(p);
  j["critical"]["type"] = "atomic container signature";
  j["optional"] = {{"creator", "skopeo"}};
  EXPECT_EQ(ecc::trust::parse_payload(bytes(j.dump(2)), "sig").digest, kDigest);
}

TEST(Payload, EachBadFieldIsOneLine) {
  const json good = json::parse(ecc::trust::simple_signing_payload("r/x", kDigest));
  struct Case {
    std::function<void(json&)> edit;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {[](json& j) { j = "text"; }, "is not a JSON object"},
      {[](json& j) { j.erase("critical"); }, "has no object critical"},
      {[](json& j) { j["critical"].erase("type"); }, "has no string critical.type"},
      {[](json& j) { j["critical"]["type"] = "other"; }, "has critical.type \"other\", not \"cosign container image signature\""},
      {[](json& j) { j["critical"].erase("image"); }, "has no string critical.image.docker-manifest-digest"},
      {[](json& j) { j["critical"]["image"] = 3; }, "has no string critical.image.docker-manifest-digest"},
      {[](json& j) { j["critical"]["image"]["docker-manifest-digest"] = "sha256:abc"; }, "not sha256:<64 hex digits>"},
      {[](json& j) { j["critical"]["image"]["docker-manifest-digest"] = "sha512:" + std::string(64, 'a'); },
       "not sha256:<64 hex digits>"},
      {[](json& j) { j["critical"]["image"]["docker-manifest-digest"] = "sha256:" + std::string(64, 'A'); },
       "not sha256:<64 hex digits>"},
      {[](json& j) { j["critical"].erase("identity"); }, "has no string critical.identity.docker-reference"},
      {[](json& j) { j["critical"]["identity"]["docker-reference"] = nullptr; },
       "has no string critical.identity.docker-reference"},
  };
  for (const Case& c : cases) {
    json j = good;
    c.edit(j);
    std::string what = error_of([&] { ecc::trust::parse_payload(bytes(j.dump()), "img@sig0"); }, "img@sig0");
    EXPECT_NE(what.find(c.expected), std::string::npos) << what;
  }
  std::string not_json = "{\"critical\":";
  EXPECT_NE(error_of([&] { ecc::trust::parse_payload(bytes(not_json), "w"); }, "w").find("is not a JSON object"),
            std::string::npos);
}

}  // namespace
