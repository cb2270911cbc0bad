/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ingest_test.c: write_http bodies through the real decoder and the ingest
 * table into the store: units, names, two-value types, skipped records,
 * refusals, the clock window, guests keyed by UUID, and the max_guests
 * limit.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>
#include <string.h>

#include "field.h"
#include "ingest.h"
#include "store.h"
#include "testing.h"
#include "wire.h"

#define REC(ds, type, pinst, ttype, tinst, vals, names)                        \
	"{\"values\":" vals ",\"dstypes\":" ds ",\"dsnames\":" names           \
	",\"time\":100.000,\"interval\":1.000,\"host\":\"h\",\"plugin\":"      \
	"\"" type "\",\"plugin_instance\":\"" pinst "\",\"type\":\"" ttype     \
	"\",\"type_instance\":\"" tinst "\"}"
#define G1(pinst, ttype, tinst, v)                                             \
	REC("[\"gauge\"]", "mom", pinst, ttype, tinst, "[" v "]", "[\"value\"]")

static const char body_ok[] =
    "[" G1("", "memory", "total", "10240000") "," G1("", "memory", "free", "1024") "," G1(
	"", "duration", "ksm_sleep",
	"0.02") "," G1("g1", "memory", "actual",
		       "4096000") "," REC("[\"derive\",\"derive\"]", "mom",
					  "g1", "ps_pagefaults", "",
					  "[18000,4]",
					  "[\"minflt\",\"majflt\"]") "," G1("g"
									    "1",
									    "me"
									    "mo"
									    "r"
									    "y",
									    "so"
									    "me"
									    "th"
									    "in"
									    "g_"
									    "ne"
									    "w",
									    "1") "]";

static const struct ingest_filter filter = {.hostname = "", .plugins = "mom"};

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
	T_EQ_INT(ingest_check(&b, &err), 0, "body accepted");
	T_EQ_INT(ingest_apply(st, &b, &filter, 0, NULL, &c), 0, "body stored");
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

/* The contract's sent-only rows and the decisions momd sends back are
   ignored on purpose: counted, never stored. */
static void test_sent_only(void)
{
	static const char body[] =
	    "[" G1("", "gauge", "ksm_advisor_mode", "1") "," REC(
		"[\"derive\"]", "mom", "", "total_time_in_ms", "pressure_some",
		"[123]",
		"[\"value\"]") "," G1("g1", "duration", "stats_age",
				      "7.5") "," G1("g1", "memory", "target",
						    "4096000") "," G1("",
								      "gauge",
								      "ksm_run_"
								      "target",
								      "1") "]";
	struct store *st = store_new(10, 60000, 0);
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_counts c = {0};

	T_EQ_INT(decode(body, &b, &err), 0, "sent-only body decodes");
	T_EQ_INT(ingest_apply(st, &b, &filter, 0, NULL, &c), 0,
		 "sent-only body applied");
	T_EQ_INT(c.values, 0, "no sent-only value or decision is stored");
	T_EQ_INT(c.ignored, 5, "each is counted as ignored");
	wire_batch_free(&b);
	store_free(st);
}

/* A gauge of host and plugin at time t, like G1 of another host. */
#define GH(host, plugin, pinst, ttype, tinst, t, v)                            \
	"{\"values\":[" v "],\"dstypes\":[\"gauge\"],\"dsnames\":[\"value\"]," \
	"\"time\":" t ",\"interval\":1.000,\"host\":\"" host "\","             \
	"\"plugin\":\"" plugin "\",\"plugin_instance\":\"" pinst "\","         \
	"\"type\":\"" ttype "\",\"type_instance\":\"" tinst "\"}"

/* The body "[recs[0],...]" in a static buffer. */
static const char *body_of(const char *const *recs, size_t n)
{
	static char buf[4096];
	size_t len = 1;

	buf[0] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
					i ? "," : "", recs[i]);
	snprintf(buf + len, sizeof(buf) - len, "]");
	return buf;
}

/*
 * Records of another host, or of a plugin not accepted, are skipped and
 * counted, and the rest of their batch is stored: refusing the batch let
 * one such record (anyone who may PUTVAL can have write_mom forward one)
 * throw away the host's own samples sent with it.  Each foreign record
 * would change what is stored if it were taken: another host's memory
 * after ours at the same time, a guest g2.
 */
static void test_skips(void)
{
	static const char *const recs[] = {
	    GH("h", "mom", "", "memory", "total", "100", "10240000"),
	    GH("evil", "mom", "", "memory", "total", "100", "1024"),
	    GH("h", "mom", "g1", "memory", "actual", "100", "4096000"),
	    GH("evil", "mom", "g2", "memory", "actual", "100", "2048"),
	    GH("h", "cpu", "", "percent", "", "100", "1"),
	    GH("evil", "cpu", "", "percent", "", "100", "1"),
	};
	struct ingest_filter only_h = {.hostname = "h", .plugins = "mom"};
	struct store *st = store_new(10, 60000, 0);
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_counts c = {0};
	struct store_snapshot *ss;
	const struct snapshot *s;
	enum ingest_skip why;

	T_EQ_INT(decode(body_of(recs, 6), &b, &err), 0, "mixed body decodes");
	T_EQ_INT(ingest_check(&b, &err), 0,
		 "a foreign host or plugin does not refuse the batch");
	T_EQ_INT(ingest_apply(st, &b, &only_h, 0, NULL, &c), 0,
		 "the batch is applied");
	T_EQ_INT(c.records, 6, "six records counted");
	T_EQ_INT(c.values, 2, "the host's and g1's values stored");
	T_EQ_INT(c.skipped[INGEST_SKIP_HOST], 2,
		 "the two mom records of host evil skipped as host");
	T_EQ_INT(c.skipped[INGEST_SKIP_PLUGIN], 2,
		 "the cpu records skipped as plugin (looked at first)");
	T_EQ_INT(c.ignored, 0, "a skipped record is not also ignored");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_DBL(snap_latest(&s->host, HOST_FIELD_COUNT, HF_MEM_AVAILABLE),
		 10000, "the host's memory is its own, not evil's");
	T_EQ_INT(s->nguests, 1, "no guest g2 of host evil");
	T_EQ_STR(s->nguests ? s->guests[0].name : "", "g1", "guest g1 held");
	store_snapshot_free(ss);
	T_OK(ingest_skips(&b.records[5], &only_h, &why) &&
		 why == INGEST_SKIP_PLUGIN,
	     "ingest_skips: a foreign plugin of another host is a plugin skip");
	T_EQ_STR(ingest_skip_name(INGEST_SKIP_HOST), "host", "reason names");
	wire_batch_free(&b);
	store_free(st);
}

/* A malformed record still refuses the whole batch, whatever the others
   are, and the error names it: the caller then stores nothing. */
static void test_malformed(void)
{
	static const char *const recs[] = {
	    GH("h", "mom", "", "memory", "total", "100", "1"),
	    GH("evil", "cpu", "", "percent", "", "100", "1"),
	    GH("h", "mom", "", "memory", "free", "0", "1"),
	};
	struct wire_batch b = {0};
	struct wire_error err;

	T_EQ_INT(decode(body_of(recs, 3), &b, &err), 0, "decodes");
	T_EQ_INT(ingest_check(&b, &err), -EINVAL,
		 "a record with time 0 refuses the batch");
	T_EQ_INT(err.record, 2, "the error names record 2");
	T_EQ_STR(err.field, "time", "and the field");
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
	    "[" G1("", "memory", "total",
		   "10240000") "," REC("[\"gauge\"]", "memory", "", "memory",
				       "free", "[5]", "[\"value\"]") "]";

	T_EQ_INT(decode(mixed, &b, &err), 0, "decodes");
	T_EQ_INT(ingest_check(&b, &err), 0,
		 "\"*\" accepts a batch with any plugin");
	T_EQ_INT(ingest_apply(st, &b, &any, 0, NULL, &c), 0, "stored");
	T_EQ_INT(c.values, 1, "only the mom record is stored");
	T_EQ_INT(c.ignored, 1, "the stock memory record is ignored, counted");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	T_OK(!field_present(store_snapshot_get(ss)->host.values[HF_MEM_UNUSED]),
	     "another plugin's memory-free does not become mem_unused");
	store_snapshot_free(ss);
	wire_batch_free(&b);
	store_free(st);
}

/* One host memory-total record at time t (seconds), value v bytes. */
static char *host_at(double t, long v)
{
	static char buf[512];

	snprintf(buf, sizeof(buf),
		 "[{\"values\":[%ld],\"dstypes\":[\"gauge\"],"
		 "\"dsnames\":[\"value\"],\"time\":%.3f,\"interval\":10,"
		 "\"host\":\"h\",\"plugin\":\"mom\",\"plugin_instance\":\"\","
		 "\"type\":\"memory\",\"type_instance\":\"total\"}]",
		 v, t);
	return buf;
}

static int put_body(struct store *st, const char *body,
		    const struct ingest_clock *clk, struct ingest_counts *c)
{
	struct wire_batch b = {0};
	struct wire_error err;
	int rc = decode(body, &b, &err);

	if (rc == 0)
		rc = ingest_check(&b, &err);
	if (rc == 0)
		rc = ingest_apply(st, &b, &filter, 0, clk, c);
	wire_batch_free(&b);
	return rc;
}

/* The host's samples in a snapshot: how many, and the newest MemTotal. */
static void host_check(const struct store *st, size_t len, double total_kib,
		       const char *len_msg, const char *total_msg)
{
	struct store_snapshot *ss = store_snapshot_new(st, 1000, NULL, 0);
	const struct snapshot *s = store_snapshot_get(ss);

	T_EQ_INT(s->host.len, len, len_msg);
	T_EQ_DBL(snap_latest(&s->host, HOST_FIELD_COUNT, HF_MEM_AVAILABLE),
		 total_kib, total_msg);
	store_snapshot_free(ss);
}

/* Issue 21: a host sample dated 11 days ahead stayed the host's latest
   after a current one arrived.  Now it is refused and counted. */
static void test_clock_window(void)
{
	const double now = 1780000000.0;
	struct store *st = store_new(10, 60000, 0);
	struct ingest_counts c = {0};
	struct ingest_clock clk;

	ingest_clock_window(&clk, now, 10, 10);
	T_EQ_INT(put_body(st, host_at(now + 20, 1024), &clk, &c), 0,
		 "20 s ahead (two intervals) is answered");
	T_EQ_INT(put_body(st, host_at(now - 110, 1024), &clk, &c), 0,
		 "110 s back (the history of 10 x 10 s) is answered");
	T_EQ_INT(c.out_of_window, 0, "... and both stored, not refused");
	store_free(st);
	st = store_new(10, 60000, 0);
	c = (struct ingest_counts){0};
	T_EQ_INT(put_body(st, host_at(now + 11 * 86400, 1024 * 1024), &clk, &c),
		 0, "a batch dated 11 days ahead is answered");
	T_EQ_INT(c.out_of_window, 1,
		 "... and its record counted out_of_window");
	T_EQ_INT(c.values, 0, "... and nothing of it stored");
	T_EQ_INT(put_body(st, host_at(now - 86400, 2048 * 1024), &clk, &c), 0,
		 "a batch dated a day back is answered");
	T_EQ_INT(c.out_of_window, 2, "... and counted out_of_window too");
	T_EQ_INT(put_body(st, host_at(now - 1, 4096 * 1024), &clk, &c), 0,
		 "a current sample is stored");
	T_EQ_INT(c.values, 1, "one value stored in all");
	host_check(st, 1, 4096, "the host has one sample",
		   "the current sample is the host's latest (KiB)");
	store_free(st);
}

/* A record within the window but older than every sample its entity keeps
   (the history full of newer ones: a late or replayed record) is not
   stored, and was counted as stored values: it is out_of_window, as
   README "Sample times" says. */
static void test_older_than_history(void)
{
	const double now = 1780000000.0;
	struct store *st = store_new(2, 60000, 0);
	struct ingest_counts c = {0};
	struct ingest_clock clk;

	ingest_clock_window(&clk, now, 2, 10);
	for (int i = 3; i >= 1; i--)
		put_body(st, host_at(now - 10 * i, 1024 * i), &clk, &c);
	T_EQ_INT(c.values, 3, "three samples fill a history of 2 (+1)");
	T_EQ_INT(put_body(st, host_at(now - 40, 4096), &clk, &c), 0,
		 "one 40 s back (within the window of 45 s) is answered");
	T_EQ_INT(c.values, 3, "... not counted as stored");
	T_EQ_INT(c.out_of_window, 1, "... but out_of_window");
	host_check(st, 2, 1, "the history is unchanged",
		   "... its newest the one 10 s back (KiB)");
	store_free(st);
}

/* The wall clock stepped back (NTP) by a minute after a sample was stored:
   the samples that arrive after the step were stored below it, and the
   policies kept deciding on the one from before the step as the host's
   newest, for as long as the step (and an hour's step held every cycle
   for an hour: no newer MemFree).  Now what the window no longer allows
   is forgotten. */
static void test_clock_step_back(void)
{
	const double before = 1780000060.0, after = before - 60;
	struct store *st = store_new(10, 60000, 0);
	struct ingest_counts c = {0};
	struct ingest_clock clk;

	ingest_clock_window(&clk, before, 10, 10);
	T_EQ_INT(put_body(st, host_at(before - 1, 1024 * 1024), &clk, &c), 0,
		 "a sample before the step");
	ingest_clock_window(&clk, after, 10, 10);
	T_EQ_INT(put_body(st, host_at(after + 9, 2048 * 1024), &clk, &c), 0,
		 "a sample after the step");
	T_EQ_INT(c.values, 2, "both stored");
	host_check(st, 1, 2048, "the sample from before the step is gone",
		   "the sample after the step is the host's newest");
	store_free(st);
}

/* A guest record with a UUID in meta, at time t. */
static const char *guest_rec(char *buf, size_t len, const char *name,
			     const char *uuid, double t, long kib)
{
	snprintf(buf, len,
		 "{\"values\":[%ld],\"dstypes\":[\"gauge\"],"
		 "\"dsnames\":[\"value\"],\"time\":%.3f,\"interval\":1,"
		 "\"host\":\"h\",\"plugin\":\"mom\",\"plugin_instance\":"
		 "\"%s\",\"type\":\"memory\",\"type_instance\":\"actual\","
		 "\"meta\":{\"mom:origin\":1,\"mom:uuid\":\"%s\"}}",
		 kib * 1024, t, name, uuid);
	return buf;
}

/* Two domains whose names collide once collectd cut them at 127 bytes
   (or replaced their non-ASCII bytes by '?') keep separate histories. */
static void test_uuid_keys(void)
{
	static const char u1[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	static const char u2[] = "6695EB01-F6A4-8304-79AA-97F2502E1940";
	struct store *st = store_new(10, 60000, 0);
	struct ingest_counts c = {0};
	struct store_snapshot *ss;
	const struct snapshot *s;
	char name[128], r1[1024], r2[1024], r3[1024], body[4096];

	memset(name, 'x', 127);
	name[127] = '\0';
	snprintf(body, sizeof(body), "[%s,%s,%s]",
		 guest_rec(r1, sizeof(r1), name, u1, 100, 1000),
		 guest_rec(r2, sizeof(r2), name, u2, 100, 2000),
		 guest_rec(r3, sizeof(r3), name, u1, 101, 1001));
	T_EQ_INT(put_body(st, body, NULL, &c), 0, "stored");
	T_EQ_INT(store_guest_count(st), 2, "two guests, not one");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->nguests, 2, "both in the snapshot");
	if (s->nguests == 2) {
		const struct snap_entity *a = &s->guests[0], *b = &s->guests[1];

		if (strcmp(a->uuid ? a->uuid : "", u1) != 0) {
			a = &s->guests[1];
			b = &s->guests[0];
		}
		T_EQ_STR(a->uuid, u1, "first guest's UUID");
		T_EQ_STR(b->uuid, "6695eb01-f6a4-8304-79aa-97f2502e1940",
			 "second guest's UUID (lower-cased)");
		T_EQ_INT(a->len, 2, "the first has its own two samples");
		T_EQ_INT(b->len, 1, "the second its own one");
		T_EQ_DBL(snap_latest(a, GUEST_FIELD_COUNT, GF_BALLOON_CUR),
			 1001, "the first's latest is its own");
		T_EQ_DBL(snap_latest(b, GUEST_FIELD_COUNT, GF_BALLOON_CUR),
			 2000, "the second's latest is its own");
		T_OK(strcmp(a->name, b->name) != 0,
		     "their snapshot names differ (%.20s... [uuid])", a->name);
		T_OK(strstr(a->name, u1) != NULL,
		     "a colliding name shows the UUID");
	}
	store_snapshot_free(ss);
	store_free(st);
	/* A malformed UUID is a clear error. */
	{
		struct wire_batch b = {0};
		struct wire_error err;

		snprintf(body, sizeof(body), "[%s]",
			 guest_rec(r1, sizeof(r1), "g", "not-a-uuid", 1, 1));
		T_EQ_INT(decode(body, &b, &err), -EINVAL,
			 "a malformed mom:uuid is refused");
		T_EQ_STR(err.field, "meta", "... naming meta");
	}
}

/* One batch cannot create more than max_guests guests. */
static void test_max_guests(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct ingest_counts c = {0};
	size_t n = 300, len = n * 300 + 16, off = 0;
	char *body = malloc(len);

	store_set_max_guests(st, 100);
	off += (size_t)snprintf(body + off, len - off, "[");
	for (size_t i = 0; i < n; i++)
		off += (size_t)snprintf(
		    body + off, len - off,
		    "%s{\"values\":[1024],\"dstypes\":[\"gauge\"],"
		    "\"dsnames\":[\"value\"],\"time\":1,\"interval\":1,"
		    "\"host\":\"h\",\"plugin\":\"mom\","
		    "\"plugin_instance\":\"g%zu\",\"type\":\"memory\","
		    "\"type_instance\":\"actual\"}",
		    i ? "," : "", i);
	snprintf(body + off, len - off, "]");
	T_EQ_INT(put_body(st, body, NULL, &c), 0,
		 "a batch of 300 new guests is answered");
	T_EQ_INT(store_guest_count(st), 100, "only max_guests (100) are held");
	T_EQ_INT(c.over_max_guests, 200, "the 200 others are counted");
	T_EQ_INT(c.values, 100, "100 values stored");
	free(body);
	store_free(st);
}

/* Disks (issue 17): "<dev>-<name>" under the guest's instance lands in
   the disk's field; a bad device or an unknown name is ignored; the
   snapshot carries the disk at its guest's sample time. */
static void test_disks(void)
{
	static const char body[] =
	    "[" G1("g1", "memory", "actual", "4096000") "," G1(
		"g1", "gauge", "vda-max_read_bytes_sec",
		"1048576") "," G1("g1", "operations_per_second",
				  "vda-cur_write_iops_sec",
				  "7") "," G1("g1", "gauge",
					      "VDA-max_read_bytes_sec",
					      "1") "," G1("g1", "gauge",
							  "vda-nonsense",
							  "1") "]";
	struct store *st = store_new(10, 60000, 0);
	struct wire_batch b = {0};
	struct wire_error err;
	struct ingest_counts c = {0};
	struct store_snapshot *ss;
	const struct snapshot *s;

	T_EQ_INT(decode(body, &b, &err), 0, "disk body decodes");
	T_EQ_INT(ingest_apply(st, &b, &filter, 0, NULL, &c), 0,
		 "disk body stored");
	T_EQ_INT(c.values, 3, "guest value and two disk values stored");
	T_EQ_INT(c.ignored, 2, "bad device and unknown disk name ignored");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->ndisks, 1, "one disk in the snapshot");
	if (s->ndisks == 1) {
		const double *d = s->disks[0].e.values;

		T_EQ_STR(s->disks[0].e.name, "vda", "named by its device");
		T_EQ_INT(s->disks[0].guest, 0, "under its guest");
		T_EQ_DBL(d[DF_MAX_READ_BYTES_SEC], 1048576,
			 "max_read_bytes_sec");
		T_EQ_DBL(d[DF_CUR_WRITE_IOPS_SEC], 7, "cur_write_iops_sec");
		T_OK(isnan(d[DF_MAX_TOTAL_BYTES_SEC]), "unsent key absent");
	}
	store_snapshot_free(ss);
	wire_batch_free(&b);
	store_free(st);
}

/* One mom record of guest g at time 1: disk field
   "<dev>-max_read_bytes_sec" when dev is given, else memory-actual. */
static size_t rec_at(char *buf, size_t len, const char *g, const char *dev,
		     long v)
{
	int n = snprintf(buf, len,
			 "{\"values\":[%ld],\"dstypes\":[\"gauge\"],"
			 "\"dsnames\":[\"value\"],\"time\":1,\"interval\":1,"
			 "\"host\":\"h\",\"plugin\":\"mom\","
			 "\"plugin_instance\":\"%s\",\"type\":\"%s\","
			 "\"type_instance\":\"%s%s\"},",
			 v, g, dev ? "gauge" : "memory", dev ? dev : "actual",
			 dev ? "-max_read_bytes_sec" : "");

	return n > 0 && (size_t)n < len ? (size_t)n : len;
}

/* A guest's disk beyond the store's disks per guest is counted as
   over_max_disks, a guest beyond max_guests as over_max_guests (both
   were over_max_guests, since the store answered both with -ENOSPC). */
static void test_max_disks(void)
{
	struct store *st = store_new(10, 60000, 0);
	struct ingest_counts c = {0};
	size_t len = (SNAPSHOT_DISKS_PER_GUEST + 4) * 320, off = 0;
	char *body = malloc(len), dev[16];
	struct store_snapshot *ss;
	const struct snapshot *s;
	bool refused_absent = true;

	store_set_max_guests(st, 1);
	off += (size_t)snprintf(body, len, "[");
	off += rec_at(body + off, len - off, "g", NULL, 4096);
	/* One disk more than a guest may have, all of the same time: no
	   older disk to give up its place. */
	for (int i = 0; i <= SNAPSHOT_DISKS_PER_GUEST; i++) {
		snprintf(dev, sizeof(dev), "d%d", i);
		off += rec_at(body + off, len - off, "g", dev, 1000 + i);
	}
	off += rec_at(body + off, len - off, "other", "vda", 7);
	body[off - 1] = ']'; /* the last record's comma */
	T_EQ_INT(put_body(st, body, NULL, &c), 0,
		 "a batch with a 65th disk and a 2nd guest is answered");
	T_EQ_INT(c.over_max_disks, 1, "the 65th disk is over_max_disks");
	T_EQ_INT(c.over_max_guests, 1,
		 "only the guest beyond max_guests (1) is over_max_guests");
	T_EQ_INT(c.values, 1 + SNAPSHOT_DISKS_PER_GUEST,
		 "the guest's value and its 64 disks stored");
	T_EQ_INT(store_guest_count(st), 1, "one guest held");
	ss = store_snapshot_new(st, 1000, NULL, 0);
	s = store_snapshot_get(ss);
	T_EQ_INT(s->ndisks, SNAPSHOT_DISKS_PER_GUEST,
		 "the snapshot has the 64 disks held");
	snprintf(dev, sizeof(dev), "d%d", SNAPSHOT_DISKS_PER_GUEST);
	for (size_t i = 0; i < s->ndisks; i++)
		if (strcmp(s->disks[i].e.name, dev) == 0 ||
		    s->disks[i].e.values[DF_MAX_READ_BYTES_SEC] ==
			1000 + SNAPSHOT_DISKS_PER_GUEST)
			refused_absent = false;
	T_OK(refused_absent, "the refused disk's value changed nothing");
	store_snapshot_free(ss);
	free(body);
	store_free(st);
}

int main(void)
{
	test_mapping();
	test_disks();
	test_sent_only();
	test_skips();
	test_malformed();
	test_any_plugin();
	test_clock_window();
	test_older_than_history();
	test_clock_step_back();
	test_uuid_keys();
	test_max_guests();
	test_max_disks();
	return t_done();
}
