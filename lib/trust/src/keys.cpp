// cosign's key pairs (docs/trust.md): PEM private keys as openssl writes
// them, cosign's encrypted ones (scrypt + nacl secretbox around PKCS#8 DER,
// the format `cosign generate-key-pair` writes), ECDSA P-256 signatures over
// SHA-256 as base64 of DER, and PEM public keys to verify them with.
#include <fcntl.h>
#include <openssl/core_names.h>
#include <sodium.h>
#include <termios.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/dynamic_lib.h"
#include "ecc/files.h"
#include "ecc/openssl_lib.h"
#include "ecc/trust.h"

namespace ecc::trust {

namespace {

using nlohmann::json;

struct PkeyFree {
  void operator()(EVP_PKEY* p) const { openssl().EVP_PKEY_free(p); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
struct MdCtxFree {
  void operator()(EVP_MD_CTX* c) const { openssl().EVP_MD_CTX_free(c); }
};
using MdCtx = std::unique_ptr<EVP_MD_CTX, MdCtxFree>;
struct BioFree {
  void operator()(BIO* b) const { openssl().BIO_free(b); }
};
using Bio = std::unique_ptr<BIO, BioFree>;

const char* const kSigstoreType = "ENCRYPTED SIGSTORE PRIVATE KEY";
const char* const kCosignKeyType = "ENCRYPTED COSIGN PRIVATE KEY";

Error bad(const std::string& what, const std::string& file) {
  openssl().ERR_clear_error();
  return Error(Exit::bad_input, what, file);
}

// Bytes that held a secret (a password, a derived key, a private key's DER)
// are wiped before they are freed (explicit_bzero: never optimised away).
// A moved-from vector is empty: its buffer went along.
struct Wiped {
  std::vector<uint8_t> bytes;
  explicit Wiped(std::vector<uint8_t> b) : bytes(std::move(b)) {}
  Wiped(Wiped&&) noexcept = default;
  Wiped& operator=(Wiped&&) = delete;
  ~Wiped() { explicit_bzero(bytes.data(), bytes.size()); }
};
// Never moved: a short string's moved-from buffer would keep its bytes.
struct WipedText {
  std::string text;
  WipedText() = default;
  WipedText(const WipedText&) = delete;
  WipedText& operator=(const WipedText&) = delete;
  ~WipedText() { explicit_bzero(text.data(), text.size()); }
};

// The libsodium functions of cosign's encrypted keys, loaded at first use.
struct SodiumLib {
  decltype(&::sodium_init) init;
  decltype(&::crypto_pwhash_scryptsalsa208sha256_ll) scrypt;
  decltype(&::crypto_secretbox_open_easy) secretbox_open;
};

const SodiumLib& sodium() {
  static const SodiumLib lib = [] {
    DynamicLib so("libsodium.so.23", "encrypted cosign keys", "install libsodium23");
    SodiumLib l{};
    so.get("sodium_init", l.init);
    so.get("crypto_pwhash_scryptsalsa208sha256_ll", l.scrypt);
    so.get("crypto_secretbox_open_easy", l.secretbox_open);
    if (l.init() < 0) throw Error(Exit::tool_failed, "libsodium cannot initialise");
    return l;
  }();
  return lib;
}

// One PEM block: its type ("PUBLIC KEY"), whether it has RFC 1421 headers
// (Proc-Type: 4,ENCRYPTED ...), and its body's bytes.
struct PemBlock {
  std::string type;
  bool has_headers = false;
  std::vector<uint8_t> der;
};

std::string trim(std::string s) {
  while (!s.empty() && (s.back() == '\r' || s.back() == ' ' || s.back() == '\t')) s.pop_back();
  size_t i = s.find_first_not_of(" \t");
  return i == std::string::npos ? std::string() : s.substr(i);
}

// The blocks of a PEM file, in order (an "EC PARAMETERS" block may come
// before openssl's "EC PRIVATE KEY").
std::vector<PemBlock> pem_blocks(const std::string& text, const std::string& file) {
  std::vector<PemBlock> blocks;
  std::istringstream in(text);
  std::string line, body;
  PemBlock* open = nullptr;
  while (std::getline(in, line)) {
    line = trim(line);
    if (!open) {
      if (line.starts_with("-----BEGIN ") && line.ends_with("-----") && line.size() > 16) {
        blocks.push_back({line.substr(11, line.size() - 16), false, {}});
        open = &blocks.back();
        body.clear();
      }
      continue;
    }
    if (line == "-----END " + open->type + "-----") {
      try {
        open->der = base64_decode(body, "the PEM block \"" + open->type + "\"");
      } catch (const Error& e) {
        throw bad(e.what(), file);
      }
      open = nullptr;
    } else if (line.find(':') != std::string::npos) {
      open->has_headers = true;
    } else {
      body += line;
    }
  }
  if (open) throw bad("the PEM block \"" + open->type + "\" has no END line", file);
  if (blocks.empty()) throw bad("not a PEM file (no -----BEGIN line)", file);
  return blocks;
}

// The password of an encrypted key: $COSIGN_PASSWORD when set (even to
// nothing), else asked for on the terminal, as cosign does.
void read_password(WipedText& pw, const std::string& file) {
  if (const char* env = std::getenv("COSIGN_PASSWORD")) {
    pw.text = env;
    return;
  }
  if (!isatty(STDIN_FILENO))
    throw bad("the key is encrypted: set COSIGN_PASSWORD to its password (no terminal to ask on)", file);
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
  if (fd < 0) throw bad("the key is encrypted: set COSIGN_PASSWORD to its password (cannot open /dev/tty)", file);
  // Echo goes off before the prompt shows, and what was typed ahead stays
  // (TCSANOW, not TCSAFLUSH): nothing typed after the prompt is echoed.
  termios saved{};
  bool restore = tcgetattr(fd, &saved) == 0;
  if (restore) {
    termios quiet = saved;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    tcsetattr(fd, TCSANOW, &quiet);
  }
  const std::string prompt = "Enter password for private key: ";
  (void)!write(fd, prompt.data(), prompt.size());
  pw.text.reserve(256);  // so that no reallocation leaves a copy behind
  char c;
  while (read(fd, &c, 1) == 1 && c != '\n') pw.text += c;
  if (restore) tcsetattr(fd, TCSANOW, &saved);
  (void)!write(fd, "\n", 1);
  close(fd);
}

// A field of the encrypted key's JSON that must be a string.
const std::string& string_field(const json& j, const char* key, const std::string& name, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) throw bad("the encrypted key's " + name + " is missing or not a string", file);
  return it->get_ref<const std::string&>();
}

std::vector<uint8_t> b64_field(const json& j, const char* key, const std::string& name, const std::string& file) {
  const std::string& text = string_field(j, key, name, file);
  try {
    return base64_decode(text, "the encrypted key's " + name);
  } catch (const Error& e) {
    throw bad(e.what(), file);
  }
}

const json& object_field(const json& j, const char* key, const std::string& name, const std::string& file) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_object()) throw bad("the encrypted key's " + name + " is missing or not an object", file);
  return *it;
}

struct Scrypt {
  uint64_t n = 0;
  uint32_t r = 0, p = 0;
  std::vector<uint8_t> salt;
};

// kdf: {"name":"scrypt","params":{"N":..,"r":..,"p":..},"salt":"<b64>"}.
// Only the parameter sets go-securesystemslib writes (legacy, standard,
// OWASP) are taken, so that a tampered file cannot ask for any amount of
// memory (docs/trust.md).
Scrypt read_kdf(const json& doc, const std::string& file) {
  const json& kdf = object_field(doc, "kdf", "kdf", file);
  const std::string& name = string_field(kdf, "name", "kdf.name", file);
  if (name != "scrypt") throw bad("the encrypted key's kdf.name is " + json(name).dump() + ", not \"scrypt\"", file);
  const json& params = object_field(kdf, "params", "kdf.params", file);
  Scrypt s;
  auto number = [&](const char* key) -> uint64_t {
    auto it = params.find(key);
    if (it == params.end() || !it->is_number_unsigned())
      throw bad(std::string("the encrypted key's kdf.params.") + key + " is missing or not a whole number", file);
    return it->get<uint64_t>();
  };
  s.n = number("N");
  uint64_t r = number("r"), p = number("p");
  bool known = (s.n == 32768 || s.n == 65536 || s.n == 131072) && r == 8 && p == 1;
  if (!known)
    throw bad("the encrypted key's kdf.params are not scrypt parameters cosign writes (N 32768, 65536 or 131072; r 8; p 1)",
              file);
  s.r = uint32_t(r);
  s.p = uint32_t(p);
  s.salt = b64_field(kdf, "salt", "kdf.salt", file);
  return s;
}

// The PKCS#8 DER inside cosign's encrypted key (its PEM body is this JSON).
Wiped decrypt_cosign(const std::vector<uint8_t>& body, const std::string& file) {
  json doc = json::parse(body.begin(), body.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw bad("the encrypted key's body is not a JSON object", file);
  Scrypt kdf = read_kdf(doc, file);
  const json& cipher = object_field(doc, "cipher", "cipher", file);
  const std::string& name = string_field(cipher, "name", "cipher.name", file);
  if (name != "nacl/secretbox")
    throw bad("the encrypted key's cipher.name is " + json(name).dump() + ", not \"nacl/secretbox\"", file);
  std::vector<uint8_t> nonce = b64_field(cipher, "nonce", "cipher.nonce", file);
  if (nonce.size() != crypto_secretbox_NONCEBYTES)
    throw bad("the encrypted key's cipher.nonce is " + std::to_string(nonce.size()) + " bytes, not " +
                  std::to_string(crypto_secretbox_NONCEBYTES),
              file);
  std::vector<uint8_t> box = b64_field(doc, "ciphertext", "ciphertext", file);
  if (box.size() < crypto_secretbox_MACBYTES) throw bad("the encrypted key's ciphertext is too short", file);

  const SodiumLib& na = sodium();
  WipedText password;
  read_password(password, file);
  Wiped key{std::vector<uint8_t>(crypto_secretbox_KEYBYTES)};
  if (na.scrypt(reinterpret_cast<const uint8_t*>(password.text.data()), password.text.size(),
                kdf.salt.data(), kdf.salt.size(), kdf.n, kdf.r, kdf.p, key.bytes.data(), key.bytes.size()) != 0)
    throw Error(Exit::tool_failed, "scrypt failed (out of memory?)", file);
  Wiped der{std::vector<uint8_t>(box.size() - crypto_secretbox_MACBYTES)};
  if (na.secretbox_open(der.bytes.data(), box.data(), box.size(), nonce.data(), key.bytes.data()) != 0)
    throw bad("cannot decrypt the key: wrong password?", file);
  return der;
}

// The private key of a file: the first PEM block that holds one.
Pkey read_private_key(const fs::path& path) {
  const std::string file = path.string();
  std::vector<PemBlock> blocks = pem_blocks(read_text_file(path, "the private key"), file);
  for (PemBlock& b : blocks) {
    bool cosign = b.type == kSigstoreType || b.type == kCosignKeyType;
    if (!cosign && (b.type == "ENCRYPTED PRIVATE KEY" || b.has_headers))
      throw bad("the key is encrypted as openssl does it; give it unencrypted or as cosign's encrypted key", file);
    if (!b.type.ends_with("PRIVATE KEY")) continue;
    Wiped der = cosign ? decrypt_cosign(b.der, file) : Wiped(std::move(b.der));
    const unsigned char* p = der.bytes.data();
    Pkey key(openssl().d2i_AutoPrivateKey_ex(nullptr, &p, long(der.bytes.size()), nullptr, nullptr));
    if (!key) throw bad("the PEM block \"" + b.type + "\" is not a private key openssl reads", file);
    return key;
  }
  throw bad("no private key in the PEM file (only " + blocks.front().type + ")", file);
}

// cosign's keys are ECDSA P-256, and so are the signatures it verifies.
void require_p256(EVP_PKEY* key, const std::string& file) {
  if (!openssl().EVP_PKEY_is_a(key, "EC")) {
    const char* type = openssl().EVP_PKEY_get0_type_name(key);
    throw bad(std::string("the key is ") + (type ? type : "not EC") + ", but only ECDSA P-256 keys sign, as cosign's do",
              file);
  }
  char group[80] = {};
  size_t len = 0;
  if (!openssl().EVP_PKEY_get_utf8_string_param(key, OSSL_PKEY_PARAM_GROUP_NAME, group, sizeof group, &len))
    throw bad("the EC key has no named curve, but only ECDSA P-256 keys sign, as cosign's do", file);
  std::string name(group, len);
  if (name != "prime256v1" && name != "P-256")
    throw bad("the key is on curve " + name + ", but only ECDSA P-256 keys sign, as cosign's do", file);
}

}  // namespace

// --- PrivateKey ---------------------------------------------------------------

struct PrivateKey::Impl {
  Pkey key;
  std::string file;
};

PrivateKey::PrivateKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PrivateKey::~PrivateKey() = default;
PrivateKey::PrivateKey(PrivateKey&&) noexcept = default;
PrivateKey& PrivateKey::operator=(PrivateKey&&) noexcept = default;

PrivateKey PrivateKey::load(const fs::path& file) {
  Pkey key = read_private_key(file);
  require_p256(key.get(), file.string());
  return PrivateKey(std::make_unique<Impl>(Impl{std::move(key), file.string()}));
}

std::string PrivateKey::sign(std::span<const uint8_t> payload) const {
  const OpensslLib& ssl = openssl();
  MdCtx ctx(ssl.EVP_MD_CTX_new());
  size_t len = 0;
  bool ok = ctx &&
            ssl.EVP_DigestSignInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->key.get(), nullptr) == 1 &&
            ssl.EVP_DigestSign(ctx.get(), nullptr, &len, payload.data(), payload.size()) == 1;
  std::vector<uint8_t> sig(len);
  ok = ok && ssl.EVP_DigestSign(ctx.get(), sig.data(), &len, payload.data(), payload.size()) == 1;
  if (!ok) {
    ssl.ERR_clear_error();
    throw Error(Exit::tool_failed, "openssl cannot sign with the key", impl_->file);
  }
  sig.resize(len);
  return base64_encode(sig);
}

std::string PrivateKey::public_pem() const {
  Bio bio(openssl().BIO_new(openssl().BIO_s_mem()));
  if (!bio || openssl().PEM_write_bio_PUBKEY(bio.get(), impl_->key.get()) != 1) {
    openssl().ERR_clear_error();
    throw Error(Exit::tool_failed, "openssl cannot write the public key", impl_->file);
  }
  char* data = nullptr;
  long len = openssl().BIO_get_mem_data(bio.get(), &data);
  return std::string(data, size_t(len));
}

// --- PublicKey ----------------------------------------------------------------

struct PublicKey::Impl {
  Pkey key;
  std::string label;
};

PublicKey::PublicKey(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PublicKey::~PublicKey() = default;
PublicKey::PublicKey(PublicKey&&) noexcept = default;
PublicKey& PublicKey::operator=(PublicKey&&) noexcept = default;

PublicKey PublicKey::load(const fs::path& file) { return from_pem(read_text_file(file, "the public key"), file.string()); }

PublicKey PublicKey::from_pem(const std::string& pem, const std::string& label) {
  for (const PemBlock& b : pem_blocks(pem, label)) {
    if (b.type != "PUBLIC KEY") continue;
    const unsigned char* p = b.der.data();
    Pkey key(openssl().d2i_PUBKEY_ex(nullptr, &p, long(b.der.size()), nullptr, nullptr));
    if (!key) throw bad("the PEM block \"PUBLIC KEY\" is not a public key openssl reads", label);
    return PublicKey(std::make_unique<Impl>(Impl{std::move(key), label}));
  }
  throw bad("no PEM block \"PUBLIC KEY\" (a public key as `cosign generate-key-pair` writes it)", label);
}

bool PublicKey::verify(std::span<const uint8_t> payload, const std::string& signature_b64) const {
  std::vector<uint8_t> sig;
  try {
    sig = base64_decode(signature_b64, "signature");
  } catch (const Error&) {
    return false;
  }
  MdCtx ctx(openssl().EVP_MD_CTX_new());
  bool ok = ctx &&
            openssl().EVP_DigestVerifyInit_ex(ctx.get(), nullptr, "SHA256", nullptr, nullptr, impl_->key.get(), nullptr) == 1 &&
            openssl().EVP_DigestVerify(ctx.get(), sig.data(), sig.size(), payload.data(), payload.size()) == 1;
  openssl().ERR_clear_error();
  return ok;
}

const std::string& PublicKey::label() const { return impl_->label; }

}  // namespace ecc::trust
