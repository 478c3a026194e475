/* wasm_bpf_abi.h: the one declaration of the host ABI of ecc's docs/wasm-host-abi.md, read
 * by both sides: the guest SDK (wasm_bpf.h declares the imports from it) and
 * ecc's host (lib/wasmhost builds and checks its import table from it).
 * Part of the ecc guest SDK (eunomia-include/), written for ecc.
 * Self-contained C (and C++): no includes, only macros, one typedef and one
 * enum.
 *
 * Pointers are 32-bit offsets into the guest's exported memory; strings are
 * NUL-terminated; an object handle of 0 means failure; other functions return
 * 0 or a negative errno. */
#ifndef EWASM_WASM_BPF_ABI_H
#define EWASM_WASM_BPF_ABI_H

/* The import module of every function below. */
#define EWASM_ABI_MODULE "wasm_bpf"

/* EWASM_ABI_IMPORTS(X) calls X(name, wasm_result, wasm_params, c_result,
 * c_params) once per import, in this order:
 *   name         the import name (an identifier; #name is the string)
 *   wasm_result  i64 or i32: the wasm result type
 *   wasm_params  the wasm parameter types, parenthesized: (i64, i32, i32)
 *   c_result     the C result type of the guest's declaration
 *   c_params     the C parameter list, parenthesized, with names
 * The C types are what a wasm32 C compiler turns into exactly the wasm types
 * (uint64_t -> i64; int, pointers, ewasm_sample_fn -> i32); the guest SDK's
 * tests check that for every entry. The C types use uint64_t (<stdint.h>)
 * and ewasm_sample_fn (below); they appear only where X expands them.
 *
 *   wasm_load_bpf_object      open + load an ELF BPF object (CO-RE relocated
 *                             on the host); the handle, 0 on failure
 *   wasm_attach_bpf_program   attach program `name` (its function name);
 *                             target NULL or "" attaches by its SEC() name
 *   wasm_bpf_buffer_poll      poll the ring buffer or perf event array
 *                             `map_fd`: each record (up to max_size bytes) is
 *                             copied to data, then table[sample_func](ctx,
 *                             data, size) runs; non-zero stops the round
 *   wasm_bpf_map_fd_by_name   the fd of a map by name (internal maps by
 *                             their section name: ".bss")
 *   wasm_bpf_map_operate      lookup, update, delete or next key (the
 *                             EWASM_MAP_* commands) on a map of this module
 *   wasm_close_bpf_object     detach every link and close the object */
#define EWASM_ABI_IMPORTS(X)                                                                          \
	X(wasm_load_bpf_object, i64, (i32, i32), uint64_t, (const void *obj, int obj_len))            \
	X(wasm_attach_bpf_program, i32, (i64, i32, i32), int,                                         \
	  (uint64_t handle, const char *name, const char *target))                                    \
	X(wasm_bpf_buffer_poll, i32, (i64, i32, i32, i32, i32, i32, i32), int,                        \
	  (uint64_t handle, int map_fd, ewasm_sample_fn sample_func, void *ctx, void *data,           \
	   int max_size, int timeout_ms))                                                             \
	X(wasm_bpf_map_fd_by_name, i32, (i64, i32), int, (uint64_t handle, const char *name))         \
	X(wasm_bpf_map_operate, i32, (i32, i32, i32, i32, i32, i64), int,                             \
	  (int map_fd, int cmd, const void *key, void *value, void *next_key, uint64_t flags))        \
	X(wasm_close_bpf_object, i32, (i64), int, (uint64_t handle))

/* Removes one level of parentheses: EWASM_ABI_UNPAREN (i32, i32) -> i32, i32. */
#define EWASM_ABI_UNPAREN(...) __VA_ARGS__

/* A record callback, (i32 ctx, i32 data, i32 size) -> i32: a function-table
 * index in the wasm_bpf_buffer_poll call; non-zero stops the poll. */
typedef int (*ewasm_sample_fn)(void *ctx, void *data, int size);
#define EWASM_ABI_SAMPLE_RESULT i32
#define EWASM_ABI_SAMPLE_PARAMS (i32, i32, i32)

/* Commands of wasm_bpf_map_operate (the numbers of libbpf's bpf_cmd). */
enum {
	EWASM_MAP_LOOKUP = 1,
	EWASM_MAP_UPDATE = 2,
	EWASM_MAP_DELETE = 3,
	EWASM_MAP_NEXT_KEY = 4,
};

/* The convention of wasm-bpf's Go SDK (TinyGo cannot export a function
 * table): the module imports wasm_bpf_buffer_poll from module
 * EWASM_ABI_GO_MODULE, in wasm-bpf's form without sample_func
 * (i64 handle, i32 map_fd, i32 ctx, i32 data, i32 max_size, i32 timeout_ms)
 * -> i32 or in the form above (its sample_func is ignored), and exports the
 * record callback as the function EWASM_ABI_GO_CALLBACK, of the callback
 * type above; the host calls it for every record. */
#define EWASM_ABI_GO_MODULE "callback-wrapper"
#define EWASM_ABI_GO_CALLBACK "go-callback"
#define EWASM_ABI_GO_POLL_RESULT i32
#define EWASM_ABI_GO_POLL_PARAMS (i64, i32, i32, i32, i32, i32)

#endif /* EWASM_WASM_BPF_ABI_H */
