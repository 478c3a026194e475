// Open, load, attach, detach: one BPF object of the runtime (runtime.h).
#include <bpf/bpf.h>
#include <net/if.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "ecc/error.h"
#include "ecc/kernel_support.h"
#include "ecc/open_guard.h"
#include "ecc/runtime.h"
#include "ecc/tool_name.h"

namespace ecc::runtime {

namespace {
// A metrics exporter serves from the first attach on (docs/metrics.md).
void told_attached() {
  if (MetricsHooks* m = metrics_hooks()) m->attached();
}
}  // namespace

void say_on_stderr(const std::string& line) { std::fputs(line.c_str(), stderr); }

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

Object::~Object() {
  detach();
  close();
}

void Object::close() {
  if (obj_) bpf_object__close(obj_);
  obj_ = nullptr;
}

// ecc --btfgen (docs/package-format.md): the kernel's own BTF first, the package's for this kernel otherwise.
void Object::choose_btf(const OpenOptions& o, bpf_object_open_opts* oo) {
  if (!o.btf_path.empty()) {
    if (::access(o.btf_path.c_str(), R_OK) != 0)
      throw Error(Exit::bad_input, "cannot read the kernel BTF " + o.btf_path + " (--btf): " + errno_text(errno));
    oo->btf_custom_path = o.btf_path.c_str();
    custom_btf_ = true;
    return;
  }
  if (o.btf_archive.empty()) return;
  if (!kernel_has_btf()) {
    embedded_btf_ = choose_embedded_btf(o.btf_archive, o.archive_file);
    oo->btf_custom_path = embedded_btf_.path().c_str();
    custom_btf_ = true;
  }
  if (o.verbose)
    say_(tool_name() + ": btf_archive: " +
         (embedded_btf_.empty() ? "not used, the kernel has its own BTF"
                                : "using the embedded BTF of " + embedded_btf_.entry()) +
         "\n");
}

std::optional<LoadFailure> Object::open(const uint8_t* elf, size_t size, const OpenOptions& o, const LibbpfLog& log) {
  if (o.check) o.check(elf, size);
  bpf_object_open_opts oo{};
  oo.sz = sizeof oo;
  if (!o.object_name.empty()) oo.object_name = o.object_name.c_str();
  choose_btf(o, &oo);
  if (o.take_opened && !custom_btf_ && (obj_ = o.take_opened())) return std::nullopt;
  // Bytes from outside: a damaged ELF must not crash us in libbpf.
  if (!o.guard_as.empty()) check_libbpf_survives_open(elf, size, o.guard_as);
  obj_ = bpf_object__open_mem(elf, size, &oo);
  if (obj_) return std::nullopt;
  LoadFailure f;
  f.err = errno;
  f.tail = log.tail(20);
  return f;
}

std::optional<LoadFailure> Object::load(const LibbpfLog& log) {
  // The verifier gives up on a pending signal (EAGAIN; libbpf retries a few
  // times), so a SIGINT during a long verification ends it promptly.
  int err = bpf_object__load(obj_);
  if (!err) return std::nullopt;
  LoadFailure f;
  f.opened = true;
  f.err = -err;
  // libbpf's own words first: the diagnosis below may call libbpf too.
  f.tail = log.tail(20);
  f.reason = kernel_lacks_for_load(obj_, log.text(), custom_btf_);
  if (f.reason.empty() && (err == -EPERM || err == -EACCES) && geteuid() != 0)
    f.reason = "loading BPF needs privileges: run as root or with CAP_BPF+CAP_PERFMON (" + errno_text(err) + ")";
  return f;
}

int Object::attach_failed(bpf_program* prog, int err, const std::string& what, AttachFailure* f) {
  f->err = err;
  f->message = "cannot attach " + what + " '" + bpf_program__name(prog) + "'";
  f->lacks = kernel_lacks_for_program(prog);
  return -err;
}

int Object::attach(bpf_program* prog, AttachFailure* f) {
  bpf_link* link = bpf_program__attach(prog);
  if (!link) {
    int err = errno ? errno : EINVAL;
    attach_failed(prog, err, "program", f);
    f->message += std::string(" (") + bpf_program__section_name(prog) + "): " + errno_text(err);
    return -err;
  }
  links_.push_back(link);
  told_attached();
  return 0;
}

int Object::run_iterator(bpf_program* prog, std::vector<uint8_t>& out, AttachFailure* f) {
  bpf_link* link = bpf_program__attach_iter(prog, nullptr);
  if (!link) {
    int err = errno ? errno : EINVAL;
    attach_failed(prog, err, "iterator program", f);
    f->message += std::string(" (") + bpf_program__section_name(prog) + "): " + errno_text(err);
    return -err;
  }
  int fd = bpf_iter_create(bpf_link__fd(link));
  int err = fd < 0 ? errno : 0;
  char buf[16384];
  for (ssize_t n; !err && (n = ::read(fd, buf, sizeof buf)) != 0;) {
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) err = errno;
    else out.insert(out.end(), buf, buf + n);
  }
  if (fd >= 0) ::close(fd);
  bpf_link__destroy(link);
  if (!err) return 0;
  attach_failed(prog, err, "iterator program", f);
  f->message += std::string(": reading it: ") + errno_text(err);
  return -err;
}

namespace {


// The link of an explicit target, for a program that attaches by section otherwise.
bpf_link* link_to(bpf_program* prog, const std::string& target) {
  std::string sec = bpf_program__section_name(prog);
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_KPROBE:
      return bpf_program__attach_kprobe(prog, sec.rfind("kretprobe", 0) == 0, target.c_str());
    case BPF_PROG_TYPE_TRACEPOINT: {
      // "category:name" or "category/name"
      size_t cut = target.find_first_of(":/");
      if (cut == std::string::npos) return errno = EINVAL, nullptr;
      return bpf_program__attach_tracepoint(prog, target.substr(0, cut).c_str(), target.substr(cut + 1).c_str());
    }
    case BPF_PROG_TYPE_RAW_TRACEPOINT:
      return bpf_program__attach_raw_tracepoint(prog, target.c_str());
    case BPF_PROG_TYPE_XDP: {
      unsigned ifindex = if_nametoindex(target.c_str());
      if (!ifindex) return errno = ENODEV, nullptr;
      return bpf_program__attach_xdp(prog, static_cast<int>(ifindex));
    }
    default:
      return errno = EOPNOTSUPP, nullptr;
  }
}

}  // namespace

int Object::attach_to(bpf_program* prog, const std::string& target, bool verbose, AttachFailure* f) {
  if (bpf_program__type(prog) == BPF_PROG_TYPE_SCHED_CLS) {
    size_t colon = target.rfind(':');
    std::string ifname = target.substr(0, colon), dir = colon == std::string::npos ? "" : target.substr(colon + 1);
    TcTarget t;
    t.egress = dir == "egress";
    if (!dir.empty() && dir != "egress" && dir != "ingress") return f->err = EINVAL, -EINVAL;
    t.ifindex = ifname.empty() ? 0 : static_cast<int>(if_nametoindex(ifname.c_str()));
    if (t.ifindex <= 0) {
      f->err = ENODEV;
      f->message = std::string("tc program '") + bpf_program__name(prog) +
                   "' needs an interface as its target (IFNAME[:ingress|:egress]), not '" + target + "'";
      return -ENODEV;
    }
    return attach_tc(prog, t, verbose, f);
  }
  if (target.empty()) return attach(prog, f);
  bpf_link* link = link_to(prog, target);
  if (!link) {
    int err = errno ? errno : EINVAL;
    attach_failed(prog, err, "program", f);
    f->message += " to '" + target + "': " + errno_text(err);
    return -err;
  }
  links_.push_back(link);
  told_attached();
  return 0;
}

int Object::attach_xdp(bpf_program* prog, int ifindex, uint32_t flags, int old_prog_fd, AttachFailure* f) {
  if (!flags && !old_prog_fd) {
    if (bpf_link* link = bpf_program__attach_xdp(prog, ifindex)) {
      links_.push_back(link);
      told_attached();
      return 0;
    }
  }
  bpf_xdp_attach_opts opts{};
  opts.sz = sizeof opts;
  opts.old_prog_fd = old_prog_fd;
  if (int err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), flags, &opts)) {
    f->err = -err;
    f->message = std::string("cannot attach xdp program '") + bpf_program__name(prog) + "': " + errno_text(err);
    return err;
  }
  xdp_.push_back({ifindex, flags});
  told_attached();
  return 0;
}

int Object::attach_tc(bpf_program* prog, const TcTarget& t, bool verbose, AttachFailure* f) {
  std::string failed, how;
  TcAttachment a;
  if (int err = a.attach(bpf_program__fd(prog), t, &failed, &how)) {
    f->err = -err;
    f->message = std::string("cannot attach tc program '") + bpf_program__name(prog) + "' (" + failed +
                 "): " + errno_text(err);
    return err;
  }
  if (verbose) say_(tool_name() + ": tc program '" + bpf_program__name(prog) + "': " + how + "\n");
  tc_.push_back(std::move(a));
  told_attached();
  return 0;
}

void Object::detach() {
  tc_.clear();  // netlink filters are removed, tcx links closed
  for (auto [ifindex, flags] : xdp_) bpf_xdp_detach(ifindex, flags, nullptr);
  xdp_.clear();
  for (bpf_link* l : links_) bpf_link__destroy(l);
  links_.clear();
}

}  // namespace ecc::runtime
