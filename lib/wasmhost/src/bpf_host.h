// The `wasm_bpf` host module of SPEC §8 on libbpf. Handles and map fds are
// this module's own: every call checks them against what this host loaded,
// so a guest can never reach a descriptor the process opened for anything
// else. Bad pointers or lengths answer -EFAULT (handle 0 for a load).
#pragma once

#include <bpf/libbpf.h>

#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <vector>

#include "guest.h"

namespace ecc::wasmhost {

class BpfHost {
 public:
  explicit BpfHost(Guest& guest);
  ~BpfHost();
  BpfHost(const BpfHost&) = delete;
  BpfHost& operator=(const BpfHost&) = delete;

  HostFuncs funcs();

 private:
  struct Object;
  struct MapRef {
    Object* owner;
    uint32_t key_size;
    uint32_t value_size;  // per-CPU maps: all CPUs' values
    uint32_t type;
  };
  struct Reader {
    ring_buffer* ring = nullptr;
    perf_buffer* perf = nullptr;
  };
  struct Object {
    std::vector<uint8_t> image;  // libbpf reads the ELF from here while it opens
    bpf_object* obj = nullptr;
    std::vector<bpf_link*> links;
    std::unordered_map<int, Reader> readers;  // by map fd, built on first poll
    std::vector<int> map_fds;
  };
  // The poll in progress: where each record goes.
  struct Round {
    wi::Func::Ptr func;
    uint32_t ctx = 0, data_ptr = 0, max_size = 0;
    int32_t stopped_with = 0;  // the callback's non-zero return
    bool stopped = false;
    bool halted = false;  // the run ends (trap in the callback, stop)
    wi::Trap::Ptr trap;
    wi::Values params = wi::Values(3), results = wi::Values(1);
  };

  int64_t load(uint32_t ptr, uint32_t len);
  int32_t attach(int64_t handle, uint32_t name_ptr, uint32_t target_ptr);
  int32_t poll(int64_t handle, int32_t map_fd, uint32_t func, uint32_t ctx, uint32_t data, uint32_t max, int32_t timeout,
               wi::Trap::Ptr* trap, bool* halt);
  int32_t map_fd_by_name(int64_t handle, uint32_t name_ptr);
  int32_t map_operate(int32_t fd, int32_t cmd, uint32_t key, uint32_t value, uint32_t next_key, uint64_t flags);
  int32_t close(int64_t handle);

  Object* find(int64_t handle);
  int reader_for(Object& o, int map_fd, Reader** out);
  int deliver(const void* data, size_t size);
  void destroy(Object& o);
  static int on_ring(void* self, void* data, size_t size);
  static void on_perf(void* self, int cpu, void* data, uint32_t size);

  Guest& g_;
  std::map<int64_t, std::unique_ptr<Object>> objects_;
  std::unordered_map<int, MapRef> maps_;  // every map fd of a live object
  int64_t next_handle_ = 1;
  Object* polling_ = nullptr;
  Round round_;
  wi::FuncType callback_type_;
};

}  // namespace ecc::wasmhost
