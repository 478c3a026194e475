// Trust (docs/trust.md): cosign's key-pair signatures, read and written the
// way `cosign sign --key` / `cosign verify --key` do; the policy file in
// containers-policy.json(5) form, with its scopes and their requirements;
// and the decision that joins them for one image. Errors are ecc::Error
// with one line naming the file and the field.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ecc/inspect.h"
#include "ecc/oci.h"

namespace ecc::trust {

namespace fs = std::filesystem;

// --- keys and signatures (keys.cpp) ---------------------------------------------

// A signing key: a PEM private key as openssl writes it (EC "EC PRIVATE
// KEY" or PKCS#8 "PRIVATE KEY", unencrypted), or cosign's own "ENCRYPTED
// SIGSTORE PRIVATE KEY" / "ENCRYPTED COSIGN PRIVATE KEY" (scrypt + nacl
// secretbox around PKCS#8 DER), its password from $COSIGN_PASSWORD, else a
// prompt on the terminal, else an error line. Only ECDSA P-256 signs, as
// cosign's keys are.
class PrivateKey {
 public:
  static PrivateKey load(const fs::path& file);
  ~PrivateKey();
  PrivateKey(PrivateKey&&) noexcept;
  PrivateKey& operator=(PrivateKey&&) noexcept;
  // ECDSA P-256 over SHA-256 of `payload`: base64 of the DER signature.
  std::string sign(std::span<const uint8_t> payload) const;
  // The public half as a PEM "PUBLIC KEY" (SubjectPublicKeyInfo).
  std::string public_pem() const;

 private:
  struct Impl;
  explicit PrivateKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// A verification key: a PEM "PUBLIC KEY" (as `cosign generate-key-pair`
// and `openssl pkey -pubout` write it). `label` names it in messages: the
// file, or "keyData" of a policy scope.
class PublicKey {
 public:
  static PublicKey load(const fs::path& file);
  static PublicKey from_pem(const std::string& pem, const std::string& label);
  ~PublicKey();
  PublicKey(PublicKey&&) noexcept;
  PublicKey& operator=(PublicKey&&) noexcept;
  // True when `signature_b64` (base64 of DER) is this key's signature of
  // `payload` (SHA-256). Malformed base64 or DER is false, not an error.
  bool verify(std::span<const uint8_t> payload, const std::string& signature_b64) const;
  const std::string& label() const;

 private:
  struct Impl;
  explicit PublicKey(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// --- the simple-signing payload (payload.cpp) -------------------------------------

// {"critical":{"identity":{"docker-reference":"<ref>"},"image":{"docker-manifest-digest":"<digest>"},
//  "type":"cosign container image signature"},"optional":null}, as cosign writes it.
std::string simple_signing_payload(const std::string& docker_reference, const std::string& digest);

struct Claim {
  std::string docker_reference;  // host/repo[:tag]
  std::string digest;            // sha256:<hex>
};
// The claim of a payload; Error(bad_input) naming `where` and the field
// for anything that is not a cosign simple-signing payload.
Claim parse_payload(std::span<const uint8_t> payload, const std::string& where);

// --- the policy file (policy.cpp) ---------------------------------------------------

// How a signature's docker-reference must relate to the image's
// (containers-policy.json(5) signedIdentity).
struct SignedIdentity {
  enum class Kind { match_repo_digest_or_exact, match_exact, match_repository, exact_reference, exact_repository };
  Kind kind = Kind::match_repo_digest_or_exact;
  std::string value;  // exactReference's dockerReference / exactRepository's dockerRepository
};

struct Requirement {
  enum class Type { insecure_accept_anything, reject, sigstore_signed };
  Type type = Type::insecure_accept_anything;
  std::vector<std::string> key_pems;   // keyPath/keyPaths read, keyData decoded
  std::vector<std::string> key_labels; // the file for each, or "keyData"
  SignedIdentity identity;
};

// What applies to one image: the requirements of the most specific scope
// (all must hold), and its load rules.
struct Decision {
  std::string scope;  // `transports.docker."host/repo"`, `default`, ... for -v and messages
  std::vector<Requirement> requirements;
  inspect::Rules rules;
};

// Where an image comes from, as the policy scopes it.
struct Origin {
  enum class Transport { docker, file, https };
  Transport transport = Transport::docker;
  // docker: "host/repo" with tag and digest apart; file: an absolute path;
  // https: "host/path" of an http:// or https:// URL.
  std::string name;
  std::string tag, digest;
};

class Policy {
 public:
  // /etc/ecli/policy.json when it exists, else a policy that accepts
  // anything (ecli's behaviour without a policy, docs/trust.md).
  static Policy load_default();
  // A file given with --policy: must exist and parse. Errors name the
  // file and the JSON path of the field ("transports.docker.\"a/b\"[0].keyPath").
  static Policy load(const fs::path& file);
  static Policy accept_anything();
  // The most specific scope for `o` (containers/image's order for docker:
  // host/repo:tag or @digest, host/repo, its parent namespaces, host,
  // *.domain wildcards, the transport's "", then `default`; for file and
  // https, the longest path prefix, then "", then `default`).
  Decision decide(const Origin& o) const;
  const std::string& file() const { return file_; }

 private:
  std::string file_;
  struct Scopes;
  std::shared_ptr<const Scopes> scopes_;
};

// --- the decision for one image (verify.cpp) -----------------------------------------

// One signature as stored next to an image: the payload's bytes and the
// base64 signature from its layer's annotation.
using Signature = oci::Signature;

// Checks `signatures` of the image `o` names (o.digest set) against every
// requirement of `d`, and adds --verify's keys (`cli_keys`, any of which
// suffices) as one more requirement. Throws Error(bad_input, ..., image)
// with one line: "rejected by policy <scope>", "no signature by <key>",
// "signature does not match", "payload names another image" (its digest
// differs), "payload names another repository". Returns one line per
// requirement saying what satisfied it (for -v).
// Without signature requirements (and without `cli_keys`) nothing is read:
// needs_signatures() says whether to fetch them at all.
std::vector<std::string> check_signatures(const Decision& d, const std::vector<PublicKey>& cli_keys, const Origin& o,
                                          const std::vector<Signature>& signatures, const std::string& image);
bool needs_signatures(const Decision& d, const std::vector<PublicKey>& cli_keys);
// A local file or URL: `signature_b64` is a cosign sign-blob signature of
// `bytes` (the FILE.sig beside it), nullopt when there is none. The same
// requirements and lines as check_signatures, for `where`.
std::vector<std::string> check_blob(const Decision& d, const std::vector<PublicKey>& cli_keys,
                                    std::span<const uint8_t> bytes, const std::optional<std::string>& signature_b64,
                                    const std::string& where);
// A `reject` requirement refuses before anything is fetched: one line.
void check_not_rejected(const Decision& d, const std::string& image);

}  // namespace ecc::trust
