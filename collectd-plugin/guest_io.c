/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_io.c: a guest's I/O QoS inputs from libvirt (see guest_io.h).
 */
#include "guest_io.h"
#include "guest_min.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"
#include "metric.h"

const char *const guest_io_limit_names[GUEST_IO_LIMITS] = {
    [GUEST_IO_TOTAL_BYTES] = VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC,
    [GUEST_IO_READ_BYTES] = VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC,
    [GUEST_IO_WRITE_BYTES] = VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC,
    [GUEST_IO_TOTAL_IOPS] = VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC,
    [GUEST_IO_READ_IOPS] = VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC,
    [GUEST_IO_WRITE_IOPS] = VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC,
};

static bool dev_known(const struct guest_io *io, const char *dev)
{
	for (unsigned i = 0; i < io->n; i++)
		if (strcmp(io->disk[i].dev, dev) == 0)
			return true;
	return false;
}

/* The maximum and guaranteed values of device i (1-based, XPath's). */
static void parse_device(const struct domxml *d, int i, struct guest_io *io,
			 struct guest_disk *disk)
{
	static const char *const groups[] = {"maximum", "guaranteed"};
	char path[160];

	for (int g = 0; g < 2; g++) {
		for (int l = 0; l < GUEST_IO_LIMITS; l++) {
			int slot = g * GUEST_IO_LIMITS + l;
			int rc;

			snprintf(path, sizeof(path),
				 "/qos/ioTune/device[%d]/%s/%s", i, groups[g],
				 guest_io_limit_names[l]);
			rc = domxml_uint(d, path, 0, GUEST_IO_LIMIT_MAX,
					 &disk->value[slot]);
			disk->present[slot] = rc == 0;
			io->malformed += rc == -EINVAL;
		}
	}
}

int guest_io_parse(const char *xml, struct guest_io *out)
{
	struct domxml *d = domxml_parse(xml, strlen(xml), NULL, 0);
	int n;

	*out = (struct guest_io){0};
	if (d == NULL)
		return -EINVAL;
	n = domxml_count(d, "/qos/ioTune/device");
	for (int i = 1; i <= n; i++) {
		struct guest_disk *disk = &out->disk[out->n];
		char path[64];

		snprintf(path, sizeof(path), "/qos/ioTune/device[%d]/@name", i);
		if (out->n == GUEST_IO_MAX_DISKS ||
		    domxml_text(d, path, disk->dev, sizeof(disk->dev)) < 0 ||
		    !metric_disk_dev_valid(disk->dev) ||
		    dev_known(out, disk->dev)) {
			out->skipped++;
			continue;
		}
		parse_device(d, i, out, disk);
		out->n++;
	}
	domxml_free(d);
	return 0;
}

/* libvirt's remote protocol carries at most 32 block I/O parameters
   (REMOTE_DOMAIN_BLOCK_IO_TUNE_PARAMETERS_MAX); QEMU has about 20. */
#define BLOCK_IOTUNE_PARAMS_MAX 32

/* The live limits of one disk into its CUR slots; absent on failure.  One
   call, into room for every parameter libvirt can send: drivers fill at
   most the count asked for, so the call that asks how many first (a
   second round trip per disk per read) is not needed. */
static void read_live(virDomainPtr dom, struct guest_disk *disk)
{
	virTypedParameter params[BLOCK_IOTUNE_PARAMS_MAX];
	int n = BLOCK_IOTUNE_PARAMS_MAX;

	if (virDomainGetBlockIoTune(dom, disk->dev, params, &n,
				    VIR_DOMAIN_AFFECT_LIVE) < 0)
		return;
	for (int l = 0; l < GUEST_IO_LIMITS; l++) {
		unsigned long long v;
		int slot = GUEST_IO_CUR * GUEST_IO_LIMITS + l;

		if (virTypedParamsGetULLong(params, n, guest_io_limit_names[l],
					    &v) == 1) {
			disk->present[slot] = true;
			disk->value[slot] = v;
		}
	}
	/* A string parameter (group_name) owns memory. */
	virTypedParamsClear(params, n);
}

void guest_tune_read(virDomainPtr dom, struct guest_cpu *cpu,
		     struct guest_io *io)
{
	/* One call for both; a domain without the element answers "no such
	   metadata" (not logged): vdsm's CPU default applies, no disk.  When
	   libvirt could not say, neither the default nor "no disk" is true:
	   the CPU limit and the disks' limits go unreported this read. */
	bool failed;
	char *meta = guest_metadata(dom, GUEST_TUNE_NS, &failed);

	guest_cpu_read(dom, meta, cpu);
	*io = (struct guest_io){0};
	if (failed) {
		cpu->have_limit = false;
		cpu->limit_unread = true;
		return;
	}
	if (meta && guest_io_parse(meta, io) == 0)
		for (unsigned i = 0; i < io->n; i++)
			read_live(dom, &io->disk[i]);
	free(meta);
}
