/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_min.c: a guest's guaranteed minimum from libvirt metadata and
 * domain XML (see guest_min.h).
 */
#include "guest_min.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

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

/* Reads one metadata element; NULL when there is none. */
static char *metadata(virDomainPtr dom, const char *ns)
{
	return virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, ns, 0);
}

/* Finds the guaranteed minimum: vdsm metadata, ours, memtune, else 0. */
enum guest_min_source guest_min_lookup(virDomainPtr dom, uint64_t *kib)
{
	enum guest_min_source src = GUEST_MIN_NONE;
	char *text = metadata(dom, GUEST_VDSM_NS);

	*kib = 0;
	if (text != NULL && guest_min_from_vdsm(text, kib) == 0)
		src = GUEST_MIN_VDSM;
	free(text);
	if (src != GUEST_MIN_NONE)
		return src;
	text = metadata(dom, GUEST_MOM_NS);
	if (text != NULL && guest_min_from_mom(text, kib) == 0)
		src = GUEST_MIN_MOM;
	free(text);
	if (src != GUEST_MIN_NONE)
		return src;
	text = virDomainGetXMLDesc(dom, 0);
	if (text != NULL && guest_min_from_domxml(text, kib) == 0)
		src = GUEST_MIN_MEMTUNE;
	free(text);
	if (src == GUEST_MIN_NONE)
		*kib = 0;
	return src;
}
