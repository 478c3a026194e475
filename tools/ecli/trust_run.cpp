#include "trust_run.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <set>
#include <string_view>

#include "ecc/error.h"
#include "ecc/inspect.h"
#include "ecc/tool_name.h"

namespace ecc::ecli {

namespace {

trust::Policy load_policy(const Options& o) {
  return o.policy.empty() ? trust::Policy::load_default() : trust::Policy::load(o.policy);
}

std::vector<trust::PublicKey> load_keys(const std::vector<std::string>& files) {
  std::vector<trust::PublicKey> keys;
  for (const std::string& f : files) keys.push_back(trust::PublicKey::load(f));
  return keys;
}

// "scheme://host/path?query" as the https scope names it: "host/path".
std::string url_scope_name(const std::string& url) {
  std::string rest = url.substr(url.find("://") + 3);
  return rest.substr(0, rest.find_first_of("?#"));
}

}  // namespace

trust::Origin blob_origin(const std::string& file_or_url) {
  trust::Origin o;
  if (oci::is_url(file_or_url)) {
    o.transport = trust::Origin::Transport::https;
    o.name = url_scope_name(file_or_url);
    return o;
  }
  o.transport = trust::Origin::Transport::file;
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(file_or_url), ec);
  o.name = ec ? std::filesystem::absolute(file_or_url).lexically_normal().string() : p.string();
  return o;
}

TrustGuard::TrustGuard(const Options& o)
    : policy_(load_policy(o)), keys_(load_keys(o.verify_keys)), verbose_(o.registry.verbose || o.run.verbose) {}

void TrustGuard::say(const std::string& line) const {
  if (verbose_) std::cerr << tool_name() << ": policy: " << line << "\n";
}

void TrustGuard::decided(const trust::Origin& origin) {
  decision_ = policy_.decide(origin);
  std::string from = policy_.file().empty() ? "no policy file" : policy_.file();
  say(decision_.scope + " decides (" + from + ")");
}

void TrustGuard::guard_reference(const oci::Reference& ref, oci::ClientOptions& c) {
  trust::Origin origin{trust::Origin::Transport::docker, ref.registry + "/" + ref.repository, ref.tag, ref.digest};
  decided(origin);
  std::string image = ref.str();
  trust::check_not_rejected(decision_, image);
  if (!trust::needs_signatures(decision_, keys_)) return;
  c.verify = [this, origin, image](const std::string& digest, const std::vector<oci::Signature>& signatures) {
    trust::Origin o = origin;
    o.digest = digest;
    for (const std::string& line : trust::check_signatures(decision_, keys_, o, signatures, image)) say(line);
    verified_.push_back(digest);
  };
}

void TrustGuard::guard_blob(const std::string& file_or_url, std::span<const uint8_t> bytes,
                            const std::optional<std::string>& sidecar) {
  decided(blob_origin(file_or_url));
  trust::check_not_rejected(decision_, file_or_url);
  if (!trust::needs_signatures(decision_, keys_)) return;
  for (const std::string& line : trust::check_blob(decision_, keys_, bytes, sidecar, file_or_url)) say(line);
}

std::function<void(const uint8_t*, size_t)> TrustGuard::load_check(const std::string& where) const {
  if (decision_.rules.empty()) return {};
  inspect::Rules rules = decision_.rules;
  bool verbose = verbose_;
  // An object checked up front (check_objects) is judged again when it is
  // loaded, but -v says so once.
  std::shared_ptr<std::set<size_t>> said = said_;
  return [rules, where, verbose, said](const uint8_t* elf, size_t size) {
    inspect::Report r = inspect::inspect_object(std::span(elf, size), where);
    if (auto why = inspect::refusal(r, rules)) throw Error(Exit::bad_input, *why, where);
    size_t id = std::hash<std::string_view>{}(std::string_view(reinterpret_cast<const char*>(elf), size));
    if (verbose && said->insert(id).second)
      std::cerr << tool_name() << ": policy: " << (where.empty() ? "an object" : where) << ": "
                << r.programs.size() << (r.programs.size() == 1 ? " program" : " programs")
                << " allowed by the bpf rules of " << rules.scope << "\n";
  };
}

void TrustGuard::check_objects(const std::vector<std::pair<std::string, std::vector<uint8_t>>>& objects) const {
  if (decision_.rules.empty()) return;
  for (const auto& [where, bytes] : objects) load_check(where)(bytes.data(), bytes.size());
}

}  // namespace ecc::ecli
