/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prom.c: the Prometheus text format of momd's state (see prom.h).
 *
 * Each metric family is written as "# HELP", "# TYPE" and its samples,
 * only when it has at least one sample, in a fixed order.  Counters end in
 * _total, units are base units (bytes, seconds), label values are escaped
 * as the format requires (backslash, double quote, newline).  Guests come
 * in the engine's order (that of the REST bodies too).
 */
#include "prom.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"

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
	/* The range first: converting a double beyond long long (a gauge
	   any writer may send) is undefined behaviour. */
	else if (fabs(v) < 9e15 && v == (double)(long long)v)
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

/* One unlabelled sample, times scale. */
static void put_plain(FILE *f, const struct family *fam, double v, double scale)
{
	put_header(f, fam);
	fprintf(f, "%s ", fam->name);
	put_number(f, v * scale);
	fputc('\n', f);
}

/* One labelled sample label="name"; the header before the first. */
static void put_labelled(FILE *f, const struct family *fam, bool *first,
			 const char *label, const char *name, double v)
{
	if (fam->unset_below_zero && v < 0)
		return;
	if (*first)
		put_header(f, fam);
	*first = false;
	fprintf(f, "%s{%s=\"", fam->name, label);
	put_label_value(f, name);
	fputs("\"} ", f);
	put_number(f, v);
	fputc('\n', f);
}

/* One sample of a disk's limit: labels guest, disk and limit. */
static void put_disk_limit(FILE *f, const struct family *fam, bool *first,
			   const char *guest, const char *dev, int limit,
			   double v)
{
	if (*first)
		put_header(f, fam);
	*first = false;
	fprintf(f, "%s{guest=\"", fam->name);
	put_label_value(f, guest);
	fputs("\",disk=\"", f);
	put_label_value(f, dev);
	fprintf(f, "\",limit=\"%s\"} ", disk_control_names[limit]);
	put_number(f, v);
	fputc('\n', f);
}

/* Each disk's I/O limits: planned (before the IoTune rail; the action log
   has what was written) beside the live ones and vdsm's maximum, as last
   received. */
static void put_disks(FILE *f, const struct engine_view *v)
{
	static const struct family planned = {
	    "momd_plan_disk_io_limit", "gauge",
	    "A disk's I/O limit the policies chose in the last plan (bytes "
	    "or operations per second; 0 unlimited)."};
	static const struct family live[] = {
	    {"momd_disk_io_limit", "gauge",
	     "A disk's live I/O limit, as last received from collectd (0 "
	     "unlimited)."},
	    {"momd_disk_io_limit_maximum", "gauge",
	     "A disk's maximum from vdsm's ioTune metadata, as last "
	     "received."},
	};
	static const int base[] = {DF_CUR_BASE, DF_MAX_BASE};
	const struct plan *p = v->plan;
	const struct snapshot *s = v->samples;
	bool first = true;

	for (size_t d = 0; p && d < p->ndisks; d++)
		for (int k = 0; k < DISK_CONTROL_COUNT; k++)
			if (p->disks[d].ctl[k].set)
				put_disk_limit(
				    f, &planned, &first,
				    p->guests[p->disks[d].guest].name,
				    p->disks[d].dev, k,
				    (double)p->disks[d].ctl[k].value);
	for (size_t g = 0; s && g < 2; g++) {
		first = true;
		for (size_t d = 0; d < s->ndisks; d++) {
			const struct snap_disk *sd = &s->disks[d];

			for (int k = 0; k < DISK_CONTROL_COUNT; k++) {
				double x = snap_latest(&sd->e, DISK_FIELD_COUNT,
						       base[g] + k);

				if (field_present(x))
					put_disk_limit(
					    f, &live[g], &first,
					    s->guests[sd->guest].name,
					    sd->e.name, k, x);
			}
		}
	}
}

/* Freshness of the samples: the hold on stale data (README "Metrics"). */
static void put_samples(FILE *f, const struct engine_view *v)
{
	static const struct family stale_guest = {
	    "momd_guest_samples_stale", "gauge",
	    "1 for a guest whose samples stopped: left out of the policies "
	    "and left alone."};

	put_plain(f,
		  &(struct family){"momd_host_samples_stale", "gauge",
				   "1 while the host's samples are stale and "
				   "momd changes nothing."},
		  v->host_stale, 1);
	if (v->host_age_ms >= 0)
		put_plain(f,
			  &(struct family){"momd_host_sample_age_seconds",
					   "gauge",
					   "Time since the host's memory was "
					   "last received."},
			  (double)v->host_age_ms, 0.001);
	put_plain(f,
		  &(struct family){"momd_samples_stale_after_seconds", "gauge",
				   "Age beyond which samples count as stale."},
		  (double)v->stale_after_ms, 0.001);
	put_plain(f,
		  &(struct family){"momd_held_cycles_total", "counter",
				   "Cycles that changed nothing because the "
				   "host's samples were stale."},
		  (double)v->held_cycles, 1);
	for (size_t i = 0; i < v->nstale; i++) {
		if (i == 0)
			put_header(f, &stale_guest);
		fprintf(f, "%s{guest=\"", stale_guest.name);
		put_label_value(f, v->stale_guests[i]);
		fputs("\"} 1\n", f);
	}
}

static void put_status(FILE *f, const struct engine_view *v)
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
	     "Ingest bodies refused (bad body, overload)."},
	    {"momd_ingest_out_of_window_records_total", "counter",
	     "Value lists dated too far from momd's clock, or older than "
	     "the history kept, not stored."},
	    {"momd_ingest_over_max_guests_values_total", "counter",
	     "Values for a guest beyond max_guests, not stored."},
	    {"momd_ingest_over_max_disks_values_total", "counter",
	     "Values for a guest's disk beyond the store's disks per guest, "
	     "not stored."},
	};
	const uint64_t counts[] = {
	    v->ingest.batches,	       v->ingest.records,
	    v->ingest.values,	       v->ingest.ignored,
	    v->ingest.rejected,	       v->ingest.out_of_window,
	    v->ingest.over_max_guests, v->ingest.over_max_disks};
	/* A family without its count would read past counts[]. */
	_Static_assert(sizeof(counts) / sizeof(counts[0]) ==
			   sizeof(ingest) / sizeof(ingest[0]),
		       "one count per ingest family");
	static const struct family skipped = {
	    "momd_ingest_skipped_records_total", "counter",
	    "Value lists skipped, the rest of their body taken: reason plugin "
	    "(not in accept_plugins) or host (not hostname)."};
	static const struct family actions = {
	    "momd_actions_total", "counter",
	    "Actions by result: applied, dry_run, refused (by a safety "
	    "rail), failed (by the host)."};
	/* The status body's keys (act_result_name() says "dry-run"). */
	static const struct {
		enum act_result r;
		const char *label;
	} results[] = {{ACT_APPLIED, "applied"},
		       {ACT_DRY_RUN, "dry_run"},
		       {ACT_REFUSED, "refused"},
		       {ACT_FAILED, "failed"}};
	bool first = true;

	if (v->balloon_backend && v->ksm_backend) {
		put_header(f, &info);
		fputs("momd_info{balloon_backend=\"", f);
		put_label_value(f, v->balloon_backend);
		fputs("\",ksm_backend=\"", f);
		put_label_value(f, v->ksm_backend);
		fputs("\"} 1\n", f);
	}
	put_plain(f,
		  &(struct family){"momd_dry_run", "gauge",
				   "1 when momd decides but changes nothing."},
		  v->dry_run, 1);
	put_plain(f,
		  &(struct family){"momd_interval_seconds", "gauge",
				   "Policy evaluation interval."},
		  v->interval_ms, 0.001);
	put_plain(f,
		  &(struct family){"momd_start_time_seconds", "gauge",
				   "Start time of momd, seconds since the "
				   "epoch."},
		  (double)v->started_ms, 0.001);
	put_plain(f,
		  &(struct family){"momd_cycles_total", "counter",
				   "Policy evaluation cycles run."},
		  (double)v->cycles, 1);
	put_plain(f,
		  &(struct family){"momd_evaluation_seconds", "gauge",
				   "Duration of the last policy evaluation."},
		  v->last_eval_ns / 1e6, 0.001);
	put_plain(f,
		  &(struct family){
		      "momd_guests", "gauge",
		      "Guests known, stale ones included until expiry_ms."},
		  (double)v->guests, 1);
	for (size_t i = 0; i < sizeof(ingest) / sizeof(ingest[0]); i++)
		put_plain(f, &ingest[i], (double)counts[i], 1);
	for (int k = 0; k < INGEST_SKIP_COUNT; k++)
		put_labelled(f, &skipped, &first, "reason",
			     ingest_skip_name((enum ingest_skip)k),
			     (double)v->ingest.skipped[k]);
	first = true;
	for (size_t i = 0; i < sizeof(results) / sizeof(results[0]); i++)
		put_labelled(f, &actions, &first, "result", results[i].label,
			     (double)v->actions[results[i].r]);
	put_plain(f,
		  &(struct family){"momd_oom_harm_events_total", "counter",
				   "Guests whose oom_kill rose after a balloon "
				   "shrink (the OOM rail grew them back)."},
		  (double)v->oom_events, 1);
	put_samples(f, v);
}

/* The CPU QoS controls of the last plan (before the CpuTune rail; the
   action log has what was written), beside the values the guests report
   (put_stats). */
static void put_plan_guests(FILE *f, const struct plan *p)
{
	static const struct family fams[] = {
	    {"momd_plan_vcpu_quota_microseconds", "gauge",
	     "vCPU quota per period the policies chose in the last plan; -1 "
	     "unlimited."},
	    {"momd_plan_vcpu_period_microseconds", "gauge",
	     "vCPU period the policies chose in the last plan."},
	};
	static const enum guest_control ctl[] = {GC_VCPU_QUOTA, GC_VCPU_PERIOD};

	for (size_t k = 0; k < sizeof(fams) / sizeof(fams[0]); k++) {
		bool first = true;

		for (size_t i = 0; i < p->nguests; i++) {
			const struct plan_value *pv = &p->guests[i].ctl[ctl[k]];

			if (pv->set)
				put_labelled(f, &fams[k], &first, "guest",
					     p->guests[i].name,
					     (double)pv->value);
		}
	}
}

static void put_plan(FILE *f, const struct engine_view *v)
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
	static const enum host_control ksm_ctl[] = {
	    HC_KSM_RUN, HC_KSM_PAGES_TO_SCAN, HC_KSM_SLEEP_MILLISECS,
	    HC_KSM_MERGE_ACROSS_NODES};
	static const double ksm_scale[] = {1, 1, 0.001, 1};
	static const struct family target = {
	    "momd_balloon_target_bytes", "gauge",
	    "Balloon target momd applied to the guest (after the safety "
	    "rails).",
	    true};
	static const struct family following = {
	    "momd_balloon_following", "gauge",
	    "1 while the guest's balloon follows its target, 0 when it is "
	    "stuck."};
	static const struct family planned = {
	    "momd_plan_balloon_target_bytes", "gauge",
	    "Balloon target the policies chose in the last plan (before the "
	    "rails)."};
	const struct plan *p = v->plan;
	bool first = true;

	for (size_t i = 0; i < v->napplied; i++)
		put_labelled(f, &target, &first, "guest", v->applied[i].name,
			     (double)v->applied[i].target * KIB);
	first = true;
	for (size_t i = 0; i < v->napplied; i++)
		put_labelled(f, &following, &first, "guest", v->applied[i].name,
			     v->applied[i].following);
	if (!p)
		return;
	first = true;
	for (size_t i = 0; i < p->nguests; i++) {
		const struct plan_value *b =
		    &p->guests[i].ctl[GC_BALLOON_TARGET];

		if (b->set)
			put_labelled(f, &planned, &first, "guest",
				     p->guests[i].name, (double)b->value * KIB);
	}
	put_plan_guests(f, p);
	for (size_t i = 0; i < sizeof(ksm) / sizeof(ksm[0]); i++)
		if (p->host[ksm_ctl[i]].set)
			put_plain(f, &ksm[i], (double)p->host[ksm_ctl[i]].value,
				  ksm_scale[i]);
	if (p->signal[PS_EMERGENCY].set)
		put_plain(f,
			  &(struct family){"momd_plan_emergency", "gauge",
					   "1 when the last plan declared a "
					   "memory emergency."},
			  (double)p->signal[PS_EMERGENCY].value, 1);
}

/* The guests' balloons as last received. */
static void put_stats(FILE *f, const struct engine_view *v)
{
	static const struct family fams[] = {
	    {"momd_guest_balloon_current_bytes", "gauge",
	     "The guest's current balloon size, as last received from "
	     "collectd."},
	    {"momd_guest_balloon_maximum_bytes", "gauge",
	     "The guest's maximum memory, as last received from collectd."},
	    {"momd_guest_vcpu_quota_microseconds", "gauge",
	     "The guest's live vCPU quota per period, as last received from "
	     "collectd; -1 unlimited."},
	    {"momd_guest_vcpu_period_microseconds", "gauge",
	     "The guest's live vCPU period, as last received from collectd."},
	};
	static const int fields[] = {GF_BALLOON_CUR, GF_BALLOON_MAX,
				     GF_VCPU_QUOTA, GF_VCPU_PERIOD};
	static const double scale[] = {KIB, KIB, 1, 1};
	const struct snapshot *s = v->samples;

	for (size_t k = 0; s && k < sizeof(fams) / sizeof(fams[0]); k++) {
		bool first = true;

		for (size_t i = 0; i < s->nguests; i++) {
			double x = snap_latest(&s->guests[i], GUEST_FIELD_COUNT,
					       fields[k]);

			if (field_present(x))
				put_labelled(f, &fams[k], &first, "guest",
					     s->guests[i].name, x * scale[k]);
		}
	}
}

/* What the HTTP server refused and cut (http_guard.h), after the engine's
   counters: an operator under attack sees it here. */
static void put_http(FILE *f, const struct http_counts *h)
{
	static const struct family fams[] = {
	    {"momd_http_bodies_refused_total", "counter",
	     "Request bodies refused (answered 503 overloaded) because the "
	     "budget of bodies held at once (or the read level's share of "
	     "it) was spent."},
	    {"momd_http_connections_cut_total", "counter",
	     "Connections cut for not sending a whole request, or not reading "
	     "its response, within the deadline."},
	};
	const uint64_t counts[] = {h->bodies_refused, h->connections_cut};
	_Static_assert(sizeof(counts) / sizeof(counts[0]) ==
			   sizeof(fams) / sizeof(fams[0]),
		       "one count per HTTP family");

	for (size_t i = 0; i < sizeof(fams) / sizeof(fams[0]); i++)
		put_plain(f, &fams[i], (double)counts[i], 1);
}

char *prom_render(const struct engine_view *v, const struct http_counts *h)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	if (!f)
		return NULL;
	put_status(f, v);
	if (h)
		put_http(f, h);
	put_plan(f, v);
	put_stats(f, v);
	put_disks(f, v);
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

char *prom_render_engine(struct engine *e, const struct http_counts *h)
{
	struct engine_view v;
	char *text;

	if (engine_view_take(
		e, ENGINE_VIEW_STATUS | ENGINE_VIEW_PLAN | ENGINE_VIEW_SAMPLES,
		&v) < 0)
		return NULL;
	text = prom_render(&v, h);
	engine_view_release(e, &v);
	return text;
}
