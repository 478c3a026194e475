// What ecli's trust policy says of one run, pull or verify (docs/trust.md):
// the policy file (--policy, else /etc/ecli/policy.json, else accept
// anything), --verify's keys, the scope that applies to the image, its
// signature requirements checked before anything is cached or loaded, and
// its load rules checked on every object before libbpf opens it.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "ecc/oci.h"
#include "ecc/trust.h"
#include "options.h"

namespace ecc::ecli {

class TrustGuard {
 public:
  explicit TrustGuard(const Options& o);

  // A reference: a `reject` scope refuses now; signatures are checked by
  // fetch() through `c.verify` before anything is cached.
  void guard_reference(const oci::Reference& ref, oci::ClientOptions& c);
  // A local file, layout or URL (its bytes as fetched): a signature
  // requirement is met by a cosign sign-blob signature beside it
  // (FILE.sig / URL.sig, base64), `sidecar` when there is one.
  void guard_blob(const std::string& file_or_url, std::span<const uint8_t> bytes,
                  const std::optional<std::string>& sidecar);
  // The digests verified so far (references), for `ecli verify`.
  const std::vector<std::string>& verified() const { return verified_; }

  // The scope's load rules as a check of each object's bytes: one line
  // naming the program and the helper or type refused. Empty when the
  // scope has no rules.
  std::function<void(const uint8_t*, size_t)> load_check(const std::string& where) const;
  // The same check of every BPF object inside `bytes` (a package's object,
  // the objects an app.wasm carries), before anything runs.
  void check_objects(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& objects) const;

 private:
  void decided(const trust::Origin& origin);
  void say(const std::string& line) const;

  trust::Policy policy_;
  std::vector<trust::PublicKey> keys_;
  trust::Decision decision_;
  std::vector<std::string> verified_;
  bool verbose_ = false;
  std::shared_ptr<std::set<size_t>> said_ = std::make_shared<std::set<size_t>>();  // objects -v reported
};

// The origin a policy scopes a local path or URL by.
trust::Origin blob_origin(const std::string& file_or_url);

}  // namespace ecc::ecli
