/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_min.h: a guest's guaranteed minimum, read the way libvirt clients
 * read metadata: virDomainGetMetadata selects vdsm's element and ours by
 * namespace URI (any prefix in the domain XML), libxml2 parses what it
 * returns (actuator/domxml.c).  Order of preference, first found wins:
 * vdsm's memGuaranteedSize, vdsm's minGuaranteedMemoryMb, our
 * min_guarantee, the domain XML's <memtune><min_guarantee>.  A setting
 * that is there but malformed ends the search: the minimum is unknown.
 */
#ifndef MOM_GUEST_MIN_H
#define MOM_GUEST_MIN_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

/* Where the guaranteed minimum came from, in order of preference. */
enum guest_min_source {
	GUEST_MIN_NONE,	   /* nothing configured: minimum 0 */
	GUEST_MIN_VDSM,	   /* vdsm metadata memGuaranteedSize, else
			      minGuaranteedMemoryMb */
	GUEST_MIN_MOM,	   /* our metadata element, see GUEST_MOM_NS */
	GUEST_MIN_MEMTUNE, /* <memtune><min_guarantee> */
};

/* vdsm's metadata namespace and ours (README "Read plugin configuration"). */
#define GUEST_VDSM_NS "http://ovirt.org/vm/1.0"
#define GUEST_MOM_NS  "https://github.com/ovirt-mom-successor/mom/1.0"

/* Parse the minimum from the text virDomainGetMetadata returns for
   GUEST_VDSM_NS or GUEST_MOM_NS, or from a domain XML.  Pure; return 0 and
   *kib, -ENOENT when the text has no such setting, -EINVAL when the text
   is not XML or the first setting there is malformed (vdsm's
   memGuaranteedSize malformed is not replaced by minGuaranteedMemoryMb). */
int guest_min_from_vdsm(const char *xml, uint64_t *kib);
int guest_min_from_mom(const char *xml, uint64_t *kib);
int guest_min_from_domxml(const char *xml, uint64_t *kib);

/* dom's metadata element of namespace ns, as virDomainGetMetadata gives
   it (free it); NULL with *failed false when the domain has none (or
   the driver keeps no metadata), NULL
   with *failed true when libvirt could not say (the connection broke, a
   timeout): that is not "none", and callers must not read it so. */
char *guest_metadata(virDomainPtr dom, const char *ns, bool *failed);

/* Asks libvirt for dom's metadata and XML: 0 with where the minimum came
   from in *src and *kib (0 for GUEST_MIN_NONE), -EIO when libvirt failed
   to answer one of the lookups (*src and *kib say nothing then), or
   -EINVAL when the first source that has the setting has it malformed
   (*src names it): the minimum is unknown then, not a later source's or
   0. */
int guest_min_lookup(virDomainPtr dom, uint64_t *kib,
		     enum guest_min_source *src);

#endif /* MOM_GUEST_MIN_H */
