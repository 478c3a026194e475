#include "wasi_host.h"

#include <poll.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

namespace ecc::wasmhost {
namespace {

// WASI errno values (preview1).
constexpr uint32_t kOk = 0, kBadf = 8, kFault = 21, kInval = 28, kIo = 29, kNosys = 52, kSpipe = 70;
constexpr uint8_t kCharDevice = 2;
constexpr uint8_t kEventClock = 0;

wi::Values& set(wi::Values& results, uint32_t v) {
  results[0] = wi::Value::Make(v);
  return results;
}


// Entry i of the iovec array at `iovs` (the array bounds-checked before).
struct IoVec {
  uint32_t base = 0, len = 0;
};
IoVec iovec_at(Guest& g, uint32_t iovs, uint32_t i) {
  IoVec v;
  g.load(iovs + 8ull * i, &v.base);
  g.load(iovs + 8ull * i + 4, &v.len);
  return v;
}

const Type I32 = Type::I32, I64 = Type::I64;

}  // namespace

wi::HostFunc::Ptr WasiHost::nosys(const wi::FuncType& type) {
  bool errno_result = type.results.size() == 1 && type.results[0] == I32;
  return wi::HostFunc::New(g_.store(), type, [errno_result](wi::Thread&, const wi::Values&, wi::Values& r, wi::Trap::Ptr*) {
    if (errno_result) set(r, kNosys);
    else
      for (auto& v : r) v = wi::Value{};
    return Result::Ok;
  });
}

uint32_t WasiHost::strings_get(const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf) {
  uint64_t need = 0;
  for (const auto& a : list) need += a.size() + 1;
  if (!g_.ptr(ptrs, 4ull * list.size()) || !g_.ptr(buf, need)) return kFault;
  uint32_t at = buf;
  for (size_t i = 0; i < list.size(); i++) {
    g_.store<uint32_t>(ptrs + 4 * i, at);
    std::memcpy(g_.ptr(at, list[i].size() + 1), list[i].c_str(), list[i].size() + 1);
    at += list[i].size() + 1;
  }
  return kOk;
}

uint32_t WasiHost::sizes_get(const std::vector<std::string>& list, uint32_t count_ptr, uint32_t size_ptr) {
  uint32_t bytes = 0;
  for (const auto& a : list) bytes += a.size() + 1;
  if (!g_.ptr(count_ptr, 4) || !g_.ptr(size_ptr, 4)) return kFault;
  g_.store<uint32_t>(count_ptr, list.size());
  g_.store<uint32_t>(size_ptr, bytes);
  return kOk;
}

uint32_t WasiHost::args_get(Params p) { return strings_get(argv_, arg_u32(p, 0), arg_u32(p, 1)); }
uint32_t WasiHost::args_sizes_get(Params p) { return sizes_get(argv_, arg_u32(p, 0), arg_u32(p, 1)); }
uint32_t WasiHost::environ_get(Params p) { return strings_get(environ_, arg_u32(p, 0), arg_u32(p, 1)); }
uint32_t WasiHost::environ_sizes_get(Params p) { return sizes_get(environ_, arg_u32(p, 0), arg_u32(p, 1)); }

// fd_write(fd, iovs, iovs_len, nwritten): stdout and stderr only. Every
// iovec is checked before any byte is written.
uint32_t WasiHost::fd_write(Params p) {
  uint32_t fd = arg_u32(p, 0), iovs = arg_u32(p, 1), n = arg_u32(p, 2), out = arg_u32(p, 3);
  if (fd != 1 && fd != 2) return kBadf;
  if (!g_.ptr(iovs, 8ull * n) || !g_.ptr(out, 4)) return kFault;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    IoVec v = iovec_at(g_, iovs, i);
    if (!g_.ptr(v.base, v.len)) return kFault;
    total += v.len;
  }
  for (uint32_t i = 0; i < n; i++) {
    IoVec v = iovec_at(g_, iovs, i);
    if (v.len) g_.write_out(fd, std::string_view(reinterpret_cast<const char*>(g_.ptr(v.base, v.len)), v.len));
  }
  g_.store<uint32_t>(out, static_cast<uint32_t>(total));
  return kOk;
}

// fd_read(0, iovs, iovs_len, nread): one read(2) per iovec until a short one.
uint32_t WasiHost::fd_read(Params p) {
  g_.flush_out();
  uint32_t fd = arg_u32(p, 0), iovs = arg_u32(p, 1), n = arg_u32(p, 2), out = arg_u32(p, 3);
  if (fd != 0) return kBadf;
  if (!g_.ptr(iovs, 8ull * n) || !g_.ptr(out, 4)) return kFault;
  uint64_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    IoVec v = iovec_at(g_, iovs, i);
    uint8_t* dst = g_.ptr(v.base, v.len);
    if (!dst) return kFault;
    ssize_t got = ::read(0, dst, v.len);
    if (got < 0) return total ? kOk : kIo;
    total += got;
    if (static_cast<uint32_t>(got) < v.len) break;
  }
  g_.store<uint32_t>(out, static_cast<uint32_t>(total));
  return kOk;
}

// fd_fdstat_get: stdio are character devices without seek/tell rights, so
// wasi-libc line-buffers stdout and events appear as they happen.
uint32_t WasiHost::fd_fdstat_get(Params p) {
  uint32_t fd = arg_u32(p, 0), out = arg_u32(p, 1);
  if (fd > 2) return kBadf;
  uint8_t* st = g_.ptr(out, 24);
  if (!st) return kFault;
  std::memset(st, 0, 24);
  st[0] = kCharDevice;
  // rights: fd_read (1<<1) for stdin, fd_write (1<<6) for stdout/stderr.
  uint64_t rights = fd == 0 ? (1ull << 1) : (1ull << 6);
  std::memcpy(st + 8, &rights, 8);
  return kOk;
}

uint32_t WasiHost::fd_seek(Params p) { return arg_u32(p, 0) <= 2 ? kSpipe : kBadf; }
uint32_t WasiHost::fd_close(Params p) { return arg_u32(p, 0) <= 2 ? kOk : kBadf; }
// No preopened directories: the probe loop of wasi-libc ends at fd 3.
uint32_t WasiHost::fd_prestat_get(Params) { return kBadf; }
uint32_t WasiHost::fd_prestat_dir_name(Params) { return kBadf; }

uint32_t WasiHost::clock_time_get(Params p) {
  static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
  uint32_t id = arg_u32(p, 0), out = arg_u32(p, 2);
  if (id >= 4) return kInval;
  if (!g_.ptr(out, 8)) return kFault;
  timespec ts{};
  clock_gettime(ids[id], &ts);
  g_.store<uint64_t>(out, uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec);
  return kOk;
}

uint32_t WasiHost::random_get(Params p) {
  uint8_t* dst = g_.ptr(arg_u32(p, 0), arg_u32(p, 1));
  if (!dst) return kFault;
  for (uint32_t done = 0, len = arg_u32(p, 1); done < len;) {
    ssize_t got = getrandom(dst + done, len - done, 0);
    if (got < 0 && errno != EINTR) return kIo;
    if (got > 0) done += got;
  }
  return kOk;
}

uint32_t WasiHost::sched_yield(Params) {
  std::this_thread::yield();
  return kOk;
}

// poll_oneoff(in, out, nsubscriptions, nevents): clock subscriptions only,
// as a sleep for the shortest one, cut short by stop or the deadline.
Result WasiHost::poll_oneoff(Params p, uint32_t* e, wi::Trap::Ptr* trap) {
  uint32_t in = arg_u32(p, 0), out = arg_u32(p, 1), n = arg_u32(p, 2), nevents = arg_u32(p, 3);
  g_.flush_out();
  if (n == 0) return *e = kInval, Result::Ok;
  if (!g_.ptr(in, 48ull * n) || !g_.ptr(out, 32ull * n) || !g_.ptr(nevents, 4)) return *e = kFault, Result::Ok;
  uint64_t shortest = UINT64_MAX;
  uint32_t which = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t tag = 0;
    uint16_t flags = 0;
    uint64_t timeout = 0;
    uint32_t clock = 0;
    g_.load(in + 48ull * i + 8, &tag);
    if (tag != kEventClock) return *e = kNosys, Result::Ok;
    g_.load(in + 48ull * i + 16, &clock);
    g_.load(in + 48ull * i + 24, &timeout);
    g_.load(in + 48ull * i + 40, &flags);
    if (flags & 1) {  // absolute time on `clock`
      timespec now{};
      clock_gettime(clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &now);
      uint64_t t = uint64_t(now.tv_sec) * 1000000000ull + now.tv_nsec;
      timeout = timeout > t ? timeout - t : 0;
    }
    if (timeout < shortest) shortest = timeout, which = i;
  }
  auto until = std::chrono::steady_clock::now() + std::chrono::nanoseconds(shortest);
  while (std::chrono::steady_clock::now() < until) {
    if (g_.should_stop()) return g_.halt(Halt::stop, trap);
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    std::this_thread::sleep_for(
        std::min(left + std::chrono::milliseconds(1), g_.wait_budget(std::chrono::milliseconds(50))));
  }
  uint8_t* ev = g_.ptr(out, 32);
  std::memset(ev, 0, 32);
  std::memcpy(ev, g_.ptr(in + 48ull * which, 8), 8);  // userdata
  ev[10] = kEventClock;
  g_.store<uint32_t>(nevents, 1);
  return *e = kOk, Result::Ok;
}

Result WasiHost::proc_exit(Params p, wi::Trap::Ptr* trap) {
  g_.flush_out();
  return g_.halt(Halt::exit, trap, {}, static_cast<int>(arg_u32(p, 0)));
}

HostFuncs WasiHost::funcs() {
  wi::Store& s = g_.store();
  HostFuncs f;
  using R = wi::Values&;
  using T = wi::Trap::Ptr*;
  auto bind = [&](const char* name, wi::FuncType type, uint32_t (WasiHost::*call)(Params)) {
    f[name] = wi::HostFunc::New(s, std::move(type), [this, call](wi::Thread&, Params p, R r, T) {
      set(r, (this->*call)(p));
      return Result::Ok;
    });
  };
  bind("args_get", func_type({I32, I32}, {I32}), &WasiHost::args_get);
  bind("args_sizes_get", func_type({I32, I32}, {I32}), &WasiHost::args_sizes_get);
  bind("environ_get", func_type({I32, I32}, {I32}), &WasiHost::environ_get);
  bind("environ_sizes_get", func_type({I32, I32}, {I32}), &WasiHost::environ_sizes_get);
  bind("fd_write", func_type({I32, I32, I32, I32}, {I32}), &WasiHost::fd_write);
  bind("fd_read", func_type({I32, I32, I32, I32}, {I32}), &WasiHost::fd_read);
  bind("fd_fdstat_get", func_type({I32, I32}, {I32}), &WasiHost::fd_fdstat_get);
  bind("fd_seek", func_type({I32, I64, I32, I32}, {I32}), &WasiHost::fd_seek);
  bind("fd_close", func_type({I32}, {I32}), &WasiHost::fd_close);
  bind("fd_prestat_get", func_type({I32, I32}, {I32}), &WasiHost::fd_prestat_get);
  bind("fd_prestat_dir_name", func_type({I32, I32, I32}, {I32}), &WasiHost::fd_prestat_dir_name);
  bind("clock_time_get", func_type({I32, I64, I32}, {I32}), &WasiHost::clock_time_get);
  bind("random_get", func_type({I32, I32}, {I32}), &WasiHost::random_get);
  bind("sched_yield", func_type({}, {I32}), &WasiHost::sched_yield);
  f["poll_oneoff"] = wi::HostFunc::New(s, func_type({I32, I32, I32, I32}, {I32}), [this](wi::Thread&, Params p, R r, T t) {
    uint32_t e = 0;
    Result res = poll_oneoff(p, &e, t);
    if (wabt::Succeeded(res)) set(r, e);
    return res;
  });
  f["proc_exit"] = wi::HostFunc::New(s, func_type({I32}, {}),
                                     [this](wi::Thread&, Params p, R, T t) { return proc_exit(p, t); });
  return f;
}

}  // namespace ecc::wasmhost
