// Load, attach, stream: the running half of `ecli run package.json`.
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <net/if.h>
#include <signal.h>
#include <sys/epoll.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdarg>
#include <cstring>
#include <ctime>
#include <deque>
#include <iostream>
#include <memory>
#include <set>

#include "ecc/loader.h"
#include "sampler.h"

namespace ecc::loader {

namespace {

// --- libbpf's messages: kept for the failure tail, echoed with -v ---------

std::string g_log;
bool g_verbose = false;

int capture_libbpf(enum libbpf_print_level level, const char* fmt, va_list args) {
  char buf[4096];
  int n = vsnprintf(buf, sizeof buf, fmt, args);
  if (g_verbose) std::fputs(buf, stderr);
  if (level == LIBBPF_DEBUG && !g_verbose) return n;
  g_log += buf;
  if (g_log.size() > (4u << 20)) g_log.erase(0, g_log.size() - (1u << 20));
  return n;
}

std::string tail_lines(const std::string& text, size_t n) {
  size_t pos = text.size();
  if (pos && text[pos - 1] == '\n') pos--;
  for (size_t k = 0; k < n && pos != std::string::npos && pos > 0; k++) pos = text.rfind('\n', pos - 1);
  return pos == std::string::npos || pos == 0 ? text : text.substr(pos + 1);
}

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

// One event stream: a map, the layout its records are decoded with.
struct Sink {
  const Field* layout;
  std::unique_ptr<TextTable> table;
  bool json;
  Output* out;
  const std::string* now;
  uint64_t lost = 0;
};

void emit(Sink& s, const void* data, size_t size) {
  std::span<const uint8_t> bytes(static_cast<const uint8_t*>(data), size);
  if (s.json) {
    std::string line;
    append_json(line, *s.layout, bytes);
    s.out->line(line);
  } else {
    s.out->line(s.table->row(bytes, *s.now));
  }
}

int on_ring_record(void* ctx, void* data, size_t size) {
  emit(*static_cast<Sink*>(ctx), data, size);
  return 0;
}

void on_perf_record(void* ctx, int, void* data, __u32 size) { emit(*static_cast<Sink*>(ctx), data, size); }

void on_perf_lost(void* ctx, int cpu, __u64 n) {
  static_cast<Sink*>(ctx)->lost += n;
  std::fprintf(stderr, "ecli: lost %llu events on CPU %d\n", static_cast<unsigned long long>(n), cpu);
}

const Json* prog_doc(const Json& meta, const std::string& name) {
  const Json& progs = meta["bpf_skel"]["progs"];
  if (!progs.is_array()) return nullptr;
  for (const auto& p : progs)
    if (p.value("name", "") == name) return &p;
  return nullptr;
}

const Json* map_doc(const Json& meta, const std::string& name) {
  const Json& maps = meta["bpf_skel"]["maps"];
  if (!maps.is_array()) return nullptr;
  for (const auto& m : maps)
    if (m.value("name", "") == name) return &m;
  return nullptr;
}

// Everything the kernel holds for us, released in reverse order.
struct Attached {
  bpf_object* obj = nullptr;
  std::vector<bpf_link*> links;
  std::vector<std::pair<int, uint32_t>> xdp;  // ifindex, flags
  std::vector<bpf_tc_hook> tc_hooks;
  std::vector<bpf_tc_opts> tc_opts;
  ring_buffer* rb = nullptr;
  std::vector<perf_buffer*> pbs;
  int epfd = -1;

  ~Attached() {
    if (epfd >= 0) close(epfd);
    for (auto* pb : pbs) perf_buffer__free(pb);
    if (rb) ring_buffer__free(rb);
    for (size_t i = 0; i < tc_hooks.size(); i++) {
      bpf_tc_opts o{};
      o.sz = sizeof o;
      o.handle = tc_opts[i].handle;
      o.priority = tc_opts[i].priority;
      bpf_tc_detach(&tc_hooks[i], &o);
    }
    for (auto [ifindex, flags] : xdp) bpf_xdp_detach(ifindex, flags, nullptr);
    for (auto* l : links) bpf_link__destroy(l);
    if (obj) bpf_object__close(obj);
  }
};

int json_int(const Json& doc, const char* key, int dflt) {
  if (!doc.contains(key)) return dflt;
  const Json& v = doc[key];
  if (v.is_number_integer()) return v.get<int>();
  if (v.is_string()) {
    // An interface may be named: "ifindex": "lo".
    if (unsigned idx = if_nametoindex(v.get<std::string>().c_str())) return static_cast<int>(idx);
  }
  throw Error(Exit::bad_input, std::string("program annotation '") + key + "' is not a number: " + v.dump());
}

void attach_xdp(Attached& a, bpf_program* prog, const Json& doc) {
  int ifindex = json_int(doc, "ifindex", 0);
  if (ifindex <= 0) throw Error(Exit::bad_input, std::string("xdp program '") + bpf_program__name(prog) + "' needs an ifindex annotation");
  uint32_t flags = static_cast<uint32_t>(json_int(doc, "flags", 0));
  bpf_xdp_attach_opts opts{};
  opts.sz = sizeof opts;
  if (doc.contains("xdpopts") && doc["xdpopts"].is_object()) opts.old_prog_fd = json_int(doc["xdpopts"], "old_prog_fd", 0);
  int err = bpf_xdp_attach(ifindex, bpf_program__fd(prog), flags, &opts);
  if (err) throw Error(Exit::tool_failed, std::string("cannot attach xdp program '") + bpf_program__name(prog) + "': " + std::strerror(-err));
  a.xdp.push_back({ifindex, flags});
}

void attach_tc(Attached& a, bpf_program* prog, const Json& doc) {
  bpf_tc_hook hook{};
  hook.sz = sizeof hook;
  const Json hook_doc = doc.contains("tchook") ? doc["tchook"] : Json::object();
  hook.ifindex = json_int(hook_doc, "ifindex", json_int(doc, "ifindex", 0));
  std::string point = hook_doc.value("attach_point", "BPF_TC_INGRESS");
  hook.attach_point = point == "BPF_TC_EGRESS" ? BPF_TC_EGRESS : BPF_TC_INGRESS;
  if (hook.ifindex <= 0) throw Error(Exit::bad_input, std::string("tc program '") + bpf_program__name(prog) + "' needs a tchook ifindex");
  int err = bpf_tc_hook_create(&hook);
  if (err && err != -EEXIST) throw Error(Exit::tool_failed, std::string("cannot create the tc hook: ") + std::strerror(-err));
  const Json opts_doc = doc.contains("tcopts") ? doc["tcopts"] : Json::object();
  bpf_tc_opts opts{};
  opts.sz = sizeof opts;
  opts.handle = static_cast<uint32_t>(json_int(opts_doc, "handle", 1));
  opts.priority = static_cast<uint32_t>(json_int(opts_doc, "priority", 1));
  opts.prog_fd = bpf_program__fd(prog);
  err = bpf_tc_attach(&hook, &opts);
  if (err) throw Error(Exit::tool_failed, std::string("cannot attach tc program '") + bpf_program__name(prog) + "': " + std::strerror(-err));
  a.tc_hooks.push_back(hook);
  a.tc_opts.push_back(opts);
}

// The export type events are decoded with when a map names none: the first
// struct/union that is not a member of another export type (enums and
// nested parts are not events), else the first export type.
size_t default_event_type(const Json& exports) {
  std::set<std::string> nested;
  for (const auto& e : exports)
    if (e.contains("members"))
      for (const auto& m : e["members"]) {
        std::string t = m.value("type", "");
        for (const char* kw : {"struct ", "union "})
          if (t.rfind(kw, 0) == 0) nested.insert(t.substr(std::strlen(kw), t.find('[') - std::strlen(kw)));
      }
  for (size_t i = 0; i < exports.size(); i++)
    if (exports[i].contains("members") && !nested.count(exports[i].value("name", ""))) return i;
  return 0;
}

[[noreturn]] void load_failed(int err, const std::string& path) {
  if (err == -EPERM || err == -EACCES) {
    if (geteuid() != 0 || err == -EPERM)
      throw Error(Exit::tool_failed,
                  std::string("loading BPF needs privileges: run as root or with CAP_BPF+CAP_PERFMON (") +
                      std::strerror(-err) + ")",
                  path);
  }
  std::string tail = tail_lines(g_log, 20);
  if (!tail.empty()) {
    std::fputs("ecli: libbpf output (last 20 lines):\n", stderr);
    std::fputs(tail.c_str(), stderr);
    if (tail.back() != '\n') std::fputc('\n', stderr);
  }
  throw Error(Exit::tool_failed, std::string("the kernel refused the BPF object: ") + std::strerror(-err), path);
}

}  // namespace

int run_package(const Package& pkg, const std::vector<ProgSetting>& settings, const RunOptions& ro) {
  g_verbose = ro.verbose;
  g_log.clear();
  libbpf_set_print(capture_libbpf);

  // Layouts first: a bad export type stops us before the kernel is involved.
  const Json& exports = pkg.meta.contains("export_types") ? pkg.meta["export_types"] : Json::array();
  std::deque<Field> layouts;
  for (const auto& e : exports) layouts.push_back(layout_of_export(e, exports, pkg.object.types));
  std::vector<std::unique_ptr<Sampler>> samplers;
  for (const MapInfo& m : pkg.object.maps)
    if (const Json* d = map_doc(pkg.meta, m.name); d && d->contains("sample"))
      samplers.push_back(std::make_unique<Sampler>(pkg, m, (*d)["sample"]));

  Attached a;
  bpf_object_open_opts oo{};
  oo.sz = sizeof oo;
  // The name read_object used, so that internal map names agree.
  oo.object_name = pkg.object.obj_name.c_str();
  if (!ro.btf_path.empty()) {
    if (access(ro.btf_path.c_str(), R_OK) != 0) throw Error(Exit::bad_input, "cannot read the kernel BTF", ro.btf_path);
    oo.btf_custom_path = ro.btf_path.c_str();
  }
  a.obj = bpf_object__open_mem(pkg.elf.data(), pkg.elf.size(), &oo);
  if (!a.obj) {
    int err = -errno;
    a.obj = nullptr;
    throw Error(Exit::bad_input, std::string("libbpf cannot open the BPF object: ") + std::strerror(-err), pkg.path);
  }

  for (const ProgSetting& s : settings) {
    std::string map_name;
    for (const MapInfo& m : pkg.object.maps)
      if (m.ident == s.option->map_ident) map_name = m.name;
    bpf_map* map = bpf_object__find_map_by_name(a.obj, map_name.c_str());
    size_t size = 0;
    const void* data = map ? bpf_map__initial_value(map, &size) : nullptr;
    if (!data || s.option->offset + s.bytes.size() > size)
      throw Error(Exit::bad_input, "cannot set '" + s.option->var + "': no room in " + s.option->section, pkg.path);
    // libbpf hands out a read-only view: copy, patch, set it back.
    std::vector<uint8_t> image(static_cast<const uint8_t*>(data), static_cast<const uint8_t*>(data) + size);
    std::memcpy(image.data() + s.option->offset, s.bytes.data(), s.bytes.size());
    if (int err = bpf_map__set_initial_value(map, image.data(), image.size()))
      throw Error(Exit::tool_failed, "cannot set '" + s.option->var + "': " + std::strerror(-err), pkg.path);
  }

  if (int err = bpf_object__load(a.obj)) load_failed(err, pkg.path);

  int attached = 0;
  bpf_program* prog;
  bpf_object__for_each_program(prog, a.obj) {
    const Json* doc = prog_doc(pkg.meta, bpf_program__name(prog));
    Json d = doc ? *doc : Json::object();
    if (d.contains("link") && d["link"].is_boolean() && !d["link"].get<bool>()) continue;
    switch (bpf_program__type(prog)) {
      case BPF_PROG_TYPE_XDP:
        attach_xdp(a, prog, d);
        break;
      case BPF_PROG_TYPE_SCHED_CLS:
        attach_tc(a, prog, d);
        break;
      default: {
        bpf_link* link = bpf_program__attach(prog);
        if (!link) {
          int err = -errno;
          std::string tail = tail_lines(g_log, 5);
          if (!tail.empty()) std::fputs(tail.c_str(), stderr);
          throw Error(Exit::tool_failed,
                      std::string("cannot attach program '") + bpf_program__name(prog) + "' (" +
                          bpf_program__section_name(prog) + "): " + std::strerror(-err),
                      pkg.path);
        }
        a.links.push_back(link);
      }
    }
    attached++;
  }

  // Streams: every ring buffer and perf event array, decoded with the export
  // type its value names, else the first export type.
  Output out;
  std::string now = clock_text();
  std::deque<Sink> sinks;
  a.epfd = epoll_create1(EPOLL_CLOEXEC);
  for (const MapInfo& m : pkg.object.maps) {
    bool ring = m.type == "BPF_MAP_TYPE_RINGBUF";
    bool perf = m.type == "BPF_MAP_TYPE_PERF_EVENT_ARRAY";
    if ((!ring && !perf) || layouts.empty()) continue;
    const Field* layout = &layouts[default_event_type(exports)];
    if (m.value_type) {
      const Type& vt = pkg.object.types.at(pkg.object.types.resolve(*m.value_type));
      for (size_t i = 0; i < layouts.size(); i++)
        if (exports[i].value("name", "") == vt.name) layout = &layouts[i];
    }
    Sink& s = sinks.emplace_back(Sink{layout, ro.json ? nullptr : std::make_unique<TextTable>(*layout), ro.json, &out, &now});
    int fd = bpf_map__fd(bpf_object__find_map_by_name(a.obj, m.name.c_str()));
    if (ring) {
      int err = a.rb ? ring_buffer__add(a.rb, fd, on_ring_record, &s) : 0;
      if (!a.rb) {
        a.rb = ring_buffer__new(fd, on_ring_record, &s, nullptr);
        if (!a.rb) err = -errno;
      }
      if (err) throw Error(Exit::tool_failed, "cannot open ring buffer '" + m.name + "': " + std::strerror(-err));
    } else {
      perf_buffer* pb = perf_buffer__new(fd, 64, on_perf_record, on_perf_lost, &s, nullptr);
      if (!pb) throw Error(Exit::tool_failed, "cannot open perf buffer '" + m.name + "': " + std::strerror(errno));
      a.pbs.push_back(pb);
      epoll_event ev{};
      ev.events = EPOLLIN;
      epoll_ctl(a.epfd, EPOLL_CTL_ADD, perf_buffer__epoll_fd(pb), &ev);
    }
    if (!ro.json) out.line(s.table->header());
  }
  if (a.rb) {
    epoll_event ev{};
    ev.events = EPOLLIN;
    epoll_ctl(a.epfd, EPOLL_CTL_ADD, ring_buffer__epoll_fd(a.rb), &ev);
  }
  out.flush();

  struct sigaction sa{};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::fprintf(stderr, "ecli: attached %d programs\n", attached);
  std::fflush(stderr);

  using clock = std::chrono::steady_clock;
  auto start = clock::now();
  auto deadline = ro.duration > 0 ? start + std::chrono::duration_cast<clock::duration>(std::chrono::duration<double>(ro.duration))
                                  : clock::time_point::max();
  for (auto& s : samplers) s->start(start);
  while (!g_stop) {
    auto t = clock::now();
    if (t >= deadline) break;
    auto wake = std::min(deadline, t + std::chrono::milliseconds(200));
    for (auto& s : samplers) wake = std::min(wake, s->next());
    int timeout = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(wake - t).count());
    epoll_event evs[16];
    int n = epoll_wait(a.epfd, evs, 16, std::max(timeout, 0));
    if (n < 0 && errno != EINTR) throw Error(Exit::tool_failed, std::string("epoll_wait: ") + std::strerror(errno));
    if (!ro.json) now = clock_text();
    if (n > 0) {
      if (a.rb) ring_buffer__consume(a.rb);
      for (auto* pb : a.pbs) perf_buffer__consume(pb);
    }
    t = clock::now();
    for (auto& s : samplers)
      if (t >= s->next()) s->print(a.obj, ro.json, out, t);
    out.flush();
  }
  // Whatever arrived before the stop is still printed.
  if (a.rb) ring_buffer__consume(a.rb);
  for (auto* pb : a.pbs) perf_buffer__consume(pb);
  out.flush();
  return 0;
}

}  // namespace ecc::loader
