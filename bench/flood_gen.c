// The flooding process: waits for a line on stdin, then calls getppid() in
// a tight loop for SECONDS and prints how many calls it made.
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	char line[16];
	unsigned long long calls = 0;

	if (!fgets(line, sizeof line, stdin))
		return 1;
	double end = now() + seconds;
	for (;;) {
		for (int i = 0; i < 1024; i++)
			syscall(SYS_getppid);
		calls += 1024;
		if (now() >= end)
			break;
	}
	printf("%llu\n", calls);
	return 0;
}
