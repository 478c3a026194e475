// Every libbpf function that lib/runtime and the Wasm host (lib/wasmhost
// bpf_host.cpp) call, one X(name) a line. The fuzzers' fake libbpf
// (tests/fuzz/fake_libbpf.cpp) fakes each of them, so that a fuzz run never
// reaches real libbpf with a fake object; the build checks both sides
// (cmake/check_libbpf_calls.cmake: a call missing here fails the build;
// the fake does not compile without a fake of each entry).
#pragma once

#define ECC_LIBBPF_CALLS(X)              \
  X(bpf_iter_create)                     \
  X(bpf_link__destroy)                   \
  X(bpf_link__fd)                        \
  X(bpf_link_create)                     \
  X(bpf_map__fd)                         \
  X(bpf_map__name)                       \
  X(bpf_map_delete_elem)                 \
  X(bpf_map_get_next_key)                \
  X(bpf_map_lookup_elem_flags)           \
  X(bpf_map_update_elem)                 \
  X(bpf_obj_get_info_by_fd)              \
  X(bpf_object__close)                   \
  X(bpf_object__find_map_by_name)        \
  X(bpf_object__find_program_by_name)    \
  X(bpf_object__load)                    \
  X(bpf_object__next_map)                \
  X(bpf_object__next_program)            \
  X(bpf_object__open_mem)                \
  X(bpf_prog_load)                       \
  X(bpf_program__attach)                 \
  X(bpf_program__attach_iter)            \
  X(bpf_program__attach_kprobe)          \
  X(bpf_program__attach_raw_tracepoint)  \
  X(bpf_program__attach_tracepoint)      \
  X(bpf_program__attach_xdp)             \
  X(bpf_program__autoload)               \
  X(bpf_program__expected_attach_type)   \
  X(bpf_program__fd)                     \
  X(bpf_program__name)                   \
  X(bpf_program__section_name)           \
  X(bpf_program__type)                   \
  X(bpf_tc_attach)                       \
  X(bpf_tc_detach)                       \
  X(bpf_tc_hook_create)                  \
  X(bpf_tc_hook_destroy)                 \
  X(bpf_xdp_attach)                      \
  X(bpf_xdp_detach)                      \
  X(btf__find_by_name_kind)              \
  X(btf__free)                           \
  X(btf__load_vmlinux_btf)               \
  X(libbpf_num_possible_cpus)            \
  X(libbpf_set_print)                    \
  X(perf_buffer__consume)                \
  X(perf_buffer__epoll_fd)               \
  X(perf_buffer__free)                   \
  X(perf_buffer__new)                    \
  X(perf_buffer__poll)                   \
  X(ring_buffer__consume)                \
  X(ring_buffer__epoll_fd)               \
  X(ring_buffer__free)                   \
  X(ring_buffer__new)                    \
  X(ring_buffer__poll)
