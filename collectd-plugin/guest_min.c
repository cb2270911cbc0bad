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

/* Parses text, looks up the first of paths that holds a size, frees. */
static int min_from(const char *text, const char *const *paths, size_t n,
		    const char *default_unit, uint64_t *kib)
{
	struct domxml *d = domxml_parse(text, strlen(text), NULL, 0);
	int rc = -ENOENT;

	if (d == NULL)
		return -EINVAL;
	for (size_t i = 0; i < n && rc != 0; i++)
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

/* The first source that holds a minimum: vdsm metadata, ours, memtune,
   else none.  A source whose text is malformed is passed over, as one
   without the setting; one libvirt did not answer for stops the lookup. */
int guest_min_lookup(virDomainPtr dom, uint64_t *kib,
		     enum guest_min_source *src)
{
	bool failed;
	char *text = guest_metadata(dom, GUEST_VDSM_NS, &failed);

	*kib = 0;
	*src = GUEST_MIN_NONE;
	if (text != NULL && guest_min_from_vdsm(text, kib) == 0)
		*src = GUEST_MIN_VDSM;
	free(text);
	if (failed)
		return -EIO;
	if (*src != GUEST_MIN_NONE)
		return 0;
	text = guest_metadata(dom, GUEST_MOM_NS, &failed);
	if (text != NULL && guest_min_from_mom(text, kib) == 0)
		*src = GUEST_MIN_MOM;
	free(text);
	if (failed)
		return -EIO;
	if (*src != GUEST_MIN_NONE)
		return 0;
	text = virDomainGetXMLDesc(dom, 0);
	if (text == NULL)
		return -EIO;
	if (guest_min_from_domxml(text, kib) == 0)
		*src = GUEST_MIN_MEMTUNE;
	free(text);
	if (*src == GUEST_MIN_NONE)
		*kib = 0;
	return 0;
}
