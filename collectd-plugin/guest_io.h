/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_io.h: a guest's I/O QoS inputs for vdsm's 05-iotune (issue 17):
 * per disk that vdsm's tune metadata names (GUEST_TUNE_NS, elements
 * qos/ioTune/device[@name]/maximum and .../guaranteed, each holding any of
 * the six limits total|read|write x bytes_sec|iops_sec), those values and
 * the disk's live limits (virDomainGetBlockIoTune, live).
 *
 * Cost: the metadata is the one guest_cpu.h reads anyway (one call for
 * both); a domain whose metadata names no disk costs no further call.  A
 * named disk costs two virDomainGetBlockIoTune calls (the count, then the
 * values).  A disk is named by its target device (metric_disk_dev_valid():
 * vdsm's device name is the target, "vda"); a device whose name is not one
 * is skipped and counted, as is a value that is not a whole number (that
 * value is left absent, so the policy reports the disk as incomplete).
 */
#ifndef MOM_GUEST_IO_H
#define MOM_GUEST_IO_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "guest_cpu.h"

/* The disks of one domain read at most (more are skipped and counted). */
#define GUEST_IO_MAX_DISKS 16
/* libvirt's largest limit (QEMU_BLOCK_IOTUNE_MAX, 1e15): metadata beyond
   it is malformed. */
#define GUEST_IO_LIMIT_MAX 1000000000000000ULL

/* The six limits, in the order of momd's disk fields and controls. */
enum guest_io_limit {
	GUEST_IO_TOTAL_BYTES,
	GUEST_IO_READ_BYTES,
	GUEST_IO_WRITE_BYTES,
	GUEST_IO_TOTAL_IOPS,
	GUEST_IO_READ_IOPS,
	GUEST_IO_WRITE_IOPS,
	GUEST_IO_LIMITS
};

/* A disk's slots: maximum, guaranteed, then live, six each. */
enum guest_io_group { GUEST_IO_MAX, GUEST_IO_GUAR, GUEST_IO_CUR };
#define GUEST_IO_NR (3 * GUEST_IO_LIMITS)

/* libvirt's parameter names of the six ("total_bytes_sec", ...), which
   are also vdsm's metadata element names. */
extern const char *const guest_io_limit_names[GUEST_IO_LIMITS];

struct guest_disk {
	char dev[32];
	bool present[GUEST_IO_NR];
	uint64_t value[GUEST_IO_NR]; /* slot = group * 6 + limit */
};

struct guest_io {
	unsigned n;
	struct guest_disk disk[GUEST_IO_MAX_DISKS];
	unsigned skipped;   /* devices without a usable name, or too many */
	unsigned malformed; /* values that are not whole numbers in range */
};

/* Parses the text virDomainGetMetadata returns for GUEST_TUNE_NS into
   *out (maximum and guaranteed only).  Returns 0 (also when there is no
   ioTune) or -EINVAL when the text is not XML.  Pure. */
int guest_io_parse(const char *xml, struct guest_io *out);

/* Reads dom's CPU inputs (guest_cpu_read()) and its I/O inputs into *cpu
   and *io with one metadata call. */
void guest_tune_read(virDomainPtr dom, struct guest_cpu *cpu,
		     struct guest_io *io);

#endif /* MOM_GUEST_IO_H */
