/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest.c: the table from collectd identifiers to MOM fields.
 */
#include "ingest.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "field.h"

#define KIB (1.0 / 1024.0) /* collectd's memory type is in bytes */
#define INGEST_PLUGIN "mom" /* the read plugin, whose names the table maps */

struct metric_map {
	bool guest;
	const char *type;
	const char *type_instance;
	const char *ds; /* data source name; NULL: the only one */
	int field;
	double scale;
};

static const struct metric_map metric_maps[] = {
	/* Host (empty plugin instance). */
	{false, "memory", "total", NULL, HF_MEM_AVAILABLE, KIB},
	{false, "memory", "free", NULL, HF_MEM_UNUSED, KIB},
	{false, "memory", "available", NULL, HF_MEM_USABLE, KIB},
	{false, "memory", "buffers", NULL, HF_MEM_BUFFERS, KIB},
	{false, "memory", "cached", NULL, HF_MEM_CACHED, KIB},
	{false, "memory", "anon", NULL, HF_ANON_PAGES, KIB},
	{false, "memory", "swap_total", NULL, HF_SWAP_TOTAL, KIB},
	{false, "memory", "swap_free", NULL, HF_SWAP_FREE, KIB},
	{false, "memory", "ksm_shareable", NULL, HF_KSM_SHAREABLE, KIB},
	{false, "vmpage_io", "swap", "in", HF_SWAP_IN, 1},
	{false, "vmpage_io", "swap", "out", HF_SWAP_OUT, 1},
	{false, "percent", "pressure_some_avg10", NULL, HF_PSI_SOME_AVG10, 1},
	{false, "percent", "pressure_some_avg60", NULL, HF_PSI_SOME_AVG60, 1},
	{false, "percent", "pressure_full_avg10", NULL, HF_PSI_FULL_AVG10, 1},
	{false, "percent", "pressure_full_avg60", NULL, HF_PSI_FULL_AVG60, 1},
	{false, "gauge", "ksm_run", NULL, HF_KSM_RUN, 1},
	{false, "vmpage_number", "ksm_shared", NULL, HF_KSM_PAGES_SHARED, 1},
	{false, "vmpage_number", "ksm_sharing", NULL, HF_KSM_PAGES_SHARING, 1},
	{false, "vmpage_number", "ksm_unshared", NULL, HF_KSM_PAGES_UNSHARED,
	 1},
	{false, "vmpage_number", "ksm_volatile", NULL, HF_KSM_PAGES_VOLATILE,
	 1},
	{false, "vmpage_number", "ksm_zero_pages", NULL, HF_KSM_ZERO_PAGES, 1},
	{false, "vmpage_number", "ksm_pages_to_scan", NULL,
	 HF_KSM_PAGES_TO_SCAN, 1},
	{false, "total_operations", "ksm_full_scans", NULL, HF_KSM_FULL_SCANS,
	 1},
	{false, "duration", "ksm_sleep", NULL, HF_KSM_SLEEP_MILLISECS, 1000},
	{false, "gauge", "ksm_merge_across_nodes", NULL,
	 HF_KSM_MERGE_ACROSS_NODES, 1},
	{false, "gauge", "ksm_general_profit", NULL, HF_KSM_GENERAL_PROFIT, 1},
	{false, "percent", "ksmd_cpu", NULL, HF_KSMD_CPU_USAGE, 1},
	{false, "count", "cpus", NULL, HF_CPU_COUNT, 1},
	/* Guests (plugin instance = domain name). */
	{true, "memory", "actual", NULL, GF_BALLOON_CUR, KIB},
	{true, "memory", "maximum", NULL, GF_BALLOON_MAX, KIB},
	{true, "memory", "minimum", NULL, GF_BALLOON_MIN, KIB},
	{true, "memory", "available", NULL, GF_MEM_AVAILABLE, KIB},
	{true, "memory", "unused", NULL, GF_MEM_UNUSED, KIB},
	{true, "memory", "usable", NULL, GF_MEM_USABLE, KIB},
	{true, "memory", "disk_caches", NULL, GF_DISK_CACHES, KIB},
	{true, "memory", "rss", NULL, GF_RSS, KIB},
	{true, "swap_io", "in", NULL, GF_SWAP_IN, KIB},
	{true, "swap_io", "out", NULL, GF_SWAP_OUT, KIB},
	{true, "ps_pagefaults", "", "minflt", GF_MINOR_FAULT, 1},
	{true, "ps_pagefaults", "", "majflt", GF_MAJOR_FAULT, 1},
	{true, "total_operations", "hugetlb_pgalloc", NULL, GF_HUGETLB_PGALLOC,
	 1},
	{true, "total_operations", "hugetlb_pgfail", NULL, GF_HUGETLB_PGFAIL,
	 1},
	{true, "gauge", "last_update", NULL, GF_LAST_UPDATE, 1},
};

#define NMAPS (sizeof(metric_maps) / sizeof(metric_maps[0]))

/* Is name one of the comma-separated words of list? */
static bool list_has(const char *list, const char *name)
{
	size_t n = strlen(name);

	for (const char *p = list; *p;) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len == n && strncmp(p, name, n) == 0)
			return true;
		if (!end)
			break;
		p = end + 1;
	}
	return false;
}

static void err_set(struct wire_error *err, size_t record, const char *field,
		    const char *msg)
{
	err->record = (long)record;
	snprintf(err->field, sizeof(err->field), "%s", field);
	err->line = err->column = 0;
	snprintf(err->message, sizeof(err->message), "%s", msg);
}

int ingest_check(const struct wire_batch *b, const struct ingest_filter *f,
		 struct wire_error *err)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct wire_record *r = &b->records[i];

		if (strcmp(f->plugins, "*") != 0 &&
		    !list_has(f->plugins, r->plugin)) {
			err_set(err, i, "plugin",
				"plugin not accepted by this actuator "
				"(see accept_plugins)");
			return -EINVAL;
		}
		if (f->hostname[0] && strcmp(f->hostname, r->host) != 0) {
			err_set(err, i, "host",
				"samples of another host (see hostname)");
			return -EINVAL;
		}
		if (r->time <= 0) {
			err_set(err, i, "time", "time must be positive");
			return -EINVAL;
		}
	}
	return 0;
}

static const struct wire_value *value_for(const struct wire_record *r,
					  const char *ds)
{
	if (!ds)
		return r->nvalues == 1 ? &r->values[0] : NULL;
	for (size_t i = 0; i < r->nvalues; i++)
		if (strcmp(r->values[i].dsname, ds) == 0)
			return &r->values[i];
	return NULL;
}

void ingest_clock_window(struct ingest_clock *clk, double now, int history,
			 double interval_s)
{
	clk->now = now;
	clk->history = history;
	clk->interval_s = interval_s;
}

static bool in_window(const struct ingest_clock *clk, double t, double rec_iv)
{
	double iv = clk ? clk->interval_s : 0;

	if (!clk)
		return true;
	if (rec_iv > iv)
		iv = rec_iv < INGEST_INTERVAL_CAP_S ? rec_iv
						    : INGEST_INTERVAL_CAP_S;
	/* Two intervals of slack for jitter and queueing, and 5 s of skew
	   between two clocks of one host. */
	return t >= clk->now - ((clk->history + 2) * iv + 5) &&
	       t <= clk->now + (2 * iv + 5);
}

int ingest_apply(struct store *st, const struct wire_batch *b, int64_t now_ms,
		 const struct ingest_clock *clk, struct ingest_counts *c)
{
	c->batches++;
	for (size_t i = 0; i < b->n; i++) {
		const struct wire_record *r = &b->records[i];
		bool guest = r->plugin_instance[0] != '\0';
		bool mapped = false;

		c->records++;
		/* Only the read plugin's identifiers mean MOM fields: another
		   plugin's memory-free is not the host's MemFree. */
		if (strcmp(r->plugin, INGEST_PLUGIN) != 0) {
			c->ignored++;
			continue;
		}
		if (!in_window(clk, r->time, r->interval)) {
			c->out_of_window++;
			continue;
		}
		for (size_t m = 0; m < NMAPS; m++) {
			const struct metric_map *mm = &metric_maps[m];
			const struct wire_value *v;
			int rc;

			if (mm->guest != guest || strcmp(mm->type, r->type) ||
			    strcmp(mm->type_instance, r->type_instance))
				continue;
			v = value_for(r, mm->ds);
			if (!v)
				continue;
			mapped = true;
			double x = wire_value_as_double(v) * mm->scale;

			/* Seconds back to milliseconds must stay integral:
			   0.02 s is not exactly representable. */
			if (mm->scale == 1000 && field_present(x))
				x = round(x);
			rc = store_put_guest(st, r->uuid,
					     guest ? r->plugin_instance : NULL,
					     r->time, mm->field, x, now_ms);
			if (rc == -ENOSPC) {
				c->over_max_guests++;
				continue;
			}
			if (rc < 0)
				return rc;
			c->values++;
		}
		if (!mapped)
			c->ignored++;
	}
	return 0;
}
