/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_enc.c: encodes value lists in collectd's write_http JSON format.
 *
 * Encoding reproduces, byte for byte, what stock write_http (collectd 5.12,
 * Format "JSON") prints for a value list without meta, but for a gauge
 * next to +-DBL_MAX, which write_http prints as text that reads back as
 * infinity (wire_encode_gauge); the fixtures in tests/data/wire/ were
 * captured from the real plugin.  Strings are escaped
 * as write_http does it: '"' and '\' get a backslash, every byte below 0x20
 * or above 0x7f becomes '?', everything else is copied.
 *
 * The write plugin links this file (and wire.c), never the decoder.
 * Reentrant; never logs (it runs inside collectd).
 */
#include "wire.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The largest 15-digit number below DBL_MAX.  A gauge of this magnitude
   or more may print with %.15g as 1.79769313486232e+308, beyond DBL_MAX;
   below it the 15 digits always read back finite. */
#define WIRE_GAUGE_15_MAX 1.79769313486231e308

/* ------------------------------------------------------------------ */
/* Output buffer                                                       */

void wire_buf_free(struct wire_buf *b)
{
	if (!b)
		return;
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void wire_buf_reset(struct wire_buf *b)
{
	b->len = 0;
	if (b->data)
		b->data[0] = '\0';
}

/* Make room for n more bytes plus the NUL.  Returns 0 or -ENOMEM. */
static int wire_buf_reserve(struct wire_buf *b, size_t n)
{
	size_t need, cap;
	char *p;

	if (n > SIZE_MAX - b->len - 1)
		return -ENOMEM;
	need = b->len + n + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 256;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = realloc(b->data, cap);
	if (!p)
		return -ENOMEM;
	b->data = p;
	b->cap = cap;
	return 0;
}

int wire_buf_append(struct wire_buf *b, const char *s, size_t n)
{
	if (wire_buf_reserve(b, n) < 0)
		return -ENOMEM;
	memcpy(b->data + b->len, s, n);
	b->len += n;
	b->data[b->len] = '\0';
	return 0;
}

static int wire_buf_puts(struct wire_buf *b, const char *s)
{
	return wire_buf_append(b, s, strlen(s));
}

__attribute__((format(printf, 2, 3))) static int
wire_buf_printf(struct wire_buf *b, const char *fmt, ...)
{
	char tmp[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(tmp))
		return -EINVAL; /* cannot happen with the formats used here */
	return wire_buf_append(b, tmp, (size_t)n);
}

/* ------------------------------------------------------------------ */
/* Encoding                                                            */

/* A name as a JSON string, escaped the way write_http escapes it. */
static int wire_encode_string(struct wire_buf *b, const char *s)
{
	size_t n = strnlen(s, WIRE_NAME_MAX - 1);
	int rc = wire_buf_reserve(b, 2 * n + 2);

	if (rc < 0)
		return rc;
	b->data[b->len++] = '"';
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			b->data[b->len++] = '\\';
			b->data[b->len++] = (char)c;
		} else if (c < 0x20 || c > 0x7f) {
			b->data[b->len++] = '?';
		} else {
			b->data[b->len++] = (char)c;
		}
	}
	b->data[b->len++] = '"';
	b->data[b->len] = '\0';
	return 0;
}

/* An unsigned integer in decimal, as printf's %llu would print it: the
   common case of every value, without printf's format parsing (which was
   most of the encoder's cost). */
static int wire_encode_u64(struct wire_buf *b, bool neg, uint64_t u)
{
	char tmp[24];
	char *p = tmp + sizeof(tmp);

	do {
		*--p = (char)('0' + u % 10);
		u /= 10;
	} while (u != 0);
	if (neg)
		*--p = '-';
	return wire_buf_append(b, p, (size_t)(tmp + sizeof(tmp) - p));
}

static int wire_encode_i64(struct wire_buf *b, int64_t v)
{
	/* -(v + 1) + 1 keeps INT64_MIN in range. */
	return v < 0 ? wire_encode_u64(b, true, (uint64_t)(-(v + 1)) + 1)
		     : wire_encode_u64(b, false, (uint64_t)v);
}

/* A gauge as %.15g prints it.  A whole number of magnitude below 1e15
   prints as that integer (%g switches to an exponent only from 10^15,
   and drops the point when nothing follows it), so it takes the integer
   path; -0 and everything else go through printf.  Only near the largest
   double does %.15g round beyond it ("1.79769313486232e+308" for
   DBL_MAX), text that reads back as infinity, which the decoder refuses
   with the whole batch: such a gauge gets the 17 digits that read back
   exactly (write_http prints the unreadable text). */
static int wire_encode_gauge(struct wire_buf *b, double g)
{
	if (g > -1e15 && g < 1e15 && g == (double)(int64_t)g &&
	    !(g == 0 && signbit(g)))
		return wire_encode_i64(b, (int64_t)g);
	if (fabs(g) >= WIRE_GAUGE_15_MAX)
		return wire_buf_printf(b, "%.17g", g);
	return wire_buf_printf(b, "%.15g", g);
}

static int wire_encode_value(struct wire_buf *b, const struct wire_value *v)
{
	switch (v->type) {
	case WIRE_GAUGE:
		if (!isfinite(v->v.gauge))
			return wire_buf_puts(b, "null");
		return wire_encode_gauge(b, v->v.gauge);
	case WIRE_DERIVE:
		return wire_encode_i64(b, v->v.derive);
	case WIRE_COUNTER:
		return wire_encode_u64(b, false, v->v.counter);
	case WIRE_ABSOLUTE:
		return wire_encode_u64(b, false, v->v.absolute);
	}
	return -EINVAL;
}

/* Seconds with three decimals; a non-finite time (never produced by
 * collectd) becomes null, which the decoder refuses. */
static int wire_encode_seconds(struct wire_buf *b, double s)
{
	if (!isfinite(s))
		return wire_buf_puts(b, "null");
	return wire_buf_printf(b, "%.3f", s);
}

static int wire_encode_arrays(struct wire_buf *b, const struct wire_record *r)
{
	int rc = wire_buf_puts(b, "{\"values\":[");

	for (size_t i = 0; rc == 0 && i < r->nvalues; i++) {
		if (i)
			rc = wire_buf_puts(b, ",");
		if (rc == 0)
			rc = wire_encode_value(b, &r->values[i]);
	}
	if (rc == 0)
		rc = wire_buf_puts(b, "],\"dstypes\":[");
	for (size_t i = 0; rc == 0 && i < r->nvalues; i++) {
		if (i)
			rc = wire_buf_puts(b, ",");
		if (rc == 0)
			rc = wire_buf_puts(b, "\"");
		if (rc == 0)
			rc = wire_buf_puts(
			    b, wire_dstype_names[r->values[i].type]);
		if (rc == 0)
			rc = wire_buf_puts(b, "\"");
	}
	if (rc == 0)
		rc = wire_buf_puts(b, "],\"dsnames\":[");
	for (size_t i = 0; rc == 0 && i < r->nvalues; i++) {
		if (i)
			rc = wire_buf_puts(b, ",");
		if (rc == 0)
			rc = wire_encode_string(b, r->values[i].dsname);
	}
	if (rc == 0)
		rc = wire_buf_puts(b, "]");
	return rc;
}

/*
 * Append one record.  Besides the -ENOMEM of the contract, a record with
 * nvalues outside 1..WIRE_VALUES_MAX or an unknown dstype gives -EINVAL;
 * either way b is left as it was.
 */
int wire_encode_record(struct wire_buf *b, const struct wire_record *r)
{
	const struct {
		const char *key;
		const char *val;
	} names[] = {
	    {",\"host\":", r->host},
	    {",\"plugin\":", r->plugin},
	    {",\"plugin_instance\":", r->plugin_instance},
	    {",\"type\":", r->type},
	    {",\"type_instance\":", r->type_instance},
	};
	size_t old_len = b->len;
	int rc;

	if (r->nvalues < 1 || r->nvalues > WIRE_VALUES_MAX)
		return -EINVAL;
	for (size_t i = 0; i < r->nvalues; i++) {
		if ((unsigned)r->values[i].type > WIRE_ABSOLUTE)
			return -EINVAL;
	}
	rc = wire_encode_arrays(b, r);
	if (rc == 0)
		rc = wire_buf_puts(b, ",\"time\":");
	if (rc == 0)
		rc = wire_encode_seconds(b, r->time);
	if (rc == 0)
		rc = wire_buf_puts(b, ",\"interval\":");
	if (rc == 0)
		rc = wire_encode_seconds(b, r->interval);
	for (size_t i = 0; rc == 0 && i < sizeof(names) / sizeof(names[0]);
	     i++) {
		rc = wire_buf_puts(b, names[i].key);
		if (rc == 0)
			rc = wire_encode_string(b, names[i].val);
	}
	if (rc == 0 && r->uuid[0]) {
		rc = wire_buf_puts(b, ",\"meta\":{\"" WIRE_UUID_META "\":");
		if (rc == 0)
			rc = wire_encode_string(b, r->uuid);
		if (rc == 0)
			rc = wire_buf_puts(b, "}");
	}
	if (rc == 0)
		rc = wire_buf_puts(b, "}");
	if (rc < 0) {
		b->len = old_len;
		if (b->data)
			b->data[old_len] = '\0';
	}
	return rc;
}
