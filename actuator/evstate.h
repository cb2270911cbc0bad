/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evstate.h: the explicit state a policy set keeps from one cycle to the
 * next (a cool-down, a count of quiet cycles, a pressure tier).
 *
 * Policies declare their state keys ("state" in a policy) and read and set
 * them per entity (["state", k], {"keep": k, "to": e}).  The evaluator
 * never holds state itself: the previous cycle's state comes in with the
 * snapshot (snapshot.state) and the next cycle's goes out with the plan
 * (plan.state), so an evaluation stays a pure function of its inputs and
 * `momd --evaluate` reproduces any cycle from its case.  The engine only
 * carries the plan's state into the next snapshot.
 *
 * A state is a flat list of (entity, key, number); the host's entity is ""
 * (a guest's name is never empty).  Bounded: at most EVSTATE_MAX_KEYS keys
 * per entity.  A struct evstate is a plain value owned by its caller.
 */
#ifndef MOM_EVSTATE_H
#define MOM_EVSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "policy_error.h"

/* Most state keys per entity, and most keys a policy set declares. */
#define EVSTATE_MAX_KEYS 32

struct evstate_entry {
	char *entity; /* "" for the host */
	char *key;
	double value; /* never absent: an absent value is no entry */
};

struct evstate {
	size_t n, cap;
	struct evstate_entry *e;
};

/*
 * A state key is an identifier, as are the policies' defines, parameters
 * and variables (policy_cc.c).  Bounded like a policy name: a parameter's
 * name is persisted in parameters.json, which start-up reads back only up
 * to a size, and an unbounded name would be accepted and then lost.
 */
#define EVSTATE_NAME_MAX 255
#define EVSTATE_NAME_RULE                                                      \
	"a letter or '_', then letters, digits or '_', at most 255 bytes"
bool evstate_name_valid(const char *s);

struct evstate *evstate_new(void);
struct evstate *evstate_copy(const struct evstate *st);
void evstate_free(struct evstate *st);

/* Append an entry (copies the strings).  0 or -1 when out of memory. */
int evstate_put(struct evstate *st, const char *entity, const char *key,
		double value);

/*
 * {"host": {"k": 1}, "guests": {"g1": {"k": 2}}}: an empty object when the
 * state is NULL or empty.  NULL when out of memory.
 */
json_t *evstate_to_json(const struct evstate *st);

/*
 * Parse the same form strictly: unknown keys, non-numeric values, names
 * that are not identifiers, an empty guest name or more than
 * EVSTATE_MAX_KEYS keys in one entity are errors naming their JSON path
 * (path_prefix, e.g. "$.state").  NULL with *err filled on error.
 */
struct evstate *evstate_from_json(const json_t *o, const char *path_prefix,
				  struct policy_error *err);

struct snapshot;

/*
 * The evaluator's view: one row of nkeys doubles per entity, the host's
 * first, then the snapshot's guests in order (absent: NaN).  Fills rows
 * from st (NULL: all absent); entries of other entities or keys are
 * ignored, and so is an entry of a key of the other scope (guest[k]:
 * key k is a guest's; a set declaring a key the previous set kept for the
 * host as a guest's, or the reverse).  0, or -1 when out of memory.
 */
int evstate_load_rows(const struct evstate *st, const char *const *keys,
		      const bool *guest, size_t nkeys,
		      const struct snapshot *snap, double *rows);
/* The state that rows describe (present values only); NULL on ENOMEM. */
struct evstate *evstate_from_rows(const double *rows, const char *const *keys,
				  size_t nkeys, const struct snapshot *snap);

#endif /* MOM_EVSTATE_H */
