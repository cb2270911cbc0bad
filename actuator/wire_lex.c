/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_lex.c: the strict JSON reader under the write_http decoder
 * (wire_lex.h).
 *
 * A small hand-written reader rather than jansson: counters and absolutes
 * use the whole uint64_t range, which jansson's json_int_t cannot hold, so
 * numbers are kept as text until the decoder knows their type; and errors
 * can name the line and column.  It is strict: invalid UTF-8, "\u0000",
 * lone surrogates and nesting deeper than WIRE_DEPTH_MAX are errors.
 * Reentrant; never logs (the decoder is shared code).
 */
#define MOM_WIRE_LEX_ALLOW
#include "wire_lex.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

__attribute__((format(printf, 2, 3))) int wire_fail(struct wire_parser *ps,
						    const char *fmt, ...)
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
__attribute__((format(printf, 2, 3))) int
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

void wire_skip_ws(struct wire_parser *ps)
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
int wire_expect(struct wire_parser *ps, char c)
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
char wire_peek(struct wire_parser *ps)
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

/* A byte that stands for itself in a JSON string: printable ASCII
   other than the quote and the backslash. */
static inline bool wire_plain(unsigned char c)
{
	return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
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
int wire_string(struct wire_parser *ps, char *out, size_t cap, bool *truncated)
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

		if (wire_plain(c)) {
			/* A run of plain ASCII, nearly all of every name:
			   copied at once, each byte its own character. */
			const char *run = ps->p;
			size_t n,
			    room = out && cap > len + 1 ? cap - 1 - len : 0;

			while (ps->p < ps->end && wire_plain(*ps->p))
				ps->p++;
			n = (size_t)(ps->p - run);
			if (out && !full) {
				if (n > room) {
					n = room;
					full = true;
				}
				memcpy(out + len, run, n);
				len += n;
				out[len] = '\0';
			}
			continue;
		}
		if (c < 0x20)
			return wire_fail_syntax(
			    ps, "control character in a string");
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
int wire_number(struct wire_parser *ps, struct wire_raw_value *rv)
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
bool wire_word(struct wire_parser *ps, const char *w)
{
	size_t n = strlen(w);

	if ((size_t)(ps->end - ps->p) < n || memcmp(ps->p, w, n) != 0)
		return false;
	ps->p += n;
	return true;
}

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
int wire_skip_value(struct wire_parser *ps, int depth)
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
			return wire_fail_syntax(
			    ps, "expected a value, found the end");
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
int wire_want(struct wire_parser *ps, char kind, const char *what)
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
int wire_array(struct wire_parser *ps, size_t *n,
	       int (*elem)(struct wire_parser *, void *, size_t), void *ctx,
	       const char *what)
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
