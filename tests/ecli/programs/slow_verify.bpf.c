// Programs the verifier takes long over and still accepts (about 780 k
// instructions processed each, close to the kernel's limit of a million; on
// this machine a quarter to a second each): a bounded loop of 60000 iterations
// whose counter stays precise, so that every iteration is a new state, and
// no branch in its body (a branch per iteration would exceed the verifier's
// limit on pending jumps). For the SIGINT-during-load test.
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>

__u64 result = 0;

#define SLOW_VERIFY(name, tp)                                   \
	SEC("tracepoint/syscalls/" tp)                          \
	int name(void *ctx)                                     \
	{                                                       \
		__u64 x = bpf_get_prandom_u32(), acc = 0;       \
		int i;                                          \
		_Pragma("clang loop unroll(disable)")           \
		for (i = 0; i < 60000; i++) {                   \
			acc += x & 0xff;                        \
			acc ^= x >> 7;                          \
			x = x * 6364136223846793005ULL + 1442695040888963407ULL; \
		}                                               \
		result = acc;                                   \
		return 0;                                       \
	}

SLOW_VERIFY(slow_verify_1, "sys_enter_getppid")
SLOW_VERIFY(slow_verify_2, "sys_enter_getpgid")
SLOW_VERIFY(slow_verify_3, "sys_enter_getsid")
SLOW_VERIFY(slow_verify_4, "sys_enter_getpgrp")
SLOW_VERIFY(slow_verify_5, "sys_enter_getuid")
SLOW_VERIFY(slow_verify_6, "sys_enter_geteuid")
SLOW_VERIFY(slow_verify_7, "sys_enter_getgid")
SLOW_VERIFY(slow_verify_8, "sys_enter_getegid")

char LICENSE[] SEC("license") = "GPL";
