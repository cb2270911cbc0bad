/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_classify.c: the pure parts of guest_mem.h: the names of minimum
 * sources and statistics states for logs, the domain name filter, the
 * classification of a reading as ok, stale or absent, and what a read does
 * with a domain's bulk record (guest_bulk_use).  Apart from the
 * reader so that unit tests reach them without libvirt.
 */
#include "guest_mem.h"

#include "globlist.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Stats only a guest's balloon driver produces (not actual, rss, time). */
static const enum guest_stat guest_reported[] = {
    GUEST_SWAP_IN_KIB,	  GUEST_SWAP_OUT_KIB,	 GUEST_MAJOR_FAULT,
    GUEST_MINOR_FAULT,	  GUEST_UNUSED_KIB,	 GUEST_AVAILABLE_KIB,
    GUEST_USABLE_KIB,	  GUEST_DISK_CACHES_KIB, GUEST_HUGETLB_PGALLOC,
    GUEST_HUGETLB_PGFAIL,
};

static const char *const min_source_names[] = {
    [GUEST_MIN_NONE] = "none",
    [GUEST_MIN_VDSM] = "vdsm",
    [GUEST_MIN_MOM] = "mom",
    [GUEST_MIN_MEMTUNE] = "memtune",
};

static const char *const stats_state_names[] = {
    [GUEST_STATS_UNKNOWN] = "unknown",
    [GUEST_STATS_OK] = "ok",
    [GUEST_STATS_STALE] = "stale",
    [GUEST_STATS_ABSENT] = "absent",
};

const char *guest_min_source_name(enum guest_min_source s)
{
	return (unsigned)s < ARRAY_LEN(min_source_names) ? min_source_names[s]
							 : "?";
}

const char *guest_stats_state_name(enum guest_stats_state s)
{
	return (unsigned)s < ARRAY_LEN(stats_state_names) ? stats_state_names[s]
							  : "?";
}

bool guest_name_wanted(const struct guest_config *c, const char *name)
{
	return globlist_wanted(c->include, c->n_include, c->exclude,
			       c->n_exclude, name);
}

enum guest_stats_state guest_classify(const bool present[GUEST_STAT_NR],
				      const uint64_t value[GUEST_STAT_NR],
				      bool had_prev, uint64_t prev_last_update,
				      unsigned stale_reads, unsigned *unchanged)
{
	bool reported = false;

	for (size_t i = 0; i < ARRAY_LEN(guest_reported); i++)
		reported |= present[guest_reported[i]];
	if (!reported && (!present[GUEST_LAST_UPDATE_S] ||
			  value[GUEST_LAST_UPDATE_S] == 0)) {
		*unchanged = 0;
		return GUEST_STATS_ABSENT;
	}
	if (!present[GUEST_LAST_UPDATE_S] || !had_prev ||
	    value[GUEST_LAST_UPDATE_S] != prev_last_update) {
		*unchanged = 0;
		return GUEST_STATS_OK;
	}
	(*unchanged)++;
	return *unchanged >= stale_reads ? GUEST_STATS_STALE : GUEST_STATS_OK;
}

enum guest_bulk_use guest_bulk_use(bool memory_stats, bool proven)
{
	if (memory_stats)
		return GUEST_BULK_USE;
	/* The per-domain call would wait for the job the bulk call did not:
	   up to libvirt's job timeout (30 s), and every guest's sample with
	   it.  This guest's data goes stale at momd instead. */
	if (proven)
		return GUEST_BULK_SKIP;
	/* A driver that leaves the statistics out of the bulk call (libvirt's
	   test driver) answers per domain. */
	return GUEST_BULK_ASK;
}
