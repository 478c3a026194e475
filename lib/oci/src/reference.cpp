// References and the file / URL / reference decision of `ecli run ARG`.
#include <regex>
#include <system_error>

#include "ecc/error.h"
#include "ecc/oci.h"

namespace ecc::oci {

namespace {

// The distribution spec's grammar, lower-case path components.
const std::regex& repository_re() {
  static const std::regex re("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*");
  return re;
}
const std::regex& tag_re() {
  static const std::regex re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  return re;
}
const std::regex& host_re() {
  static const std::regex re("[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?|\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?");
  return re;
}

bool looks_like_host(const std::string& first) {
  if (first.empty() || first[0] == '.') return false;
  return first == "localhost" || first.rfind("localhost:", 0) == 0 || first.find('.') != std::string::npos ||
         first.find(':') != std::string::npos;
}

[[noreturn]] void bad_reference(const std::string& text, const std::string& why) {
  throw Error(Exit::usage, "not an OCI reference (host[:port]/repository[:tag|@sha256:digest]): " + why, text);
}

}  // namespace

std::string Reference::str() const {
  return registry + "/" + repository + (digest.empty() ? ":" + tag : "@" + digest);
}

Reference parse_reference(const std::string& text) {
  Reference r;
  auto slash = text.find('/');
  if (slash == std::string::npos) bad_reference(text, "no registry host");
  r.registry = text.substr(0, slash);
  if (!std::regex_match(r.registry, host_re())) bad_reference(text, "bad registry host '" + r.registry + "'");
  std::string rest = text.substr(slash + 1);
  if (auto at = rest.find('@'); at != std::string::npos) {
    r.digest = rest.substr(at + 1);
    rest = rest.substr(0, at);
    if (!is_sha256_digest(r.digest)) bad_reference(text, "bad digest '" + r.digest + "' (sha256:<64 hex digits>)");
  }
  // A ':' after the last '/' starts the tag.
  auto colon = rest.rfind(':');
  if (colon != std::string::npos && rest.find('/', colon) == std::string::npos) {
    r.tag = rest.substr(colon + 1);
    rest = rest.substr(0, colon);
    if (!std::regex_match(r.tag, tag_re())) bad_reference(text, "bad tag '" + r.tag + "'");
  }
  r.repository = rest;
  if (!std::regex_match(r.repository, repository_re()))
    bad_reference(text, "bad repository '" + r.repository + "' (lower-case letters, digits, '.', '_', '-', '/')");
  if (!r.digest.empty()) r.tag.clear();  // the digest decides; a tag next to it is only a label
  else if (r.tag.empty()) r.tag = "latest";
  return r;
}

bool is_url(const std::string& arg) { return arg.rfind("http://", 0) == 0 || arg.rfind("https://", 0) == 0; }

Source classify(const std::string& arg) {
  std::error_code ec;
  if (std::filesystem::exists(arg, ec)) return Source::file;
  if (is_url(arg)) return Source::url;
  auto slash = arg.find('/');
  if (slash == std::string::npos || !looks_like_host(arg.substr(0, slash))) return Source::file;
  try {
    parse_reference(arg);
  } catch (const Error&) {
    return Source::file;
  }
  return Source::reference;
}

}  // namespace ecc::oci
