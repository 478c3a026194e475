// The scopes of a policy file (docs/trust.md, "The policy file"): what a
// scope of each transport may look like, and the scopes that may apply to
// one image, most specific first, in containers/image's order
// (containers-policy.json(5); its docker transport's
// PolicyConfigurationIdentity and PolicyConfigurationNamespaces).
#pragma once

#include <filesystem>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include "ecc/trust.h"

namespace ecc::trust::scopes {

// --- syntax (checked when the policy is loaded) --------------------------------

// host[:port] as a registry or web server is named, or a bracketed IPv6 address.
inline bool is_host(const std::string& s) {
  static const std::regex host(
      "[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?(:[0-9]{1,5})?"
      "|\\[[0-9A-Fa-f:]+\\](:[0-9]{1,5})?");
  return std::regex_match(s, host);
}

// A domain without a port, for the part after "*.".
inline bool is_domain(const std::string& s) {
  static const std::regex domain("[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*");
  return std::regex_match(s, domain);
}

// The problem with the repository path a/b/c of a docker scope, or nothing.
inline std::optional<std::string> repository_problem(const std::string& path) {
  static const std::regex component("[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*");
  size_t start = 0;
  while (true) {
    size_t slash = path.find('/', start);
    std::string c = path.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (c.empty()) return "empty path component (\"//\" or a trailing \"/\")";
    if (!std::regex_match(c, component)) {
      for (char ch : c)
        if (ch >= 'A' && ch <= 'Z') return "repository \"" + path + "\" must be lower-case";
      return "bad repository component \"" + c + "\" (lower-case letters, digits, '.', '_', '-')";
    }
    if (slash == std::string::npos) return std::nullopt;
    start = slash + 1;
  }
}

// The problem with the tag and digest of a docker scope (either may be
// absent, not both present), or nothing.
inline std::optional<std::string> version_problem(const std::optional<std::string>& tag,
                                                  const std::optional<std::string>& digest) {
  static const std::regex tag_re("[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}");
  static const std::regex digest_re("sha256:[0-9a-f]{64}");
  if (tag && digest) return "has both a tag and a digest (a scope names one image by either)";
  if (tag && !std::regex_match(*tag, tag_re)) return "bad tag \"" + *tag + "\"";
  if (digest && !std::regex_match(*digest, digest_re))
    return "bad digest \"" + *digest + "\" (sha256:<64 lower-case hex digits>)";
  return std::nullopt;
}

// A docker scope: host[:port][/repo[:tag|@sha256:<hex>]] in full ("docker.io/library/busybox",
// never "busybox"), or "*.domain" for the host's sub-domains.
inline std::optional<std::string> docker_scope_problem(const std::string& scope) {
  if (scope.starts_with("*.")) {
    if (!is_domain(scope.substr(2)))
      return "a wildcard scope is \"*.\" and a domain, without port or path (\"*.example.com\")";
    return std::nullopt;
  }
  if (scope.find('*') != std::string::npos) return "\"*\" may only begin a scope, as in \"*.example.com\"";
  size_t slash = scope.find('/');
  std::string host = scope.substr(0, slash);
  if (!is_host(host)) return "bad registry host \"" + host + "\"";
  if (slash == std::string::npos) return std::nullopt;
  std::string repo = scope.substr(slash + 1);
  std::optional<std::string> tag, digest;
  if (size_t at = repo.find('@'); at != std::string::npos) {
    digest = repo.substr(at + 1);
    repo.resize(at);
  }
  if (size_t colon = repo.rfind(':'); colon != std::string::npos) {
    tag = repo.substr(colon + 1);
    repo.resize(colon);
  }
  if (auto p = repository_problem(repo)) return p;
  return version_problem(tag, digest);
}

// A file scope: an absolute path in normal form, not "/" (as for
// containers/image's dir: transport; "" is the whole transport).
inline std::optional<std::string> file_scope_problem(const std::string& scope) {
  if (scope.empty() || scope[0] != '/') return "a file scope is an absolute path";
  if (scope == "/") return "\"/\" is not a scope; \"\" is the whole transport";
  std::string normal = std::filesystem::path(scope).lexically_normal().string();
  if (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  if (normal != scope) return "not in normal form, write \"" + normal + "\"";
  return std::nullopt;
}

// An https scope: host[:port][/path], without the scheme.
inline std::optional<std::string> https_scope_problem(const std::string& scope) {
  if (scope.find("://") != std::string::npos) return "an https scope is host[:port][/path], without the scheme";
  size_t slash = scope.find('/');
  std::string host = scope.substr(0, slash);
  if (!is_host(host)) return "bad host \"" + host + "\"";
  if (slash == std::string::npos) return std::nullopt;
  std::string path = scope.substr(slash);
  if (path.find("//") != std::string::npos || path.back() == '/')
    return "empty path component (\"//\" or a trailing \"/\")";
  if (path.find_first_of("?#") != std::string::npos) return "a scope names a path, without query or fragment";
  return std::nullopt;
}

// --- lookup -----------------------------------------------------------------------

// `name` and then each of its prefixes that ends before a '/':
// "h/a/b" → "h/a/b", "h/a", "h"; "/srv/p/x" → "/srv/p/x", "/srv/p", "/srv".
inline std::vector<std::string> component_prefixes(std::string name) {
  while (name.size() > 1 && name.back() == '/') name.pop_back();
  std::vector<std::string> out;
  while (!name.empty()) {
    out.push_back(name);
    size_t slash = name.rfind('/');
    if (slash == std::string::npos || slash == 0) break;
    name.resize(slash);
  }
  return out;
}

// The docker scopes that may apply to `o`, most specific first:
// host/repo:tag, host/repo@digest, host/repo, its namespaces up to the
// host, then "*.<domain>" for each parent domain of the host without its
// port (b.a.example.com → *.a.example.com, *.example.com, *.com).
inline std::vector<std::string> docker_candidates(const Origin& o) {
  std::vector<std::string> out;
  if (!o.tag.empty()) out.push_back(o.name + ":" + o.tag);
  if (!o.digest.empty()) out.push_back(o.name + "@" + o.digest);
  for (auto& p : component_prefixes(o.name)) out.push_back(p);
  std::string host = o.name.substr(0, o.name.find('/'));
  if (host.starts_with("[")) return out;  // an IPv6 address has no domains
  host = host.substr(0, host.find(':'));
  for (size_t dot = host.find('.'); dot != std::string::npos; dot = host.find('.')) {
    host = host.substr(dot + 1);
    out.push_back("*." + host);
  }
  return out;
}

}  // namespace ecc::trust::scopes
