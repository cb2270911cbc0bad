/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store_test.c: the sample store: grouping by time, order, bounds, rates,
 * derived fields, the settle rule, expiry, many guests, max_guests, the
 * seeded hash (SipHash-2-4 against the paper's test vectors),
 * freshness, when a round (the host's sample and its guests') is
 * complete, that a snapshot shows each guest under a name of its own, and
 * expiry with calloc failing (linked with --wrap=calloc, see Makefile).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "siphash.h"
#include "store.h"
#include "store_names.h"
#include "testing.h"

static const double *row(const struct snap_entity *e, size_t width, size_t i)
{
	return e->values + i * width;
}

static void test_grouping_and_order(void)
{
	struct store *st = store_new(10, 60000, 500);
	struct store_snapshot *ss;
	const struct snapshot *s;

	/* Values of one sample arrive separately and out of order. */
	store_put(st, NULL, 200, HF_MEM_AVAILABLE, 1000, 0);
	store_put(st, NULL, 100, HF_MEM_AVAILABLE, 900, 0);
	store_put(st, NULL, 200, HF_MEM_UNUSED, 100, 0);
	store_put(st, NULL, 100, HF_MEM_UNUSED, 90, 0);
	store_put(st, NULL, 150, HF_MEM_AVAILABLE, 950, 0);
	store_put(st, NULL, 150, HF_MEM_UNUSED, 95, 0);
	/* A duplicate value replaces the first. */
	store_put(st, NULL, 150, HF_MEM_UNUSED, 96, 0);
	ss = store_snapshot_new(st, 10000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->host.len, 3, "three samples");
	T_EQ_DBL(row(&s->host, HOST_FIELD_COUNT, 0)[HF_MEM_AVAILABLE], 900,
		 "oldest first");
	T_EQ_DBL(row(&s->host, HOST_FIELD_COUNT, 1)[HF_MEM_UNUSED], 96,
		 "an out-of-order sample lands in the middle; duplicate wins");
	T_EQ_DBL(row(&s->host, HOST_FIELD_COUNT, 2)[HF_MEM_AVAILABLE], 1000,
		 "newest last");
	T_OK(!field_present(row(&s->host, HOST_FIELD_COUNT, 2)[HF_SWAP_TOTAL]),
	     "a field never reported is absent");
	store_snapshot_free(ss);
	store_free(st);
}

static void test_history_bound(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct store_snapshot *ss;
	const struct snapshot *s;

	for (int t = 1; t <= 30; t++)
		store_put(st, "g", t, GF_BALLOON_CUR, t, 0);
	/* Older than everything kept: ignored, not inserted. */
	store_put(st, "g", 5, GF_BALLOON_CUR, -1, 0);
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->nguests, 1, "one guest");
	T_EQ_INT(s->guests[0].len, 10, "history bounded to 10");
	T_EQ_DBL(row(&s->guests[0], GUEST_FIELD_COUNT, 0)[GF_BALLOON_CUR], 21,
		 "the window holds the newest ten");
	T_EQ_DBL(row(&s->guests[0], GUEST_FIELD_COUNT, 9)[GF_BALLOON_CUR], 30,
		 "newest is 30");
	store_snapshot_free(ss);
	store_free(st);
}

static void test_rates_and_derived(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct store_snapshot *ss;
	const struct snap_entity *g, *h;

	store_put(st, "g", 10, GF_SWAP_IN, 100, 0);
	store_put(st, "g", 12, GF_SWAP_IN, 200, 0);
	store_put(st, "g", 14, GF_SWAP_IN, 50, 0); /* counter reset */
	store_put(st, "g", 12, GF_MEM_UNUSED, 1000, 0);
	store_put(st, "g", 12, GF_DISK_CACHES, 24, 0);
	store_put(st, "g", 12, GF_LAST_UPDATE, 9, 0);
	store_put(st, NULL, 1, HF_MEM_UNUSED, 10, 0);
	store_put(st, NULL, 1, HF_MEM_BUFFERS, 20, 0);
	store_put(st, NULL, 1, HF_MEM_CACHED, 30, 0);
	store_put(st, NULL, 1, HF_SWAP_TOTAL, 100, 0);
	store_put(st, NULL, 1, HF_SWAP_FREE, 40, 0);
	ss = store_snapshot_new(st, 1000, NULL, 0);
	g = &store_snapshot_get(ss)->guests[0];
	h = &store_snapshot_get(ss)->host;
	T_OK(!field_present(row(g, GUEST_FIELD_COUNT, 0)[GF_SWAP_IN]),
	     "first sample of a counter has no rate");
	T_EQ_DBL(row(g, GUEST_FIELD_COUNT, 1)[GF_SWAP_IN], 50,
		 "counter 100 -> 200 over 2 s is 50/s");
	T_OK(!field_present(row(g, GUEST_FIELD_COUNT, 2)[GF_SWAP_IN]),
	     "a counter that went back has no rate");
	T_EQ_DBL(row(g, GUEST_FIELD_COUNT, 1)[GF_MEM_FREE], 1024,
		 "guest mem_free = unused + disk_caches");
	T_EQ_DBL(row(g, GUEST_FIELD_COUNT, 1)[GF_STATS_AGE], 3,
		 "stats_age = sample time - last_update");
	T_OK(!field_present(row(g, GUEST_FIELD_COUNT, 0)[GF_MEM_FREE]),
	     "derived from absent inputs is absent");
	T_EQ_DBL(row(h, HOST_FIELD_COUNT, 0)[HF_MEM_FREE], 60,
		 "host mem_free = MemFree + Buffers + Cached");
	T_EQ_DBL(row(h, HOST_FIELD_COUNT, 0)[HF_SWAP_USAGE], 60,
		 "swap_usage = total - free");
	T_OK(!field_present(row(g, GUEST_FIELD_COUNT, 2)[GF_BALLOON_TARGET]),
	     "balloon_target is not a sample's: absent in the snapshot");
	/* The engine sets it from its controller (engine.c). */
	store_snapshot_set_latest(ss, 0, GF_BALLOON_TARGET, 4096);
	store_snapshot_set_latest(ss, 1, GF_BALLOON_TARGET, 1); /* no guest */
	T_EQ_DBL(row(g, GUEST_FIELD_COUNT, 2)[GF_BALLOON_TARGET], 4096,
		 "store_snapshot_set_latest sets the newest row");
	T_OK(!field_present(row(g, GUEST_FIELD_COUNT, 1)[GF_BALLOON_TARGET]),
	     "... and no older one");
	store_snapshot_free(ss);
	store_free(st);
}

static void test_settle(void)
{
	struct store *st = store_new(10, 60000, 500);
	struct store_snapshot *ss;

	store_put(st, NULL, 1, HF_MEM_AVAILABLE, 1, 1000);
	store_put(st, NULL, 1, HF_MEM_UNUSED, 1, 1000);
	ss = store_snapshot_new(st, 1100, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->host.len, 0,
		 "a lone fresh sample waits for settle_ms");
	store_snapshot_free(ss);
	ss = store_snapshot_new(st, 1500, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->host.len, 1,
		 "after settle_ms it counts");
	store_snapshot_free(ss);

	/* The next sample has only one of the two fields so far. */
	store_put(st, NULL, 2, HF_MEM_AVAILABLE, 2, 2000);
	ss = store_snapshot_new(st, 2100, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->host.len, 1,
		 "an incomplete newest sample is held back");
	store_snapshot_free(ss);
	store_put(st, NULL, 2, HF_MEM_UNUSED, 2, 2050);
	ss = store_snapshot_new(st, 2100, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->host.len, 2,
		 "a complete newest sample counts at once");
	store_snapshot_free(ss);
	store_free(st);
}

/* A host sample of time t, both fields, arriving at now. */
static void host_at(struct store *st, double t, int64_t now)
{
	store_put(st, NULL, t, HF_MEM_AVAILABLE, 1, now);
	store_put(st, NULL, t, HF_MEM_UNUSED, 1, now);
}

/* A guest sample of time t, both fields, arriving at now. */
static void guest_at(struct store *st, const char *g, double t, int64_t now)
{
	store_put(st, g, t, GF_BALLOON_CUR, 1, now);
	store_put(st, g, t, GF_BALLOON_MAX, 2, now);
}

static void test_round_complete(void)
{
	struct store *st = store_new(10, 60000, 500);

	T_OK(store_round_complete(st, 0),
	     "no host sample: nothing to wait for");
	host_at(st, 10, 1000);
	guest_at(st, "a", 10, 1000);
	guest_at(st, "b", 10, 1000);
	T_OK(!store_round_complete(st, 1100),
	     "the host's first sample, not settled yet: incomplete");
	T_OK(store_round_complete(st, 1500),
	     "settled, and no previous round to expect guests from");

	/* Round 20: a and b were in round 10, so they are waited for. */
	host_at(st, 20, 2000);
	T_OK(!store_round_complete(st, 2000),
	     "the host's new sample alone: a and b still at the last round");
	guest_at(st, "a", 20, 2010);
	T_OK(!store_round_complete(st, 2010), "a arrived, b not yet");
	store_put(st, "b", 20, GF_BALLOON_CUR, 1, 2020);
	T_OK(!store_round_complete(st, 2020),
	     "b's sample holds one of its two fields: not settled");
	store_put(st, "c", 20, GF_BALLOON_CUR, 1, 2020);
	store_put(st, "b", 20, GF_BALLOON_MAX, 2, 2030);
	T_OK(store_round_complete(st, 2030),
	     "b complete; c, new this round and unsettled, is not waited for");

	/* Round 30: b is gone (a guest shut down). */
	host_at(st, 30, 3000);
	guest_at(st, "a", 30, 3010);
	guest_at(st, "c", 30, 3010);
	T_OK(!store_round_complete(st, 3010),
	     "b, in the last round, has no sample of this one");
	T_OK(!store_round_complete(st, 9000),
	     "... however long: the caller bounds the wait");

	/* Round 40: b was not in round 30, so it is not waited for. */
	host_at(st, 40, 4000);
	guest_at(st, "a", 40, 4010);
	guest_at(st, "c", 40, 4010);
	T_OK(store_round_complete(st, 4010),
	     "a guest missing from the last round is not waited for");

	/* Round 50: the host's own sample arrives in two parts. */
	store_put(st, NULL, 50, HF_MEM_UNUSED, 1, 5000);
	guest_at(st, "a", 50, 5000);
	guest_at(st, "c", 50, 5000);
	T_OK(!store_round_complete(st, 5010),
	     "the host's sample lacks a field its last one had");
	T_OK(store_round_complete(st, 5500),
	     "... until settle_ms passes without a value for it");
	store_put(st, NULL, 60, HF_MEM_UNUSED, 1, 6000);
	store_put(st, NULL, 60, HF_MEM_AVAILABLE, 1, 6010);
	guest_at(st, "a", 60, 6010);
	guest_at(st, "c", 60, 6010);
	T_OK(store_round_complete(st, 6010), "... or its last field arrives");

	/* A guest ahead of the host (its next sample begun) still counts
	   with its settled sample of the host's time. */
	store_put(st, "a", 70, GF_BALLOON_CUR, 1, 6020);
	T_OK(store_round_complete(st, 6020),
	     "a's next sample begun: its settled one is the host's time");
	store_free(st);
}

static void test_expiry_and_many(void)
{
	struct store *st = store_new(10, 5000, 0);
	struct store_snapshot *ss;
	const struct snapshot *s;
	char name[32];
	bool sorted = true;

	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "g%04d", (i * 7919) % 1000);
		store_put(st, name, 1, GF_BALLOON_CUR, i, i < 500 ? 0 : 4000);
	}
	T_EQ_INT(store_guest_count(st), 1000, "1000 guests kept");
	T_EQ_INT(store_expire(st, 6000), 500, "500 silent guests expire");
	T_EQ_INT(store_guest_count(st), 500, "500 remain");
	/* Lookups still work after the table was rebuilt. */
	store_put(st, "g0001", 2, GF_BALLOON_CUR, 1, 6000);
	ss = store_snapshot_new(st, 7000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->nguests, 500, "snapshot lists the remaining guests");
	for (size_t i = 1; i < s->nguests; i++)
		sorted = sorted &&
			 strcmp(s->guests[i - 1].name, s->guests[i].name) < 0;
	T_OK(sorted, "guests are in name order");
	store_snapshot_free(ss);
	store_free(st);
}

static void test_params_copied(void)
{
	struct store *st = store_new(10, 5000, 0);
	struct snap_param p[] = {{"balloonEnabled", 1}, {"ksmEnabled", 0}};
	struct store_snapshot *ss = store_snapshot_new(st, 0, p, 2);
	const struct snapshot *s = store_snapshot_get(ss);

	T_EQ_INT(s->nparams, 2, "params copied");
	T_EQ_STR(s->params[1].name, "ksmEnabled", "param name");
	T_OK(s->params[0].name != p[0].name, "names are copies");
	T_EQ_INT(s->host.len, 0, "no host sample: empty host");
	store_snapshot_free(ss);
	store_free(st);
}

static void count_stale(const char *name, int64_t age_ms, bool stale, void *arg)
{
	if (stale && strcmp(name, "old") == 0)
		*(int64_t *)arg = age_ms;
}

static void test_freshness(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct store_snapshot *ss;
	int64_t age = -1;

	T_EQ_INT(store_host_seen(st), 0, "no host memory yet: never seen");
	/* KSM values alone do not make the host fresh: MemFree does. */
	store_put(st, NULL, 1, HF_KSM_RUN, 1, 100);
	T_EQ_INT(store_host_seen(st), 0, "a KSM value is not host memory");
	store_put(st, NULL, 1, HF_MEM_UNUSED, FIELD_ABSENT, 150);
	T_EQ_INT(store_host_seen(st), 0, "an absent MemFree does not count");
	store_put(st, NULL, 1, HF_MEM_UNUSED, 5000, 200);
	T_EQ_INT(store_host_seen(st), 200, "MemFree arrival time");
	store_put(st, "old", 1, GF_BALLOON_CUR, 1024, 200);
	store_put(st, "new", 1, GF_BALLOON_CUR, 1024, 200);
	store_put(st, "new", 2, GF_BALLOON_CUR, 1024, 3000);

	store_set_stale_ms(st, 0);
	ss = store_snapshot_new(st, 3000, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->nguests, 2, "limit 0: nobody stale");
	store_snapshot_free(ss);
	T_EQ_INT(store_guest_ages(st, 3000, NULL, NULL), 0, "none stale");

	store_set_stale_ms(st, 1500);
	ss = store_snapshot_new(st, 3000, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->nguests, 1,
		 "the guest silent for 2.8 s is left out");
	T_EQ_STR(store_snapshot_get(ss)->guests[0].name, "new",
		 "the other stays");
	store_snapshot_free(ss);
	T_EQ_INT(store_guest_ages(st, 3000, count_stale, &age), 1,
		 "one stale guest");
	T_EQ_INT(age, 2800, "listed with its age, still known until expiry");
	store_put(st, "old", 3, GF_BALLOON_CUR, 1024, 3100);
	ss = store_snapshot_new(st, 3100, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->nguests, 2, "back when it reports");
	store_snapshot_free(ss);
	store_free(st);
}

/* A guest whose newest sample, arriving now, was taken 100 s before the
   host's newest (the write plugin's queue after a restart of momd, the
   guest no longer read since) is stale like one that stopped arriving. */
static void test_late_guest(void)
{
	struct store *st = store_new(10, 600000, 0);
	struct store_snapshot *ss;

	store_set_stale_ms(st, 15000);
	store_put(st, NULL, 1000, HF_MEM_UNUSED, 5000, 5000);
	store_put(st, "late", 900, GF_BALLOON_CUR, 1024, 5000);
	store_put(st, "now", 1000, GF_BALLOON_CUR, 1024, 5000);
	T_EQ_INT(store_guest_ages(st, 5000, NULL, NULL), 1,
		 "a guest's sample taken 100 s before the host's: stale");
	ss = store_snapshot_new(st, 5000, NULL, 0);
	T_OK(store_snapshot_get(ss)->nguests == 1 &&
		 strcmp(store_snapshot_get(ss)->guests[0].name, "now") == 0,
	     "... left out, the one taken with the host's kept");
	store_snapshot_free(ss);
	store_put(st, "late", 990, GF_BALLOON_CUR, 1024, 5100);
	ss = store_snapshot_new(st, 5100, NULL, 0);
	T_EQ_INT(store_snapshot_get(ss)->nguests, 2,
		 "a sample within the limit: back");
	store_snapshot_free(ss);
	store_free(st);
}

/* SipHash-2-4 with key 00..0f over messages 00, 01, ... (the vectors of
   Aumasson and Bernstein's paper, appendix A). */
static void test_siphash(void)
{
	uint8_t key[SIPHASH_KEY_LEN], msg[64];

	for (int i = 0; i < SIPHASH_KEY_LEN; i++)
		key[i] = (uint8_t)i;
	for (int i = 0; i < 64; i++)
		msg[i] = (uint8_t)i;
	T_OK(siphash24(key, msg, 0) == 0x726fdb47dd0e0e31ULL,
	     "SipHash-2-4 of the empty message");
	T_OK(siphash24(key, msg, 15) == 0xa129ca6149be45e5ULL,
	     "SipHash-2-4 of 15 bytes (the paper's example)");
	key[0] ^= 1;
	T_OK(siphash24(key, msg, 15) != 0xa129ca6149be45e5ULL,
	     "another key, another hash");
}

/* A guest beyond max_guests is refused, one already held is not. */
static void test_max_guests(void)
{
	struct store *st = store_new(4, 60000, 0);

	store_set_max_guests(st, 2);
	T_EQ_INT(store_put(st, "a", 1, GF_BALLOON_CUR, 1, 0), 0, "a held");
	T_EQ_INT(store_put_guest(st, "6695eb01-f6a4-8304-79aa-97f2502e193f",
				 "a", 1, GF_BALLOON_CUR, 1, 0),
		 0, "a UUID-keyed a is another guest, held");
	T_EQ_INT(store_put(st, "c", 1, GF_BALLOON_CUR, 1, 0), -ENOSPC,
		 "a third guest is refused (-ENOSPC)");
	T_EQ_INT(store_put_disk(st, NULL, "c", "vda", 1, 0, 1, 0), -ENOSPC,
		 "... also by a disk value (-ENOSPC, not the disk limit's)");
	T_EQ_INT(store_put(st, "a", 2, GF_BALLOON_CUR, 2, 0), 0,
		 "a guest already held still takes values");
	T_EQ_INT(store_guest_count(st), 2, "two guests");
	store_free(st);
}

/* A renamed domain keeps its UUID, its history, and shows its new name. */
static void test_rename(void)
{
	static const char u[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	struct store *st = store_new(4, 60000, 0);
	struct store_snapshot *ss;
	const struct snapshot *s;

	store_put_guest(st, u, "old", 1, GF_BALLOON_CUR, 1, 0);
	store_put_guest(st, u, "new", 2, GF_BALLOON_CUR, 2, 0);
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->nguests, 1, "rename: one guest");
	if (s->nguests == 1) {
		T_EQ_STR(s->guests[0].name, "new", "rename: the new name");
		T_EQ_INT(s->guests[0].len, 2, "rename: the history kept");
		T_EQ_STR(s->guests[0].uuid, u, "rename: the UUID");
	}
	store_snapshot_free(ss);
	store_free(st);
}

/* Disks (issue 17): the sample of the guest's newest settled time, in
   device order, under the guest's index after the guests are sorted. */
static void test_disks(void)
{
	/* Snapshots at 1100: within settle_ms of t=3's values. */
	struct store *st = store_new(10, 60000, 500);
	struct store_snapshot *ss;
	const struct snapshot *s;
	char dev[8];
	int rc = 0;

	for (int t = 1; t <= 3; t++) {
		store_put(st, "b", t, GF_BALLOON_CUR, t, 1000);
		store_put(st, "a", t, GF_BALLOON_CUR, t, 1000);
	}
	store_put_disk(st, NULL, "b", "vdb", 1, DF_MAX_READ_BYTES_SEC, 9, 1000);
	store_put_disk(st, NULL, "b", "vda", 2, DF_MAX_READ_BYTES_SEC, 2, 1000);
	store_put_disk(st, NULL, "b", "vda", 2, DF_CUR_READ_BYTES_SEC, 0, 1000);
	/* t=3 is still being delivered: only cur so far. */
	store_put_disk(st, NULL, "b", "vda", 3, DF_CUR_READ_BYTES_SEC, 5, 1000);
	store_put_disk(st, NULL, "b", "sda", 3, DF_MAX_READ_BYTES_SEC, 3, 1000);
	store_put_disk(st, NULL, "a", "vdz", 3, DF_GUAR_READ_IOPS_SEC, 4, 1000);
	T_EQ_INT(store_put_disk(st, NULL, "a", "../x", 3, 0, 1, 1000), -EINVAL,
		 "a name that is not a device is refused");
	T_EQ_INT(
	    store_put_disk(st, NULL, "a", "vdy", 3, DISK_FIELD_COUNT, 1, 1000),
	    -EINVAL, "a field out of range is refused");
	ss = store_snapshot_new(st, 1100, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->ndisks, 3,
		 "a:vdz, b:sda, b:vda (b:vdb is not reported "
		 "at the guest's time)");
	if (s->ndisks == 3) {
		T_OK(s->disks[0].guest == 0 &&
			 strcmp(s->guests[0].name, "a") == 0 &&
			 strcmp(s->disks[0].e.name, "vdz") == 0 &&
			 s->disks[0].e.values[DF_GUAR_READ_IOPS_SEC] == 4,
		     "a's disk under a (index 0 after sorting)");
		T_OK(s->disks[1].guest == 1 &&
			 strcmp(s->disks[1].e.name, "sda") == 0 &&
			 strcmp(s->disks[2].e.name, "vda") == 0,
		     "b's disks by device name");
		T_OK(s->disks[2].e.values[DF_MAX_READ_BYTES_SEC] == 2 &&
			 s->disks[2].e.values[DF_CUR_READ_BYTES_SEC] == 0,
		     "an incomplete newest disk sample, not settled: the one "
		     "before stands in");
	}
	store_snapshot_free(ss);
	store_put_disk(st, NULL, "b", "vda", 3, DF_MAX_READ_BYTES_SEC, 3, 1000);
	ss = store_snapshot_new(st, 1100, NULL, 0);
	s = store_snapshot_get(ss);
	T_OK(s->ndisks == 3 && s->disks[2].e.values[DF_CUR_READ_BYTES_SEC] == 5,
	     "complete again: the newest sample");
	store_snapshot_free(ss);
	for (int i = 0; i < SNAPSHOT_DISKS_PER_GUEST && !rc; i++) {
		snprintf(dev, sizeof(dev), "x%d", i);
		rc = store_put_disk(st, NULL, "c", dev, 3, 0, i, 1000);
	}
	T_EQ_INT(rc, 0, "64 disks a guest");
	T_EQ_INT(store_put_disk(st, NULL, "c", "y", 3, 0, 1, 1000), -EMLINK,
		 "a 65th of the same time is refused with -EMLINK, not "
		 "max_guests' -ENOSPC");
	T_EQ_INT(store_put_disk(st, NULL, "c", "y", 4, 0, 1, 1000), 0,
		 "a newer one takes an older disk's slot");
	store_free(st);
}

/* Field f of the one disk a snapshot at now shows; -1 (never posted) when
   it shows none or several, NaN when the field is absent. */
static double disk_field(const struct store *st, int64_t now, int f)
{
	struct store_snapshot *ss = store_snapshot_new(st, now, NULL, 0);
	const struct snapshot *s = store_snapshot_get(ss);
	double v = s->ndisks == 1 ? s->disks[0].e.values[f] : -1;

	store_snapshot_free(ss);
	return v;
}

/* A limit removed: the plugin stops sending its key, so the disk's next
   sample holds fewer keys than the one before.  While values for it may
   still come (settle_ms since its last one) the one before stands in, as
   for a sample split across posts; once settled it is the disk's sample
   of that time, the removed key absent (not the old value, not 0), and
   the round waits for it so that a cycle following the samples sees it. */
static void test_disk_fewer_keys(void)
{
	struct store *st = store_new(10, 60000, 500);

	host_at(st, 1, 1000);
	guest_at(st, "g", 1, 1000);
	store_put_disk(st, NULL, "g", "vda", 1, DF_MAX_READ_BYTES_SEC, 7, 1000);
	store_put_disk(st, NULL, "g", "vda", 1, DF_MAX_WRITE_BYTES_SEC, 8,
		       1000);
	store_put_disk(st, NULL, "g", "vda", 1, DF_CUR_READ_BYTES_SEC, 7, 1000);
	/* t=2: max_read_bytes_sec removed from vdsm's metadata. */
	host_at(st, 2, 2000);
	guest_at(st, "g", 2, 2000);
	store_put_disk(st, NULL, "g", "vda", 2, DF_MAX_WRITE_BYTES_SEC, 8,
		       2000);
	store_put_disk(st, NULL, "g", "vda", 2, DF_CUR_READ_BYTES_SEC, 7, 2000);
	T_OK(!store_round_complete(st, 2100),
	     "a disk sample with fewer keys, not settled: the round waits");
	T_EQ_DBL(
	    disk_field(st, 2100, DF_MAX_READ_BYTES_SEC), 7,
	    "... and the one before stands in while values may still come");
	T_OK(store_round_complete(st, 2500),
	     "settle_ms without a value for it: the round is complete");
	T_EQ_DBL(disk_field(st, 2500, DF_MAX_READ_BYTES_SEC), FIELD_ABSENT,
		 "settled: the removed key is absent at once (not its old "
		 "value, not 0)");
	T_EQ_DBL(disk_field(st, 2500, DF_MAX_WRITE_BYTES_SEC), 8,
		 "... the keys still sent are there");

	/* t=3 arrives split across two posts 400 ms apart: the first part
	   never shows alone. */
	host_at(st, 3, 3000);
	guest_at(st, "g", 3, 3000);
	store_put_disk(st, NULL, "g", "vda", 3, DF_CUR_READ_BYTES_SEC, 5, 3000);
	T_EQ_DBL(disk_field(st, 3400, DF_CUR_READ_BYTES_SEC), 7,
		 "a split sample's first part: the one before stands in");
	store_put_disk(st, NULL, "g", "vda", 3, DF_MAX_WRITE_BYTES_SEC, 6,
		       3400);
	T_OK(store_round_complete(st, 3400), "its last part: complete at once");
	T_EQ_DBL(disk_field(st, 3400, DF_CUR_READ_BYTES_SEC), 5,
		 "... and the newest sample whole");
	T_EQ_DBL(disk_field(st, 3400, DF_MAX_WRITE_BYTES_SEC), 6,
		 "... with its last part");

	/* t=4: a first part, and 400 ms later a second one that still lacks
	   max_write_bytes_sec: settle_ms counts from the last value. */
	host_at(st, 4, 4000);
	guest_at(st, "g", 4, 4000);
	store_put_disk(st, NULL, "g", "vda", 4, DF_CUR_READ_BYTES_SEC, 4, 4000);
	store_put_disk(st, NULL, "g", "vda", 4, DF_GUAR_READ_IOPS_SEC, 1, 4400);
	T_EQ_DBL(disk_field(st, 4600, DF_MAX_WRITE_BYTES_SEC), 6,
		 "600 ms after its first value, 200 after its last: the one "
		 "before stands in");
	T_OK(!store_round_complete(st, 4600), "... and the round waits");
	T_EQ_DBL(disk_field(st, 4900, DF_MAX_WRITE_BYTES_SEC), FIELD_ABSENT,
		 "settle_ms after its last value: the newest, the key absent");
	T_EQ_DBL(disk_field(st, 4900, DF_GUAR_READ_IOPS_SEC), 1,
		 "... with both its parts");
	store_free(st);
}

/* A guest's disk values in a later batch than the rest of its sample
   (a batch cut between them): the guest's sample does not show without
   its disks; the one before stands in, with its disks, until they come,
   and the round waits.  A disk gone (unplugged) holds it settle_ms. */
static void test_disk_later_batch(void)
{
	struct store *st = store_new(10, 60000, 500);

	host_at(st, 1, 1000);
	guest_at(st, "g", 1, 1000);
	store_put_disk(st, NULL, "g", "vda", 1, DF_CUR_READ_BYTES_SEC, 7, 1000);
	host_at(st, 2, 2000);
	guest_at(st, "g", 2, 2000);
	T_OK(!store_round_complete(st, 2100),
	     "the guest's disk has no value of its newest sample: the round "
	     "waits");
	T_EQ_DBL(disk_field(st, 2100, DF_CUR_READ_BYTES_SEC), 7,
		 "... and the sample before stands in with its disk (not the "
		 "newest without it)");
	store_put_disk(st, NULL, "g", "vda", 2, DF_CUR_READ_BYTES_SEC, 5, 2150);
	T_OK(store_round_complete(st, 2150), "the disk's value came: complete");
	T_EQ_DBL(disk_field(st, 2150, DF_CUR_READ_BYTES_SEC), 5,
		 "... the newest sample with its disk");

	/* t=3: vda unplugged, the guest's sample has no disk. */
	host_at(st, 3, 3000);
	guest_at(st, "g", 3, 3000);
	T_EQ_DBL(disk_field(st, 3400, DF_CUR_READ_BYTES_SEC), 5,
		 "a disk gone: the sample before stands in within settle_ms");
	T_OK(store_round_complete(st, 3500),
	     "settle_ms after the guest's last value: complete");
	T_EQ_DBL(disk_field(st, 3500, DF_CUR_READ_BYTES_SEC), -1,
		 "... the guest's newest sample, without the disk");
	host_at(st, 4, 4000);
	guest_at(st, "g", 4, 4000);
	T_OK(store_round_complete(st, 4000),
	     "the next sample: the gone disk is not waited for again");
	store_free(st);
}

/* The wall clock stepped back less than the ingest window sees: samples
   after the step land below the newest from before it.  Their MemFree
   shows nothing newer to decide on, so the host is not fresh by it (the
   cycles hold until the step is over), and store_forget_after() drops
   what lies ahead of the clock. */
static void test_clock_step_back(void)
{
	struct store *st = store_new(10, 60000, 100);
	struct store_snapshot *ss;
	const struct snapshot *s;

	for (int k = 0; k < 5; k++)
		store_put(st, NULL, 1000 + k, HF_MEM_UNUSED, 50, k * 1000);
	T_EQ_INT(store_host_seen(st), 4000, "the newest sample's MemFree");
	store_put(st, NULL, 1000.5, HF_MEM_UNUSED, 10, 5000);
	T_EQ_INT(store_host_seen(st), 4000,
		 "a MemFree below the newest does not make the host fresh");
	store_put(st, NULL, 1005, HF_MEM_UNUSED, 10, 6000);
	T_EQ_INT(store_host_seen(st), 6000, "a newer one does");
	store_put(st, "g", 1003, GF_BALLOON_CUR, 1, 6000);
	store_put(st, "g", 1004, GF_BALLOON_CUR, 2, 6000);
	store_put_disk(st, NULL, "g", "vda", 1003, DF_CUR_READ_BYTES_SEC, 3,
		       6000);
	store_put_disk(st, NULL, "g", "vda", 1004, DF_CUR_READ_BYTES_SEC, 4,
		       6000);
	T_EQ_INT(store_forget_after(st, 1003.5), 4,
		 "two host samples, one guest's, one disk's forgotten");
	ss = store_snapshot_new(st, 9000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_DBL(snap_latest(&s->host, HOST_FIELD_COUNT, HF_MEM_UNUSED), 50,
		 "the host's newest is the one at 1003");
	T_EQ_INT(s->nguests, 1, "the guest stays");
	T_EQ_DBL(snap_latest(&s->guests[0], GUEST_FIELD_COUNT, GF_BALLOON_CUR),
		 1, "its newest is the one at 1003");
	T_EQ_INT(s->ndisks, 1, "with its disk");
	T_EQ_DBL(s->disks[0].e.values[DF_CUR_READ_BYTES_SEC], 3, "... at 1003");
	store_snapshot_free(ss);
	store_free(st);
}

/* A guest's shown name is unique in a snapshot even when the alias of two
   colliding names ("x [uuid]") is a third guest's own name, and when that
   guest has a UUID too: policies, plans, controllers and the Prometheus
   series tell guests by it. */
#define U1 "11111111-1111-1111-1111-111111111111"
#define U2 "22222222-2222-2222-2222-222222222222"
static const char *const alias_names[] = {"x", "x", "x [" U1 "]",
					  "x [" U1 "] [" U2 "]"};
static const char *const alias_uuids[] = {
    U1, U2, "33333333-3333-3333-3333-333333333333",
    "44444444-4444-4444-4444-444444444444"};

/* Which of the guests put a snapshot guest is (its value says it). */
static void alias_check(const struct snapshot *s, bool with_uuid)
{
	bool unique = true, ordered = true, own = true;

	T_EQ_INT(s->nguests, 4, "alias collision: four guests");
	for (size_t i = 0; i < s->nguests; i++) {
		const struct snap_entity *g = &s->guests[i];
		double v = snap_latest(g, GUEST_FIELD_COUNT, GF_BALLOON_CUR);
		size_t k = (size_t)v;

		for (size_t j = i + 1; j < s->nguests; j++)
			if (strcmp(g->name, s->guests[j].name) == 0)
				unique = false;
		if (i + 1 < s->nguests &&
		    strcmp(g->name, s->guests[i + 1].name) >= 0)
			ordered = false;
		/* A guest without a UUID keeps its name; one with a UUID
		   shows it (or its own name), never another's. */
		if (k >= 4 || (g->uuid ? strcmp(g->uuid, alias_uuids[k]) != 0
				       : strcmp(g->name, alias_names[k]) != 0))
			own = false;
		if (g->uuid && strncmp(g->name, alias_names[k],
				       strlen(alias_names[k])) != 0)
			own = false;
	}
	T_OK(unique, "... each under a name of its own (%s)",
	     with_uuid ? "all with UUIDs" : "two without");
	T_OK(ordered, "... in name order");
	T_OK(own, "... each with its own values and UUID");
}

static void test_alias_collision(void)
{
	char longname[STORE_NAMES_MAX + 2];
	struct store *st;

	for (int with_uuid = 0; with_uuid < 2; with_uuid++) {
		struct store_snapshot *ss;

		st = store_new(4, 60000, 0);
		for (int i = 0; i < 4; i++)
			store_put_guest(
			    st, i < 2 || with_uuid ? alias_uuids[i] : NULL,
			    alias_names[i], 1, GF_BALLOON_CUR, i, 0);
		ss = store_snapshot_new(st, 1000, NULL, 0);
		alias_check(store_snapshot_get(ss), with_uuid);
		store_snapshot_free(ss);
		store_free(st);
	}
	/* The bound that makes the rounds end holds for every guest. */
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	st = store_new(4, 60000, 0);
	T_EQ_INT(store_put_guest(st, U1, longname, 1, GF_BALLOON_CUR, 1, 0),
		 -EINVAL, "a name over 255 bytes is refused, with a UUID");
	T_EQ_INT(store_put(st, longname, 1, GF_BALLOON_CUR, 1, 0), -EINVAL,
		 "... and without");
	store_free(st);
}

/* store_guest_ages() names: the store's guest names made unique. */
struct ages_seen {
	char names[4][64];
	bool stale[4];
	int n;
};

static void ages_note(const char *name, int64_t age_ms, bool stale, void *arg)
{
	struct ages_seen *a = arg;

	(void)age_ms;
	if (a->n < 4) {
		snprintf(a->names[a->n], sizeof(a->names[0]), "%s", name);
		a->stale[a->n++] = stale;
	}
}

/* Two domains named "x", one whose samples stopped: the stale one was
   listed as "x" (GET /v1/status stale_guests, momd_guest_samples_stale
   {guest="x"} 1), the very name the fresh one is shown under in the
   snapshot, its samples and its series.  Each has a name of its own. */
static void test_ages_names(void)
{
	struct store *st = store_new(4, 60000, 0);
	struct ages_seen a = {.n = 0};

	store_set_stale_ms(st, 1500);
	store_put_guest(st, U1, "x", 1, GF_BALLOON_CUR, 1, 100);
	store_put_guest(st, U2, "x", 1, GF_BALLOON_CUR, 2, 100);
	store_put_guest(st, U2, "x", 2, GF_BALLOON_CUR, 2, 2900);
	T_EQ_INT(store_guest_ages(st, 3000, ages_note, &a), 1,
		 "ages: one of the two is stale");
	T_EQ_INT(a.n, 2, "... both listed");
	if (a.n == 2) {
		T_OK(strcmp(a.names[0], a.names[1]) != 0,
		     "... under names of their own (\"%s\", \"%s\")",
		     a.names[0], a.names[1]);
		T_EQ_STR(a.names[0], "x [" U1 "]",
			 "... the stale one with its UUID");
		T_OK(a.stale[0] && !a.stale[1], "... which is the stale one");
	}
	store_free(st);
}

/* calloc, failing while calloc_fails (the Makefile links this test with
   --wrap=calloc). */
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
static bool calloc_fails;

void *__wrap_calloc(size_t n, size_t size)
{
	return calloc_fails ? NULL : __real_calloc(n, size);
}

/* Expiry empties slots of the guest table, which breaks the probe chains
   of guests placed past them.  It re-placed every guest into a fresh
   table, and when that table could not be allocated kept the broken
   chains: a guest placed past an emptied slot was then not found, and its
   next value made a second guest of the same key. */
static void test_expire_without_memory(void)
{
	struct store *st = store_new(2, 1000, 0);
	char name[16];

	store_set_max_guests(st, 1000);
	for (int i = 0; i < 500; i++) {
		snprintf(name, sizeof(name), "g%d", i);
		store_put(st, name, 1, GF_BALLOON_CUR, i, i % 2 ? 5000 : 0);
	}
	calloc_fails = true;
	T_EQ_INT(store_expire(st, 5500), 250,
		 "expiry without memory: the 250 silent guests forgotten");
	calloc_fails = false;
	for (int i = 1; i < 500; i += 2) {
		snprintf(name, sizeof(name), "g%d", i);
		store_put(st, name, 2, GF_BALLOON_CUR, i, 5600);
	}
	T_EQ_INT(store_guest_count(st), 250,
		 "... each other one found again, none made twice");
	store_free(st);
}

int main(void)
{
	test_expire_without_memory();
	test_ages_names();
	test_alias_collision();
	test_clock_step_back();
	test_disks();
	test_disk_fewer_keys();
	test_disk_later_batch();
	test_siphash();
	test_max_guests();
	test_rename();
	test_grouping_and_order();
	test_history_bound();
	test_rates_and_derived();
	test_settle();
	test_round_complete();
	test_expiry_and_many();
	test_params_copied();
	test_freshness();
	test_late_guest();
	return t_done();
}
