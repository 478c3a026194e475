#include "distribute.h"

#include <iostream>
#include <iterator>

#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/oci.h"

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

int pull_command(const Options& o) {
  oci::Reference ref = oci::parse_reference(o.reference);
  oci::Pulled p = oci::pull(ref, client_options(o));
  std::string out = o.output.empty() ? oci::default_output_name(p.artifact) : o.output;
  copy_atomic(p.file, out);
  std::cerr << "ecli: pulled " << ref.registry << "/" << ref.repository << "@" << p.manifest_digest << " to " << out
            << "\n";
  return 0;
}

int push_command(const Options& o) {
  oci::Reference ref = oci::parse_reference(o.reference);
  std::string digest = oci::push(o.file, ref, client_options(o));
  std::cerr << "ecli: pushed " << o.file << " to " << ref.str() << "\n";
  std::cout << digest << "\n";
  return 0;
}

}  // namespace ecc::ecli
