// The decision for one image (docs/trust.md, "Verification"): every
// requirement of the policy scope that applies, and --verify's keys as one
// more, checked against the image's signatures. A signature counts for a
// key when the key verifies it and its payload names exactly the digest
// being run (and, under a policy, a repository its signedIdentity allows).
#include <algorithm>
#include <functional>

#include "ecc/error.h"
#include "ecc/trust.h"

namespace ecc::trust {

namespace {

// "host/repo[:tag|@digest]" as name and tag (digest references keep the
// digest in `tag` with its '@').
std::pair<std::string, std::string> split_reference(const std::string& ref) {
  auto at = ref.find('@');
  if (at != std::string::npos) return {ref.substr(0, at), ref.substr(at)};
  auto slash = ref.rfind('/');
  auto colon = ref.rfind(':');
  if (colon != std::string::npos && (slash == std::string::npos || colon > slash))
    return {ref.substr(0, colon), ref.substr(colon + 1)};
  return {ref, ""};
}

// Whether a payload naming `claimed` may stand for the image `o`. cosign
// writes "host/repo" without a tag: under matchRepoDigestOrExact such a
// claim pins the image by its digest, which is what ecli runs.
bool identity_allows(const SignedIdentity& id, const std::string& claimed, const Origin& o) {
  auto [name, tag] = split_reference(claimed);
  using K = SignedIdentity::Kind;
  switch (id.kind) {
    case K::match_repo_digest_or_exact:
      return name == o.name && (tag.empty() || tag[0] == '@' || o.tag.empty() || tag == o.tag);
    case K::match_exact:
      return name == o.name && !o.tag.empty() && tag == o.tag;
    case K::match_repository:
      return name == o.name;
    case K::exact_reference:
      return claimed == id.value;
    case K::exact_repository:
      return name == id.value;
  }
  return false;
}

std::string key_names(const std::vector<const PublicKey*>& keys) {
  std::string out;
  for (const PublicKey* k : keys) out += (out.empty() ? "" : " or ") + k->label();
  return out;
}

// What one set of keys found among the signatures: the key that verified
// a signature naming this image, else the closest failure.
struct Finding {
  const PublicKey* by = nullptr;
  std::string failure;  // set when `by` is not
  int rank = 0;         // the more telling failure wins
};

void note(Finding& f, int rank, const std::string& failure) {
  if (rank > f.rank) f = Finding{nullptr, failure, rank};
}

// One signature against `keys`: found, or a failure noted.
void examine(Finding& f, const std::vector<const PublicKey*>& keys, const SignedIdentity* id, const Origin& o,
             const Signature& s, const std::string& image) {
  const PublicKey* by = nullptr;
  for (const PublicKey* k : keys)
    if (!by && k->verify(s.payload, s.signature_b64)) by = k;
  Claim c;
  try {
    c = parse_payload(s.payload, image);
  } catch (const Error& e) {
    return note(f, by ? 4 : 2, by ? std::string(e.what()) : "signature does not match " + key_names(keys));
  }
  if (!by)
    return note(f, c.digest == o.digest ? 2 : 1,
                c.digest == o.digest ? "signature does not match " + key_names(keys)
                                     : "no signature by " + key_names(keys));
  if (c.digest != o.digest) return note(f, 4, "payload names another image (" + c.digest + ")");
  if (id && !identity_allows(*id, c.docker_reference, o))
    return note(f, 3, "payload names another repository (" + c.docker_reference + ")");
  f.by = by;
}

// Throws the failure line unless one of `keys` signed the image.
const PublicKey& require_signed(const std::vector<const PublicKey*>& keys, const SignedIdentity* id, const Origin& o,
                                const std::vector<Signature>& signatures, const std::string& image) {
  Finding f;
  for (const Signature& s : signatures) {
    examine(f, keys, id, o, s, image);
    if (f.by) return *f.by;
  }
  if (f.failure.empty()) f.failure = "no signature by " + key_names(keys);
  throw Error(Exit::bad_input, f.failure, image);
}

std::vector<const PublicKey*> pointers(const std::vector<PublicKey>& keys) {
  std::vector<const PublicKey*> out;
  for (const PublicKey& k : keys) out.push_back(&k);
  return out;
}

// A blob signature against `keys`: the key that made it, else one line.
const PublicKey& require_blob_signed(const std::vector<const PublicKey*>& keys, std::span<const uint8_t> bytes,
                                     const std::optional<std::string>& signature_b64, const std::string& where) {
  if (!signature_b64) throw Error(Exit::bad_input, "no signature by " + key_names(keys) + " (no .sig beside it)", where);
  for (const PublicKey* k : keys)
    if (k->verify(bytes, *signature_b64)) return *k;
  throw Error(Exit::bad_input, "signature does not match " + key_names(keys), where);
}

// Which key met a requirement (its keys, its signedIdentity or none for
// --verify); throws the failure line.
using Require = std::function<const PublicKey*(const std::vector<const PublicKey*>&, const SignedIdentity*)>;

// Every requirement of `d`, then --verify's keys: a line for each met.
std::vector<std::string> check_all(const Decision& d, const std::vector<PublicKey>& cli_keys, const std::string& where,
                                   const Require& require) {
  check_not_rejected(d, where);
  std::vector<std::string> said;
  for (const Requirement& r : d.requirements) {
    if (r.type == Requirement::Type::insecure_accept_anything) {
      said.push_back(d.scope + ": insecureAcceptAnything");
      continue;
    }
    std::vector<PublicKey> keys;
    for (size_t i = 0; i < r.key_pems.size(); i++) keys.push_back(PublicKey::from_pem(r.key_pems[i], r.key_labels[i]));
    said.push_back(d.scope + ": sigstoreSigned, signed by " + require(pointers(keys), &r.identity)->label());
  }
  if (!cli_keys.empty()) said.push_back("--verify: signed by " + require(pointers(cli_keys), nullptr)->label());
  return said;
}

}  // namespace

bool needs_signatures(const Decision& d, const std::vector<PublicKey>& cli_keys) {
  return !cli_keys.empty() || std::any_of(d.requirements.begin(), d.requirements.end(), [](const Requirement& r) {
           return r.type == Requirement::Type::sigstore_signed;
         });
}

void check_not_rejected(const Decision& d, const std::string& image) {
  for (const Requirement& r : d.requirements)
    if (r.type == Requirement::Type::reject) throw Error(Exit::bad_input, "rejected by policy " + d.scope, image);
}

std::vector<std::string> check_signatures(const Decision& d, const std::vector<PublicKey>& cli_keys, const Origin& o,
                                          const std::vector<Signature>& signatures, const std::string& image) {
  return check_all(d, cli_keys, image, [&](const std::vector<const PublicKey*>& keys, const SignedIdentity* id) {
    return &require_signed(keys, id, o, signatures, image);
  });
}

std::vector<std::string> check_blob(const Decision& d, const std::vector<PublicKey>& cli_keys,
                                    std::span<const uint8_t> bytes, const std::optional<std::string>& signature_b64,
                                    const std::string& where) {
  return check_all(d, cli_keys, where, [&](const std::vector<const PublicKey*>& keys, const SignedIdentity*) {
    return &require_blob_signed(keys, bytes, signature_b64, where);
  });
}

}  // namespace ecc::trust
