/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evstate.c: the policy state carried between cycles (evstate.h): a flat
 * list, its JSON form and its strict parser.
 */
#include "evstate.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "jsontext.h"
#include "snapshot.h"

struct evstate *evstate_new(void)
{
	return calloc(1, sizeof(struct evstate));
}

void evstate_free(struct evstate *st)
{
	if (!st)
		return;
	for (size_t i = 0; i < st->n; i++) {
		free(st->e[i].entity);
		free(st->e[i].key);
	}
	free(st->e);
	free(st);
}

int evstate_put(struct evstate *st, const char *entity, const char *key,
		double value)
{
	struct evstate_entry *e;

	if (st->n == st->cap) {
		size_t cap = st->cap ? 2 * st->cap : 16;

		e = reallocarray(st->e, cap, sizeof(*e));
		if (!e)
			return -1;
		st->e = e;
		st->cap = cap;
	}
	e = &st->e[st->n];
	e->entity = strdup(entity);
	e->key = strdup(key);
	e->value = value;
	if (!e->entity || !e->key) {
		free(e->entity);
		free(e->key);
		return -1;
	}
	st->n++;
	return 0;
}

struct evstate *evstate_copy(const struct evstate *st)
{
	struct evstate *c = evstate_new();

	for (size_t i = 0; c && st && i < st->n; i++) {
		if (evstate_put(c, st->e[i].entity, st->e[i].key,
				st->e[i].value)) {
			evstate_free(c);
			return NULL;
		}
	}
	return c;
}

static int put_value(json_t *obj, const char *entity, const char *key, double v)
{
	json_t *o = json_object_get(obj, entity);

	if (!o) {
		o = json_object();
		if (!o || json_object_set_new(obj, entity, o))
			return -1;
	}
	/* Whole numbers print as integers: state is mostly counts. */
	if (v == trunc(v) && fabs(v) < 9007199254740992.0)
		return json_object_set_new(o, key, json_integer((json_int_t)v));
	return json_object_set_new(o, key, json_real(v));
}

json_t *evstate_to_json(const struct evstate *st)
{
	json_t *root = json_object(), *guests = json_object();

	if (!root || !guests)
		goto fail;
	for (size_t i = 0; st && i < st->n; i++) {
		const struct evstate_entry *e = &st->e[i];

		if (e->entity[0]
			? put_value(guests, e->entity, e->key, e->value)
			: put_value(root, "host", e->key, e->value))
			goto fail;
	}
	if (json_object_size(guests) && json_object_set(root, "guests", guests))
		goto fail;
	json_decref(guests);
	return root;
fail:
	json_decref(guests);
	json_decref(root);
	return NULL;
}

__attribute__((format(printf, 3, 4))) static int
se_error(struct policy_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	snprintf(err->path, sizeof(err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

bool evstate_name_valid(const char *s)
{
	const char *start = s;

	if (!isalpha((unsigned char)*s) && *s != '_')
		return false;
	for (s++; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return (size_t)(s - start) <= EVSTATE_NAME_MAX;
}

/* One entity's {"key": number, ...}. */
static int se_entity(struct evstate *st, const json_t *o, const char *entity,
		     const char *path, struct policy_error *err)
{
	char p[300];
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return se_error(err, path,
				"an entity's state is an object of name: "
				"number");
	if (json_object_size(o) > EVSTATE_MAX_KEYS)
		return se_error(err, path, "more than %d state keys",
				EVSTATE_MAX_KEYS);
	json_object_foreach((json_t *)o, key, v)
	{
		snprintf(p, sizeof(p), "%s.%s", path, key);
		if (!evstate_name_valid(key))
			return se_error(
			    err, p,
			    "'%.64s' is not a valid name (" EVSTATE_NAME_RULE
			    ")",
			    key);
		if (!json_is_number(v))
			return se_error(err, p,
					"a state value is a number (an "
					"absent value is no entry)");
		if (evstate_put(st, entity, key, json_number_value(v)))
			return se_error(err, p, "out of memory");
	}
	return 0;
}

static int se_parse(struct evstate *st, const json_t *o, const char *prefix,
		    struct policy_error *err)
{
	static const char *const keys[] = {"host", "guests", NULL};
	const json_t *h = json_object_get(o, "host");
	const json_t *g = json_object_get(o, "guests");
	char p[300];
	const char *name, *bad;
	json_t *v;

	if (!json_is_object(o))
		return se_error(err, prefix,
				"'state' is an object {\"host\": {...}, "
				"\"guests\": {...}}");
	if ((bad = json_unknown_key(o, keys)))
		return se_error(err, prefix, "unknown key '%s'", bad);
	snprintf(p, sizeof(p), "%s.host", prefix);
	if (h && se_entity(st, h, "", p, err))
		return -1;
	snprintf(p, sizeof(p), "%s.guests", prefix);
	if (g && !json_is_object(g))
		return se_error(err, p, "an object of guest name: state");
	json_object_foreach((json_t *)g, name, v)
	{
		snprintf(p, sizeof(p), "%s.guests.%s", prefix, name);
		if (!name[0])
			return se_error(err, p, "a guest name is not empty");
		if (se_entity(st, v, name, p, err))
			return -1;
	}
	return 0;
}

struct evstate *evstate_from_json(const json_t *o, const char *path_prefix,
				  struct policy_error *err)
{
	struct evstate *st = evstate_new();

	if (!st) {
		se_error(err, path_prefix, "out of memory");
		return NULL;
	}
	if (se_parse(st, o, path_prefix, err)) {
		evstate_free(st);
		return NULL;
	}
	return st;
}

/* Guest indices sorted by name, for lookups of state entries. */
static int by_name(const void *a, const void *b, void *arg)
{
	const struct snapshot *snap = arg;
	const size_t *x = a, *y = b;

	return strcmp(snap->guests[*x].name, snap->guests[*y].name);
}

static long find_guest(const struct snapshot *snap, const size_t *ix,
		       const char *name)
{
	size_t lo = 0, hi = snap->nguests;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int d = strcmp(name, snap->guests[ix[mid]].name);

		if (d == 0)
			return (long)ix[mid];
		if (d < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return -1;
}

int evstate_load_rows(const struct evstate *st, const char *const *keys,
		      const bool *guest, size_t nkeys,
		      const struct snapshot *snap, double *rows)
{
	size_t *ix;

	for (size_t i = 0; i < (snap->nguests + 1) * nkeys; i++)
		rows[i] = FIELD_ABSENT;
	if (!st || !st->n || !nkeys)
		return 0;
	ix = calloc(snap->nguests + 1, sizeof(*ix));
	if (!ix)
		return -1;
	for (size_t g = 0; g < snap->nguests; g++)
		ix[g] = g;
	qsort_r(ix, snap->nguests, sizeof(*ix), by_name, (void *)snap);
	for (size_t i = 0; i < st->n; i++) {
		const struct evstate_entry *e = &st->e[i];
		long row = e->entity[0] ? find_guest(snap, ix, e->entity) : -1;

		/* -1: the host's; a guest no longer here is forgotten. */
		if (e->entity[0] && row < 0)
			continue;
		row++;
		/* A row of the wrong scope is never read by the rules, but
		   it would go out with every plan's state, for ever. */
		for (size_t k = 0; k < nkeys; k++)
			if (guest[k] == (row > 0) &&
			    strcmp(keys[k], e->key) == 0)
				rows[(size_t)row * nkeys + k] = e->value;
	}
	free(ix);
	return 0;
}

struct evstate *evstate_from_rows(const double *rows, const char *const *keys,
				  size_t nkeys, const struct snapshot *snap)
{
	struct evstate *st = evstate_new();

	for (size_t r = 0; st && r <= snap->nguests; r++) {
		const char *entity = r ? snap->guests[r - 1].name : "";

		for (size_t k = 0; k < nkeys; k++) {
			double v = rows[r * nkeys + k];

			if (field_present(v) &&
			    evstate_put(st, entity ? entity : "", keys[k], v)) {
				evstate_free(st);
				return NULL;
			}
		}
	}
	return st;
}
