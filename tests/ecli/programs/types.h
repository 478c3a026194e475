/* One record with every kind of member ecli decodes. */
#ifndef ECLI_TEST_TYPES_H
#define ECLI_TEST_TYPES_H

enum color { RED = 1, GREEN = 2, BLUE = -3 };

struct inner {
	short a;
	unsigned short b[3];
};

struct event {
	signed char s8;
	unsigned char u8;
	short s16;
	unsigned short u16;
	int s32;
	unsigned int u32;
	long long s64;
	unsigned long long u64;
	bool flag;
	char name[8];
	enum color color;
	float f;
	double d;
	struct inner in;
	int arr[3];
	unsigned int bf_lo : 3;
	int bf_neg : 5;
	unsigned int bf_hi : 24;
	union {
		int as_int;
		unsigned int as_uint;
	};
};

#endif
