/* The compute-bound guest of bench/wasm_compute.sh: the same C built native
 * and as wasm32-wasi. Two loops, each timed with CLOCK_MONOTONIC:
 *   json  formats records as JSON lines into a buffer (digits by hand, as
 *         the generated apps' ewasm_json.h does), checksumming the bytes;
 *   int   integer mixing over a 64 KiB table in linear memory.
 * usage: compute_guest ITERATIONS   prints "json NS_PER_ITER CHECK" and
 * "int NS_PER_ITER CHECK". */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static char *put_str(char *p, const char *s) {
  while (*s) *p++ = *s++;
  return p;
}

static char *put_u64(char *p, uint64_t v) {
  char tmp[24];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n) *p++ = tmp[--n];
  return p;
}

static char *put_i64(char *p, int64_t v) {
  if (v < 0) {
    *p++ = '-';
    return put_u64(p, (uint64_t)0 - (uint64_t)v);
  }
  return put_u64(p, (uint64_t)v);
}

static char line[256];

static uint64_t json_loop(uint64_t iters) {
  static const char *comms[4] = {"bash", "systemd-journal", "kworker/0:1", "sshd"};
  uint64_t check = 0;
  for (uint64_t i = 0; i < iters; i++) {
    char *p = line;
    p = put_str(p, "{\"pid\":");
    p = put_u64(p, 1000 + (i * 7919) % 65536);
    p = put_str(p, ",\"comm\":\"");
    p = put_str(p, comms[i & 3]);
    p = put_str(p, "\",\"seq\":");
    p = put_u64(p, i);
    p = put_str(p, ",\"delta_ns\":");
    p = put_i64(p, (int64_t)(i * 2654435761u) - (int64_t)1000000000);
    p = put_str(p, "}\n");
    for (char *q = line; q < p; q++) check = check * 31 + (unsigned char)*q;
  }
  return check;
}

static uint32_t table[16384];

static uint64_t int_loop(uint64_t iters) {
  uint32_t x = 2463534242u;
  for (uint32_t i = 0; i < 16384; i++) table[i] = i * 2654435761u;
  uint64_t check = 0;
  for (uint64_t i = 0; i < iters; i++) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    uint32_t j = x & 16383;
    table[j] = table[j] * 33 + (uint32_t)i;
    check += table[(j * 7) & 16383] ^ (x >> 3);
  }
  return check;
}

int main(int argc, char **argv) {
  uint64_t iters = argc > 1 ? strtoull(argv[1], 0, 10) : 1000000;
  uint64_t t0 = now_ns();
  uint64_t c = json_loop(iters);
  uint64_t t1 = now_ns();
  printf("json %.3f %llu\n", (double)(t1 - t0) / (double)iters, (unsigned long long)c);
  t0 = now_ns();
  c = int_loop(iters * 10);
  t1 = now_ns();
  printf("int %.3f %llu\n", (double)(t1 - t0) / (double)(iters * 10), (unsigned long long)c);
  return 0;
}
