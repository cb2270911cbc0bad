/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_read.c: the reader of MOM's policy language (see
 * momlang_read.h): a recursive-descent parser over a position-tracking
 * scanner.  Nesting is bounded so that no input exhausts the stack.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "momlang_read.h"

struct reader {
	const char *p, *end;
	int line, col;
	struct policy_error *err;
};

__attribute__((format(printf, 4, 5))) static int
rd_error(struct reader *r, int line, int col, const char *fmt, ...)
{
	va_list ap;

	r->err->line = line;
	r->err->column = col;
	va_start(ap, fmt);
	vsnprintf(r->err->message, sizeof(r->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static void adv(struct reader *r)
{
	if (*r->p == '\n') {
		r->line++;
		r->col = 1;
	} else if ((*r->p & 0xc0) != 0x80) {
		r->col++; /* columns count characters, not UTF-8 bytes */
	}
	r->p++;
}

/* Whitespace and comments. */
static void skip_blank(struct reader *r)
{
	while (r->p < r->end) {
		if (isspace((unsigned char)*r->p)) {
			adv(r);
		} else if (*r->p == '#') {
			while (r->p < r->end && *r->p != '\n')
				adv(r);
		} else {
			break;
		}
	}
}

static bool sym_start(char ch)
{
	return isalpha((unsigned char)ch) || ch == '_';
}
static bool sym_char(char ch)
{
	return isalnum((unsigned char)ch) || ch == '_' || ch == '-' ||
	       ch == '.';
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
}

/* A number starts here: a digit, or '-' / '.' followed by one. */
static bool num_start(const struct reader *r)
{
	const char *p = r->p;

	if (p < r->end && *p == '-')
		p++;
	if (p < r->end && *p == '.')
		p++;
	return p < r->end && isdigit((unsigned char)*p);
}

static int read_number(struct reader *r, struct mnode *n)
{
	const char *s = r->p;
	char buf[128];
	size_t len;
	char *endp;
	bool is_float = false;

	while (r->p < r->end &&
	       (isalnum((unsigned char)*r->p) || *r->p == '.' ||
		((*r->p == '-' || *r->p == '+') && r->p > s &&
		 (r->p[-1] == 'e' || r->p[-1] == 'E')) ||
		(*r->p == '-' && r->p == s)))
		adv(r);
	len = (size_t)(r->p - s);
	if (len >= sizeof(buf))
		return rd_error(r, n->line, n->col, "number too long");
	memcpy(buf, s, len);
	buf[len] = '\0';
	n->kind = MK_NUM;
	errno = 0;
	{
		const char *digits = buf[0] == '-' ? buf + 1 : buf;
		const char *dot = strchr(buf, '.');

		if (digits != buf && digits[0] == '0' &&
		    (digits[1] == 'x' || digits[1] == 'X' ||
		     digits[1] == 'o')) {
			/* MOM's hex and octal have no sign: it reads -0x10 as
			   the operator '-' and 0x10, two forms. */
			endp = buf;
		} else if (dot && !isdigit((unsigned char)dot[1])) {
			/* MOM's float has digits after its '.': it reads 1.
			   as 1 and then ignores the rest of the text. */
			endp = buf;
		} else if (digits[0] == '0' &&
			   (digits[1] == 'x' || digits[1] == 'X')) {
			n->ival = strtoll(buf, &endp, 16);
		} else if (digits[0] == '0' && digits[1] == 'o') {
			char tmp[128];

			snprintf(tmp, sizeof(tmp), "%s", digits + 2);
			n->ival = strtoll(tmp, &endp, 8);
			endp = *endp || !digits[2] ? buf : buf + len;
		} else if (strpbrk(buf, ".eE")) {
			is_float = true;
			n->num = strtod(buf, &endp);
		} else if (digits[0] == '0' && digits[1]) {
			endp = buf; /* MOM refuses leading zeros */
		} else {
			n->ival = strtoll(buf, &endp, 10);
		}
	}
	if (*endp != '\0' || endp == buf)
		return rd_error(r, n->line, n->col, "malformed number '%s'",
				buf);
	/* A float too small for a double is 0 or subnormal, as MOM's
	   float() gives it (strtod reports ERANGE for that too). */
	if ((errno == ERANGE && !is_float) ||
	    (is_float && (n->num != n->num || n->num > 1.7976931348623157e308 ||
			  n->num < -1.7976931348623157e308)))
		return rd_error(r, n->line, n->col, "number out of range '%s'",
				buf);
	n->is_int = !is_float;
	if (n->is_int)
		n->num = (double)n->ival;
	return 0;
}

static int read_string(struct reader *r, struct mnode *n)
{
	char q = *r->p;
	const char *s;

	adv(r);
	s = r->p;
	while (r->p < r->end && *r->p != q) {
		/* MOM's escape is a backslash and any character but a line
		   end: a string with one did not scan, and MOM dropped the
		   rest of the text. */
		if (*r->p == '\\' && r->p + 1 < r->end && r->p[1] == '\n')
			return rd_error(r, r->line, r->col,
					"a backslash before a line end in a "
					"string");
		if (*r->p == '\\' && r->p + 1 < r->end)
			adv(r);
		adv(r);
	}
	if (r->p >= r->end)
		return rd_error(r, n->line, n->col, "unterminated string");
	n->kind = MK_STR;
	n->text = dup_range(s, (size_t)(r->p - s));
	adv(r);
	return n->text ? 0 : rd_error(r, n->line, n->col, "out of memory");
}

static const char *const operators[] = {
    "<<", ">>", "<=", ">=", "==", "!=", "+", "-", "*", "/", "<", ">"};

static int read_operator(struct reader *r, struct mnode *n)
{
	for (size_t i = 0; i < sizeof(operators) / sizeof(operators[0]); i++) {
		size_t l = strlen(operators[i]);

		if ((size_t)(r->end - r->p) >= l &&
		    memcmp(r->p, operators[i], l) == 0) {
			n->kind = MK_SYM;
			n->is_op = true;
			n->text = strdup(operators[i]);
			while (l--)
				adv(r);
			return n->text ? 0
				       : rd_error(r, n->line, n->col,
						  "out of memory");
		}
	}
	if (isprint((unsigned char)*r->p))
		return rd_error(r, n->line, n->col, "unexpected character '%c'",
				*r->p);
	return rd_error(r, n->line, n->col, "unexpected byte 0x%02x",
			(unsigned char)*r->p);
}

static int read_form(struct reader *r, struct mnode *n, int depth);

/* The forms up to the closing character close ('\0': end of text). */
static int read_seq(struct reader *r, struct mnode *n, char close, int depth)
{
	size_t cap = 0;

	for (;;) {
		struct mnode *k;

		skip_blank(r);
		if (r->p >= r->end) {
			if (!close)
				return 0;
			return rd_error(r, n->line, n->col,
					"'%c' is never closed (missing '%c')",
					close == ')'   ? '('
					: close == ']' ? '['
						       : '{',
					close);
		}
		if (*r->p == close) {
			adv(r);
			return 0;
		}
		if (*r->p == ')' || *r->p == ']' || *r->p == '}')
			return rd_error(r, r->line, r->col, "unexpected '%c'",
					*r->p);
		if (n->n == cap) {
			size_t nc = cap ? 2 * cap : 4;
			struct mnode *nk = realloc(n->kids, nc * sizeof(*nk));

			if (!nk)
				return rd_error(r, r->line, r->col,
						"out of memory");
			n->kids = nk;
			cap = nc;
		}
		k = &n->kids[n->n++];
		memset(k, 0, sizeof(*k));
		if (read_form(r, k, depth + 1) < 0)
			return -1;
	}
}

static int read_form(struct reader *r, struct mnode *n, int depth)
{
	char ch = *r->p;

	n->line = r->line;
	n->col = r->col;
	if (depth > MOMREAD_MAX_DEPTH)
		return rd_error(r, n->line, n->col,
				"forms nested deeper than %d levels",
				MOMREAD_MAX_DEPTH);
	if (ch == '(' || ch == '[' || ch == '{') {
		adv(r);
		n->kind = ch == '{' ? MK_BLOCK : MK_LIST;
		return read_seq(r, n,
				ch == '('   ? ')'
				: ch == '[' ? ']'
					    : '}',
				depth);
	}
	if (ch == '"' || ch == '\'')
		return read_string(r, n);
	if (num_start(r))
		return read_number(r, n);
	if (sym_start(ch)) {
		const char *s = r->p;

		while (r->p < r->end && sym_char(*r->p))
			adv(r);
		n->kind = MK_SYM;
		n->text = dup_range(s, (size_t)(r->p - s));
		return n->text ? 0
			       : rd_error(r, n->line, n->col, "out of memory");
	}
	return read_operator(r, n);
}

/* Length of the valid UTF-8 sequence at p (strict), or 0. */
static size_t utf8_len(const unsigned char *p, const unsigned char *end)
{
	size_t n;
	unsigned cp;

	if (*p < 0x80)
		return 1;
	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2, cp = *p & 0x1f;
	else if (*p >= 0xe0 && *p <= 0xef)
		n = 3, cp = *p & 0x0f;
	else if (*p >= 0xf0 && *p <= 0xf4)
		n = 4, cp = *p & 0x07;
	else
		return 0;
	if ((size_t)(end - p) < n)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3f);
	}
	if ((n == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (n == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return n;
}

/* Refuse a NUL byte or invalid UTF-8, at its position. */
static int check_bytes(struct reader *r)
{
	const unsigned char *p = (const unsigned char *)r->p;
	const unsigned char *end = (const unsigned char *)r->end;
	int line = 1, col = 1;

	while (p < end) {
		size_t n = *p ? utf8_len(p, end) : 0;

		if (!n)
			return rd_error(r, line, col,
					*p ? "invalid UTF-8" : "a NUL byte");
		if (*p == '\n')
			line++, col = 1;
		else
			col++;
		p += n;
	}
	return 0;
}

int momread(const char *text, size_t len, struct mnode *top,
	    struct policy_error *err)
{
	struct reader r = {text, text + len, 1, 1, err};

	memset(top, 0, sizeof(*top));
	top->kind = MK_BLOCK;
	top->line = top->col = 1;
	if (check_bytes(&r) < 0)
		return -1;
	return read_seq(&r, top, '\0', 0);
}

void momread_free(struct mnode *n)
{
	for (size_t i = 0; i < n->n; i++)
		momread_free(&n->kids[i]);
	free(n->kids);
	free(n->text);
	n->kids = NULL;
	n->text = NULL;
	n->n = 0;
}
