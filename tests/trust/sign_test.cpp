// Signatures end to end through Debian's docker-registry (docs/trust.md).
// The oracles are independent of ecli: openssl makes keys and checks or
// makes ECDSA signatures, skopeo reads ecli's signature manifests and copies
// signature images the test wrote in cosign's layout itself, curl reads
// blobs, tests/trust/cosign_key.py (python3-nacl) writes cosign's encrypted
// keys.
#include <nlohmann/json.hpp>

#include "ecc/codec.h"
#include "ecc/oci.h"
#include "oci_fixture.h"

namespace ecc::test {
namespace {

using nlohmann::json;

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r')) s.pop_back();
  return s;
}

std::span<const uint8_t> bytes_of(const std::string& s) {
  return std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

class Signing : public OciTest {
 protected:
  Registry reg{Registry::Mode::plain};

  // An EC P-256 key pair made by openssl: NAME.pem and NAME.pub.
  fs::path key(const std::string& name) {
    fs::path pem = tmp / (name + ".pem"), pub = tmp / (name + ".pub");
    EXPECT_EQ(run({"openssl", "ecparam", "-genkey", "-name", "prime256v1", "-noout", "-out", pem.string()}).exit_code, 0);
    EXPECT_EQ(run({"openssl", "ec", "-in", pem.string(), "-pubout", "-out", pub.string()}).exit_code, 0);
    return pem;
  }
  static fs::path pub(const fs::path& pem) { return fs::path(pem).replace_extension(".pub"); }

  // `ecli push` of a small module to REPO:TAG; its manifest digest.
  std::string push(const std::string& repo_tag, const std::vector<std::string>& extra = {}) {
    std::vector<std::string> rest = extra;
    rest.push_back(small_module(repo_tag.substr(repo_tag.find(':') + 1) + ".wasm").string());
    rest.push_back(reg.ref(repo_tag));
    RunResult r = ecli(args("push", reg, rest));
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return trimmed(r.out);
  }

  // The openssl signature (base64 of DER) of `payload` by `pem`.
  std::string openssl_sign(const fs::path& pem, const std::string& payload) {
    write_text(tmp / "payload.json", payload);
    RunResult r = run({"openssl", "dgst", "-sha256", "-sign", pem.string(), "-out", (tmp / "sig.der").string(),
                       (tmp / "payload.json").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return base64_encode(read_bytes(tmp / "sig.der"));
  }

  static std::string payload(const std::string& repo, const std::string& digest) {
    return R"({"critical":{"identity":{"docker-reference":")" + repo +
           R"("},"image":{"docker-manifest-digest":")" + digest +
           R"("},"type":"cosign container image signature"},"optional":null})";
  }

  // A signature image written by the test in cosign's layout (a skopeo
  // dir: layout) and copied by skopeo under `digest`'s signature tag.
  void store_signature(const std::string& repo, const std::string& digest,
                       const std::vector<std::pair<std::string, std::string>>& sigs) {
    fs::path dir = tmp / "sigdir";
    fs::remove_all(dir);
    fs::create_directories(dir);
    json layers = json::array(), diff_ids = json::array();
    for (const auto& [p, sig] : sigs) {
      std::string d = oci::sha256_digest(bytes_of(p));
      write_text(dir / d.substr(7), p);
      layers.push_back({{"mediaType", "application/vnd.dev.cosign.simplesigning.v1+json"}, {"digest", d},
                        {"size", p.size()}, {"annotations", {{"dev.cosignproject.cosign/signature", sig}}}});
      diff_ids.push_back(d);
    }
    std::string config = json{{"architecture", ""}, {"os", ""}, {"config", json::object()},
                               {"rootfs", {{"type", "layers"}, {"diff_ids", diff_ids}}}}.dump();
    std::string cd = oci::sha256_digest(bytes_of(config));
    write_text(dir / cd.substr(7), config);
    json m = {{"schemaVersion", 2}, {"mediaType", "application/vnd.oci.image.manifest.v1+json"},
              {"config", {{"mediaType", "application/vnd.oci.image.config.v1+json"}, {"digest", cd}, {"size", config.size()}}},
              {"layers", layers}};
    write_text(dir / "manifest.json", m.dump());
    write_text(dir / "version", "Directory Transport Version: 1.1\n");
    std::string tag = "sha256-" + digest.substr(7) + ".sig";
    RunResult r = run({"skopeo", "copy", "--preserve-digests", "--dest-tls-verify=false", "dir:" + dir.string(),
                       "docker://" + reg.ref(repo + ":" + tag)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // skopeo's view of the signature manifest of `digest`.
  json signature_manifest(const std::string& repo, const std::string& digest) {
    RunResult r = run({"skopeo", "inspect", "--raw", "--tls-verify=false",
                       "docker://" + reg.ref(repo + ":sha256-" + digest.substr(7) + ".sig")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.exit_code == 0 ? json::parse(r.out) : json::object();
  }

  std::string blob(const std::string& repo, const std::string& digest) {
    RunResult r = run({"curl", "-sf", "http://" + reg.host() + "/v2/" + repo + "/blobs/" + digest});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
  }

  // openssl's verdict on a signature (base64 DER) of `payload` by `pubkey`.
  bool openssl_verifies(const fs::path& pubkey, const std::string& payload, const std::string& sig_b64) {
    write_text(tmp / "check.json", payload);
    std::vector<uint8_t> der = base64_decode(sig_b64, "signature");
    write_text(tmp / "check.der", std::string(der.begin(), der.end()));
    RunResult r = run({"openssl", "dgst", "-sha256", "-verify", pubkey.string(), "-signature",
                       (tmp / "check.der").string(), (tmp / "check.json").string()});
    return r.exit_code == 0 && r.out.find("Verified OK") != std::string::npos;
  }

  RunResult pull_verify(const std::string& ref, const std::vector<fs::path>& keys, const fs::path& out) {
    std::vector<std::string> rest;
    for (const fs::path& k : keys) rest.insert(rest.end(), {"--verify", pub(k).string()});
    rest.insert(rest.end(), {ref, "-o", out.string()});
    return ecli(args("pull", reg, rest));
  }

  // A refusal: exit 1, one line naming the image and `why`, no output
  // file, and no blob of the image left in the cache.
  void expect_refused(const RunResult& r, const std::string& ref, const std::string& why, const fs::path& out,
                      bool cache_empty = true) {
    EXPECT_EQ(r.exit_code, 1) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("ecli: error: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(why), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(ref), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(out));
    if (cache_empty) {
      EXPECT_TRUE(files_under(cache() / "ecc" / "oci" / "blobs").empty());
    }
  }

  // ecli with `extra` added to the test's environment.
  RunResult ecli_env(const std::vector<std::string>& a, const std::string& extra) {
    std::vector<std::string> argv = {oci_ecli_binary().string()};
    argv.insert(argv.end(), a.begin(), a.end());
    std::vector<std::string> e = env();
    e.push_back(extra);
    return run(argv, e);
  }
};

TEST_F(Signing, PushSignWritesCosignsLayoutAndOpensslVerifiesTheSignature) {
  fs::path k = key("k");
  std::string digest = push("ebpf/app:v1", {"--sign", k.string()});
  ASSERT_TRUE(oci::is_sha256_digest(digest));
  json m = signature_manifest("ebpf/app", digest);
  ASSERT_EQ(m["layers"].size(), 1u) << m.dump();
  const json& layer = m["layers"][0];
  EXPECT_EQ(m["mediaType"], "application/vnd.oci.image.manifest.v1+json");
  EXPECT_EQ(layer["mediaType"], "application/vnd.dev.cosign.simplesigning.v1+json");
  std::string p = blob("ebpf/app", layer["digest"]);
  EXPECT_EQ(p, payload(reg.host() + "/ebpf/app", digest)) << "cosign's simple-signing payload, byte for byte";
  json claim = json::parse(p);
  EXPECT_EQ(claim["critical"]["image"]["docker-manifest-digest"], digest);
  std::string sig = layer["annotations"]["dev.cosignproject.cosign/signature"];
  EXPECT_TRUE(openssl_verifies(pub(k), p, sig));
  // The config lists the layer as go-containerregistry writes it.
  json config = json::parse(blob("ebpf/app", m["config"]["digest"]));
  EXPECT_EQ(config["rootfs"]["diff_ids"], json::array({layer["digest"]}));
}

TEST_F(Signing, AnOpensslSignatureInCosignsLayoutIsAcceptedByVerifyPullAndVerifyCommand) {
  fs::path k = key("k");
  std::string digest = push("ebpf/app:v1");
  std::string p = payload(reg.host() + "/ebpf/app", digest);
  store_signature("ebpf/app", digest, {{p, openssl_sign(k, p)}});
  RunResult pull = pull_verify(reg.ref("ebpf/app:v1"), {k}, tmp / "out.wasm");
  ASSERT_EQ(pull.exit_code, 0) << pull.err;
  EXPECT_EQ(read_bytes(tmp / "out.wasm"), read_bytes(small_module("v1.wasm")));
  RunResult v = ecli(args("verify", reg, {"--key", pub(k).string(), reg.ref("ebpf/app:v1")}));
  ASSERT_EQ(v.exit_code, 0) << v.err;
  EXPECT_EQ(trimmed(v.out), reg.host() + "/ebpf/app@" + digest);
}

TEST_F(Signing, UnsignedOtherKeyOtherDigestDamagedAndAnotherTagsSignatureAreRefused) {
  fs::path k = key("k"), other = key("other");
  std::string v1 = push("ebpf/app:v1"), v2 = push("ebpf/app:v2"), v3 = push("ebpf/app:v3"), v4 = push("ebpf/app:v4");
  std::string repo = reg.host() + "/ebpf/app";
  // v1 unsigned. v2 signed by another key. v3's signature names v2.
  // v4's signature damaged. v5 carries nothing: v1's signature is v1's.
  store_signature("ebpf/app", v2, {{payload(repo, v2), openssl_sign(other, payload(repo, v2))}});
  store_signature("ebpf/app", v3, {{payload(repo, v2), openssl_sign(k, payload(repo, v2))}});
  std::string good = openssl_sign(k, payload(repo, v4));
  std::string damaged = good.substr(0, 20) + (good[20] == 'A' ? 'B' : 'A') + good.substr(21);
  store_signature("ebpf/app", v4, {{payload(repo, v4), damaged}});
  struct Case {
    std::string tag, why;
  } cases[] = {{"v1", "no signature by " + pub(k).string()},
               {"v2", "signature does not match " + pub(k).string()},
               {"v3", "payload names another image (" + v2 + ")"},
               {"v4", "signature does not match"}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.tag);
    fs::path out = tmp / (c.tag + ".out");
    expect_refused(pull_verify(reg.ref("ebpf/app:" + c.tag), {k}, out), reg.ref("ebpf/app:" + c.tag), c.why, out);
  }
  // A signature made for v1 does not carry over to another tag's manifest.
  store_signature("ebpf/app", v1, {{payload(repo, v1), openssl_sign(k, payload(repo, v1))}});
  push("ebpf/app:v5");
  expect_refused(pull_verify(reg.ref("ebpf/app:v5"), {k}, tmp / "v5.out"), reg.ref("ebpf/app:v5"),
                 "no signature by", tmp / "v5.out");
  ASSERT_EQ(pull_verify(reg.ref("ebpf/app:v1"), {k}, tmp / "v1.out").exit_code, 0);
}

TEST_F(Signing, CosignsEncryptedKeySignsAndAWrongPasswordPushesNothing) {
  fs::path k = key("k");
  ASSERT_EQ(run({"openssl", "pkcs8", "-topk8", "-nocrypt", "-in", k.string(), "-outform", "DER", "-out",
                 (tmp / "k.der").string()}).exit_code, 0);
  fs::path enc = tmp / "cosign.key";
  RunResult w = run({"/usr/bin/python3", (source_dir() / "tests/trust/cosign_key.py").string(),
                     (tmp / "k.der").string(), enc.string(), "pa55"});
  ASSERT_EQ(w.exit_code, 0) << w.err;
  std::vector<std::string> push_args =
      args("push", reg, {"--sign", enc.string(), small_module().string(), reg.ref("ebpf/enc:v1")});
  RunResult bad = ecli_env(push_args, "COSIGN_PASSWORD=wrong");
  EXPECT_EQ(bad.exit_code, 1) << bad.err;
  EXPECT_NE(bad.err.find("wrong password"), std::string::npos) << bad.err;
  EXPECT_NE(run({"skopeo", "inspect", "--raw", "--tls-verify=false", "docker://" + reg.ref("ebpf/enc:v1")}).exit_code, 0)
      << "nothing pushed";
  RunResult good = ecli_env(push_args, "COSIGN_PASSWORD=pa55");
  ASSERT_EQ(good.exit_code, 0) << good.err;
  EXPECT_EQ(pull_verify(reg.ref("ebpf/enc:v1"), {k}, tmp / "enc.out").exit_code, 0);
}

TEST_F(Signing, SeveralSignaturesAreKeptAndAnyListedKeySuffices) {
  fs::path k1 = key("k1"), k2 = key("k2"), k3 = key("k3");
  std::string digest = push("ebpf/app:v1", {"--sign", k1.string()});
  RunResult s = ecli(args("sign", reg, {k2.string(), reg.ref("ebpf/app:v1")}));
  ASSERT_EQ(s.exit_code, 0) << s.err;
  EXPECT_EQ(trimmed(s.out), digest);
  ASSERT_EQ(ecli(args("sign", reg, {k2.string(), reg.ref("ebpf/app:v1")})).exit_code, 0);
  EXPECT_EQ(signature_manifest("ebpf/app", digest)["layers"].size(), 2u) << "appended; the same signature once";
  EXPECT_EQ(pull_verify(reg.ref("ebpf/app:v1"), {k1}, tmp / "a").exit_code, 0);
  EXPECT_EQ(pull_verify(reg.ref("ebpf/app:v1"), {k2}, tmp / "b").exit_code, 0);
  EXPECT_EQ(pull_verify(reg.ref("ebpf/app:v1"), {k3, k2}, tmp / "c").exit_code, 0);
  expect_refused(pull_verify(reg.ref("ebpf/app:v1"), {k3}, tmp / "d"), reg.ref("ebpf/app:v1"),
                 "signature does not match " + pub(k3).string(), tmp / "d", false);
}

TEST_F(Signing, ACachedDigestReverifiesOfflineFromItsCachedSignature) {
  fs::path k = key("k"), other = key("other");
  std::string digest = push("ebpf/app:v1", {"--sign", k.string()});
  std::string ref = reg.ref("ebpf/app@" + digest);
  ASSERT_EQ(pull_verify(ref, {k}, tmp / "online").exit_code, 0);
  reg.stop();
  RunResult offline = pull_verify(ref, {k}, tmp / "offline");
  ASSERT_EQ(offline.exit_code, 0) << offline.err;
  EXPECT_EQ(read_bytes(tmp / "offline"), read_bytes(tmp / "online"));
  RunResult refused = pull_verify(ref, {other}, tmp / "refused");
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("signature does not match " + pub(other).string()), std::string::npos) << refused.err;
  EXPECT_FALSE(fs::exists(tmp / "refused"));
}

TEST_F(Signing, APolicyFileScopesSignatureRequirementsByRepository) {
  fs::path k = key("k");
  push("acme/signed:v1", {"--sign", k.string()});
  push("acme/unsigned:v1");
  push("open/any:v1");
  write_text(tmp / "policy.json", json{{"default", {{{"type", "reject"}}}},
                                       {"transports", {{"docker", {
                                            {reg.host() + "/acme", {{{"type", "sigstoreSigned"}, {"keyPath", pub(k).string()}}}},
                                            {reg.host() + "/open", {{{"type", "insecureAcceptAnything"}}}}}}}}}
                                          .dump());
  auto pull = [&](const std::string& repo_tag, const fs::path& out) {
    return ecli(args("pull", reg, {"--policy", (tmp / "policy.json").string(), "-v", reg.ref(repo_tag), "-o", out.string()}));
  };
  RunResult ok = pull("acme/signed:v1", tmp / "a");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_NE(ok.err.find("transports.docker.\"" + reg.host() + "/acme\""), std::string::npos) << "-v names the scope: " << ok.err;
  EXPECT_EQ(pull("open/any:v1", tmp / "b").exit_code, 0);
  RunResult unsigned_ = pull("acme/unsigned:v1", tmp / "c");
  EXPECT_EQ(unsigned_.exit_code, 1);
  EXPECT_NE(unsigned_.err.find("no signature by " + pub(k).string()), std::string::npos) << unsigned_.err;
  write_text(tmp / "policy.json", R"({"default": [{"type": "reject"}]})");
  RunResult rejected = pull("open/any:v1", tmp / "d");
  EXPECT_EQ(rejected.exit_code, 1);
  EXPECT_NE(rejected.err.find("rejected by policy default"), std::string::npos) << rejected.err;
  EXPECT_FALSE(fs::exists(tmp / "d"));
}

TEST_F(Signing, AFileIsSignedBesideItAsCosignSignBlobDoes) {
  fs::path k = key("k");
  fs::path f = small_module("blob.wasm");
  RunResult s = ecli({"sign", k.string(), f.string()});
  ASSERT_EQ(s.exit_code, 0) << s.err;
  std::string sig = trimmed(read_text(f.string() + ".sig"));
  std::vector<uint8_t> bytes = read_bytes(f);
  EXPECT_TRUE(openssl_verifies(pub(k), std::string(bytes.begin(), bytes.end()), sig));
  RunResult v = ecli({"verify", "--key", pub(k).string(), f.string()});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  write_text(f.string() + ".sig", sig.substr(0, 10) + (sig[10] == 'A' ? "B" : "A") + sig.substr(11));
  RunResult bad = ecli({"verify", "--key", pub(k).string(), f.string()});
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.err.find("signature does not match"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace ecc::test
