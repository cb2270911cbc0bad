/* SPDX-License-Identifier: Apache-2.0 */
/*
 * xml_scan.h: just enough XML reading for a guest's guaranteed minimum.
 *
 * The read plugin needs one number from trusted libvirt output (a metadata
 * element, or <memtune><min_guarantee> in the domain XML), so it scans
 * instead of linking an XML library.  The scanner finds a start tag by its
 * local name (any namespace prefix), reads one attribute, and reads the
 * element's text up to the next '<'.  It skips comments, CDATA and
 * processing instructions by never matching inside them; it never reads
 * past the given end pointer and never allocates.  Pure and reentrant.
 */
#ifndef MOM_XML_SCAN_H
#define MOM_XML_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The span [start, end) of an element found by xml_scan_find(): tag points
   at its '<', body at the first byte after the start tag's '>', body_end at
   the '<' of the matching end tag (== body for an empty element). */
struct xml_elem {
	const char *tag;
	const char *tag_end; /* the start tag's '>' */
	const char *body;
	const char *body_end;
};

/* Finds the first element named `local` (with or without a prefix) in
   [p, end).  Returns true and fills *e, false when there is none or it is
   not closed before end.  Nested elements of the same name are not
   supported (libvirt never produces them for the names we look up). */
bool xml_scan_find(const char *p, const char *end, const char *local,
		   struct xml_elem *e);

/* Copies the value of attribute `name` of e's start tag into buf (entity
   references are not decoded).  Returns true when found and it fits. */
bool xml_scan_attr(const struct xml_elem *e, const char *name, char *buf,
		   size_t len);

/* Converts a number with a libvirt size unit to KiB.  unit NULL or "" means
   default_unit.  Accepted units (libvirt's): b, bytes, KB, k, KiB, MB, M,
   MiB, GB, G, GiB, TB, T, TiB.  Returns 0, -EINVAL for an unknown unit,
   -ERANGE on overflow. */
int xml_scan_size_kib(uint64_t n, const char *unit, const char *default_unit,
		      uint64_t *kib);

/* Reads element `local`'s text in [p, end) as an unsigned decimal integer
   with its optional unit attribute and converts it to KiB.  Returns 0,
   -ENOENT when there is no such element, -EINVAL when malformed. */
int xml_scan_size_elem(const char *p, const char *end, const char *local,
		       const char *default_unit, uint64_t *kib);

#endif /* MOM_XML_SCAN_H */
