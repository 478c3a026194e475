/* Inspektor Gadget's special types, for ecc's tests: the typedef and struct
 * names are the contract (IG formats fields by them, so does ecli); the
 * layouts follow IG's include/gadget/types.h. See docs/gadget.md. */
#ifndef ECC_TEST_GADGET_TYPES_H
#define ECC_TEST_GADGET_TYPES_H

union gadget_ip_addr_t {
	__u8 v6[16];
	__u32 v4;
};

struct gadget_l3endpoint_t {
	union gadget_ip_addr_t addr_raw;
	__u8 version;
};

struct gadget_l4endpoint_t {
	union gadget_ip_addr_t addr_raw;
	__u16 port;
	__u16 proto_raw;
	__u8 version;
};

typedef __u64 gadget_mntns_id;
typedef __u32 gadget_netns_id;
typedef __u64 gadget_timestamp;
typedef __u32 gadget_signal;
typedef __u32 gadget_errno;
typedef __u32 gadget_uid;
typedef __u32 gadget_gid;
typedef __u64 gadget_syscall;
typedef __u32 gadget_kernel_stack;
typedef __u32 gadget_file_mode;
typedef __u32 gadget_file_flags;
typedef __u32 gadget_pid;
typedef __u32 gadget_tid;
typedef char gadget_comm;
typedef __u64 gadget_counter__u64;
typedef __u32 gadget_counter__u32;

#ifndef TASK_COMM_LEN
#define TASK_COMM_LEN 16
#endif

struct gadget_process {
	gadget_comm comm[TASK_COMM_LEN];
	gadget_pid pid;
	gadget_tid tid;
	gadget_mntns_id mntns_id;
	gadget_uid uid;
	gadget_gid gid;
};

#endif
