// Load, attach, stream: the running half of `ecli run package.json`, as a
// session of named passes over one set of kernel resources:
//   open -> settings -> load -> attach -> streams -> loop
// Each pass reads the package's model (typed annotations, event types) and
// what the passes before it acquired; the destructor releases it all in
// reverse order, whichever pass failed.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <deque>
#include <memory>

#include "ecc/btf.h"
#include "ecc/libbpf_log.h"
#include "ecc/loader.h"
#include "metrics_export.h"
#include "ecc/runtime.h"
#include "ecc/step_times.h"
#include "ecc/tool_name.h"
#include "sampler.h"

namespace ecc::loader {

namespace {

using runtime::errno_text;

// One event stream: a map, its reader, and the layout its records are decoded with.
struct Sink {
  explicit Sink(const std::string& map) : reader(map) {}
  Field layout;
  std::unique_ptr<TextTable> table;
  bool json = false;
  Output* out = nullptr;
  const std::string* now = nullptr;
  bool quiet = false;                      // -q: counted, not printed
  std::unique_ptr<EventExport> metrics;    // the struct's @metric members
  runtime::EventReader reader;
};

int on_record(void* ctx, const void* data, size_t size) {
  auto& s = *static_cast<Sink*>(ctx);
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(data), size);
  if (s.metrics) s.metrics->record(bytes);
  if (s.quiet) return 0;
  if (s.json) {  // straight into the output buffer: no string per record
    append_json(s.out->buf, s.layout, bytes);
    s.out->end_line();
  } else {
    s.out->line(s.table->row(bytes, *s.now));
  }
  return 0;
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
  ~Session() {
    if (epfd_ >= 0) close(epfd_);
  }
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  int run() {
    runtime::catch_stop_signals();
    prepare_samplers();  // a bad annotation stops us before the kernel is involved
    open();
    apply_settings();
    runtime::step_done("open and settings");
    if (ro_.hooks) ro_.hooks->before_load();
    runtime::stop_point("load");
    load();
    seed_maps();
    runtime::step_done("load");
    if (ro_.hooks) ro_.hooks->before_attach();
    attach();
    runtime::step_done("attach");
    if (ro_.hooks) ro_.hooks->attached();
    if (!pkg_.snapshots.empty()) return snapshot();
    runtime::stop_point("streams");
    open_streams();
    runtime::step_done("streams");
    return loop();
  }

 private:
  void prepare_samplers();
  void open();
  void apply_settings();
  void load();
  void seed_maps();
  void attach();
  // Attaches `prog` as `info` says; 0 or -errno with `f` filled.
  int attach_one(bpf_program* prog, const ProgInfo& info, runtime::AttachFailure* f);
  int snapshot();
  void open_streams();
  void watch(int fd, const std::string& what);
  int loop();
  // One read round of every stream: until they are empty, or (budgeted)
  // for at most about EventReader::kRound of ring buffer records. Whether
  // it read records and no stream yielded (more are likely on the way).
  bool drain(bool budgeted);
  // Waits up to `timeout_ms` for events and reads them; whether it read any.
  bool wait_and_read(int timeout_ms);

  const Package& pkg_;
  const std::vector<ProgSetting>& settings_;
  const RunOptions& ro_;
  LibbpfLog log_;

  // What the kernel holds for us: the readers go before the object
  // (detached and closed by its destructor).
  runtime::Object object_;
  int epfd_ = -1;
  int attached_ = 0;

  Output out_;
  runtime::OutputPace pace_;
  std::string now_;
  std::deque<Sink> sinks_;
  std::vector<std::unique_ptr<Sampler>> samplers_;
};

void Session::prepare_samplers() {
  for (const MapInfo& m : pkg_.object.maps)
    if (m.sample) samplers_.push_back(std::make_unique<Sampler>(pkg_, m, *m.sample, ro_));
}

// open: the ELF into libbpf, with the kernel BTF to relocate against.
void Session::open() {
  runtime::OpenOptions oo;
  // The name read_object used, so that internal map names agree.
  oo.object_name = pkg_.object.obj_name;
  oo.btf_path = ro_.btf_path;
  oo.btf_archive = pkg_.btf_archive;
  oo.archive_file = pkg_.path;
  oo.verbose = ro_.verbose;
  oo.check = ro_.load_check;
  if (pkg_.opened) oo.take_opened = [opened = pkg_.opened] { return opened->take(); };
  if (auto f = object_.open(pkg_.elf.data(), pkg_.elf.size(), oo, log_))
    throw Error(Exit::bad_input, "libbpf cannot open the BPF object: " + errno_text(f->err), pkg_.path);
}

// settings: program options patched into the data sections' initial values.
void Session::apply_settings() {
  for (const ProgSetting& s : settings_) {
    std::string map_name;
    for (const MapInfo& m : pkg_.object.maps)
      if (m.ident == s.option->map_ident) map_name = m.name;
    bpf_map* map = bpf_object__find_map_by_name(object_.get(), map_name.c_str());
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
  std::optional<runtime::LoadFailure> f = object_.load(log_);
  runtime::throw_if_stopped("during load");
  if (!f) return;
  if (!f->reason.empty()) throw Error(Exit::tool_failed, f->reason, pkg_.path);
  if (!f->tail.empty()) {
    std::fprintf(stderr, "%s: libbpf output (last 20 lines):\n", tool_name().c_str());
    std::fputs(f->tail.c_str(), stderr);
  }
  throw Error(Exit::tool_failed, "the kernel refused the BPF object: " + errno_text(f->err), pkg_.path);
}

// seed: map entries the run asks for (a gadget's mount-namespace filter).
void Session::seed_maps() {
  for (const MapEntry& e : ro_.map_entries) {
    bpf_map* map = bpf_object__find_map_by_name(object_.get(), e.map.c_str());
    if (!map) throw Error(Exit::bad_input, "the BPF object has no map '" + e.map + "'", pkg_.path);
    if (bpf_map__key_size(map) != e.key.size() || bpf_map__value_size(map) != e.value.size())
      throw Error(Exit::bad_input, "map '" + e.map + "' has other key or value sizes than its entry", pkg_.path);
    if (bpf_map_update_elem(bpf_map__fd(map), e.key.data(), e.value.data(), BPF_ANY) != 0)
      throw Error(Exit::tool_failed, "cannot write an entry of map '" + e.map + "': " + errno_text(errno), pkg_.path);
  }
}

int Session::attach_one(bpf_program* prog, const ProgInfo& info, runtime::AttachFailure* f) {
  switch (bpf_program__type(prog)) {
    case BPF_PROG_TYPE_XDP: {
      int ifindex = ifindex_of(info.net.xdp_if, info.name);
      if (ifindex <= 0)
        throw Error(Exit::bad_input, "xdp program '" + info.name + "' needs an ifindex annotation", pkg_.path);
      return object_.attach_xdp(prog, ifindex, info.net.xdp_flags, info.net.xdp_old_prog_fd, f);
    }
    case BPF_PROG_TYPE_SCHED_CLS: {
      TcTarget t;
      t.ifindex = ifindex_of(info.net.tc_if, info.name);
      t.egress = info.net.tc_egress;
      t.handle = info.net.tc_handle;
      t.priority = info.net.tc_priority;
      if (t.ifindex <= 0)
        throw Error(Exit::bad_input, "tc program '" + info.name + "' needs a tchook ifindex", pkg_.path);
      return object_.attach_tc(prog, t, ro_.verbose, f);
    }
    default:
      if (std::string target = ro_.hooks ? ro_.hooks->attach_target(info.name) : ""; !target.empty())
        return object_.attach_to(prog, target, ro_.verbose, f);
      if (int err = object_.attach(prog, f)) {
        if (f->lacks.empty())
          if (std::string tail = log_.tail(5); !tail.empty()) std::fputs(tail.c_str(), stderr);
        return err;
      }
      return 0;
  }
}

// attach: every program whose package entry does not say `link: false`.
void Session::attach() {
  bpf_program* prog;
  bpf_object__for_each_program(prog, object_.get()) {
    const ProgInfo* info = nullptr;
    for (const ProgInfo& p : pkg_.object.progs)
      if (p.name == bpf_program__name(prog)) info = &p;
    ProgInfo fallback;
    if (!info) {
      fallback.name = bpf_program__name(prog);
      info = &fallback;
    }
    if (!info->link) continue;
    runtime::stop_point("attach " + info->name);
    runtime::AttachFailure f;
    if (attach_one(prog, *info, &f))
      throw Error(Exit::tool_failed, f.lacks.empty() ? f.message : f.lacks, pkg_.path);
    attached_++;
  }
}

// snapshot: each snapshot's iterator programs run once, their records
// printed as one table (or JSON lines); then the run is over.
int Session::snapshot() {
  std::fprintf(stderr, "%s: attached %d programs\n", tool_name().c_str(), attached_);
  for (const Package::Snapshot& snap : pkg_.snapshots) {
    Field layout = print_layout(pkg_, snap.type);
    std::vector<uint8_t> bytes;
    for (const std::string& name : snap.programs) {
      bpf_program* prog = bpf_object__find_program_by_name(object_.get(), name.c_str());
      runtime::AttachFailure f;
      if (!prog) throw Error(Exit::bad_input, "snapshot '" + snap.name + "': no program '" + name + "'", pkg_.path);
      if (object_.run_iterator(prog, bytes, &f)) throw Error(Exit::tool_failed, f.lacks.empty() ? f.message : f.lacks, pkg_.path);
    }
    if (layout.size == 0 || bytes.size() % layout.size)
      throw Error(Exit::tool_failed, "snapshot '" + snap.name + "': " + std::to_string(bytes.size()) +
                                         " bytes are no whole number of " + std::to_string(layout.size) + "-byte records", pkg_.path);
    TextTable table(layout, pkg_.flatten_tables);
    if (!ro_.json) out_.line(table.header());
    std::string now = clock_text();
    for (size_t off = 0; off < bytes.size(); off += layout.size) {
      std::span<const uint8_t> rec(bytes.data() + off, layout.size);
      std::string line;
      if (ro_.json) append_json(line, layout, rec);
      out_.line(ro_.json ? line : table.row(rec, now));
    }
  }
  out_.flush();
  if (ro_.hooks) ro_.hooks->stopping();
  return 0;
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
    Sink& s = sinks_.emplace_back(m.name);
    s.layout = print_layout(pkg_, *m.event_type);
    s.json = ro_.json;
    if (!ro_.json) s.table = std::make_unique<TextTable>(s.layout, pkg_.flatten_tables);
    s.out = &out_;
    s.now = &now_;
    s.quiet = ro_.quiet;
    if (ro_.metrics) s.metrics = EventExport::make(pkg_, *m.event_type, s.layout, *ro_.metrics);
    int fd = bpf_map__fd(bpf_object__find_map_by_name(object_.get(), m.name.c_str()));
    bool ring = m.type == "BPF_MAP_TYPE_RINGBUF";
    std::string what = std::string(ring ? "ring buffer '" : "perf buffer '") + m.name + "'";
    if (int err = s.reader.open(fd, ring, on_record, &s))
      throw Error(Exit::tool_failed, "cannot open " + what + ": " + errno_text(err));
    watch(s.reader.epoll_fd(), what);
    if (!ro_.json && !ro_.quiet) out_.line(s.table->header());
  }
  out_.flush();
}

bool Session::drain(bool budgeted) {
  auto end = budgeted ? runtime::EventReader::budget() : runtime::EventReader::clock::time_point::max();
  bool read = false, yielded = false;
  for (Sink& s : sinks_) {
    read |= s.reader.consume(end) > 0;
    yielded |= s.reader.yielded();
  }
  return read && !yielded;
}

bool Session::wait_and_read(int timeout_ms) {
  // Buffered output waits no longer than the pace allows when nothing comes.
  if (!out_.buf.empty()) timeout_ms = std::min<int>(timeout_ms, runtime::OutputPace::kLatency.count());
  epoll_event evs[16];
  int n = epoll_wait(epfd_, evs, 16, std::max(timeout_ms, 0));
  if (n < 0 && errno != EINTR) throw Error(Exit::tool_failed, "epoll_wait: " + errno_text(errno));
  if (!ro_.json) now_ = clock_text();
  return n > 0 && drain(true);
}

// loop: events and samples until -d, SIGINT or SIGTERM (a clean stop, exit 0).
int Session::loop() {
  std::fprintf(stderr, "%s: attached %d programs\n", tool_name().c_str(), attached_);
  std::fflush(stderr);

  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = ro_.duration > 0
                      ? start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(ro_.duration))
                      : clock::time_point::max();
  for (auto& s : samplers_) s->start(start);
  while (!runtime::stop_signal()) {
    auto t = clock::now();
    if (t >= deadline) break;
    auto wake = std::min(deadline, t + std::chrono::milliseconds(200));
    for (auto& s : samplers_) wake = std::min(wake, s->next());
    int timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - t).count());
    bool busy = wait_and_read(timeout);
    t = clock::now();
    bool sampled = false;
    for (auto& s : samplers_)
      if (t >= s->next()) s->print(object_.get(), ro_.json, out_, t), sampled = true;
    // One write a batch of rounds while events keep coming (runtime.h).
    if (pace_.due(!busy || sampled)) out_.flush();
    if (busy) runtime::wait_for_batch();
  }
  if (ro_.hooks) ro_.hooks->stopping();
  // Whatever arrived before the stop is still printed: detached first, so
  // the last round ends.
  object_.detach();
  drain(false);
  out_.flush();
  for (const Sink& s : sinks_) {
    if (ro_.quiet) s.reader.report_read();
    s.reader.report();
  }
  return 0;
}

}  // namespace

int run_package(const Package& pkg, const std::vector<ProgSetting>& settings, const RunOptions& ro) {
  if (ro.metrics) ro.metrics->set_program(pkg.name);
  try {
    Session session(pkg, settings, ro);
    return session.run();
  } catch (const runtime::Interrupted& i) {
    // The session is gone: every link closed, filter removed, object unloaded.
    return runtime::report_interrupted(i);
  }
}

}  // namespace ecc::loader
