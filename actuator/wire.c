/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.c: collectd's write_http JSON format, encoded and strictly decoded.
 *
 * Encoding reproduces, byte for byte, what stock write_http (collectd 5.12,
 * Format "JSON") prints for a value list without meta; the fixtures in
 * tests/data/wire/ were captured from the real plugin.  Strings are escaped
 * as write_http does it: '"' and '\' get a backslash, every byte below 0x20
 * or above 0x7f becomes '?', everything else is copied.
 *
 * Decoding is a small hand-written parser rather than jansson, for three
 * reasons: counters and absolutes use the whole uint64_t range, which
 * jansson's json_int_t cannot hold; a value's type is only known once
 * "dstypes" (which follows "values") has been read, so numbers are kept as
 * text until the record is complete; and errors can name the record index,
 * the key and, for syntax errors, the line and column.  The parser is
 * strict: duplicate keys, unknown keys, trailing bytes, invalid UTF-8,
 * "\u0000" and nesting deeper than WIRE_DEPTH_MAX are errors.  Records go
 * into a growing array that is handed over only when the whole body is
 * valid.
 *
 * Threading: no state outside the caller's arguments; every function is
 * reentrant.  This file runs inside collectd too, so it never logs.
 */
#include "wire.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define WIRE_DEPTH_MAX 16 /* nesting of arrays and objects, the body's
			     own array included */
#define WIRE_NUM_MAX   64 /* longest number token kept, in bytes */

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

static const char *const wire_dstype_names[] = {
	[WIRE_GAUGE] = "gauge",
	[WIRE_DERIVE] = "derive",
	[WIRE_COUNTER] = "counter",
	[WIRE_ABSOLUTE] = "absolute",
};

double wire_value_as_double(const struct wire_value *v)
{
	switch (v->type) {
	case WIRE_GAUGE:
		return v->v.gauge;
	case WIRE_DERIVE:
		return (double)v->v.derive;
	case WIRE_COUNTER:
		return (double)v->v.counter;
	case WIRE_ABSOLUTE:
		return (double)v->v.absolute;
	}
	return NAN;
}

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

static int wire_encode_value(struct wire_buf *b, const struct wire_value *v)
{
	switch (v->type) {
	case WIRE_GAUGE:
		if (!isfinite(v->v.gauge))
			return wire_buf_puts(b, "null");
		return wire_buf_printf(b, "%.15g", v->v.gauge);
	case WIRE_DERIVE:
		return wire_buf_printf(b, "%" PRId64, v->v.derive);
	case WIRE_COUNTER:
		return wire_buf_printf(b, "%" PRIu64, v->v.counter);
	case WIRE_ABSOLUTE:
		return wire_buf_printf(b, "%" PRIu64, v->v.absolute);
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
		rc = wire_buf_printf(b, "%s\"%s\"", i ? "," : "",
				     wire_dstype_names[r->values[i].type]);
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

/* ------------------------------------------------------------------ */
/* Decoding                                                            */

/* The keys of a record, as bits of a "seen" mask. */
enum wire_key {
	WK_VALUES,
	WK_DSTYPES,
	WK_DSNAMES,
	WK_TIME,
	WK_INTERVAL,
	WK_HOST,
	WK_PLUGIN,
	WK_PLUGIN_INSTANCE,
	WK_TYPE,
	WK_TYPE_INSTANCE,
	WK_META,
	WK_COUNT,
};

static const char *const wire_key_names[WK_COUNT] = {
	[WK_VALUES] = "values",
	[WK_DSTYPES] = "dstypes",
	[WK_DSNAMES] = "dsnames",
	[WK_TIME] = "time",
	[WK_INTERVAL] = "interval",
	[WK_HOST] = "host",
	[WK_PLUGIN] = "plugin",
	[WK_PLUGIN_INSTANCE] = "plugin_instance",
	[WK_TYPE] = "type",
	[WK_TYPE_INSTANCE] = "type_instance",
	[WK_META] = "meta",
};

/* A value as read, before "dstypes" says what it is. */
struct wire_raw_value {
	bool is_null;
	bool is_integer; /* no fraction, no exponent */
	char text[WIRE_NUM_MAX];
};

/* One record being read. */
struct wire_raw_record {
	unsigned seen; /* bit per enum wire_key */
	size_t nvalues, ndstypes, ndsnames;
	struct wire_raw_value values[WIRE_VALUES_MAX];
	enum wire_dstype dstypes[WIRE_VALUES_MAX];
};

struct wire_parser {
	const char *start, *p, *end;
	int line;
	const char *line_start;
	long record;	 /* index of the record being read, -1 outside */
	const char *key; /* key being read, NULL outside a member */
	struct wire_error *err;
};

__attribute__((format(printf, 2, 3))) static int
wire_fail(struct wire_parser *ps, const char *fmt, ...)
{
	struct wire_error *e = ps->err;
	va_list ap;

	e->record = ps->record;
	snprintf(e->field, sizeof(e->field), "%s", ps->key ? ps->key : "");
	e->line = e->column = 0;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A JSON syntax error at the current position: with line and column. */
__attribute__((format(printf, 2, 3))) static int
wire_fail_syntax(struct wire_parser *ps, const char *fmt, ...)
{
	struct wire_error *e = ps->err;
	va_list ap;

	e->record = ps->record;
	snprintf(e->field, sizeof(e->field), "%s", ps->key ? ps->key : "");
	e->line = ps->line;
	e->column = (int)(ps->p - ps->line_start) + 1;
	va_start(ap, fmt);
	vsnprintf(e->message, sizeof(e->message), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

static void wire_skip_ws(struct wire_parser *ps)
{
	while (ps->p < ps->end) {
		char c = *ps->p;

		if (c == '\n') {
			ps->line++;
			ps->line_start = ps->p + 1;
		} else if (c != ' ' && c != '\t' && c != '\r') {
			return;
		}
		ps->p++;
	}
}

/* Skip whitespace, then the next byte must be c. */
static int wire_expect(struct wire_parser *ps, char c)
{
	wire_skip_ws(ps);
	if (ps->p >= ps->end)
		return wire_fail_syntax(ps, "expected '%c', found the end", c);
	if (*ps->p != c)
		return wire_fail_syntax(ps, "expected '%c'", c);
	ps->p++;
	return 0;
}

/* The next non-blank byte, or 0 at the end; not consumed. */
static char wire_peek(struct wire_parser *ps)
{
	wire_skip_ws(ps);
	return ps->p < ps->end ? *ps->p : '\0';
}

static int wire_hex4(struct wire_parser *ps, unsigned *out)
{
	unsigned v = 0;

	if (ps->end - ps->p < 4)
		return wire_fail_syntax(ps, "truncated \\u escape");
	for (int i = 0; i < 4; i++) {
		char c = ps->p[i];

		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return wire_fail_syntax(ps, "bad \\u escape");
	}
	ps->p += 4;
	*out = v;
	return 0;
}

/* A \u escape (the "\u" already consumed) as a code point. */
static int wire_unicode_escape(struct wire_parser *ps, unsigned *cp)
{
	unsigned hi, lo;

	if (wire_hex4(ps, &hi) < 0)
		return -EINVAL;
	if (hi >= 0xdc00 && hi <= 0xdfff)
		return wire_fail_syntax(ps, "lone low surrogate in \\u escape");
	if (hi < 0xd800 || hi > 0xdbff) {
		*cp = hi;
	} else {
		if (ps->end - ps->p < 2 || ps->p[0] != '\\' || ps->p[1] != 'u')
			return wire_fail_syntax(ps, "lone high surrogate");
		ps->p += 2;
		if (wire_hex4(ps, &lo) < 0)
			return -EINVAL;
		if (lo < 0xdc00 || lo > 0xdfff)
			return wire_fail_syntax(ps, "bad surrogate pair");
		*cp = 0x10000 + ((hi - 0xd800) << 10) + (lo - 0xdc00);
	}
	if (*cp == 0)
		return wire_fail_syntax(ps, "\\u0000 in a string");
	return 0;
}

/* Length of the valid UTF-8 sequence at p (lead byte >= 0x80), or 0. */
static size_t wire_utf8_len(const unsigned char *p, size_t avail)
{
	unsigned char c = p[0];
	size_t n;
	unsigned min, cp;

	if (c >= 0xc2 && c <= 0xdf) {
		n = 2, min = 0x80, cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 3, min = 0x800, cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4, min = 0x10000, cp = c & 0x07;
	} else {
		return 0;
	}
	if (avail < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

/* Store code point cp as UTF-8 into out (size cap), tracking *len. */
static bool wire_put_utf8(char *out, size_t cap, size_t *len, unsigned cp)
{
	unsigned char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		u[0] = (unsigned char)(0xc0 | (cp >> 6));
		u[1] = (unsigned char)(0x80 | (cp & 0x3f)), n = 2;
	} else if (cp < 0x10000) {
		u[0] = (unsigned char)(0xe0 | (cp >> 12));
		u[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (unsigned char)(0x80 | (cp & 0x3f)), n = 3;
	} else {
		u[0] = (unsigned char)(0xf0 | (cp >> 18));
		u[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (unsigned char)(0x80 | (cp & 0x3f)), n = 4;
	}
	if (*len + n >= cap)
		return false;
	memcpy(out + *len, u, n);
	*len += n;
	out[*len] = '\0';
	return true;
}

/* The one-character escapes after a backslash. */
static int wire_simple_escape(char c)
{
	switch (c) {
	case '"':
	case '\\':
	case '/':
		return c;
	case 'b':
		return '\b';
	case 'f':
		return '\f';
	case 'n':
		return '\n';
	case 'r':
		return '\r';
	case 't':
		return '\t';
	}
	return -1;
}

/*
 * Read one JSON string (the opening quote is next) into out, of size cap
 * (NUL included).  With out == NULL the string is only checked.  A string
 * that does not fit sets *truncated and is cut at a character boundary.
 */
static int wire_string(struct wire_parser *ps, char *out, size_t cap,
		       bool *truncated)
{
	size_t len = 0;
	bool full = false;

	if (out)
		out[0] = '\0';
	if (wire_expect(ps, '"') < 0)
		return -EINVAL;
	while (ps->p < ps->end && *ps->p != '"') {
		unsigned char c = (unsigned char)*ps->p;
		unsigned cp;

		if (c < 0x20)
			return wire_fail_syntax(ps, "control character in a string");
		if (c == '\\') {
			int e;

			if (++ps->p >= ps->end)
				break;
			e = wire_simple_escape(*ps->p);
			if (e < 0 && *ps->p != 'u')
				return wire_fail_syntax(ps, "bad escape");
			ps->p++;
			if (e >= 0)
				cp = (unsigned)e;
			else if (wire_unicode_escape(ps, &cp) < 0)
				return -EINVAL;
		} else if (c >= 0x80) {
			size_t n = wire_utf8_len((const unsigned char *)ps->p,
						 (size_t)(ps->end - ps->p));

			if (n == 0)
				return wire_fail_syntax(ps, "invalid UTF-8");
			if (out && !full && len + n < cap) {
				memcpy(out + len, ps->p, n);
				len += n;
				out[len] = '\0';
			} else {
				full = true;
			}
			ps->p += n;
			continue;
		} else {
			cp = c;
			ps->p++;
		}
		if (out && !full && !wire_put_utf8(out, cap, &len, cp))
			full = true;
	}
	if (ps->p >= ps->end)
		return wire_fail_syntax(ps, "unterminated string");
	ps->p++;
	if (truncated)
		*truncated = full;
	return 0;
}

/* Read a number token per the JSON grammar into *rv. */
static int wire_number(struct wire_parser *ps, struct wire_raw_value *rv)
{
	const char *s = ps->p, *q = s;

	rv->is_null = false;
	rv->is_integer = true;
	if (q < ps->end && *q == '-')
		q++;
	if (q < ps->end && *q == '0') {
		q++;
	} else if (q < ps->end && *q >= '1' && *q <= '9') {
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	} else {
		ps->p = q;
		return wire_fail_syntax(ps, "expected a value");
	}
	if (q < ps->end && *q == '.') {
		rv->is_integer = false;
		if (++q >= ps->end || *q < '0' || *q > '9') {
			ps->p = q;
			return wire_fail_syntax(ps, "expected a digit");
		}
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if (q < ps->end && (*q == 'e' || *q == 'E')) {
		rv->is_integer = false;
		q++;
		if (q < ps->end && (*q == '+' || *q == '-'))
			q++;
		if (q >= ps->end || *q < '0' || *q > '9') {
			ps->p = q;
			return wire_fail_syntax(ps, "expected a digit");
		}
		while (q < ps->end && *q >= '0' && *q <= '9')
			q++;
	}
	if ((size_t)(q - s) >= sizeof(rv->text))
		return wire_fail(ps, "number longer than %d bytes",
				 WIRE_NUM_MAX - 1);
	memcpy(rv->text, s, (size_t)(q - s));
	rv->text[q - s] = '\0';
	ps->p = q;
	return 0;
}

/* A literal word (true, false, null) at the current position. */
static bool wire_word(struct wire_parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

static int wire_skip_value(struct wire_parser *ps, int depth);

/* Skip an array or object (its opening byte is next). */
static int wire_skip_container(struct wire_parser *ps, int depth)
{
	char close = *ps->p == '[' ? ']' : '}';

	if (depth > WIRE_DEPTH_MAX)
		return wire_fail_syntax(ps, "nested deeper than %d",
					WIRE_DEPTH_MAX);
	ps->p++;
	if (wire_peek(ps) == close) {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (close == '}' && (wire_string(ps, NULL, 0, NULL) < 0 ||
				     wire_expect(ps, ':') < 0))
			return -EINVAL;
		if (wire_skip_value(ps, depth) < 0)
			return -EINVAL;
		if (wire_peek(ps) == close) {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

/* Check and skip any JSON value; depth is that of its container. */
static int wire_skip_value(struct wire_parser *ps, int depth)
{
	struct wire_raw_value rv;

	switch (wire_peek(ps)) {
	case '[':
	case '{':
		return wire_skip_container(ps, depth + 1);
	case '"':
		return wire_string(ps, NULL, 0, NULL);
	case 't':
	case 'f':
	case 'n':
		if (wire_word(ps, "true") || wire_word(ps, "false") ||
		    wire_word(ps, "null"))
			return 0;
		return wire_fail_syntax(ps, "expected a value");
	case '\0':
		if (ps->p >= ps->end)
			return wire_fail_syntax(ps, "expected a value, found the end");
		return wire_fail_syntax(ps, "expected a value");
	default:
		return wire_number(ps, &rv);
	}
}

/* A short description of the JSON value that starts at the next byte. */
static const char *wire_kind(struct wire_parser *ps)
{
	switch (wire_peek(ps)) {
	case '[':
		return "an array";
	case '{':
		return "an object";
	case '"':
		return "a string";
	case 't':
	case 'f':
		return "a boolean";
	case 'n':
		return "null";
	default:
		return "a number";
	}
}

/*
 * Is the next value of the wanted kind ('[', '{', '"' or '0' for a
 * number)?  If not, check that it is at least valid JSON (a syntax error
 * wins), then report the type error.
 */
static int wire_want(struct wire_parser *ps, char kind, const char *what)
{
	char c = wire_peek(ps);
	bool num = c == '-' || (c >= '0' && c <= '9');
	const char *found;

	if ((kind == '0' && num) || (kind != '0' && c == kind))
		return 0;
	found = wire_kind(ps);
	if (wire_skip_value(ps, 2) < 0)
		return -EINVAL;
	return wire_fail(ps, "must be %s, not %s", what, found);
}

/*
 * Read an array of up to WIRE_VALUES_MAX elements, calling elem for each;
 * *n counts them.
 */
static int wire_array(struct wire_parser *ps, size_t *n,
		      int (*elem)(struct wire_parser *, void *, size_t),
		      void *ctx, const char *what)
{
	if (wire_want(ps, '[', what) < 0)
		return -EINVAL;
	ps->p++;
	*n = 0;
	if (wire_peek(ps) == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (*n >= WIRE_VALUES_MAX)
			return wire_fail(ps, "more than %d elements",
					 WIRE_VALUES_MAX);
		if (elem(ps, ctx, *n) < 0)
			return -EINVAL;
		(*n)++;
		if (wire_peek(ps) == ']') {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

static int wire_elem_value(struct wire_parser *ps, void *ctx, size_t i)
{
	struct wire_raw_value *rv = &((struct wire_raw_record *)ctx)->values[i];

	if (wire_peek(ps) == 'n' && wire_word(ps, "null")) {
		rv->is_null = true;
		rv->text[0] = '\0';
		return 0;
	}
	if (wire_want(ps, '0', "an array of numbers or null") < 0)
		return -EINVAL;
	return wire_number(ps, rv);
}

static int wire_elem_dstype(struct wire_parser *ps, void *ctx, size_t i)
{
	struct wire_raw_record *raw = ctx;
	char name[16];
	bool trunc = false;

	if (wire_want(ps, '"', "an array of strings") < 0)
		return -EINVAL;
	if (wire_string(ps, name, sizeof(name), &trunc) < 0)
		return -EINVAL;
	for (int t = WIRE_GAUGE; !trunc && t <= WIRE_ABSOLUTE; t++) {
		if (strcmp(name, wire_dstype_names[t]) == 0) {
			raw->dstypes[i] = (enum wire_dstype)t;
			return 0;
		}
	}
	return wire_fail(ps, "unknown data source type \"%s%s\"", name,
			 trunc ? "..." : "");
}

/* A name into a WIRE_NAME_MAX buffer; too long is an error. */
static int wire_name(struct wire_parser *ps, char *out)
{
	bool trunc = false;

	if (wire_want(ps, '"', "a string") < 0)
		return -EINVAL;
	if (wire_string(ps, out, WIRE_NAME_MAX, &trunc) < 0)
		return -EINVAL;
	if (trunc)
		return wire_fail(ps, "longer than %d bytes", WIRE_NAME_MAX - 1);
	return 0;
}

static int wire_elem_dsname(struct wire_parser *ps, void *ctx, size_t i)
{
	return wire_name(ps, ((struct wire_record *)ctx)->values[i].dsname);
}

/* time or interval: a finite number of seconds. */
static int wire_seconds(struct wire_parser *ps, double *out, bool nonneg)
{
	struct wire_raw_value rv;

	if (wire_want(ps, '0', "a number") < 0)
		return -EINVAL;
	if (wire_number(ps, &rv) < 0)
		return -EINVAL;
	*out = strtod(rv.text, NULL);
	if (!isfinite(*out))
		return wire_fail(ps, "must be finite");
	if (nonneg && *out < 0)
		return wire_fail(ps, "must not be negative");
	return 0;
}

/* Is s a UUID ("8-4-4-4-12" hex digits)?  Lower-cases it in place, so
   that one domain has one key whatever the sender's case. */
static bool wire_uuid_ok(char *s)
{
	for (int i = 0; i < WIRE_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
		s[i] = (char)tolower((unsigned char)s[i]);
	}
	return s[WIRE_UUID_LEN] == '\0';
}

/* The meta object (its '{' is next): keep mom:uuid, skip the rest. */
static int wire_meta(struct wire_parser *ps, struct wire_record *r)
{
	char key[sizeof(WIRE_UUID_META) + 1];
	bool trunc;

	ps->p++;
	if (wire_peek(ps) == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (wire_peek(ps) != '"')
			return wire_fail_syntax(ps, "expected a key");
		if (wire_string(ps, key, sizeof(key), &trunc) < 0 ||
		    wire_expect(ps, ':') < 0)
			return -EINVAL;
		if (!trunc && strcmp(key, WIRE_UUID_META) == 0) {
			char u[WIRE_UUID_LEN + 2];

			if (wire_want(ps, '"', "a string") < 0 ||
			    wire_string(ps, u, sizeof(u), &trunc) < 0)
				return -EINVAL;
			if (trunc || !wire_uuid_ok(u))
				return wire_fail(ps, WIRE_UUID_META
						 " is not a UUID");
			memcpy(r->uuid, u, sizeof(r->uuid));
		} else if (wire_skip_value(ps, 3) < 0) {
			return -EINVAL;
		}
		if (wire_peek(ps) == '}') {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

/* Read the value of key k (after the colon) into the record. */
static int wire_member(struct wire_parser *ps, enum wire_key k,
		       struct wire_raw_record *raw, struct wire_record *r)
{
	switch (k) {
	case WK_VALUES:
		return wire_array(ps, &raw->nvalues, wire_elem_value, raw,
				  "an array");
	case WK_DSTYPES:
		return wire_array(ps, &raw->ndstypes, wire_elem_dstype, raw,
				  "an array");
	case WK_DSNAMES:
		return wire_array(ps, &raw->ndsnames, wire_elem_dsname, r,
				  "an array");
	case WK_TIME:
		return wire_seconds(ps, &r->time, false);
	case WK_INTERVAL:
		return wire_seconds(ps, &r->interval, true);
	case WK_HOST:
		return wire_name(ps, r->host);
	case WK_PLUGIN:
		return wire_name(ps, r->plugin);
	case WK_PLUGIN_INSTANCE:
		return wire_name(ps, r->plugin_instance);
	case WK_TYPE:
		return wire_name(ps, r->type);
	case WK_TYPE_INSTANCE:
		return wire_name(ps, r->type_instance);
	case WK_META:
		if (wire_want(ps, '{', "an object") < 0)
			return -EINVAL;
		return wire_meta(ps, r);
	case WK_COUNT:
		break;
	}
	return -EINVAL;
}

/* Convert raw value i, now that its type is known. */
static int wire_convert(struct wire_parser *ps, const struct wire_raw_value *rv,
			enum wire_dstype t, struct wire_value *v)
{
	char *end;

	v->type = t;
	if (t == WIRE_GAUGE) {
		v->v.gauge = rv->is_null ? NAN : strtod(rv->text, &end);
		if (!rv->is_null && !isfinite(v->v.gauge))
			return wire_fail(ps, "gauge %s is not finite",
					 rv->text);
		return 0;
	}
	if (rv->is_null)
		return wire_fail(ps, "%s value is null",
				 wire_dstype_names[t]);
	if (!rv->is_integer)
		return wire_fail(ps, "%s value %s is not an integer",
				 wire_dstype_names[t], rv->text);
	errno = 0;
	if (t == WIRE_DERIVE) {
		v->v.derive = strtoll(rv->text, &end, 10);
	} else if (rv->text[0] == '-') {
		return wire_fail(ps, "%s value %s is negative",
				 wire_dstype_names[t], rv->text);
	} else if (t == WIRE_COUNTER) {
		v->v.counter = strtoull(rv->text, &end, 10);
	} else {
		v->v.absolute = strtoull(rv->text, &end, 10);
	}
	if (errno == ERANGE)
		return wire_fail(ps, "%s value %s is out of range",
				 wire_dstype_names[t], rv->text);
	return 0;
}

/* The record is complete: check presence and lengths, convert values. */
static int wire_finish(struct wire_parser *ps, struct wire_raw_record *raw,
		       struct wire_record *r)
{
	for (int k = 0; k < WK_META; k++) {
		if (!(raw->seen & (1u << k))) {
			ps->key = wire_key_names[k];
			return wire_fail(ps, "missing");
		}
	}
	ps->key = wire_key_names[WK_VALUES];
	if (raw->nvalues == 0)
		return wire_fail(ps, "is empty");
	if (raw->ndstypes != raw->nvalues) {
		ps->key = wire_key_names[WK_DSTYPES];
		return wire_fail(ps, "has %zu elements, values has %zu",
				 raw->ndstypes, raw->nvalues);
	}
	if (raw->ndsnames != raw->nvalues) {
		ps->key = wire_key_names[WK_DSNAMES];
		return wire_fail(ps, "has %zu elements, values has %zu",
				 raw->ndsnames, raw->nvalues);
	}
	r->nvalues = raw->nvalues;
	for (size_t i = 0; i < raw->nvalues; i++) {
		if (wire_convert(ps, &raw->values[i], raw->dstypes[i],
				 &r->values[i]) < 0)
			return -EINVAL;
	}
	ps->key = NULL;
	return 0;
}

/* Look a key up; WK_COUNT when unknown. */
static enum wire_key wire_key_find(const char *name)
{
	for (int k = 0; k < WK_COUNT; k++) {
		if (strcmp(name, wire_key_names[k]) == 0)
			return (enum wire_key)k;
	}
	return WK_COUNT;
}

/* Read one record object (its '{' is next) into *r. */
static int wire_record_read(struct wire_parser *ps, struct wire_record *r)
{
	struct wire_raw_record raw = {0};
	char key[sizeof(ps->err->field)];
	bool trunc;
	enum wire_key k;

	memset(r, 0, sizeof(*r));
	ps->p++;
	if (wire_peek(ps) == '}') {
		ps->p++;
		return wire_finish(ps, &raw, r);
	}
	for (;;) {
		if (wire_peek(ps) != '"')
			return wire_fail_syntax(ps, "expected a key");
		if (wire_string(ps, key, sizeof(key), &trunc) < 0)
			return -EINVAL;
		ps->key = key;
		k = trunc ? WK_COUNT : wire_key_find(key);
		if (k == WK_COUNT)
			return wire_fail(ps, "unknown key");
		if (raw.seen & (1u << k))
			return wire_fail(ps, "duplicate key");
		raw.seen |= 1u << k;
		ps->key = wire_key_names[k];
		if (wire_expect(ps, ':') < 0 || wire_member(ps, k, &raw, r) < 0)
			return -EINVAL;
		ps->key = NULL;
		if (wire_peek(ps) == '}') {
			ps->p++;
			return wire_finish(ps, &raw, r);
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

/* Append one more record slot to the batch, growing it geometrically. */
static struct wire_record *wire_batch_grow(struct wire_batch *b, size_t *cap)
{
	if (b->n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 16;
		struct wire_record *p = reallocarray(b->records, ncap,
						     sizeof(*p));

		if (!p)
			return NULL;
		b->records = p;
		*cap = ncap;
	}
	return &b->records[b->n];
}

/* The body's array of records (its '[' is next). */
static int wire_records(struct wire_parser *ps, size_t max_records,
			struct wire_batch *out)
{
	size_t cap = 0;
	struct wire_record *r;

	ps->p++;
	if (wire_peek(ps) == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		ps->record = (long)out->n;
		if (out->n >= max_records)
			return wire_fail(ps, "more than %zu records",
					 max_records);
		if (wire_want(ps, '{', "an object") < 0)
			return -EINVAL;
		r = wire_batch_grow(out, &cap);
		if (!r)
			return -ENOMEM;
		if (wire_record_read(ps, r) < 0)
			return -EINVAL;
		out->n++;
		ps->record = -1;
		if (wire_peek(ps) == ']') {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

int wire_batch_decode(const char *body, size_t len, size_t max_records,
		      struct wire_batch *batch, struct wire_error *err)
{
	struct wire_batch tmp = {0, NULL};
	struct wire_error scratch;
	struct wire_parser ps = {
		.start = body,
		.p = body,
		.end = body + len,
		.line = 1,
		.line_start = body,
		.record = -1,
		.key = NULL,
		.err = err ? err : &scratch,
	};
	int rc;

	*ps.err = (struct wire_error){.record = -1};
	batch->n = 0;
	batch->records = NULL;
	if (!body) {
		if (len)
			return wire_fail(&ps, "no body");
		ps.start = ps.p = ps.end = ps.line_start = "";
	}
	if (wire_peek(&ps) != '[') {
		if (ps.p >= ps.end)
			rc = wire_fail_syntax(&ps, "empty body");
		else if (wire_peek(&ps) == '{')
			rc = wire_fail(&ps, "body must be an array, not an object");
		else
			rc = wire_fail_syntax(&ps, "expected '['");
		goto out;
	}
	rc = wire_records(&ps, max_records, &tmp);
	if (rc < 0)
		goto out;
	wire_skip_ws(&ps);
	if (ps.p < ps.end)
		rc = wire_fail_syntax(&ps, "trailing data after the array");
out:
	if (rc < 0) {
		if (rc == -ENOMEM)
			wire_fail(&ps, "out of memory");
		wire_batch_free(&tmp);
		return rc;
	}
	*batch = tmp;
	return 0;
}

void wire_batch_free(struct wire_batch *batch)
{
	if (!batch)
		return;
	free(batch->records);
	batch->records = NULL;
	batch->n = 0;
}
