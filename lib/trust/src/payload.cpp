// The simple-signing payload cosign signs (docs/trust.md): written byte for
// byte as cosign writes it, read as containers/image reads it.
#include <nlohmann/json.hpp>

#include "ecc/error.h"
#include "ecc/trust.h"

namespace ecc::trust {

namespace {

using nlohmann::json;

const char* const kCosignPayloadType = "cosign container image signature";
const char* const kAtomicType = "atomic container signature";  // containers/image's own signatures

// A JSON string as Go's encoding/json writes it (cosign's payload is Go's
// json.Marshal): <, > and & escaped too.
std::string go_json_string(const std::string& s) {
  static const char hex[] = "0123456789abcdef";
  std::string out = "\"";
  for (unsigned char c : s) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '\r') {
      out += "\\r";
    } else if (c == '\t') {
      out += "\\t";
    } else if (c < 0x20 || c == '<' || c == '>' || c == '&') {
      out += "\\u00";
      out += hex[c >> 4];
      out += hex[c & 15];
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

// The member at `path` ("critical", "image", ...), or null when one of the
// steps is missing or not an object.
const json* member(const json& j, std::initializer_list<const char*> path) {
  const json* at = &j;
  for (const char* key : path) {
    if (!at->is_object()) return nullptr;
    auto it = at->find(key);
    if (it == at->end()) return nullptr;
    at = &*it;
  }
  return at;
}

bool is_sha256_digest(const std::string& d) {
  if (d.size() != 7 + 64 || !d.starts_with("sha256:")) return false;
  for (char c : d.substr(7))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

}  // namespace

std::string simple_signing_payload(const std::string& docker_reference, const std::string& digest) {
  return R"({"critical":{"identity":{"docker-reference":)" + go_json_string(docker_reference) +
         R"(},"image":{"docker-manifest-digest":)" + go_json_string(digest) + R"(},"type":)" +
         go_json_string(kCosignPayloadType) + R"(},"optional":null})";
}

Claim parse_payload(std::span<const uint8_t> payload, const std::string& where) {
  auto fail = [&](const std::string& what) { return Error(Exit::bad_input, "the signature's payload " + what, where); };
  json doc = json::parse(payload.begin(), payload.end(), nullptr, false);
  if (doc.is_discarded() || !doc.is_object()) throw fail("is not a JSON object");
  if (!member(doc, {"critical"}) || !member(doc, {"critical"})->is_object())
    throw fail("has no object critical (not a simple-signing payload)");
  const json* type = member(doc, {"critical", "type"});
  if (!type || !type->is_string()) throw fail("has no string critical.type");
  if (*type != kCosignPayloadType && *type != kAtomicType)
    throw fail("has critical.type " + type->dump() + ", not \"" + kCosignPayloadType + "\"");
  const json* digest = member(doc, {"critical", "image", "docker-manifest-digest"});
  if (!digest || !digest->is_string()) throw fail("has no string critical.image.docker-manifest-digest");
  if (!is_sha256_digest(digest->get<std::string>()))
    throw fail("has critical.image.docker-manifest-digest " + digest->dump() + ", not sha256:<64 hex digits>");
  const json* ref = member(doc, {"critical", "identity", "docker-reference"});
  if (!ref || !ref->is_string()) throw fail("has no string critical.identity.docker-reference");
  return Claim{ref->get<std::string>(), digest->get<std::string>()};
}

}  // namespace ecc::trust
