#include "guest.h"

#include <cstdio>
#include <ctime>
#include <unistd.h>

#include "thread_slices.h"

namespace ecc::wasmhost {

Guest::Guest(wi::Store& store, const WasmRunOptions& opts) : store_(store), opts_(opts) { start_clock(); }

void Guest::start_clock() {
  if (opts_.duration > 0)
    deadline_ = std::chrono::steady_clock::now() +
                std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                    std::chrono::duration<double>(opts_.duration));
}

std::optional<std::string_view> Guest::cstr(uint64_t off) {
  uint64_t size = module_->memory_size();
  if (off >= size) return std::nullopt;
  const char* s = reinterpret_cast<const char*>(module_->memory_data() + off);
  const void* nul = std::memchr(s, 0, size - off);
  if (!nul) return std::nullopt;
  return std::string_view(s, static_cast<const char*>(nul) - s);
}

bool Guest::should_stop() const {
  if (opts_.stop && opts_.stop->load(std::memory_order_relaxed)) return true;
  if (!deadline_) return false;
  // Asked once a record: the coarse clock (steady_clock's epoch, a tick
  // behind at most) reads a stored time, where steady_clock::now() took
  // 5% of an AOT app's time on the flood bench.
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
  auto now = std::chrono::steady_clock::time_point(std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec));
  return now >= *deadline_;
}

std::chrono::milliseconds Guest::wait_budget(std::chrono::milliseconds cap) const {
  if (!deadline_) return cap;
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(*deadline_ - std::chrono::steady_clock::now());
  if (left.count() < 0) return std::chrono::milliseconds(0);
  return std::min(cap, left);
}

wi::RunResult Guest::call(const wi::Func::Ptr& func, const wi::Values& params, wi::Values& results,
                          wi::Trap::Ptr* trap) {
  auto* defined = wabt::dyn_cast<wi::DefinedFunc>(func.get());
  if (!defined) {
    // A host function placed in the table: nothing to slice.
    return wabt::Failed(func->Call(*thread_, params, results, trap)) ? wi::RunResult::Trap : wi::RunResult::Return;
  }
  wi::RunResult r = push_call(*thread_, *defined, params, trap);
  if (r != wi::RunResult::Ok) return r;
  const int slice = opts_.slice > 0 ? opts_.slice : 200000;
  for (;;) {
    r = thread_->Run(slice, trap);
    if (r == wi::RunResult::Return) {
      pop_results(*thread_, defined->type(), &results);
      return r;
    }
    if (r != wi::RunResult::Ok) return r;
    if (should_stop()) {
      halt(Halt::stop, trap);
      return wi::RunResult::Trap;
    }
  }
}

Result Guest::halt(Halt why, wi::Trap::Ptr* trap, std::string message, int code) {
  // The first reason wins: a trap inside a callback stays the reason even
  // though it unwinds through the outer calls as a trap too.
  if (halt_ == Halt::none) {
    halt_ = why;
    exit_code_ = code;
    halt_message_ = std::move(message);
  }
  *trap = wi::Trap::New(store_, "ecc-wasmhost: run halted");
  return Result::Error;
}

void Guest::write_out(int fd, std::string_view text) {
  const auto& sink = fd == 1 ? opts_.out : opts_.err;
  if (sink) {
    sink(text);
    return;
  }
  if (fd == 1) {
    out_buf_.append(text);
    if (out_buf_.size() >= 65536) flush_out();
    return;
  }
  flush_out();
  std::fwrite(text.data(), 1, text.size(), stderr);
  std::fflush(stderr);
}

void Guest::flush_out() {
  if (out_buf_.empty()) return;
  std::fwrite(out_buf_.data(), 1, out_buf_.size(), stdout);
  std::fflush(stdout);
  out_buf_.clear();
}

}  // namespace ecc::wasmhost
