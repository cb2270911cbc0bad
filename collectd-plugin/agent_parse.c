/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_parse.c: strict parsers for a guest's /proc/pressure/memory,
 * /proc/vmstat and /proc/meminfo as read through qemu-guest-agent (see
 * agent_parse.h).  The text comes from a guest that may be hostile, so
 * every byte is checked: printable ASCII lines ending in '\n', the exact
 * line shapes the Linux kernel prints, decimal numbers that fit their
 * type, no key given twice, the file's anchor line present.  Results go to a
 * scratch copy first, so a refused text changes nothing.
 */
#include "agent_parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const field_names[AGENT_FIELD_NR] = {
    [AGENT_PSI_SOME_AVG10_CPCT] = "psi_some_avg10",
    [AGENT_PSI_SOME_AVG60_CPCT] = "psi_some_avg60",
    [AGENT_PSI_SOME_TOTAL_US] = "psi_some_total",
    [AGENT_PSI_FULL_AVG10_CPCT] = "psi_full_avg10",
    [AGENT_PSI_FULL_AVG60_CPCT] = "psi_full_avg60",
    [AGENT_PSI_FULL_TOTAL_US] = "psi_full_total",
    [AGENT_OOM_KILL_EVENTS] = "oom_kill",
    [AGENT_PGMAJFAULT_EVENTS] = "pgmajfault",
    [AGENT_PSWPIN_PAGES] = "pswpin",
    [AGENT_PSWPOUT_PAGES] = "pswpout",
    [AGENT_ALLOCSTALL_EVENTS] = "allocstall",
    [AGENT_MEM_TOTAL_KIB] = "mem_total",
    [AGENT_MEM_AVAILABLE_KIB] = "mem_available",
    [AGENT_SWAP_TOTAL_KIB] = "swap_total",
    [AGENT_SWAP_FREE_KIB] = "swap_free",
};

const char *agent_field_name(enum agent_field f)
{
	if ((unsigned)f >= AGENT_FIELD_NR)
		return NULL;
	return field_names[f];
}

/* One line being parsed: its text (without '\n'), number and the error
   buffer, so that every check can say where it failed. */
struct line {
	const char *s;
	size_t n;
	int no;
	char *err;
	size_t errlen;
};

__attribute__((format(printf, 3, 4))) static int
fail_at(const struct line *l, size_t col, const char *fmt, ...)
{
	char what[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (l->errlen > 0)
		snprintf(l->err, l->errlen, "line %d, column %zu: %s", l->no,
			 col + 1, what);
	return -1;
}

/* parse_u64: s[0..n) is 1 to 20 decimal digits whose value fits uint64. */
static bool parse_u64(const char *s, size_t n, uint64_t *v)
{
	uint64_t x = 0;

	if (n == 0 || n > 20)
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned d = (unsigned char)s[i] - '0';
		if (d > 9 || x > (UINT64_MAX - d) / 10)
			return false;
		x = x * 10 + d;
	}
	*v = x;
	return true;
}

typedef int (*line_fn)(const struct line *l, struct agent_stats *st, void *ctx);

/* for_lines: split text into '\n'-terminated lines of printable ASCII and
   hand each to fn; the size limit and a missing final newline (a text cut
   short) are errors too.  *lines: how many were handed over. */
static int for_lines(const char *text, size_t len, line_fn fn,
		     struct agent_stats *st, void *ctx, int *lines, char *err,
		     size_t errlen)
{
	struct line l = {.no = 0, .err = err, .errlen = errlen};
	const char *p = text, *end = text + len;

	if (len > AGENT_TEXT_MAX) {
		if (errlen > 0)
			snprintf(err, errlen, "text of %zu bytes exceeds %d",
				 len, AGENT_TEXT_MAX);
		return -1;
	}
	if (len > 0 && text == NULL)
		return -1;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		l.no++;
		l.s = p;
		l.n = nl ? (size_t)(nl - p) : (size_t)(end - p);
		for (size_t i = 0; i < l.n; i++) {
			unsigned char c = (unsigned char)p[i];
			if (c < 0x20 || c > 0x7e)
				return fail_at(&l, i,
					       "byte 0x%02x is not "
					       "printable ASCII",
					       c);
		}
		if (nl == NULL)
			return fail_at(&l, l.n,
				       "no newline at the end "
				       "(text cut short?)");
		if (fn(&l, st, ctx) != 0)
			return -1;
		p = nl + 1;
	}
	*lines = l.no;
	return 0;
}

/* set: keep value v for field f, refusing a second value. */
static int set(const struct line *l, struct agent_stats *st, enum agent_field f,
	       uint64_t v, size_t col)
{
	if (st->present[f])
		return fail_at(l, col, "%s given twice", field_names[f]);
	st->present[f] = true;
	st->v[f] = v;
	return 0;
}

/* take_token: the next token of l from *pos up to one space or the end;
   tokens are separated by exactly one space, as the kernel prints them. */
static bool take_token(const struct line *l, size_t *pos, const char **tok,
		       size_t *tn)
{
	size_t i = *pos;

	if (i >= l->n)
		return false;
	*tok = l->s + i;
	while (i < l->n && l->s[i] != ' ')
		i++;
	*tn = i - *pos;
	if (i < l->n)
		i++; /* the separator */
	*pos = i;
	return *tn > 0;
}

/* parse_avg: "D.DD" to "100.00" as hundredths of a percent. */
static bool parse_avg(const char *s, size_t n, uint64_t *cpct)
{
	uint64_t whole, frac;

	if (n < 4 || n > 6 || s[n - 3] != '.')
		return false;
	if (!parse_u64(s, n - 3, &whole) || !parse_u64(s + n - 2, 2, &frac))
		return false;
	if (n - 3 > 1 && s[0] == '0')
		return false; /* no leading zeros: "00.50" is not the kernel's
			       */
	*cpct = whole * 100 + frac;
	return *cpct <= 10000;
}

static int pressure_line(const struct line *l, struct agent_stats *st,
			 void *ctx)
{
	static const char *const keys[] = {
	    "avg10=", "avg60=", "avg300=", "total="};
	const char *tok;
	size_t tn, pos = 0, col;
	bool some;
	uint64_t v[4];

	(void)ctx;
	if (!take_token(l, &pos, &tok, &tn))
		return fail_at(l, 0, "empty line");
	if (tn == 4 && memcmp(tok, "some", 4) == 0)
		some = true;
	else if (tn == 4 && memcmp(tok, "full", 4) == 0)
		some = false;
	else
		return fail_at(l, 0, "expected \"some\" or \"full\"");
	for (int k = 0; k < 4; k++) {
		size_t kl = strlen(keys[k]);
		col = pos;
		if (!take_token(l, &pos, &tok, &tn) || tn < kl ||
		    memcmp(tok, keys[k], kl) != 0)
			return fail_at(l, col, "expected \"%s\"", keys[k]);
		bool good = k < 3 ? parse_avg(tok + kl, tn - kl, &v[k])
				  : parse_u64(tok + kl, tn - kl, &v[k]);
		if (!good)
			return fail_at(l, col + kl,
				       k < 3 ? "bad average (want 0.00 to "
					       "100.00)"
					     : "bad total (want an unsigned "
					       "64-bit integer)");
	}
	if (pos != l->n || l->s[l->n - 1] == ' ')
		return fail_at(l, pos, "unexpected text after total");
	if (set(l, st,
		some ? AGENT_PSI_SOME_AVG10_CPCT : AGENT_PSI_FULL_AVG10_CPCT,
		v[0], 0) != 0)
		return -1;
	st->present[some ? AGENT_PSI_SOME_AVG60_CPCT
			 : AGENT_PSI_FULL_AVG60_CPCT] = true;
	st->v[some ? AGENT_PSI_SOME_AVG60_CPCT : AGENT_PSI_FULL_AVG60_CPCT] =
	    v[1];
	st->present[some ? AGENT_PSI_SOME_TOTAL_US : AGENT_PSI_FULL_TOTAL_US] =
	    true;
	st->v[some ? AGENT_PSI_SOME_TOTAL_US : AGENT_PSI_FULL_TOTAL_US] = v[3];
	return 0;
}

/* The line that makes a text its file, as every Linux since 2.6 prints it
   (pressure: since 4.20, which has the file): without it the text is not
   the file wanted (an empty file, or another file behind a reused handle),
   and taking it for one would only leave every field of it absent. */
struct anchor {
	enum agent_field f; /* set by the anchor line */
	const char *line;   /* its name, for the message */
};

/* parse_into: run the line parser over a scratch copy of out and copy it
   back only when the whole text was good and had the anchor line. */
static int parse_into(const char *text, size_t len, struct agent_stats *out,
		      line_fn fn, void *ctx, const struct anchor *a, char *err,
		      size_t errlen)
{
	struct agent_stats tmp = *out;
	int lines = 0;

	if (errlen > 0)
		err[0] = '\0';
	if (for_lines(text, len, fn, &tmp, ctx, &lines, err, errlen) != 0)
		return -1;
	if (!tmp.present[a->f]) {
		if (errlen > 0)
			snprintf(err, errlen, "line %d, column 1: %s%s line",
				 lines + 1,
				 lines == 0 ? "empty text, no " : "no ",
				 a->line);
		return -1;
	}
	*out = tmp;
	return 0;
}

/* Each parser first clears its own fields (the previous reading's), so a
   field the new text lacks is absent, not stale. */
static void clear(struct agent_stats *st, enum agent_field from,
		  enum agent_field to)
{
	for (int f = from; f <= (int)to; f++) {
		st->present[f] = false;
		st->v[f] = 0;
	}
}

int agent_parse_pressure(const char *text, size_t len, struct agent_stats *out,
			 char *err, size_t errlen)
{
	static const struct anchor a = {AGENT_PSI_SOME_AVG10_CPCT, "\"some\""};
	struct agent_stats tmp = *out;

	clear(&tmp, AGENT_PSI_SOME_AVG10_CPCT, AGENT_PSI_FULL_TOTAL_US);
	if (parse_into(text, len, &tmp, pressure_line, NULL, &a, err, errlen) !=
	    0)
		return -1;
	*out = tmp;
	return 0;
}

static bool is_name_char(char c, bool meminfo)
{
	if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')
		return true;
	return meminfo && ((c >= 'A' && c <= 'Z') || c == '(' || c == ')');
}

/* Longest name either file uses is about 30 characters. */
#define NAME_MAX_LEN 64

/* The allocstall_<zone> lines seen so far (the kernel has at most five
   zones: dma, dma32, normal, movable, device). */
#define MAX_ZONES 8
struct zones {
	const char *name[MAX_ZONES];
	size_t len[MAX_ZONES];
	int n;
};

static int vmstat_line(const struct line *l, struct agent_stats *st, void *ctx)
{
	static const struct {
		const char *name;
		enum agent_field f;
	} keep[] = {
	    {"oom_kill", AGENT_OOM_KILL_EVENTS},
	    {"pgmajfault", AGENT_PGMAJFAULT_EVENTS},
	    {"pswpin", AGENT_PSWPIN_PAGES},
	    {"pswpout", AGENT_PSWPOUT_PAGES},
	};
	struct zones *z = ctx;
	size_t i = 0;
	uint64_t v;

	while (i < l->n && is_name_char(l->s[i], false))
		i++;
	if (i == 0)
		return fail_at(l, 0, "expected a counter name");
	if (i > NAME_MAX_LEN)
		return fail_at(l, NAME_MAX_LEN, "name longer than %d",
			       NAME_MAX_LEN);
	if (i >= l->n || l->s[i] != ' ')
		return fail_at(l, i, "expected one space after the name");
	if (!parse_u64(l->s + i + 1, l->n - i - 1, &v))
		return fail_at(l, i + 1, "expected an unsigned 64-bit integer");
	for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
		if (strlen(keep[k].name) == i &&
		    memcmp(l->s, keep[k].name, i) == 0)
			return set(l, st, keep[k].f, v, 0);
	if (i > 11 && memcmp(l->s, "allocstall_", 11) == 0) {
		enum agent_field f = AGENT_ALLOCSTALL_EVENTS;
		/* A repeated zone would count twice: refuse it, and more
		   zones than any kernel has. */
		for (int k = 0; k < z->n; k++)
			if (z->len[k] == i && memcmp(z->name[k], l->s, i) == 0)
				return fail_at(l, 0, "%.*s given twice", (int)i,
					       l->s);
		if (z->n == MAX_ZONES)
			return fail_at(l, 0, "more than %d allocstall lines",
				       MAX_ZONES);
		z->name[z->n] = l->s;
		z->len[z->n++] = i;
		if (!st->present[f]) {
			st->present[f] = true;
			st->v[f] = 0;
		} else if (st->v[f] > UINT64_MAX - v) {
			return fail_at(l, i + 1, "allocstall sum overflows");
		}
		st->v[f] += v;
	}
	return 0;
}

int agent_parse_vmstat(const char *text, size_t len, struct agent_stats *out,
		       char *err, size_t errlen)
{
	static const struct anchor a = {AGENT_PGMAJFAULT_EVENTS,
					"\"pgmajfault\""};
	struct agent_stats tmp = *out;
	struct zones z = {.n = 0};

	clear(&tmp, AGENT_OOM_KILL_EVENTS, AGENT_ALLOCSTALL_EVENTS);
	if (parse_into(text, len, &tmp, vmstat_line, &z, &a, err, errlen) != 0)
		return -1;
	*out = tmp;
	return 0;
}

static int meminfo_line(const struct line *l, struct agent_stats *st, void *ctx)
{
	static const struct {
		const char *name;
		enum agent_field f;
	} keep[] = {
	    {"MemTotal", AGENT_MEM_TOTAL_KIB},
	    {"MemAvailable", AGENT_MEM_AVAILABLE_KIB},
	    {"SwapTotal", AGENT_SWAP_TOTAL_KIB},
	    {"SwapFree", AGENT_SWAP_FREE_KIB},
	};
	size_t i = 0, d, e;
	uint64_t v;
	bool kb;

	(void)ctx;
	while (i < l->n && is_name_char(l->s[i], true))
		i++;
	if (i == 0)
		return fail_at(l, 0, "expected a name");
	if (i > NAME_MAX_LEN)
		return fail_at(l, NAME_MAX_LEN, "name longer than %d",
			       NAME_MAX_LEN);
	if (i >= l->n || l->s[i] != ':')
		return fail_at(l, i, "expected ':' after the name");
	d = i + 1;
	while (d < l->n && l->s[d] == ' ')
		d++;
	if (d == i + 1 || d - i > NAME_MAX_LEN)
		return fail_at(l, d, "expected spaces before the value");
	e = d;
	while (e < l->n && l->s[e] >= '0' && l->s[e] <= '9')
		e++;
	if (!parse_u64(l->s + d, e - d, &v))
		return fail_at(l, d, "expected an unsigned 64-bit integer");
	kb = l->n - e == 3 && memcmp(l->s + e, " kB", 3) == 0;
	if (e != l->n && !kb)
		return fail_at(l, e, "expected \" kB\" or the end of the line");
	for (size_t k = 0; k < sizeof(keep) / sizeof(keep[0]); k++) {
		if (strlen(keep[k].name) != i ||
		    memcmp(l->s, keep[k].name, i) != 0)
			continue;
		if (!kb)
			return fail_at(l, e, "%s without \" kB\"",
				       keep[k].name);
		if (v > UINT64_MAX / 1024)
			return fail_at(l, d, "%s too large to be KiB",
				       keep[k].name);
		return set(l, st, keep[k].f, v, 0);
	}
	return 0;
}

/* ordered: b <= a when both are present (a part never exceeds its whole). */
static int ordered(const struct agent_stats *st, enum agent_field whole,
		   enum agent_field part, char *err, size_t errlen)
{
	if (!st->present[whole] || !st->present[part] ||
	    st->v[part] <= st->v[whole])
		return 0;
	if (errlen > 0)
		snprintf(err, errlen, "%s (%llu kB) exceeds %s (%llu kB)",
			 field_names[part], (unsigned long long)st->v[part],
			 field_names[whole], (unsigned long long)st->v[whole]);
	return -1;
}

int agent_parse_meminfo(const char *text, size_t len, struct agent_stats *out,
			char *err, size_t errlen)
{
	static const struct anchor a = {AGENT_MEM_TOTAL_KIB, "\"MemTotal\""};
	struct agent_stats tmp = *out;

	clear(&tmp, AGENT_MEM_TOTAL_KIB, AGENT_SWAP_FREE_KIB);
	if (parse_into(text, len, &tmp, meminfo_line, NULL, &a, err, errlen) !=
	    0)
		return -1;
	if (ordered(&tmp, AGENT_MEM_TOTAL_KIB, AGENT_MEM_AVAILABLE_KIB, err,
		    errlen) != 0 ||
	    ordered(&tmp, AGENT_SWAP_TOTAL_KIB, AGENT_SWAP_FREE_KIB, err,
		    errlen) != 0)
		return -1;
	*out = tmp;
	return 0;
}

/* b64_value: the 6-bit value of a base64 character, or -1. */
static int b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

__attribute__((format(printf, 4, 5))) static int
b64_fail(char *err, size_t errlen, size_t off, const char *fmt, ...)
{
	char what[120];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (errlen > 0)
		snprintf(err, errlen, "offset %zu: %s", off, what);
	return -1;
}

int agent_b64_decode(const char *src, size_t n, unsigned char *dst, size_t room,
		     size_t *out_len, char *err, size_t errlen)
{
	size_t o = 0;

	if (n % 4 != 0)
		return b64_fail(err, errlen, n,
				"length %zu is not a multiple of 4", n);
	for (size_t i = 0; i < n; i += 4) {
		int v[4], pad = 0;
		for (int k = 0; k < 4; k++) {
			unsigned char c = (unsigned char)src[i + k];
			if (c == '=' && i + 4 == n && k >= 2) {
				v[k] = 0;
				pad++;
				continue;
			}
			if (pad > 0 || (v[k] = b64_value(c)) < 0)
				return b64_fail(err, errlen, i + k,
						"bad base64 character 0x%02x",
						c);
		}
		uint32_t w = (uint32_t)v[0] << 18 | (uint32_t)v[1] << 12 |
			     (uint32_t)v[2] << 6 | (uint32_t)v[3];
		/* Bits under the padding must be zero (canonical form). */
		if ((pad == 1 && (w & 0xff) != 0) ||
		    (pad == 2 && (w & 0xffff) != 0))
			return b64_fail(err, errlen, i,
					"non-zero bits before the padding");
		size_t take = 3 - (size_t)pad;
		if (room - o < take)
			return b64_fail(err, errlen, i,
					"decoded text exceeds %zu bytes", room);
		dst[o++] = (unsigned char)(w >> 16);
		if (take > 1)
			dst[o++] = (unsigned char)(w >> 8);
		if (take > 2)
			dst[o++] = (unsigned char)w;
	}
	*out_len = o;
	return 0;
}
