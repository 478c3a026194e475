/* wasm_bpf.h: the host functions of module "wasm_bpf" (ecc's docs/wasm-host-abi.md), as a
 * WebAssembly guest built with clang --target=wasm32-wasi sees them.
 * Part of the ecc guest SDK (eunomia-include/), written for ecc.
 *
 * The functions, their types, the record callback type ewasm_sample_fn and
 * the EWASM_MAP_* commands of wasm_bpf_map_operate are declared once, in
 * wasm_bpf_abi.h (shared with the host); this header turns that list into
 * C declarations:
 *
 *   uint64_t wasm_load_bpf_object(const void *obj, int obj_len);
 *   int wasm_attach_bpf_program(uint64_t handle, const char *name, const char *target);
 *   int wasm_bpf_buffer_poll(uint64_t handle, int map_fd, ewasm_sample_fn sample_func,
 *                            void *ctx, void *data, int max_size, int timeout_ms);
 *   int wasm_bpf_map_fd_by_name(uint64_t handle, const char *name);
 *   int wasm_bpf_map_operate(int map_fd, int cmd, const void *key, void *value,
 *                            void *next_key, uint64_t flags);
 *   int wasm_close_bpf_object(uint64_t handle);
 *
 * Pointers are 32-bit offsets into the guest's exported memory; strings are
 * NUL-terminated; an object handle of 0 means failure; other functions return
 * 0 or a negative errno. */
#ifndef EWASM_WASM_BPF_H
#define EWASM_WASM_BPF_H

#include <stdint.h>

#include "wasm_bpf_abi.h"

#define EWASM_IMPORT(name) __attribute__((import_module(EWASM_ABI_MODULE), import_name(name)))

#define EWASM_DECLARE_IMPORT(name, wasm_result, wasm_params, c_result, c_params) \
	EWASM_IMPORT(#name) c_result name c_params;
EWASM_ABI_IMPORTS(EWASM_DECLARE_IMPORT)
#undef EWASM_DECLARE_IMPORT

#endif /* EWASM_WASM_BPF_H */
