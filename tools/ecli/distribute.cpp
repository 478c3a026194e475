#include "distribute.h"

#include <iostream>
#include <iterator>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/oci.h"
#include "ecc/tool_name.h"

namespace ecc::ecli {

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

}  // namespace

std::string resolve_run_file(const Options& o) {
  switch (oci::classify(o.file)) {
    case oci::Source::file:
      return o.file;
    case oci::Source::url:
      return oci::fetch_url(o.file, client_options(o)).string();
    case oci::Source::reference:
      break;
  }
  return oci::pull(oci::parse_reference(o.file), client_options(o)).file.string();
}

RunTarget resolve_run_target(const Options& o, const std::string& image_name) {
  oci::Source source = oci::classify(o.file);
  if (source == oci::Source::file && oci::is_image_layout(o.file))
    return {o.file, oci::read_layout_gadget(o.file, image_name)};
  if (source != oci::Source::reference) return {resolve_run_file(o), std::nullopt};
  oci::Fetched f = oci::fetch(oci::parse_reference(o.file), client_options(o));
  if (f.gadget) return {o.file, std::move(f.gadget)};
  return {f.artifact->file.string(), std::nullopt};
}

int pull_command(const Options& o) {
  oci::Reference ref = oci::parse_reference(o.reference);
  oci::Fetched f = oci::fetch(ref, client_options(o));
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
  std::string digest = oci::is_image_layout(o.file) ? oci::push_layout(o.file, "", ref, client_options(o))
                                                    : oci::push(o.file, ref, client_options(o));
  std::cerr << tool_name() << ": pushed " << o.file << " to " << ref.str() << "\n";
  std::cout << digest << "\n";
  return 0;
}

}  // namespace ecc::ecli
