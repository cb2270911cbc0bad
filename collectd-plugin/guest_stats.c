/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_stats.c: libvirt's balloon statistics into a guest_sample (see
 * guest_mem.h; apart from the reader, which is long enough): the memory-stat
 * tags of virDomainMemoryStats and the field names of
 * virConnectGetAllDomainStats, each mapped to enum guest_stat through a table;
 * unknown ones are skipped.
 */
#include "guest_mem.h"

#include <errno.h>
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

static uint64_t param_u64(const virTypedParameter *p)
{
	switch (p->type) {
	case VIR_TYPED_PARAM_INT:
		return p->value.i < 0 ? 0 : (uint64_t)p->value.i;
	case VIR_TYPED_PARAM_UINT:
		return p->value.ui;
	case VIR_TYPED_PARAM_LLONG:
		return p->value.l < 0 ? 0 : (uint64_t)p->value.l;
	case VIR_TYPED_PARAM_ULLONG:
		return p->value.ul;
	default:
		return 0;
	}
}

void guest_stats_from_bulk(const virTypedParameter *params, int n,
			   struct guest_sample *s)
{
	for (int i = 0; i < n; i++) {
		for (size_t j = 0; j < ARRAY_LEN(bulk_map); j++) {
			if (strcmp(params[i].field, bulk_map[j].name) != 0)
				continue;
			s->present[bulk_map[j].stat] = true;
			s->value[bulk_map[j].stat] = param_u64(&params[i]);
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
		s->present[tag_map[st[i].tag].stat] = true;
		s->value[tag_map[st[i].tag].stat] = st[i].val;
	}
	max = virDomainGetMaxMemory(dom);
	if (max != 0) {
		s->present[GUEST_MAXIMUM_KIB] = true;
		s->value[GUEST_MAXIMUM_KIB] = max;
	}
	return 0;
}
