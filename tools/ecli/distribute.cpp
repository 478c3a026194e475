#include "distribute.h"

#include <iostream>
#include <filesystem>
#include <iterator>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/oci.h"
#include "ecc/tool_name.h"
#include "ecc/trust.h"
#include "trust_run.h"


namespace ecc::ecli {

namespace fs = std::filesystem;

namespace {

// The options with -u USER --password-stdin read in (never echoed).
oci::ClientOptions client_options(const Options& o) {
  oci::ClientOptions c = o.registry;
  if (!o.password_stdin) return c;
  std::string password((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
  while (!password.empty() && (password.back() == '\n' || password.back() == '\r')) password.pop_back();
  if (password.empty()) throw Error(Exit::usage, "--password-stdin: stdin is empty");
  c.credentials = oci::Credentials{o.user, password};
  return c;
}

// `from` copied to `to` under a temporary name, then renamed into place.
// Through PendingFile::write, not std::filesystem::copy_file: libstdc++'s
// copy_file reports a full disk as "Input/output error".
void copy_atomic(const std::filesystem::path& from, const std::filesystem::path& to) {
  PendingFile out(to);
  out.write(read_file(from, "the pulled file", Exit::tool_failed));
  out.commit();
}

// The bytes a local file's policy scope judges, and the cosign sign-blob
// signature beside it (FILE.sig): a layout directory is its index.json
// (which pins every blob by digest), signed as DIR.sig. Returns a file's
// bytes (nullopt for a directory or a missing file).
std::optional<std::vector<uint8_t>> guard_local(TrustGuard& guard, const std::string& path) {
  const bool dir = fs::is_directory(path);
  fs::path file = dir ? fs::path(path) / "index.json" : fs::path(path);
  std::string sig_path = fs::path(path).lexically_normal().string();
  while (sig_path.size() > 1 && sig_path.back() == '/') sig_path.pop_back();
  std::optional<std::vector<uint8_t>> sig = try_read_file(sig_path + ".sig");
  std::optional<std::string> sidecar;
  if (sig) {
    sidecar = std::string(sig->begin(), sig->end());
    while (!sidecar->empty() && std::isspace(static_cast<unsigned char>(sidecar->back()))) sidecar->pop_back();
  }
  std::optional<std::vector<uint8_t>> bytes;
  if (fs::exists(file)) bytes = read_file(file);
  guard.guard_blob(path, bytes ? std::span<const uint8_t>(*bytes) : std::span<const uint8_t>(), sidecar);
  if (dir) return std::nullopt;
  return bytes;
}

// A local path: a layout directory or tar is a gadget; any other file runs
// from the bytes the guard judged (one read).
RunTarget local_target(TrustGuard& guard, const std::string& path, const std::string& image_name) {
  std::optional<std::vector<uint8_t>> bytes = guard_local(guard, path);
  if (bytes ? oci::is_image_layout_tar(*bytes) : oci::is_image_layout(path))
    return {path, oci::read_layout_gadget(path, image_name), std::nullopt};
  return {path, std::nullopt, std::move(bytes)};
}

// A URL's bytes are judged by its https scope before they are cached.
oci::ClientOptions guarded_url(TrustGuard& guard, const Options& o) {
  oci::ClientOptions c = client_options(o);
  c.verify_blob = [&guard, url = o.file](std::span<const uint8_t> bytes, const std::optional<std::string>& sig) {
    guard.guard_blob(url, bytes, sig);
  };
  return c;
}

// A reference's signatures are checked by fetch() before anything is cached.
oci::ClientOptions guarded_reference(TrustGuard& guard, const Options& o, const oci::Reference& ref) {
  oci::ClientOptions c = client_options(o);
  guard.guard_reference(ref, c);
  return c;
}

}  // namespace

RunTarget resolve_run_target(const Options& o, const std::string& image_name, TrustGuard& guard) {
  switch (oci::classify(o.file)) {
    case oci::Source::file:
      return local_target(guard, o.file, image_name);
    case oci::Source::url:
      return {oci::fetch_url(o.file, guarded_url(guard, o)).string(), std::nullopt, std::nullopt};
    case oci::Source::reference:
      break;
  }
  oci::Reference ref = oci::parse_reference(o.file);
  oci::Fetched f = oci::fetch(ref, guarded_reference(guard, o, ref));
  if (f.gadget) return {o.file, std::move(f.gadget), std::nullopt};
  return {f.artifact->file.string(), std::nullopt, std::nullopt};
}

std::vector<NamedObject> objects_of_target(const Options& o) {
  switch (oci::classify(o.file)) {
    case oci::Source::file:
      return objects_of_file(o.file, o.image);
    case oci::Source::url:
      return objects_of_file(oci::fetch_url(o.file, client_options(o)).string(), "");
    case oci::Source::reference:
      break;
  }
  oci::Fetched f = oci::fetch(oci::parse_reference(o.file), client_options(o));
  if (f.gadget) return {{o.file, f.gadget->ebpf}};
  return objects_of_file(f.artifact->file.string(), "");
}

int pull_command(const Options& o) {
  oci::Reference ref = oci::parse_reference(o.reference);
  TrustGuard guard(o);
  oci::Fetched f = oci::fetch(ref, guarded_reference(guard, o, ref));
  std::string out, digest;
  if (f.gadget) {
    // A gadget is a layout named like the repository, as `ig image export` would.
    out = o.output.empty() ? ref.repository.substr(ref.repository.rfind('/') + 1) : o.output;
    oci::write_pulled_layout(out, *f.gadget, ref.digest.empty() ? ref.str() : ref.registry + "/" + ref.repository);
    digest = f.gadget->manifest_digest;
  } else {
    out = o.output.empty() ? oci::default_output_name(f.artifact->artifact) : o.output;
    copy_atomic(f.artifact->file, out);
    digest = f.artifact->manifest_digest;
  }
  std::cerr << tool_name() << ": pulled " << ref.registry << "/" << ref.repository << "@" << digest << " to " << out
            << "\n";
  return 0;
}

int push_command(const Options& o) {
  oci::Reference ref = oci::parse_reference(o.reference);
  // The key first: a wrong password or a bad key pushes nothing.
  std::optional<trust::PrivateKey> key;
  if (!o.sign_key.empty()) key = trust::PrivateKey::load(o.sign_key);
  std::string digest = oci::is_image_layout(o.file) ? oci::push_layout(o.file, "", ref, client_options(o))
                                                    : oci::push(o.file, ref, client_options(o));
  std::cerr << tool_name() << ": pushed " << o.file << " to " << ref.str() << "\n";
  if (key) sign_digest(*key, ref, digest, client_options(o));
  std::cout << digest << "\n";
  return 0;
}

void sign_digest(const trust::PrivateKey& key, const oci::Reference& ref, const std::string& digest,
                 const oci::ClientOptions& c) {
  std::string payload = trust::simple_signing_payload(ref.registry + "/" + ref.repository, digest);
  std::span<const uint8_t> bytes(reinterpret_cast<const uint8_t*>(payload.data()), payload.size());
  oci::Signature s{std::vector<uint8_t>(bytes.begin(), bytes.end()), key.sign(bytes)};
  trust::PublicKey signer = trust::PublicKey::from_pem(key.public_pem(), "the signing key");
  auto same_signer = [&signer](const oci::Signature& old) { return signer.verify(old.payload, old.signature_b64); };
  std::string sig_digest = oci::push_signature(ref, digest, s, c, same_signer);
  std::cerr << tool_name() << ": signed " << ref.registry << "/" << ref.repository << "@" << digest << " ("
            << oci::signature_tag(digest) << ", " << sig_digest << ")\n";
}

int sign_command(const Options& o, const std::string& key_file) {
  trust::PrivateKey key = trust::PrivateKey::load(key_file);
  if (oci::classify(o.reference) != oci::Source::reference) return sign_blob(key, o.reference);
  oci::Reference ref = oci::parse_reference(o.reference);
  oci::ClientOptions c = client_options(o);
  std::string digest = oci::resolve_digest(ref, c);
  sign_digest(key, ref, digest, c);
  std::cout << digest << "\n";
  return 0;
}

int sign_blob(const trust::PrivateKey& key, const std::string& file) {
  std::string sig = key.sign(read_file(file)) + "\n";
  PendingFile out(file + ".sig");
  out.write(std::span(reinterpret_cast<const uint8_t*>(sig.data()), sig.size()));
  out.commit();
  std::cerr << tool_name() << ": signed " << file << " (" << file << ".sig)\n";
  return 0;
}

int verify_command(const Options& o) {
  if (o.verify_keys.empty() && o.policy.empty())
    throw Error(Exit::usage, "ecli verify needs --key PUBKEY or --policy FILE");
  TrustGuard guard(o);
  if (oci::classify(o.reference) == oci::Source::file) {
    guard_local(guard, o.reference);
    std::cout << "verified " << o.reference << "\n";
    return 0;
  }
  oci::Reference ref = oci::parse_reference(o.reference);
  oci::ClientOptions c = guarded_reference(guard, o, ref);
  if (!c.verify) throw Error(Exit::bad_input, "the policy asks for no signature", ref.str());
  std::string digest = oci::resolve_digest(ref, c);
  std::optional<oci::SignatureImage> sigs = oci::fetch_signatures(ref, digest, c);
  c.verify(digest, sigs ? sigs->signatures : std::vector<oci::Signature>());
  std::cout << ref.registry << "/" << ref.repository << "@" << digest << "\n";
  return 0;
}

}  // namespace ecc::ecli
