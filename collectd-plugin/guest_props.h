/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_props.h: per-guest settings the read plugin reports beside the
 * balloon statistics (issue 19): whether the balloon deflates on guest OOM
 * (<memballoon autodeflate='on'>) or reports free pages to the host
 * (<memballoon freePageReporting='on'>), from the domain XML, and the
 * guest's shares (its weight when host memory is divided) from our
 * metadata element (GUEST_MOM_NS, <shares>N</shares>).  Parsing is pure;
 * guest_props_lookup() asks libvirt.
 */
#ifndef MOM_GUEST_PROPS_H
#define MOM_GUEST_PROPS_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

/* Largest shares value accepted (Proxmox allows 0..50000). */
#define GUEST_SHARES_MAX 1000000

struct guest_props {
	bool autodeflate;	  /* memballoon autodeflate='on' */
	bool free_page_reporting; /* memballoon freePageReporting='on' */
	bool have_shares;	  /* our metadata sets shares */
	uint64_t shares;	  /* valid when have_shares */
};

/* From a domain XML: 0, or -EINVAL when the text is not XML or an
   attribute is neither "on" nor "off".  Absent attributes are off. */
int guest_props_from_domxml(const char *xml, struct guest_props *p);

/* From the text virDomainGetMetadata returns for GUEST_MOM_NS: 0 with
   *shares, -ENOENT without <shares>, -EINVAL when malformed or above
   GUEST_SHARES_MAX. */
int guest_shares_from_mom(const char *xml, uint64_t *shares);

/* Asks libvirt for dom's XML and our metadata.  0; -EINVAL when the
   domain XML does not parse (then *p is all off, shares as read); -EIO
   when libvirt did not answer for the XML or the metadata (an error other
   than "no such metadata"): *p says nothing then, and callers keep what
   they knew. */
int guest_props_lookup(virDomainPtr dom, struct guest_props *p);

/* guest_props_lookup() into *p, and into *xml_ok whether the domain XML
   was read; when libvirt does not answer, both keep what they held (the
   shares read as absent would be the policy's default weight, not the
   guest's) and -EIO is returned, else 0. */
int guest_props_refresh(virDomainPtr dom, struct guest_props *p, bool *xml_ok);

#endif /* MOM_GUEST_PROPS_H */
