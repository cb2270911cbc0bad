/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin_metrics_test.c: the read plugin dispatches every value of the
 * metric contract and nothing else.  Each native slot of host_mem.h,
 * guest_mem.h and momd_client.h names a row of its kind (or is one of the
 * two-value pairs), no two slots name one row, and every dispatched host
 * or guest row of the contract has a slot (duration-stats_age and
 * memory-target are named by mom.c itself).
 */
#include <string.h>

#include "metric.h"
#include "plugin_metrics.h"
#include "testing.h"

static int sent_by[METRIC_NR];

static void count(enum metric_id id)
{
	sent_by[id]++;
}

static bool is_pair_slot(const struct plugin_metric_pair *p, int slot)
{
	return p && (slot == p->first || slot == p->second);
}

/* Each slot of a native map names a row of `kind` that it measures, or
   is one of the pair's two slots. */
static void test_slots(const enum metric_id *map, int nslots,
		       const struct plugin_metric_pair *pair,
		       enum metric_kind kind, const char *what)
{
	int wrong = 0;

	for (int f = 0; f < nslots; f++) {
		enum metric_id id = map[f];

		if (id == METRIC_NR) {
			wrong += !is_pair_slot(pair, f);
			continue;
		}
		count(id);
		wrong += metric_defs[id].kind != kind ||
			 metric_defs[id].role == METRIC_DERIVED ||
			 metric_defs[id].role == METRIC_DECISION;
	}
	T_EQ_INT(wrong, 0, what);
}

static void test_pair(const struct plugin_metric_pair *p, const char *what)
{
	const struct metric_def *a = &metric_defs[p->row];
	const struct metric_def *b = a + 1;

	T_OK(p->row + 1 < METRIC_NR && a->ds != NULL && b->ds != NULL &&
		 strcmp(a->type, b->type) == 0 &&
		 strcmp(a->type_instance, b->type_instance) == 0 &&
		 a->dstype == METRIC_DERIVE && b->dstype == METRIC_DERIVE,
	     "%s: two adjacent DERIVE rows of one identifier", what);
	count(p->row);
	count(p->row + 1);
}

static void test_targets(void)
{
	int wrong = 0;

	for (int k = 0; k < MOMD_KSM_NR; k++) {
		enum metric_id id = plugin_ksm_target_metric[k];

		count(id);
		wrong += metric_defs[id].kind != METRIC_HOST ||
			 metric_defs[id].role != METRIC_DECISION;
	}
	T_EQ_INT(wrong, 0, "the plan's KSM settings are host decision rows");
	wrong = 0;
	for (int k = 0; k < MOMD_GUEST_NR; k++) {
		enum metric_id id = plugin_guest_target_metric[k];

		count(id);
		wrong += metric_defs[id].kind != METRIC_GUEST ||
			 metric_defs[id].role != METRIC_DECISION;
	}
	T_EQ_INT(wrong, 0, "the plan's QoS controls are guest decision rows");
	wrong = 0;
	for (int k = 0; k < MOMD_DISK_NR; k++) {
		enum metric_id id = plugin_disk_target_metric[k];

		count(id);
		wrong +=
		    metric_defs[id].kind != METRIC_DISK ||
		    metric_defs[id].role != METRIC_DECISION ||
		    strncmp(metric_defs[id].type_instance, momd_disk_keys[k],
			    strlen(momd_disk_keys[k])) != 0;
	}
	T_EQ_INT(wrong, 0, "the plan's disk limits are disk decision rows");
}

/* PSI averages come in hundredths of a percent and go out in percent;
   every other agent slot keeps its unit. */
static void test_agent_scale(void)
{
	int wrong = 0;

	for (int f = 0; f < AGENT_FIELD_NR; f++) {
		bool cpct = strstr(agent_field_name(f), "_avg") != NULL;

		wrong += plugin_agent_scale[f] != (cpct ? 0.01 : 1.0);
	}
	T_EQ_INT(wrong, 0, "agent PSI averages are scaled to percent only");
}

int main(void)
{
	int missing = 0, twice = 0;

	test_slots(plugin_host_metric, HOST_FIELD_NR, &plugin_host_swap_pair,
		   METRIC_HOST, "every host slot names a host row it measures");
	test_slots(plugin_guest_metric, GUEST_STAT_NR, &plugin_guest_fault_pair,
		   METRIC_GUEST,
		   "every guest slot names a guest row it measures");
	test_pair(&plugin_host_swap_pair, "vmpage_io-swap");
	test_pair(&plugin_guest_fault_pair, "ps_pagefaults");
	test_slots(plugin_agent_metric, AGENT_FIELD_NR, &plugin_agent_swap_pair,
		   METRIC_GUEST,
		   "every guest-agent slot names a guest row it measures");
	test_pair(&plugin_agent_swap_pair, "agent vmpage_io-swap");
	test_slots(plugin_disk_metric, GUEST_IO_NR, NULL, METRIC_DISK,
		   "every disk slot names a disk row it measures");
	T_OK(strcmp(metric_field_name(
			&metric_defs[plugin_disk_metric[GUEST_IO_CUR * 6 +
							GUEST_IO_READ_IOPS]]),
		    "cur_read_iops_sec") == 0,
	     "a disk slot's row is the field of its group and limit");
	test_agent_scale();
	test_targets();
	count(METRIC_GUEST_STATS_AGE); /* mom.c, from stats_age_s */
	count(METRIC_GUEST_TARGET);    /* mom.c, from the plan */
	count(METRIC_GUEST_AGENT_AGE); /* mom.c, from the cache's age */
	for (int i = 0; i < METRIC_NR; i++) {
		bool dispatched = metric_defs[i].role != METRIC_DERIVED;

		if (dispatched && sent_by[i] == 0) {
			printf("# %s-%s has no native slot\n",
			       metric_defs[i].type,
			       metric_defs[i].type_instance);
			missing++;
		}
		twice += sent_by[i] > 1 || (!dispatched && sent_by[i] > 0);
	}
	T_EQ_INT(missing, 0,
		 "every host, guest and disk row of the contract is sent");
	T_EQ_INT(twice, 0,
		 "no row is sent from two slots, no derived row sent");
	return t_done();
}
