/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evalcase.c: parses an evaluation case (evalcase.h) into a snapshot.
 *
 * Strict: unknown keys, unknown fields and wrongly typed values are errors
 * naming their JSON path.  Besides the keys of evalcase.h a case may carry
 * a top-level "description" string.  A derived field left absent is
 * derived from its sample (mem_free, swap_usage); nothing else is computed.
 * Guest names are non-empty and distinct (plans are keyed by name); a
 * case has at most EVALCASE_MAX_GUESTS guests, SNAPSHOT_HISTORY_MAX
 * samples each, so evaluating it costs at most that times the policies.
 */
#include "evalcase.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evstate.h"
#include "metric.h"
#include "jsonlimit.h"
#include "jsontext.h"

struct evalcase {
	struct snapshot snap;
	struct snap_param *params;
	struct snap_entity *guests;
	struct snap_disk *disks;
	char **names; /* params, guests, then disks */
	size_t nnames;
	double **rows; /* host, guests, then disks */
	size_t nrows;
	struct evstate *state; /* the last cycle's policy state, or NULL */
};

__attribute__((format(printf, 3, 4))) static int
ce_error(struct policy_error *err, const char *path, const char *fmt, ...)
{
	va_list ap;

	memset(err, 0, sizeof(*err));
	snprintf(err->path, sizeof(err->path), "%s", path);
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return -1;
}

static int ce_keys(const json_t *o, const char *const *allowed,
		   const char *path, struct policy_error *err)
{
	const char *key = json_unknown_key(o, allowed);

	return key ? ce_error(err, path, "unknown key '%s'", key) : 0;
}

static char *ce_strdup(struct evalcase *c, const char *s)
{
	char *p = strdup(s);

	if (p)
		c->names[c->nnames++] = p;
	return p;
}

static void derive_host(double *row)
{
	if (!field_present(row[HF_MEM_FREE]))
		row[HF_MEM_FREE] = row[HF_MEM_UNUSED] + row[HF_MEM_BUFFERS] +
				   row[HF_MEM_CACHED];
	if (!field_present(row[HF_SWAP_USAGE]))
		row[HF_SWAP_USAGE] = row[HF_SWAP_TOTAL] - row[HF_SWAP_FREE];
}

static void derive_guest(double *row)
{
	if (!field_present(row[GF_MEM_FREE]))
		row[GF_MEM_FREE] = row[GF_MEM_UNUSED] + row[GF_DISK_CACHES];
	if (!field_present(row[GF_SWAP_USAGE]))
		row[GF_SWAP_USAGE] = row[GF_SWAP_TOTAL] - row[GF_SWAP_FREE];
}

enum ce_kind { CE_HOST, CE_GUEST, CE_DISK };

static const char *const ce_kind_names[] = {"host", "guest", "disk"};

static int ce_lookup(enum ce_kind k, const char *name)
{
	return k == CE_HOST    ? host_field_lookup(name)
	       : k == CE_GUEST ? guest_field_lookup(name)
			       : disk_field_lookup(name);
}

/* One sample: {"field": number|null, ...} into row (width wide). */
static int ce_sample(const json_t *o, enum ce_kind k, double *row, char *path,
		     struct policy_error *err)
{
	size_t width = k == CE_HOST    ? HOST_FIELD_COUNT
		       : k == CE_GUEST ? GUEST_FIELD_COUNT
				       : DISK_FIELD_COUNT;
	const char *key;
	json_t *v;

	for (size_t f = 0; f < width; f++)
		row[f] = FIELD_ABSENT;
	if (!json_is_object(o))
		return ce_error(err, path,
				"a sample is an object of field: number");
	json_object_foreach((json_t *)o, key, v)
	{
		int f = ce_lookup(k, key);
		size_t len = strlen(path);

		snprintf(path + len, 256 - len, ".%s", key);
		if (f < 0)
			return ce_error(err, path, "unknown %s field '%s'",
					ce_kind_names[k], key);
		if (!json_is_number(v) && !json_is_null(v))
			return ce_error(err, path,
					"a field value is a number or null");
		row[f] = json_is_null(v) ? FIELD_ABSENT : json_number_value(v);
		path[len] = '\0';
	}
	if (k == CE_HOST)
		derive_host(row);
	else if (k == CE_GUEST)
		derive_guest(row);
	return 0;
}

static int ce_entity(struct evalcase *c, const json_t *o, bool host,
		     struct snap_entity *e, char *path,
		     struct policy_error *err)
{
	static const char *const hkeys[] = {"history", NULL};
	static const char *const gkeys[] = {"name", "history", "disks", NULL};
	size_t width = host ? HOST_FIELD_COUNT : GUEST_FIELD_COUNT;
	const json_t *hist = json_object_get(o, "history");
	size_t len = strlen(path), i;
	double *rows;
	json_t *s;

	if (!json_is_object(o))
		return ce_error(err, path,
				"an entity is an object with \"history\"");
	if (ce_keys(o, host ? hkeys : gkeys, path, err))
		return -1;
	snprintf(path + len, 256 - len, ".history");
	if (!json_is_array(hist))
		return ce_error(err, path,
				"\"history\" is an array of samples");
	if (json_array_size(hist) > SNAPSHOT_HISTORY_MAX)
		return ce_error(err, path, "more than %d samples",
				SNAPSHOT_HISTORY_MAX);
	rows = calloc(json_array_size(hist) * width + 1, sizeof(*rows));
	if (!rows)
		return ce_error(err, path, "out of memory");
	c->rows[c->nrows++] = rows;
	e->values = rows;
	e->len = json_array_size(hist);
	json_array_foreach(hist, i, s)
	{
		size_t l2 = strlen(path);

		snprintf(path + l2, 256 - l2, "[%zu]", i);
		if (ce_sample(s, host ? CE_HOST : CE_GUEST, rows + i * width,
			      path, err))
			return -1;
		path[l2] = '\0';
	}
	path[len] = '\0';
	return 0;
}

static int ce_params(struct evalcase *c, const json_t *o,
		     struct policy_error *err)
{
	const char *key;
	json_t *v;

	if (!json_is_object(o))
		return ce_error(
		    err, "$.params",
		    "\"params\" is an object of name: number|boolean");
	c->params = calloc(json_object_size(o) + 1, sizeof(*c->params));
	if (!c->params)
		return ce_error(err, "$.params", "out of memory");
	c->snap.params = c->params;
	json_object_foreach((json_t *)o, key, v)
	{
		struct snap_param *p = &c->params[c->snap.nparams];
		char path[256];

		snprintf(path, sizeof(path), "$.params.%s", key);
		if (json_is_boolean(v))
			p->value = json_is_true(v) ? 1 : 0;
		else if (json_is_number(v))
			p->value = json_number_value(v);
		else
			return ce_error(err, path,
					"a parameter is a number or a boolean");
		p->name = ce_strdup(c, key);
		if (!p->name)
			return ce_error(err, path, "out of memory");
		c->snap.nparams++;
	}
	return 0;
}

static int ce_guest_name(struct evalcase *c, const json_t *o, size_t g,
			 bool dup, char *path, struct policy_error *err)
{
	const json_t *name = json_object_get(o, "name");

	if (!json_is_string(name) || !json_string_length(name) ||
	    strlen(json_string_value(name)) != json_string_length(name))
		return ce_error(err, path,
				"a guest needs a non-empty \"name\"");
	if (dup)
		return ce_error(err, path, "two guests are named '%s'",
				json_string_value(name));
	c->guests[g].name = ce_strdup(c, json_string_value(name));
	return c->guests[g].name ? 0 : ce_error(err, path, "out of memory");
}

struct name_at {
	const char *name;
	size_t i;
};

static int name_at_cmp(const void *a, const void *b)
{
	const struct name_at *x = a, *y = b;
	int d = strcmp(x->name, y->name);

	return d ? d : (x->i > y->i) - (x->i < y->i);
}

/*
 * The first guest (in case order) whose name an earlier guest has, or n:
 * sorting makes this O(n log n) where pairwise comparison was O(n^2).
 */
static size_t first_duplicate(const json_t *arr, size_t n, int *oom)
{
	struct name_at *v = calloc(n + 1, sizeof(*v));
	size_t m = 0, first = n;

	*oom = !v;
	for (size_t i = 0; v && i < n; i++) {
		const json_t *s =
		    json_object_get(json_array_get(arr, i), "name");

		if (json_is_string(s))
			v[m++] = (struct name_at){json_string_value(s), i};
	}
	if (v)
		qsort(v, m, sizeof(*v), name_at_cmp);
	for (size_t k = 1; v && k < m; k++)
		if (strcmp(v[k - 1].name, v[k].name) == 0 && v[k].i < first)
			first = v[k].i;
	free(v);
	return first;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* One disk: its name and its one sample (disks hold settings, not
   series). */
static int ce_disk(struct evalcase *c, size_t g, const char *dev,
		   const json_t *o, char *path, struct policy_error *err)
{
	struct snap_disk *d = &c->disks[c->snap.ndisks];
	size_t len = strlen(path);
	double *row;

	snprintf(path + len, 256 - len, ".%s", dev);
	if (!metric_disk_dev_valid(dev))
		return ce_error(err, path,
				"a disk is named by its target device: 1 to "
				"31 lower-case letters and digits (\"vda\")");
	row = calloc(DISK_FIELD_COUNT, sizeof(*row));
	if (!row)
		return ce_error(err, path, "out of memory");
	c->rows[c->nrows++] = row;
	d->guest = g;
	d->e.name = ce_strdup(c, dev);
	d->e.values = row;
	d->e.len = 1;
	if (!d->e.name)
		return ce_error(err, path, "out of memory");
	if (ce_sample(o, CE_DISK, row, path, err))
		return -1;
	path[len] = '\0';
	c->snap.ndisks++;
	return 0;
}

/* "disks": {"vda": {"max_total_bytes_sec": ..., ...}, ...}, listed in
   device-name order whatever the case's order. */
static int ce_disks(struct evalcase *c, size_t g, const json_t *o, char *path,
		    struct policy_error *err)
{
	size_t len = strlen(path), n = json_object_size(o), i = 0;
	const char **keys;
	const char *key;
	json_t *v;
	int rc = 0;

	snprintf(path + len, 256 - len, ".disks");
	if (!json_is_object(o))
		return ce_error(err, path,
				"\"disks\" is an object of device: sample");
	if (n > SNAPSHOT_DISKS_PER_GUEST)
		return ce_error(err, path, "more than %d disks",
				SNAPSHOT_DISKS_PER_GUEST);
	keys = calloc(n + 1, sizeof(*keys));
	if (!keys)
		return ce_error(err, path, "out of memory");
	json_object_foreach((json_t *)o, key, v) keys[i++] = key;
	qsort(keys, n, sizeof(*keys), key_cmp);
	for (i = 0; i < n && !rc; i++)
		rc = ce_disk(c, g, keys[i], json_object_get(o, keys[i]), path,
			     err);
	free(keys);
	path[len] = '\0';
	return rc;
}

static int ce_guests(struct evalcase *c, const json_t *arr,
		     struct policy_error *err)
{
	size_t i, dup;
	json_t *o;
	int oom;

	if (!json_is_array(arr))
		return ce_error(err, "$.guests", "\"guests\" is an array");
	if (json_array_size(arr) > EVALCASE_MAX_GUESTS)
		return ce_error(err, "$.guests", "more than %d guests",
				EVALCASE_MAX_GUESTS);
	dup = first_duplicate(arr, json_array_size(arr), &oom);
	if (oom)
		return ce_error(err, "$.guests", "out of memory");
	c->guests = calloc(json_array_size(arr) + 1, sizeof(*c->guests));
	if (!c->guests)
		return ce_error(err, "$.guests", "out of memory");
	c->snap.guests = c->guests;
	json_array_foreach(arr, i, o)
	{
		char path[256];

		snprintf(path, sizeof(path), "$.guests[%zu]", i);
		if (!json_is_object(o))
			return ce_error(err, path, "a guest is an object");
		if (ce_guest_name(c, o, i, i == dup, path, err) ||
		    ce_entity(c, o, false, &c->guests[i], path, err))
			return -1;
		if (json_object_get(o, "disks") &&
		    ce_disks(c, i, json_object_get(o, "disks"), path, err))
			return -1;
		c->snap.nguests++;
	}
	return 0;
}

static int ce_root(struct evalcase *c, const json_t *root,
		   struct policy_error *err)
{
	static const char *const keys[] = {"description", "params", "host",
					   "guests",	  "state",  NULL};
	const json_t *v;
	char path[256] = "$.host";

	if (!json_is_object(root))
		return ce_error(err, "$", "a case is a JSON object");
	if (ce_keys(root, keys, "$", err))
		return -1;
	v = json_object_get(root, "description");
	if (v && !json_is_string(v))
		return ce_error(err, "$.description", "a string was expected");
	if ((v = json_object_get(root, "params")) && ce_params(c, v, err))
		return -1;
	v = json_object_get(root, "host");
	if (!v)
		return ce_error(err, "$", "a case needs \"host\"");
	c->snap.host.name = "host";
	if (ce_entity(c, v, true, &c->snap.host, path, err))
		return -1;
	if ((v = json_object_get(root, "guests")) && ce_guests(c, v, err))
		return -1;
	if ((v = json_object_get(root, "state"))) {
		c->state = evstate_from_json(v, "$.state", err);
		if (!c->state)
			return -1;
		c->snap.state = c->state;
	}
	return 0;
}

struct evalcase *evalcase_from_json(const json_t *root,
				    struct policy_error *err)
{
	struct evalcase *c = calloc(1, sizeof(*c));
	const json_t *garr = json_object_get(root, "guests");
	size_t nguests = json_array_size(garr), ndisks = 0;
	size_t nparams = json_object_size(json_object_get(root, "params"));

	memset(err, 0, sizeof(*err));
	/* Disks are counted here to size the tables once; ce_disks refuses
	   more than SNAPSHOT_DISKS_PER_GUEST a guest before using them. */
	for (size_t g = 0; g < nguests && g < EVALCASE_MAX_GUESTS; g++)
		ndisks += json_object_size(
		    json_object_get(json_array_get(garr, g), "disks"));
	if (c) {
		c->names =
		    calloc(nguests + nparams + ndisks + 1, sizeof(*c->names));
		c->rows = calloc(nguests + ndisks + 2, sizeof(*c->rows));
		c->disks = calloc(ndisks + 1, sizeof(*c->disks));
		c->snap.disks = c->disks;
	}
	if (!c || !c->names || !c->rows || !c->disks) {
		ce_error(err, "$", "out of memory");
		goto fail;
	}
	if (ce_root(c, root, err))
		goto fail;
	return c;
fail:
	evalcase_free(c);
	return NULL;
}

struct evalcase *evalcase_parse(const char *text, size_t len,
				struct policy_error *err)
{
	json_error_t jerr;
	json_t *root = NULL;
	struct evalcase *c;

	memset(err, 0, sizeof(*err));
	if (json_text_check(text, len, err->message, sizeof(err->message)) < 0)
		return NULL;
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		memset(err, 0, sizeof(*err));
		snprintf(err->message, sizeof(err->message), "JSON syntax: %s",
			 jerr.text);
		err->line = jerr.line;
		err->column = jerr.column;
		return NULL;
	}
	c = evalcase_from_json(root, err);
	json_decref(root);
	return c;
}

void evalcase_free(struct evalcase *c)
{
	if (!c)
		return;
	for (size_t i = 0; c->names && i < c->nnames; i++)
		free(c->names[i]);
	for (size_t i = 0; c->rows && i < c->nrows; i++)
		free(c->rows[i]);
	free(c->names);
	free(c->rows);
	free(c->params);
	free(c->guests);
	free(c->disks);
	evstate_free(c->state);
	free(c);
}

const struct snapshot *evalcase_snapshot(const struct evalcase *c)
{
	return &c->snap;
}

int evalcase_check_params(const struct evalcase *c, const struct policy_set *ps,
			  struct policy_error *err)
{
	const struct snapshot *s = evalcase_snapshot(c);

	for (size_t i = 0; i < s->nparams; i++) {
		if (policy_set_param_index(ps, s->params[i].name) >= 0)
			continue;
		snprintf(err->path, sizeof(err->path), "$.params.%s",
			 s->params[i].name);
		snprintf(err->message, sizeof(err->message),
			 "no policy declares the parameter '%s'",
			 s->params[i].name);
		return -1;
	}
	return 0;
}
