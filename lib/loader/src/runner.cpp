// Load, attach, stream: the running half of `ecli run package.json`, as a
// session of named passes over one set of kernel resources:
//   open -> settings -> load -> attach -> streams -> loop
// Each pass reads the package's model (typed annotations, event types) and
// what the passes before it acquired; the destructor releases it all in
// reverse order, whichever pass failed.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <deque>
#include <memory>

#include "ecc/btf_archive.h"
#include "ecc/kernel_support.h"
#include "ecc/libbpf_log.h"
#include "ecc/loader.h"
#include "ecc/tc_attach.h"
#include "sampler.h"

namespace ecc::loader {

namespace {

volatile sig_atomic_t g_stop = 0;  // the SIGINT or SIGTERM that asks us to stop
void on_signal(int sig) { g_stop = sig; }

// Thrown at a stop point between passes (and between the attaches of the
// programs) when SIGINT or SIGTERM came before the programs were all
// attached: the Session's destructor releases what was acquired, and ecli
// exits with 128 + the signal number, as a shell reports a killed command.
struct Interrupted {
  int sig;
  std::string when;  // "during load", "before attach NAME", ...
};

// For the fault tests only: with ECLI_TEST_PAUSE_MS=N set, ecli says
// "ecli: test: before <step>" at each stop point and sleeps N ms there (a
// signal ends the sleep), so that a test can signal it between two
// attaches; ECLI_TEST_PAUSE_BEFORE=<step> pauses before that step alone
// (the marks are still said everywhere). Unset, nothing happens.
struct TestPause {
  long ms = -1;  // -1: unset
  std::string only;
};
const TestPause& test_pause() {
  static const TestPause p = [] {
    TestPause t;
    if (const char* v = std::getenv("ECLI_TEST_PAUSE_MS")) t.ms = std::max(std::strtol(v, nullptr, 10), 0L);
    if (const char* v = std::getenv("ECLI_TEST_PAUSE_BEFORE")) t.only = v;
    return t;
  }();
  return p;
}

std::string errno_text(int err) { return std::strerror(err < 0 ? -err : err); }

// One event stream: a map and the layout its records are decoded with.
struct Sink {
  std::string map;
  Field layout;
  std::unique_ptr<TextTable> table;
  bool json = false;
  Output* out = nullptr;
  const std::string* now = nullptr;
  uint64_t lost = 0;  // perf buffers: records the kernel dropped
  // Ring buffers: when the current read round ends (see Session::drain).
  const std::chrono::steady_clock::time_point* round_end = nullptr;
  unsigned since_clock = 0;
};

// A ring_buffer__consume() keeps reading while producers keep writing, so
// under a flood one call would never return and -d, samples and signals
// would wait for the flood to end. A callback's negative return ends the
// call after its record (which libbpf has consumed); the rest stays in
// the ring for the next round.
constexpr int kRoundOver = -ECANCELED;

void emit(Sink& s, const void* data, size_t size) {
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(data), size);
  if (s.json) {
    std::string line;
    append_json(line, s.layout, bytes);
    s.out->line(line);
  } else {
    s.out->line(s.table->row(bytes, *s.now));
  }
}

int on_ring_record(void* ctx, void* data, size_t size) {
  auto& s = *static_cast<Sink*>(ctx);
  emit(s, data, size);
  if (!s.round_end || ++s.since_clock < 256) return 0;  // the clock every 256 records
  s.since_clock = 0;
  return std::chrono::steady_clock::now() >= *s.round_end ? kRoundOver : 0;
}

void on_perf_record(void* ctx, int, void* data, __u32 size) { emit(*static_cast<Sink*>(ctx), data, size); }

void on_perf_lost(void* ctx, int cpu, __u64 n) {
  auto& s = *static_cast<Sink*>(ctx);
  s.lost += n;
  std::fprintf(stderr, "ecli: lost %llu events of '%s' on CPU %d\n", static_cast<unsigned long long>(n),
               s.map.c_str(), cpu);
}

int ifindex_of(const Interface& i, const std::string& prog) {
  if (i.index > 0) return i.index;
  if (i.name.empty()) return 0;
  unsigned idx = if_nametoindex(i.name.c_str());
  if (!idx) throw Error(Exit::bad_input, "program '" + prog + "': no network interface '" + i.name + "'");
  return static_cast<int>(idx);
}

class Session {
 public:
  Session(const Package& pkg, const std::vector<ProgSetting>& settings, const RunOptions& ro)
      : pkg_(pkg), settings_(settings), ro_(ro), log_(ro.verbose) {}
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int run() {
    catch_stop_signals();
    prepare_samplers();  // a bad annotation stops us before the kernel is involved
    open();
    apply_settings();
    stop_point("load");
    load();
    attach();
    stop_point("streams");
    open_streams();
    return loop();
  }

 private:
  void catch_stop_signals();
  // Throws Interrupted when a stop was asked for before `step`.
  void stop_point(const std::string& step);
  void prepare_samplers();
  void open();
  void apply_settings();
  void load();
  void attach();
  void attach_xdp(bpf_program* prog, const ProgInfo& info);
  void attach_tc(bpf_program* prog, const ProgInfo& info);
  void open_streams();
  void watch(int fd, const std::string& what);
  int loop();
  // One read round of every stream: until they are empty, or (budgeted)
  // for at most about kRound of ring buffer records.
  void drain(bool budgeted);
  // Releases what is attached (tc, xdp, links), so that nothing more arrives.
  void detach();

  const Package& pkg_;
  const std::vector<ProgSetting>& settings_;
  const RunOptions& ro_;
  LibbpfLog log_;
  EmbeddedBtf embedded_btf_;  // the package's BTF for this kernel, when it has none

  // What the kernel holds for us, released in reverse order.
  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  std::vector<std::pair<int, uint32_t>> xdp_;  // ifindex, flags
  std::vector<TcAttachment> tc_;
  ring_buffer* rb_ = nullptr;
  std::vector<perf_buffer*> pbs_;
  int epfd_ = -1;
  int attached_ = 0;
  std::chrono::steady_clock::time_point round_end_;

  Output out_;
  std::string now_;
  std::deque<Sink> sinks_;
  std::vector<std::unique_ptr<Sampler>> samplers_;
};

Session::~Session() {
  if (epfd_ >= 0) close(epfd_);
  for (auto* pb : pbs_) perf_buffer__free(pb);
  if (rb_) ring_buffer__free(rb_);
  detach();
  if (obj_) bpf_object__close(obj_);
}

void Session::detach() {
  tc_.clear();  // netlink filters are removed, tcx links closed
  for (auto [ifindex, flags] : xdp_) bpf_xdp_detach(ifindex, flags, nullptr);
  xdp_.clear();
  for (auto* l : links_) bpf_link__destroy(l);
  links_.clear();
}

void Session::catch_stop_signals() {
  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
}

void Session::stop_point(const std::string& step) {
  if (const TestPause& p = test_pause(); p.ms >= 0 && !g_stop) {
    std::fprintf(stderr, "ecli: test: before %s\n", step.c_str());
    std::fflush(stderr);
    timespec ts{p.ms / 1000, (p.ms % 1000) * 1000000};
    if (p.only.empty() || p.only == step) nanosleep(&ts, nullptr);
  }
  if (g_stop) throw Interrupted{g_stop, "before " + step};
}

void Session::prepare_samplers() {
  for (const MapInfo& m : pkg_.object.maps)
    if (m.sample) samplers_.push_back(std::make_unique<Sampler>(pkg_, m, *m.sample));
}

// open: the ELF into libbpf, with the kernel BTF to relocate against.
void Session::open() {
  bpf_object_open_opts oo{};
  oo.sz = sizeof oo;
  // The name read_object used, so that internal map names agree.
  oo.object_name = pkg_.object.obj_name.c_str();
  if (!ro_.btf_path.empty()) {
    if (access(ro_.btf_path.c_str(), R_OK) != 0) throw Error(Exit::bad_input, "cannot read the kernel BTF", ro_.btf_path);
    oo.btf_custom_path = ro_.btf_path.c_str();
  } else if (!pkg_.btf_archive.empty()) {
    // ecc --btfgen (SPEC §14): the kernel's own BTF first, the package's for this kernel otherwise.
    if (!kernel_has_btf()) {
      embedded_btf_ = choose_embedded_btf(pkg_.btf_archive, pkg_.path);
      oo.btf_custom_path = embedded_btf_.path().c_str();
    }
    if (ro_.verbose)
      std::fprintf(stderr, "ecli: btf_archive: %s\n",
                   embedded_btf_.empty() ? "not used, the kernel has its own BTF"
                                         : ("using the embedded BTF of " + embedded_btf_.entry()).c_str());
  }
  obj_ = bpf_object__open_mem(pkg_.elf.data(), pkg_.elf.size(), &oo);
  if (!obj_) {
    int err = errno;
    throw Error(Exit::bad_input, "libbpf cannot open the BPF object: " + errno_text(err), pkg_.path);
  }
}

// settings: program options patched into the data sections' initial values.
void Session::apply_settings() {
  for (const ProgSetting& s : settings_) {
    std::string map_name;
    for (const MapInfo& m : pkg_.object.maps)
      if (m.ident == s.option->map_ident) map_name = m.name;
    bpf_map* map = bpf_object__find_map_by_name(obj_, map_name.c_str());
    size_t size = 0;
    const void* data = map ? bpf_map__initial_value(map, &size) : nullptr;
    if (!data || s.option->offset + s.bytes.size() > size)
      throw Error(Exit::bad_input, "cannot set '" + s.option->var + "': no room in " + s.option->section, pkg_.path);
    // libbpf hands out a read-only view: copy, patch, set it back.
    std::vector<uint8_t> image(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    std::memcpy(image.data() + s.option->offset, s.bytes.data(), s.bytes.size());
    if (int err = bpf_map__set_initial_value(map, image.data(), image.size()))
      throw Error(Exit::tool_failed, "cannot set '" + s.option->var + "': " + errno_text(err), pkg_.path);
  }
}

// load: CO-RE relocation and the verifier. What the kernel lacks is said
// first; otherwise the tail of libbpf's log (the verifier's) is shown.
void Session::load() {
  // The verifier gives up on a pending signal (EAGAIN; libbpf retries a few
  // times), so a SIGINT during a long verification ends it promptly.
  int err = bpf_object__load(obj_);
  if (g_stop) throw Interrupted{g_stop, "during load"};
  if (!err) return;
  if (std::string lacks = kernel_lacks_for_load(obj_, log_.text(), !ro_.btf_path.empty() || !embedded_btf_.empty()); !lacks.empty())
    throw Error(Exit::tool_failed, lacks, pkg_.path);
  if ((err == -EPERM || err == -EACCES) && geteuid() != 0)
    throw Error(Exit::tool_failed,
                "loading BPF needs privileges: run as root or with CAP_BPF+CAP_PERFMON (" + errno_text(err) + ")",
                pkg_.path);
  if (std::string tail = log_.tail(20); !tail.empty()) {
    std::fputs("ecli: libbpf output (last 20 lines):\n", stderr);
    std::fputs(tail.c_str(), stderr);
  }
  throw Error(Exit::tool_failed, "the kernel refused the BPF object: " + errno_text(err), pkg_.path);
}

void Session::attach_xdp(bpf_program* prog, const ProgInfo& info) {
  int ifindex = ifindex_of(info.net.xdp_if, info.name);
  if (ifindex <= 0) throw Error(Exit::bad_input, "xdp program '" + info.name + "' needs an ifindex annotation", pkg_.path);
  // A BPF link when no flags or replaced program are asked for: the kernel
  // detaches it when ecli ends, even by SIGKILL. Flags need the netlink
  // attach, which outlives the process until it detaches.
  if (!info.net.xdp_flags && !info.net.xdp_old_prog_fd) {
    if (bpf_link* link = bpf_program__attach_xdp(prog, ifindex)) {
      links_.push_back(link);
      return;
    }
  }
  bpf_xdp_attach_opts opts{};
  opts.sz = sizeof opts;
  opts.old_prog_fd = info.net.xdp_old_prog_fd;
  if (int err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), info.net.xdp_flags, &opts))
    throw Error(Exit::tool_failed, "cannot attach xdp program '" + info.name + "': " + errno_text(err), pkg_.path);
  xdp_.push_back({ifindex, info.net.xdp_flags});
}

void Session::attach_tc(bpf_program* prog, const ProgInfo& info) {
  TcTarget t;
  t.ifindex = ifindex_of(info.net.tc_if, info.name);
  t.egress = info.net.tc_egress;
  t.handle = info.net.tc_handle;
  t.priority = info.net.tc_priority;
  if (t.ifindex <= 0) throw Error(Exit::bad_input, "tc program '" + info.name + "' needs a tchook ifindex", pkg_.path);
  std::string failed, how;
  TcAttachment& a = tc_.emplace_back();
  if (int err = a.attach(bpf_program__fd(prog), t, &failed, &how)) {
    tc_.pop_back();
    throw Error(Exit::tool_failed, "cannot attach tc program '" + info.name + "' (" + failed + "): " + errno_text(err),
                pkg_.path);
  }
  if (ro_.verbose) std::fprintf(stderr, "ecli: tc program '%s': %s\n", info.name.c_str(), how.c_str());
}

// attach: every program whose package entry does not say `link: false`.
void Session::attach() {
  bpf_program* prog;
  bpf_object__for_each_program(prog, obj_) {
    const ProgInfo* info = nullptr;
    for (const ProgInfo& p : pkg_.object.progs)
      if (p.name == bpf_program__name(prog)) info = &p;
    ProgInfo fallback;
    if (!info) {
      fallback.name = bpf_program__name(prog);
      info = &fallback;
    }
    if (!info->link) continue;
    stop_point("attach " + info->name);
    switch (bpf_program__type(prog)) {
      case BPF_PROG_TYPE_XDP:
        attach_xdp(prog, *info);
        break;
      case BPF_PROG_TYPE_SCHED_CLS:
        attach_tc(prog, *info);
        break;
      default: {
        bpf_link* link = bpf_program__attach(prog);
        if (!link) {
          int err = errno;
          if (std::string lacks = kernel_lacks_for_program(prog); !lacks.empty())
            throw Error(Exit::tool_failed, lacks, pkg_.path);
          if (std::string tail = log_.tail(5); !tail.empty()) std::fputs(tail.c_str(), stderr);
          throw Error(Exit::tool_failed,
                      "cannot attach program '" + info->name + "' (" + bpf_program__section_name(prog) +
                          "): " + errno_text(err),
                      pkg_.path);
        }
        links_.push_back(link);
      }
    }
    attached_++;
  }
}

void Session::watch(int fd, const std::string& what) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  if (epoll_ctl(epfd_, EPOLL_CTL_ADD, fd, &ev) != 0)
    throw Error(Exit::tool_failed, "cannot watch " + what + ": epoll_ctl: " + errno_text(errno));
}

// streams: every ring buffer and perf event array with an event type.
void Session::open_streams() {
  epfd_ = epoll_create1(EPOLL_CLOEXEC);
  if (epfd_ < 0) throw Error(Exit::tool_failed, "epoll_create1: " + errno_text(errno));
  now_ = clock_text();
  for (const MapInfo& m : pkg_.object.maps) {
    if (!m.event_type) continue;
    Sink& s = sinks_.emplace_back();
    s.map = m.name;
    s.layout = layout_of(pkg_.object.types, *m.event_type);
    s.json = ro_.json;
    if (!ro_.json) s.table = std::make_unique<TextTable>(s.layout);
    s.out = &out_;
    s.now = &now_;
    s.round_end = &round_end_;
    int fd = bpf_map__fd(bpf_object__find_map_by_name(obj_, m.name.c_str()));
    if (m.type == "BPF_MAP_TYPE_RINGBUF") {
      int err = 0;
      if (rb_) {
        err = ring_buffer__add(rb_, fd, on_ring_record, &s);
      } else if (!(rb_ = ring_buffer__new(fd, on_ring_record, &s, nullptr))) {
        err = -errno;
      }
      if (err) throw Error(Exit::tool_failed, "cannot open ring buffer '" + m.name + "': " + errno_text(err));
    } else {
      perf_buffer* pb = perf_buffer__new(fd, 64, on_perf_record, on_perf_lost, &s, nullptr);
      if (!pb) throw Error(Exit::tool_failed, "cannot open perf buffer '" + m.name + "': " + errno_text(errno));
      pbs_.push_back(pb);
      watch(perf_buffer__epoll_fd(pb), "perf buffer '" + m.name + "'");
    }
    if (!ro_.json) out_.line(s.table->header());
  }
  if (rb_) watch(ring_buffer__epoll_fd(rb_), "the ring buffers");
  out_.flush();
}

// A perf buffer round is bounded by itself: libbpf reads each CPU's buffer
// up to the head it saw when the round began.
void Session::drain(bool budgeted) {
  constexpr auto kRound = std::chrono::milliseconds(50);
  round_end_ = budgeted ? std::chrono::steady_clock::now() + kRound : std::chrono::steady_clock::time_point::max();
  if (rb_) ring_buffer__consume(rb_);
  for (auto* pb : pbs_) perf_buffer__consume(pb);
}

// loop: events and samples until -d, SIGINT or SIGTERM (a clean stop, exit 0).
int Session::loop() {
  std::fprintf(stderr, "ecli: attached %d programs\n", attached_);
  std::fflush(stderr);

  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = ro_.duration > 0
                      ? start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(ro_.duration))
                      : clock::time_point::max();
  for (auto& s : samplers_) s->start(start);
  while (!g_stop) {
    auto t = clock::now();
    if (t >= deadline) break;
    auto wake = std::min(deadline, t + std::chrono::milliseconds(200));
    for (auto& s : samplers_) wake = std::min(wake, s->next());
    int timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - t).count());
    epoll_event evs[16];
    int n = epoll_wait(epfd_, evs, 16, std::max(timeout, 0));
    if (n < 0 && errno != EINTR) throw Error(Exit::tool_failed, "epoll_wait: " + errno_text(errno));
    if (!ro_.json) now_ = clock_text();
    if (n > 0) drain(true);
    t = clock::now();
    for (auto& s : samplers_)
      if (t >= s->next()) s->print(obj_, ro_.json, out_, t);
    out_.flush();
  }
  // Whatever arrived before the stop is still printed: detached first, so
  // the last round ends.
  detach();
  drain(false);
  out_.flush();
  for (const Sink& s : sinks_)
    if (s.lost)
      std::fprintf(stderr, "ecli: %llu events of '%s' were lost (the perf buffer overflowed)\n",
                   static_cast<unsigned long long>(s.lost), s.map.c_str());
  return 0;
}

}  // namespace

int run_package(const Package& pkg, const std::vector<ProgSetting>& settings, const RunOptions& ro) {
  g_stop = 0;
  try {
    Session session(pkg, settings, ro);
    return session.run();
  } catch (const Interrupted& i) {
    // The session is gone: every link closed, filter removed, object unloaded.
    std::fprintf(stderr, "ecli: interrupted by %s %s; nothing is left attached or loaded\n",
                 i.sig == SIGTERM ? "SIGTERM" : "SIGINT", i.when.c_str());
    return 128 + i.sig;
  }
}

}  // namespace ecc::loader
