/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_mem.h: per-guest balloon samples from libvirt for the `mom` read
 * plugin.
 *
 * A guest_reader owns one libvirt connection and the per-domain state,
 * keyed by UUID (so a renamed domain keeps its state and a vanished one
 * loses it at the next read).  Each guest_reader_read() lists the active
 * domains, reads their balloon statistics and CPU QoS inputs (guest_cpu.h)
 * (bulk virConnectGetAllDomainStats(BALLOON) when the driver fills balloon.*,
 * else virDomainMemoryStats per domain), their maximum and guaranteed
 * minimum, and hands one struct guest_sample per domain to a callback.
 * Values are in libvirt's units: KiB for memory, counts for faults, seconds
 * for last_update.  A tag libvirt does not report is absent, never 0; so is
 * a value beyond INT64_MAX / 1024 (the guest's word: it would overflow on
 * the way to collectd).
 *
 * Failures stay local: a domain that fails is skipped and the others are
 * read; a broken connection is closed and reopened on the next read.
 * libvirt errors are routed to the log hook, rate-limited.
 *
 * This module includes no collectd header; it logs only through the hook
 * in struct guest_config.  Threading: one thread calls guest_reader_read()
 * at a time; the libvirt error handler may run in any thread and only
 * touches the (mutex-protected) rate limiter and the log hook, which must
 * be thread-safe.
 */
#ifndef MOM_GUEST_MEM_H
#define MOM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "guest_min.h"

/* Units are in the names: _KIB KiB, _S seconds; the rest are counts. */
enum guest_stat {
	GUEST_SWAP_IN_KIB,
	GUEST_SWAP_OUT_KIB,
	GUEST_MAJOR_FAULT,
	GUEST_MINOR_FAULT,
	GUEST_UNUSED_KIB,
	GUEST_AVAILABLE_KIB,
	GUEST_ACTUAL_KIB,
	GUEST_USABLE_KIB,
	GUEST_RSS_KIB,
	GUEST_LAST_UPDATE_S,
	GUEST_DISK_CACHES_KIB,
	GUEST_HUGETLB_PGALLOC,
	GUEST_HUGETLB_PGFAIL,
	GUEST_MAXIMUM_KIB,
	GUEST_MINIMUM_KIB,
	/* CPU QoS (guest_cpu.h); the quota is an int64 stored as uint64 */
	GUEST_VCPU_COUNT,
	GUEST_VCPU_QUOTA_US,
	GUEST_VCPU_PERIOD_US,
	GUEST_VCPU_USER_LIMIT_PCT,
	/* guest_props.h (issue 19): 0/1, and the shares from metadata */
	GUEST_BALLOON_AUTODEFLATE,
	GUEST_BALLOON_FREE_PAGE_REPORTING,
	GUEST_SHARES,
	GUEST_STAT_NR
};

/* Health of the guest-reported balloon statistics. */
enum guest_stats_state {
	GUEST_STATS_UNKNOWN, /* not classified yet */
	GUEST_STATS_OK,	     /* the guest reports, last_update moves */
	GUEST_STATS_STALE,   /* last_update did not move over N reads */
	GUEST_STATS_ABSENT,  /* no balloon driver: only actual/rss/0 */
};

enum guest_log_level {
	GUEST_LOG_ERR = 3,
	GUEST_LOG_WARNING = 4,
	GUEST_LOG_INFO = 6,
};

/* One domain's reading, handed to the callback.  Strings are borrowed and
   valid only during the callback. */
struct guest_io;

struct guest_sample {
	const char *name;
	const char *uuid; /* canonical string form */
	bool present[GUEST_STAT_NR];
	uint64_t value[GUEST_STAT_NR];
	enum guest_min_source min_source;
	enum guest_stats_state state;
	bool have_age;		   /* stats_age_s is meaningful */
	double stats_age_s;	   /* host time now - last_update, >= 0 */
	const struct guest_io *io; /* the disks vdsm's metadata names */
};

typedef void (*guest_log_fn)(void *opaque, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
typedef void (*guest_sample_fn)(const struct guest_sample *s, void *opaque);

/* Reader settings.  guest_reader_new() copies what it keeps. */
struct guest_config {
	const char *uri;	 /* NULL: libvirt's default */
	unsigned stats_period_s; /* set once per domain; 0 leaves it alone */
	unsigned stale_reads;	 /* N for GUEST_STATS_STALE, >= 1 */
	unsigned min_refresh_s;	 /* re-read the minimum this often */
	char **include;		 /* name globs; none = all */
	size_t n_include;
	char **exclude; /* name globs applied after include */
	size_t n_exclude;
	guest_log_fn log; /* required, thread-safe */
	void *log_opaque;
};

/* Names for logs. */
const char *guest_min_source_name(enum guest_min_source s);
const char *guest_stats_state_name(enum guest_stats_state s);

/* True when a domain named `name` passes the include/exclude globs. */
bool guest_name_wanted(const struct guest_config *c, const char *name);

/* Classifies one reading given the previous last_update.  Pure: *unchanged
   counts consecutive reads without a new last_update and is updated.
   Exposed for unit tests. */
enum guest_stats_state guest_classify(const bool present[GUEST_STAT_NR],
				      const uint64_t value[GUEST_STAT_NR],
				      bool had_prev, uint64_t prev_last_update,
				      unsigned stale_reads,
				      unsigned *unchanged);

/* What a read does with a domain's record of the bulk stats call. */
enum guest_bulk_use {
	GUEST_BULK_USE,	 /* its balloon.* fields */
	GUEST_BULK_ASK,	 /* virDomainMemoryStats for that domain */
	GUEST_BULK_SKIP, /* nothing: no sample of that domain this read */
};

/* memory_stats: the record carries the guest's memory statistics (the
   balloon.* fields beyond balloon.current and balloon.maximum, which
   libvirt fills in without the domain's job); proven: a record of this
   connection did, so the driver returns them in the bulk call and a record
   without them is one whose job was held (NOWAIT).  Pure; exposed for
   unit tests. */
enum guest_bulk_use guest_bulk_use(bool memory_stats, bool proven);

/* libvirt's balloon statistics into a sample (guest_stats.c, used by the
   reader): from a domain's record of the bulk call
   (virConnectGetAllDomainStats: its balloon.* fields), whether that
   record holds the memory statistics proper (beyond the current and
   maximum size QEMU's driver fills from the definition: made only under
   the domain's job), and from virDomainMemoryStats (0 or -EIO). */
void guest_stats_from_bulk(const virTypedParameter *params, int n,
			   struct guest_sample *s);
bool guest_stats_bulk_memory(const virTypedParameter *params, int n);
int guest_stats_from_domain(virDomainPtr dom, struct guest_sample *s);

/* Creates a reader (no connection yet; the first read connects) and
   installs the libvirt error handlers.  Returns NULL on allocation
   failure. */
struct guest_reader *guest_reader_new(const struct guest_config *c);

/* Closes the connection, frees all state, and restores libvirt's default
   error handler.  Accepts NULL. */
void guest_reader_free(struct guest_reader *r);

/* Reads every wanted active domain and calls cb once per domain read.
   now_ns is a monotonic time stamp, now_wall_s the host's wall clock (for
   stats age).  Returns the number of domains reported (0 is fine), or a
   negative errno when there is no connection or the listing failed. */
int guest_reader_read(struct guest_reader *r, int64_t now_ns, double now_wall_s,
		      guest_sample_fn cb, void *opaque);

#endif /* MOM_GUEST_MEM_H */
