/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_bench.c: time of one policy evaluation cycle (eval_run + plan_free)
 * with a policy set (default: the shipped policies/), for 10, 100, 1,000
 * and 10,000 guests with a 10-sample history each, in-process.  Measures
 * and prints; asserts nothing about time.
 *
 *   eval_bench [--policy-dir DIR] [--samples N] [--history H] [COUNT...]
 *
 * The snapshot puts the host under pressure (mean mem_free 10 % of
 * mem_available) with balloonEnabled = 1, so every guest takes the longest
 * path of 02-balloon (a shrink decision with its reason), every guest has
 * a CPU limit under 100 % (04-cputune sets both controls), every guest
 * has one disk with vdsm's ioTune maximum (05-iotune sets its six limits),
 * and the KSM rule runs.  Guests differ slightly so no two rows are equal.  For
 * each count, the evaluation repeats in batches of at least ~2 ms; the time per
 * cycle is the median over N batches (default 31) of the batch time divided by
 * its repetitions.  Output: one table row per count (median, min, max per
 * cycle, and ns per guest).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "field.h"
#include "plan.h"
#include "policy.h"
#include "snapshot.h"

#define MAX_COUNTS  16
#define MAX_SAMPLES 101
#define NAME_LEN    32

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void fill_host(double *rows, size_t h)
{
	for (size_t s = 0; s < h; s++) {
		double *r = rows + s * HOST_FIELD_COUNT;

		for (size_t f = 0; f < HOST_FIELD_COUNT; f++)
			r[f] = FIELD_ABSENT;
		r[HF_MEM_AVAILABLE] = 16777216;
		r[HF_MEM_UNUSED] = 1677721 + (double)s * 10;
		r[HF_MEM_BUFFERS] = 0;
		r[HF_MEM_CACHED] = 0;
		r[HF_MEM_FREE] = r[HF_MEM_UNUSED];
		r[HF_MEM_USABLE] = r[HF_MEM_UNUSED];
		r[HF_ANON_PAGES] = 14000000;
		r[HF_SWAP_TOTAL] = 0;
		r[HF_SWAP_FREE] = 0;
		r[HF_SWAP_USAGE] = 0;
		r[HF_SWAP_IN] = 0;
		r[HF_SWAP_OUT] = 0;
		r[HF_KSM_RUN] = 1;
		r[HF_KSM_PAGES_SHARED] = 1000;
		r[HF_KSM_PAGES_SHARING] = 5000;
		r[HF_KSM_PAGES_UNSHARED] = 100;
		r[HF_KSM_PAGES_VOLATILE] = 10;
		r[HF_KSM_FULL_SCANS] = 3;
		r[HF_KSM_PAGES_TO_SCAN] = 100;
		r[HF_KSM_SLEEP_MILLISECS] = 20;
		r[HF_KSM_MERGE_ACROSS_NODES] = 1;
		r[HF_KSM_SHAREABLE] = 12000000;
		r[HF_KSMD_CPU_USAGE] = 2;
		r[HF_CPU_COUNT] = 2;
	}
}

static void fill_guest(double *rows, size_t h, size_t g)
{
	for (size_t s = 0; s < h; s++) {
		double *r = rows + s * GUEST_FIELD_COUNT;
		double cur = 4194304 - (double)(g % 97) * 1024;

		for (size_t f = 0; f < GUEST_FIELD_COUNT; f++)
			r[f] = FIELD_ABSENT;
		r[GF_BALLOON_CUR] = cur;
		r[GF_BALLOON_MAX] = 4194304;
		r[GF_BALLOON_MIN] = 0;
		r[GF_MEM_AVAILABLE] = cur - 100000;
		r[GF_MEM_UNUSED] = 1048576 + (double)((g + s) % 13) * 4096;
		r[GF_MEM_USABLE] = r[GF_MEM_UNUSED] + 200000;
		r[GF_DISK_CACHES] = 200000;
		r[GF_MEM_FREE] = r[GF_MEM_UNUSED] + r[GF_DISK_CACHES];
		r[GF_RSS] = cur;
		r[GF_SWAP_IN] = 0;
		r[GF_SWAP_OUT] = 0;
		r[GF_MAJOR_FAULT] = 0;
		r[GF_MINOR_FAULT] = 10;
		r[GF_HUGETLB_PGALLOC] = 0;
		r[GF_HUGETLB_PGFAIL] = 0;
		r[GF_LAST_UPDATE] = 1700000000 + (double)s;
		r[GF_STATS_AGE] = 0.5;
		/* Every guest limited (04-cputune's longest path: both
		   controls computed and set, with their reasons). */
		r[GF_VCPU_COUNT] = 2;
		r[GF_VCPU_USER_LIMIT] = 10 + (double)(g % 80);
		r[GF_VCPU_QUOTA] = -1;
		r[GF_VCPU_PERIOD] = 100000;
	}
}

/* A guest's disk: a complete maximum, live limits 0 (05-iotune's path:
   six limits set, each with its reason). */
static void fill_disk(double *r, size_t g)
{
	for (int f = 0; f < DISK_FIELD_COUNT; f++)
		r[f] = 0;
	r[DF_MAX_READ_BYTES_SEC] = 1048576 + (double)(g % 7);
	r[DF_MAX_WRITE_IOPS_SEC] = 100 + (double)(g % 5);
}

/* One count: prints a table row.  Returns 0, or -1 when out of memory. */
static int bench_count(const struct policy_set *ps, size_t n, size_t hist,
		       size_t samples)
{
	static const struct snap_param params[] = {{"balloonEnabled", 1}};
	double host_rows[SNAPSHOT_HISTORY_MAX * HOST_FIELD_COUNT];
	double per[MAX_SAMPLES];
	struct snap_entity *guests = calloc(n, sizeof(*guests));
	double *rows = calloc(n * hist * GUEST_FIELD_COUNT, sizeof(double));
	struct snap_disk *disks = calloc(n, sizeof(*disks));
	double *drows = calloc(n * DISK_FIELD_COUNT, sizeof(double));
	char *names = calloc(n, NAME_LEN);
	struct snapshot snap;
	size_t reps = 1, set_guests = 0;
	volatile size_t sink = 0;
	int rc = -1;

	if (guests == NULL || rows == NULL || names == NULL || disks == NULL ||
	    drows == NULL)
		goto out;
	fill_host(host_rows, hist);
	for (size_t g = 0; g < n; g++) {
		snprintf(names + g * NAME_LEN, NAME_LEN, "guest-%06zu", g);
		fill_guest(rows + g * hist * GUEST_FIELD_COUNT, hist, g);
		guests[g] = (struct snap_entity){
		    .name = names + g * NAME_LEN,
		    .len = hist,
		    .values = rows + g * hist * GUEST_FIELD_COUNT,
		};
		fill_disk(drows + g * DISK_FIELD_COUNT, g);
		disks[g] = (struct snap_disk){
		    g, {"vda", 1, drows + g * DISK_FIELD_COUNT, NULL}};
	}
	snap = (struct snapshot){
	    .params = params,
	    .nparams = 1,
	    .host = {.name = "host", .len = hist, .values = host_rows},
	    .guests = guests,
	    .nguests = n,
	    .disks = disks,
	    .ndisks = n,
	};

	/* Warm up and size the batches: at least ~2 ms each, at most 1e6. */
	for (;;) {
		double t0 = now_ns();

		for (size_t i = 0; i < reps; i++) {
			struct plan *p = eval_run(ps, &snap);

			if (p == NULL)
				goto out;
			sink += p->nguests;
			plan_free(p);
		}
		if (now_ns() - t0 >= 2e6 || reps >= 1000000)
			break;
		reps *= 2;
	}
	/* What the plan decides, to show the path is the one intended. */
	{
		struct plan *p = eval_run(ps, &snap);

		if (p == NULL)
			goto out;
		for (size_t g = 0; g < p->nguests; g++)
			set_guests += p->guests[g].ctl[GC_BALLOON_TARGET].set;
		plan_free(p);
	}
	for (size_t s = 0; s < samples; s++) {
		double t0 = now_ns();

		for (size_t i = 0; i < reps; i++) {
			struct plan *p = eval_run(ps, &snap);

			if (p == NULL)
				goto out;
			sink += p->nguests;
			plan_free(p);
		}
		per[s] = (now_ns() - t0) / (double)reps;
	}
	qsort(per, samples, sizeof(per[0]), cmp_double);
	{
		double med = per[samples / 2];

		printf("| %6zu | %7zu | %12.1f | %12.1f | %12.1f | %8.1f | "
		       "%6zu |\n",
		       n, hist, med / 1e3, per[0] / 1e3, per[samples - 1] / 1e3,
		       med / (double)n, set_guests);
	}
	rc = 0;
out:
	free(guests);
	free(rows);
	free(names);
	free(disks);
	free(drows);
	return rc;
}

static int parse_size(const char *s, size_t *out)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0' || v == 0 || v > 1000000)
		return -1;
	*out = (size_t)v;
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = "policies";
	size_t counts[MAX_COUNTS] = {10, 100, 1000, 10000};
	size_t ncounts = 4, user = 0, samples = 31, hist = 10;
	struct policy_error err;
	struct policy_set *ps;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--policy-dir") == 0 && i + 1 < argc) {
			dir = argv[++i];
		} else if (strcmp(argv[i], "--samples") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], &samples) != 0 ||
			    samples > MAX_SAMPLES) {
				fprintf(stderr, "bad --samples\n");
				return 2;
			}
		} else if (strcmp(argv[i], "--history") == 0 && i + 1 < argc) {
			if (parse_size(argv[++i], &hist) != 0 ||
			    hist > SNAPSHOT_HISTORY_MAX) {
				fprintf(stderr, "bad --history\n");
				return 2;
			}
		} else if (user < MAX_COUNTS &&
			   parse_size(argv[i], &counts[user]) == 0) {
			user++;
		} else {
			fprintf(stderr,
				"usage: eval_bench [--policy-dir DIR] "
				"[--samples N] [--history H] [COUNT...]\n");
			return 2;
		}
	}
	if (user > 0)
		ncounts = user;
	memset(&err, 0, sizeof(err));
	ps = policy_set_load_dir(dir, &err);
	if (ps == NULL) {
		fprintf(stderr, "eval_bench: %s: %s %s: %s\n", dir, err.policy,
			err.path, err.message);
		return 1;
	}
	printf("policies: %s (%zu), history %zu samples, median of %zu "
	       "batches\n\n",
	       dir, policy_set_count(ps), hist, samples);
	printf("| guests | history | median µs/cycle | min µs | max µs | "
	       "ns/guest | targets set |\n");
	printf("|---:|---:|---:|---:|---:|---:|---:|\n");
	for (size_t i = 0; i < ncounts; i++) {
		if (bench_count(ps, counts[i], hist, samples) != 0) {
			fprintf(stderr, "eval_bench: out of memory\n");
			policy_set_free(ps);
			return 1;
		}
	}
	policy_set_free(ps);
	return 0;
}
