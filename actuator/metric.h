/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metric.h: the metric contract, compiled into both the read plugin and
 * momd, the way wire.c is.
 *
 * Every value the `mom` read plugin dispatches, and every MOM field momd
 * derives without one, is one row of metric_rows.h: its entity kind, its
 * collectd identifier (plugin "mom", type, type instance, data source), the
 * unit on the wire and how it converts from MOM's unit, its MOM field, a
 * description, and its role: consumed by momd, or sent only (for
 * dashboards), or momd's decision sent back, or derived by momd.  The plugin
 * dispatches by these rows (plugin_metrics.c names them per native field),
 * momd's ingest maps identifiers back through metric_lookup(), and README's
 * tables are printed from them.
 *
 * Staleness belongs to momd: it derives stats_age from last_update and the
 * sample time, and its rail (rail_stale_ms) decides.  The plugin's
 * duration-stats_age and its mom:stats_state meta are for dashboards and
 * its own log; momd ignores them on purpose.  Guest-agent values are the
 * exception: their reading carries no guest time stamp, so the plugin
 * sends them only while its reading is fresh, and momd sees a stale agent
 * as absent values (README "Metrics").
 *
 * This header does not include field.h (whose enum host_field would clash
 * with the plugin's own in one translation unit): `field` is a plain int,
 * an index into the field enum of the row's kind, whose name, MOM unit and
 * evaluation kind field.c keeps.  The module is constant
 * data plus pure functions: no state, no locks, no logging, libc only.
 */
#ifndef MOM_METRIC_H
#define MOM_METRIC_H

#include <stddef.h>
#include <stdint.h>

/* Whose value a row is.  A guest's values carry the domain name as plugin
   instance; a disk's (issue 17) will name its guest and its device.  Code
   that walks kinds loops to METRIC_KIND_NR. */
enum metric_kind { METRIC_HOST, METRIC_GUEST, METRIC_DISK, METRIC_KIND_NR };

enum metric_role {
	METRIC_CONSUMED,  /* momd stores it in `field` */
	METRIC_SENT_ONLY, /* for dashboards; momd ignores it on purpose */
	METRIC_DECISION,  /* momd's plan dispatched back; momd ignores it */
	METRIC_DERIVED,	  /* never on the wire; momd computes `field` */
};

/* collectd's data source types of the rows (types.db). */
enum metric_dstype {
	METRIC_GAUGE,
	METRIC_DERIVE,
};

/* From the native unit (MOM's, as the readers produce it) to the unit on
   the wire, and back. */
enum metric_conv {
	METRIC_CONV_NONE,
	METRIC_CONV_KIB, /* KiB -> bytes (collectd's memory type) */
	METRIC_CONV_MS,	 /* milliseconds -> seconds (duration) */
	METRIC_CONV_US,	 /* microseconds -> milliseconds (total_time_in_ms) */
};

#define METRIC_NO_FIELD (-1)

struct metric_def {
	enum metric_kind kind;
	enum metric_role role;
	int field;	  /* the kind's field enum, or METRIC_NO_FIELD */
	const char *type; /* NULL for METRIC_DERIVED */
	const char *type_instance; /* "" when none */
	const char *ds;		   /* data source name; NULL: the only one */
	enum metric_dstype dstype;
	enum metric_conv conv;
	const char *unit;	 /* on the wire, as README shows it */
	const char *description; /* one sentence for README */
};

enum metric_id {
#define METRIC(id, ...) METRIC_##id,
#include "metric_rows.h"
#undef METRIC
	METRIC_NR
};

/* The contract, indexed by enum metric_id. */
extern const struct metric_def metric_defs[METRIC_NR];

/* "host", "guest", "disk". */
const char *metric_kind_name(enum metric_kind k);

/* The MOM name of a row's field (field.c), e.g. "mem_available"; NULL
   when the row has none (sent only, decisions). */
const char *metric_field_name(const struct metric_def *d);

/*
 * The rows a value list of kind k with this type and type instance feeds:
 * returns the first and sets *n to how many adjacent rows share the
 * identifier (one per data source), or returns NULL (*n = 0) when the
 * contract has no such identifier.  Derived rows are never found.
 */
const struct metric_def *metric_lookup(enum metric_kind k, const char *type,
				       const char *type_instance, size_t *n);

/* Whether s can name a disk in the contract (the "<dev>-" of a disk row's
   type instance): a target device as libvirt names them ("vda", "sdb",
   "hdc"), 1 to 31 lower-case letters and digits, starting with a letter.
   The plugin sends, and momd, its cases and its API take, no other. */
int metric_disk_dev_valid(const char *s);

/* Whether the row is read inside the guest through qemu-guest-agent (the
   guest-agent block of metric_rows.h): a guest without an agent never
   sends it. */
int metric_from_agent(const struct metric_def *d);

/* Native value -> dispatched value: gauges as doubles, counters (DERIVE)
   as integers (microseconds to milliseconds truncate). */
double metric_to_wire(const struct metric_def *d, double native);
int64_t metric_to_wire_int(const struct metric_def *d, int64_t native);

/* Received value -> MOM's unit.  Seconds back to milliseconds are rounded:
   0.02 s is not exactly representable.  NaN stays NaN. */
double metric_from_wire(const struct metric_def *d, double wire);

#endif /* MOM_METRIC_H */
