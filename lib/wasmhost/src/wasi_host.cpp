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

uint32_t u32(const wi::Values& p, size_t i) { return p[i].Get<uint32_t>(); }

// A host function whose single i32 result is a WASI errno.
template <typename F>
wi::HostFunc::Ptr errno_func(wi::Store& s, wi::FuncType type, F body) {
  return wi::HostFunc::New(s, std::move(type),
                           [body](wi::Thread&, const wi::Values& p, wi::Values& r, wi::Trap::Ptr* trap) -> Result {
                             uint32_t e = 0;
                             Result res = body(p, &e, trap);
                             if (wabt::Succeeded(res)) set(r, e);
                             return res;
                           });
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

HostFuncs WasiHost::funcs() {
  wi::Store& s = g_.store();
  Guest& g = g_;
  HostFuncs f;
  using P = const wi::Values&;
  using T = wi::Trap::Ptr*;

  // Strings laid out as argv pointers + one buffer of NUL-terminated strings.
  auto strings_get = [&g](const std::vector<std::string>& list, uint32_t ptrs, uint32_t buf) {
    uint64_t need = 0;
    for (const auto& a : list) need += a.size() + 1;
    if (!g.ptr(ptrs, 4ull * list.size()) || !g.ptr(buf, need)) return kFault;
    uint32_t at = buf;
    for (size_t i = 0; i < list.size(); i++) {
      g.store<uint32_t>(ptrs + 4 * i, at);
      std::memcpy(g.ptr(at, list[i].size() + 1), list[i].c_str(), list[i].size() + 1);
      at += list[i].size() + 1;
    }
    return kOk;
  };
  auto sizes_get = [&g](const std::vector<std::string>& list, uint32_t count_ptr, uint32_t size_ptr) {
    uint32_t bytes = 0;
    for (const auto& a : list) bytes += a.size() + 1;
    if (!g.ptr(count_ptr, 4) || !g.ptr(size_ptr, 4)) return kFault;
    g.store<uint32_t>(count_ptr, list.size());
    g.store<uint32_t>(size_ptr, bytes);
    return kOk;
  };
  static const std::vector<std::string> kNoEnv;

  f["args_get"] = errno_func(s, func_type({I32, I32}, {I32}), [this, strings_get](P p, uint32_t* e, T) {
    *e = strings_get(argv_, u32(p, 0), u32(p, 1));
    return Result::Ok;
  });
  f["args_sizes_get"] = errno_func(s, func_type({I32, I32}, {I32}), [this, sizes_get](P p, uint32_t* e, T) {
    *e = sizes_get(argv_, u32(p, 0), u32(p, 1));
    return Result::Ok;
  });
  f["environ_get"] = errno_func(s, func_type({I32, I32}, {I32}), [strings_get](P p, uint32_t* e, T) {
    *e = strings_get(kNoEnv, u32(p, 0), u32(p, 1));
    return Result::Ok;
  });
  f["environ_sizes_get"] = errno_func(s, func_type({I32, I32}, {I32}), [sizes_get](P p, uint32_t* e, T) {
    *e = sizes_get(kNoEnv, u32(p, 0), u32(p, 1));
    return Result::Ok;
  });

  // fd_write(fd, iovs, iovs_len, nwritten): stdout and stderr only. Every
  // iovec is checked before any byte is written.
  f["fd_write"] = errno_func(s, func_type({I32, I32, I32, I32}, {I32}), [&g](P p, uint32_t* e, T) {
    uint32_t fd = u32(p, 0), iovs = u32(p, 1), n = u32(p, 2), out = u32(p, 3);
    if (fd != 1 && fd != 2) return *e = kBadf, Result::Ok;
    if (!g.ptr(iovs, 8ull * n) || !g.ptr(out, 4)) return *e = kFault, Result::Ok;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t base = 0, len = 0;
      g.load(iovs + 8ull * i, &base);
      g.load(iovs + 8ull * i + 4, &len);
      if (!g.ptr(base, len)) return *e = kFault, Result::Ok;
      total += len;
    }
    for (uint32_t i = 0; i < n; i++) {
      uint32_t base = 0, len = 0;
      g.load(iovs + 8ull * i, &base);
      g.load(iovs + 8ull * i + 4, &len);
      if (len) g.write_out(fd, std::string_view(reinterpret_cast<const char*>(g.ptr(base, len)), len));
    }
    g.store<uint32_t>(out, static_cast<uint32_t>(total));
    return *e = kOk, Result::Ok;
  });

  // fd_read(0, iovs, iovs_len, nread): one read(2) per iovec until a short one.
  f["fd_read"] = errno_func(s, func_type({I32, I32, I32, I32}, {I32}), [&g](P p, uint32_t* e, T) {
    uint32_t fd = u32(p, 0), iovs = u32(p, 1), n = u32(p, 2), out = u32(p, 3);
    if (fd != 0) return *e = kBadf, Result::Ok;
    if (!g.ptr(iovs, 8ull * n) || !g.ptr(out, 4)) return *e = kFault, Result::Ok;
    uint64_t total = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint32_t base = 0, len = 0;
      g.load(iovs + 8ull * i, &base);
      g.load(iovs + 8ull * i + 4, &len);
      uint8_t* dst = g.ptr(base, len);
      if (!dst) return *e = kFault, Result::Ok;
      ssize_t got = ::read(0, dst, len);
      if (got < 0) return *e = (total ? kOk : kIo), Result::Ok;
      total += got;
      if (static_cast<uint32_t>(got) < len) break;
    }
    g.store<uint32_t>(out, static_cast<uint32_t>(total));
    return *e = kOk, Result::Ok;
  });

  // fd_fdstat_get: stdio are character devices without seek/tell rights, so
  // wasi-libc line-buffers stdout and events appear as they happen.
  f["fd_fdstat_get"] = errno_func(s, func_type({I32, I32}, {I32}), [&g](P p, uint32_t* e, T) {
    uint32_t fd = u32(p, 0), out = u32(p, 1);
    if (fd > 2) return *e = kBadf, Result::Ok;
    uint8_t* st = g.ptr(out, 24);
    if (!st) return *e = kFault, Result::Ok;
    std::memset(st, 0, 24);
    st[0] = kCharDevice;
    // rights: fd_read (1<<1) for stdin, fd_write (1<<6) for stdout/stderr.
    uint64_t rights = fd == 0 ? (1ull << 1) : (1ull << 6);
    std::memcpy(st + 8, &rights, 8);
    return *e = kOk, Result::Ok;
  });
  f["fd_seek"] = errno_func(s, func_type({I32, I64, I32, I32}, {I32}), [](P p, uint32_t* e, T) {
    *e = u32(p, 0) <= 2 ? kSpipe : kBadf;
    return Result::Ok;
  });
  f["fd_close"] = errno_func(s, func_type({I32}, {I32}), [](P p, uint32_t* e, T) {
    *e = u32(p, 0) <= 2 ? kOk : kBadf;
    return Result::Ok;
  });
  // No preopened directories: the probe loop of wasi-libc ends at fd 3.
  f["fd_prestat_get"] = errno_func(s, func_type({I32, I32}, {I32}), [](P, uint32_t* e, T) {
    *e = kBadf;
    return Result::Ok;
  });
  f["fd_prestat_dir_name"] = errno_func(s, func_type({I32, I32, I32}, {I32}), [](P, uint32_t* e, T) {
    *e = kBadf;
    return Result::Ok;
  });

  f["clock_time_get"] = errno_func(s, func_type({I32, I64, I32}, {I32}), [&g](P p, uint32_t* e, T) {
    static const clockid_t ids[] = {CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID};
    uint32_t id = u32(p, 0), out = u32(p, 2);
    if (id >= 4) return *e = kInval, Result::Ok;
    if (!g.ptr(out, 8)) return *e = kFault, Result::Ok;
    timespec ts{};
    clock_gettime(ids[id], &ts);
    g.store<uint64_t>(out, uint64_t(ts.tv_sec) * 1000000000ull + ts.tv_nsec);
    return *e = kOk, Result::Ok;
  });

  // poll_oneoff(in, out, nsubscriptions, nevents): clock subscriptions only,
  // as a sleep for the shortest one, cut short by stop or the deadline.
  f["poll_oneoff"] = errno_func(s, func_type({I32, I32, I32, I32}, {I32}), [&g](P p, uint32_t* e, T trap) -> Result {
    uint32_t in = u32(p, 0), out = u32(p, 1), n = u32(p, 2), nevents = u32(p, 3);
    if (n == 0) return *e = kInval, Result::Ok;
    if (!g.ptr(in, 48ull * n) || !g.ptr(out, 32ull * n) || !g.ptr(nevents, 4)) return *e = kFault, Result::Ok;
    uint64_t shortest = UINT64_MAX;
    uint32_t which = 0;
    for (uint32_t i = 0; i < n; i++) {
      uint8_t tag = 0;
      uint16_t flags = 0;
      uint64_t timeout = 0;
      uint32_t clock = 0;
      g.load(in + 48ull * i + 8, &tag);
      if (tag != kEventClock) return *e = kNosys, Result::Ok;
      g.load(in + 48ull * i + 16, &clock);
      g.load(in + 48ull * i + 24, &timeout);
      g.load(in + 48ull * i + 40, &flags);
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
      if (g.should_stop()) return g.halt(Halt::stop, trap);
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      std::this_thread::sleep_for(std::min(left + std::chrono::milliseconds(1), g.wait_budget(std::chrono::milliseconds(50))));
    }
    uint8_t* ev = g.ptr(out, 32);
    std::memset(ev, 0, 32);
    std::memcpy(ev, g.ptr(in + 48ull * which, 8), 8);  // userdata
    ev[10] = kEventClock;
    g.store<uint32_t>(nevents, 1);
    return *e = kOk, Result::Ok;
  });

  f["random_get"] = errno_func(s, func_type({I32, I32}, {I32}), [&g](P p, uint32_t* e, T) {
    uint8_t* dst = g.ptr(u32(p, 0), u32(p, 1));
    if (!dst) return *e = kFault, Result::Ok;
    for (uint32_t done = 0, len = u32(p, 1); done < len;) {
      ssize_t got = getrandom(dst + done, len - done, 0);
      if (got < 0 && errno != EINTR) return *e = kIo, Result::Ok;
      if (got > 0) done += got;
    }
    return *e = kOk, Result::Ok;
  });
  f["sched_yield"] = errno_func(s, func_type({}, {I32}), [](P, uint32_t* e, T) {
    std::this_thread::yield();
    return *e = kOk, Result::Ok;
  });
  f["proc_exit"] = wi::HostFunc::New(s, func_type({I32}, {}), [&g](wi::Thread&, P p, wi::Values&, T trap) {
    return g.halt(Halt::exit, trap, {}, static_cast<int>(u32(p, 0)));
  });
  return f;
}

}  // namespace ecc::wasmhost
