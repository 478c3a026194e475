/* Export types of taskiter: a typedef'd anonymous struct, 64-bit enum
 * values, multi-dimensional arrays and pointers. */
#ifndef ECC_TEST_TASKITER_H
#define ECC_TEST_TASKITER_H

enum task_flag_bits {
	TF_KTHREAD = 1,
	TF_EXITING = 2,
	TF_HUGE = 0x100000000ULL,
};

typedef struct {
	unsigned int pid;
	unsigned int nr_threads;
	unsigned long long start_ns;
} task_row_t;

struct task_table {
	task_row_t rows[4];
	unsigned short grid[2][3];
	void *cursor;
	const char *label;
	long long sums[2];
};

#endif
