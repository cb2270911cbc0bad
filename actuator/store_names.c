/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_names.c: unique guest names in a snapshot (store_names.h).
 *
 * Why the rounds end: a name that collides in round r >= 2 was made in
 * round r - 1 (two names unchanged since a round in which they did not
 * collide still do not), so it holds r - 1 aliases, each ending in its
 * guest's own UUID.  Two guests' aliased names end in different UUIDs, so
 * the name it collides with is one never aliased: at most STORE_NAMES_MAX
 * bytes, while the aliased one is at least (r - 1) x STORE_NAMES_ALIAS_LEN.
 * Hence r - 1 <= STORE_NAMES_MAX / STORE_NAMES_ALIAS_LEN.
 */
#include "store_names.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* By name, then without a UUID first, then by UUID: equal names sort
   alike on every run, whatever the hash table's order was. */
static int guest_cmp(const void *a, const void *b)
{
	const struct snap_entity *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c || x->uuid == y->uuid)
		return c;
	if (!x->uuid || !y->uuid)
		return x->uuid ? 1 : -1;
	return strcmp(x->uuid, y->uuid);
}

static char *alias_new(struct store_names *a, const char *name,
		       const char *uuid)
{
	size_t len = strlen(name) + strlen(uuid) + 4;
	char *s;

	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 8;
		char **v = realloc(a->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		a->v = v;
		a->cap = cap;
	}
	s = malloc(len);
	if (!s)
		return NULL;
	snprintf(s, len, "%s [%s]", name, uuid);
	a->v[a->n++] = s;
	return s;
}

/* One round: alias every guest with a UUID whose name is shown twice.
 *changed says whether any was.  g is sorted. */
static int alias_round(struct snap_entity *g, size_t ng, struct store_names *a,
		       bool *changed)
{
	bool *dup = calloc(ng ? ng : 1, sizeof(*dup));

	*changed = false;
	if (!dup)
		return -ENOMEM;
	for (size_t i = 0; i + 1 < ng; i++)
		if (strcmp(g[i].name, g[i + 1].name) == 0)
			dup[i] = dup[i + 1] = true;
	for (size_t i = 0; i < ng; i++) {
		const char *n;

		if (!dup[i] || !g[i].uuid)
			continue;
		n = alias_new(a, g[i].name, g[i].uuid);
		if (!n) {
			free(dup);
			return -ENOMEM;
		}
		g[i].name = n;
		*changed = true;
	}
	free(dup);
	return 0;
}

/* Keep the first guest of each name (store_names.h: unreachable with
   names of at most STORE_NAMES_MAX bytes). */
static size_t drop_dups(struct snap_entity *g, size_t ng)
{
	size_t k = 0;

	for (size_t i = 0; i < ng; i++)
		if (k == 0 || strcmp(g[k - 1].name, g[i].name) != 0)
			g[k++] = g[i];
	return k;
}

int store_names_unique(struct snap_entity *g, size_t *ng, struct store_names *a)
{
	bool changed = true;

	qsort(g, *ng, sizeof(*g), guest_cmp);
	for (int r = 0; changed && r < STORE_NAMES_ROUNDS; r++) {
		if (alias_round(g, *ng, a, &changed) < 0)
			return -ENOMEM;
		if (changed)
			qsort(g, *ng, sizeof(*g), guest_cmp);
	}
	*ng = drop_dups(g, *ng);
	return 0;
}

void store_names_free(struct store_names *a)
{
	for (size_t i = 0; a && i < a->n; i++)
		free(a->v[i]);
	if (a)
		free(a->v);
}
