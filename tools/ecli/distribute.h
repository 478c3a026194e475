// ecli pull, push, sign and verify, and the fetch step of `ecli run
// FILE|URL|REF` (docs/oci.md, docs/trust.md).
#pragma once

#include <optional>
#include <string>

#include "ecc/oci.h"
#include "ecc/trust.h"
#include "options.h"
#include "inspect_command.h"
#include "trust_run.h"

namespace ecc::ecli {

// What ecli run's argument resolves to: a file to run (a package or an app,
// local or in the cache), or an Inspektor Gadget image with `file` the
// argument itself (docs/oci.md, "Inspektor Gadget images").
struct RunTarget {
  std::string file;
  std::optional<oci::GadgetImage> gadget;
  // A local file's bytes, read once for the policy and the run; nullopt:
  // read `file` (cached, fetched or a gadget's).
  std::optional<std::vector<uint8_t>> bytes;
};
// An existing path that is an image layout (directory or tar) is read with
// `image_name` picking its index.json entry (empty: the only one); a
// reference is fetched (a gadget image, or an artifact's file); a URL is
// fetched into the cache. `guard` judges each (its policy scope, its
// signatures) before it is cached or returned (docs/trust.md).
RunTarget resolve_run_target(const Options& o, const std::string& image_name, TrustGuard& guard);

// `ecli inspect FILE|URL|REF`: the objects of what o.file names (a URL
// or a reference fetched through the cache).
std::vector<NamedObject> objects_of_target(const Options& o);

int pull_command(const Options& o);
// push, and with --sign its signature.
int push_command(const Options& o);
// `ecli sign KEY REF`: the image REF names now, signed in cosign's layout;
// `ecli sign KEY FILE`: FILE.sig, as `cosign sign-blob` writes it.
int sign_command(const Options& o, const std::string& key_file);
void sign_digest(const trust::PrivateKey& key, const oci::Reference& ref, const std::string& digest,
                 const oci::ClientOptions& c);
int sign_blob(const trust::PrivateKey& key, const std::string& file);
// `ecli verify --key PUBKEY REF|FILE`: the verified digest, or one line.
int verify_command(const Options& o);

}  // namespace ecc::ecli
