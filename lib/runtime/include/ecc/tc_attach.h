// Attaching a BPF_PROG_TYPE_SCHED_CLS program to an interface's tc ingress
// or egress, for ecli's loader and the Wasm host alike.
//
// On a kernel with tcx (Linux 6.6+) the program is attached as a tcx BPF
// link (BPF_LINK_CREATE with BPF_TCX_INGRESS/EGRESS, made with bpf(2)
// directly: libbpf 1.1 predates tcx). The link is owned by its fd, so the
// attachment goes with the process, even when it is SIGKILLed. tc handles
// and priorities have no meaning for tcx links (tcx orders programs itself);
// they are ignored there.
//
// Without tcx (probed once per process, on the first attach) the program is
// attached through netlink to a clsact qdisc (libbpf's bpf_tc_*), with the
// given handle and priority. Such a filter outlives a killed process: only
// detach() (or the destructor) removes it, and the qdisc if it was ours.
#pragma once

#include <cstdint>
#include <string>

namespace ecc {

struct TcTarget {
  int ifindex = 0;
  bool egress = false;
  uint32_t handle = 0, priority = 0;  // netlink only
};

class TcAttachment {
 public:
  TcAttachment() = default;
  ~TcAttachment() { detach(); }
  TcAttachment(TcAttachment&& o) noexcept;
  TcAttachment& operator=(TcAttachment&& o) noexcept;
  TcAttachment(const TcAttachment&) = delete;
  TcAttachment& operator=(const TcAttachment&) = delete;

  // Attaches `prog_fd` to `t`. 0 on success, else -errno with `*failed`
  // naming the step that failed ("tcx link", "clsact qdisc", "netlink
  // filter"). `*how` gets one line for -v output: tcx link or netlink, and
  // why.
  int attach(int prog_fd, const TcTarget& t, std::string* failed, std::string* how);
  void detach();
  bool is_tcx_link() const { return link_fd_ >= 0; }

 private:
  int link_fd_ = -1;  // tcx
  bool netlink_ = false;
  TcTarget target_;
  bool created_qdisc_ = false;  // the clsact qdisc was ours: removed again
};

}  // namespace ecc
