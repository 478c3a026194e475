// The policy file (docs/trust.md, "The policy file"): containers-policy.json(5)
// as containers/image reads it, as strictly (unknown and duplicated fields
// are errors), for the transports ecli fetches from (docker, and ecli's own
// file and https), plus ecli's "bpf" element with a scope's load rules.
// Every error is one line naming the policy file and the JSON path of the
// field at fault.
#include <algorithm>
#include <map>
#include <set>
#include <string_view>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/files.h"
#include "ecc/trust.h"
#include "policy_scopes.h"

namespace ecc::trust {

using json = nlohmann::json;

namespace {

// What one scope says: its requirements (all must hold) and load rules.
struct Entry {
  std::string label;
  std::vector<Requirement> requirements;
  inspect::Rules rules;
};

struct ScopeTable {
  Entry fallback;  // "default"
  std::map<std::string, Entry> docker, file, https;
};

// --- JSON paths ----------------------------------------------------------------

bool is_identifier(const std::string& key) {
  if (key.empty() || (key[0] >= '0' && key[0] <= '9')) return false;
  for (char c : key)
    if (!(c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) return false;
  return true;
}

// A field name bare when it can be, else as a JSON string; scopes always quoted.
std::string segment(const std::string& key, bool quote = false) {
  return quote || !is_identifier(key) ? json(key).dump() : key;
}
std::string field(const std::string& path, const std::string& key) {
  return path.empty() ? segment(key) : path + "." + segment(key);
}
std::string element(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }
std::string scope_label(const std::string& transport, const std::string& scope) {
  return "transports." + segment(transport) + "." + segment(scope, true);
}

// Finds the first key given twice in one object while nlohmann parses (it
// keeps the last one silently; containers/image refuses the file).
class DuplicateFinder {
 public:
  bool event(json::parse_event_t ev, const json& parsed) {
    switch (ev) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        enter();
        frames_.push_back(Frame{ev == json::parse_event_t::array_start});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case json::parse_event_t::key:
        key(parsed.get<std::string>());
        break;
      case json::parse_event_t::value:
        enter();
        break;
    }
    return true;
  }
  const std::optional<std::string>& duplicate() const { return duplicate_; }

 private:
  struct Frame {
    bool array = false;
    size_t count = 0;
    std::string key;
    std::set<std::string> keys;
  };
  void enter() {
    if (!frames_.empty() && frames_.back().array) frames_.back().count++;
  }
  void key(const std::string& k) {
    Frame& f = frames_.back();
    f.key = k;
    if (!f.keys.insert(k).second && !duplicate_) duplicate_ = path();
  }
  std::string path() const {
    std::string p;
    for (size_t i = 0; i < frames_.size(); i++) {
      const Frame& f = frames_[i];
      if (f.array) p = element(p, f.count - 1);
      else if (i == 2 && frames_[0].key == "transports") p += "." + segment(f.key, true);
      else p = field(p, f.key);
    }
    return p;
  }
  std::vector<Frame> frames_;
  std::optional<std::string> duplicate_;
};

// Fields that containers-policy.json(5) has and ecli does not implement.
const std::map<std::string_view, std::string_view>& unsupported_fields() {
  static const std::map<std::string_view, std::string_view> m = {
      {"fulcio", "Fulcio certificates"},          {"pki", "X.509 PKI certificates"},
      {"rekorPublicKeyPath", "Rekor"},            {"rekorPublicKeyPaths", "Rekor"},
      {"rekorPublicKeyData", "Rekor"},            {"rekorPublicKeyDatas", "Rekor"},
  };
  return m;
}

// containers/image's transports other than docker: a podman user's policy
// names them ("docker-daemon": {"": [...]}); ecli fetches from none of them,
// so their scopes are left unread.
bool is_foreign_transport(const std::string& name) {
  static const std::set<std::string> known = {"atomic",  "containers-storage", "dir",  "docker-archive",
                                              "docker-daemon", "oci", "oci-archive", "ostree", "sif", "tarball"};
  return known.count(name) != 0;
}

class Parser {
 public:
  explicit Parser(const fs::path& file) : file_(file.string()), dir_(file.parent_path()) {}
  ScopeTable parse(const std::string& text) const;

 private:
  [[noreturn]] void fail(const std::string& path, const std::string& problem) const {
    throw Error(Exit::bad_input, path.empty() ? problem : path + ": " + problem, file_);
  }
  json read(const std::string& text) const;
  const json& object(const json& j, const std::string& path) const;
  const json& array(const json& j, const std::string& path) const;
  std::string string(const json& j, const std::string& path) const;
  std::vector<std::string> strings(const json& j, const std::string& path) const;
  void only(const json& j, const std::string& path, std::initializer_list<std::string_view> known) const;
  void transports(const json& j, ScopeTable& t) const;
  std::map<std::string, Entry> scopes(const json& j, const std::string& transport,
                                      std::optional<std::string> (*problem)(const std::string&)) const;
  Entry entry(const json& j, const std::string& label) const;
  void add_element(const json& j, const std::string& path, Entry& e, bool& have_rules) const;
  inspect::Rules rules(const json& j, const std::string& path, bool typed) const;
  Requirement requirement(const json& j, const std::string& path, const std::string& type) const;
  void keys(const json& j, const std::string& path, Requirement& r) const;
  void add_key_file(const std::string& name, const std::string& path, Requirement& r) const;
  void add_key_data(const std::string& b64, const std::string& path, const std::string& label, Requirement& r) const;
  SignedIdentity identity(const json& j, const std::string& path) const;
  std::string reference(const json& j, const std::string& path, const char* name, bool with_version) const;

  std::string file_;
  fs::path dir_;
};

json Parser::read(const std::string& text) const {
  DuplicateFinder dups;
  json j;
  try {
    j = json::parse(text, [&dups](int, json::parse_event_t ev, json& parsed) { return dups.event(ev, parsed); });
  } catch (const json::parse_error& e) {
    std::string what = e.what();
    fail("", "not valid JSON: " + what.substr(what.find("] ") + 2));
  }
  if (dups.duplicate()) fail(*dups.duplicate(), "given twice (containers-policy.json(5) refuses duplicated fields)");
  return j;
}

const json& Parser::object(const json& j, const std::string& path) const {
  if (!j.is_object()) fail(path, "must be an object, not " + std::string(j.type_name()));
  return j;
}
const json& Parser::array(const json& j, const std::string& path) const {
  if (!j.is_array()) fail(path, "must be an array, not " + std::string(j.type_name()));
  return j;
}
std::string Parser::string(const json& j, const std::string& path) const {
  if (!j.is_string()) fail(path, "must be a string, not " + std::string(j.type_name()));
  return j.get<std::string>();
}

std::vector<std::string> Parser::strings(const json& j, const std::string& path) const {
  std::vector<std::string> out;
  for (size_t i = 0; i < array(j, path).size(); i++) {
    out.push_back(string(j[i], element(path, i)));
    if (out.back().empty()) fail(element(path, i), "must not be empty");
  }
  return out;
}

void Parser::only(const json& j, const std::string& path, std::initializer_list<std::string_view> known) const {
  for (auto& [key, value] : j.items()) {
    if (std::find(known.begin(), known.end(), key) != known.end()) continue;
    auto u = unsupported_fields().find(key);
    if (u != unsupported_fields().end())
      fail(field(path, key),
           "not supported: ecli verifies cosign key-pair signatures, without " + std::string(u->second));
    fail(field(path, key), "unknown field");
  }
}

ScopeTable Parser::parse(const std::string& text) const {
  json j = read(text);
  object(j, "");
  only(j, "", {"default", "transports"});
  if (!j.contains("default")) fail("default", "missing (containers-policy.json(5) requires the global default)");
  ScopeTable t;
  t.fallback = entry(j["default"], "default");
  if (j.contains("transports")) transports(j["transports"], t);
  return t;
}

void Parser::transports(const json& j, ScopeTable& t) const {
  for (auto& [name, value] : object(j, "transports").items()) {
    if (name == "docker") {
      t.docker = scopes(value, name, scopes::docker_scope_problem);
    } else if (name == "file") {
      t.file = scopes(value, name, scopes::file_scope_problem);
    } else if (name == "https") {
      t.https = scopes(value, name, scopes::https_scope_problem);
    } else if (is_foreign_transport(name)) {
      object(value, field("transports", name));
    } else {
      fail(field("transports", name), "unknown transport (ecli reads docker, file and https; docs/trust.md)");
    }
  }
}

std::map<std::string, Entry> Parser::scopes(const json& j, const std::string& transport,
                                            std::optional<std::string> (*problem)(const std::string&)) const {
  std::map<std::string, Entry> out;
  for (auto& [scope, value] : object(j, field("transports", transport)).items()) {
    std::string label = scope_label(transport, scope);
    if (!scope.empty())
      if (auto p = problem(scope)) fail(label, *p);
    out.emplace(scope, entry(value, label));
  }
  return out;
}

Entry Parser::entry(const json& j, const std::string& label) const {
  if (array(j, label).empty())
    fail(label,
         "an empty list of requirements (write [{\"type\": \"reject\"}] or [{\"type\": \"insecureAcceptAnything\"}])");
  Entry e;
  e.label = label;
  bool have_rules = false;
  for (size_t i = 0; i < j.size(); i++) add_element(j[i], element(label, i), e, have_rules);
  if (e.requirements.empty())
    fail(label, "has only a \"bpf\" element; add a requirement (insecureAcceptAnything, reject or sigstoreSigned)");
  e.rules.scope = label;
  return e;
}

// One element of a requirement list: a requirement, or the scope's load
// rules as {"type": "bpf", ...} or {"bpf": {...}}.
void Parser::add_element(const json& j, const std::string& path, Entry& e, bool& have_rules) const {
  object(j, path);
  bool bpf = j.contains("bpf") && !j.contains("type");
  if (!bpf && !j.contains("type")) fail(field(path, "type"), "missing");
  std::string type = bpf ? "bpf" : string(j["type"], field(path, "type"));
  if (type != "bpf") {
    e.requirements.push_back(requirement(j, path, type));
    return;
  }
  if (have_rules) fail(path, "a second \"bpf\" element (a scope has at most one)");
  have_rules = true;
  if (bpf) {
    only(j, path, {"bpf"});
    e.rules = rules(j["bpf"], field(path, "bpf"), false);
  } else {
    e.rules = rules(j, path, true);
  }
}

inspect::Rules Parser::rules(const json& j, const std::string& path, bool typed) const {
  object(j, path);
  if (typed) only(j, path, {"type", "allowProgramTypes", "denyProgramTypes", "allowHelpers", "denyHelpers"});
  else only(j, path, {"allowProgramTypes", "denyProgramTypes", "allowHelpers", "denyHelpers"});
  inspect::Rules r;
  auto list = [&](const char* key) { return strings(j[key], field(path, key)); };
  if (j.contains("allowProgramTypes")) r.allow_program_types = list("allowProgramTypes");
  if (j.contains("denyProgramTypes")) r.deny_program_types = list("denyProgramTypes");
  if (j.contains("allowHelpers")) r.allow_helpers = list("allowHelpers");
  if (j.contains("denyHelpers")) r.deny_helpers = list("denyHelpers");
  return r;
}

Requirement Parser::requirement(const json& j, const std::string& path, const std::string& type) const {
  Requirement r;
  if (type == "insecureAcceptAnything" || type == "reject") {
    only(j, path, {"type"});
    r.type = type == "reject" ? Requirement::Type::reject : Requirement::Type::insecure_accept_anything;
    return r;
  }
  if (type == "signedBy" || type == "signedBaseLayer")
    fail(field(path, "type"), "\"" + type + "\" (GPG simple signing) is not supported by ecli; use sigstoreSigned");
  if (type != "sigstoreSigned")
    fail(field(path, "type"), "unknown requirement type \"" + type +
                                  "\" (insecureAcceptAnything, reject, sigstoreSigned, or ecli's bpf)");
  only(j, path, {"type", "keyPath", "keyPaths", "keyData", "keyDatas", "signedIdentity"});
  r.type = Requirement::Type::sigstore_signed;
  keys(j, path, r);
  if (j.contains("signedIdentity")) r.identity = identity(j["signedIdentity"], field(path, "signedIdentity"));
  return r;
}

// Exactly one of keyPath, keyPaths, keyData, keyDatas; files are read now,
// relative ones from the policy file's directory.
void Parser::keys(const json& j, const std::string& path, Requirement& r) const {
  std::string given;
  for (const char* k : {"keyPath", "keyPaths", "keyData", "keyDatas"})
    if (j.contains(k)) given += given.empty() ? k : std::string(" and ") + k;
  if (given.empty()) fail(path, "sigstoreSigned needs one of keyPath, keyPaths, keyData");
  if (given.find(" and ") != std::string::npos) fail(path, "has " + given + "; give exactly one");
  if (j.contains("keyPath")) add_key_file(string(j["keyPath"], field(path, "keyPath")), field(path, "keyPath"), r);
  if (j.contains("keyData"))
    add_key_data(string(j["keyData"], field(path, "keyData")), field(path, "keyData"), "keyData", r);
  for (const char* k : {"keyPaths", "keyDatas"}) {
    if (!j.contains(k)) continue;
    std::string list = field(path, k);
    std::vector<std::string> values = strings(j[k], list);
    if (values.empty()) fail(list, "an empty list of keys");
    for (size_t i = 0; i < values.size(); i++) {
      if (k == std::string_view("keyPaths")) add_key_file(values[i], element(list, i), r);
      else add_key_data(values[i], element(list, i), element("keyDatas", i), r);
    }
  }
}

bool is_public_key_pem(const std::string& pem) { return pem.find("-----BEGIN PUBLIC KEY-----") != std::string::npos; }
const std::string pem_public_key = "a PEM public key (as cosign generate-key-pair and openssl pkey -pubout write it)";

void Parser::add_key_file(const std::string& name, const std::string& path, Requirement& r) const {
  fs::path p = dir_ / name;  // an absolute name stays as it is
  std::string pem;
  try {
    pem = read_text_file(p, "key");
  } catch (const Error& e) {
    fail(path, p.string() + ": " + e.what());
  }
  if (!is_public_key_pem(pem)) fail(path, p.string() + " is not " + pem_public_key);
  r.key_pems.push_back(pem);
  r.key_labels.push_back(p.string());
}

void Parser::add_key_data(const std::string& b64, const std::string& path, const std::string& label,
                          Requirement& r) const {
  std::vector<uint8_t> bytes;
  try {
    bytes = base64_decode(b64, "");
  } catch (const Error& e) {
    std::string what = e.what();  // " is not valid base64 (...)"
    fail(path, what.substr(what.find("not")));
  }
  std::string pem(bytes.begin(), bytes.end());
  if (!is_public_key_pem(pem)) fail(path, "does not decode to " + pem_public_key);
  r.key_pems.push_back(pem);
  r.key_labels.push_back(label);
}

SignedIdentity Parser::identity(const json& j, const std::string& path) const {
  using Kind = SignedIdentity::Kind;
  static const std::map<std::string, Kind> plain = {{"matchRepoDigestOrExact", Kind::match_repo_digest_or_exact},
                                                     {"matchExact", Kind::match_exact},
                                                     {"matchRepository", Kind::match_repository}};
  object(j, path);
  if (!j.contains("type")) fail(field(path, "type"), "missing");
  std::string type = string(j["type"], field(path, "type"));
  SignedIdentity id;
  if (auto k = plain.find(type); k != plain.end()) {
    only(j, path, {"type"});
    id.kind = k->second;
  } else if (type == "exactReference") {
    only(j, path, {"type", "dockerReference"});
    id.kind = Kind::exact_reference;
    id.value = reference(j, path, "dockerReference", true);
  } else if (type == "exactRepository") {
    only(j, path, {"type", "dockerRepository"});
    id.kind = Kind::exact_repository;
    id.value = reference(j, path, "dockerRepository", false);
  } else if (type == "remapIdentity") {
    fail(field(path, "type"), "\"remapIdentity\" is not supported by ecli");
  } else {
    fail(field(path, "type"), "unknown signedIdentity type \"" + type + "\"");
  }
  return id;
}

// exactReference's host/repo:tag or host/repo@digest, exactRepository's host/repo.
std::string Parser::reference(const json& j, const std::string& identity_path, const char* name,
                              bool with_version) const {
  std::string path = field(identity_path, name);
  if (!j.contains(name)) fail(path, "missing");
  std::string ref = string(j[name], path);
  size_t slash = ref.find('/');
  if (ref.starts_with("*") || slash == std::string::npos)
    fail(path, "\"" + ref + "\" is not host/repository" + (with_version ? "[:tag|@digest]" : ""));
  if (auto p = scopes::docker_scope_problem(ref)) fail(path, *p);
  bool versioned = ref.find_first_of(":@", slash) != std::string::npos;
  if (with_version && !versioned) fail(path, "\"" + ref + "\" has neither a tag nor a digest");
  if (!with_version && versioned) fail(path, "\"" + ref + "\" must name a repository, without tag or digest");
  return ref;
}

Decision decision_of(const Entry& e) { return Decision{e.label, e.requirements, e.rules}; }

}  // namespace

struct Policy::Scopes {
  ScopeTable table;
};

Policy Policy::load(const fs::path& file) {
  std::string text = read_text_file(file, "policy file");
  Policy p;
  p.file_ = file.string();
  p.scopes_ = std::make_shared<const Scopes>(Scopes{Parser(file).parse(text)});
  return p;
}

// Anything at the path, a dangling link too, is read: a policy that cannot
// be read is an error, never "no policy".
Policy Policy::load_default() {
  const fs::path file = "/etc/ecli/policy.json";
  std::error_code ec;
  if (fs::symlink_status(file, ec).type() == fs::file_type::not_found) return accept_anything();
  return load(file);
}

Policy Policy::accept_anything() {
  ScopeTable t;
  t.fallback.label = "default";
  t.fallback.requirements.push_back(Requirement{});
  t.fallback.rules.scope = "default";
  Policy p;
  p.scopes_ = std::make_shared<const Scopes>(Scopes{std::move(t)});
  return p;
}

Decision Policy::decide(const Origin& o) const {
  const ScopeTable& t = scopes_->table;
  const std::map<std::string, Entry>* scopes = &t.docker;
  std::vector<std::string> candidates;
  if (o.transport == Origin::Transport::docker) {
    candidates = scopes::docker_candidates(o);
  } else if (o.transport == Origin::Transport::file) {
    scopes = &t.file;
    candidates = scopes::component_prefixes(fs::path(o.name).lexically_normal().string());
  } else {
    scopes = &t.https;
    candidates = scopes::component_prefixes(o.name);
  }
  candidates.push_back("");
  for (const auto& c : candidates)
    if (auto it = scopes->find(c); it != scopes->end()) return decision_of(it->second);
  return decision_of(t.fallback);
}

}  // namespace ecc::trust
