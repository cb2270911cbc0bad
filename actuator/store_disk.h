/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_disk.h: the disks of one guest in the sample store (issue 17).
 *
 * A disk's fields are settings (vdsm's I/O limits and the live ones), not
 * series: a disk keeps its two newest samples only, the one being
 * delivered and the one before, so that a snapshot can take the disk's
 * sample of exactly the time of its guest's newest settled sample (the
 * plugin stamps a domain's guest and disk values with one time).  A disk
 * the guest no longer reports (unplugged) therefore leaves snapshots at
 * once.  A newest sample that lacks a field the one before had may still
 * be being delivered (collectd posts a read's values in several batches):
 * the one before stands in for it until settle_ms passes without a value
 * for it (the store's settle rule, store.h).  Then the field is taken as
 * no longer sent (a limit removed from vdsm's metadata) and the newest
 * sample stands, the field absent: not the old value one interval late,
 * and never 0, which would be a limit of its own.  A disk is forgotten
 * with its guest, or when a new disk needs its slot.  At most
 * SNAPSHOT_DISKS_PER_GUEST disks a guest.
 *
 * Not thread-safe: the store's caller (the engine's lock) guards it.
 */
#ifndef MOM_STORE_DISK_H
#define MOM_STORE_DISK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct disk_table;

void disk_table_free(struct disk_table *dt);

/*
 * Record field f = value of disk dev (metric_disk_dev_valid()) for the sample
 * at t, arriving at now_ms (monotonic), creating the table (*dt NULL) or the
 * disk as needed.  A value older than the disk's two samples is ignored.
 * Returns 0, -EINVAL (a bad device or field), -EMLINK (a new disk beyond
 * SNAPSHOT_DISKS_PER_GUEST, none of the others older than t) or -ENOMEM.
 * -EMLINK ("too many links": too many disks attached to one guest), not
 * the store's -ENOSPC of a guest beyond max_guests, so that ingest counts
 * the two apart.
 */
int disk_table_put(struct disk_table **dt, const char *dev, double t, int f,
		   double value, int64_t now_ms);

/*
 * The disks that have a sample at exactly time t, in device-name order, as
 * at now_ms (a newest sample at t not settled yet gives the one before):
 * fills at most max of devs[] and rows[] (borrowed, valid until the next
 * put) and returns how many there are.
 */
size_t disk_table_at(const struct disk_table *dt, double t, int64_t now_ms,
		     int64_t settle_ms, const char **devs, const double **rows,
		     size_t max);

/* Whether every disk whose newest sample is at t has it settled at now_ms
   (true with no table): a round waits for the ones that have not. */
bool disk_table_settled(const struct disk_table *dt, double t, int64_t now_ms,
			int64_t settle_ms);

/* Whether some disk's newest sample is at t (false with no table): when t
   is the guest's previous time, that disk has no value of the guest's
   newest sample yet, which may be still coming in a later batch. */
bool disk_table_newest_at(const struct disk_table *dt, double t);

/* Forget every disk sample dated after t_max (store_forget_after()).
   Returns how many were forgotten. */
size_t disk_table_forget_after(struct disk_table *dt, double t_max);

#endif /* MOM_STORE_DISK_H */
