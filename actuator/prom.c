/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prom.c: the Prometheus text format of momd's state (see prom.h).
 *
 * Each metric family is written as "# HELP", "# TYPE" and its samples,
 * only when it has at least one sample, in a fixed order.  Counters end in
 * _total, units are base units (bytes, seconds), label values are escaped
 * as the format requires (backslash, double quote, newline).  Guests come
 * in the order of the JSON objects, which jansson keeps as inserted.
 */
#include "prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KIB 1024.0

struct family {
	const char *name;
	const char *type; /* "gauge" or "counter" */
	const char *help;
	bool unset_below_zero; /* a negative value means "none": no sample */
};

/* Write a number as Prometheus reads it (Go's ParseFloat). */
static void put_number(FILE *f, double v)
{
	if (isnan(v))
		fputs("NaN", f);
	else if (isinf(v))
		fputs(v > 0 ? "+Inf" : "-Inf", f);
	else if (v == (double)(long long)v && fabs(v) < 9e15)
		fprintf(f, "%lld", (long long)v);
	else
		fprintf(f, "%.17g", v);
}

static void put_label_value(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fprintf(f, "\\%c", *s);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

static void put_header(FILE *f, const struct family *fam)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help,
		fam->name, fam->type);
}

/* One unlabelled sample: the number at `key` of obj, times scale. */
static void put_plain(FILE *f, const struct family *fam, const json_t *obj,
		      const char *key, double scale)
{
	json_t *v = json_object_get(obj, key);

	if (json_is_boolean(v)) {
		put_header(f, fam);
		fprintf(f, "%s %d\n", fam->name, json_is_true(v));
		return;
	}
	if (!json_is_number(v))
		return;
	put_header(f, fam);
	fprintf(f, "%s ", fam->name);
	put_number(f, json_number_value(v) * scale);
	fputc('\n', f);
}

/*
 * One sample per member of `map` whose `key` is a number (key NULL: the
 * member itself), labelled label="<member name>", times scale.
 */
static void put_labelled(FILE *f, const struct family *fam, const json_t *map,
			 const char *label, const char *key, double scale)
{
	const char *name;
	json_t *m;
	bool first = true;

	json_object_foreach((json_t *)map, name, m)
	{
		json_t *v = key ? json_object_get(m, key) : m;
		double x;

		if (json_is_boolean(v))
			x = json_is_true(v);
		else if (json_is_number(v))
			x = json_number_value(v);
		else
			continue;
		if (fam->unset_below_zero && x < 0)
			continue;
		if (first)
			put_header(f, fam);
		first = false;
		fprintf(f, "%s{%s=\"", fam->name, label);
		put_label_value(f, name);
		fputs("\"} ", f);
		put_number(f, x * scale);
		fputc('\n', f);
	}
}

/* Freshness of the samples: the hold on stale data (README "Metrics"). */
static void put_samples(FILE *f, const json_t *sm)
{
	static const struct family stale_guest = {
	    "momd_guest_samples_stale", "gauge",
	    "1 for a guest whose samples stopped: left out of the policies "
	    "and left alone."};
	const json_t *names = json_object_get(sm, "stale_guests");
	size_t i;
	json_t *v;

	put_plain(f,
		  &(struct family){"momd_host_samples_stale", "gauge",
				   "1 while the host's samples are stale and "
				   "momd changes nothing."},
		  sm, "host_stale", 1);
	put_plain(f,
		  &(struct family){"momd_host_sample_age_seconds", "gauge",
				   "Time since the host's memory was last "
				   "received."},
		  sm, "host_age_ms", 0.001);
	put_plain(f,
		  &(struct family){"momd_samples_stale_after_seconds", "gauge",
				   "Age beyond which samples count as stale."},
		  sm, "stale_after_ms", 0.001);
	put_plain(f,
		  &(struct family){"momd_held_cycles_total", "counter",
				   "Cycles that changed nothing because the "
				   "host's samples were stale."},
		  sm, "held_cycles", 1);
	json_array_foreach(names, i, v)
	{
		if (i == 0)
			put_header(f, &stale_guest);
		fprintf(f, "%s{guest=\"", stale_guest.name);
		put_label_value(f, json_string_value(v) ? json_string_value(v)
							: "");
		fputs("\"} 1\n", f);
	}
}

static void put_status(FILE *f, const json_t *st)
{
	static const struct family info = {
	    "momd_info", "gauge",
	    "Always 1; the labels name the balloon and KSM backends."};
	static const struct family ingest[] = {
	    {"momd_ingest_batches_total", "counter", "Ingest bodies accepted."},
	    {"momd_ingest_records_total", "counter",
	     "Value lists in accepted ingest bodies."},
	    {"momd_ingest_values_total", "counter",
	     "Values stored in the sample store."},
	    {"momd_ingest_ignored_records_total", "counter",
	     "Value lists of an accepted plugin that name no known field."},
	    {"momd_ingest_rejected_batches_total", "counter",
	     "Ingest bodies refused (bad body, wrong host, overload)."},
	    {"momd_ingest_out_of_window_records_total", "counter",
	     "Value lists dated too far from momd's clock, not stored."},
	    {"momd_ingest_over_max_guests_values_total", "counter",
	     "Values for a guest beyond max_guests, not stored."},
	};
	static const char *const ingest_keys[] = {
	    "batches", "records", "values", "ignored", "rejected",
	    "out_of_window", "over_max_guests"};
	static const struct family actions = {
	    "momd_actions_total", "counter",
	    "Actions by result: applied, dry_run, refused (by a safety "
	    "rail), failed (by the host)."};
	const json_t *in = json_object_get(st, "ingest");
	const char *b =
	    json_string_value(json_object_get(st, "balloon_backend"));
	const char *k = json_string_value(json_object_get(st, "ksm_backend"));

	if (b && k) {
		put_header(f, &info);
		fputs("momd_info{balloon_backend=\"", f);
		put_label_value(f, b);
		fputs("\",ksm_backend=\"", f);
		put_label_value(f, k);
		fputs("\"} 1\n", f);
	}
	put_plain(f,
		  &(struct family){"momd_dry_run", "gauge",
				   "1 when momd decides but changes nothing."},
		  st, "dry_run", 1);
	put_plain(f,
		  &(struct family){"momd_interval_seconds", "gauge",
				   "Policy evaluation interval."},
		  st, "interval_ms", 0.001);
	put_plain(f,
		  &(struct family){"momd_start_time_seconds", "gauge",
				   "Start time of momd, seconds since the "
				   "epoch."},
		  st, "started_ms", 0.001);
	put_plain(f,
		  &(struct family){"momd_cycles_total", "counter",
				   "Policy evaluation cycles run."},
		  st, "cycles", 1);
	put_plain(f,
		  &(struct family){"momd_evaluation_seconds", "gauge",
				   "Duration of the last policy evaluation."},
		  st, "last_eval_ms", 0.001);
	put_plain(f,
		  &(struct family){"momd_guests", "gauge",
				   "Guests with recent samples."},
		  st, "guests", 1);
	for (size_t i = 0; i < sizeof(ingest) / sizeof(ingest[0]); i++)
		put_plain(f, &ingest[i], in, ingest_keys[i], 1);
	put_labelled(f, &actions, json_object_get(st, "actions"), "result",
		     NULL, 1);
	put_samples(f, json_object_get(st, "samples"));
}

static void put_plan(FILE *f, const json_t *view)
{
	static const struct family ksm[] = {
	    {"momd_plan_ksm_run", "gauge",
	     "KSM run mode of the last plan (0 stop, 1 run, 2 unmerge)."},
	    {"momd_plan_ksm_pages_to_scan", "gauge",
	     "KSM pages to scan per wake-up, in the last plan."},
	    {"momd_plan_ksm_sleep_seconds", "gauge",
	     "KSM sleep between scans, in the last plan."},
	    {"momd_plan_ksm_merge_across_nodes", "gauge",
	     "KSM merge across NUMA nodes (0 or 1), in the last plan."},
	};
	static const char *const ksm_keys[] = {"ksm_run", "ksm_pages_to_scan",
					       "ksm_sleep_millisecs",
					       "ksm_merge_across_nodes"};
	static const double ksm_scale[] = {1, 1, 0.001, 1};
	const json_t *plan = json_object_get(view, "plan");
	const json_t *applied = json_object_get(view, "applied");
	const json_t *host = json_object_get(plan, "host");

	put_labelled(f,
		     &(struct family){"momd_balloon_target_bytes", "gauge",
				      "Balloon target momd applied to the "
				      "guest (after the safety rails).",
				      true},
		     applied, "guest", "target", KIB);
	put_labelled(f,
		     &(struct family){"momd_balloon_following", "gauge",
				      "1 while the guest's balloon follows "
				      "its target, 0 when it is stuck."},
		     applied, "guest", "following", 1);
	put_labelled(f,
		     &(struct family){"momd_plan_balloon_target_bytes", "gauge",
				      "Balloon target the policies chose in "
				      "the last plan (before the rails)."},
		     json_object_get(plan, "guests"), "guest", "balloon_target",
		     KIB);
	for (size_t i = 0; i < sizeof(ksm) / sizeof(ksm[0]); i++)
		put_plain(f, &ksm[i], host, ksm_keys[i], ksm_scale[i]);
	put_plain(f,
		  &(struct family){"momd_plan_emergency", "gauge",
				   "1 when the last plan declared a memory "
				   "emergency."},
		  json_object_get(plan, "signals"), "emergency", 1);
}

static void put_stats(FILE *f, const json_t *stats)
{
	const json_t *guests = json_object_get(stats, "guests");

	put_labelled(f,
		     &(struct family){"momd_guest_balloon_current_bytes",
				      "gauge",
				      "The guest's current balloon size, as "
				      "last received from collectd."},
		     guests, "guest", "balloon_cur", KIB);
	put_labelled(f,
		     &(struct family){"momd_guest_balloon_maximum_bytes",
				      "gauge",
				      "The guest's maximum memory, as last "
				      "received from collectd."},
		     guests, "guest", "balloon_max", KIB);
}

char *prom_render(const json_t *status, const json_t *plan, const json_t *stats)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	put_status(f, status);
	put_plan(f, plan);
	put_stats(f, stats);
	if (ferror(f)) {
		fclose(f);
		free(text);
		return NULL;
	}
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

char *prom_render_engine(struct engine *e)
{
	json_t *status = engine_status_json(e);
	json_t *plan = engine_plan_json(e);
	json_t *stats = engine_stats_json(e);
	char *text = NULL;

	if (status && plan && stats)
		text = prom_render(status, plan, stats);
	json_decref(status);
	json_decref(plan);
	json_decref(stats);
	return text;
}
