/* SPDX-License-Identifier: Apache-2.0 */
/*
 * glob.c: linear-time wildcard matching (glob.h).
 */
#include "glob.h"

#include <stddef.h>

/* Does the set at p (just after '[') match c?  *end gets the byte after
   its ']'; false with *end = NULL when the set is not closed. */
static bool set_match(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false;
	const char *q = p;

	if (*q == '!' || *q == '^') {
		neg = true;
		q++;
	}
	for (bool first = true; *q && (first || *q != ']'); first = false) {
		unsigned char lo, hi;

		if (*q == '\\' && q[1])
			q++;
		lo = hi = (unsigned char)*q++;
		if (*q == '-' && q[1] && q[1] != ']') {
			q++;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	if (*q != ']') {
		*end = NULL;
		return false;
	}
	*end = q + 1;
	return hit != neg;
}

/* Does the element at p (not a star, not the end) match c?  *len gets its
   length in the pattern. */
static bool elem_match(const char *p, unsigned char c, size_t *len)
{
	const char *end;
	bool m;

	switch (*p) {
	case '?':
		*len = 1;
		return true;
	case '[':
		m = set_match(p + 1, c, &end);
		if (end) {
			*len = (size_t)(end - p);
			return m;
		}
		*len = 1; /* an unclosed '[' is itself */
		return c == '[';
	case '\\':
		/* A trailing backslash matches nothing (as in fnmatch). */
		*len = p[1] ? 2 : 1;
		return p[1] && c == (unsigned char)p[1];
	default:
		*len = 1;
		return c == (unsigned char)*p;
	}
}

bool glob_pattern_valid(const char *pattern)
{
	const char *p = pattern, *end;

	while (*p) {
		if (*p == '\\' && p[1]) {
			p += 2;
		} else if (*p == '[') {
			set_match(p + 1, 0, &end);
			if (!end)
				return false;
			p = end;
		} else {
			p++;
		}
	}
	return true;
}

bool glob_match(const char *pattern, const char *name)
{
	const char *p = pattern, *n = name;
	const char *star_p = NULL, *star_n = NULL;
	size_t len;

	while (*n) {
		if (*p == '*') {
			/* Try the star empty first; remember where to widen. */
			star_p = ++p;
			star_n = n;
			continue;
		}
		if (*p && elem_match(p, (unsigned char)*n, &len)) {
			p += len;
			n++;
			continue;
		}
		if (!star_p)
			return false;
		p = star_p;
		n = ++star_n;
	}
	while (*p == '*')
		p++;
	return *p == '\0';
}
