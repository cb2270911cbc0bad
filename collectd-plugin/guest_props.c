/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_props.c: balloon features and shares of a guest from its domain
 * XML and our metadata (see guest_props.h).
 */
#include "guest_props.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "guest_min.h"

/* An on/off attribute: 1, 0 (also when absent), or -EINVAL. */
static int on_off(const struct domxml *d, const char *path)
{
	char buf[16];
	int rc = domxml_text(d, path, buf, sizeof(buf));

	if (rc == -ENOENT)
		return 0;
	if (rc < 0)
		return -EINVAL;
	if (strcmp(buf, "on") == 0)
		return 1;
	return strcmp(buf, "off") == 0 ? 0 : -EINVAL;
}

int guest_props_from_domxml(const char *xml, struct guest_props *p)
{
	struct domxml *d = domxml_parse(xml, strlen(xml), NULL, 0);
	int ad, fpr;

	if (d == NULL)
		return -EINVAL;
	ad = on_off(d, "/domain/devices/memballoon/@autodeflate");
	fpr = on_off(d, "/domain/devices/memballoon/@freePageReporting");
	domxml_free(d);
	if (ad < 0 || fpr < 0)
		return -EINVAL;
	p->autodeflate = ad;
	p->free_page_reporting = fpr;
	return 0;
}

int guest_shares_from_mom(const char *xml, uint64_t *shares)
{
	struct domxml *d = domxml_parse(xml, strlen(xml), NULL, 0);
	int rc;

	if (d == NULL)
		return -EINVAL;
	rc = domxml_uint(d, "/guest/shares", 0, GUEST_SHARES_MAX, shares);
	domxml_free(d);
	return rc;
}

int guest_props_lookup(virDomainPtr dom, struct guest_props *p)
{
	char *xml = virDomainGetXMLDesc(dom, 0);
	bool failed = xml == NULL;
	char *meta;
	int rc = -EINVAL;

	memset(p, 0, sizeof(*p));
	if (xml != NULL && guest_props_from_domxml(xml, p) == 0)
		rc = 0;
	free(xml);
	meta = failed ? NULL : guest_metadata(dom, GUEST_MOM_NS, &failed);
	if (meta != NULL && guest_shares_from_mom(meta, &p->shares) == 0)
		p->have_shares = true;
	free(meta);
	if (failed) {
		memset(p, 0, sizeof(*p));
		return -EIO;
	}
	return rc;
}

int guest_props_refresh(virDomainPtr dom, struct guest_props *p, bool *xml_ok)
{
	struct guest_props fresh;
	int rc = guest_props_lookup(dom, &fresh);

	if (rc == -EIO)
		return rc;
	*p = fresh;
	*xml_ok = rc == 0;
	return 0;
}
