/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domxml.h: reading libvirt's XML (a domain's XML, or one metadata element)
 * with libxml2 and XPath, shared by the read plugin (guest minimums) and
 * momd (may a guest be ballooned).
 *
 * Metadata is read the way libvirt clients do: virDomainGetMetadata(dom,
 * VIR_DOMAIN_METADATA_ELEMENT, uri, 0) selects the element by its namespace
 * URI, whatever prefix the domain XML gives it, and returns it with the
 * namespace removed, so the paths into it are plain ("/vm/memGuaranteedSize").
 * A whole domain XML keeps its namespaces: bind a prefix of your own to a
 * URI with domxml_ns() and use it in paths
 * ("/domain/metadata/o:vm/o:memGuaranteedSize").
 *
 * Lookups are by XPath 1.0 expression, so one helper serves every field:
 * "/qos/ioTune/device[@name='vda']/maximum/total_bytes_sec",
 * "count(...)" through domxml_count().  Documents are parsed without network
 * access and without entity substitution, within libxml2's default size
 * limits.  Not thread-safe per document; distinct documents may be used in
 * distinct threads once domxml_init() has run.
 */
#ifndef MOM_DOMXML_H
#define MOM_DOMXML_H

#include <stddef.h>
#include <stdint.h>

struct domxml;

/* Initialises libxml2 once (xmlInitParser), from the main thread before
   other threads parse.  Safe to call more than once.  Never undone:
   libvirt uses the same library in the same process. */
void domxml_init(void);

/* Parses len bytes of text (need not be NUL-terminated).  Returns NULL
   and, when err is not NULL, a message saying where the text is wrong. */
struct domxml *domxml_parse(const char *text, size_t len, char *err,
			    size_t errlen);

/* Frees a document.  Accepts NULL. */
void domxml_free(struct domxml *d);

/* Binds prefix to a namespace URI for later paths.  Returns 0 or -ENOMEM. */
int domxml_ns(struct domxml *d, const char *prefix, const char *uri);

/* Copies the string value of the first node `path` selects (an element's
   text, an attribute's value), trimmed of surrounding white space, into
   buf.  Returns 0, -ENOENT when nothing matches, -ERANGE when it does not
   fit, -EINVAL for a malformed path. */
int domxml_text(const struct domxml *d, const char *path, char *buf,
		size_t len);

/* How many nodes `path` selects (0 when none), or -EINVAL. */
int domxml_count(const struct domxml *d, const char *path);

/* Reads the text `path` selects as an unsigned decimal number (digits
   only, no sign) within [min, max].  Returns 0, -ENOENT when nothing
   matches, -EINVAL when malformed or out of range. */
int domxml_uint(const struct domxml *d, const char *path, uint64_t min,
		uint64_t max, uint64_t *out);

/* Reads the element `path` selects as an unsigned decimal number with an
   optional libvirt unit attribute and converts it to KiB (rounded up, as
   domxml_unit_kib()).  Returns 0,
   -ENOENT when there is no such element, -EINVAL when malformed. */
int domxml_size_kib(const struct domxml *d, const char *path,
		    const char *default_unit, uint64_t *kib);

/* Converts a number with a libvirt size unit to KiB, rounded up (the sizes
   read are guaranteed minimums: never made smaller).  unit NULL or ""
   means default_unit.  Accepted units are libvirt's (virScaleInteger), in
   any case: b, byte, bytes; k, KiB, M, MiB, G, GiB, T, TiB, P, PiB, E, EiB
   (powers of 1024); KB, MB, GB, TB, PB, EB (powers of 1000).  Returns 0,
   -EINVAL for an unknown unit, -ERANGE when the amount in bytes does not
   fit 64 bits (libvirt refuses it too).  Pure. */
int domxml_unit_kib(uint64_t n, const char *unit, const char *default_unit,
		    uint64_t *kib);

#endif /* MOM_DOMXML_H */
