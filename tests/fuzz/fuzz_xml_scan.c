/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_xml_scan.c: fuzz target for the read plugin's XML scanner
 * (xml_scan.c), which reads a guest's guaranteed minimum from libvirt's
 * domain XML and metadata.
 *
 * The input is one XML text, handed over NOT NUL-terminated (in a buffer of
 * exactly its size) so that a read past the end pointer is caught.  The
 * target looks up the elements the plugin looks up (min_guarantee,
 * memtune's children, the metadata element) with xml_scan_size_elem(),
 * finds each with xml_scan_find() and reads its unit and name attributes
 * with xml_scan_attr(), and converts through xml_scan_size_kib(); then
 * the read plugin's three callers (guest_min_from_vdsm, _mom, _domxml) get
 * the text NUL-terminated, as libvirt hands it over, and so do the
 * actuator's vdsm checks (vdsm_dom.c: memballoon model, ballooningEnabled).  Any
 * crash or sanitizer report is a bug; a missing or malformed element is an
 * expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "guest_mem.h"
#include "vdsm_dom.h"
#include "xml_scan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const locals[] = {"min_guarantee", "memory",
				     "hard_limit",    "minGuaranteedMemoryMb",
				     "currentMemory", "memtune"};
#define NLOCALS (sizeof(locals) / sizeof(locals[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint64_t sum = 0;
	char *buf = malloc(size ? size : 1);
	const char *end;
	struct xml_elem e;
	char attr[32];
	uint64_t kib;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	end = buf + size;
	for (size_t i = 0; i < NLOCALS; i++) {
		if (xml_scan_size_elem(buf, end, locals[i], "KiB", &kib) == 0)
			sum += kib;
		if (!xml_scan_find(buf, end, locals[i], &e))
			continue;
		sum += (uint64_t)(e.body_end - e.body);
		if (xml_scan_attr(&e, "unit", attr, sizeof(attr)) &&
		    xml_scan_size_kib(e.body_end - e.body, attr, "KiB", &kib) ==
			0)
			sum += kib;
		if (xml_scan_attr(&e, "name", attr, sizeof(attr)))
			sum += (uint64_t)attr[0];
	}
	free(buf);
	buf = malloc(size + 1);
	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	if (guest_min_from_vdsm(buf, &kib) == 0)
		sum += kib;
	if (guest_min_from_mom(buf, &kib) == 0)
		sum += kib;
	if (guest_min_from_domxml(buf, &kib) == 0)
		sum += kib;
	sum += vdsm_dom_balloon_none(buf) + vdsm_dom_ballooning_disabled(buf);
	free(buf);
	return 0;
}
