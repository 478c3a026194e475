// Registry input (docs/oci.md), one parser per input picked by its first byte:
//   m  a manifest or index (read_manifest, then the layer's digest checked)
//   r  a reference (parse_reference)
//   w  a WWW-Authenticate header
//   t  a token service's JSON answer
//   e  a registry's JSON error body (with the status from the next byte)
//   u  a redirect: "base\nlocation" (resolve_url, url_authority)
//   c  a docker config.json ("registry\nconfig")
//   l  layer bytes (layer_type_of, base64 of them and back, sha256 digest)
// Any other first byte picks one of these by its value.
#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstring>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "ecc/codec.h"
#include "ecc/oci.h"
#include "fuzz_util.h"
#include "http.h"

namespace {

using namespace ecc::oci;

constexpr const char kParsers[] = "mrwteucl";

void fail(const char* what) {
  std::fprintf(stderr, "fuzz: %s\n", what);
  std::abort();
}

// "first\nrest"
std::pair<std::string, std::string> split_line(const std::string& s) {
  size_t nl = s.find('\n');
  if (nl == std::string::npos) return {s, {}};
  return {s.substr(0, nl), s.substr(nl + 1)};
}

void manifest(const std::string& text) {
  Artifact a = read_manifest(text, "fuzz");
  if (!is_sha256_digest(a.layer.digest)) fail("read_manifest accepted a layer without a sha256 digest");
  (void)default_output_name(a);
}

void reference(const std::string& text) {
  Reference r = parse_reference(text);
  if (r.registry.empty() || r.repository.empty()) fail("a reference without registry or repository");
  if (!r.digest.empty() && !is_sha256_digest(r.digest)) fail("a reference with a malformed digest");
  // What str() prints parses back to the same reference.
  Reference again = parse_reference(r.str());
  if (again.str() != r.str()) fail("a reference does not round-trip through str()");
}

void docker_config(const std::string& text) {
  static int fd = memfd_create("config.json", 0);
  if (fd < 0) fail("memfd_create");
  auto [registry, config] = split_line(text);
  if (ftruncate(fd, 0) != 0 || pwrite(fd, config.data(), config.size(), 0) != static_cast<ssize_t>(config.size()))
    fail("writing the config");
  (void)docker_config_credentials("/proc/self/fd/" + std::to_string(fd), registry);
}

void layer(std::span<const uint8_t> bytes) {
  (void)layer_type_of(bytes);
  if (ecc::base64_decode(ecc::base64_encode(bytes)) != std::vector<uint8_t>(bytes.begin(), bytes.end()))
    fail("base64 does not round-trip");
  if (!is_sha256_digest(sha256_digest(bytes))) fail("sha256_digest is not a digest");
  (void)ecc::base64_decode(std::string(bytes.begin(), bytes.end()));  // last: it throws our Error for most bytes
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const char* at = std::strchr(kParsers, data[0]);
  char which = at && data[0] ? data[0] : kParsers[data[0] % (sizeof kParsers - 1)];
  std::span<const uint8_t> rest(data + 1, size - 1);
  std::string text(rest.begin(), rest.end());
  ecc::fuzz::expect_only_our_errors([&] {
    switch (which) {
      case 'm': manifest(text); break;
      case 'r': reference(text); break;
      case 'w': {
        auto c = parse_www_authenticate(text);
        if (c && c->scheme.empty()) fail("a challenge without a scheme");
        break;
      }
      case 't': {
        HttpResponse r;
        r.status = 200;
        r.body.assign(rest.begin(), rest.end());
        (void)token_of(r);
        break;
      }
      case 'e': {
        HttpResponse r;
        r.status = rest.empty() ? 404 : 400 + rest[0];
        if (!rest.empty()) r.body.assign(rest.begin() + 1, rest.end());
        (void)describe_failure(r);
        break;
      }
      case 'u': {
        auto [base, location] = split_line(text);
        (void)url_authority(resolve_url(base, location));
        (void)is_url(base);
        break;
      }
      case 'c': docker_config(text); break;
      case 'l': layer(rest); break;
    }
  });
  return 0;
}
