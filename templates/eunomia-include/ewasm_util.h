/* ewasm_util.h: small helpers for guest apps (ecc guest SDK): output without
 * printf (it costs kilobytes of Wasm), error messages, option parsing and
 * bitfield reads. Written for ecc. */
#ifndef EWASM_UTIL_H
#define EWASM_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* n bytes of s, all of them (write(2) may take fewer). */
static inline void ewasm_write_n(int fd, const char *s, size_t n)
{
	while (n) {
		ssize_t w = write(fd, s, n);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

static inline void ewasm_write(int fd, const char *s) { ewasm_write_n(fd, s, strlen(s)); }

/* "-12" for -12: decimal digits without printf. */
static inline const char *ewasm_i64_str(int64_t v, char buf[24])
{
	char *p = buf + 23;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	*p = 0;
	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	if (v < 0)
		*--p = '-';
	return p;
}

/* "<app>: error: <what>: <strerror>" on stderr; err is 0 or a negative errno. */
static inline void ewasm_error(const char *app, const char *what, int err)
{
	char num[24];

	ewasm_write(2, app);
	ewasm_write(2, ": error: ");
	ewasm_write(2, what);
	if (err < 0) {
		ewasm_write(2, ": ");
		ewasm_write(2, strerror(-err));
		ewasm_write(2, " (");
		ewasm_write(2, ewasm_i64_str(err, num));
		ewasm_write(2, ")");
	}
	ewasm_write(2, "\n");
}

/* Parses an integer option value in [lo, hi]; returns 0 or -EINVAL. */
static inline int ewasm_parse_int(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	long long v;

	errno = 0;
	v = strtoll(s, &end, 0);
	if (errno || end == s || *end || v < lo || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

static inline int ewasm_parse_uint(const char *s, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	if (*s == '-')
		return -EINVAL;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || v > hi)
		return -EINVAL;
	*out = v;
	return 0;
}

/* Bits [bit, bit + size) of a little-endian storage run (BPF and wasm32 are
 * both little-endian), as a bitfield of that width. */
static inline uint64_t ewasm_bits_get(const uint8_t *base, unsigned bit, unsigned size)
{
	uint64_t v = 0;
	unsigned i;

	for (i = 0; i < size; i++)
		v |= (uint64_t)((base[(bit + i) / 8] >> ((bit + i) % 8)) & 1) << i;
	return v;
}

static inline int64_t ewasm_bits_signed(const uint8_t *base, unsigned bit, unsigned size)
{
	uint64_t v = ewasm_bits_get(base, bit, size);

	if (size < 64 && (v >> (size - 1)) & 1)
		v |= ~(uint64_t)0 << size;
	return (int64_t)v;
}

#endif /* EWASM_UTIL_H */
