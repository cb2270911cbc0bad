/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plugin_metrics.h: which row of the metric contract (actuator/metric.h)
 * each native reading of the read plugin is dispatched as.
 *
 * The readers (host_mem.c, guest_mem.c, momd_client.c) fill samples indexed
 * by their own enums, in native units; these maps name the contract row of
 * each slot, and the glue (mom.c) takes the identifier, data source type
 * and unit conversion from that row.  A slot that is not dispatched on its
 * own maps to METRIC_NR: the two swap page counters go out together as
 * vmpage_io-swap, the two fault counters as ps_pagefaults (see
 * PLUGIN_*_PAIR below).  Constant data; no collectd header, so the unit
 * test checks the maps against the contract.
 */
#ifndef MOM_PLUGIN_METRICS_H
#define MOM_PLUGIN_METRICS_H

#include "agent_parse.h"
#include "guest_io.h"
#include "guest_mem.h"
#include "host_mem.h"
#include "metric.h"
#include "momd_client.h"

extern const enum metric_id plugin_host_metric[HOST_FIELD_NR];
extern const enum metric_id plugin_guest_metric[GUEST_STAT_NR];
extern const enum metric_id plugin_ksm_target_metric[MOMD_KSM_NR];
/* Guest-agent readings (agent_parse.h), under the guest's instance. */
extern const enum metric_id plugin_agent_metric[AGENT_FIELD_NR];
/* Native agent unit -> the row's unit (PSI averages: hundredths of a
   percent -> percent); 1 for the rest. */
extern const double plugin_agent_scale[AGENT_FIELD_NR];
/* A disk's slots (guest_io.h: maximum, guaranteed, live) -> its rows,
   dispatched under the guest's instance with type instance
   "<dev>-<row's type instance>". */
extern const enum metric_id plugin_disk_metric[GUEST_IO_NR];
/* The plan's disk limits (momd_client.h) -> their decision rows. */
extern const enum metric_id plugin_disk_target_metric[MOMD_DISK_NR];
/* The plan's per-guest QoS controls -> their decision rows. */
extern const enum metric_id plugin_guest_target_metric[MOMD_GUEST_NR];

/* A value list of two data sources, sent only when both slots are read;
   the rows are adjacent in the contract (first, then second). */
struct plugin_metric_pair {
	int first, second;  /* native slots */
	enum metric_id row; /* the contract row of `first` */
};

extern const struct plugin_metric_pair plugin_host_swap_pair;
extern const struct plugin_metric_pair plugin_guest_fault_pair;
extern const struct plugin_metric_pair plugin_agent_swap_pair;

#endif /* MOM_PLUGIN_METRICS_H */
