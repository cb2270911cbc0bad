/* SPDX-License-Identifier: Apache-2.0 */
/*
 * snapshot.h: what one policy evaluation sees.
 *
 * A snapshot is an immutable picture of the host and the guests at one
 * moment: the parameter values in force and, for each entity, its sample
 * history, oldest first.  The engine builds one from its sample store each
 * cycle; the offline harness builds one from a case file (evalcase.h).  The
 * evaluator only reads it.
 *
 * Rows are HOST_FIELD_COUNT (host), GUEST_FIELD_COUNT (guest) or
 * DISK_FIELD_COUNT (disk) doubles wide;
 * a field is absent when its value is NaN (FIELD_ABSENT).  Rate fields hold
 * per-second rates and derived fields are already computed: the evaluator
 * never derives anything itself.
 *
 * Whoever builds a snapshot owns every pointer in it.
 */
#ifndef MOM_SNAPSHOT_H
#define MOM_SNAPSHOT_H

#include <stddef.h>

#include "field.h"

struct evstate;

/* At most this many samples of history per entity (MOM kept 10). */
#define SNAPSHOT_HISTORY_MAX 64

struct snap_param {
	const char *name; /* e.g. "balloonEnabled" */
	double value;	  /* 0/1 for booleans */
};

struct snap_entity {
	const char *name;     /* guest name; "host" for the host */
	size_t len;	      /* samples in history, 0..SNAPSHOT_HISTORY_MAX */
	const double *values; /* len rows, oldest first, row-major */
	const char *uuid;     /* the guest's UUID; NULL when unknown */
};

/*
 * A disk of a guest (issue 17): the third kind of entity.  Its fields are
 * settings (vdsm's I/O limits and the live ones), not series, so a disk
 * carries its latest sample only (e.len is 0 or 1); e.name is the target
 * device ("vda"), e.uuid NULL.  Disks are listed by guest, in the guests'
 * order, and by device name within a guest.
 */
struct snap_disk {
	size_t guest; /* index into snapshot.guests */
	struct snap_entity e;
};

/* At most this many disks per guest reach a snapshot. */
#define SNAPSHOT_DISKS_PER_GUEST 64

struct snapshot {
	const struct snap_param *params; /* values set through the API or
					    the case; others take the
					    policy's default */
	size_t nparams;
	struct snap_entity host;	  /* rows of HOST_FIELD_COUNT */
	const struct snap_entity *guests; /* rows of GUEST_FIELD_COUNT */
	size_t nguests;
	const struct snap_disk *disks; /* rows of DISK_FIELD_COUNT */
	size_t ndisks;
	const struct evstate *state; /* the policies' state from the last
					cycle (evstate.h); NULL: none */
};

/* The latest value of field f of an entity whose rows are width wide. */
static inline double snap_latest(const struct snap_entity *e, size_t width,
				 int f)
{
	return e->len ? e->values[(e->len - 1) * width + f] : FIELD_ABSENT;
}

#endif /* MOM_SNAPSHOT_H */
