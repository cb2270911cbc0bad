/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xml_scan.c: a bounded scanner for the few elements the read plugin reads
 * from libvirt XML (see xml_scan.h).  Pure, no allocation, never reads
 * outside [p, end).
 */
#include "xml_scan.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Returns the first occurrence of needle in [p, end), or NULL. */
static const char *span_find(const char *p, const char *end, const char *needle,
			     size_t nlen)
{
	if (nlen == 0 || end - p < (ptrdiff_t)nlen)
		return NULL;
	return memmem(p, (size_t)(end - p), needle, nlen);
}

/* Skips a comment, CDATA section or processing instruction starting at p
   ('<'); returns the byte after it, or NULL if p starts none of them. */
static const char *skip_special(const char *p, const char *end)
{
	static const struct {
		const char *open, *close;
	} kinds[] = {
	    {"<!--", "-->"},
	    {"<![CDATA[", "]]>"},
	    {"<?", "?>"},
	    {"<!", ">"},
	};

	for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
		size_t olen = strlen(kinds[i].open);
		const char *c;

		if (end - p < (ptrdiff_t)olen || memcmp(p, kinds[i].open, olen))
			continue;
		c = span_find(p + olen, end, kinds[i].close,
			      strlen(kinds[i].close));
		return c != NULL ? c + strlen(kinds[i].close) : end;
	}
	return NULL;
}

static bool is_name_end(char c)
{
	return c == '>' || c == '/' || isspace((unsigned char)c);
}

/* Finds the '>' closing the start tag at p, honouring quoted values. */
static const char *tag_close(const char *p, const char *end)
{
	char quote = 0;

	for (; p < end; p++) {
		if (quote != 0) {
			if (*p == quote)
				quote = 0;
		} else if (*p == '"' || *p == '\'') {
			quote = *p;
		} else if (*p == '>') {
			return p;
		}
	}
	return NULL;
}

/* Finds "</qname" followed by optional blanks and '>' in [p, end). */
static const char *end_tag(const char *p, const char *end, const char *qname,
			   size_t qlen)
{
	while (p < end) {
		const char *lt = span_find(p, end, "</", 2);
		const char *q;

		if (lt == NULL || end - (lt + 2) < (ptrdiff_t)qlen)
			return NULL;
		q = lt + 2 + qlen;
		if (memcmp(lt + 2, qname, qlen) == 0 && q < end &&
		    is_name_end(*q) && *q != '/') {
			while (q < end && isspace((unsigned char)*q))
				q++;
			if (q < end && *q == '>')
				return lt;
		}
		p = lt + 2;
	}
	return NULL;
}

/* If the start tag at lt ('<') is named local, fills *e and returns true. */
static bool match_tag(const char *lt, const char *end, const char *local,
		      struct xml_elem *e)
{
	const char *name = lt + 1, *n = name, *colon = NULL, *gt;
	size_t llen = strlen(local);

	while (n < end && !is_name_end(*n)) {
		if (*n == ':')
			colon = n;
		n++;
	}
	if (n >= end)
		return false;
	if (colon != NULL)
		name = colon + 1;
	if ((size_t)(n - name) != llen || memcmp(name, local, llen) != 0)
		return false;
	gt = tag_close(n, end);
	if (gt == NULL)
		return false;
	e->tag = lt;
	e->tag_end = gt;
	e->body = gt + 1;
	if (gt[-1] == '/') {
		e->body_end = e->body;
		return true;
	}
	e->body_end = end_tag(gt + 1, end, lt + 1, (size_t)(n - lt - 1));
	return e->body_end != NULL;
}

bool xml_scan_find(const char *p, const char *end, const char *local,
		   struct xml_elem *e)
{
	while (p < end) {
		const char *lt = memchr(p, '<', (size_t)(end - p));
		const char *skip;

		if (lt == NULL || lt + 1 >= end)
			return false;
		skip = skip_special(lt, end);
		if (skip != NULL) {
			p = skip;
			continue;
		}
		if (lt[1] != '/' && match_tag(lt, end, local, e))
			return true;
		p = lt + 1;
	}
	return false;
}

bool xml_scan_attr(const struct xml_elem *e, const char *name, char *buf,
		   size_t len)
{
	size_t nlen = strlen(name);
	const char *p = e->tag + 1;

	while (p < e->tag_end) {
		const char *a = span_find(p, e->tag_end, name, nlen);
		const char *q, *close;

		if (a == NULL)
			return false;
		q = a + nlen;
		p = q;
		if (!isspace((unsigned char)a[-1]))
			continue;
		while (q < e->tag_end && isspace((unsigned char)*q))
			q++;
		if (q >= e->tag_end || *q != '=')
			continue;
		q++;
		while (q < e->tag_end && isspace((unsigned char)*q))
			q++;
		if (q >= e->tag_end || (*q != '"' && *q != '\''))
			continue;
		close = memchr(q + 1, *q, (size_t)(e->tag_end - q - 1));
		if (close == NULL || (size_t)(close - q - 1) >= len)
			return false;
		memcpy(buf, q + 1, (size_t)(close - q - 1));
		buf[close - q - 1] = '\0';
		return true;
	}
	return false;
}

int xml_scan_size_kib(uint64_t n, const char *unit, const char *default_unit,
		      uint64_t *kib)
{
	static const struct {
		const char *name;
		uint64_t bytes;
	} units[] = {
	    {"b", 1},
	    {"bytes", 1},
	    {"KB", 1000ULL},
	    {"k", 1024ULL},
	    {"KiB", 1024ULL},
	    {"MB", 1000ULL * 1000},
	    {"M", 1024ULL * 1024},
	    {"MiB", 1024ULL * 1024},
	    {"GB", 1000ULL * 1000 * 1000},
	    {"G", 1024ULL * 1024 * 1024},
	    {"GiB", 1024ULL * 1024 * 1024},
	    {"TB", 1000ULL * 1000 * 1000 * 1000},
	    {"T", 1024ULL * 1024 * 1024 * 1024},
	    {"TiB", 1024ULL * 1024 * 1024 * 1024},
	};

	if (unit == NULL || *unit == '\0')
		unit = default_unit;
	for (size_t i = 0; i < ARRAY_LEN(units); i++) {
		if (strcmp(units[i].name, unit) != 0)
			continue;
		if (n != 0 && units[i].bytes > UINT64_MAX / n)
			return -ERANGE;
		*kib = n * units[i].bytes / 1024;
		return 0;
	}
	return -EINVAL;
}

int xml_scan_size_elem(const char *p, const char *end, const char *local,
		       const char *default_unit, uint64_t *kib)
{
	struct xml_elem e;
	char unit[16] = "";
	char num[32];
	const char *b;
	size_t len;
	char *stop = NULL;
	unsigned long long n;

	if (!xml_scan_find(p, end, local, &e))
		return -ENOENT;
	if (xml_scan_attr(&e, "unit", unit, sizeof(unit)) && unit[0] == '\0')
		return -EINVAL;
	b = e.body;
	while (b < e.body_end && isspace((unsigned char)*b))
		b++;
	len = (size_t)(e.body_end - b);
	while (len > 0 && isspace((unsigned char)b[len - 1]))
		len--;
	if (len == 0 || len >= sizeof(num))
		return -EINVAL;
	memcpy(num, b, len);
	num[len] = '\0';
	if (!isdigit((unsigned char)num[0]))
		return -EINVAL;
	errno = 0;
	n = strtoull(num, &stop, 10);
	if (errno != 0 || *stop != '\0')
		return -EINVAL;
	return xml_scan_size_kib(n, unit, default_unit, kib) == 0 ? 0 : -EINVAL;
}
