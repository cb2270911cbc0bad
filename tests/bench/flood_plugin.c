/* SPDX-License-Identifier: Apache-2.0 */
/*
 * flood_plugin.c: the collectd read plugin "bench_flood" (built as
 * $(BUILD)/tests/bench_flood.so), a synthetic source for
 * tests/bench/write_plugin.sh.  Each read dispatches Values gauge values
 * shaped like the mom plugin's guest values (plugin "mom", instance
 * "fl<i>", type "memory", the eight type instances momd keeps), so that
 * write_mom forwards them and momd accepts them all; every identifier is
 * distinct within a read.  Like the mom plugin's, every value list carries
 * the origin mark (origin.h: write_mom forwards only marked lists of
 * plugin "mom") and its instance's UUID (mom:uuid, by which momd keys
 * guests), so collectd clones the same meta data per value as for real
 * samples.  It also counts what it
 * dispatched in $FLOOD_COUNT_FILE (rewritten after every read) so the
 * benchmark knows how many values entered collectd.
 *
 * It also registers a write callback that does nothing but count the value
 * lists of plugins "mom" and "virt" (for tests/bench/read_plugin.sh):
 * collectd 5.12 logs "Available write targets: [none]" for every value when
 * no writer is loaded, which would make a baseline without other writers
 * meaningless.  The count file holds "flood_total mom_total virt_total".
 *
 *   LoadPlugin bench_flood
 *   <Plugin bench_flood>
 *     Values 20000          # per read, 1..1000000
 *   </Plugin>
 */
#include "collectd/core/daemon/plugin.h"
#include "collectd/core/utils/common/common.h"
#include "collectd/core/utils/metadata/meta_data.h"

#include "origin.h"

#include <stdio.h>
#include <stdlib.h>

#define FLOOD_NAME "bench_flood"

static const char *const tinst[8] = {
    "actual", "maximum", "minimum",	"available",
    "unused", "usable",	 "disk_caches", "rss",
};

static int flood_values = 10000;
static unsigned long long flood_total;
/* Value lists seen by the null writer; written by several write threads. */
static unsigned long long seen_mom, seen_virt;

static int flood_config(oconfig_item_t *ci)
{
	for (int i = 0; i < ci->children_num; i++) {
		oconfig_item_t *c = ci->children + i;
		int v;

		if (strcasecmp(c->key, "Values") != 0) {
			ERROR(FLOOD_NAME ": unknown option %s", c->key);
			return -1;
		}
		if (cf_util_get_int(c, &v) != 0 || v < 1 || v > 1000000) {
			ERROR(FLOOD_NAME ": Values must be 1..1000000");
			return -1;
		}
		flood_values = v;
	}
	return 0;
}

static void flood_count_write(void)
{
	const char *path = getenv("FLOOD_COUNT_FILE");
	char tmp[4096];
	FILE *f;

	if (path == NULL ||
	    snprintf(tmp, sizeof(tmp), "%s.new", path) >= (int)sizeof(tmp))
		return;
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	fprintf(f, "%llu %llu %llu\n", flood_total,
		__atomic_load_n(&seen_mom, __ATOMIC_RELAXED),
		__atomic_load_n(&seen_virt, __ATOMIC_RELAXED));
	if (fclose(f) == 0)
		rename(tmp, path);
}

/* The meta data of instance fl<inst>: the origin mark and a UUID made
   from the instance number.  NULL when out of memory (the values then go
   out unmarked and write_mom drops them, which the benchmark shows). */
static meta_data_t *flood_meta(int inst)
{
	meta_data_t *m = meta_data_create();
	char uuid[37];

	snprintf(uuid, sizeof(uuid), "f100d000-0000-4000-8000-%012d", inst);
	if (m != NULL && (meta_data_add_unsigned_int(m, ORIGIN_META_KEY,
						     origin_mark()) != 0 ||
			  meta_data_add_string(m, "mom:uuid", uuid) != 0)) {
		meta_data_destroy(m);
		return NULL;
	}
	return m;
}

static int flood_read(user_data_t *ud)
{
	value_list_t vl = VALUE_LIST_INIT;
	value_t v;
	cdtime_t now = cdtime();

	(void)ud;
	vl.values = &v;
	vl.values_len = 1;
	vl.time = now;
	sstrncpy(vl.plugin, "mom", sizeof(vl.plugin));
	sstrncpy(vl.type, "memory", sizeof(vl.type));
	for (int i = 0; i < flood_values; i++) {
		if (i % 8 == 0) {
			meta_data_destroy(vl.meta);
			vl.meta = flood_meta(i / 8);
		}
		v.gauge = 1048576.0 * (double)(i % 4096 + 1);
		snprintf(vl.plugin_instance, sizeof(vl.plugin_instance),
			 "fl%06d", i / 8);
		sstrncpy(vl.type_instance, tinst[i % 8],
			 sizeof(vl.type_instance));
		if (plugin_dispatch_values(&vl) == 0)
			flood_total++;
	}
	meta_data_destroy(vl.meta);
	flood_count_write();
	return 0;
}

/* The null writer: counts value lists of two plugins, nothing else. */
static int flood_write(const data_set_t *ds, const value_list_t *vl,
		       user_data_t *ud)
{
	(void)ds;
	(void)ud;
	if (strcmp(vl->plugin, "mom") == 0)
		__atomic_fetch_add(&seen_mom, 1, __ATOMIC_RELAXED);
	else if (strcmp(vl->plugin, "virt") == 0)
		__atomic_fetch_add(&seen_virt, 1, __ATOMIC_RELAXED);
	return 0;
}

void module_register(void)
{
	plugin_register_complex_config(FLOOD_NAME, flood_config);
	plugin_register_complex_read(NULL, FLOOD_NAME, flood_read, 0, NULL);
	plugin_register_write(FLOOD_NAME, flood_write, NULL);
}
