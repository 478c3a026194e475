// OtlpPusher: a thread that POSTs otlp_json of collect() every interval with
// one libcurl easy handle (kept alive between pushes), retries with
// exponential back-off and counts failures (docs/metrics.md, OTLP retries).
#include <curl/curl.h>

#include <atomic>
#include <cctype>
#include <cstdlib>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <random>
#include <string_view>
#include <thread>

#include "ecc/curl_lib.h"
#include "ecc/error.h"
#include "ecc/otlp.h"
#include "otlp_internal.h"

namespace ecc::metrics {

namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

uint64_t wall_ns() {
  return static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::system_clock::now().time_since_epoch()).count());
}

enum class Outcome {
  pushed,    // 2xx
  retry,     // unreachable, timed out, 429/502/503/504: retried after a back-off
  rejected,  // another status, or collect() threw: tried again at the next interval
};

// What stop() tells the pusher's thread: stop, and be done by `deadline`
// (written before `stopping` is set, read after it is seen).
struct StopSignal {
  std::atomic<bool> stopping{false};
  Clock::time_point deadline;
};

struct Attempt {
  Outcome outcome = Outcome::pushed;
  std::string error;             // why it failed
  milliseconds retry_after{0};  // the server's Retry-After
};

bool retryable(long status) { return status == 429 || status == 502 || status == 503 || status == 504; }

size_t on_body(char*, size_t size, size_t n, void*) { return size * n; }  // the answer is not needed

// Keeps the server's Retry-After (delta-seconds) of the answer.
size_t on_header(char* data, size_t size, size_t n, void* user) {
  std::string_view line(data, size * n);
  constexpr std::string_view kName = "retry-after:";
  if (line.size() > kName.size()) {
    std::string lower;
    for (char c : line.substr(0, kName.size())) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    long seconds = lower == kName ? std::strtol(std::string(line.substr(kName.size())).c_str(), nullptr, 10) : 0;
    if (seconds > 0) *static_cast<milliseconds*>(user) = std::chrono::seconds(seconds);
  }
  return size * n;
}

// One easy handle for the pusher's life, run through the pusher's multi
// handle: the connection is kept between pushes, and stop() can wake a
// transfer that waits (curl_multi_wakeup) to hold it to the stop deadline.
class Http {
 public:
  Http(const OtlpOptions& o, CURLM* multi) : multi_(multi), easy_(curl_lib().easy_init()) {
    for (const auto& [name, value] : o.headers) add_header(name + ": " + value);
    add_header("Content-Type: application/json");
    add_header("Expect:");  // no 100-continue round trip
    if (!easy_) return;
    curl_lib().easy_setopt(easy_, CURLOPT_URL, o.url.c_str());
    curl_lib().easy_setopt(easy_, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_lib().easy_setopt(easy_, CURLOPT_NOSIGNAL, 1L);  // a thread of our own: no SIGALRM for timeouts
    curl_lib().easy_setopt(easy_, CURLOPT_USERAGENT, "ecli/" ECC_VERSION);
    curl_lib().easy_setopt(easy_, CURLOPT_HTTPHEADER, headers_);
    curl_lib().easy_setopt(easy_, CURLOPT_POST, 1L);
    curl_lib().easy_setopt(easy_, CURLOPT_WRITEFUNCTION, on_body);
    curl_lib().easy_setopt(easy_, CURLOPT_HEADERFUNCTION, on_header);
    curl_lib().easy_setopt(easy_, CURLOPT_HEADERDATA, &retry_after_);
  }
  ~Http() {
    if (easy_) curl_lib().easy_cleanup(easy_);
    curl_lib().slist_free_all(headers_);
  }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  // One POST, ended by `timeout` or, once stopping, by the stop deadline.
  Attempt post(const std::string& body, milliseconds timeout, const StopSignal& stop);

 private:
  void add_header(const std::string& h) {
    if (curl_slist* l = curl_lib().slist_append(headers_, h.c_str())) headers_ = l;
  }
  std::optional<CURLcode> transfer(const StopSignal& stop);

  CURLM* multi_;
  CURL* easy_;
  curl_slist* headers_ = nullptr;
  milliseconds retry_after_{0};
};

// The transfer's result, or nothing when it outlived the stop deadline.
std::optional<CURLcode> Http::transfer(const StopSignal& stop) {
  std::optional<CURLcode> result;
  if (curl_lib().multi_add_handle(multi_, easy_) != CURLM_OK) return CURLE_FAILED_INIT;
  int running = 1;
  CURLMcode mc;
  while ((mc = curl_lib().multi_perform(multi_, &running)) == CURLM_OK && running > 0) {
    long wait_ms = 1000;  // libcurl's own timers may end the wait sooner, stop()'s wakeup too
    if (stop.stopping) {
      wait_ms = std::min<long>(wait_ms, std::chrono::ceil<milliseconds>(stop.deadline - Clock::now()).count());
      if (wait_ms <= 0) break;
    }
    curl_lib().multi_poll(multi_, nullptr, 0, static_cast<int>(wait_ms), nullptr);
  }
  if (mc != CURLM_OK) result = CURLE_FAILED_INIT;
  int queued = 0;
  while (CURLMsg* msg = curl_lib().multi_info_read(multi_, &queued))
    if (msg->msg == CURLMSG_DONE && msg->easy_handle == easy_) result = msg->data.result;
  if (!result && running == 0) result = CURLE_FAILED_INIT;  // ended without a result
  curl_lib().multi_remove_handle(multi_, easy_);
  return result;
}

Attempt Http::post(const std::string& body, milliseconds timeout, const StopSignal& stop) {
  if (!easy_ || !multi_) return {Outcome::rejected, "libcurl cannot start"};
  curl_lib().easy_setopt(easy_, CURLOPT_POSTFIELDS, body.c_str());
  curl_lib().easy_setopt(easy_, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
  curl_lib().easy_setopt(easy_, CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  retry_after_ = milliseconds(0);
  const std::optional<CURLcode> rc = transfer(stop);
  if (!rc) return {Outcome::retry, "no answer within the timeout of stopping"};
  if (*rc != CURLE_OK) return {Outcome::retry, curl_lib().easy_strerror(*rc)};
  long status = 0;
  curl_lib().easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status);
  if (status >= 200 && status < 300) return {};
  return {retryable(status) ? Outcome::retry : Outcome::rejected, "HTTP " + std::to_string(status), retry_after_};
}

// The wait before the next push: the interval after a success or a
// non-retryable failure; after retryable ones 1/8 of it, doubling, jittered
// down by up to a quarter, at least the server's Retry-After, at most the
// interval.
class Backoff {
 public:
  explicit Backoff(milliseconds interval) : interval_(interval) {}
  milliseconds after(const Attempt& a) {
    if (a.outcome != Outcome::retry) {
      step_ = milliseconds(0);
      return interval_;
    }
    step_ = step_.count() == 0 ? std::max(interval_ / 8, milliseconds(10)) : step_ * 2;
    step_ = std::min(step_, interval_);
    std::uniform_real_distribution<double> jitter(0.75, 1.0);
    milliseconds wait(static_cast<milliseconds::rep>(static_cast<double>(step_.count()) * jitter(rng_)));
    return std::min(std::max(wait, a.retry_after), interval_);
  }

 private:
  milliseconds interval_;
  milliseconds step_{0};
  std::minstd_rand rng_{std::random_device{}()};
};

}  // namespace

struct OtlpPusher::State {
  OtlpOptions o;
  std::function<std::vector<prometheus::MetricFamily>()> collect;
  uint64_t start_ns = wall_ns();
  std::atomic<uint64_t> pushed{0}, failed{0};
  StopSignal stop;
  mutable std::mutex m;
  std::condition_variable cv;
  std::string last_error;      // under m
  CURLM* multi = nullptr;  // the pusher thread's transfers; woken by stop()
  std::thread thread;

  ~State() {
    if (multi) curl_lib().multi_cleanup(multi);
  }
  void run();
  Attempt push(Http& http, milliseconds timeout);
  bool wait_until(Clock::time_point t) {
    std::unique_lock lock(m);
    cv.wait_until(lock, t, [this] { return stop.stopping.load(); });
    return !stop.stopping;
  }
};

Attempt OtlpPusher::State::push(Http& http, milliseconds timeout) {
  Attempt a;
  try {
    const std::string body = otlp_json(collect(), o, start_ns, wall_ns());
    a = http.post(body, timeout, stop);
  } catch (const std::exception& e) {
    a = {Outcome::rejected, std::string("collecting the metrics failed: ") + e.what()};
  }
  if (a.outcome == Outcome::pushed) {
    ++pushed;
  } else {
    std::lock_guard lock(m);
    last_error = a.error;
    ++failed;
  }
  return a;
}

// Pushes until stop(); a request in flight then may finish by the stop
// deadline, and the last push gets what is left of it. When nothing is left
// (the request in flight took it all, and failed if it did not finish)
// there is no last push.
void OtlpPusher::State::run() {
  Http http(o, multi);
  Backoff backoff(o.interval);
  Clock::time_point next = Clock::now() + o.interval;
  while (wait_until(next)) next = Clock::now() + backoff.after(push(http, o.timeout));
  const auto left = std::chrono::duration_cast<milliseconds>(stop.deadline - Clock::now());
  if (left.count() > 0) push(http, left);
}

OtlpPusher::OtlpPusher(OtlpOptions o, std::function<std::vector<prometheus::MetricFamily>()> collect)
    : s_(std::make_unique<State>()) {
  if (o.url.empty()) throw Error(Exit::usage, "no OTLP endpoint URL", "--otlp");
  if (o.interval.count() <= 0 || o.timeout.count() <= 0)
    throw Error(Exit::usage, "the OTLP push interval and timeout must be positive", "--otlp");
  for (const auto& [name, value] : o.headers) check_header(name, value, "--otlp");
  // libcurl is loaded (and curl_global_init run) here, on the caller's
  // thread, the first time: a run with --metrics only never maps it.
  s_->multi = curl_lib().multi_init();
  s_->o = std::move(o);
  s_->collect = std::move(collect);
}

OtlpPusher::~OtlpPusher() { stop(); }

void OtlpPusher::start() {
  if (s_->thread.joinable() || s_->stop.stopping) return;
  s_->thread = std::thread([s = s_.get()] { s->run(); });
}

void OtlpPusher::stop() {
  if (!s_->thread.joinable()) return;
  {
    std::lock_guard lock(s_->m);
    s_->stop.deadline = Clock::now() + s_->o.timeout;
    s_->stop.stopping = true;
  }
  s_->cv.notify_all();
  if (s_->multi) curl_lib().multi_wakeup(s_->multi);  // a transfer in flight looks at the deadline
  s_->thread.join();
}

uint64_t OtlpPusher::pushed() const { return s_->pushed; }

uint64_t OtlpPusher::failed() const { return s_->failed; }

std::string OtlpPusher::last_error() const {
  std::lock_guard lock(s_->m);
  return s_->last_error;
}

prometheus::MetricFamily OtlpPusher::failure_family() const {
  prometheus::MetricFamily f;
  f.name = "ecli_otlp_push_failures_total";
  f.help = "OTLP pushes that failed: unreachable endpoint, non-2xx status or timeout";
  f.type = prometheus::MetricType::Counter;
  prometheus::ClientMetric m;
  m.counter.value = static_cast<double>(failed());
  f.metric.push_back(m);
  return f;
}

}  // namespace ecc::metrics
