// Round trips through a real registry (Debian's docker-registry): plain
// HTTP, TLS with a test CA and htpasswd, and token auth; skopeo as the
// independent client in both directions.
#include <sstream>

#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/oci.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

class OciRegistry : public OciTest {
 protected:
  // `ecli pull --plain-http REF` in <tmp>/here, where -o's default lands.
  RunResult pull_here(const std::string& ref) {
    fs::create_directories(tmp / "here");
    return run({oci_ecli_binary().string(), "pull", "--plain-http", ref}, env(), (tmp / "here").string());
  }
};

// skopeo's view of a manifest (an empty object when skopeo fails).
json skopeo_manifest(const std::string& ref) {
  RunResult raw = run({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + ref});
  EXPECT_EQ(raw.exit_code, 0) << raw.err;
  return raw.exit_code == 0 ? json::parse(raw.out) : json::object();
}

std::string pushed_digest(const RunResult& r) {
  std::string d = r.out;
  while (!d.empty() && d.back() == '\n') d.pop_back();
  return d;
}

TEST_F(OciRegistry, PushPullIsByteIdenticalAndPullDefaultsToTheTitle) {
  Registry reg(Registry::Mode::plain);
  fs::path module = small_module("sigsnoop.wasm");
  RunResult push = ecli(args("push", reg, {module.string(), reg.ref("ebpf/sigsnoop:v1")}));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  EXPECT_TRUE(oci::is_sha256_digest(pushed_digest(push))) << push.out;
  EXPECT_NE(push.err.find("pushed"), std::string::npos) << push.err;

  RunResult pull = ecli(args("pull", reg, {reg.ref("ebpf/sigsnoop:v1"), "-o", (tmp / "out.wasm").string()}));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "out.wasm"), read_bytes(module));
  RunResult deflt = pull_here(reg.ref("ebpf/sigsnoop:v1"));
  ASSERT_EQ(deflt.exit_code, 0) << deflt.err;
  EXPECT_EQ(list_dir(tmp / "here"), std::vector<std::string>{"sigsnoop.wasm"}) << "-o defaults to the title";
  EXPECT_EQ(read_bytes(tmp / "here" / "sigsnoop.wasm"), read_bytes(module));

  // The cache is content-addressed: the layer under its digest, and the manifest.
  std::string layer = oci::sha256_digest(read_bytes(module));
  EXPECT_EQ(read_bytes(cache() / "ecc" / "oci" / "blobs" / "sha256" / layer.substr(7)), read_bytes(module));
  std::string manifest = pushed_digest(push);
  EXPECT_TRUE(fs::exists(cache() / "ecc" / "oci" / "manifests" / "sha256" / manifest.substr(7)));
  // A tag already in the cache: the probe and a HEAD, no manifest or blob GET.
  RunResult cached = ecli(args("pull", reg, {"-v", reg.ref("ebpf/sigsnoop:v1"), "-o", (tmp / "c.wasm").string()}));
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  EXPECT_NE(cached.err.find("ecli: HEAD " + std::string("http://") + reg.host() + "/v2/ebpf/sigsnoop/manifests/v1 -> 200"),
            std::string::npos) << cached.err;
  EXPECT_EQ(cached.err.find("ecli: GET http://" + reg.host() + "/v2/ebpf/"), std::string::npos) << cached.err;
  EXPECT_EQ(read_bytes(tmp / "c.wasm"), read_bytes(module));
  // By digest too.
  RunResult by_digest = ecli(args("pull", reg, {reg.ref("ebpf/sigsnoop@" + manifest), "-o", (tmp / "d.wasm").string()}));
  ASSERT_EQ(by_digest.exit_code, 0) << by_digest.err;
  EXPECT_EQ(read_bytes(tmp / "d.wasm"), read_bytes(module));
}

TEST_F(OciRegistry, APackageJsonRoundTripsWithItsOwnMediaType) {
  Registry reg(Registry::Mode::plain);
  fs::path pkg = package_json();
  ASSERT_EQ(ecli(args("push", reg, {pkg.string(), reg.ref("pkg:latest")})).exit_code, 0);
  EXPECT_EQ(skopeo_manifest(reg.ref("pkg:latest"))["layers"][0]["mediaType"], "application/vnd.ecc.package.v1+json");
  RunResult pull = pull_here(reg.ref("pkg"));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "here" / "package.json"), read_bytes(pkg));
  RunResult not_ours = ecli(args("push", reg, {(tmp / "here").string(), reg.ref("pkg:dir")}));
  EXPECT_EQ(not_ours.exit_code, 1);
  write_text(tmp / "page.html", "<html></html>");
  RunResult html = ecli(args("push", reg, {(tmp / "page.html").string(), reg.ref("pkg:html")}));
  EXPECT_EQ(html.exit_code, 1);
  EXPECT_EQ(html.err, "ecli: error: neither a Wasm module nor an ecc package.json (" + (tmp / "page.html").string() + ")\n");
}

TEST_F(OciRegistry, SkopeoSeesTheMediaTypesTitleAndLayerBytes) {
  Registry reg(Registry::Mode::plain);
  fs::path module = small_module();
  ASSERT_EQ(ecli(args("push", reg, {module.string(), reg.ref("oracle/app:1")})).exit_code, 0);
  json m = skopeo_manifest(reg.ref("oracle/app:1"));
  EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(m["config"]["mediaType"], "application/vnd.wasm.config.v1+json");
  EXPECT_EQ(m["config"]["size"], 2);
  ASSERT_EQ(m["layers"].size(), 1u);
  EXPECT_EQ(m["layers"][0]["mediaType"], "application/vnd.wasm.content.layer.v1+wasm");
  EXPECT_EQ(m["layers"][0]["annotations"]["org.opencontainers.image.title"], "app.wasm");
  EXPECT_EQ(m["annotations"]["org.opencontainers.image.title"], "app.wasm");
  RunResult copy = run({"skopeo", "copy", "--src-tls-verify=false", "docker://" + reg.ref("oracle/app:1"),
                        "dir:" + (tmp / "copied").string()});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  std::string layer = m["layers"][0]["digest"];
  EXPECT_EQ(read_bytes(tmp / "copied" / layer.substr(7)), read_bytes(module));
  EXPECT_EQ(read_text(tmp / "copied" / std::string(m["config"]["digest"]).substr(7)), "{}");
}

TEST_F(OciRegistry, AModulePushedBySkopeoInTheWasmToOciLayoutIsPulledByEcli) {
  Registry reg(Registry::Mode::plain);
  std::vector<uint8_t> module = read_bytes(small_module());
  fs::path dir = wasm_to_oci_dir(tmp / "layout", module, "from-skopeo.wasm");
  RunResult copy = run({"skopeo", "copy", "--dest-tls-verify=false", "dir:" + dir.string(),
                        "docker://" + reg.ref("skopeo/mod:v1")});
  ASSERT_EQ(copy.exit_code, 0) << copy.err;
  RunResult pull = pull_here(reg.ref("skopeo/mod:v1"));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "here" / "from-skopeo.wasm"), module);
}

TEST_F(OciRegistry, RunRefAndRunUrlRunTheFetchedModuleAndACachedDigestNeedsNoRegistry) {
  auto reg = std::make_unique<Registry>(Registry::Mode::plain);
  fs::path module = exit_module(tmp.path(), 7);
  RunResult push = ecli(args("push", *reg, {module.string(), reg->ref("exit:7")}));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  RunResult by_tag = ecli(args("run", *reg, {reg->ref("exit:7")}));
  EXPECT_EQ(by_tag.exit_code, 7) << "the module's proc_exit code: " << by_tag.err;
  std::string ref = reg->ref("exit@" + pushed_digest(push));
  reg.reset();  // stopped: the digest is in the cache
  RunResult cached = ecli({"run", "--plain-http", ref});
  EXPECT_EQ(cached.exit_code, 7) << cached.err;
  RunResult tag_offline = ecli({"run", "--plain-http", ref.substr(0, ref.find('@')) + ":7"});
  EXPECT_EQ(tag_offline.exit_code, 1) << "a tag needs the registry";
  EXPECT_NE(tag_offline.err.find("unreachable"), std::string::npos) << tag_offline.err;

  fs::create_directories(tmp / "www");
  fs::copy_file(module, tmp / "www" / "exit.wasm");
  FakeServer www(tmp / "www");
  RunResult url = ecli({"run", www.url("/files/exit.wasm")});
  EXPECT_EQ(url.exit_code, 7) << url.err;
}

TEST_F(OciRegistry, LargeBlobsGoUpInChunksAndComeBackIdentical) {
  Registry reg(Registry::Mode::plain);
  std::string big = read_text(large_module());
  RunResult push = ecli(args("push", reg, {"-v", (tmp / "big.wasm").string(), reg.ref("big:1")}));
  ASSERT_EQ(push.exit_code, 0) << push.err;
  size_t patches = 0;
  for (size_t p = push.err.find("ecli: PATCH "); p != std::string::npos; p = push.err.find("ecli: PATCH ", p + 1)) patches++;
  EXPECT_EQ(patches, 4u) << "6 MiB in 2 MiB chunks:\n" << push.err;
  RunResult pull = ecli(args("pull", reg, {reg.ref("big:1"), "-o", (tmp / "back.wasm").string()}));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_text(tmp / "back.wasm"), big);
  RunResult again = ecli(args("push", reg, {"-v", (tmp / "big.wasm").string(), reg.ref("big:2")}));
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(again.err.find("PATCH"), std::string::npos) << "a blob the registry has is not uploaded again";
}

TEST_F(OciRegistry, UploadsFollowRelativeLocationsChunkByChunk) {
  FakeServer fake(tmp.path());
  fs::path big = large_module(), small = small_module();
  for (const auto& file : {big, small}) {
    std::string ref = fake.host() + "/relative/app:" + file.stem().string();
    RunResult push = ecli({"push", "--plain-http", file.string(), ref});
    ASSERT_EQ(push.exit_code, 0) << push.err;
    RunResult pull = ecli({"pull", "--plain-http", ref, "-o", (tmp / "back").string()});
    ASSERT_EQ(pull.exit_code, 0) << pull.err;
    EXPECT_EQ(read_bytes(tmp / "back"), read_bytes(file));
  }
  int patches = 0, puts = 0;
  for (const auto& [path, auth] : json::parse(fake.log()).get<std::vector<std::pair<std::string, bool>>>()) {
    if (path.rfind("/upload/", 0) != 0) continue;
    if (path.find("digest=") != std::string::npos) puts++;
    else patches++;
  }
  EXPECT_EQ(patches, 4) << "the large module in 2 MiB chunks, each at the Location the last one gave";
  EXPECT_EQ(puts, 3) << "config once (then HEAD finds it), and each module";
}

TEST_F(OciRegistry, TlsWithCertsDCaAndHtpasswdCredentials) {
  ECC_REQUIRE_KERNEL_OR_SKIP();  // root: the CA goes into /etc/docker/certs.d and /etc/containers/certs.d
  Registry reg(Registry::Mode::tls_htpasswd);
  fs::path module = small_module();
  std::vector<std::string> push = {"push", "-v", "-u", Registry::kUser, "--password-stdin", module.string(),
                                   reg.ref("tls/app:1")};
  RunResult untrusted = ecli_password(push, Registry::kPassword);
  EXPECT_EQ(untrusted.exit_code, 1);
  EXPECT_NE(untrusted.err.find("ecli: error: registry or server unreachable"), std::string::npos) << untrusted.err;
  EXPECT_NE(untrusted.err.find("certificate"), std::string::npos) << untrusted.err;

  std::vector<std::string> insecure = push;
  insecure.insert(insecure.begin() + 1, "--insecure");
  RunResult ins = ecli_password(insecure, Registry::kPassword);
  EXPECT_EQ(ins.exit_code, 0) << ins.err;

  reg.install_ca("docker");
  RunResult trusted = ecli_password(push, Registry::kPassword);
  ASSERT_EQ(trusted.exit_code, 0) << trusted.err;
  std::string b64 = base64_encode(std::span(reinterpret_cast<const uint8_t*>("ecc-user:s3cret-Pa55word"), 24));
  for (const auto* r : {&ins, &trusted}) {
    EXPECT_EQ(r->err.find(Registry::kPassword), std::string::npos) << "-v never prints the password";
    EXPECT_EQ(r->err.find(b64), std::string::npos) << "nor its Basic form";
    EXPECT_EQ(r->out.find(Registry::kPassword), std::string::npos);
  }

  fs::path out = tmp / "o.wasm";
  RunResult anon = ecli({"pull", reg.ref("tls/app:1"), "-o", out.string()});
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_NE(anon.err.find("401 Unauthorized"), std::string::npos) << anon.err;
  EXPECT_NE(anon.err.find("no credentials"), std::string::npos) << anon.err;
  EXPECT_NE(anon.err.find(reg.ref("tls/app:1")), std::string::npos) << anon.err;
  EXPECT_FALSE(fs::exists(out));
  RunResult wrong = ecli_password({"pull", "-u", Registry::kUser, "--password-stdin", reg.ref("tls/app:1"), "-o",
                                   out.string()}, "wrong");
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_NE(wrong.err.find("401 Unauthorized"), std::string::npos) << wrong.err;
  EXPECT_FALSE(fs::exists(out));

  // docker login's config.json, and podman's certs.d instead of docker's.
  write_docker_config(docker_config(), reg.host(), Registry::kUser, Registry::kPassword);
  reg.install_ca("containers");
  fs::remove_all(fs::path("/etc/docker/certs.d") / reg.host());
  RunResult cfg = ecli({"pull", reg.ref("tls/app:1"), "-o", out.string()});
  ASSERT_EQ(cfg.exit_code, 0) << cfg.err;
  EXPECT_EQ(read_bytes(out), read_bytes(module));
  RunResult sk = run({"skopeo", "inspect", "--raw", "--creds", std::string(Registry::kUser) + ":" + Registry::kPassword,
                      "docker://" + reg.ref("tls/app:1")});
  EXPECT_EQ(sk.exit_code, 0) << "skopeo trusts the same certs.d CA: " << sk.err;
}

TEST_F(OciRegistry, TokenAuthBehindATokenService) {
  Registry reg(Registry::Mode::token);
  fs::path module = small_module();
  RunResult anon = ecli(args("push", reg, {module.string(), reg.ref("tok/app:1")}));
  EXPECT_EQ(anon.exit_code, 1);
  EXPECT_NE(anon.err.find("the token service: 401 Unauthorized"), std::string::npos) << anon.err;
  RunResult push = ecli_password(args("push", reg, {"-v", "-u", Registry::kUser, "--password-stdin", module.string(),
                                                    reg.ref("tok/app:1")}), Registry::kPassword);
  ASSERT_EQ(push.exit_code, 0) << push.err;
  write_docker_config(docker_config(), reg.host(), Registry::kUser, Registry::kPassword);
  RunResult pull = ecli(args("pull", reg, {"-v", reg.ref("tok/app:1"), "-o", (tmp / "o.wasm").string()}));
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "o.wasm"), read_bytes(module));
  std::string tokens = reg.issued_tokens();
  ASSERT_FALSE(tokens.empty());
  std::istringstream lines(tokens);
  for (std::string t; std::getline(lines, t);) {
    EXPECT_EQ(push.err.find(t), std::string::npos) << "-v never prints a token";
    EXPECT_EQ(pull.err.find(t), std::string::npos) << "-v never prints a token";
  }
  EXPECT_NE(pull.err.find("(token) -> 200"), std::string::npos) << pull.err;
}

}  // namespace
}  // namespace ecc::test
