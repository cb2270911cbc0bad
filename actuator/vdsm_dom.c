/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vdsm_dom.c: may a domain be ballooned, from its XML and vdsm's metadata
 * (see vdsm_dom.h).  A few string scans: the actuator needs two facts from
 * trusted libvirt output, not an XML library.
 */
#include "vdsm_dom.h"

#include <string.h>
#include <strings.h>

#define NAME_END " \t\r\n/>"

/* The start tag of the first element whose local name is `local` (any
   prefix): returns a pointer just after the name, or NULL. */
static const char *find_start_tag(const char *s, const char *local)
{
	size_t n = strlen(local);

	for (const char *p = strchr(s, '<'); p; p = strchr(p + 1, '<')) {
		const char *name = p + 1;
		size_t len = strcspn(name, NAME_END);
		const char *base = name;

		if (*name == '/' || *name == '!' || *name == '?')
			continue;
		for (size_t i = 0; i < len; i++)
			if (name[i] == ':')
				base = name + i + 1;
		if ((size_t)(name + len - base) == n &&
		    memcmp(base, local, n) == 0)
			return name + len;
	}
	return NULL;
}

/* Copies attribute `attr` of the tag starting at p (just after the name)
   into buf; false when absent or too long. */
static bool tag_attr(const char *p, const char *attr, char *buf, size_t len)
{
	size_t n = strlen(attr);
	const char *end = strchr(p, '>');

	if (!end)
		return false;
	for (const char *q = p; q + n < end; q++) {
		const char *v, *close;

		if (!strchr(" \t\r\n", q[0]) || strncmp(q + 1, attr, n) != 0)
			continue;
		v = q + 1 + n;
		while (*v == ' ')
			v++;
		if (*v++ != '=')
			continue;
		while (*v == ' ')
			v++;
		if (*v != '\'' && *v != '"')
			return false;
		close = memchr(v + 1, *v, (size_t)(end - v - 1));
		if (!close || (size_t)(close - v - 1) >= len)
			return false;
		memcpy(buf, v + 1, (size_t)(close - v - 1));
		buf[close - v - 1] = '\0';
		return true;
	}
	return false;
}

bool vdsm_dom_balloon_none(const char *domxml)
{
	const char *p = domxml ? find_start_tag(domxml, "memballoon") : NULL;
	char model[32];

	return p && tag_attr(p, "model", model, sizeof(model)) &&
	       strcmp(model, "none") == 0;
}

bool vdsm_dom_ballooning_disabled(const char *metadata)
{
	static const char *const off[] = {"false", "0", "no"};
	const char *p =
	    metadata ? find_start_tag(metadata, "ballooningEnabled") : NULL;
	const char *text, *end;
	size_t len;

	if (!p || !(p = strchr(p, '>')) || p[-1] == '/')
		return false;
	text = p + 1;
	text += strspn(text, " \t\r\n");
	end = strchr(text, '<');
	if (!end)
		return false;
	len = (size_t)(end - text);
	while (len > 0 && strchr(" \t\r\n", text[len - 1]))
		len--;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (len == strlen(off[i]) &&
		    strncasecmp(text, off[i], len) == 0)
			return true;
	return false;
}
