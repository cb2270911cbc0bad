/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest.h: from decoded write_http records to fields in the sample store.
 *
 * The mapping is the naming contract of README.md ("Metrics"): the `mom`
 * read plugin's identifiers, in bytes and collectd types, become MOM's
 * fields in KiB.  Only records of plugin "mom" are mapped.  Records of the
 * other accepted plugins, and "mom" records the table does not know (a
 * newer plugin may send more), are counted and ignored.  Records of a
 * plugin that is not accepted, or of another host when one is configured,
 * refuse the whole batch.  The plugin list "*" accepts every plugin: that is
 * how stock write_http, which forwards everything, is pointed at momd.
 *
 * Not thread-safe: the caller holds the lock that guards the store.
 */
#ifndef MOM_INGEST_H
#define MOM_INGEST_H

#include <stddef.h>
#include <stdint.h>

#include "store.h"
#include "wire.h"

struct ingest_filter {
	const char *hostname; /* "" = any */
	const char *plugins;  /* comma-separated, e.g. "mom"; "*" = any */
};

struct ingest_counts {
	uint64_t batches;  /* accepted */
	uint64_t records;  /* in accepted batches */
	uint64_t values;   /* stored in the sample store */
	uint64_t ignored;  /* records of an accepted plugin not in the table */
	uint64_t rejected; /* batches refused */
};

/*
 * Check every record of b against the filter before anything is stored.
 * Returns 0, or -EINVAL with err naming the record and field.
 */
int ingest_check(const struct wire_batch *b, const struct ingest_filter *f,
		 struct wire_error *err);

/* Store every mapped value of a checked batch; counts are added to *c. */
int ingest_apply(struct store *st, const struct wire_batch *b, int64_t now_ms,
		 struct ingest_counts *c);

#endif /* MOM_INGEST_H */
