/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_view.h: one plain C view of the engine's state, taken at once
 * under the engine's lock, for what shows it: the REST bodies (api_json.c)
 * and the Prometheus text (prom.c) are rendered from the same view, so
 * they agree with each other within one request.
 *
 * The view shares the last cycle's result (plan, applied targets) and a
 * snapshot of the samples by reference instead of copying them; release
 * it with engine_view_release().  Rendering runs with no lock held.
 */
#ifndef MOM_ENGINE_VIEW_H
#define MOM_ENGINE_VIEW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "control.h"
#include "engine.h"
#include "ingest.h"
#include "plan.h"
#include "snapshot.h"

/* What to take (or-ed): each part costs only when asked for. */
enum engine_view_part {
	ENGINE_VIEW_STATUS = 1,	 /* counters, mode, freshness */
	ENGINE_VIEW_PLAN = 2,	 /* the last plan, what was applied */
	ENGINE_VIEW_SAMPLES = 4, /* the latest samples */
};

struct engine_view {
	/* ENGINE_VIEW_STATUS */
	bool dry_run;
	int interval_ms;
	bool cycle_follows_samples;
	int64_t last_cycle_ms; /* wall clock; 0 before the first cycle */
	uint64_t cycles;
	size_t guests;	      /* guests with recent samples */
	int64_t last_eval_ns; /* duration of the last evaluation */
	int64_t started_ms;   /* wall clock */
	struct ingest_counts ingest;
	uint64_t actions[4]; /* by enum act_result */
	const char *balloon_backend, *ksm_backend;
	int64_t host_age_ms; /* since the host's last sample; -1: never */
	int64_t stale_after_ms;
	bool host_stale; /* the last cycle held */
	uint64_t held_cycles;
	uint64_t oom_events; /* harm events of the OOM rail */
	char **stale_guests; /* as of the last cycle */
	size_t nstale;

	/* ENGINE_VIEW_PLAN */
	const struct plan *plan; /* NULL before the first cycle */
	const struct control_target *applied;
	size_t napplied;

	/* ENGINE_VIEW_SAMPLES: the latest row of each entity is the last of
	   its rows (snap_latest()). */
	const struct snapshot *samples;

	/* private */
	struct engine_result *result_;
	struct store_snapshot *ss_;
};

/*
 * Take the parts of the view of e into *v.  Returns 0, or -ENOMEM (then
 * *v holds nothing to release).
 */
int engine_view_take(struct engine *e, unsigned parts, struct engine_view *v);
void engine_view_release(struct engine *e, struct engine_view *v);

#endif /* MOM_ENGINE_VIEW_H */
