/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest_test.c: write_http bodies through the real decoder and the ingest
 * table into the store: units, names, two-value types, refusals.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "ingest.h"
#include "store.h"
#include "testing.h"
#include "wire.h"

#define REC(ds, type, pinst, ttype, tinst, vals, names)                        \
	"{\"values\":" vals ",\"dstypes\":" ds ",\"dsnames\":" names           \
	",\"time\":100.000,\"interval\":1.000,\"host\":\"h\",\"plugin\":"     \
	"\"" type "\",\"plugin_instance\":\"" pinst "\",\"type\":\"" ttype     \
	"\",\"type_instance\":\"" tinst "\"}"
#define G1(pinst, ttype, tinst, v)                                             \
	REC("[\"gauge\"]", "mom", pinst, ttype, tinst, "[" v "]", "[\"value\"]")

static const char body_ok[] =
	"[" G1("", "memory", "total", "10240000") "," G1("", "memory", "free",
							 "1024") ","
	G1("", "duration", "ksm_sleep", "0.02") ","
	G1("g1", "memory", "actual", "4096000") ","
	REC("[\"derive\",\"derive\"]", "mom", "g1", "ps_pagefaults", "",
	    "[18000,4]", "[\"minflt\",\"majflt\"]") ","
	G1("g1", "memory", "something_new", "1") "]";

static const struct ingest_filter filter = {.hostname = "",
					    .plugins = "mom"};

static int decode(const char *body, struct wire_batch *b,
		  struct wire_error *err)
{
	return wire_batch_decode(body, strlen(body), 1000, b, err);
}

static void test_mapping(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_counts c = {0};
	struct store_snapshot *ss;
	const struct snapshot *s;
	const double *h, *g;

	T_EQ_INT(decode(body_ok, &b, &err), 0, "body decodes");
	T_EQ_INT(ingest_check(&b, &filter, &err), 0, "body accepted");
	T_EQ_INT(ingest_apply(st, &b, 0, NULL, &c), 0, "body stored");
	T_EQ_INT(c.records, 6, "six records");
	T_EQ_INT(c.values, 6, "six values stored (two from ps_pagefaults)");
	T_EQ_INT(c.ignored, 1, "an unknown identifier is ignored, counted");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	h = s->host.values;
	g = s->guests[0].values;
	T_EQ_DBL(h[HF_MEM_AVAILABLE], 10000, "memory-total bytes -> KiB");
	T_EQ_DBL(h[HF_MEM_UNUSED], 1, "memory-free -> mem_unused");
	T_EQ_DBL(h[HF_KSM_SLEEP_MILLISECS], 20,
		 "duration-ksm_sleep seconds -> exact ms");
	T_EQ_STR(s->guests[0].name, "g1", "plugin instance is the guest");
	T_EQ_DBL(g[GF_BALLOON_CUR], 4000, "memory-actual -> balloon_cur");
	store_snapshot_free(ss);
	wire_batch_free(&b);
	store_free(st);
}

static void test_refusals(void)
{
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_filter only_h = {.hostname = "other", .plugins = "mom"};
	static const char other_plugin[] =
		"[" G1("", "memory", "total", "1") ","
		REC("[\"gauge\"]", "cpu", "", "percent", "", "[1]",
		    "[\"value\"]") "]";

	T_EQ_INT(decode(other_plugin, &b, &err), 0, "decodes");
	T_EQ_INT(ingest_check(&b, &filter, &err), -EINVAL,
		 "a plugin that is not accepted refuses the batch");
	T_EQ_INT(err.record, 1, "the error names record 1");
	T_EQ_STR(err.field, "plugin", "and the field");
	wire_batch_free(&b);

	T_EQ_INT(decode(body_ok, &b, &err), 0, "decodes");
	T_EQ_INT(ingest_check(&b, &only_h, &err), -EINVAL,
		 "another host refuses the batch");
	T_EQ_STR(err.field, "host", "the error names the host field");
	wire_batch_free(&b);
}

static void test_any_plugin(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_counts c = {0};
	struct ingest_filter any = {.hostname = "", .plugins = "*"};
	struct store_snapshot *ss;
	/* Stock write_http forwards the stock memory plugin too: its
	   memory-free must not be taken for the host's MemFree. */
	static const char mixed[] =
		"[" G1("", "memory", "total", "10240000") ","
		REC("[\"gauge\"]", "memory", "", "memory", "free", "[5]",
		    "[\"value\"]") "]";

	T_EQ_INT(decode(mixed, &b, &err), 0, "decodes");
	T_EQ_INT(ingest_check(&b, &any, &err), 0,
		 "\"*\" accepts a batch with any plugin");
	T_EQ_INT(ingest_apply(st, &b, 0, NULL, &c), 0, "stored");
	T_EQ_INT(c.values, 1, "only the mom record is stored");
	T_EQ_INT(c.ignored, 1, "the stock memory record is ignored, counted");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	T_OK(!field_present(
		     store_snapshot_get(ss)->host.values[HF_MEM_UNUSED]),
	     "another plugin's memory-free does not become mem_unused");
	store_snapshot_free(ss);
	wire_batch_free(&b);
	store_free(st);
}

int main(void)
{
	test_mapping();
	test_refusals();
	test_any_plugin();
	return t_done();
}
