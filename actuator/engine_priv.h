/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_priv.h: the engine's state, shared by the files that implement it
 * (engine.c: the cycle; engine_ingest.c: ingest; engine_view.c: the view for
 * the API and metrics; engine_params.c: the parameters).  Not a public header:
 * see engine.h for the threading rules (DESIGN in engine.c).
 */
#ifndef MOM_ENGINE_PRIV_H
#define MOM_ENGINE_PRIV_H

#include <pthread.h>
#include <stdint.h>

#include <jansson.h>

#include "actlog.h"
#include "clock.h"
#include "control.h"
#include "ctl.h"
#include "host.h"
#include "ingest.h"
#include "log.h"
#include "plan.h"
#include "ratelimit.h"
#include "store.h"
#include "wire.h"

/* engine.h is the public half; this header does not include it, so that
   the module has no include circle (engine.c includes both). */
struct conf;
struct policy_set;

/* A policy set shared by reference (under lock). */
struct policy_ref {
	struct policy_set *ps;
	int refs;
};

/*
 * What a cycle publishes: its plan, the policy set the plan's reasons
 * borrow names from, and what the controller did after it.  Shared by
 * reference between the engine and its views; refs under e->lock.
 */
struct engine_result {
	struct plan *plan;
	struct policy_ref *ref;
	struct control_target *applied;
	size_t napplied;
	int refs;
};

struct engine {
	const struct conf *conf;
	pthread_mutex_t lock;
	struct store *store;
	struct ingest_counts counts;
	struct policy_ref *policies;
	json_t *params; /* values set through the API: name -> number */
	struct engine_result *result; /* the last cycle's; NULL before */
	bool dry_run;
	int interval_ms; /* shown by the status; changed by a reload */
	bool cycle_follows_samples; /* likewise (main.c schedules) */
	int64_t last_cycle_ms;	    /* wall clock, the last cycle's start */
	int samples_stale_ms;	    /* configured; 0: from the intervals */
	int64_t sample_interval_ms; /* collectd's, from the host's records */
	int64_t stale_limit_ms;	    /* in force at the last cycle */
	bool host_held;		    /* the last cycle held: host stale */
	int64_t held_since_ms;	    /* monotonic, when the hold began */
	uint64_t held_cycles;	    /* cycles held for stale host samples */
	uint64_t oom_events;	    /* the OOM rail's, after the last cycle */
	json_t *stale_guests;	    /* name -> true, as of the last cycle */
	int eval_budget_ms;	    /* changed by a reload */
	uint64_t cycles;
	int64_t last_eval_ns;
	int64_t started_ms;
	/* The policies' state for the next cycle (evstate.h): the last
	   cycle's plan's, carried into the next snapshot; under lock. */
	struct evstate *pstate;

	pthread_mutex_t ctl_lock;   /* one cycle at a time; see DESIGN */
	struct control_rails rails; /* for the next cycle; under lock */
	bool rails_changed;	    /* under lock */
	struct ctl_set *ctls;	    /* every registered controller (ctl.h) */
	struct actlog *actions;
	struct ratelimit error_rl;
	/* Skipped ingest records: one report a minute per reason, with the
	   count since the last (counts.skipped then); under lock. */
	struct ratelimit skip_rl[INGEST_SKIP_COUNT];
	uint64_t skip_logged[INGEST_SKIP_COUNT];
	/* Values refused for want of room in the store (max_guests, disks
	   per guest): likewise, counts.over_max_guests + over_max_disks
	   when last reported; under lock. */
	struct ratelimit full_rl;
	uint64_t full_logged;
	/* Called (from an ingest thread, no lock held) when a fresh host
	   sample arrived or its round became complete; set before the HTTP
	   server starts. */
	void (*on_round)(void *arg);
	void *on_round_arg;
	/* store_round_complete() after the last ingest request, with
	   cycle_follows_samples; under lock.  Only a change to true wakes
	   the main loop. */
	bool round_complete;

	/* One decoded batch's records, kept for the next ingest request
	   (see ENGINE_SPARE_MAX_RECORDS in engine_ingest.c); under spare_lock.
	 */
	pthread_mutex_t spare_lock;
	struct wire_batch spare;
};

/* Drop a reference; caller holds e->lock (both accept NULL). */
void engine_policy_ref_put(struct policy_ref *r);
void engine_result_put(struct engine_result *r);

/*
 * The store's snapshot at now_ms (store_snapshot_new()) as the policies
 * see it: with each guest's balloon_target set in its newest row, the
 * target the balloon controller last applied (the last cycle's result,
 * which is the controller's state until the next cycle applies), absent
 * where none was.  The newest row only: it is what momd did before this
 * sample's evaluation, not a history (momd keeps no target per sample, so
 * older rows have none and `avg` of the field is its newest value).  NULL
 * when out of memory.  Caller holds e->lock.
 */
struct store_snapshot *engine_snapshot_locked(const struct engine *e,
					      int64_t now_ms,
					      const struct snap_param *params,
					      size_t nparams);

/* The age beyond which samples are stale; caller holds e->lock. */
int64_t engine_stale_limit_locked(const struct engine *e);

#endif /* MOM_ENGINE_PRIV_H */
