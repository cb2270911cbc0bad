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
 * Rows are HOST_FIELD_COUNT (host) or GUEST_FIELD_COUNT (guest) doubles wide;
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

struct snapshot {
	const struct snap_param *params; /* values set through the API or
					    the case; others take the
					    policy's default */
	size_t nparams;
	struct snap_entity host;	  /* rows of HOST_FIELD_COUNT */
	const struct snap_entity *guests; /* rows of GUEST_FIELD_COUNT */
	size_t nguests;
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
