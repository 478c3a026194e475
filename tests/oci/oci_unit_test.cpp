// lib/oci's pure parts: references, WWW-Authenticate, docker config,
// digests, manifests.
#include <cstdlib>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/oci.h"
#include "http.h"
#include "test_util.h"

namespace ecc::test {
namespace {

using namespace ecc::oci;

std::span<const uint8_t> bytes_of(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(OciReference, HostPortRepositoryTagAndDefaults) {
  Reference r = parse_reference("localhost:5000/ebpf/sigsnoop:v1.2");
  EXPECT_EQ(r.registry, "localhost:5000");
  EXPECT_EQ(r.repository, "ebpf/sigsnoop");
  EXPECT_EQ(r.tag, "v1.2");
  EXPECT_EQ(r.digest, "");
  EXPECT_EQ(r.version(), "v1.2");
  Reference d = parse_reference("ghcr.io/eunomia-bpf/sigsnoop");
  EXPECT_EQ(d.registry, "ghcr.io");
  EXPECT_EQ(d.tag, "latest");
  EXPECT_EQ(d.str(), "ghcr.io/eunomia-bpf/sigsnoop:latest");
  std::string hex(64, 'a');
  Reference g = parse_reference("127.0.0.1:5000/a/b/c@sha256:" + hex);
  EXPECT_EQ(g.repository, "a/b/c");
  EXPECT_EQ(g.tag, "");
  EXPECT_EQ(g.version(), "sha256:" + hex);
  EXPECT_EQ(g.str(), "127.0.0.1:5000/a/b/c@sha256:" + hex);
  EXPECT_EQ(parse_reference("[::1]:5000/x").registry, "[::1]:5000");
}

TEST(OciReference, MalformedOnesAreUsageErrorsNamingTheText) {
  for (const char* bad : {"noslash", "host:5000/UPPER", "host/repo@sha256:abc", "host/repo:bad/tag?", "host/-x",
                          "host/repo@md5:" "0123456789abcdef0123456789abcdef", "host/"}) {
    try {
      parse_reference(bad);
      ADD_FAILURE() << bad << " parsed";
    } catch (const Error& e) {
      EXPECT_EQ(e.code(), Exit::usage) << bad;
      EXPECT_EQ(e.file(), bad);
      EXPECT_NE(std::string(e.what()).find("not an OCI reference"), std::string::npos) << e.what();
    }
  }
}

TEST(OciReference, OnlyHttpAndHttpsAreUrlsAndAnExistingPathWins) {
  EXPECT_TRUE(is_url("http://127.0.0.1:8000/app.wasm"));
  EXPECT_TRUE(is_url("https://example.org/package.json"));
  EXPECT_FALSE(is_url("localhost:5000/x"));
  EXPECT_FALSE(is_url("ftp://example.org/x"));
  EXPECT_EQ(classify("localhost:5000/x"), Source::reference);
  EXPECT_EQ(classify("ghcr.io/eunomia-bpf/sigsnoop:latest"), Source::reference);
  EXPECT_EQ(classify("http://localhost:5000/x"), Source::url);
  EXPECT_EQ(classify("build/package.json"), Source::file) << "no registry-looking host: a file";
  EXPECT_EQ(classify("package.json"), Source::file);
  EXPECT_EQ(classify("./x.io/package.json"), Source::file);
  TempDir t;
  fs::create_directories(t / "127.0.0.1:5000");
  write_text(t / "127.0.0.1:5000" / "app", "x");
  fs::path old = fs::current_path();
  fs::current_path(t.path());
  Source s = classify("127.0.0.1:5000/app");
  Source other = classify("127.0.0.1:5000/other");
  fs::current_path(old);
  EXPECT_EQ(s, Source::file) << "a path that exists wins over a reference";
  EXPECT_EQ(other, Source::reference);
}

TEST(OciAuth, WwwAuthenticateBearerAndBasic) {
  auto c = parse_www_authenticate(
      R"(Bearer realm="https://auth.example.io/token",service="registry.example.io",scope="repository:a/b:pull,push")");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->scheme, "bearer");
  EXPECT_EQ(c->params["realm"], "https://auth.example.io/token");
  EXPECT_EQ(c->params["service"], "registry.example.io");
  EXPECT_EQ(c->params["scope"], "repository:a/b:pull,push") << "a comma inside quotes stays in the value";
  auto b = parse_www_authenticate("Basic realm=\"Registry Realm\"");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->scheme, "basic");
  EXPECT_EQ(b->params["realm"], "Registry Realm");
  auto unquoted = parse_www_authenticate("Bearer realm=http://127.0.0.1:1/token, service=svc");
  ASSERT_TRUE(unquoted);
  EXPECT_EQ(unquoted->params["realm"], "http://127.0.0.1:1/token");
  EXPECT_EQ(unquoted->params["service"], "svc");
  EXPECT_FALSE(parse_www_authenticate(""));
  EXPECT_FALSE(parse_www_authenticate("Bearer realm=\"unterminated"));
  EXPECT_FALSE(parse_www_authenticate("Bearer realm"));
}

TEST(OciAuth, DockerConfigAuthsEntries) {
  TempDir t;
  std::string up = "alice:pa:ss";
  nlohmann::json j = {{"auths",
                       {{"https://registry.example.io/v1/", {{"auth", base64_encode(bytes_of(up))}}},
                        {"127.0.0.1:5000", {{"username", "bob"}, {"password", "hunter2"}}},
                        {"broken.io", {{"auth", "bm9jb2xvbg=="}}}}}};
  write_text(t / "config.json", j.dump());
  auto a = docker_config_credentials(t / "config.json", "registry.example.io");
  ASSERT_TRUE(a);
  EXPECT_EQ(a->user, "alice");
  EXPECT_EQ(a->password, "pa:ss");
  auto b = docker_config_credentials(t / "config.json", "127.0.0.1:5000");
  ASSERT_TRUE(b);
  EXPECT_EQ(b->user, "bob");
  EXPECT_EQ(b->password, "hunter2");
  EXPECT_FALSE(docker_config_credentials(t / "config.json", "other.io"));
  EXPECT_FALSE(docker_config_credentials(t / "missing.json", "other.io"));
  EXPECT_THROW(docker_config_credentials(t / "config.json", "broken.io"), Error) << "base64 of 'nocolon'";
  write_text(t / "bad.json", "[1,");
  EXPECT_THROW(docker_config_credentials(t / "bad.json", "x.io"), Error);
  setenv("DOCKER_CONFIG", t.path().c_str(), 1);
  EXPECT_EQ(docker_config_path(), t / "config.json");
  unsetenv("DOCKER_CONFIG");
  EXPECT_EQ(docker_config_path().filename(), "config.json");
  EXPECT_EQ(docker_config_path().parent_path().filename(), ".docker");
}

TEST(OciAuth, Base64RoundTrip) {
  for (const std::string& s : std::vector<std::string>{"", "a", "ab", "abc", "user:password", std::string("\0\xff\x10", 3)}) {
    auto enc = base64_encode(bytes_of(s));
    auto dec = base64_decode(enc);
    EXPECT_EQ(std::string(dec.begin(), dec.end()), s) << enc;
  }
  EXPECT_EQ(base64_encode(bytes_of("user:pw")), "dXNlcjpwdw==");
  EXPECT_THROW(base64_decode("!!!!"), Error);
}

TEST(OciDigest, Sha256OfKnownInputs) {
  EXPECT_EQ(sha256_digest(bytes_of("")), "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256_digest(bytes_of("abc")), "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(sha256_digest(bytes_of("{}")), "sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a");
  EXPECT_TRUE(is_sha256_digest(sha256_digest(bytes_of("x"))));
  EXPECT_FALSE(is_sha256_digest("sha256:" + std::string(64, 'A')));
  EXPECT_FALSE(is_sha256_digest("sha512:" + std::string(64, 'a')));
}

// Our SHA-256 against openssl's, on every length around the padding's block
// boundaries and on a large input.
TEST(OciDigest, Sha256AgreesWithOpenssl) {
  TempDir dir;
  std::vector<size_t> sizes;
  for (size_t n = 0; n <= 130; ++n) sizes.push_back(n);
  sizes.push_back(1 << 20);
  std::string all;
  uint32_t x = 12345;
  for (size_t i = 0; i < (1 << 20); ++i) all += static_cast<char>((x = x * 1103515245 + 12345) >> 16);
  for (size_t n : sizes) {
    std::string input = all.substr(0, n);
    fs::path file = dir / ("in-" + std::to_string(n));
    write_text(file, input);
    RunResult r = run({"openssl", "dgst", "-sha256", "-r", file.string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(sha256_digest(bytes_of(input)), "sha256:" + r.out.substr(0, 64)) << n << " bytes";
  }
}

TEST(OciManifest, BuiltManifestHasTheWasmToOciLayout) {
  Descriptor config{kConfigType, sha256_digest(bytes_of("{}")), 2, {}};
  Descriptor layer{kWasmLayerType, sha256_digest(bytes_of("module")), 6, {}};
  auto m = nlohmann::json::parse(build_manifest(config, layer, "app.wasm"));
  EXPECT_EQ(m["schemaVersion"], 2);
  EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.wasm.config.v1+json");
  EXPECT_EQ(m["config"]["size"], 2);
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["mediaType"], "application/vnd.wasm.content.layer.v1+wasm");
  EXPECT_EQ(m["layers"][0]["digest"], layer.digest);
  EXPECT_EQ(m["layers"][0]["annotations"]["org.opencontainers.image.title"], "app.wasm");
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.title"], "app.wasm");
  Artifact a = read_manifest(m.dump(), "ref");
  EXPECT_EQ(a.layer.digest, layer.digest);
  EXPECT_EQ(a.layer.size, 6u);
  EXPECT_EQ(a.title, "app.wasm");
  EXPECT_EQ(default_output_name(a), "app.wasm");
}

TEST(OciManifest, ReadingAcceptsNoMediaTypeAndTitleOnTheManifest) {
  std::string d = sha256_digest(bytes_of("p"));
  nlohmann::json m = {{"schemaVersion", 2},
                      {"config", {{"mediaType", kConfigType}, {"digest", d}, {"size", 2}}},
                      {"layers", {{{"mediaType", kPackageLayerType}, {"digest", d}, {"size", 1}}}},
                      {"annotations", {{kTitleAnnotation, "../../etc/sigsnoop.json"}}}};
  Artifact a = read_manifest(m.dump(), "ref");
  EXPECT_EQ(a.layer.media_type, kPackageLayerType);
  EXPECT_EQ(a.title, "../../etc/sigsnoop.json");
  EXPECT_EQ(default_output_name(a), "sigsnoop.json") << "only the title's file name";
  m.erase("annotations");
  EXPECT_EQ(default_output_name(read_manifest(m.dump(), "ref")), "package.json");
}

void expect_manifest_error(const std::string& text, const std::string& needle) {
  try {
    read_manifest(text, "the-ref");
    ADD_FAILURE() << "accepted: " << text;
  } catch (const Error& e) {
    EXPECT_EQ(e.code(), Exit::bad_input);
    EXPECT_EQ(e.file(), "the-ref");
    EXPECT_NE(std::string(e.what()).find(needle), std::string::npos) << e.what();
  }
}

TEST(OciManifest, ContainerImagesIndexesAndMalformedManifestsAreRefused) {
  std::string d = sha256_digest(bytes_of("x"));
  nlohmann::json image = {
      {"schemaVersion", 2},
      {"mediaType", "application/vnd.docker.distribution.manifest.v2+json"},
      {"config", {{"mediaType", "application/vnd.docker.container.image.v1+json"}, {"digest", d}, {"size", 1}}},
      {"layers", {{{"mediaType", "application/vnd.docker.image.rootfs.diff.tar.gzip"}, {"digest", d}, {"size", 1}}}}};
  expect_manifest_error(image.dump(), "wrong media type");
  expect_manifest_error(image.dump(), "application/vnd.docker.image.rootfs.diff.tar.gzip");
  expect_manifest_error(R"({"schemaVersion":2,"mediaType":"application/vnd.oci.image.index.v1+json","manifests":[]})",
                        "image index");
  expect_manifest_error("<html>", "not a JSON object");
  expect_manifest_error(R"({"schemaVersion":2,"layers":[]})", "no layers");
  expect_manifest_error(R"({"schemaVersion":2,"layers":[{"mediaType":"x"}]})", "needs mediaType, digest and size");
  nlohmann::json two = image;
  two.erase("mediaType");
  two["layers"] = {{{"mediaType", kWasmLayerType}, {"digest", d}, {"size", 1}},
                   {{"mediaType", kWasmLayerType}, {"digest", d}, {"size", 1}}};
  expect_manifest_error(two.dump(), "2 runnable layers");
}

TEST(OciManifest, LayerTypeOfModulesAndPackages) {
  EXPECT_EQ(layer_type_of(bytes_of(std::string("\0asm\1\0\0\0", 8))), kWasmLayerType);
  EXPECT_EQ(layer_type_of(bytes_of(R"({"bpf_object":"eJw=","bpf_object_size":0,"meta":{}})")), kPackageLayerType);
  EXPECT_EQ(layer_type_of(bytes_of(R"({"data":"eJw=","data_sz":0})")), kPackageLayerType) << "eunomia-bpf's format";
  EXPECT_EQ(layer_type_of(bytes_of("<!doctype html><html></html>")), "");
  EXPECT_EQ(layer_type_of(bytes_of(R"({"other":1})")), "");
}

TEST(OciHttp, LocationsResolveAgainstTheRequestAndAuthoritiesCompare) {
  EXPECT_EQ(resolve_url("http://127.0.0.1:5000/v2/", "/v2/a/blobs/uploads/u1?_state=x"),
            "http://127.0.0.1:5000/v2/a/blobs/uploads/u1?_state=x");
  EXPECT_EQ(resolve_url("https://r.io/v2/a/blobs/sha256:1", "https://storage.example/b?sig=1"),
            "https://storage.example/b?sig=1");
  EXPECT_EQ(resolve_url("https://r.io/v2/a/blobs/uploads/", "u2"), "https://r.io/v2/a/blobs/uploads/u2");
  EXPECT_EQ(url_authority("https://R.io:443/v2/"), "r.io:443");
  EXPECT_EQ(url_authority("http://127.0.0.1:5000/x"), "127.0.0.1:5000");
  EXPECT_NE(url_authority("http://localhost:5000/x"), url_authority("http://127.0.0.1:5000/x"))
      << "another host name is another host: no credentials there";
}

}  // namespace
}  // namespace ecc::test
