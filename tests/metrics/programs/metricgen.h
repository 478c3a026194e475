/* metricgen: events and sampled maps with known values for the metrics
 * tests (docs/metrics.md). Each getpgid(v) of the traced process is one
 * event. */
#ifndef METRICGEN_H
#define METRICGEN_H

struct event {
	/// The caller's name.
	/// @metric label
	char comm[16];
	/// v % 3
	/// @metric label
	int kind;
	/// @metric counter
	unsigned long long value;
	/// @metric histogram {"buckets": [1, 10, 100]}
	unsigned long long observed;
};

#endif
