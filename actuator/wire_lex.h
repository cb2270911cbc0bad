/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_lex.h: the JSON reader under the write_http decoder, private to
 * wire_dec.c and wire_lex.c (the public interface is wire.h).
 *
 * A parser walks one body; every reader returns 0 or -EINVAL with the
 * parser's error filled (record index, key, and for syntax errors the
 * line and column).
 */
#ifndef MOM_WIRE_LEX_H
#define MOM_WIRE_LEX_H

#ifndef MOM_WIRE_LEX_ALLOW
#error "wire_lex.h is private to the wire decoder"
#endif

#include <stdbool.h>
#include <stddef.h>

#include "wire.h"

#define WIRE_DEPTH_MAX                                                         \
	16		/* nesting of arrays and objects, the body's           \
			   own array included */
#define WIRE_NUM_MAX 64 /* longest number token kept, in bytes */

/* A value as read, before "dstypes" says what it is. */
struct wire_raw_value {
	bool is_null;
	bool is_integer; /* no fraction, no exponent */
	char text[WIRE_NUM_MAX];
};

struct wire_parser {
	const char *start, *p, *end;
	int line;
	const char *line_start;
	long record;	 /* index of the record being read, -1 outside */
	const char *key; /* key being read, NULL outside a member */
	struct wire_error *err;
};

/* An error of the record or key being read; returns -EINVAL. */
__attribute__((format(printf, 2, 3))) int wire_fail(struct wire_parser *ps,
						    const char *fmt, ...);
/* A JSON syntax error at the current position: with line and column. */
__attribute__((format(printf, 2, 3))) int
wire_fail_syntax(struct wire_parser *ps, const char *fmt, ...);
void wire_skip_ws(struct wire_parser *ps);
/* Skip whitespace, then the next byte must be c. */
int wire_expect(struct wire_parser *ps, char c);
/* The next non-blank byte, or 0 at the end; not consumed. */
char wire_peek(struct wire_parser *ps);
/*
 * Read one JSON string (the opening quote is next) into out, of size cap
 * (NUL included).  With out == NULL the string is only checked.  A string
 * that does not fit sets *truncated and is cut at a character boundary.
 */
int wire_string(struct wire_parser *ps, char *out, size_t cap, bool *truncated);
/* Read a number token per the JSON grammar into *rv. */
int wire_number(struct wire_parser *ps, struct wire_raw_value *rv);
/* A literal word (true, false, null) at the current position. */
bool wire_word(struct wire_parser *ps, const char *w);
/* Check and skip any JSON value; depth is that of its container. */
int wire_skip_value(struct wire_parser *ps, int depth);
/*
 * Is the next value of the wanted kind ('[', '{', '"' or '0' for a
 * number)?  If not, check that it is at least valid JSON (a syntax error
 * wins), then report the type error.
 */
int wire_want(struct wire_parser *ps, char kind, const char *what);
/*
 * Read an array of up to WIRE_VALUES_MAX elements, calling elem for each;
 * *n counts them.
 */
int wire_array(struct wire_parser *ps, size_t *n,
	       int (*elem)(struct wire_parser *, void *, size_t), void *ctx,
	       const char *what);

#endif /* MOM_WIRE_LEX_H */
