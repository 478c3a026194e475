/* Inspektor Gadget's event buffer API for ecc's tests: GADGET_TRACER_MAP
 * declares a ring buffer; reserve/submit/output write records to it. */
#ifndef ECC_TEST_GADGET_BUFFER_H
#define ECC_TEST_GADGET_BUFFER_H

#include <bpf/bpf_helpers.h>

#define GADGET_TRACER_MAP(name, size)           \
	struct {                                \
		__uint(type, BPF_MAP_TYPE_RINGBUF); \
		__uint(max_entries, size);      \
	} name SEC(".maps");

static __always_inline void *gadget_reserve_buf(void *map, __u64 size)
{
	return bpf_ringbuf_reserve(map, size, 0);
}

static __always_inline void gadget_submit_buf(void *ctx, void *map, void *buf, __u64 size)
{
	bpf_ringbuf_submit(buf, 0);
}

static __always_inline long gadget_output_buf(void *ctx, void *map, void *buf, __u64 size)
{
	return bpf_ringbuf_output(map, buf, size, 0);
}

#endif
