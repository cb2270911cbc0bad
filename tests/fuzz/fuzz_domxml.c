/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_domxml.c: fuzz target for libvirt XML reading (actuator/domxml.c on
 * libxml2) and its callers: the read plugin's guaranteed minimum
 * (collectd-plugin/guest_min.c) and momd's vdsm checks (actuator/vdsm_dom.c:
 * memballoon model, ballooningEnabled).
 *
 * The input is one XML text, handed to domxml_parse() NOT NUL-terminated
 * (in a buffer of exactly its size) so that a read past the end is caught.
 * The target binds vdsm's, vdsm's tune and our namespace URIs to prefixes
 * and runs the lookups the code makes (and issue 17's tune paths) as text,
 * count and size; then the callers get the text NUL-terminated, as libvirt
 * hands it over.  Any crash, leak or sanitizer report is a bug; a missing
 * or malformed element is an expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "guest_min.h"
#include "vdsm_dom.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const paths[] = {
    "/domain/memtune/min_guarantee",
    "/domain/devices/memballoon/@model",
    "/domain/devices/memballoon/stats/@period",
    "/domain/metadata/v:vm/v:memGuaranteedSize",
    "/domain/metadata/m:guest/m:min_guarantee",
    "/vm/memGuaranteedSize",
    "/vm/minGuaranteedMemoryMb",
    "/vm/ballooningEnabled",
    "/guest/min_guarantee",
    "/qos/vcpuLimit",
    "/qos/ioTune/device",
    "/qos/ioTune/device[@name='vda']/maximum/total_bytes_sec",
    "/domain/metadata/t:qos/t:ioTune/t:device[2]/t:guaranteed/*",
    "//*[@unit]",
};
#define NPATHS (sizeof(paths) / sizeof(paths[0]))

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	volatile uint64_t sum = 0;
	char *buf = malloc(size ? size : 1);
	struct domxml *d;
	char text[64], err[128];
	uint64_t kib;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	d = domxml_parse(buf, size, err, sizeof(err));
	if (d != NULL && domxml_ns(d, "v", "http://ovirt.org/vm/1.0") == 0 &&
	    domxml_ns(d, "t", "http://ovirt.org/vm/tune/1.0") == 0 &&
	    domxml_ns(d, "m",
		      "https://github.com/ovirt-mom-successor/mom/1.0") == 0) {
		for (size_t i = 0; i < NPATHS; i++) {
			if (domxml_text(d, paths[i], text, sizeof(text)) == 0)
				sum += (uint64_t)text[0];
			sum += (uint64_t)domxml_count(d, paths[i]);
			if (domxml_size_kib(d, paths[i], "KiB", &kib) == 0)
				sum += kib;
		}
	} else if (d == NULL) {
		sum += (uint64_t)err[0];
	}
	domxml_free(d);
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
