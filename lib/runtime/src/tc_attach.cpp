#include "ecc/tc_attach.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <utility>

// The tcx attach types of Linux 6.6 (include/uapi/linux/bpf.h, enum
// bpf_attach_type, right after BPF_NETFILTER = 45); Debian 12's
// linux/bpf.h (6.1) ends at BPF_LSM_CGROUP.
#ifndef BPF_TCX_INGRESS
#define ECC_BPF_TCX_INGRESS 46
#define ECC_BPF_TCX_EGRESS 47
#else
#define ECC_BPF_TCX_INGRESS BPF_TCX_INGRESS
#define ECC_BPF_TCX_EGRESS BPF_TCX_EGRESS
#endif

namespace ecc {

namespace {

// -1: not probed yet, 0: the kernel has no tcx, 1: it has.
std::atomic<int> g_tcx{-1};

int tcx_link_create(int prog_fd, const TcTarget& t) {
  // link_create's tcx fields (relative_fd, expected_revision) stay zero:
  // append to the interface's tcx programs.
  union bpf_attr attr;
  std::memset(&attr, 0, sizeof attr);
  attr.link_create.prog_fd = static_cast<uint32_t>(prog_fd);
  attr.link_create.target_ifindex = static_cast<uint32_t>(t.ifindex);
  attr.link_create.attach_type = t.egress ? ECC_BPF_TCX_EGRESS : ECC_BPF_TCX_INGRESS;
  long fd = syscall(__NR_bpf, BPF_LINK_CREATE, &attr, sizeof attr);
  if (fd < 0) return -errno;
  // bpf(2) fds are not O_CLOEXEC by default; libbpf's are.
  fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
  return static_cast<int>(fd);
}

std::string where(const TcTarget& t) {
  return "ifindex " + std::to_string(t.ifindex) + (t.egress ? " egress" : " ingress");
}

}  // namespace

TcAttachment::TcAttachment(TcAttachment&& o) noexcept
    : link_fd_(std::exchange(o.link_fd_, -1)),
      netlink_(std::exchange(o.netlink_, false)),
      target_(o.target_),
      created_qdisc_(o.created_qdisc_) {}

TcAttachment& TcAttachment::operator=(TcAttachment&& o) noexcept {
  if (this != &o) {
    detach();
    link_fd_ = std::exchange(o.link_fd_, -1);
    netlink_ = std::exchange(o.netlink_, false);
    target_ = o.target_;
    created_qdisc_ = o.created_qdisc_;
  }
  return *this;
}

int TcAttachment::attach(int prog_fd, const TcTarget& t, std::string* failed, std::string* how) {
  detach();
  target_ = t;
  std::string why_netlink;
  if (g_tcx.load() != 0) {
    int fd = tcx_link_create(prog_fd, t);
    if (fd >= 0) {
      g_tcx = 1;
      link_fd_ = fd;
      *how = "a tcx link on " + where(t) + " (detached with the process; tc handle and priority do not apply)";
      return 0;
    }
    // A kernel without tcx refuses the attach type with EINVAL; anything
    // else is this attach's own failure.
    if (g_tcx.load() == 1 || (fd != -EINVAL && fd != -EOPNOTSUPP)) {
      *failed = "tcx link";
      return fd;
    }
    g_tcx = 0;
    why_netlink = "the kernel has no tcx links (" + std::string(std::strerror(-fd)) + "); ";
  } else {
    why_netlink = "the kernel has no tcx links; ";
  }

  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  hook.ifindex = t.ifindex;
  hook.attach_point = t.egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) {
    *failed = "clsact qdisc";
    return err;
  }
  bool created = err == 0;
  bpf_tc_opts opts{};
  opts.sz = sizeof opts;
  opts.handle = t.handle;
  opts.priority = t.priority;
  opts.prog_fd = prog_fd;
  if ((err = bpf_tc_attach(&hook, &opts))) {
    if (created) {
      hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
      bpf_tc_hook_destroy(&hook);
    }
    *failed = "netlink filter";
    return err;
  }
  netlink_ = true;
  target_.handle = opts.handle;
  target_.priority = opts.priority;
  created_qdisc_ = created;
  *how = why_netlink + "a netlink tc filter on " + where(t) + " handle " + std::to_string(opts.handle) +
         " priority " + std::to_string(opts.priority) + " (outlives a SIGKILLed process)";
  return 0;
}

void TcAttachment::detach() {
  if (link_fd_ >= 0) {
    close(link_fd_);
    link_fd_ = -1;
  }
  if (!netlink_) return;
  netlink_ = false;
  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  hook.ifindex = target_.ifindex;
  hook.attach_point = target_.egress ? BPF_TC_EGRESS : BPF_TC_INGRESS;
  bpf_tc_opts o{};
  o.sz = sizeof o;
  o.handle = target_.handle;
  o.priority = target_.priority;
  bpf_tc_detach(&hook, &o);
  if (created_qdisc_) {
    hook.attach_point = static_cast<bpf_tc_attach_point>(BPF_TC_INGRESS | BPF_TC_EGRESS);
    bpf_tc_hook_destroy(&hook);
  }
}

}  // namespace ecc
