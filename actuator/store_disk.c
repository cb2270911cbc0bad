/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_disk.c: a guest's disks in the sample store (see store_disk.h).
 * A handful of disks per guest: linear search beats anything cleverer.
 */
#include "store_disk.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "metric.h"

struct disk_slot {
	char dev[32];
	double t[2]; /* [1] the newest sample's time, [0] the one before;
			NaN: none */
	double row[2][DISK_FIELD_COUNT];
	int64_t touched; /* monotonic ms of the newest sample's last value */
};

struct disk_table {
	size_t n, cap;
	struct disk_slot *s;
};

void disk_table_free(struct disk_table *dt)
{
	if (!dt)
		return;
	free(dt->s);
	free(dt);
}

static void row_clear(double *row)
{
	for (size_t f = 0; f < DISK_FIELD_COUNT; f++)
		row[f] = FIELD_ABSENT;
}

static void slot_init(struct disk_slot *s, const char *dev)
{
	snprintf(s->dev, sizeof(s->dev), "%s", dev);
	s->t[0] = s->t[1] = FIELD_ABSENT;
	s->touched = 0;
	row_clear(s->row[0]);
	row_clear(s->row[1]);
}

/* The slot of dev, a new one, or one taken over from a disk whose newest
   sample is older than t (the guest stopped reporting it); NULL with
   *err set. */
static struct disk_slot *slot_get(struct disk_table *dt, const char *dev,
				  double t, int *err)
{
	struct disk_slot *old = NULL;

	for (size_t i = 0; i < dt->n; i++) {
		if (strcmp(dt->s[i].dev, dev) == 0)
			return &dt->s[i];
		if (!old || !(dt->s[i].t[1] >= old->t[1]))
			old = &dt->s[i];
	}
	if (dt->n < SNAPSHOT_DISKS_PER_GUEST) {
		if (dt->n == dt->cap) {
			size_t cap = dt->cap ? dt->cap * 2 : 4;
			struct disk_slot *s = realloc(dt->s, cap * sizeof(*s));

			if (!s) {
				*err = -ENOMEM;
				return NULL;
			}
			dt->s = s;
			dt->cap = cap;
		}
		old = &dt->s[dt->n++];
	} else if (!old || !(old->t[1] < t)) {
		/* Not -ENOSPC: that is the store's "too many guests"
		   (store_disk.h). */
		*err = -EMLINK;
		return NULL;
	}
	slot_init(old, dev);
	return old;
}

int disk_table_put(struct disk_table **dt, const char *dev, double t, int f,
		   double value, int64_t now_ms)
{
	struct disk_slot *s;
	int err = 0;

	if (!metric_disk_dev_valid(dev) || f < 0 || f >= DISK_FIELD_COUNT)
		return -EINVAL;
	if (!*dt && !(*dt = calloc(1, sizeof(**dt))))
		return -ENOMEM;
	s = slot_get(*dt, dev, t, &err);
	if (!s)
		return err;
	if (!(t <= s->t[1])) { /* newer (or the first): shift */
		s->t[0] = s->t[1];
		memcpy(s->row[0], s->row[1], sizeof(s->row[0]));
		s->t[1] = t;
		row_clear(s->row[1]);
	}
	if (t == s->t[1]) {
		s->row[1][f] = value;
		s->touched = now_ms;
	} else if (t == s->t[0])
		s->row[0][f] = value;
	return 0;
}

/* Whether the newest sample is settled: it holds every field the one
   before held, or no value has come for it for settle_ms.  One that lacks
   a field may still be being delivered (then the one before stands in),
   or the plugin no longer sends that field (a limit removed): after
   settle_ms it is the latter, and the field is absent. */
static bool newest_settled(const struct disk_slot *s, int64_t now_ms,
			   int64_t settle_ms)
{
	if (isnan(s->t[0]) || now_ms - s->touched >= settle_ms)
		return true;
	for (size_t f = 0; f < DISK_FIELD_COUNT; f++)
		if (field_present(s->row[0][f]) && !field_present(s->row[1][f]))
			return false;
	return true;
}

bool disk_table_settled(const struct disk_table *dt, double t, int64_t now_ms,
			int64_t settle_ms)
{
	for (size_t i = 0; dt && i < dt->n; i++)
		if (dt->s[i].t[1] == t &&
		    !newest_settled(&dt->s[i], now_ms, settle_ms))
			return false;
	return true;
}

bool disk_table_newest_at(const struct disk_table *dt, double t)
{
	for (size_t i = 0; dt && i < dt->n; i++)
		if (dt->s[i].t[1] == t)
			return true;
	return false;
}

size_t disk_table_forget_after(struct disk_table *dt, double t_max)
{
	size_t n = 0;

	for (size_t i = 0; dt && i < dt->n; i++) {
		struct disk_slot *s = &dt->s[i];

		if (s->t[0] > t_max) {
			s->t[0] = FIELD_ABSENT;
			row_clear(s->row[0]);
			n++;
		}
		if (s->t[1] > t_max) {
			s->t[1] = s->t[0];
			memcpy(s->row[1], s->row[0], sizeof(s->row[1]));
			s->t[0] = FIELD_ABSENT;
			row_clear(s->row[0]);
			n++;
		}
	}
	return n;
}

size_t disk_table_at(const struct disk_table *dt, double t, int64_t now_ms,
		     int64_t settle_ms, const char **devs, const double **rows,
		     size_t max)
{
	size_t n = 0;

	for (size_t i = 0; dt && i < dt->n; i++) {
		const struct disk_slot *s = &dt->s[i];
		int k = s->t[1] == t
			    ? (newest_settled(s, now_ms, settle_ms) ? 1 : 0)
			: s->t[0] == t ? 0
				       : -1;
		size_t at;

		if (k < 0)
			continue;
		/* Insertion in device-name order (at most 64). */
		for (at = n < max ? n : max; at > 0; at--) {
			if (strcmp(devs[at - 1], s->dev) < 0)
				break;
			if (at < max) {
				devs[at] = devs[at - 1];
				rows[at] = rows[at - 1];
			}
		}
		if (at < max) {
			devs[at] = s->dev;
			rows[at] = s->row[k];
		}
		n++;
	}
	return n;
}
