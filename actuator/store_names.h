/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_names.h: one name per guest in a snapshot of the sample store.
 *
 * Two domains may share a name (collectd cuts names at 127 bytes and
 * replaces bytes it cannot print; two hosts' domains may be called
 * alike), and policies, plans, the controllers, the API and the
 * Prometheus text all tell guests by name, so a snapshot must not show
 * one name twice.  A guest with a UUID whose name another guest shows
 * too is shown as "name [uuid]".  That alias may in turn be another
 * guest's name ("x [uuid]" is a valid domain name), so the rule is
 * applied again until every name is unique; as each round adds
 * STORE_NAMES_ALIAS_LEN bytes and names are at most STORE_NAMES_MAX
 * bytes (the store refuses longer ones), it ends within
 * STORE_NAMES_ROUNDS rounds (store_names.c says why).  Guests without a
 * UUID keep their name: the store keys them by it, so no two share one.
 *
 * Pure: no I/O, no locks.
 */
#ifndef MOM_STORE_NAMES_H
#define MOM_STORE_NAMES_H

#include <stddef.h>

#include "snapshot.h"

/* The longest guest name the store keeps, in bytes. */
#define STORE_NAMES_MAX 255
/* " [" + a UUID + "]" */
#define STORE_NAMES_ALIAS_LEN 39
#define STORE_NAMES_ROUNDS    (STORE_NAMES_MAX / STORE_NAMES_ALIAS_LEN + 2)

/* The aliases made, owned by the snapshot whose guests show them. */
struct store_names {
	char **v;
	size_t n, cap;
};

/*
 * Sort the guests g[0..*ng) by name (a guest without a UUID before those
 * with one, then by UUID) and make their names unique as above; a guest
 * whose name would still be shown twice after STORE_NAMES_ROUNDS rounds
 * (only with names over STORE_NAMES_MAX bytes) is left out, *ng counting
 * the guests kept.  Aliases are added to *a.  Returns 0 or -ENOMEM (then
 * the names are as the last whole round left them, possibly not unique).
 */
int store_names_unique(struct snap_entity *g, size_t *ng,
		       struct store_names *a);

void store_names_free(struct store_names *a);

#endif /* MOM_STORE_NAMES_H */
