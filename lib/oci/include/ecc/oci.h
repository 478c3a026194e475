// Distribution through OCI registries and URLs (docs/oci.md): references, the
// manifest layout shared with wasm-to-oci and eunomia-bpf's ecli, credentials
// as docker/podman keep them, push/pull over the distribution spec, and the
// content-addressed cache `ecli run REF|URL` runs from. Errors are
// ecc::Error with one line naming the reference or URL.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace ecc::oci {

namespace fs = std::filesystem;

inline constexpr const char* kManifestType = "application/vnd.oci.image.manifest.v1+json";
inline constexpr const char* kConfigType = "application/vnd.wasm.config.v1+json";
inline constexpr const char* kWasmLayerType = "application/vnd.wasm.content.layer.v1+wasm";
inline constexpr const char* kPackageLayerType = "application/vnd.ecc.package.v1+json";
inline constexpr const char* kTitleAnnotation = "org.opencontainers.image.title";
inline constexpr const char* kIndexType = "application/vnd.oci.image.index.v1+json";
inline constexpr const char* kRefNameAnnotation = "org.opencontainers.image.ref.name";

// Inspektor Gadget's image format (docs/gadget.md): an index with one
// manifest per platform, the gadget.yaml as config, raw layers.
inline constexpr const char* kGadgetArtifactType = "application/vnd.gadget.v1+binary";
inline constexpr const char* kGadgetConfigType = "application/vnd.gadget.config.v1+yaml";
inline constexpr const char* kGadgetEbpfType = "application/vnd.gadget.ebpf.program.v1+binary";
inline constexpr const char* kGadgetWasmType = "application/vnd.gadget.wasm.program.v1+binary";
inline constexpr const char* kGadgetBtfgenType = "application/vnd.gadget.btfgen.v1+binary";

// --- references (reference.cpp) ---------------------------------------------

// host[:port]/repo[:tag|@sha256:<hex>]; the tag defaults to "latest".
struct Reference {
  std::string registry;    // host[:port]
  std::string repository;  // a/b/c
  std::string tag;         // empty when `digest` is set
  std::string digest;      // "sha256:<64 hex>" or empty
  // The tag or digest, as the manifest URL takes it.
  const std::string& version() const { return digest.empty() ? tag : digest; }
  std::string str() const;  // registry/repository:tag or @digest
};

// Throws Error(usage) naming `text` when it is not a reference.
Reference parse_reference(const std::string& text);
bool is_url(const std::string& arg);  // only http:// and https://

// What `ecli run ARG` means: a path that exists always wins; then URLs; then
// anything whose first component looks like a registry host (has '.' or ':'
// or is "localhost") and parses as a reference; everything else is a file.
enum class Source { file, url, reference };
Source classify(const std::string& arg);

// --- digests (digest.cpp) -----------------------------------------------------

std::string sha256_digest(std::span<const uint8_t> bytes);  // "sha256:<hex>"
bool is_sha256_digest(const std::string& digest);

// --- credentials (auth.cpp) -------------------------------------------------------

struct Credentials {
  std::string user, password;
};

// One WWW-Authenticate challenge: scheme lower-cased, parameters as given
// (realm, service, scope...). nullopt for a header that does not parse.
struct Challenge {
  std::string scheme;
  std::map<std::string, std::string> params;
};
std::optional<Challenge> parse_www_authenticate(const std::string& header);

// $DOCKER_CONFIG/config.json, else ~/.docker/config.json.
fs::path docker_config_path();
// The `auths` entry for `registry` (keys may carry a scheme or a path; the
// base64 `auth` "user:password" or `username`/`password`). A config that does
// not parse throws Error(bad_input) naming the file.
std::optional<Credentials> docker_config_credentials(const fs::path& config, const std::string& registry);

// --- manifests (manifest.cpp) -------------------------------------------------------

struct Descriptor {
  std::string media_type;
  std::string digest;
  uint64_t size = 0;
  std::map<std::string, std::string> annotations;
};

// The image manifest of one module or package: config {} of kConfigType and
// one layer; `title` goes on the layer and on the manifest.
std::string build_manifest(const Descriptor& config, const Descriptor& layer, const std::string& title);

// The one layer ecli can run, and its title (from the layer, else the
// manifest; empty when neither has one). Throws Error(bad_input) naming
// `where` for an index, an ordinary container image or a malformed manifest.
struct Artifact {
  Descriptor layer;
  std::string title;
};
Artifact read_manifest(const std::string& text, const std::string& where);

// `pull -o` default: the title's file name, else app.wasm / package.json.
std::string default_output_name(const Artifact& a);

// The layer type of a file's bytes: a Wasm module (magic) or a package.json
// (a JSON object with bpf_object, or eunomia's data/data_sz); empty otherwise.
std::string layer_type_of(std::span<const uint8_t> bytes);

// --- the registry client (registry.cpp) ------------------------------------------

struct Signature;  // below, with the signatures

struct ClientOptions {
  std::optional<Credentials> credentials;  // -u/--password-stdin; else docker config
  bool plain_http = false;                 // http:// instead of https://
  bool insecure = false;                   // TLS without verification
  bool verbose = false;                    // one line per request (never a secret)
  uint64_t max_size = uint64_t{512} << 20;  // per blob
  bool progress = true;                     // on a tty, for downloads over a second
  // When set, fetch() reads the signatures of the image a reference names
  // (from the cache for a cached digest, else the registry) and calls this
  // with its digest before anything is cached or returned; it throws to
  // refuse the image (docs/trust.md).
  std::function<void(const std::string& digest, const std::vector<Signature>& signatures)> verify;
  // When set, fetch_url() also GETs URL.sig (a cosign sign-blob signature,
  // base64; nullopt when the server has none) and calls this with the
  // fetched bytes before they are cached or returned.
  std::function<void(std::span<const uint8_t> bytes, const std::optional<std::string>& signature_b64)> verify_blob;
};

struct Pulled {
  fs::path file;                // the layer in the cache
  Artifact artifact;
  std::string manifest_digest;
};

// Resolves `ref` and fetches its layer into the cache (both checked against
// their digests). A digest reference whose manifest and layer are cached
// needs no network. fetch() underneath: an index picks this platform's
// manifest; a gadget image is an error line.
Pulled pull(const Reference& ref, const ClientOptions& opts);

// Pushes `file` (an app.wasm or a package.json) to `ref`; returns the
// manifest's digest.
std::string push(const fs::path& file, const Reference& ref, const ClientOptions& opts);

// GETs `url` into the cache: the file returned is a module or a package
// (by content; the Content-Type or suffix only names what was served).
// Redirects are followed; opts.verify_blob is asked first.
fs::path fetch_url(const std::string& url, const ClientOptions& opts);

// --- gadget images (gadget_image.cpp, layout.cpp) -----------------------------------

// One gadget image for this platform, every part checked against its digest
// and size. Built from a registry (through the cache), an OCI image layout
// directory or a layout tar by the same code.
struct GadgetImage {
  std::string where;                              // the reference, directory or tar, for messages
  std::string manifest;                           // the platform manifest's JSON text, as served
  std::string manifest_digest;                    // its digest
  std::map<std::string, std::string> annotations; // the manifest's
  std::string metadata;                           // the config blob: gadget.yaml's text
  std::vector<uint8_t> ebpf;                      // the ELF (exactly one ebpf layer)
  std::vector<uint8_t> wasm;                      // empty without a wasm layer
  std::vector<uint8_t> btfgen;                    // empty without a btfgen layer (a tar)
};

// The platform ecli runs on, as OCI names it: "amd64", "arm64", ...
std::string host_architecture();

// What a reference names: ecli's one-layer artifact, or a gadget image.
struct Fetched {
  std::optional<Pulled> artifact;
  std::optional<GadgetImage> gadget;
};
// pull() generalised: an index picks this platform's manifest; a gadget
// manifest has its config and every layer fetched into the cache. A digest
// reference whose blobs are all cached needs no network.
Fetched fetch(const Reference& ref, const ClientOptions& opts);

// An OCI image layout: a directory with `oci-layout` and `index.json`, or a
// tar of one (`ig image export`).
bool is_image_layout(const fs::path& path);
// The same for a file's bytes already read: a tar of a layout.
bool is_image_layout_tar(std::span<const uint8_t> file);
// The gadget image of a layout: `name` picks the index.json entry by its
// org.opencontainers.image.ref.name "host/a/b:tag": the whole of it, "tag",
// "b" or "b:tag" (or the entry's digest); entries naming the same digest
// are one image. Empty `name` takes the only image (one line naming the
// choices when there are several). Errors name `path`.
GadgetImage read_layout_gadget(const fs::path& path, const std::string& name);

// One platform's image for write_gadget_layout (ecc --gadget).
struct GadgetBuild {
  std::string architecture;                       // "amd64", "arm64"
  std::string metadata;                           // gadget.yaml
  std::vector<uint8_t> ebpf, wasm, btfgen;        // wasm and btfgen may be empty
  std::map<std::string, std::string> annotations; // org.opencontainers.image.*
};
// Writes an OCI image layout holding one index (one manifest per build, as
// IG's builder lays it out) under `ref_name` (no name when empty): a
// directory, or a tar when `path` ends in ".tar". Atomic: nothing is left at
// `path` on failure; a layout (or an empty directory) already at `path` is
// replaced, any other directory is refused.
void write_gadget_layout(const fs::path& path, const std::vector<GadgetBuild>& builds, const std::string& ref_name);
// `ecli pull` of a gadget: the pulled image as a layout (directory or .tar),
// its manifest byte for byte (same digest), named `ref_name`, its index.json
// entry on linux/host_architecture(). Atomic as write_gadget_layout.
void write_pulled_layout(const fs::path& path, const GadgetImage& image, const std::string& ref_name);
// `ecli push LAYOUT REF`: of the index.json entry `name` picks (as
// read_layout_gadget), every blob and every platform's manifest (by digest),
// then the index (or the single manifest) under REF's tag, each with its own
// media type; returns the digest REF now names.
std::string push_layout(const fs::path& layout, const std::string& name, const Reference& ref,
                        const ClientOptions& opts);

// --- signatures (signatures.cpp), cosign's layout (docs/trust.md) -----------------

inline constexpr const char* kSimpleSigningType = "application/vnd.dev.cosign.simplesigning.v1+json";
inline constexpr const char* kCosignSignatureAnnotation = "dev.cosignproject.cosign/signature";
inline constexpr const char* kImageConfigType = "application/vnd.oci.image.config.v1+json";

// One signature as cosign stores it next to an image: the simple-signing
// payload's bytes (a layer) and the base64 signature (its annotation).
struct Signature {
  std::vector<uint8_t> payload;
  std::string signature_b64;
};

// "sha256-<hex>.sig": the tag of the signatures of `digest`.
std::string signature_tag(const std::string& digest);
// The digest of the manifest or index `ref` names now (its digest when it
// has one; else HEAD, else GET).
std::string resolve_digest(const Reference& ref, const ClientOptions& opts);
// The signature image of `digest` (a manifest whose layers are payloads)
// as its manifest and signatures; its blobs checked against their digests.
struct SignatureImage {
  std::string manifest;
  std::string manifest_digest;
  std::vector<Descriptor> layers;  // the simple-signing layers, in order
  std::vector<Signature> signatures;
};
// The signatures stored for `digest` in ref's repository; nullopt when
// there are none (no such tag).
std::optional<SignatureImage> fetch_signatures(const Reference& ref, const std::string& digest,
                                               const ClientOptions& opts);
// Appends `s` to the signatures of `digest` in ref's repository (a new
// signature image when there is none); returns the signature manifest's
// digest. A layer with the same payload whose signature `same_signer`
// accepts (ECDSA signatures differ each time: the same key signed it) is
// kept instead, as cosign's duplicate detection does.
std::string push_signature(const Reference& ref, const std::string& digest, const Signature& s,
                           const ClientOptions& opts, const std::function<bool(const Signature&)>& same_signer);
// The signature manifest `layers` make, with a config naming their diff_ids
// as go-containerregistry (cosign) writes it.
std::string build_signature_manifest(const std::vector<Descriptor>& layers, std::string& config_text);

// --- the cache (cache.cpp) ----------------------------------------------------------

// cache_root()/oci (ecc/cache_root.h): $XDG_CACHE_HOME/ecc/oci, else ~/.cache/ecc/oci.
fs::path cache_dir();
// <cache>/<kind>/sha256/<hex> for kind "blobs" or "manifests".
fs::path cache_path(const std::string& kind, const std::string& digest);
// The cached bytes when present and still matching `digest`.
std::optional<std::vector<uint8_t>> cache_read(const std::string& kind, const std::string& digest);
// Writes atomically; returns the path.
fs::path cache_write(const std::string& kind, const std::string& digest, std::span<const uint8_t> bytes);

}  // namespace ecc::oci
