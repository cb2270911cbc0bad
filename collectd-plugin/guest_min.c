/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_min.c: a guest's guaranteed minimum from libvirt metadata and
 * domain XML (see guest_min.h).
 */
#include "guest_min.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/virterror.h>

#include "domxml.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Parses text, reads the first of paths that is there, frees.  A setting
   that is there but malformed is -EINVAL, not passed over for a later
   one: that one may be smaller than what was meant (vdsm's
   minGuaranteedMemoryMb predates memory hot-plug). */
static int min_from(const char *text, const char *const *paths, size_t n,
		    const char *default_unit, uint64_t *kib)
{
	struct domxml *d = domxml_parse(text, strlen(text), NULL, 0);
	int rc = -ENOENT;

	if (d == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n && rc == -ENOENT; i++)
		rc = domxml_size_kib(d, paths[i], default_unit, kib);
	domxml_free(d);
	return rc;
}

/* virDomainGetMetadata hands the element over without its namespace (it
   selected it by URI), so these paths are plain. */
int guest_min_from_vdsm(const char *xml, uint64_t *kib)
{
	static const char *const paths[] = {"/vm/memGuaranteedSize",
					    "/vm/minGuaranteedMemoryMb"};

	return min_from(xml, paths, ARRAY_LEN(paths), "MiB", kib);
}

int guest_min_from_mom(const char *xml, uint64_t *kib)
{
	static const char *const paths[] = {"/guest/min_guarantee"};

	return min_from(xml, paths, ARRAY_LEN(paths), "KiB", kib);
}

int guest_min_from_domxml(const char *xml, uint64_t *kib)
{
	static const char *const paths[] = {"/domain/memtune/min_guarantee"};

	return min_from(xml, paths, ARRAY_LEN(paths), "KiB", kib);
}

char *guest_metadata(virDomainPtr dom, const char *ns, bool *failed)
{
	char *text =
	    virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, ns, 0);

	int code = text == NULL ? virGetLastErrorCode() : VIR_ERR_OK;

	/* A driver without metadata at all has none for this domain. */
	*failed = text == NULL && code != VIR_ERR_NO_DOMAIN_METADATA &&
		  code != VIR_ERR_NO_SUPPORT;
	return text;
}

/* The outcome of one source's text (NULL: none): 0 (found), -ENOENT
   (not there: the next source is asked), -EINVAL (there, malformed). */
static int min_source(char *text, int (*parse)(const char *, uint64_t *),
		      uint64_t *kib)
{
	int rc = text != NULL ? parse(text, kib) : -ENOENT;

	free(text);
	return rc;
}

/* The first source that holds a minimum: vdsm metadata, ours, memtune,
   else none.  A source libvirt did not answer for stops the lookup
   (-EIO); so does one that holds a malformed minimum (-EINVAL, *src
   naming it): passing it over could make the minimum a later source's, or
   0, smaller than the one meant, and the guest could be shrunk below its
   guarantee.  Unknown, it is left alone. */
int guest_min_lookup(virDomainPtr dom, uint64_t *kib,
		     enum guest_min_source *src)
{
	bool failed = false;
	int rc;

	*kib = 0;
	*src = GUEST_MIN_VDSM;
	rc = min_source(guest_metadata(dom, GUEST_VDSM_NS, &failed),
			guest_min_from_vdsm, kib);
	if (rc == -ENOENT && !failed) {
		*src = GUEST_MIN_MOM;
		rc = min_source(guest_metadata(dom, GUEST_MOM_NS, &failed),
				guest_min_from_mom, kib);
	}
	if (rc == -ENOENT && !failed) {
		char *text = virDomainGetXMLDesc(dom, 0);

		failed = text == NULL;
		*src = GUEST_MIN_MEMTUNE;
		rc = min_source(text, guest_min_from_domxml, kib);
	}
	if (failed)
		return -EIO;
	if (rc == -ENOENT) {
		*src = GUEST_MIN_NONE;
		*kib = 0;
		return 0;
	}
	if (rc < 0)
		*kib = 0;
	return rc;
}
