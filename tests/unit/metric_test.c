/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metric_test.c: the metric contract (actuator/metric_rows.h) is well
 * formed and covers momd's fields: every identifier once per kind, the rows
 * of one identifier adjacent, every field of field.c fed by exactly one row
 * or derived, the sent-only rows marked so, lookups by kind, and the unit
 * conversions exact both ways.
 */
#include <math.h>
#include <string.h>

#include "field.h"
#include "metric.h"
#include "testing.h"

static bool same_ident(const struct metric_def *a, const struct metric_def *b)
{
	return a->kind == b->kind && a->type != NULL && b->type != NULL &&
	       strcmp(a->type, b->type) == 0 &&
	       strcmp(a->type_instance, b->type_instance) == 0;
}

static bool same_ds(const struct metric_def *a, const struct metric_def *b)
{
	return (a->ds == NULL && b->ds == NULL) ||
	       (a->ds != NULL && b->ds != NULL && strcmp(a->ds, b->ds) == 0);
}

/* Shape of every row: what its role promises. */
static void test_rows(void)
{
	int bad = 0, dup = 0, apart = 0, unsafe = 0;

	for (int i = 0; i < METRIC_NR; i++) {
		const struct metric_def *d = &metric_defs[i];
		bool has_field = metric_field_name(d) != NULL;

		if (d->kind >= METRIC_KIND_NR || d->unit == NULL ||
		    d->description == NULL ||
		    (d->role == METRIC_DERIVED) != (d->type == NULL) ||
		    (d->type != NULL && d->type_instance == NULL) ||
		    ((d->role == METRIC_CONSUMED ||
		      d->role == METRIC_DERIVED) != has_field) ||
		    (!has_field && d->field != METRIC_NO_FIELD)) {
			printf("# row %d (%s %s-%s) is malformed\n", i,
			       metric_kind_name(d->kind),
			       d->type ? d->type : "",
			       d->type_instance ? d->type_instance : "");
			bad++;
		}
		/* README prints these in a Markdown table. */
		if (strpbrk(d->description, "|<`") || strpbrk(d->unit, "|<`"))
			unsafe++;
		for (int j = i + 1; j < METRIC_NR; j++) {
			if (!same_ident(d, &metric_defs[j]))
				continue;
			if (same_ds(d, &metric_defs[j]))
				dup++;
			else if (!same_ident(d, &metric_defs[j - 1]))
				apart++;
		}
	}
	T_EQ_INT(bad, 0, "every row is shaped as its role says");
	T_EQ_INT(dup, 0, "no identifier and data source twice in one kind");
	T_EQ_INT(apart, 0, "rows of one identifier are adjacent");
	T_EQ_INT(unsafe, 0, "no |, < or backquote in units and descriptions");
}

/* Every field of field.c is fed by exactly one row, or derived by exactly
   one; field.c's FIELD_DERIVED fields are the derived rows. */
static void test_fields_covered(enum metric_kind k,
				const struct field_desc *fields, int n)
{
	for (int f = 0; f < n; f++) {
		int rows = 0, derived = 0;

		for (int i = 0; i < METRIC_NR; i++) {
			const struct metric_def *d = &metric_defs[i];

			if (d->kind != k || d->field != f)
				continue;
			rows++;
			derived += d->role == METRIC_DERIVED;
			T_EQ_STR(metric_field_name(d), fields[f].name,
				 "the row names the field by field.c's name");
		}
		T_OK(rows == 1 &&
			 (derived == 1) == (fields[f].kind == FIELD_DERIVED),
		     "%s field %s: one row (%d), derived in both or neither",
		     metric_kind_name(k), fields[f].name, rows);
	}
}

static void test_sent_only(void)
{
	static const enum metric_id on_purpose[] = {
	    METRIC_HOST_KSM_ADVISOR_MODE, METRIC_HOST_PSI_SOME_TOTAL,
	    METRIC_HOST_PSI_FULL_TOTAL, METRIC_GUEST_STATS_AGE};

	for (size_t i = 0; i < sizeof(on_purpose) / sizeof(on_purpose[0]); i++)
		T_OK(metric_defs[on_purpose[i]].role == METRIC_SENT_ONLY,
		     "%s-%s is marked sent only",
		     metric_defs[on_purpose[i]].type,
		     metric_defs[on_purpose[i]].type_instance);
	T_OK(metric_defs[METRIC_GUEST_STATS_AGE_DERIVED].role ==
		     METRIC_DERIVED &&
		 metric_defs[METRIC_GUEST_STATS_AGE_DERIVED].field ==
		     GF_STATS_AGE,
	     "momd derives stats_age itself (it owns staleness)");
	T_OK(metric_defs[METRIC_GUEST_TARGET].role == METRIC_DECISION,
	     "memory-target is a decision sent back, not a field");
}

static void test_lookup(void)
{
	const struct metric_def *d;
	size_t n;

	d = metric_lookup(METRIC_HOST, "memory", "total", &n);
	T_OK(d != NULL && n == 1 && d->field == HF_MEM_AVAILABLE,
	     "host memory-total -> mem_available");
	d = metric_lookup(METRIC_HOST, "vmpage_io", "swap", &n);
	T_OK(d != NULL && n == 2 && strcmp(d[0].ds, "in") == 0 &&
		 strcmp(d[1].ds, "out") == 0 && d[1].field == HF_SWAP_OUT,
	     "vmpage_io-swap -> two rows, in and out");
	d = metric_lookup(METRIC_GUEST, "ps_pagefaults", "", &n);
	T_OK(d != NULL && n == 2 && d->field == GF_MINOR_FAULT,
	     "ps_pagefaults (no type instance) -> minflt, majflt");
	d = metric_lookup(METRIC_GUEST, "memory", "total", &n);
	T_OK(d == NULL && n == 0, "a host identifier is not a guest's");
	d = metric_lookup(METRIC_HOST, "memory", "actual", &n);
	T_OK(d == NULL && n == 0, "a guest identifier is not the host's");
	d = metric_lookup(METRIC_DISK, "memory", "actual", &n);
	T_OK(d == NULL && n == 0, "no disk rows yet");
	d = metric_lookup(METRIC_HOST, "memory", "something_new", &n);
	T_OK(d == NULL && n == 0, "an unknown identifier has no row");
	d = metric_lookup(METRIC_GUEST, "duration", "stats_age", &n);
	T_OK(d == &metric_defs[METRIC_GUEST_STATS_AGE] && n == 1,
	     "the sent-only duration-stats_age is found (and not consumed)");
	T_EQ_STR(metric_kind_name(METRIC_DISK), "disk", "kind names");
	T_EQ_STR(metric_kind_name(METRIC_KIND_NR), "?", "no kind past the end");
}

static void test_conversions(void)
{
	const struct metric_def *kib = &metric_defs[METRIC_HOST_MEM_TOTAL];
	const struct metric_def *ms = &metric_defs[METRIC_HOST_KSM_SLEEP];
	const struct metric_def *us = &metric_defs[METRIC_HOST_PSI_SOME_TOTAL];
	const struct metric_def *none = &metric_defs[METRIC_HOST_CPU_COUNT];

	T_EQ_DBL(metric_to_wire(kib, 10000), 10240000, "KiB -> bytes");
	T_EQ_DBL(metric_from_wire(kib, 10240000), 10000, "bytes -> KiB");
	T_EQ_INT(metric_to_wire_int(&metric_defs[METRIC_GUEST_SWAP_IN], 3),
		 3072, "KiB counter -> bytes");
	T_EQ_DBL(metric_to_wire(ms, 20), 0.02, "ms -> s");
	T_EQ_DBL(metric_from_wire(ms, 0.02), 20, "0.02 s -> exactly 20 ms");
	T_EQ_DBL(metric_from_wire(ms, 0.007), 7, "0.007 s -> exactly 7 ms");
	T_EQ_INT(metric_to_wire_int(us, 123456789), 123456,
		 "us counter -> ms, truncated");
	T_EQ_DBL(metric_to_wire(none, 4), 4, "no conversion");
	T_EQ_DBL(metric_from_wire(none, -3.5), -3.5, "no conversion back");
	T_OK(isnan(metric_from_wire(ms, NAN)) &&
		 isnan(metric_from_wire(kib, NAN)),
	     "absent stays absent");
	for (int v = 0; v < 100000; v += 7) {
		if (metric_from_wire(ms, metric_to_wire(ms, v)) != v ||
		    metric_from_wire(kib, metric_to_wire(kib, v)) != v) {
			T_OK(false, "round trip of %d", v);
			return;
		}
	}
	T_OK(true,
	     "native -> wire -> native is exact for 0..100000 ms and KiB");
}

/* The guest-agent block is told by its range (metric_from_agent): every
   row in it is a guest row read by the agent, none outside it is. */
static void test_agent_block(void)
{
	int wrong = 0, n = 0;

	for (int i = 0; i < METRIC_NR; i++) {
		const struct metric_def *d = &metric_defs[i];
		bool says = strstr(d->description, "(agent)") != NULL ||
			    i == METRIC_GUEST_AGENT_AGE ||
			    i == METRIC_GUEST_SWAP_USAGE_DERIVED;

		n += metric_from_agent(d) != 0;
		wrong += (metric_from_agent(d) != 0) != says ||
			 (metric_from_agent(d) && d->kind != METRIC_GUEST);
	}
	T_EQ_INT(wrong, 0, "the guest-agent rows are exactly its block");
	T_OK(n >= 16, "the block has the agent's rows (%d)", n);
}

int main(void)
{
	test_rows();
	test_agent_block();
	test_fields_covered(METRIC_HOST, host_fields, HOST_FIELD_COUNT);
	test_fields_covered(METRIC_GUEST, guest_fields, GUEST_FIELD_COUNT);
	test_sent_only();
	test_lookup();
	test_conversions();
	return t_done();
}
