// The readers of ring buffers and perf event arrays (runtime.h).
#include <time.h>

#include <atomic>
#include <cerrno>

#include "ecc/runtime.h"
#include "ecc/tool_name.h"

namespace ecc::runtime {

namespace {

// A ring buffer callback's negative return ends ring_buffer__consume/poll
// after that record; the rest stays in the ring for the next round.
constexpr int kRoundOver = -ECANCELED;

// 1 ms: at a million records a second, a round of about a thousand, while
// a 16 MiB ring (or a perf buffer's 64 pages a CPU) holds several times that.
std::atomic<int64_t> batch_us{1000};

}  // namespace

void set_wakeup_batch(std::chrono::microseconds batch) { batch_us.store(batch.count(), std::memory_order_relaxed); }

std::chrono::microseconds wakeup_batch() { return std::chrono::microseconds(batch_us.load(std::memory_order_relaxed)); }

void wait_for_batch() {
  int64_t us = batch_us.load(std::memory_order_relaxed);
  if (us <= 0 || stop_signal()) return;
  timespec ts{static_cast<time_t>(us / 1000000), static_cast<long>(us % 1000000) * 1000};
  nanosleep(&ts, nullptr);  // EINTR: a signal, perhaps the stop
}

bool OutputPace::due(bool idle) {
  auto now = clock::now();
  if (!idle && now - last_ < kLatency) return false;
  last_ = now;
  return true;
}

EventReader::~EventReader() {
  if (ring_) ring_buffer__free(ring_);
  if (perf_) perf_buffer__free(perf_);
}

int EventReader::open(int map_fd, bool ring, RecordFn fn, void* ctx) {
  fn_ = fn;
  ctx_ = ctx;
  if (MetricsHooks* m = metrics_hooks()) counts_ = m->stream(map_);
  if (ring)
    ring_ = ring_buffer__new(map_fd, on_ring, this, nullptr);
  else
    perf_ = perf_buffer__new(map_fd, 64, on_perf, on_perf_lost, this, nullptr);
  return ring_ || perf_ ? 0 : -errno;
}

int EventReader::epoll_fd() const { return ring_ ? ring_buffer__epoll_fd(ring_) : perf_buffer__epoll_fd(perf_); }

// A perf buffer round is bounded by itself: libbpf reads each CPU's buffer
// up to the head it saw when the round began.
int EventReader::poll(int wait_ms, clock::time_point round_end) {
  round_end_ = round_end;
  since_clock_ = 0;
  yielded_ = false;
  if (busy_) wait_for_batch();
  int n = ring_ ? ring_buffer__poll(ring_, wait_ms) : perf_buffer__poll(perf_, wait_ms);
  busy_ = n > 0 && !yielded_;
  publish();
  return n;
}

// Once a round: one store per count, not one per record.
void EventReader::publish() {
  if (!counts_) return;
  counts_->records.store(records_, std::memory_order_relaxed);
  counts_->lost.store(lost_, std::memory_order_relaxed);
}

int EventReader::consume(clock::time_point round_end) {
  round_end_ = round_end;
  since_clock_ = 0;
  yielded_ = false;
  int n = ring_ ? ring_buffer__consume(ring_) : perf_buffer__consume(perf_);
  publish();
  return n;
}

void EventReader::discard_rest() {
  discarding_ = true;
  consume();
  discarding_ = false;
}

int EventReader::record(const void* data, size_t size) {
  if (discarding_) return ++unread_, 0;
  ++records_;
  if (int r = fn_(ctx_, data, size)) return r;
  // A ring_buffer__consume() keeps reading while producers keep writing:
  // the clock every 256 records ends the round at its budget.
  if (!ring_ || round_end_ == clock::time_point::max() || ++since_clock_ < 256) return 0;
  since_clock_ = 0;
  if (clock::now() < round_end_) return 0;
  yielded_ = true;
  return kRoundOver;
}

int EventReader::on_ring(void* self, void* data, size_t size) {
  return static_cast<EventReader*>(self)->record(data, size);
}

void EventReader::on_perf(void* self, int, void* data, uint32_t size) {
  static_cast<EventReader*>(self)->record(data, size);
}

void EventReader::on_perf_lost(void* self, int cpu, __u64 count) {
  auto& r = *static_cast<EventReader*>(self);
  r.lost_ += count;
  r.say_(tool_name() + ": lost " + std::to_string(count) + " events of '" + r.map_ + "' on CPU " +
         std::to_string(cpu) + "\n");
}

void EventReader::report_read() const {
  say_(tool_name() + ": " + std::to_string(records_) + " events of '" + map_ + "' were read\n");
}

void EventReader::report() const {
  if (lost_)
    say_(tool_name() + ": " + std::to_string(lost_) + " events of '" + map_ +
         "' were lost (the perf buffer overflowed)\n");
  if (unread_)
    say_(tool_name() + ": " + std::to_string(unread_) + " events of '" + map_ +
         "' were not read before the object closed\n");
}

}  // namespace ecc::runtime
