// A libbpf-bootstrap-style guest app, written by hand against the six
// wasm_bpf imports (not generated code). The BPF object comes from
// events_obj.h, which the test writes before compiling this file.
//
//   events_guest PID COUNT ring|perf
// loads the object, runs a map_operate round trip on `kv`, attaches the
// getpid (ring buffer, by section) or getppid (perf array, explicit
// tracepoint target) program, prints COUNT events of process PID, closes.
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "events_obj.h"  // static const unsigned char events_obj[]; events_obj_len

#define IMPORT(name) __attribute__((import_module("wasm_bpf"), import_name(#name)))
IMPORT(wasm_load_bpf_object) uint64_t wasm_load_bpf_object(const void* obj, int len);
IMPORT(wasm_attach_bpf_program) int wasm_attach_bpf_program(uint64_t handle, const char* name, const char* target);
IMPORT(wasm_bpf_buffer_poll)
int wasm_bpf_buffer_poll(uint64_t handle, int map_fd, int sample_func, void* ctx, char* data, int max_size,
                         int timeout_ms);
IMPORT(wasm_bpf_map_fd_by_name) int wasm_bpf_map_fd_by_name(uint64_t handle, const char* name);
IMPORT(wasm_bpf_map_operate)
int wasm_bpf_map_operate(int fd, int cmd, void* key, void* value, void* next_key, uint64_t flags);
IMPORT(wasm_close_bpf_object) int wasm_close_bpf_object(uint64_t handle);

struct event {
  uint32_t pid;
  uint32_t tid;
  uint64_t ts;
  char comm[16];
};

struct state {
  uint32_t want_pid;
  int want;
  int seen;
  uint64_t last_ts;
};

static int handle_event(void* ctx, void* data, int size) {
  struct state* s = ctx;
  const struct event* e = data;
  // Perf samples carry padding after the record: at least, not exactly.
  if (size < (int)sizeof(*e)) {
    printf("bad size %d\n", size);
    return -1;
  }
  if (e->pid != s->want_pid || s->seen >= s->want) return 0;
  char comm[17] = {0};
  memcpy(comm, e->comm, 16);
  printf("event pid=%u comm=%s ordered=%d\n", e->pid, comm, e->ts >= s->last_ts);
  s->last_ts = e->ts;
  s->seen++;
  return 0;
}

static void kv_round_trip(int fd) {
  for (uint32_t k = 1; k <= 3; k++) {
    uint64_t v = k * 10;
    printf("update %u -> %d\n", k, wasm_bpf_map_operate(fd, 2, &k, &v, 0, 0));
  }
  uint32_t key = 2;
  uint64_t value = 0;
  int err = wasm_bpf_map_operate(fd, 1, &key, &value, 0, 0);
  printf("lookup 2 -> %d value %llu\n", err, (unsigned long long)value);
  uint32_t cur, next, count = 0, sum = 0;
  for (err = wasm_bpf_map_operate(fd, 4, 0, 0, &next, 0); err == 0;
       err = wasm_bpf_map_operate(fd, 4, &cur, 0, &next, 0)) {
    count++;
    sum += next;
    cur = next;
  }
  printf("keys %u sum %u end %d\n", count, sum, err);
  printf("delete 2 -> %d\n", wasm_bpf_map_operate(fd, 3, &key, 0, 0, 0));
  printf("lookup 2 -> %d\n", wasm_bpf_map_operate(fd, 1, &key, &value, 0, 0));
}

int main(int argc, char** argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: %s PID COUNT ring|perf\n", argv[0]);
    return 2;
  }
  struct state s = {(uint32_t)atoi(argv[1]), atoi(argv[2]), 0, 0};
  int perf = strcmp(argv[3], "perf") == 0;
  uint64_t h = wasm_load_bpf_object(events_obj, (int)events_obj_len);
  if (!h) {
    fprintf(stderr, "load failed\n");
    return 1;
  }
  kv_round_trip(wasm_bpf_map_fd_by_name(h, "kv"));
  int err = perf ? wasm_attach_bpf_program(h, "on_getppid", "syscalls:sys_enter_getppid")
                 : wasm_attach_bpf_program(h, "on_getpid", 0);
  printf("attach -> %d\n", err);
  if (err) return 1;
  int fd = wasm_bpf_map_fd_by_name(h, perf ? "perf_events" : "events");
  static char buf[256];
  while (s.seen < s.want) {
    err = wasm_bpf_buffer_poll(h, fd, (int)(intptr_t)handle_event, &s, buf, sizeof buf, 100);
    if (err < 0) {
      printf("poll -> %d\n", err);
      return 1;
    }
  }
  printf("close -> %d\n", wasm_close_bpf_object(h));
  return 0;
}
