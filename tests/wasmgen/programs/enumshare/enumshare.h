/* enumshare: the shape of bcc libbpf-tools' fsslower, mountsnoop and
 * statsnoop that made gen-wasm-skel define an enum twice: one enum used by
 * two export types, one used only as a member, one as an array element. */
#ifndef ECC_TEST_ENUMSHARE_H
#define ECC_TEST_ENUMSHARE_H

enum sys_type {
	SYS_OPEN = 1,
	SYS_CLOSE = 2,
};

enum only_member {
	ONLY_A = 10,
	ONLY_B = 11,
};

enum elem_kind {
	ELEM_X = -1,
	ELEM_Y = 5,
};

struct first_event {
	enum sys_type type;
	enum only_member m;
	int pid;
};

struct second_event {
	enum sys_type type;
	enum elem_kind kinds[3];
	unsigned long long ts;
};

#endif
