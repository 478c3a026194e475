// The bad input of docs/oci.md: each case is one `ecli: error:` line naming the
// reference or URL, a non-zero exit, and nothing half-written in the cache
// or at -o.
#include <nlohmann/json.hpp>

#include "oci_fixture.h"

namespace ecc::test {
namespace {

class OciBadInput : public OciTest {
 protected:
  // Runs `pull --plain-http REF -o OUT` and checks the failure's shape.
  void expect_pull_fails(const std::string& ref, const std::string& needle) {
    fs::path out = tmp / "out.wasm";
    RunResult r = ecli({"pull", "--plain-http", ref, "-o", out.string()});
    EXPECT_EQ(r.exit_code, 1) << ref << ": " << r.err;
    EXPECT_EQ(r.err.rfind("ecli: error: ", 0), 0u) << r.err;
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1) << "one line: " << r.err;
    EXPECT_NE(r.err.find(needle), std::string::npos) << needle << " in: " << r.err;
    EXPECT_NE(r.err.find(ref.substr(ref.find('/') + 1)), std::string::npos) << "names the reference: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << ref;
    for (const auto& f : files_under(cache() / "ecc" / "oci" / "blobs"))
      ADD_FAILURE() << ref << " left a blob in the cache: " << f;
    EXPECT_TRUE(r.out.empty()) << r.out;
  }
};

TEST_F(OciBadInput, RegistryAnswersAreOneClearLineAndNothingIsWritten) {
  FakeServer fake(tmp.path());
  std::string h = fake.host();
  expect_pull_fails(h + "/forbidden/app:1", "403 Forbidden (DENIED: requested access to the resource is denied)");
  expect_pull_fails(h + "/missing/app:1", "404 Not Found (MANIFEST_UNKNOWN: manifest unknown)");
  expect_pull_fails(h + "/image/ubuntu:22.04", "wrong media type: not a Wasm module or ecc package");
  expect_pull_fails(h + "/index/multiarch:1", "an image index");
  expect_pull_fails(h + "/liar/app:1", "digest mismatch: the layer served is");
  expect_pull_fails(h + "/badmanifest/app:1", "digest mismatch: the manifest is");
  expect_pull_fails(h + "/huge/app:1", "over the size limit");
  RunResult ok = ecli({"pull", "--plain-http", h + "/good/app:1", "-o", (tmp / "good.wasm").string()});
  EXPECT_EQ(ok.exit_code, 0) << "the same server's good module pulls: " << ok.err;
}

TEST_F(OciBadInput, UnreachableRegistryAndMissingRepositoryOrTag) {
  expect_pull_fails("127.0.0.1:" + std::to_string(free_port()) + "/nobody/app:1", "unreachable");
  Registry reg(Registry::Mode::plain);
  ASSERT_EQ(ecli(args("push", reg, {small_module().string(), reg.ref("there:1")})).exit_code, 0);
  fs::remove_all(cache());
  expect_pull_fails(reg.ref("not-there:1"), "404 Not Found");
  expect_pull_fails(reg.ref("there:2"), "404 Not Found (MANIFEST_UNKNOWN");
  RunResult r = ecli({"run", "--plain-http", reg.ref("not-there:1")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(r.err.rfind("ecli: error: the manifest: 404 Not Found", 0), 0u) << r.err;
}

TEST_F(OciBadInput, RedirectsToAnotherHostGetNoCredentials) {
  FakeServer fake(tmp.path(), "user:pw");
  expect_pull_fails(fake.host() + "/good/app:1", "401 Unauthorized");
  RunResult r = ecli_password({"pull", "--plain-http", "-u", "user", "--password-stdin", fake.host() + "/redirect/app:1",
                               "-o", (tmp / "r.wasm").string()}, "pw");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  int elsewhere = 0, registry = 0;
  for (const auto& [path, had_auth] : nlohmann::json::parse(fake.log()).get<std::vector<std::pair<std::string, bool>>>()) {
    if (path.rfind("/elsewhere/", 0) == 0) {
      elsewhere++;
      EXPECT_FALSE(had_auth) << "the registry's credentials went to the redirect target " << path;
    } else if (path.rfind("/v2/redirect/", 0) == 0) {
      registry++;
      EXPECT_TRUE(had_auth) << path;
    }
  }
  EXPECT_EQ(elsewhere, 1) << "the 307 was followed";
  EXPECT_EQ(registry, 3) << "HEAD and GET of the manifest and the blob at the registry";
  EXPECT_EQ(read_bytes(tmp / "r.wasm").size(), 68u);
}

TEST_F(OciBadInput, ASlowDownloadShowsAProgressLineOnATtyOnly) {
  fs::path module = exit_module(tmp.path(), 5);
  FakeServer www(tmp.path());
  std::string url = www.url("/files/exit.wasm?slow");
  std::string cmd;
  for (const auto& e : env()) cmd += e + " ";
  cmd += oci_ecli_binary().string() + " run '" + url + "'";
  RunResult tty = run({"script", "-qefc", cmd, "/dev/null"});
  EXPECT_EQ(tty.exit_code, 5) << tty.out << tty.err;
  EXPECT_NE(tty.out.find("ecli: fetching " + url), std::string::npos) << "script shows the tty: " << tty.out;
  RunResult pipe = ecli({"run", url});
  EXPECT_EQ(pipe.exit_code, 5) << pipe.err;
  EXPECT_EQ(pipe.err, "") << "no progress line into a pipe";
}

TEST_F(OciBadInput, UrlsThatServeHtmlOrNothingAndBadReferences) {
  write_text(tmp / "page.html", "<!doctype html><html><body>login</body></html>");
  FakeServer www(tmp.path());
  RunResult html = ecli({"run", www.url("/files/page.html")});
  EXPECT_EQ(html.exit_code, 1);
  EXPECT_EQ(html.err, "ecli: error: neither an ecc package nor a Wasm module (text/html; charset=utf-8, 46 bytes) (" +
                          www.url("/files/page.html") + ")\n");
  RunResult missing = ecli({"run", www.url("/files/none.wasm")});
  EXPECT_EQ(missing.exit_code, 1);
  EXPECT_EQ(missing.err, "ecli: error: the server answered HTTP 404 (" + www.url("/files/none.wasm") + ")\n");
  EXPECT_TRUE(files_under(cache()).empty());
  RunResult bad = ecli({"pull", "localhost:5000/UPPER:x"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("not an OCI reference"), std::string::npos) << bad.err;
  RunResult file = ecli({"run", "no-such-dir/package.json"});
  EXPECT_EQ(file.exit_code, 1) << "not a reference: a missing file, as before";
  EXPECT_NE(file.err.find("no-such-dir/package.json"), std::string::npos) << file.err;
  RunResult user_only = ecli({"pull", "-u", "x", "localhost:5000/x"});
  EXPECT_EQ(user_only.exit_code, 2);
  EXPECT_NE(user_only.err.find("-u USER needs --password-stdin"), std::string::npos) << user_only.err;
  RunResult two = ecli({"pull", "localhost:5000/x", "localhost:5000/y"});
  EXPECT_EQ(two.exit_code, 2);
  RunResult run_o = ecli({"run", "-o", "x", "localhost:5000/x"});
  EXPECT_EQ(run_o.exit_code, 2) << "-o is pull's";
}

}  // namespace
}  // namespace ecc::test
