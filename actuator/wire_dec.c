/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_dec.c: strictly decodes request bodies in collectd's write_http
 * JSON format (wire.h) into records.
 *
 * A value's type is only known once "dstypes" (which follows "values") has
 * been read, so numbers are kept as text (wire_lex.c reads them) until the
 * record is complete; errors name the record index, the key and, for
 * syntax errors, the line and column.  The decoder is strict: duplicate
 * keys, unknown keys and trailing bytes are errors.  Records go into a
 * growing array that is handed over only when the whole body is valid.
 *
 * Reentrant; never logs.
 */
#define MOM_WIRE_LEX_ALLOW
#include "wire_lex.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The keys of a record, as bits of a "seen" mask. */
enum wire_key {
	WK_VALUES,
	WK_DSTYPES,
	WK_DSNAMES,
	WK_TIME,
	WK_INTERVAL,
	WK_HOST,
	WK_PLUGIN,
	WK_PLUGIN_INSTANCE,
	WK_TYPE,
	WK_TYPE_INSTANCE,
	WK_META,
	WK_COUNT,
};

static const char *const wire_key_names[WK_COUNT] = {
    [WK_VALUES] = "values",	[WK_DSTYPES] = "dstypes",
    [WK_DSNAMES] = "dsnames",	[WK_TIME] = "time",
    [WK_INTERVAL] = "interval", [WK_HOST] = "host",
    [WK_PLUGIN] = "plugin",	[WK_PLUGIN_INSTANCE] = "plugin_instance",
    [WK_TYPE] = "type",		[WK_TYPE_INSTANCE] = "type_instance",
    [WK_META] = "meta",
};

/* One record being read. */
struct wire_raw_record {
	unsigned seen; /* bit per enum wire_key */
	size_t nvalues, ndstypes, ndsnames;
	struct wire_raw_value values[WIRE_VALUES_MAX];
	enum wire_dstype dstypes[WIRE_VALUES_MAX];
};

static int wire_elem_value(struct wire_parser *ps, void *ctx, size_t i)
{
	struct wire_raw_value *rv = &((struct wire_raw_record *)ctx)->values[i];

	if (wire_peek(ps) == 'n' && wire_word(ps, "null")) {
		rv->is_null = true;
		rv->text[0] = '\0';
		return 0;
	}
	if (wire_want(ps, '0', "an array of numbers or null") < 0)
		return -EINVAL;
	return wire_number(ps, rv);
}

static int wire_elem_dstype(struct wire_parser *ps, void *ctx, size_t i)
{
	struct wire_raw_record *raw = ctx;
	char name[16];
	bool trunc = false;

	if (wire_want(ps, '"', "an array of strings") < 0)
		return -EINVAL;
	if (wire_string(ps, name, sizeof(name), &trunc) < 0)
		return -EINVAL;
	for (int t = WIRE_GAUGE; !trunc && t <= WIRE_ABSOLUTE; t++) {
		if (strcmp(name, wire_dstype_names[t]) == 0) {
			raw->dstypes[i] = (enum wire_dstype)t;
			return 0;
		}
	}
	return wire_fail(ps, "unknown data source type \"%s%s\"", name,
			 trunc ? "..." : "");
}

/* A name into a WIRE_NAME_MAX buffer; too long is an error. */
static int wire_name(struct wire_parser *ps, char *out)
{
	bool trunc = false;

	if (wire_want(ps, '"', "a string") < 0)
		return -EINVAL;
	if (wire_string(ps, out, WIRE_NAME_MAX, &trunc) < 0)
		return -EINVAL;
	if (trunc)
		return wire_fail(ps, "longer than %d bytes", WIRE_NAME_MAX - 1);
	return 0;
}

static int wire_elem_dsname(struct wire_parser *ps, void *ctx, size_t i)
{
	return wire_name(ps, ((struct wire_record *)ctx)->values[i].dsname);
}

/* time or interval: a finite number of seconds. */
static int wire_seconds(struct wire_parser *ps, double *out, bool nonneg)
{
	struct wire_raw_value rv;

	if (wire_want(ps, '0', "a number") < 0)
		return -EINVAL;
	if (wire_number(ps, &rv) < 0)
		return -EINVAL;
	*out = strtod(rv.text, NULL);
	if (!isfinite(*out))
		return wire_fail(ps, "must be finite");
	if (nonneg && *out < 0)
		return wire_fail(ps, "must not be negative");
	return 0;
}

/* Is s a UUID (wire_uuid_valid())?  Lower-cases it in place, so that one
   domain has one key whatever the sender's case. */
static bool wire_uuid_ok(char *s)
{
	if (!wire_uuid_valid(s))
		return false;
	for (int i = 0; i < WIRE_UUID_LEN; i++)
		s[i] = (char)tolower((unsigned char)s[i]);
	return true;
}

/* The meta object (its '{' is next): keep mom:uuid, skip the rest. */
static int wire_meta(struct wire_parser *ps, struct wire_record *r)
{
	char key[sizeof(WIRE_UUID_META) + 1];
	bool trunc;

	ps->p++;
	if (wire_peek(ps) == '}') {
		ps->p++;
		return 0;
	}
	for (;;) {
		if (wire_peek(ps) != '"')
			return wire_fail_syntax(ps, "expected a key");
		if (wire_string(ps, key, sizeof(key), &trunc) < 0 ||
		    wire_expect(ps, ':') < 0)
			return -EINVAL;
		if (!trunc && strcmp(key, WIRE_UUID_META) == 0) {
			char u[WIRE_UUID_LEN + 2];

			if (wire_want(ps, '"', "a string") < 0 ||
			    wire_string(ps, u, sizeof(u), &trunc) < 0)
				return -EINVAL;
			if (trunc || !wire_uuid_ok(u))
				return wire_fail(ps, WIRE_UUID_META
						 " is not a UUID");
			memcpy(r->uuid, u, sizeof(r->uuid));
		} else if (wire_skip_value(ps, 3) < 0) {
			return -EINVAL;
		}
		if (wire_peek(ps) == '}') {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

/* Read the value of key k (after the colon) into the record. */
static int wire_member(struct wire_parser *ps, enum wire_key k,
		       struct wire_raw_record *raw, struct wire_record *r)
{
	switch (k) {
	case WK_VALUES:
		return wire_array(ps, &raw->nvalues, wire_elem_value, raw,
				  "an array");
	case WK_DSTYPES:
		return wire_array(ps, &raw->ndstypes, wire_elem_dstype, raw,
				  "an array");
	case WK_DSNAMES:
		return wire_array(ps, &raw->ndsnames, wire_elem_dsname, r,
				  "an array");
	case WK_TIME:
		return wire_seconds(ps, &r->time, false);
	case WK_INTERVAL:
		return wire_seconds(ps, &r->interval, true);
	case WK_HOST:
		return wire_name(ps, r->host);
	case WK_PLUGIN:
		return wire_name(ps, r->plugin);
	case WK_PLUGIN_INSTANCE:
		return wire_name(ps, r->plugin_instance);
	case WK_TYPE:
		return wire_name(ps, r->type);
	case WK_TYPE_INSTANCE:
		return wire_name(ps, r->type_instance);
	case WK_META:
		if (wire_want(ps, '{', "an object") < 0)
			return -EINVAL;
		return wire_meta(ps, r);
	case WK_COUNT:
		break;
	}
	return -EINVAL;
}

/* Convert raw value i, now that its type is known. */
static int wire_convert(struct wire_parser *ps, const struct wire_raw_value *rv,
			enum wire_dstype t, struct wire_value *v)
{
	char *end;

	v->type = t;
	if (t == WIRE_GAUGE) {
		v->v.gauge = rv->is_null ? NAN : strtod(rv->text, &end);
		if (!rv->is_null && !isfinite(v->v.gauge))
			return wire_fail(ps, "gauge %s is not finite",
					 rv->text);
		return 0;
	}
	if (rv->is_null)
		return wire_fail(ps, "%s value is null", wire_dstype_names[t]);
	if (!rv->is_integer)
		return wire_fail(ps, "%s value %s is not an integer",
				 wire_dstype_names[t], rv->text);
	errno = 0;
	if (t == WIRE_DERIVE) {
		v->v.derive = strtoll(rv->text, &end, 10);
	} else if (rv->text[0] == '-') {
		return wire_fail(ps, "%s value %s is negative",
				 wire_dstype_names[t], rv->text);
	} else if (t == WIRE_COUNTER) {
		v->v.counter = strtoull(rv->text, &end, 10);
	} else {
		v->v.absolute = strtoull(rv->text, &end, 10);
	}
	if (errno == ERANGE)
		return wire_fail(ps, "%s value %s is out of range",
				 wire_dstype_names[t], rv->text);
	return 0;
}

/* The record is complete: check presence and lengths, convert values. */
static int wire_finish(struct wire_parser *ps, struct wire_raw_record *raw,
		       struct wire_record *r)
{
	for (int k = 0; k < WK_META; k++) {
		if (!(raw->seen & (1u << k))) {
			ps->key = wire_key_names[k];
			return wire_fail(ps, "missing");
		}
	}
	ps->key = wire_key_names[WK_VALUES];
	if (raw->nvalues == 0)
		return wire_fail(ps, "is empty");
	if (raw->ndstypes != raw->nvalues) {
		ps->key = wire_key_names[WK_DSTYPES];
		return wire_fail(ps, "has %zu elements, values has %zu",
				 raw->ndstypes, raw->nvalues);
	}
	if (raw->ndsnames != raw->nvalues) {
		ps->key = wire_key_names[WK_DSNAMES];
		return wire_fail(ps, "has %zu elements, values has %zu",
				 raw->ndsnames, raw->nvalues);
	}
	r->nvalues = raw->nvalues;
	for (size_t i = 0; i < raw->nvalues; i++) {
		if (wire_convert(ps, &raw->values[i], raw->dstypes[i],
				 &r->values[i]) < 0)
			return -EINVAL;
	}
	ps->key = NULL;
	return 0;
}

/* Look a key up; WK_COUNT when unknown.  collectd's write_http writes the
   keys in enum wire_key's order, so the key after the previous one, the
   hint, is tried first: one comparison a key instead of six on average. */
static enum wire_key wire_key_find(const char *name, enum wire_key hint)
{
	if (hint < WK_COUNT && strcmp(name, wire_key_names[hint]) == 0)
		return hint;
	for (int k = 0; k < WK_COUNT; k++) {
		if (strcmp(name, wire_key_names[k]) == 0)
			return (enum wire_key)k;
	}
	return WK_COUNT;
}

/* Read one record object (its '{' is next) into *r. */
static int wire_record_read(struct wire_parser *ps, struct wire_record *r)
{
	struct wire_raw_record raw = {0};
	char key[sizeof(ps->err->field)];
	bool trunc;
	enum wire_key k = WK_COUNT, hint;

	memset(r, 0, sizeof(*r));
	ps->p++;
	if (wire_peek(ps) == '}') {
		ps->p++;
		return wire_finish(ps, &raw, r);
	}
	for (;;) {
		if (wire_peek(ps) != '"')
			return wire_fail_syntax(ps, "expected a key");
		if (wire_string(ps, key, sizeof(key), &trunc) < 0)
			return -EINVAL;
		ps->key = key;
		/* The first key, or the one after the previous. */
		hint = k == WK_COUNT ? WK_VALUES : (enum wire_key)(k + 1);
		k = trunc ? WK_COUNT : wire_key_find(key, hint);
		if (k == WK_COUNT)
			return wire_fail(ps, "unknown key");
		if (raw.seen & (1u << k))
			return wire_fail(ps, "duplicate key");
		raw.seen |= 1u << k;
		ps->key = wire_key_names[k];
		if (wire_expect(ps, ':') < 0 || wire_member(ps, k, &raw, r) < 0)
			return -EINVAL;
		ps->key = NULL;
		if (wire_peek(ps) == '}') {
			ps->p++;
			return wire_finish(ps, &raw, r);
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

/* Append one more record slot to the batch, growing it geometrically. */
static struct wire_record *wire_batch_grow(struct wire_batch *b)
{
	if (b->n == b->cap) {
		size_t ncap = b->cap ? b->cap * 2 : 16;
		struct wire_record *p =
		    reallocarray(b->records, ncap, sizeof(*p));

		if (!p)
			return NULL;
		b->records = p;
		b->cap = ncap;
	}
	return &b->records[b->n];
}

/* The body's array of records (its '[' is next). */
static int wire_records(struct wire_parser *ps, size_t max_records,
			struct wire_batch *out)
{
	struct wire_record *r;

	ps->p++;
	if (wire_peek(ps) == ']') {
		ps->p++;
		return 0;
	}
	for (;;) {
		ps->record = (long)out->n;
		if (out->n >= max_records)
			return wire_fail(ps, "more than %zu records",
					 max_records);
		if (wire_want(ps, '{', "an object") < 0)
			return -EINVAL;
		r = wire_batch_grow(out);
		if (!r)
			return -ENOMEM;
		if (wire_record_read(ps, r) < 0)
			return -EINVAL;
		out->n++;
		ps->record = -1;
		if (wire_peek(ps) == ']') {
			ps->p++;
			return 0;
		}
		if (wire_expect(ps, ',') < 0)
			return -EINVAL;
	}
}

int wire_batch_decode_into(const char *body, size_t len, size_t max_records,
			   struct wire_batch *batch, struct wire_error *err)
{
	struct wire_error scratch;
	struct wire_parser ps = {
	    .start = body,
	    .p = body,
	    .end = body + len,
	    .line = 1,
	    .line_start = body,
	    .record = -1,
	    .key = NULL,
	    .err = err ? err : &scratch,
	};
	int rc;

	*ps.err = (struct wire_error){.record = -1};
	batch->n = 0;
	if (!body) {
		if (len)
			return wire_fail(&ps, "no body");
		ps.start = ps.p = ps.end = ps.line_start = "";
	}
	if (wire_peek(&ps) != '[') {
		if (ps.p >= ps.end)
			rc = wire_fail_syntax(&ps, "empty body");
		else if (wire_peek(&ps) == '{')
			rc = wire_fail(&ps,
				       "body must be an array, not an object");
		else
			rc = wire_fail_syntax(&ps, "expected '['");
		goto out;
	}
	rc = wire_records(&ps, max_records, batch);
	if (rc < 0)
		goto out;
	wire_skip_ws(&ps);
	if (ps.p < ps.end)
		rc = wire_fail_syntax(&ps, "trailing data after the array");
out:
	if (rc < 0) {
		if (rc == -ENOMEM)
			wire_fail(&ps, "out of memory");
		batch->n = 0;
	}
	return rc;
}

int wire_batch_decode(const char *body, size_t len, size_t max_records,
		      struct wire_batch *batch, struct wire_error *err)
{
	struct wire_batch tmp = {0, NULL, 0};
	int rc = wire_batch_decode_into(body, len, max_records, &tmp, err);

	if (rc < 0) {
		wire_batch_free(&tmp);
		*batch = (struct wire_batch){0, NULL, 0};
		return rc;
	}
	*batch = tmp;
	return 0;
}

void wire_batch_free(struct wire_batch *batch)
{
	if (!batch)
		return;
	free(batch->records);
	batch->records = NULL;
	batch->n = 0;
	batch->cap = 0;
}
