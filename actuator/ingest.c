/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest.c: collectd value lists to MOM fields in the sample store, through
 * the metric contract (metric.h): a row of role METRIC_CONSUMED stores its
 * value in its field; a row sent only or a decision momd sent back is
 * counted as ignored, like an identifier the contract does not know
 * (write_mom leaves those out; a stock writer such as write_http sends
 * them).
 */
#include "ingest.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "field.h"
#include "metric.h"

/* The read plugin, whose identifiers the contract maps. */
#define INGEST_PLUGIN "mom"

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

int ingest_check(const struct wire_batch *b, struct wire_error *err)
{
	for (size_t i = 0; i < b->n; i++) {
		if (b->records[i].time <= 0) {
			err_set(err, i, "time", "time must be positive");
			return -EINVAL;
		}
	}
	return 0;
}

bool ingest_skips(const struct wire_record *r, const struct ingest_filter *f,
		  enum ingest_skip *why)
{
	if (strcmp(f->plugins, "*") != 0 && !list_has(f->plugins, r->plugin)) {
		*why = INGEST_SKIP_PLUGIN;
		return true;
	}
	if (f->hostname[0] && strcmp(f->hostname, r->host) != 0) {
		*why = INGEST_SKIP_HOST;
		return true;
	}
	return false;
}

const char *ingest_skip_name(enum ingest_skip why)
{
	static const char *const names[INGEST_SKIP_COUNT] = {
	    [INGEST_SKIP_PLUGIN] = "plugin",
	    [INGEST_SKIP_HOST] = "host",
	};

	return (unsigned)why < INGEST_SKIP_COUNT ? names[why] : "?";
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

/* The interval the window allows for a record of interval rec_iv. */
static double window_iv(const struct ingest_clock *clk, double rec_iv)
{
	double iv = clk->interval_s;

	if (rec_iv > iv)
		iv = rec_iv < INGEST_INTERVAL_CAP_S ? rec_iv
						    : INGEST_INTERVAL_CAP_S;
	return iv;
}

/* The latest sample time the window allows: two intervals of slack for
   jitter and queueing, and 5 s of skew between two clocks of one host. */
static double window_ahead(const struct ingest_clock *clk, double iv)
{
	return clk->now + (2 * iv + 5);
}

static bool in_window(const struct ingest_clock *clk, double t, double rec_iv)
{
	double iv;

	if (!clk)
		return true;
	iv = window_iv(clk, rec_iv);
	return t >= clk->now - ((clk->history + 2) * iv + 5) &&
	       t <= window_ahead(clk, iv);
}

/*
 * Forget the samples that the window no longer allows, ahead of momd's
 * clock now: stored before the wall clock stepped back (NTP), they would
 * stay the newest of each entity for as long as the step, and the
 * policies would decide on them while fresh samples arrive below them.
 * The widest window of the batch's records, so that nothing one of them
 * may store is forgotten.
 */
static void forget_ahead(struct store *st, const struct wire_batch *b,
			 const struct ingest_clock *clk)
{
	double iv = clk->interval_s;

	for (size_t i = 0; i < b->n; i++) {
		double r = window_iv(clk, b->records[i].interval);

		if (r > iv)
			iv = r;
	}
	store_forget_after(st, window_ahead(clk, iv));
}

/*
 * Whose value a record is, and its rows: the host's has no plugin
 * instance; a guest's has the domain name; a disk's (issue 17) has its
 * guest's domain name and a type instance "<dev>-<row's type instance>"
 * ("vda-max_total_bytes_sec"), dev a target device
 * (metric_disk_dev_valid()), copied into dev.  A guest row is looked up first:
 * no guest row's type instance starts with a device name and a dash.
 */
static const struct metric_def *record_rows(const struct wire_record *r,
					    enum metric_kind *kind,
					    char dev[32], size_t *n)
{
	const struct metric_def *rows;
	const char *dash;

	*kind = r->plugin_instance[0] != '\0' ? METRIC_GUEST : METRIC_HOST;
	rows = metric_lookup(*kind, r->type, r->type_instance, n);
	if (rows || *kind == METRIC_HOST ||
	    !(dash = strchr(r->type_instance, '-')) ||
	    (size_t)(dash - r->type_instance) >= 32)
		return rows;
	memcpy(dev, r->type_instance, (size_t)(dash - r->type_instance));
	dev[dash - r->type_instance] = '\0';
	if (!metric_disk_dev_valid(dev))
		return NULL;
	*kind = METRIC_DISK;
	return metric_lookup(METRIC_DISK, r->type, dash + 1, n);
}

/* Store one consumed value where its kind keeps it. */
static int put_value(struct store *st, const struct wire_record *r,
		     enum metric_kind kind, const char *dev,
		     const struct metric_def *d, double v, int64_t now_ms)
{
	if (kind == METRIC_DISK)
		return store_put_disk(st, r->uuid, r->plugin_instance, dev,
				      r->time, d->field, v, now_ms);
	return store_put_guest(st, r->uuid,
			       kind == METRIC_GUEST ? r->plugin_instance : NULL,
			       r->time, d->field, v, now_ms);
}

int ingest_apply(struct store *st, const struct wire_batch *b,
		 const struct ingest_filter *f, int64_t now_ms,
		 const struct ingest_clock *clk, struct ingest_counts *c)
{
	c->batches++;
	if (clk)
		forget_ahead(st, b, clk);
	for (size_t i = 0; i < b->n; i++) {
		const struct wire_record *r = &b->records[i];
		enum metric_kind kind;
		char dev[32] = "";
		bool mapped = false, too_old = false;
		const struct metric_def *rows;
		size_t nrows;
		enum ingest_skip why;

		c->records++;
		if (ingest_skips(r, f, &why)) {
			c->skipped[why]++;
			continue;
		}
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
		rows = record_rows(r, &kind, dev, &nrows);
		for (size_t m = 0; m < nrows; m++) {
			const struct metric_def *d = &rows[m];
			const struct wire_value *v;
			int rc;

			if (d->role != METRIC_CONSUMED)
				continue;
			v = value_for(r, d->ds);
			if (!v)
				continue;
			mapped = true;
			rc = put_value(
			    st, r, kind, dev, d,
			    metric_from_wire(d, wire_value_as_double(v)),
			    now_ms);
			/* A value the store refuses for want of room
			   changes nothing there: counted, not fatal. */
			if (rc == -ENOSPC) {
				c->over_max_guests++;
				continue;
			}
			if (rc == -EMLINK) {
				c->over_max_disks++;
				continue;
			}
			if (rc < 0)
				return rc;
			/* Older than all the entity keeps: not stored. */
			if (rc > 0) {
				too_old = true;
				continue;
			}
			c->values++;
		}
		if (too_old)
			c->out_of_window++;
		if (!mapped)
			c->ignored++;
	}
	return 0;
}
