/* SPDX-License-Identifier: Apache-2.0 */
/*
 * glob.c: linear-time wildcard matching (glob.h).
 */
#include "glob.h"

#include <ctype.h>
#include <stddef.h>
#include <string.h>

/* "[:name:]" at q: its class test, and *q moved past it; NULL when q is
   not a known class (the set is then refused as not closed). */
static int (*class_at(const char **q))(int)
{
	static const struct {
		const char *name;
		int (*fn)(int);
	} classes[] = {
	    {"alnum", isalnum}, {"alpha", isalpha}, {"blank", isblank},
	    {"cntrl", iscntrl}, {"digit", isdigit}, {"graph", isgraph},
	    {"lower", islower}, {"print", isprint}, {"punct", ispunct},
	    {"space", isspace}, {"upper", isupper}, {"xdigit", isxdigit},
	};

	for (size_t i = 0; i < sizeof(classes) / sizeof(classes[0]); i++) {
		size_t n = strlen(classes[i].name);

		if (strncmp(*q + 2, classes[i].name, n) == 0 &&
		    strncmp(*q + 2 + n, ":]", 2) == 0) {
			*q += n + 4;
			return classes[i].fn;
		}
	}
	return NULL;
}

/* "[:", "[=" or "[." at q: a class, or what fnmatch reads as an
   equivalence class or a collating symbol (not supported: refused). */
static bool bracket_special(const char *q)
{
	return q[0] == '[' && (q[1] == ':' || q[1] == '=' || q[1] == '.');
}

/* Does the set at p (just after '[') match c?  *end gets the byte after
   its ']'; false with *end = NULL when the set is not closed (or holds
   something this matcher does not support). */
static bool set_match(const char *p, unsigned char c, const char **end)
{
	bool neg = false, hit = false;
	const char *q = p;

	*end = NULL;
	if (*q == '!' || *q == '^') {
		neg = true;
		q++;
	}
	for (bool first = true; *q && (first || *q != ']'); first = false) {
		unsigned char lo, hi;
		int (*cls)(int);

		if (bracket_special(q)) {
			cls = q[1] == ':' ? class_at(&q) : NULL;
			if (!cls)
				return false;
			hit |= cls(c) != 0;
			continue;
		}
		if (*q == '\\' && q[1])
			q++;
		lo = hi = (unsigned char)*q++;
		if (*q == '-' && q[1] && q[1] != ']') {
			q++;
			if (bracket_special(q))
				return false;
			if (*q == '\\' && q[1])
				q++;
			hi = (unsigned char)*q++;
		}
		if (lo <= c && c <= hi)
			hit = true;
	}
	if (*q != ']')
		return false;
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
