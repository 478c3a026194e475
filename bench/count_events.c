// Counts the events in JSON lines on stdin (ecli -j, the generated app):
// lines with "seq" are events; the last line of the sampled map `drops`
// gives the program's count of events that did not fit ("full").
// Prints "DELIVERED MIN_SEQ MAX_SEQ DROPS" (DROPS -1: no sample seen).
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int main(void)
{
	static char line[1 << 16];
	unsigned long long delivered = 0, min_seq = ~0ull, max_seq = 0;
	long long drops = -1;

	while (fgets(line, sizeof line, stdin)) {
		const char *s = strstr(line, "\"seq\":");
		if (s) {
			unsigned long long seq = strtoull(s + 6, NULL, 10);
			delivered++;
			if (seq < min_seq)
				min_seq = seq;
			if (seq > max_seq)
				max_seq = seq;
		} else if (strstr(line, "\"map\":\"drops\"") && (s = strstr(line, "\"full\":"))) {
			drops = strtoll(s + 7, NULL, 10);
		}
	}
	printf("%llu %llu %llu %lld\n", delivered, delivered ? min_seq : 0, max_seq, drops);
	return 0;
}
