// The Wasm side of bench/wasm_throughput.sh: native_consumer.c's loop as a
// wasm32-wasi guest on the wasm_bpf ABI. The flood object comes from
// flood_obj.h (written by the script); target_pid is patched into the ELF
// image's .rodata before the load, as docs/wasm-host-abi.md prescribes for load = open+load.
// Prints "events N lost M" at the end.
// usage: wasm_flood_guest PID SECONDS
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "flood.h"
#include "flood_obj.h"  // static unsigned char flood_obj[]; flood_obj_len

#include "wasm_bpf.h"  // the guest SDK's declarations of the host ABI (templates/eunomia-include)

static unsigned long long received, first_seq = ~0ull, last_seq;

static int on_event(void* ctx, void* data, int size) {
  const struct event* e = data;
  (void)ctx;
  if (size < (int)sizeof(*e)) return 0;
  received++;
  if (e->seq < first_seq) first_seq = e->seq;
  if (e->seq > last_seq) last_seq = e->seq;
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

// File offset of the ELF64 section `name`, or 0.
static uint64_t section_offset(const unsigned char* elf, const char* name) {
  uint64_t shoff;
  uint16_t shentsize, shnum, shstrndx;
  memcpy(&shoff, elf + 0x28, 8);
  memcpy(&shentsize, elf + 0x3a, 2);
  memcpy(&shnum, elf + 0x3c, 2);
  memcpy(&shstrndx, elf + 0x3e, 2);
  uint64_t strtab;
  memcpy(&strtab, elf + shoff + (uint64_t)shstrndx * shentsize + 0x18, 8);
  for (uint16_t i = 0; i < shnum; i++) {
    const unsigned char* sh = elf + shoff + (uint64_t)i * shentsize;
    uint32_t name_off;
    uint64_t off;
    memcpy(&name_off, sh, 4);
    memcpy(&off, sh + 0x18, 8);
    if (strcmp((const char*)elf + strtab + name_off, name) == 0) return off;
  }
  return 0;
}

int main(int argc, char** argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: %s PID SECONDS\n", argv[0]);
    return 2;
  }
  int pid = atoi(argv[1]);
  double end = now() + atof(argv[2]);
  uint64_t rodata = section_offset(flood_obj, ".rodata");
  if (!rodata) {
    fprintf(stderr, "no .rodata\n");
    return 1;
  }
  memcpy(flood_obj + rodata, &pid, sizeof pid);  // target_pid is the first variable
  uint64_t h = wasm_load_bpf_object(flood_obj, (int)flood_obj_len);
  if (!h) {
    fprintf(stderr, "load failed\n");
    return 1;
  }
  if (wasm_attach_bpf_program(h, "flood", 0)) {
    fprintf(stderr, "attach failed\n");
    return 1;
  }
  int fd = wasm_bpf_map_fd_by_name(h, "events");
  static char buf[sizeof(struct event)];
  fprintf(stderr, "wasm: attached 1 programs\n");
  while (now() < end) wasm_bpf_buffer_poll(h, fd, on_event, 0, buf, sizeof buf, 100);
  unsigned long long span = received ? last_seq - first_seq + 1 : 0;
  printf("events %llu lost %llu\n", received, span - received);
  return 0;
}
