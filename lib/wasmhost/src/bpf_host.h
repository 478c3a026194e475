// The `wasm_bpf` host module in docs/wasm-host-abi.md on libbpf. Handles and map fds are
// this module's own: every call checks them against what this host loaded,
// so a guest can never reach a descriptor the process opened for anything
// else. Bad pointers or lengths answer -EFAULT (handle 0 for a load).
//
// The imports, their wasm types and the map commands come from the guest
// SDK's wasm_bpf_abi.h: one member function per import, of the same name.
// Also the `callback-wrapper.wasm_bpf_buffer_poll` of wasm-bpf's Go SDK,
// whose records go to the module's exported `go-callback`.
#pragma once

#include <bpf/libbpf.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "ecc/runtime.h"
#include "guest.h"
#include "wasm_bpf_abi.h"

namespace ecc::wasmhost {

class BpfHost {
 public:
  explicit BpfHost(Guest& guest);
  ~BpfHost();
  BpfHost(const BpfHost&) = delete;
  BpfHost& operator=(const BpfHost&) = delete;

  // The wasm_bpf functions, by name, with the types of wasm_bpf_abi.h.
  HostFuncs funcs();

  // callback-wrapper.wasm_bpf_buffer_poll for a module that imports it with
  // type `want`: wasm-bpf's form without sample_func, or the wasm_bpf form
  // (sample_func ignored); empty for any other type. The records go to the
  // function given to set_go_callback.
  wi::HostFunc::Ptr go_poll(const wi::FuncType& want);
  static std::vector<wi::FuncType> go_poll_types();
  const wi::FuncType& callback_type() const { return callback_type_; }
  void set_go_callback(wi::Func::Ptr f) { go_callback_ = std::move(f); }
  // The module's ecc --btfgen archive (the JSON text of its custom section
  // kBtfArchiveSection), used at load when the kernel has no BTF.
  void set_btf_archive(std::string json) { btf_archive_ = std::move(json); }

 private:
#define ECC_BPF_HOST_DECLARE(name, wasm_result, wasm_params, c_result, c_params) \
  Result name(const wi::Values& p, wi::Values& r, wi::Trap::Ptr* trap);
  EWASM_ABI_IMPORTS(ECC_BPF_HOST_DECLARE)
#undef ECC_BPF_HOST_DECLARE

  struct Object;
  struct MapRef {
    Object* owner;
    uint32_t key_size;
    uint32_t value_size;  // per-CPU maps: all CPUs' values
    uint32_t type;
  };
  // A map's reader (the runtime's, with its loss accounting), and the host
  // its records go to.
  struct Reader {
    Reader(BpfHost* h, std::string map, runtime::Say say) : host(h), events(std::move(map), std::move(say)) {}
    BpfHost* host;
    runtime::EventReader events;
  };
  struct Object {
    explicit Object(runtime::Say say) : bpf(std::move(say)) {}
    std::vector<uint8_t> image;  // libbpf reads the ELF from here while it opens
    runtime::Object bpf;
    std::unordered_map<int, std::unique_ptr<Reader>> readers;  // by map fd, built on first poll; freed before bpf
    std::vector<int> map_fds;
  };
  // The poll in progress: where each record goes.
  struct Round {
    wi::Func::Ptr func;
    const char* where = "";  // names the callback in a trap message
    uint32_t ctx = 0, data_ptr = 0, max_size = 0;
    Reader* reader = nullptr;
    int32_t stopped_with = 0;  // the callback's non-zero return
    bool stopped = false;
    bool halted = false;  // the run ends (trap in the callback, stop)
    uint32_t delivered = 0;  // records handed over (stop is looked at every 16th)
    wi::Trap::Ptr trap;
    wi::Values params = wi::Values(3), results = wi::Values(1);
  };

  int64_t load(uint32_t ptr, uint32_t len);
  bool open_and_load(Object& o);
  int32_t attach(int64_t handle, uint32_t name_ptr, uint32_t target_ptr);
  int32_t poll(int64_t handle, int32_t map_fd, const wi::Func::Ptr& callback, uint32_t ctx, uint32_t data, uint32_t max,
               int32_t timeout, wi::Trap::Ptr* trap, bool* halt);
  // Read rounds of `reader` until records were handed over, the guest's
  // callback or a stop ended them, or `until`.
  int32_t poll_rounds(Reader& reader, std::chrono::steady_clock::time_point until, wi::Trap::Ptr* trap, bool* halt);
  // A poll as a host call: the result, or the end of the run when a
  // callback trapped or the run was stopped.
  Result poll_call(const wi::Func::Ptr& callback, const char* where, const wi::Values& p, size_t ctx_at,
                   wi::Values& r, wi::Trap::Ptr* trap);
  int32_t map_fd_by_name(int64_t handle, uint32_t name_ptr);
  int32_t map_operate(int32_t fd, int32_t cmd, uint32_t key, uint32_t value, uint32_t next_key, uint64_t flags);
  int32_t close(int64_t handle);

  Object* find(int64_t handle);
  int reader_for(Object& o, int map_fd, Reader** out);
  int deliver(const void* data, size_t size);
  void destroy(Object& o, bool count_unread);
  static int on_record(void* reader, const void* data, size_t size);
  runtime::Say say();

  Guest& g_;
  std::string btf_archive_;
  std::map<int64_t, std::unique_ptr<Object>> objects_;
  std::unordered_map<int, MapRef> maps_;  // every map fd of a live object
  int64_t next_handle_ = 1;
  Object* polling_ = nullptr;
  Round round_;
  runtime::OutputPace out_pace_;  // when the guest's buffered fd 1 is written
  wi::FuncType callback_type_;
  wi::Func::Ptr go_callback_;
};

}  // namespace ecc::wasmhost
