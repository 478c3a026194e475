// xdp and tc programs attached by ecli from their annotations (docs/annotations.md):
// interfaces named in the doc comments, tc on egress with its own handle and
// priority (a tcx link, where they do not apply, on a kernel with tcx); a UDP
// packet over lo is seen by both, and both are detached again.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "kernel_state.h"

namespace ecc::test {
namespace {

class NetAttach : public EcliTest {};

void send_udp(uint16_t port, const std::string& payload) {
  int s = socket(AF_INET, SOCK_DGRAM, 0);
  ASSERT_GE(s, 0);
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(sendto(s, payload.data(), payload.size(), 0, reinterpret_cast<sockaddr*>(&to), sizeof to),
            static_cast<ssize_t>(payload.size()));
  close(s);
}

TEST_F(NetAttach, XdpAndTcOnLoopbackByName) {
  ECC_REQUIRE_KERNEL_OR_SKIP();
  fs::path dir = source_dir() / "tests/ecli/programs";
  fs::path pkg = build_package(dir / "udpwatch.bpf.c", dir / "udpwatch.h");
  constexpr uint16_t kPort = 47913;
  bool had_clsact = run({"tc", "qdisc", "show", "dev", "lo"}).out.find("clsact") != std::string::npos;
  EcliProcess p({"run", "-j", "-d", "5", pkg.string(), "--port", std::to_string(kPort)});
  ASSERT_TRUE(p.wait_attached()) << p.err();
  EXPECT_NE(p.err().find("attached 2 programs"), std::string::npos) << p.err();
  // A tcx link where the kernel has them (handle and priority do not
  // apply), else a netlink filter with the annotated handle and priority.
  RunResult tc = run({"tc", "filter", "show", "dev", "lo", "egress"});
  if (tc.out.find("tc_udp") != std::string::npos) {
    EXPECT_NE(tc.out.find("handle 0x7"), std::string::npos) << tc.out;
    EXPECT_NE(tc.out.find("pref 3"), std::string::npos) << tc.out;
  } else {
    std::vector<int> linked = linked_program_ids();
    bool held = false;
    for (int id : program_ids("tc_udp")) held |= std::count(linked.begin(), linked.end(), id) > 0;
    EXPECT_TRUE(held) << "tc_udp is neither a tc filter nor on a BPF link\n" << tc.out;
  }
  send_udp(kPort, "hello, xdp");
  EXPECT_TRUE(p.wait_output("\"hook\":\"HOOK_XDP\"", std::chrono::seconds(3)));
  p.signal(SIGINT);
  RunResult r = p.finish();
  EXPECT_EQ(r.exit_code, 0) << r.err;
  bool xdp = false, tc_seen = false;
  for (const auto& e : json_lines(r.out)) {
    ASSERT_EQ(e.size(), 4u) << e.dump();
    EXPECT_EQ(e["len"], 10);
    EXPECT_EQ(e["dport"], kPort);
    EXPECT_GT(e["sport"].get<int>(), 0);
    xdp |= e["hook"] == "HOOK_XDP";
    tc_seen |= e["hook"] == "HOOK_TC";
  }
  EXPECT_TRUE(xdp) << r.out;
  EXPECT_TRUE(tc_seen) << r.out;
  // Detached: no filter and no XDP program left on lo.
  tc = run({"tc", "filter", "show", "dev", "lo", "egress"});
  EXPECT_EQ(tc.out.find("tc_udp"), std::string::npos) << tc.out;
  RunResult qdisc = run({"tc", "qdisc", "show", "dev", "lo"});
  if (!had_clsact) {
    EXPECT_EQ(qdisc.out.find("clsact"), std::string::npos) << "the clsact qdisc ecli made is removed\n" << qdisc.out;
  }
  RunResult link = run({"ip", "link", "show", "dev", "lo"});
  EXPECT_EQ(link.out.find("xdp"), std::string::npos) << link.out;
}

}  // namespace
}  // namespace ecc::test
