/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_stats.c: libvirt's balloon statistics into a guest_sample (see
 * guest_mem.h; apart from the reader, which is long enough): the memory-stat
 * tags of virDomainMemoryStats and the field names of
 * virConnectGetAllDomainStats, each mapped to enum guest_stat through a table;
 * unknown ones are skipped, and so is a value no guest can have
 * (GUEST_STAT_MAX), or one that is negative or not a number.
 */
#include "guest_mem.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* libvirt memory-stat tags -> our stats; unknown tags stay unmapped. */
static const struct {
	bool known;
	enum guest_stat stat;
} tag_map[VIR_DOMAIN_MEMORY_STAT_NR] = {
    [VIR_DOMAIN_MEMORY_STAT_SWAP_IN] = {true, GUEST_SWAP_IN_KIB},
    [VIR_DOMAIN_MEMORY_STAT_SWAP_OUT] = {true, GUEST_SWAP_OUT_KIB},
    [VIR_DOMAIN_MEMORY_STAT_MAJOR_FAULT] = {true, GUEST_MAJOR_FAULT},
    [VIR_DOMAIN_MEMORY_STAT_MINOR_FAULT] = {true, GUEST_MINOR_FAULT},
    [VIR_DOMAIN_MEMORY_STAT_UNUSED] = {true, GUEST_UNUSED_KIB},
    [VIR_DOMAIN_MEMORY_STAT_AVAILABLE] = {true, GUEST_AVAILABLE_KIB},
    [VIR_DOMAIN_MEMORY_STAT_ACTUAL_BALLOON] = {true, GUEST_ACTUAL_KIB},
    [VIR_DOMAIN_MEMORY_STAT_RSS] = {true, GUEST_RSS_KIB},
    [VIR_DOMAIN_MEMORY_STAT_USABLE] = {true, GUEST_USABLE_KIB},
    [VIR_DOMAIN_MEMORY_STAT_LAST_UPDATE] = {true, GUEST_LAST_UPDATE_S},
    [VIR_DOMAIN_MEMORY_STAT_DISK_CACHES] = {true, GUEST_DISK_CACHES_KIB},
    [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGALLOC] = {true, GUEST_HUGETLB_PGALLOC},
    [VIR_DOMAIN_MEMORY_STAT_HUGETLB_PGFAIL] = {true, GUEST_HUGETLB_PGFAIL},
};

/* virConnectGetAllDomainStats field names (literals: the name macros only
   exist from libvirt 11.2).  Note the dash in last-update.  QEMU's driver
   fills in current and maximum from the definition; the others come from
   the memory statistics query, made only under the domain's job (so not
   when NOWAIT found it held), and include rss even without a balloon. */
static const struct {
	const char *name;
	enum guest_stat stat;
	bool memory_stat; /* from the memory statistics query */
} bulk_map[] = {
    {"balloon.current", GUEST_ACTUAL_KIB, false},
    {"balloon.maximum", GUEST_MAXIMUM_KIB, false},
    {"balloon.swap_in", GUEST_SWAP_IN_KIB, true},
    {"balloon.swap_out", GUEST_SWAP_OUT_KIB, true},
    {"balloon.major_fault", GUEST_MAJOR_FAULT, true},
    {"balloon.minor_fault", GUEST_MINOR_FAULT, true},
    {"balloon.unused", GUEST_UNUSED_KIB, true},
    {"balloon.available", GUEST_AVAILABLE_KIB, true},
    {"balloon.rss", GUEST_RSS_KIB, true},
    {"balloon.usable", GUEST_USABLE_KIB, true},
    {"balloon.last-update", GUEST_LAST_UPDATE_S, true},
    {"balloon.disk_caches", GUEST_DISK_CACHES_KIB, true},
    {"balloon.hugetlb_pgalloc", GUEST_HUGETLB_PGALLOC, true},
    {"balloon.hugetlb_pgfail", GUEST_HUGETLB_PGFAIL, true},
};

/* The largest value taken: the stats come from the guest's balloon driver
   (a hostile guest sends what it likes), and one beyond it would overflow
   int64 on the way out (KiB to bytes, or a counter cast to collectd's
   derive_t).  No guest has 8 EiB, nor 9e15 page faults. */
#define GUEST_STAT_MAX ((uint64_t)INT64_MAX / 1024)

/* Sets stat st to v when v is one a guest can have; else it stays absent
   (never 0, never negative at momd). */
static void stat_set(struct guest_sample *s, enum guest_stat st, uint64_t v)
{
	if (v > GUEST_STAT_MAX)
		return;
	s->present[st] = true;
	s->value[st] = v;
}

/* A typed parameter's value as an unsigned number: false for a negative
   one or a type that is not a number. */
static bool param_u64(const virTypedParameter *p, uint64_t *v)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT:
		*v = (uint64_t)p->value.i;
		return p->value.i >= 0;
	case VIR_TYPED_PARAM_UINT:
		*v = p->value.ui;
		return true;
	case VIR_TYPED_PARAM_LLONG:
		*v = (uint64_t)p->value.l;
		return p->value.l >= 0;
	case VIR_TYPED_PARAM_ULLONG:
		*v = p->value.ul;
		return true;
	default:
		return false;
	}
}

void guest_stats_from_bulk(const virTypedParameter *params, int n,
			   struct guest_sample *s)
{
	for (int i = 0; i < n; i++) {
		for (size_t j = 0; j < ARRAY_LEN(bulk_map); j++) {
			uint64_t v;

			if (strcmp(params[i].field, bulk_map[j].name) != 0)
				continue;
			if (param_u64(&params[i], &v))
				stat_set(s, bulk_map[j].stat, v);
			break;
		}
	}
}

bool guest_stats_bulk_memory(const virTypedParameter *params, int n)
{
	for (int i = 0; i < n; i++)
		for (size_t j = 0; j < ARRAY_LEN(bulk_map); j++)
			if (bulk_map[j].memory_stat &&
			    strcmp(params[i].field, bulk_map[j].name) == 0)
				return true;
	return false;
}

int guest_stats_from_domain(virDomainPtr dom, struct guest_sample *s)
{
	virDomainMemoryStatStruct st[VIR_DOMAIN_MEMORY_STAT_NR];
	int n = virDomainMemoryStats(dom, st, VIR_DOMAIN_MEMORY_STAT_NR, 0);
	unsigned long max;

	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		if (st[i].tag < 0 || st[i].tag >= VIR_DOMAIN_MEMORY_STAT_NR ||
		    !tag_map[st[i].tag].known)
			continue;
		stat_set(s, tag_map[st[i].tag].stat, st[i].val);
	}
	max = virDomainGetMaxMemory(dom);
	if (max != 0)
		stat_set(s, GUEST_MAXIMUM_KIB, max);
	return 0;
}
