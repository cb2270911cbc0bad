/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_json.c: the engine's state as the REST API shows it (api_json.h).
 * Key names and order are the API's contract (actuator/openapi.json).
 */
#include "api_json.h"

#include "field.h"

static json_t *samples_json(const struct engine_view *v)
{
	json_t *names = json_array();

	for (size_t i = 0; names && i < v->nstale; i++)
		json_array_append_new(names, json_string(v->stale_guests[i]));
	return json_pack(
	    "{s:o, s:I, s:b, s:I, s:o}", "host_age_ms",
	    v->host_age_ms >= 0 ? json_integer(v->host_age_ms) : json_null(),
	    "stale_after_ms", (json_int_t)v->stale_after_ms, "host_stale",
	    v->host_stale, "held_cycles", (json_int_t)v->held_cycles,
	    "stale_guests", names ? names : json_array());
}

json_t *api_json_status(const struct engine_view *v)
{
	const struct ingest_counts *c = &v->ingest;
	json_t *o;

	o = json_pack(
	    "{s:s, s:b, s:I, s:I, s:f, s:I,"
	    " s:{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}},"
	    " s:{s:I, s:I, s:I, s:I}, s:s, s:s, s:I}",
	    "status", "active", "dry_run", v->dry_run, "cycles",
	    (json_int_t)v->cycles, "guests", (json_int_t)v->guests,
	    "last_eval_ms", v->last_eval_ns / 1e6, "started_ms",
	    (json_int_t)v->started_ms, "ingest", "batches",
	    (json_int_t)c->batches, "records", (json_int_t)c->records, "values",
	    (json_int_t)c->values, "ignored", (json_int_t)c->ignored,
	    "rejected", (json_int_t)c->rejected, "out_of_window",
	    (json_int_t)c->out_of_window, "over_max_guests",
	    (json_int_t)c->over_max_guests, "over_max_disks",
	    (json_int_t)c->over_max_disks, "skipped", "plugin",
	    (json_int_t)c->skipped[INGEST_SKIP_PLUGIN], "host",
	    (json_int_t)c->skipped[INGEST_SKIP_HOST], "actions", "applied",
	    (json_int_t)v->actions[ACT_APPLIED], "dry_run",
	    (json_int_t)v->actions[ACT_DRY_RUN], "refused",
	    (json_int_t)v->actions[ACT_REFUSED], "failed",
	    (json_int_t)v->actions[ACT_FAILED], "balloon_backend",
	    v->balloon_backend, "ksm_backend", v->ksm_backend, "interval_ms",
	    (json_int_t)v->interval_ms);
	if (o) {
		json_object_set_new(o, "cycle_follows_samples",
				    json_boolean(v->cycle_follows_samples));
		json_object_set_new(o, "last_cycle_ms",
				    v->last_cycle_ms
					? json_integer(v->last_cycle_ms)
					: json_null());
		json_object_set_new(o, "samples", samples_json(v));
	}
	return o;
}

/* The present fields of one row, by MOM's names. */
static json_t *row_json(const double *row, const struct field_desc *desc,
			size_t width)
{
	json_t *o = json_object();

	for (size_t f = 0; o && f < width; f++) {
		if (!field_present(row[f]))
			continue;
		/* Integral values print as integers, as MOM's did (range
		   checked first: converting beyond int64 is undefined). */
		if (row[f] >= -0x1p63 && row[f] < 0x1p63 &&
		    row[f] == (double)(json_int_t)row[f])
			json_object_set_new(o, desc[f].name,
					    json_integer((json_int_t)row[f]));
		else
			json_object_set_new(o, desc[f].name, json_real(row[f]));
	}
	return o;
}

json_t *api_json_stats(const struct engine_view *v)
{
	const struct snapshot *s = v->samples;
	json_t *guests;

	if (!s)
		return NULL;
	guests = json_object();
	for (size_t i = 0, d = 0; guests && i < s->nguests; i++) {
		const struct snap_entity *g = &s->guests[i];
		json_t *o =
		    row_json(g->values + (g->len - 1) * GUEST_FIELD_COUNT,
			     guest_fields, GUEST_FIELD_COUNT);
		json_t *disks = NULL;

		/* A guest's disks (in guest order) under "disks": {"vda":
		   {...}}, as the evaluation case has them. */
		for (; d < s->ndisks && s->disks[d].guest <= i; d++) {
			const struct snap_entity *e = &s->disks[d].e;

			if (s->disks[d].guest < i || !e->len)
				continue;
			if (!disks)
				disks = json_object();
			json_object_set_new(
			    disks, e->name,
			    row_json(e->values +
					 (e->len - 1) * DISK_FIELD_COUNT,
				     disk_fields, DISK_FIELD_COUNT));
		}
		if (o && disks)
			json_object_set_new(o, "disks", disks);
		else
			json_decref(disks);
		json_object_set_new(guests, g->name, o);
	}
	return json_pack("{s:o, s:o}", "host",
			 s->host.len
			     ? row_json(s->host.values + (s->host.len - 1) *
							     HOST_FIELD_COUNT,
					host_fields, HOST_FIELD_COUNT)
			     : json_object(),
			 "guests", guests);
}

json_t *api_json_guests(const struct engine_view *v)
{
	const struct snapshot *s = v->samples;
	json_t *arr;

	if (!s)
		return NULL;
	arr = json_array();
	for (size_t i = 0; arr && i < s->nguests; i++)
		json_array_append_new(arr, json_string(s->guests[i].name));
	return arr;
}

json_t *api_json_plan(const struct engine_view *v)
{
	json_t *p = v->plan ? plan_to_json(v->plan) : json_null();
	json_t *targets = json_object();

	for (size_t i = 0; targets && i < v->napplied; i++) {
		const struct control_target *t = &v->applied[i];

		json_object_set_new(targets, t->name,
				    json_pack("{s:I, s:b}", "target",
					      (json_int_t)t->target,
					      "following", t->following));
	}
	if (!p || !targets) {
		json_decref(p);
		json_decref(targets);
		return NULL;
	}
	return json_pack("{s:o, s:o}", "plan", p, "applied", targets);
}
