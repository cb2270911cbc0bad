/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vdsm_dom.c: may a domain be ballooned, from its XML and vdsm's metadata
 * (see vdsm_dom.h), both read with libxml2 through domxml.c.
 */
#include "vdsm_dom.h"

#include <string.h>
#include <strings.h>

#include "domxml.h"

/* The string value path selects in text, or false when the text is absent,
   not XML, or has no such node. */
static bool lookup(const char *text, const char *path, char *buf, size_t len)
{
	struct domxml *d;
	bool found;

	if (text == NULL)
		return false;
	d = domxml_parse(text, strlen(text), NULL, 0);
	found = d != NULL && domxml_text(d, path, buf, len) == 0;
	domxml_free(d);
	return found;
}

bool vdsm_dom_balloon_none(const char *domxml)
{
	char model[32];

	return lookup(domxml, "/domain/devices/memballoon/@model", model,
		      sizeof(model)) &&
	       strcmp(model, "none") == 0;
}

/* virDomainGetMetadata returns the element without its namespace. */
bool vdsm_dom_ballooning_disabled(const char *metadata)
{
	static const char *const off[] = {"false", "0", "no"};
	char text[16];

	if (!lookup(metadata, "/vm/ballooningEnabled", text, sizeof(text)))
		return false;
	for (size_t i = 0; i < sizeof(off) / sizeof(off[0]); i++)
		if (strcasecmp(text, off[i]) == 0)
			return true;
	return false;
}
