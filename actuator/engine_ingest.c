/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_ingest.c: the engine's ingest, POST /v1/metrics: a body decoded
 * and checked outside the lock (a refused body changes nothing), then its
 * records filtered (another host, a plugin not accepted: skipped and
 * counted), stored, and counted under the engine's lock (values refused
 * for want of room in the store logged once a minute), and the cycle
 * woken when the host's round is complete.  The state is struct engine
 * (engine_priv.h); threads and locks are engine.c's DESIGN.
 */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "engine_priv.h"
#include "jsontext.h"
#include "wire.h"

static json_t *wire_error_json(const struct wire_error *we)
{
	json_t *o = json_pack("{s:s, s:o}", "error", "bad_request", "message",
			      json_text_new(we->message));

	if (o && we->record >= 0)
		json_object_set_new(o, "record", json_integer(we->record));
	if (o && we->field[0])
		json_object_set_new(o, "field", json_text_new(we->field));
	if (o && we->line) {
		json_object_set_new(o, "line", json_integer(we->line));
		json_object_set_new(o, "column", json_integer(we->column));
	}
	return o;
}

/*
 * collectd's interval, from the read plugin's host records (an hour at
 * most) that the filter takes: the staleness limit must not be shorter
 * than the time between two samples.  Caller holds e->lock.
 */
static void note_interval_locked(struct engine *e, const struct wire_batch *b,
				 const struct ingest_filter *f)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct wire_record *r = &b->records[i];
		enum ingest_skip why;

		if (r->plugin_instance[0] || strcmp(r->plugin, "mom") != 0 ||
		    !(r->interval > 0) || ingest_skips(r, f, &why))
			continue;
		e->sample_interval_ms = r->interval < 3600
					    ? (int64_t)(r->interval * 1000)
					    : 3600000;
		return;
	}
}

/*
 * A decoded batch's record array is kept for the next request instead of
 * being freed: collectd sends a batch every second, and allocating,
 * growing and faulting in a fresh array each time (momd returns freed
 * memory to the kernel at once, see main.c) was a fifth of momd's CPU on
 * a real host.  Arrays of more records than this (about 0.5 MiB) are
 * freed, so that one large body does not pin its memory.
 */
#define ENGINE_SPARE_MAX_RECORDS 256

/* Take the kept array, if any (requests decode concurrently). */
static void spare_take(struct engine *e, struct wire_batch *b)
{
	pthread_mutex_lock(&e->spare_lock);
	*b = e->spare;
	e->spare = (struct wire_batch){0, NULL, 0};
	pthread_mutex_unlock(&e->spare_lock);
}

/* Keep b's array for the next request, or free it. */
static void spare_give(struct engine *e, struct wire_batch *b)
{
	if (b->cap <= ENGINE_SPARE_MAX_RECORDS) {
		pthread_mutex_lock(&e->spare_lock);
		if (!e->spare.records) {
			e->spare = *b;
			e->spare.n = 0;
			*b = (struct wire_batch){0, NULL, 0};
		}
		pthread_mutex_unlock(&e->spare_lock);
	}
	wire_batch_free(b);
}

/*
 * Log the records of batch b that the filter skipped, at most once a
 * minute per reason, with the count since the last report and one of b's
 * records: another host or plugin is a misconfiguration or a forgery, and
 * which one is the first thing to look for.  Like the cycle's logs, under
 * e->lock, which the counts need.
 */
static void skip_log_locked(struct engine *e, const struct wire_batch *b,
			    const struct ingest_filter *f, int64_t now_ms)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct wire_record *r = &b->records[i];
		enum ingest_skip k;
		bool plugin;
		unsigned quiet;

		if (!ingest_skips(r, f, &k) ||
		    e->skip_logged[k] == e->counts.skipped[k] ||
		    !ratelimit_allow(&e->skip_rl[k], now_ms, &quiet))
			continue;
		plugin = k == INGEST_SKIP_PLUGIN;
		log_warn("ingest: skipped %" PRIu64 " value list(s) since the "
			 "last report for their %s, such as \"%s\" (%s is "
			 "\"%s\")",
			 e->counts.skipped[k] - e->skip_logged[k],
			 ingest_skip_name(k), plugin ? r->plugin : r->host,
			 plugin ? "accept_plugins" : "hostname",
			 plugin ? f->plugins : f->hostname);
		e->skip_logged[k] = e->counts.skipped[k];
	}
}

/*
 * Log the values the store refused for want of room, at most once a
 * minute, with the counts since the last report: a guest beyond
 * max_guests, or a disk beyond a guest's 64, is neither watched nor
 * managed, which the counters alone leave for the operator to notice.
 * Under e->lock, which the counts need.
 */
static void full_log_locked(struct engine *e, int64_t now_ms)
{
	const struct ingest_counts *c = &e->counts;
	uint64_t total = c->over_max_guests + c->over_max_disks;
	unsigned quiet;

	if (total == e->full_logged ||
	    !ratelimit_allow(&e->full_rl, now_ms, &quiet))
		return;
	log_warn("ingest: the sample store is full: %" PRIu64 " value(s) "
		 "refused since the last report (in all: %" PRIu64
		 " for a guest beyond max_guests=%d, %" PRIu64
		 " for a disk beyond %d a guest); those guests and disks are "
		 "neither watched nor managed",
		 total - e->full_logged, c->over_max_guests,
		 e->conf->max_guests, c->over_max_disks,
		 SNAPSHOT_DISKS_PER_GUEST);
	e->full_logged = total;
}

int engine_ingest(struct engine *e, const char *body, size_t len,
		  json_t **reply)
{
	struct wire_batch batch;
	struct wire_error we = {.record = -1};
	struct ingest_filter filter = {.hostname = e->conf->hostname,
				       .plugins = e->conf->accept_plugins};
	struct ingest_counts before;
	struct ingest_clock clk;
	int64_t host_seen, now_ms;
	bool fresh_host, completed = false;
	int rc, status;

	spare_take(e, &batch);
	rc = wire_batch_decode_into(body, len, (size_t)e->conf->max_records,
				    &batch, &we);
	if (rc == 0)
		rc = ingest_check(&batch, &we);
	pthread_mutex_lock(&e->lock);
	if (rc < 0) {
		e->counts.rejected++;
		pthread_mutex_unlock(&e->lock);
		spare_give(e, &batch);
		if (rc == -ENOMEM) {
			*reply = json_pack("{s:s, s:s}", "error", "overloaded",
					   "message", "out of memory");
			return 503;
		}
		*reply = wire_error_json(&we);
		return 400;
	}
	before = e->counts;
	host_seen = store_host_seen(e->store);
	now_ms = clock_mono_ms();
	/* The interval is the engine's copy, under its lock: a reload
	   (SIGHUP) changes it on the main thread while requests run. */
	ingest_clock_window(&clk, (double)clock_wall_ms() / 1000.0,
			    e->conf->history, e->interval_ms / 1000.0);
	rc = ingest_apply(e->store, &batch, &filter, now_ms, &clk, &e->counts);
	note_interval_locked(e, &batch, &filter);
	/* The deltas are taken under the lock: other requests add to the
	   same counts concurrently. */
	before.records = e->counts.records - before.records;
	before.values = e->counts.values - before.values;
	before.out_of_window = e->counts.out_of_window - before.out_of_window;
	before.over_max_guests =
	    e->counts.over_max_guests - before.over_max_guests;
	before.over_max_disks =
	    e->counts.over_max_disks - before.over_max_disks;
	for (int k = 0; k < INGEST_SKIP_COUNT; k++)
		before.skipped[k] = e->counts.skipped[k] - before.skipped[k];
	skip_log_locked(e, &batch, &filter, now_ms);
	full_log_locked(e, now_ms);
	/* The host's freshness is its memory's arrival (store.h). */
	fresh_host = store_host_seen(e->store) != host_seen;
	/* The host's values come first in a read, so with many guests (or
	   a slow read) the rest of the round arrives in later batches: the
	   batch that completes it wakes the main loop again. */
	if (e->cycle_follows_samples) {
		bool complete = store_round_complete(e->store, now_ms);

		completed = complete && !e->round_complete;
		e->round_complete = complete;
	}
	pthread_mutex_unlock(&e->lock);
	/* After the unlock: the callee reads the arrival back under it. */
	if ((fresh_host || completed) && e->on_round)
		e->on_round(e->on_round_arg);
	spare_give(e, &batch);
	if (rc < 0) {
		*reply = json_pack("{s:s, s:s}", "error", "overloaded",
				   "message", "out of memory");
		return 503;
	}
	*reply = json_pack(
	    "{s:I, s:I, s:I, s:I, s:I, s:{s:I, s:I}}", "records",
	    (json_int_t)before.records, "values", (json_int_t)before.values,
	    "out_of_window", (json_int_t)before.out_of_window,
	    "over_max_guests", (json_int_t)before.over_max_guests,
	    "over_max_disks", (json_int_t)before.over_max_disks, "skipped",
	    "plugin", (json_int_t)before.skipped[INGEST_SKIP_PLUGIN], "host",
	    (json_int_t)before.skipped[INGEST_SKIP_HOST]);
	status = 200;
	return status;
}
