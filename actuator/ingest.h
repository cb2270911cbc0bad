/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest.h: from decoded write_http records to fields in the sample store.
 *
 * The mapping is the metric contract (metric.h, metric_rows.h; README.md
 * "Metrics" shows it): the `mom` read plugin's identifiers, in bytes and
 * collectd types, become MOM's fields in KiB.  Only records of plugin "mom"
 * are mapped.  Records of the other accepted plugins, "mom" records the
 * contract marks sent only or as momd's own decisions, and "mom" records it
 * does not know (a newer plugin may send more), are counted and ignored.
 * Records of a plugin that is not accepted, or of another host when one is
 * configured, are skipped and counted per reason (ingest_skips()); the rest
 * of their batch is taken.  Refusing the batch instead would let one such
 * record, which anyone who may PUTVAL into a forwarding collectd can write,
 * throw away the host's own samples sent with it.  A malformed record
 * (ingest_check()) still refuses the whole batch.  The plugin list "*"
 * accepts every plugin: that is how stock write_http, which forwards
 * everything, is pointed at momd.
 *
 * Not thread-safe: the caller holds the lock that guards the store.
 */
#ifndef MOM_INGEST_H
#define MOM_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "wire.h"

struct ingest_filter {
	const char *hostname; /* "" = any */
	const char *plugins;  /* comma-separated, e.g. "mom"; "*" = any */
};

/* Why a well-formed record is skipped; the index of ingest_counts.skipped. */
enum ingest_skip {
	INGEST_SKIP_PLUGIN, /* its plugin is not in the accepted list */
	INGEST_SKIP_HOST,   /* it names another host than the configured one */
	INGEST_SKIP_COUNT
};

struct ingest_counts {
	uint64_t batches;  /* accepted */
	uint64_t records;  /* in accepted batches, skipped ones included */
	uint64_t values;   /* stored in the sample store */
	uint64_t ignored;  /* records of an accepted plugin not in the table */
	uint64_t rejected; /* batches refused */
	uint64_t out_of_window;	  /* records dated too far from momd's clock,
				     or older than their entity's history */
	uint64_t over_max_guests; /* values for a guest beyond max_guests */
	uint64_t over_max_disks;  /* values for a guest's disk beyond
				     SNAPSHOT_DISKS_PER_GUEST */
	uint64_t skipped[INGEST_SKIP_COUNT]; /* records not taken, by reason */
};

/*
 * The window of sample times ingest stores, around momd's wall clock now
 * (seconds since the epoch).  With iv the larger of momd's interval and
 * the record's own (at most INGEST_INTERVAL_CAP_S), a record dated more
 * than 2 iv + 5 s ahead, or more than (history + 2) iv + 5 s back (older
 * than any history keeps), is not stored but counted in out_of_window.  A
 * forged or mis-clocked sample dated days ahead would otherwise stay an
 * entity's "latest" sample for as long as it reports.  A record within
 * the window that the store does not take, its entity's history being
 * full of newer samples (a late or replayed record), is counted there too,
 * not in values.
 */
#define INGEST_INTERVAL_CAP_S 600.0
struct ingest_clock {
	double now;
	int history;
	double interval_s;
};

/*
 * Check every record of b before anything is stored: a malformed one
 * refuses the batch.  Whether a record is taken is not checked here
 * (ingest_skips()).  Returns 0, or -EINVAL with err naming the record and
 * field.
 */
int ingest_check(const struct wire_batch *b, struct wire_error *err);

/*
 * Is r skipped by the filter?  If so, *why says why (the plugin is looked
 * at first).  Pure; f's strings are borrowed.
 */
bool ingest_skips(const struct wire_record *r, const struct ingest_filter *f,
		  enum ingest_skip *why);

/* "plugin" or "host": the reason's name in metrics, replies and logs. */
const char *ingest_skip_name(enum ingest_skip why);

/* Fill *clk: momd's clock, history and evaluation interval. */
void ingest_clock_window(struct ingest_clock *clk, double now, int history,
			 double interval_s);

/* Store every mapped value of a checked batch but those of records the
   filter skips; counts are added to *c.  Guests are keyed by their UUID
   (meta mom:uuid) when the record has one.  clk: NULL stores whatever the
   time. */
int ingest_apply(struct store *st, const struct wire_batch *b,
		 const struct ingest_filter *f, int64_t now_ms,
		 const struct ingest_clock *clk, struct ingest_counts *c);

#endif /* MOM_INGEST_H */
