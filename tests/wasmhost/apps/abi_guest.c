// A guest built against the guest SDK's wasm_bpf.h only: it imports every
// function wasm_bpf_abi.h lists (their addresses are kept, so none can be
// left out) and calls each one with arguments no kernel is needed for.
#include <stdint.h>
#include <stdio.h>

#include "wasm_bpf.h"

#define EWASM_TEST_KEEP(name, wasm_result, wasm_params, c_result, c_params) (void *)&name,
static void *volatile imports[] = {EWASM_ABI_IMPORTS(EWASM_TEST_KEEP)};

static int on_record(void *ctx, void *data, int size) { return ctx == data ? size : 0; }

int main(void) {
  static char buf[64];
  uint32_t key = 1;
  uint64_t value = 0;
  ewasm_sample_fn fn = on_record;
  int count = 0;
  for (unsigned i = 0; i < sizeof imports / sizeof imports[0]; i++) count += imports[i] != NULL;
  printf("imports %d\n", count);
  printf("commands %d %d %d %d\n", EWASM_MAP_LOOKUP, EWASM_MAP_UPDATE, EWASM_MAP_DELETE, EWASM_MAP_NEXT_KEY);
  printf("load %d\n", (int)wasm_load_bpf_object(buf, 0));
  printf("attach %d\n", wasm_attach_bpf_program(1, "prog", NULL));
  printf("poll %d\n", wasm_bpf_buffer_poll(1, 3, fn, NULL, buf, (int)sizeof buf, 0));
  printf("fd_by_name %d\n", wasm_bpf_map_fd_by_name(1, "map"));
  printf("map_operate %d\n", wasm_bpf_map_operate(3, EWASM_MAP_LOOKUP, &key, &value, NULL, 0));
  printf("close %d\n", wasm_close_bpf_object(1));
  return 0;
}
