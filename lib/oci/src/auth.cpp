// Credentials: WWW-Authenticate challenges, docker/podman config.json
// `auths`.
#include <cctype>
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/oci.h"
#include "image.h"

namespace ecc::oci {

namespace {

void skip_space(const std::string& s, size_t& i) {
  while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) i++;
}

// A token or a quoted string (backslash escapes), starting at `i`.
std::optional<std::string> read_value(const std::string& s, size_t& i) {
  std::string v;
  if (i < s.size() && s[i] == '"') {
    for (i++; i < s.size() && s[i] != '"'; i++) {
      if (s[i] == '\\' && i + 1 < s.size()) i++;
      v += s[i];
    }
    if (i >= s.size()) return std::nullopt;  // unterminated
    i++;
    return v;
  }
  while (i < s.size() && s[i] != ',' && s[i] != ' ' && s[i] != '\t') v += s[i++];
  return v;
}

// "https://host:port/v1/" -> "host:port"
std::string registry_key(std::string key) {
  if (auto p = key.find("://"); p != std::string::npos) key = key.substr(p + 3);
  if (auto p = key.find('/'); p != std::string::npos) key = key.substr(0, p);
  return lower(key);
}

// The `auth` of a docker config entry, base64 of "user:password". Docker
// writes it padded; white space and missing padding are forgiven.
std::optional<Credentials> auth_credentials(const std::string& auth) {
  std::string text;
  for (char c : auth)
    if (!std::isspace(static_cast<unsigned char>(c))) text += c;
  while (text.size() % 4) text += '=';
  std::vector<uint8_t> bytes;
  try {
    bytes = base64_decode(text, "auth");
  } catch (const Error&) {
    return std::nullopt;  // the caller names the entry and the file
  }
  std::string up(bytes.begin(), bytes.end());
  size_t colon = up.find(':');
  if (colon == std::string::npos) return std::nullopt;
  return Credentials{up.substr(0, colon), up.substr(colon + 1)};
}

}  // namespace

std::optional<Challenge> parse_www_authenticate(const std::string& header) {
  Challenge c;
  size_t i = 0;
  skip_space(header, i);
  while (i < header.size() && header[i] != ' ' && header[i] != '\t') c.scheme += header[i++];
  if (c.scheme.empty()) return std::nullopt;
  c.scheme = lower(c.scheme);
  for (;;) {
    skip_space(header, i);
    while (i < header.size() && (header[i] == ',' || header[i] == ' ')) i++;
    if (i >= header.size()) break;
    std::string key;
    while (i < header.size() && header[i] != '=' && header[i] != ',' && header[i] != ' ') key += header[i++];
    skip_space(header, i);
    if (i >= header.size() || header[i] != '=') return std::nullopt;
    i++;
    skip_space(header, i);
    auto v = read_value(header, i);
    if (!v || key.empty()) return std::nullopt;
    c.params[lower(key)] = *v;
  }
  return c;
}

fs::path docker_config_path() {
  if (const char* d = std::getenv("DOCKER_CONFIG"); d && *d) return fs::path(d) / "config.json";
  const char* home = std::getenv("HOME");
  return fs::path(home && *home ? home : "/root") / ".docker" / "config.json";
}

std::optional<Credentials> docker_config_credentials(const fs::path& config, const std::string& registry) {
  std::optional<std::string> text = try_read_text_file(config);
  if (!text) return std::nullopt;
  auto j = nlohmann::json::parse(*text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) throw Error(Exit::bad_input, "docker config is not a JSON object", config.string());
  auto auths = j.find("auths");
  if (auths == j.end() || !auths->is_object()) return std::nullopt;
  std::string want = lower(registry);
  for (const auto& [key, entry] : auths->items()) {
    if (registry_key(key) != want || !entry.is_object()) continue;
    if (auto a = entry.find("auth"); a != entry.end() && a->is_string() && !a->get<std::string>().empty()) {
      std::optional<Credentials> c = auth_credentials(a->get<std::string>());
      if (!c) throw Error(Exit::bad_input, "auths." + key + ".auth is not base64 of user:password", config.string());
      return c;
    }
    auto u = entry.find("username"), p = entry.find("password");
    if (u != entry.end() && p != entry.end() && u->is_string() && p->is_string())
      return Credentials{u->get<std::string>(), p->get<std::string>()};
  }
  return std::nullopt;
}

}  // namespace ecc::oci
