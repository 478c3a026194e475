// ecli's own options: help, usage errors, -v, --btf, and the privilege message.
#include <unistd.h>

#include "ecli_fixture.h"

namespace ecc::test {
namespace {

class EcliCli : public EcliTest {};

TEST_F(EcliCli, HelpAndUsageErrors) {
  RunResult h = ecli({"--help"});
  EXPECT_EQ(h.exit_code, 0);
  for (const char* s : {"ecli run [options] PACKAGE.json", "-j, --json", "-d, --duration", "--btf FILE", "-v"})
    EXPECT_NE(h.out.find(s), std::string::npos) << s << "\n" << h.out;
  RunResult none = ecli({});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_EQ(none.err.rfind("ecli: error: no command", 0), 0u) << none.err;
  RunResult nofile = ecli({"run", "-j"});
  EXPECT_EQ(nofile.exit_code, 2);
  EXPECT_NE(nofile.err.find("no package given"), std::string::npos) << nofile.err;
  RunResult dur = ecli({"run", "-d", "soon", "x.json"});
  EXPECT_EQ(dur.exit_code, 2);
  EXPECT_NE(dur.err.find("--duration needs a positive number"), std::string::npos) << dur.err;
}

TEST_F(EcliCli, VerboseAndCustomBtf) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path pkg = build_example("sigsnoop");
  RunResult v = ecli({"run", "-v", "-d", "0.5", "--btf", "/sys/kernel/btf/vmlinux", pkg.string(), "-p", "1"});
  EXPECT_EQ(v.exit_code, 0) << v.err;
  EXPECT_NE(v.err.find("libbpf: "), std::string::npos) << "-v shows libbpf's debug output";
  EXPECT_NE(v.err.find("ecli: attached 1 programs"), std::string::npos) << v.err;
  RunResult quiet = ecli({"run", "-d", "0.5", pkg.string(), "-p", "1"});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err, "ecli: attached 1 programs\n");
  RunResult missing = ecli({"run", "--btf", (tmp / "no.btf").string(), pkg.string()});
  EXPECT_EQ(missing.exit_code, 1) << missing.err;
  EXPECT_NE(missing.err.find("cannot read the BTF file: No such file or directory (" + (tmp / "no.btf").string() + ")"), std::string::npos)
      << missing.err;
}

TEST_F(EcliCli, WithoutPrivilegeTheMessageNamesTheCapabilities) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  ECC_REQUIRE_COMMAND_OR_SKIP("setpriv");
  fs::path pkg = build_example("sigsnoop");
  fs::path shared = tmp / "shared";
  fs::create_directories(shared);
  fs::copy_file(pkg, shared / "package.json");
  fs::permissions(tmp.path(), fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  fs::permissions(shared, fs::perms::owner_all | fs::perms::others_exec | fs::perms::group_exec);
  fs::permissions(shared / "package.json", fs::perms::owner_all | fs::perms::others_read | fs::perms::group_read);
  RunResult r = run({"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--inh-caps=-all",
                     ecli_binary().string(), "run", "-d", "1", (shared / "package.json").string()});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("run as root or with CAP_BPF+CAP_PERFMON"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("attached"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace ecc::test
