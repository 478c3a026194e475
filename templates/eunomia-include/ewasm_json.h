/* ewasm_json.h: a tiny JSON line writer for guest apps (ecc guest SDK),
 * producing what `ecli -j` prints: one object per line. One static buffer,
 * no allocation, no printf (except for floating-point members).
 * Written for ecc. */
#ifndef EWASM_JSON_H
#define EWASM_JSON_H

#include <stdint.h>
#include <stdio.h>

#include "ewasm_util.h"

#ifndef EWASM_JSON_LINE_MAX
#define EWASM_JSON_LINE_MAX 65536
#endif

struct ewasm_json_line {
	size_t len;
	int truncated;
	char buf[EWASM_JSON_LINE_MAX];
};

static struct ewasm_json_line ewasm_json_out;

/* The room left for text: "\n" and a NUL always fit after it. */
static inline size_t ewasm_json_room(void)
{
	return sizeof(ewasm_json_out.buf) - 2 - ewasm_json_out.len;
}

/* What does not fit is cut at the line's end, and the line is marked
 * truncated. Out of line: merged with the copy below, the two copies become
 * one of a computed length. */
static __attribute__((noinline)) void ewasm_json_put_cut(const char *s, size_t n)
{
	struct ewasm_json_line *l = &ewasm_json_out;

	if (n > ewasm_json_room()) {
		n = ewasm_json_room();
		l->truncated = 1;
	}
	memcpy(l->buf + l->len, s, n);
	l->len += n;
}

/* Inlined with a literal's constant length, the copy compiles to plain
 * stores rather than a call to wasm32's byte-looping memcpy (which took
 * 15% of an AOT app's time on the flood bench). */
static inline void ewasm_json_put(const char *s, size_t n)
{
	struct ewasm_json_line *l = &ewasm_json_out;

	if (n <= ewasm_json_room()) {
		memcpy(l->buf + l->len, s, n);
		l->len += n;
		return;
	}
	ewasm_json_put_cut(s, n);
}

static inline void ewasm_json_raw(const char *s) { ewasm_json_put(s, strlen(s)); }

static inline void ewasm_json_i64(int64_t v)
{
	char num[24];

	ewasm_json_raw(ewasm_i64_str(v, num));
}

/* Digits straight into the line when they fit (no strlen, no memcpy). */
static inline void ewasm_json_u64(uint64_t v)
{
	char num[24], *p = num + 23;
	size_t n = 1;
	uint64_t t;

	for (t = v; t >= 10; t /= 10)
		n++;
	if (n <= ewasm_json_room()) {
		char *end = ewasm_json_out.buf + ewasm_json_out.len + n;

		do {
			*--end = (char)('0' + v % 10);
			v /= 10;
		} while (v);
		ewasm_json_out.len += n;
		return;
	}
	*p = 0;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	ewasm_json_put(p, n);
}

static inline void ewasm_json_bool(int v) { ewasm_json_raw(v ? "true" : "false"); }

static inline void ewasm_json_f64(double v)
{
	char num[40];

	if (v != v || v - v != 0) {
		ewasm_json_raw("null"); /* NaN and infinities are not JSON */
		return;
	}
	snprintf(num, sizeof(num), "%.17g", v);
	ewasm_json_raw(num);
}

/* A string of at most n bytes, up to the first NUL; bytes >= 0x80 print
 * as '?' as ecli does (they need not be UTF-8). */
static inline void ewasm_json_strn(const char *s, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	ewasm_json_raw("\"");
	for (i = 0; i < n && s[i]; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};

		if (c == '"' || c == '\\') {
			esc[1] = (char)c;
			ewasm_json_put(esc, 2);
		} else if (c == '\n') {
			ewasm_json_raw("\\n");
		} else if (c == '\t') {
			ewasm_json_raw("\\t");
		} else if (c < 0x20) {
			ewasm_json_put(esc, 6);
		} else {
			char ch = c >= 0x80 ? '?' : (char)c;

			ewasm_json_put(&ch, 1);
		}
	}
	ewasm_json_raw("\"");
}

/* Raw bytes as a "0x..." string. */
static inline void ewasm_json_hex(const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	ewasm_json_raw("\"0x");
	for (i = 0; i < n; i++) {
		char b[2] = {hex[p[i] >> 4], hex[p[i] & 15]};

		ewasm_json_put(b, 2);
	}
	ewasm_json_raw("\"");
}

/* Ends the line and writes it to stdout in one write. */
static inline void ewasm_json_line(void)
{
	struct ewasm_json_line *l = &ewasm_json_out;

	l->buf[l->len++] = '\n';
	l->buf[l->len] = 0;
	ewasm_write_n(1, l->buf, l->len);
	l->len = 0;
	l->truncated = 0;
}

#endif /* EWASM_JSON_H */
