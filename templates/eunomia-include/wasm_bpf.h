/* wasm_bpf.h: the host functions of module "wasm_bpf" (ecc SPEC §8), as a
 * WebAssembly guest built with clang --target=wasm32-wasi sees them.
 * Part of the ecc guest SDK (eunomia-include/), written for ecc.
 *
 * Pointers are 32-bit offsets into the guest's exported memory; strings are
 * NUL-terminated; an object handle of 0 means failure; other functions return
 * 0 or a negative errno. */
#ifndef EWASM_WASM_BPF_H
#define EWASM_WASM_BPF_H

#include <stdint.h>

#define EWASM_IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(name)))

/* A record callback: called through the exported function table as
 * (i32 ctx, i32 data, i32 size) -> i32; non-zero stops the poll. */
typedef int (*ewasm_sample_fn)(void *ctx, void *data, int size);

/* Commands of wasm_bpf_map_operate. */
enum {
	EWASM_MAP_LOOKUP = 1,
	EWASM_MAP_UPDATE = 2,
	EWASM_MAP_DELETE = 3,
	EWASM_MAP_NEXT_KEY = 4,
};

/* Opens and loads an ELF BPF object (CO-RE relocated on the host). */
EWASM_IMPORT("wasm_load_bpf_object")
uint64_t wasm_load_bpf_object(const void *obj, int obj_len);

/* Attaches program `name` (its function name); target NULL or "" attaches
 * by its SEC() name. */
EWASM_IMPORT("wasm_attach_bpf_program")
int wasm_attach_bpf_program(uint64_t handle, const char *name, const char *target);

/* Polls the ring buffer or perf event array `map_fd`: each record (up to
 * max_size bytes) is copied to data, then sample_func(ctx, data, size). */
EWASM_IMPORT("wasm_bpf_buffer_poll")
int wasm_bpf_buffer_poll(uint64_t handle, int map_fd, ewasm_sample_fn sample_func, void *ctx, void *data,
			 int max_size, int timeout_ms);

/* The fd of a map by name (internal maps by their section: ".bss"). */
EWASM_IMPORT("wasm_bpf_map_fd_by_name")
int wasm_bpf_map_fd_by_name(uint64_t handle, const char *name);

/* Lookup, update, delete or next key on a map of this module. */
EWASM_IMPORT("wasm_bpf_map_operate")
int wasm_bpf_map_operate(int map_fd, int cmd, const void *key, void *value, void *next_key, uint64_t flags);

/* Detaches every link and closes the object. */
EWASM_IMPORT("wasm_close_bpf_object")
int wasm_close_bpf_object(uint64_t handle);

#endif /* EWASM_WASM_BPF_H */
