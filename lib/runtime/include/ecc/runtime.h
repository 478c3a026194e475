// The libbpf session that ecli's package loader and the Wasm host share: one
// BPF object from open to close (the BTF it relocates against, load with the
// kernel's diagnosis, every kind of attach, detach), the readers of its ring
// buffers and perf event arrays with their loss accounting, and the stop that
// SIGINT or SIGTERM asks for. The callers keep what is theirs: the loader
// prints events and samples, the Wasm host moves records into guest memory.
// (C++17: the Wasm host's interpreter sources include it.)
#pragma once

#include <bpf/libbpf.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "ecc/btf_archive.h"
#include "ecc/libbpf_log.h"
#include "ecc/tc_attach.h"

namespace ecc::runtime {

// Where the runtime's messages go, each a whole line with its newline:
// stderr by default, the guest's stderr in the Wasm host.
using Say = std::function<void(const std::string&)>;
void say_on_stderr(const std::string& line);

// strerror of an errno, negative or not.
std::string errno_text(int err);

// Called with an object's bytes before libbpf sees them; throws Error to
// refuse the object (ecli's load policy, docs/trust.md).
using LoadCheck = std::function<void(const uint8_t* elf, size_t size)>;

struct OpenOptions {
  std::string object_name;   // libbpf's name of the object; empty: libbpf's own
  std::string btf_path;      // --btf: relocate against this file
  std::string btf_archive;   // the package's btf_archive (JSON), for a kernel without BTF
  std::string archive_file;  // names the archive in its errors
  // Bytes from outside: opened in a child first (open_guard.h), its error
  // naming them so; empty: the caller guarded them already.
  std::string guard_as;
  bool verbose = false;      // say which BTF the archive gave
  LoadCheck check;           // when set: first, before anything else
  // The same bytes already opened with object_name (the model's reader's
  // object, ecc/btf.h OpenedObject): taken, not opened again, unless a
  // custom BTF is chosen (libbpf takes it at open). May give nullptr.
  std::function<bpf_object*()> take_opened;
};

// Why libbpf did not open or load an object.
struct LoadFailure {
  bool opened = false;  // false: libbpf could not open the ELF
  int err = 0;          // its errno
  // What the kernel lacks (kernel_support.h), or the privileges loading
  // needs; empty when neither is the cause (the verifier log tells).
  std::string reason;
  std::string tail;  // the last 20 lines libbpf printed (a verifier log)
};

// Why a program did not attach.
struct AttachFailure {
  int err = 0;          // its errno
  std::string message;  // "cannot attach program 'p' (kprobe/f): No such file or directory"
  std::string lacks;    // what the kernel lacks for it (kernel_support.h), or empty
};

class Object {
 public:
  explicit Object(Say say = say_on_stderr) : say_(std::move(say)) {}
  ~Object();
  Object(const Object&) = delete;
  Object& operator=(const Object&) = delete;

  // Opens the ELF `elf` (`size` bytes, kept by the caller until load()
  // returns) against the BTF `o` chooses: --btf, else the archive's entry
  // for this kernel when it has no BTF of its own. Throws Error for an
  // unreadable --btf, a bad or unmatched archive, or bytes that crash
  // libbpf (o.guard_as); returns libbpf's own refusal. `log` captures libbpf.
  std::optional<LoadFailure> open(const uint8_t* elf, size_t size, const OpenOptions& o, const LibbpfLog& log);
  // CO-RE relocation and the verifier.
  std::optional<LoadFailure> load(const LibbpfLog& log);
  bpf_object* get() const { return obj_; }

  // Attaches `prog` as its section says (libbpf's auto-attach). 0 or -errno.
  int attach(bpf_program* prog, AttachFailure* f);
  // Runs the iterator program `prog` (SEC("iter/...")) once: attached as an
  // iterator link, read to the end into `out` (what it wrote with
  // bpf_seq_write), detached. 0 or -errno with `f` filled.
  int run_iterator(bpf_program* prog, std::vector<uint8_t>& out, AttachFailure* f);
  // As the Wasm ABI names a target: a kprobe's function, a tracepoint's
  // "category:name" (or "/"), a raw tracepoint, an XDP program's interface,
  // a tc program's "IFNAME", "IFNAME:ingress" or "IFNAME:egress".
  int attach_to(bpf_program* prog, const std::string& target, bool verbose, AttachFailure* f);
  // An XDP program on `ifindex`: a BPF link when no flags or replaced
  // program are asked for (gone with the process, even by SIGKILL), else
  // through netlink (detached again by detach()).
  int attach_xdp(bpf_program* prog, int ifindex, uint32_t flags, int old_prog_fd, AttachFailure* f);
  // A tc program (tc_attach.h); `verbose` says how it was attached.
  int attach_tc(bpf_program* prog, const TcTarget& t, bool verbose, AttachFailure* f);
  // Releases what is attached (tc, xdp, links), so that nothing more arrives.
  void detach();
  // Closes the object (after detach()); what it held is gone from the kernel.
  void close();

 private:
  void choose_btf(const OpenOptions& o, bpf_object_open_opts* oo);
  int attach_failed(bpf_program* prog, int err, const std::string& what, AttachFailure* f);

  Say say_;
  EmbeddedBtf embedded_btf_;
  bool custom_btf_ = false;
  bpf_object* obj_ = nullptr;
  std::vector<bpf_link*> links_;
  std::vector<std::pair<int, uint32_t>> xdp_;  // netlink: ifindex, flags
  std::vector<TcAttachment> tc_;
};

// The reader of one ring buffer or perf event array, for both callers.
// A map's reader. Nothing goes silently (docs/ecli.md): perf buffers count the
// records the kernel dropped, each loss reported on stderr as it is seen
// and the total when the object closes, in the words of the package path;
// records read but not handed over because the run stopped, and those
// still in the buffer when a stopped run ends, are counted as unread and
// reported when the object closes.
struct StreamCounts;  // below, with the metrics hooks

class EventReader {
 public:
  // Gets each record: 0 to go on, negative to end the round after it
  // (libbpf has consumed it; perf buffers cannot end a round).
  using RecordFn = int (*)(void* ctx, const void* data, size_t size);
  // A ring buffer round ends, when budgeted, after about this long even when
  // records keep coming (the rest stays in the ring for the next round), so
  // that -d, samples, signals and a guest's loop are not held up by a flood.
  static constexpr std::chrono::milliseconds kRound{50};
  using clock = std::chrono::steady_clock;
  static clock::time_point budget() { return clock::now() + kRound; }

  EventReader(std::string map, Say say = say_on_stderr) : map_(std::move(map)), say_(std::move(say)) {}
  ~EventReader();
  EventReader(const EventReader&) = delete;
  EventReader& operator=(const EventReader&) = delete;

  // Reads the map `map_fd` (BPF_MAP_TYPE_RINGBUF or PERF_EVENT_ARRAY). 0 or -errno.
  int open(int map_fd, bool ring, RecordFn fn, void* ctx);
  bool is_ring() const { return ring_ != nullptr; }
  int epoll_fd() const;
  const std::string& map() const { return map_; }

  // One round: what the buffer holds, after waiting up to `wait_ms` for
  // something to arrive (poll). A ring buffer round ends at `round_end`
  // (budget(); clock::time_point::max(): not budgeted). libbpf's count of
  // records, or a negative value (-errno, or the callback's).
  int poll(int wait_ms, clock::time_point round_end);
  int consume(clock::time_point round_end = clock::time_point::max());
  // Whether the last round ended at its round_end.
  bool yielded() const { return yielded_; }

  // Whether the last poll() round read records and did not yield: more are
  // likely on the way, and the next poll() lets them gather first
  // (wait_for_batch()).
  bool busy() const { return busy_; }

  // A record read but not handed over.
  void count_unread() { ++unread_; }
  // What is still in the buffer, counted as unread instead of delivered.
  void discard_rest();
  // The totals: records lost and records not read, one line each (none when 0).
  void report() const;
  // The records handed over, one line ("N events of 'MAP' were read"): what
  // -q prints instead of the events.
  void report_read() const;

 private:
  static int on_ring(void* self, void* data, size_t size);
  static void on_perf(void* self, int cpu, void* data, uint32_t size);
  static void on_perf_lost(void* self, int cpu, __u64 count);
  int record(const void* data, size_t size);

  std::string map_;
  Say say_;
  ring_buffer* ring_ = nullptr;
  perf_buffer* perf_ = nullptr;
  RecordFn fn_ = nullptr;
  void* ctx_ = nullptr;
  clock::time_point round_end_ = clock::time_point::max();
  unsigned since_clock_ = 0;
  bool yielded_ = false;
  bool discarding_ = false;
  bool busy_ = false;
  uint64_t lost_ = 0, unread_ = 0;
  uint64_t records_ = 0;                   // handed over
  std::shared_ptr<StreamCounts> counts_;   // published to the exporter, when one runs
  void publish();
};

// --- batching the event path (events.cpp) ----------------------------------
// A reader woken for every few records spends its time waking up: after a
// round that read records, the readers let the next ones gather for the
// wake-up batch (--wakeup-batch) before reading again, and buffered output
// is written once a batch of rounds, not once a round.

// The wake-up batch of this process; 0: read at every wake-up.
void set_wakeup_batch(std::chrono::microseconds batch);
std::chrono::microseconds wakeup_batch();
// Sleeps for the wake-up batch (a stop signal cuts it short).
void wait_for_batch();

// When buffered event output is written: after a round that read nothing
// (the stream went idle), or when kLatency has passed since the last write.
class OutputPace {
 public:
  using clock = std::chrono::steady_clock;
  static constexpr std::chrono::milliseconds kLatency{20};
  // Whether to write now; when it says so, the next kLatency starts.
  bool due(bool idle);

 private:
  clock::time_point last_ = clock::now();
};

// --- metrics (metrics_hooks.cpp) -------------------------------------------
// What every run reports to a metrics exporter (docs/metrics.md) when one
// runs, written once here so that the package path, the Wasm host and the
// standalone executables report alike.

// A stream's counts, published by its reader once a round and read by the
// exporter from its own threads.
struct StreamCounts {
  std::atomic<uint64_t> records{0};
  std::atomic<uint64_t> lost{0};
};

class MetricsHooks {
 public:
  virtual ~MetricsHooks() = default;
  // The counts of the stream of map `map` (one object per map name).
  virtual std::shared_ptr<StreamCounts> stream(const std::string& map) = 0;
  // A program attached (each time; the first one starts the exposition).
  virtual void attached() = 0;
};

// The exporter of this process, or null: set while it runs.
void set_metrics_hooks(MetricsHooks* hooks);
MetricsHooks* metrics_hooks();

// --- stopping (stop.cpp) ----------------------------------------------------

// SIGINT and SIGTERM ask a run to stop. Installs the handler and forgets an
// earlier stop.
void catch_stop_signals();
// The signal that asked, 0 while none did.
int stop_signal();
// Set when one did (WasmRunOptions::stop).
const std::atomic<bool>* stop_flag();

// Thrown at a stop point when SIGINT or SIGTERM came before the programs
// were all attached: what was acquired is released as it unwinds, and the
// tool exits with 128 + the signal number, as a shell reports a killed command.
struct Interrupted {
  int sig;
  std::string when;  // "during load", "before attach NAME", ...
};
// Throws Interrupted{stop_signal(), when} after a stop.
void throw_if_stopped(const std::string& when);
// The point before `step` ("load", "attach NAME", "streams"): the step
// hook, then throw_if_stopped("before " + step).
void stop_point(const std::string& step);
// Called at every stop point; only a test build sets one (tests/ecli).
using StepHook = void (*)(const std::string& step);
void set_step_hook(StepHook hook);
// "<tool>: interrupted by SIGINT <when>; nothing is left attached or
// loaded" on stderr; returns the exit code, 128 + the signal.
int report_interrupted(const Interrupted& i);

}  // namespace ecc::runtime
