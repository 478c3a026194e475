// The flooding process: waits for a line on stdin, then calls getppid() for
// SECONDS and prints how many calls it made.
//   RATE 0 (default): a tight loop, as fast as one core goes.
//   RATE > 0: that many calls per second, paced in 1 ms batches against
//     CLOCK_MONOTONIC (each batch tops the count up to RATE * elapsed, so a
//     late wake-up is caught up and the rate holds over the run, as far as
//     one core can make it: the run ends after SECONDS in any case; the
//     count and the time are printed on stderr).
//   TAIL > 0: after the flood, a 300 ms pause, then TAIL more calls (counted):
//     a perf buffer's lost records are only written with a later record that
//     fits, so the tail makes the kernel report the flood's losses.
// usage: flood_gen [SECONDS [RATE [TAIL]]]
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

static void sleep_until(double t)
{
	struct timespec ts = { .tv_sec = (time_t)t, .tv_nsec = (long)((t - (time_t)t) * 1e9) };
	while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL))
		;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	double rate = argc > 2 ? atof(argv[2]) : 0;
	long tail = argc > 3 ? atol(argv[3]) : 0;
	char line[16];
	unsigned long long calls = 0;

	if (!fgets(line, sizeof line, stdin))
		return 1;
	double start = now(), end = start + seconds;
	if (rate <= 0) {
		for (;;) {
			for (int i = 0; i < 1024; i++)
				syscall(SYS_getppid);
			calls += 1024;
			if (now() >= end)
				break;
		}
	} else {
		for (long ms = 1;; ms++) {
			double t = now();
			if (t >= end)
				break;
			unsigned long long due = (unsigned long long)(rate * (t - start));
			/* a core that falls behind catches up in pieces: the end holds */
			while (calls < due) {
				syscall(SYS_getppid);
				if ((++calls & 1023) == 0 && now() >= end)
					break;
			}
			sleep_until(start + ms / 1000.0);
		}
	}
	double took = now() - start;
	if (tail > 0) {
		sleep_until(now() + 0.3);
		for (long i = 0; i < tail; i++)
			syscall(SYS_getppid);
		calls += (unsigned long long)tail;
	}
	if (rate > 0) /* what the pacing held: the rate is only kept if one core can make it */
		fprintf(stderr, "flood_gen: %llu calls in %.2f s\n", calls - (unsigned long long)tail, took);
	printf("%llu\n", calls);
	return 0;
}
