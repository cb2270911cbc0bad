/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_ingest.c: fuzz target for the ingest path of POST /v1/metrics.
 *
 * The input is one request body.  It is decoded with wire_batch_decode()
 * (a small record limit, so the "too many records" branch is reachable),
 * checked with ingest_check(), applied into a sample store with
 * ingest_apply() through a filter (host "hv01" for inputs whose length is
 * odd, any host otherwise; plugins mom and virt) that skips the others,
 * and the store is turned into a snapshot twice (once as the values
 * arrive, once after the settle time) so that the rates and derived fields
 * are computed from whatever was stored.  The store lives
 * for one input only.  Any crash, leak or sanitizer report is a bug; a
 * decode or check error is an expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "ingest.h"
#include "store.h"
#include "wire.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Read every value of a snapshot, so that nothing it holds is dead code. */
static double snapshot_sum(const struct snapshot *s)
{
	volatile double sum = 0;

	for (size_t i = 0; i < s->host.len * HOST_FIELD_COUNT; i++)
		sum += s->host.values[i];
	for (size_t g = 0; g < s->nguests; g++)
		for (size_t i = 0; i < s->guests[g].len * GUEST_FIELD_COUNT;
		     i++)
			sum += s->guests[g].values[i];
	return sum;
}

static void snapshot_once(struct store *st, int64_t now_ms)
{
	struct snap_param p = {"balloonEnabled", 1};
	struct store_snapshot *ss = store_snapshot_new(st, now_ms, &p, 1);

	if (ss) {
		snapshot_sum(store_snapshot_get(ss));
		store_snapshot_free(ss);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ingest_filter f = {size % 2 ? "hv01" : "", "mom,virt"};
	struct ingest_counts c = {0};
	struct wire_batch b = {0};
	struct wire_error err;
	struct store *st;

	if (wire_batch_decode((const char *)data, size, 64, &b, &err) < 0)
		return 0;
	if (ingest_check(&b, &err) == 0) {
		st = store_new(3, 60000, 500);
		if (st) {
			ingest_apply(st, &b, &f, 1000, NULL, &c);
			snapshot_once(st, 1000);
			store_expire(st, 30000);
			snapshot_once(st, 30000);
			store_free(st);
		}
	}
	wire_batch_free(&b);
	return 0;
}
