// The policy file (docs/trust.md, "The policy file"): containers-policy.json(5)
// read as containers/image reads it, its scopes chosen in containers/image's
// order, ecli's file and https transports and "bpf" element, and one error
// line naming the file and the JSON path for every bad input. Keys are made
// with openssl.
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "ecc/codec.h"
#include "ecc/error.h"
#include "ecc/trust.h"
#include "test_util.h"

namespace {

using ecc::trust::Decision;
using ecc::trust::Origin;
using ecc::trust::Policy;
using ecc::trust::Requirement;
using ecc::trust::SignedIdentity;
namespace fs = std::filesystem;

class PolicyTest : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = new ecc::test::TempDir();
    for (const char* name : {"a", "b"}) {
      fs::path priv = *dir_ / (std::string(name) + ".key"), pub = *dir_ / (std::string(name) + ".pub");
      auto r1 = ecc::test::run({"openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", priv});
      ASSERT_EQ(r1.exit_code, 0) << r1.err;
      auto r2 = ecc::test::run({"openssl", "pkey", "-in", priv, "-pubout", "-out", pub});
      ASSERT_EQ(r2.exit_code, 0) << r2.err;
    }
  }
  static void TearDownTestSuite() {
    delete dir_;
    dir_ = nullptr;
  }
  static fs::path key(const std::string& name) { return *dir_ / (name + ".pub"); }
  static std::string pem(const std::string& name) { return ecc::test::read_text(key(name)); }

  // Writes `text` (with @A@ and @B@ standing for the two public keys' paths).
  fs::path write(std::string text, const std::string& name = "policy.json") {
    for (auto [mark, k] : {std::pair{"@A@", "a"}, std::pair{"@B@", "b"}})
      for (size_t at; (at = text.find(mark)) != std::string::npos;) text.replace(at, 3, key(k).string());
    fs::path p = *dir_ / name;
    ecc::test::write_text(p, text);
    return p;
  }
  Policy load(const std::string& text) { return Policy::load(write(text)); }
  void expect_refused(const std::vector<std::pair<std::string, std::string>>& cases);

  static Origin docker(const std::string& name, const std::string& tag = "", const std::string& digest = "") {
    return Origin{Origin::Transport::docker, name, tag, digest};
  }
  static Origin file(const std::string& path) { return Origin{Origin::Transport::file, path, "", ""}; }
  static Origin https(const std::string& name) { return Origin{Origin::Transport::https, name, "", ""}; }

  static ecc::test::TempDir* dir_;
};
ecc::test::TempDir* PolicyTest::dir_ = nullptr;

using Type = Requirement::Type;

// containers-policy.json(5)'s "reasonably locked-down system", with real
// keys and without its comments (atomic's signedBy is another transport's:
// ecli leaves it unread).
const char* const man_page_policy = R"({
  "default": [{"type": "reject"}],
  "transports": {
    "docker": {
      "docker.io/openshift": [{"type": "insecureAcceptAnything"}],
      "docker.io/library/busybox": [{"type": "insecureAcceptAnything"}],
      "*.temporary-project.example.com": [{"type": "insecureAcceptAnything"}],
      "hostname:5000/myns/sigstore-signed-with-full-references": [
        {"type": "sigstoreSigned", "keyPath": "@A@"}
      ],
      "hostname:5000/myns/sigstore-signed-allows-malicious-tag-substitution": [
        {"type": "sigstoreSigned", "keyPath": "@A@", "signedIdentity": {"type": "matchRepository"}}
      ]
    },
    "dir": {"": [{"type": "insecureAcceptAnything"}]},
    "atomic": {
      "hostname:5000/myns/official": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/path/to/official-pubkey.gpg"}],
      "private-mirror:5000/vendor-mirror": [{"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg",
        "signedIdentity": {"type": "remapIdentity", "prefix": "private-mirror:5000/vendor-mirror", "signedPrefix": "vendor.example.com"}}]
    }
  }
})";

TEST_F(PolicyTest, ManPageLockedDownExample) {
  Policy p = load(man_page_policy);
  struct Case {
    Origin o;
    std::string scope;
    Type type;
  };
  const std::vector<Case> cases = {
      {docker("docker.io/openshift/hello-openshift", "latest"), R"(transports.docker."docker.io/openshift")",
       Type::insecure_accept_anything},
      {docker("docker.io/openshift/origin", "", "sha256:" + std::string(64, 'a')),
       R"(transports.docker."docker.io/openshift")", Type::insecure_accept_anything},
      {docker("docker.io/library/busybox", "1.36"), R"(transports.docker."docker.io/library/busybox")",
       Type::insecure_accept_anything},
      {docker("docker.io/library/alpine", "3"), "default", Type::reject},
      {docker("docker.io/openshiftx/a", "1"), "default", Type::reject},
      {docker("a.temporary-project.example.com/x", "1"), R"(transports.docker."*.temporary-project.example.com")",
       Type::insecure_accept_anything},
      {docker("b.a.temporary-project.example.com:5000/x/y", "1"),
       R"(transports.docker."*.temporary-project.example.com")", Type::insecure_accept_anything},
      {docker("temporary-project.example.com/x", "1"), "default", Type::reject},
      {docker("hostname:5000/myns/sigstore-signed-with-full-references", "v1"),
       R"(transports.docker."hostname:5000/myns/sigstore-signed-with-full-references")", Type::sigstore_signed},
      {docker("hostname:5000/myns/other", "v1"), "default", Type::reject},
      {file("/srv/pkgs/x.json"), "default", Type::reject},
      {https("example.com/x.json"), "default", Type::reject},
  };
  for (const auto& c : cases) {
    Decision d = p.decide(c.o);
    EXPECT_EQ(d.scope, c.scope) << c.o.name << ":" << c.o.tag;
    ASSERT_EQ(d.requirements.size(), 1u) << c.o.name;
    EXPECT_EQ(d.requirements[0].type, c.type) << c.o.name;
    EXPECT_TRUE(d.rules.empty());
  }
  Decision full = p.decide(docker("hostname:5000/myns/sigstore-signed-with-full-references", "v1"));
  EXPECT_EQ(full.requirements[0].key_pems, std::vector<std::string>{pem("a")});
  EXPECT_EQ(full.requirements[0].key_labels, std::vector<std::string>{key("a").string()});
  EXPECT_EQ(full.requirements[0].identity.kind, SignedIdentity::Kind::match_repo_digest_or_exact);
  Decision repo = p.decide(docker("hostname:5000/myns/sigstore-signed-allows-malicious-tag-substitution", "latest"));
  EXPECT_EQ(repo.requirements[0].identity.kind, SignedIdentity::Kind::match_repository);
  EXPECT_EQ(p.file(), (*dir_ / "policy.json").string());
}

TEST_F(PolicyTest, ManPageAcceptEverythingAndPodmanDefault) {
  Policy open = load(R"({"default": [{"type": "insecureAcceptAnything"}]})");
  EXPECT_EQ(open.decide(docker("r.example.com/a", "1")).scope, "default");
  EXPECT_EQ(open.decide(docker("r.example.com/a", "1")).requirements[0].type, Type::insecure_accept_anything);
  // /etc/containers/policy.json as Debian's podman installs it.
  Policy podman = load(R"({
    "default": [{"type": "insecureAcceptAnything"}],
    "transports": {"docker-daemon": {"": [{"type": "insecureAcceptAnything"}]}}
  })");
  EXPECT_EQ(podman.decide(docker("localhost:5000/a", "1")).scope, "default");
}

// Every kind of docker scope, each shadowing the ones after it.
TEST_F(PolicyTest, DockerScopePrecedence) {
  const std::string digest = "sha256:" + std::string(64, 'b');
  const std::vector<std::string> scopes = {
      "r.example.com/a/b/c:v1", "r.example.com/a/b/c@" + digest, "r.example.com/a/b/c", "r.example.com/a/b",
      "r.example.com/a", "r.example.com", "*.a.example.com", "*.example.com", "*.com", ""};
  std::string text = R"({"default": [{"type": "reject"}], "transports": {"docker": {)";
  for (size_t i = 0; i < scopes.size(); i++)
    text += (i ? "," : "") + ("\"" + scopes[i] + "\": [{\"type\": \"insecureAcceptAnything\"}]");
  Policy p = load(text + "}}}");
  struct Case {
    Origin o;
    std::string scope;
  };
  const std::vector<Case> cases = {
      {docker("r.example.com/a/b/c", "v1", digest), "r.example.com/a/b/c:v1"},  // the tag first
      {docker("r.example.com/a/b/c", "", digest), "r.example.com/a/b/c@" + digest},
      {docker("r.example.com/a/b/c", "v2", digest), "r.example.com/a/b/c@" + digest},
      {docker("r.example.com/a/b/c", "v2"), "r.example.com/a/b/c"},
      {docker("r.example.com/a/b/cd", "v1"), "r.example.com/a/b"},
      {docker("r.example.com/a/b/c/d", "v1"), "r.example.com/a/b/c"},
      {docker("r.example.com/a/x", "v1"), "r.example.com/a"},
      {docker("r.example.com/y", "v1"), "r.example.com"},
      {docker("r.example.com:5000/y", "v1"), "*.example.com"},  // the port is the host's; wildcards drop it
      {docker("x.a.example.com/y", "v1"), "*.a.example.com"},
      {docker("x.y.a.example.com/y", "v1"), "*.a.example.com"},
      {docker("a.example.com/y", "v1"), "*.example.com"},
      {docker("example.com/y", "v1"), "*.com"},  // "*.example.com" is its sub-domains only
      {docker("example.org/y", "v1"), ""},
      {docker("localhost:5000/y", "v1"), ""},
      {docker("[::1]:5000/y", "v1"), ""},
  };
  for (const auto& c : cases)
    EXPECT_EQ(p.decide(c.o).scope, "transports.docker.\"" + c.scope + "\"") << c.o.name << " " << c.o.tag;

  Policy no_default = load(R"({"default": [{"type": "reject"}],
    "transports": {"docker": {"*.example.com": [{"type": "insecureAcceptAnything"}]}}})");
  EXPECT_EQ(no_default.decide(docker("example.com/y", "1")).scope, "default");
  EXPECT_EQ(no_default.decide(docker("example.com/y", "1")).requirements[0].type, Type::reject);

  Policy ipv6 = load(R"({"default": [{"type": "reject"}],
    "transports": {"docker": {"[::1]:5000": [{"type": "insecureAcceptAnything"}]}}})");
  EXPECT_EQ(ipv6.decide(docker("[::1]:5000/a/b", "1")).scope, R"(transports.docker."[::1]:5000")");
  EXPECT_EQ(ipv6.decide(docker("[::1]:5001/a/b", "1")).scope, "default");
}

TEST_F(PolicyTest, FileTransportLongestDirectoryPrefix) {
  Policy p = load(R"({"default": [{"type": "reject"}], "transports": {"file": {
    "/srv/pkgs": [{"type": "insecureAcceptAnything"}],
    "/srv/pkgs/team": [{"type": "sigstoreSigned", "keyPath": "@A@"}],
    "/srv/pkgs/team/one.json": [{"type": "reject"}],
    "": [{"type": "sigstoreSigned", "keyPath": "@B@"}]}}})");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"/srv/pkgs/team/one.json", R"(transports.file."/srv/pkgs/team/one.json")"},
      {"/srv/pkgs/team/two.json", R"(transports.file."/srv/pkgs/team")"},
      {"/srv/pkgs/team/sub/x.json", R"(transports.file."/srv/pkgs/team")"},
      {"/srv/pkgs/team", R"(transports.file."/srv/pkgs/team")"},
      {"/srv/pkgs/teamx/y.json", R"(transports.file."/srv/pkgs")"},
      {"/srv/pkgs/./team/../x.json", R"(transports.file."/srv/pkgs")"},
      {"/srv/pkgsx/y.json", R"(transports.file."")"},
      {"/x.json", R"(transports.file."")"},
  };
  for (const auto& [path, scope] : cases) EXPECT_EQ(p.decide(file(path)).scope, scope) << path;
  EXPECT_EQ(p.decide(file("/x")).requirements[0].key_pems, std::vector<std::string>{pem("b")});
  // The docker and https transports have no scopes here.
  EXPECT_EQ(p.decide(docker("r.example.com/a", "1")).scope, "default");
  EXPECT_EQ(p.decide(https("srv/pkgs/x")).scope, "default");
  Policy no_empty = load(R"({"default": [{"type": "reject"}],
    "transports": {"file": {"/srv": [{"type": "insecureAcceptAnything"}]}}})");
  EXPECT_EQ(no_empty.decide(file("/opt/x.json")).scope, "default");
}

TEST_F(PolicyTest, HttpsTransportLongestPathPrefix) {
  Policy p = load(R"({"default": [{"type": "reject"}], "transports": {"https": {
    "example.com": [{"type": "sigstoreSigned", "keyPath": "@A@"}],
    "example.com/pkgs": [{"type": "insecureAcceptAnything"}],
    "example.com:8443": [{"type": "insecureAcceptAnything"}],
    "": [{"type": "reject"}]}}})");
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"example.com/pkgs/a.json", R"(transports.https."example.com/pkgs")"},
      {"example.com/pkgs", R"(transports.https."example.com/pkgs")"},
      {"example.com/pkgs/", R"(transports.https."example.com/pkgs")"},
      {"example.com/pkgsx/a.json", R"(transports.https."example.com")"},
      {"example.com/a.json", R"(transports.https."example.com")"},
      {"example.com:8443/a.json", R"(transports.https."example.com:8443")"},
      {"example.com:8080/a.json", R"(transports.https."")"},
      {"www.example.com/pkgs/a.json", R"(transports.https."")"},
  };
  for (const auto& [name, scope] : cases) EXPECT_EQ(p.decide(https(name)).scope, scope) << name;
}

TEST_F(PolicyTest, BpfElementGivesTheScopesRules) {
  Policy p = load(R"({"default": [{"type": "insecureAcceptAnything"},
                                  {"bpf": {"denyHelpers": ["bpf_probe_write_user", "send_signal"]}}],
    "transports": {"docker": {
      "r.example.com/acme": [{"type": "bpf", "allowProgramTypes": ["tracepoint", "kprobe"], "denyProgramTypes": ["xdp"],
                              "allowHelpers": [], "denyHelpers": ["bpf_override_return"]},
                             {"type": "sigstoreSigned", "keyPath": "@A@"}],
      "r.example.com": [{"type": "insecureAcceptAnything"}]}}})");
  Decision acme = p.decide(docker("r.example.com/acme/tool", "1"));
  EXPECT_EQ(acme.scope, R"(transports.docker."r.example.com/acme")");
  ASSERT_EQ(acme.requirements.size(), 1u);
  EXPECT_EQ(acme.requirements[0].type, Type::sigstore_signed);
  EXPECT_EQ(acme.rules.scope, acme.scope);
  EXPECT_EQ(acme.rules.allow_program_types, (std::vector<std::string>{"tracepoint", "kprobe"}));
  EXPECT_EQ(acme.rules.deny_program_types, std::vector<std::string>{"xdp"});
  ASSERT_TRUE(acme.rules.allow_helpers.has_value());
  EXPECT_TRUE(acme.rules.allow_helpers->empty());
  EXPECT_EQ(acme.rules.deny_helpers, std::vector<std::string>{"bpf_override_return"});

  Decision other = p.decide(docker("r.example.com/other", "1"));  // a more general scope's rules do not apply
  EXPECT_TRUE(other.rules.empty());
  Decision fallback = p.decide(docker("q.example.org/x", "1"));
  EXPECT_EQ(fallback.scope, "default");
  EXPECT_EQ(fallback.rules.scope, "default");
  EXPECT_FALSE(fallback.rules.allow_program_types.has_value());
  EXPECT_FALSE(fallback.rules.allow_helpers.has_value());
  EXPECT_EQ(fallback.rules.deny_helpers, (std::vector<std::string>{"bpf_probe_write_user", "send_signal"}));
}

TEST_F(PolicyTest, KeysFromPathsAndData) {
  std::string a = pem("a"), b = pem("b");
  auto b64 = [](const std::string& s) {
    return ecc::base64_encode(std::span(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  };
  fs::copy_file(key("b"), *dir_ / "relative.pub", fs::copy_options::overwrite_existing);
  Policy p = load(R"({"default": [{"type": "reject"}], "transports": {"docker": {
    "h.example.com/paths": [{"type": "sigstoreSigned", "keyPaths": ["@A@", "relative.pub"]}],
    "h.example.com/data": [{"type": "sigstoreSigned", "keyData": ")" + b64(a) + R"("}],
    "h.example.com/datas": [{"type": "sigstoreSigned", "keyDatas": [")" + b64(a) + R"(", ")" + b64(b) + R"("]}],
    "h.example.com/both": [{"type": "sigstoreSigned", "keyPath": "@A@"}, {"type": "sigstoreSigned", "keyPath": "@B@"}]}}})");
  Requirement paths = p.decide(docker("h.example.com/paths", "1")).requirements.at(0);
  EXPECT_EQ(paths.key_pems, (std::vector<std::string>{a, b}));
  EXPECT_EQ(paths.key_labels, (std::vector<std::string>{key("a").string(), (*dir_ / "relative.pub").string()}));
  Requirement data = p.decide(docker("h.example.com/data", "1")).requirements.at(0);
  EXPECT_EQ(data.key_pems, std::vector<std::string>{a});
  EXPECT_EQ(data.key_labels, std::vector<std::string>{"keyData"});
  Requirement datas = p.decide(docker("h.example.com/datas", "1")).requirements.at(0);
  EXPECT_EQ(datas.key_pems, (std::vector<std::string>{a, b}));
  EXPECT_EQ(datas.key_labels, (std::vector<std::string>{"keyDatas[0]", "keyDatas[1]"}));
  Decision both = p.decide(docker("h.example.com/both", "1"));
  ASSERT_EQ(both.requirements.size(), 2u);
  EXPECT_EQ(both.requirements[1].key_pems, std::vector<std::string>{b});
}

TEST_F(PolicyTest, SignedIdentities) {
  using Kind = SignedIdentity::Kind;
  const std::string digest = "sha256:" + std::string(64, 'c');
  Policy p = load(R"({"default": [{"type": "reject"}], "transports": {"docker": {
    "h.example.com/1": [{"type": "sigstoreSigned", "keyPath": "@A@", "signedIdentity": {"type": "matchExact"}}],
    "h.example.com/2": [{"type": "sigstoreSigned", "keyPath": "@A@", "signedIdentity": {"type": "matchRepoDigestOrExact"}}],
    "h.example.com/3": [{"type": "sigstoreSigned", "keyPath": "@A@", "signedIdentity": {"type": "matchRepository"}}],
    "h.example.com/4": [{"type": "sigstoreSigned", "keyPath": "@A@",
                         "signedIdentity": {"type": "exactReference", "dockerReference": "up.example.com/x/y:v1"}}],
    "h.example.com/5": [{"type": "sigstoreSigned", "keyPath": "@A@",
                         "signedIdentity": {"type": "exactReference", "dockerReference": "up.example.com/x/y@)" +
                  digest + R"("}}],
    "h.example.com/6": [{"type": "sigstoreSigned", "keyPath": "@A@",
                         "signedIdentity": {"type": "exactRepository", "dockerRepository": "up.example.com:5000/x"}}]}}})");
  auto id = [&](const std::string& n) { return p.decide(docker("h.example.com/" + n, "1")).requirements.at(0).identity; };
  EXPECT_EQ(id("1").kind, Kind::match_exact);
  EXPECT_EQ(id("2").kind, Kind::match_repo_digest_or_exact);
  EXPECT_EQ(id("3").kind, Kind::match_repository);
  EXPECT_EQ(id("4").kind, Kind::exact_reference);
  EXPECT_EQ(id("4").value, "up.example.com/x/y:v1");
  EXPECT_EQ(id("5").value, "up.example.com/x/y@" + digest);
  EXPECT_EQ(id("6").kind, Kind::exact_repository);
  EXPECT_EQ(id("6").value, "up.example.com:5000/x");
}

TEST_F(PolicyTest, LoadDefaultWithoutAFileAcceptsAnything) {
  if (fs::exists(fs::symlink_status("/etc/ecli/policy.json"))) GTEST_SKIP() << "/etc/ecli/policy.json exists here";
  Policy p = Policy::load_default();
  EXPECT_EQ(p.file(), "");
  for (const Origin& o : {docker("r.example.com/a", "1"), file("/x"), https("example.com/x")}) {
    Decision d = p.decide(o);
    EXPECT_EQ(d.scope, "default");
    ASSERT_EQ(d.requirements.size(), 1u);
    EXPECT_EQ(d.requirements[0].type, Type::insecure_accept_anything);
    EXPECT_TRUE(d.rules.empty());
  }
}

TEST_F(PolicyTest, MissingFileIsAnError) {
  try {
    Policy::load(*dir_ / "nope.json");
    FAIL() << "loaded a missing file";
  } catch (const ecc::Error& e) {
    EXPECT_EQ(e.code(), ecc::Exit::bad_input);
    EXPECT_EQ(e.file(), (*dir_ / "nope.json").string());
    EXPECT_NE(std::string(e.what()).find("cannot read policy file"), std::string::npos) << e.what();
  }
}

// Every bad input: one line, the policy file as the Error's file, and a
// message that begins with the JSON path of the field and says the problem.
using BadCases = std::vector<std::pair<std::string, std::string>>;

const std::string reject_default = R"("default": [{"type": "reject"}])";
const std::string digest_d = "sha256:" + std::string(64, 'd');
const std::string acme0 = R"(transports.docker."ghcr.io/acme"[0])";

std::string docker_policy(const std::string& scope, const std::string& reqs) {
  return "{" + reject_default + R"(, "transports": {"docker": {")" + scope + "\": " + reqs + "}}}";
}
std::string acme(const std::string& req) { return docker_policy("ghcr.io/acme", "[" + req + "]"); }
std::string sig(const std::string& more) { return acme(R"({"type": "sigstoreSigned", )" + more + "}"); }
std::string scope_policy(const std::string& transport, const std::string& s) {
  return "{" + reject_default + R"(, "transports": {")" + transport + R"(": {")" + s + R"(": [{"type": "reject"}]}}})";
}
std::string bpf(const std::string& element) { return R"({"default": [{"type": "reject"}, )" + element + "]}"; }

void PolicyTest::expect_refused(const BadCases& cases) {
  for (const auto& [text, expected] : cases) {
    fs::path file = write(text, "bad.json");
    try {
      Policy::load(file);
      ADD_FAILURE() << "accepted: " << text;
    } catch (const ecc::Error& e) {
      std::string what = e.what();
      EXPECT_TRUE(what.starts_with(expected)) << "got:      " << what << "\nexpected: " << expected;
      EXPECT_EQ(e.code(), ecc::Exit::bad_input) << what;
      EXPECT_EQ(e.file(), file.string()) << what;
      EXPECT_EQ(e.line().find('\n'), std::string::npos) << what;
    }
  }
}

TEST_F(PolicyTest, BadInputShapeOfTheFile) {
  expect_refused({
      {"{\"default\": [", "not valid JSON: parse error at line 1, column 14: syntax error"},
      {"[]", "must be an object, not array"},
      {"{}", "default: missing (containers-policy.json(5) requires the global default)"},
      {R"({"default": []})", "default: an empty list of requirements"},
      {R"({"default": {}})", "default: must be an array, not object"},
      {"{" + reject_default + R"(, "extra": 1})", "extra: unknown field"},
      {"{" + reject_default + R"(, "transports": []})", "transports: must be an object, not array"},
      {"{" + reject_default + R"(, "transports": {"foo": {}}})", "transports.foo: unknown transport"},
      {"{" + reject_default + R"(, "transports": {"docker": []}})", "transports.docker: must be an object, not array"},
      {"{" + reject_default + R"(, "transports": {"docker-daemon": 1}})", R"(transports."docker-daemon": must be an object, not number)"},
      {R"({"default": [{"type": "reject"}], "default": [{"type": "reject"}]})", "default: given twice"},
      {"{" + reject_default + R"(, "transports": {"docker": {}, "docker": {}}})", "transports.docker: given twice"},
      {"{" + reject_default + R"(, "transports": {"docker": {"a.io/x": [{"type": "reject"}], "a.io/x": []}}})",
       R"(transports.docker."a.io/x": given twice)"},
      {R"({"default": [{"type": "bpf", "denyHelpers": ["a", "b"]}, {"type": "reject", "type": "reject"}]})",
       "default[1].type: given twice"},
  });
}

TEST_F(PolicyTest, BadInputRequirements) {
  expect_refused({
      {R"({"default": [1]})", "default[0]: must be an object, not number"},
      {R"({"default": [{}]})", "default[0].type: missing"},
      {R"({"default": [{"type": 1}]})", "default[0].type: must be a string, not number"},
      {R"({"default": [{"type": "reject", "keyPath": "x"}]})", "default[0].keyPath: unknown field"},
      {R"({"default": [{"type": "nope"}]})", R"(default[0].type: unknown requirement type "nope")"},
      {acme(R"({"type": "signedBy", "keyType": "GPGKeys", "keyPath": "/k.gpg"})"),
       acme0 + R"(.type: "signedBy" (GPG simple signing) is not supported by ecli; use sigstoreSigned)"},
      {sig(R"("signedIdentity": {"type": "matchExact"})"), acme0 + ": sigstoreSigned needs one of keyPath, keyPaths, keyData"},
      {sig(R"("keyPath": "@A@", "keyData": "")"), acme0 + ": has keyPath and keyData; give exactly one"},
      {sig(R"("keyPath": "/nonexistent/k.pub")"), acme0 + ".keyPath: /nonexistent/k.pub: cannot read key: "},
      {sig(R"("keyPath": 5)"), acme0 + ".keyPath: must be a string, not number"},
      {sig(R"("keyPath": "@A@", "fulcio": {})"), acme0 + ".fulcio: not supported: ecli verifies cosign key-pair signatures, without Fulcio"},
      {sig(R"("keyPath": "@A@", "rekorPublicKeyPath": "/r.pub")"), acme0 + ".rekorPublicKeyPath: not supported"},
      {sig(R"("keyPath": "@A@", "pki": {})"), acme0 + ".pki: not supported"},
      {sig(R"("keyPath": "@A@", "keyType": "GPGKeys")"), acme0 + ".keyType: unknown field"},
      {sig(R"("keyPaths": [])"), acme0 + ".keyPaths: an empty list of keys"},
      {sig(R"("keyPaths": ["@A@", 3])"), acme0 + ".keyPaths[1]: must be a string, not number"},
      {sig(R"("keyPaths": "@A@")"), acme0 + ".keyPaths: must be an array, not string"},
      {sig(R"("keyData": "!!!!")"), acme0 + ".keyData: not valid base64 (bad character at offset 0)"},
      {sig(R"("keyData": "aGVsbG8=")"), acme0 + ".keyData: does not decode to a PEM public key"},
      {sig(R"("keyDatas": ["aGVsbG8="])"), acme0 + ".keyDatas[0]: does not decode to a PEM public key"},
  });
}

TEST_F(PolicyTest, BadInputSignedIdentity) {
  expect_refused({
      {sig(R"("keyPath": "@A@", "signedIdentity": "matchExact")"), acme0 + ".signedIdentity: must be an object, not string"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {})"), acme0 + ".signedIdentity.type: missing"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "x"})"), acme0 + R"(.signedIdentity.type: unknown signedIdentity type "x")"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "remapIdentity", "prefix": "a.io", "signedPrefix": "b.io"})"),
       acme0 + R"(.signedIdentity.type: "remapIdentity" is not supported by ecli)"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "matchExact", "x": 1})"), acme0 + ".signedIdentity.x: unknown field"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactReference"})"), acme0 + ".signedIdentity.dockerReference: missing"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactReference", "dockerReference": "up.io/x"})"),
       acme0 + R"(.signedIdentity.dockerReference: "up.io/x" has neither a tag nor a digest)"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactReference", "dockerReference": "up.io/X:1"})"),
       acme0 + R"(.signedIdentity.dockerReference: repository "X" must be lower-case)"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactRepository", "dockerRepository": "up.io/x:v1"})"),
       acme0 + R"(.signedIdentity.dockerRepository: "up.io/x:v1" must name a repository, without tag or digest)"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactRepository", "dockerRepository": "busybox"})"),
       acme0 + R"(.signedIdentity.dockerRepository: "busybox" is not host/repository)"},
      {sig(R"("keyPath": "@A@", "signedIdentity": {"type": "exactRepository", "dockerReference": "up.io/x"})"),
       acme0 + ".signedIdentity.dockerReference: unknown field"},
  });
}

TEST_F(PolicyTest, BadInputDockerScopes) {
  expect_refused({
      {scope_policy("docker", "ghcr.io/acme:v1@" + digest_d),
       R"(transports.docker."ghcr.io/acme:v1@)" + digest_d + R"(": has both a tag and a digest)"},
      {scope_policy("docker", "ghcr.io/Acme"), R"(transports.docker."ghcr.io/Acme": repository "Acme" must be lower-case)"},
      {scope_policy("docker", "*"), R"(transports.docker."*": "*" may only begin a scope, as in "*.example.com")"},
      {scope_policy("docker", "*."), R"(transports.docker."*.": a wildcard scope is "*." and a domain, without port or path)"},
      {scope_policy("docker", "*.example.com/acme"), R"(transports.docker."*.example.com/acme": a wildcard scope is)"},
      {scope_policy("docker", "*.example.com:5000"), R"(transports.docker."*.example.com:5000": a wildcard scope is)"},
      {scope_policy("docker", "*.*.example.com"), R"(transports.docker."*.*.example.com": a wildcard scope is)"},
      {scope_policy("docker", "foo.*.com"), R"(transports.docker."foo.*.com": "*" may only begin a scope)"},
      {scope_policy("docker", "ghcr.io/acme@sha256:abc"), R"(transports.docker."ghcr.io/acme@sha256:abc": bad digest "sha256:abc")"},
      {scope_policy("docker", "ghcr.io/acme:"), R"(transports.docker."ghcr.io/acme:": bad tag "")"},
      {scope_policy("docker", "ghcr.io//acme"), R"(transports.docker."ghcr.io//acme": empty path component)"},
      {scope_policy("docker", "ghcr.io/"), R"(transports.docker."ghcr.io/": empty path component)"},
      {scope_policy("docker", "-bad-/x"), R"(transports.docker."-bad-/x": bad registry host "-bad-")"},
      {scope_policy("docker", "https://ghcr.io/x"), R"(transports.docker."https://ghcr.io/x": bad registry host "https:")"},
  });
}

TEST_F(PolicyTest, BadInputFileAndHttpsScopes) {
  expect_refused({
      {scope_policy("file", "srv/pkgs"), R"(transports.file."srv/pkgs": a file scope is an absolute path)"},
      {scope_policy("file", "/"), R"(transports.file."/": "/" is not a scope; "" is the whole transport)"},
      {scope_policy("file", "/srv/pkgs/"), R"(transports.file."/srv/pkgs/": not in normal form, write "/srv/pkgs")"},
      {scope_policy("file", "/srv/../pkgs"), R"(transports.file."/srv/../pkgs": not in normal form, write "/pkgs")"},
      {scope_policy("https", "https://example.com/x"),
       R"(transports.https."https://example.com/x": an https scope is host[:port][/path], without the scheme)"},
      {scope_policy("https", "example.com/x/"), R"(transports.https."example.com/x/": empty path component)"},
      {scope_policy("https", "example.com/x?y=1"),
       R"(transports.https."example.com/x?y=1": a scope names a path, without query or fragment)"},
      {scope_policy("https", "exa mple.com"), R"(transports.https."exa mple.com": bad host "exa mple.com")"},
  });
}

TEST_F(PolicyTest, BadInputBpfElement) {
  expect_refused({
      {bpf(R"({"type": "bpf"}, {"bpf": {}})"), R"(default[2]: a second "bpf" element (a scope has at most one))"},
      {docker_policy("ghcr.io/acme", R"([{"type": "bpf", "denyHelpers": ["x"]}])"),
       R"(transports.docker."ghcr.io/acme": has only a "bpf" element; add a requirement)"},
      {bpf(R"({"type": "bpf", "allow": []})"), "default[1].allow: unknown field"},
      {bpf(R"({"bpf": {}, "x": 1})"), "default[1].x: unknown field"},
      {bpf(R"({"bpf": []})"), "default[1].bpf: must be an object, not array"},
      {bpf(R"({"bpf": {"denyProgramTypes": ["xdp"], "allowHelper": []}})"), "default[1].bpf.allowHelper: unknown field"},
      {bpf(R"({"type": "bpf", "denyHelpers": "bpf_send_signal"})"), "default[1].denyHelpers: must be an array, not string"},
      {bpf(R"({"type": "bpf", "denyHelpers": [""]})"), "default[1].denyHelpers[0]: must not be empty"},
      {bpf(R"({"bpf": {"allowHelpers": [1]}})"), "default[1].bpf.allowHelpers[0]: must be a string, not number"},
      {bpf(R"({"bpf": {"allowProgramTypes": null}})"), "default[1].bpf.allowProgramTypes: must be an array, not null"},
  });
}

// A key file that is not a public key (here the private half) is refused
// when the policy is loaded, naming the key file.
TEST_F(PolicyTest, PrivateKeyAsKeyPathIsRefused) {
  fs::path file = write(R"({"default": [{"type": "sigstoreSigned", "keyPath": "a.key"}]})", "private.json");
  try {
    Policy::load(file);
    FAIL() << "accepted a private key";
  } catch (const ecc::Error& e) {
    EXPECT_EQ(std::string(e.what()), "default[0].keyPath: " + (*dir_ / "a.key").string() +
                                         " is not a PEM public key (as cosign generate-key-pair and openssl pkey "
                                         "-pubout write it)");
  }
}

}  // namespace
