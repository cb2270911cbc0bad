/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guestprops_test.c: collectd-plugin/guest_props.c, the balloon's
 * autodeflate and freePageReporting from a domain XML and the shares from
 * our metadata, strictly (a malformed value is an error, not "off").
 */
#include <errno.h>
#include <string.h>

#include "domxml.h"
#include "guest_props.h"
#include "testing.h"

static int props(const char *balloon_attrs, struct guest_props *p)
{
	char xml[512];

	snprintf(xml, sizeof(xml),
		 "<domain type='kvm'><name>g</name><devices>"
		 "<memballoon model='virtio'%s/></devices></domain>",
		 balloon_attrs);
	memset(p, 0xff, sizeof(*p));
	return guest_props_from_domxml(xml, p);
}

int main(void)
{
	struct guest_props p;
	uint64_t shares = 7;

	domxml_init();
	T_EQ_INT(props("", &p), 0, "a balloon without the attributes");
	T_OK(!p.autodeflate && !p.free_page_reporting, "both off by default");
	T_EQ_INT(props(" autodeflate='on'", &p), 0, "autodeflate on");
	T_OK(p.autodeflate && !p.free_page_reporting, "only autodeflate");
	T_EQ_INT(props(" autodeflate='off' freePageReporting='on'", &p), 0,
		 "free page reporting on");
	T_OK(!p.autodeflate && p.free_page_reporting,
	     "only free page reporting");
	T_EQ_INT(props(" autodeflate='yes'", &p), -EINVAL,
		 "a value other than on/off is refused");
	T_EQ_INT(guest_props_from_domxml("<domain", &p), -EINVAL,
		 "XML that does not parse is refused");
	T_EQ_INT(guest_props_from_domxml("<domain><devices/></domain>", &p), 0,
		 "a domain without a balloon");
	T_OK(!p.autodeflate && !p.free_page_reporting, "no balloon: off");

	T_EQ_INT(guest_shares_from_mom("<guest><shares>3000</shares></guest>",
				       &shares),
		 0, "shares from our metadata");
	T_EQ_INT(shares, 3000, "the shares value");
	T_EQ_INT(guest_shares_from_mom("<guest><min_guarantee>1</min_guarantee>"
				       "</guest>",
				       &shares),
		 -ENOENT, "metadata without shares");
	T_EQ_INT(guest_shares_from_mom("<guest><shares>-1</shares></guest>",
				       &shares),
		 -EINVAL, "negative shares refused");
	T_EQ_INT(guest_shares_from_mom("<guest><shares>12x</shares></guest>",
				       &shares),
		 -EINVAL, "trailing garbage refused");
	T_EQ_INT(guest_shares_from_mom(
		     "<guest><shares>1000001</shares></guest>", &shares),
		 -EINVAL, "shares above the maximum refused");
	T_EQ_INT(shares, 3000, "a refused value leaves the output alone");
	return t_done();
}
