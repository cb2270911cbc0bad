/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_view.c: the engine's state as one plain C view (engine_view.h).
 * Everything is read in one hold of e->lock; what is big (the plan, the
 * samples) is shared by reference, what is small is copied.
 */
#include "engine_view.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "engine_priv.h"

/* Copy the names of the stale guests; caller holds e->lock. */
static int stale_copy_locked(const struct engine *e, struct engine_view *v)
{
	size_t n = json_object_size(e->stale_guests), i = 0;
	const char *name;
	json_t *x;

	if (!n)
		return 0;
	v->stale_guests = calloc(n, sizeof(*v->stale_guests));
	if (!v->stale_guests)
		return -ENOMEM;
	json_object_foreach(e->stale_guests, name, x)
	{
		v->stale_guests[i] = strdup(name);
		if (!v->stale_guests[i])
			return -ENOMEM;
		v->nstale = ++i;
	}
	return 0;
}

/* The status part; caller holds e->lock. */
static int status_locked(const struct engine *e, struct engine_view *v)
{
	int64_t seen = store_host_seen(e->store);

	v->dry_run = e->dry_run;
	v->interval_ms = e->interval_ms;
	v->cycle_follows_samples = e->cycle_follows_samples;
	v->last_cycle_ms = e->last_cycle_ms;
	v->cycles = e->cycles;
	v->guests = store_guest_count(e->store);
	v->last_eval_ns = e->last_eval_ns;
	v->started_ms = e->started_ms;
	v->ingest = e->counts;
	/* The action log has a lock of its own, taken inside e->lock: it
	   never calls back into the engine. */
	actlog_totals(e->actions, v->actions);
	v->balloon_backend = ctl_set_backend(e->ctls, "balloon");
	v->ksm_backend = ctl_set_backend(e->ctls, "ksm");
	v->host_age_ms = seen > 0 ? clock_mono_ms() - seen : -1;
	v->stale_after_ms = engine_stale_limit_locked(e);
	v->host_stale = e->host_held;
	v->held_cycles = e->held_cycles;
	v->oom_events = e->oom_events;
	return stale_copy_locked(e, v);
}

int engine_view_take(struct engine *e, unsigned parts, struct engine_view *v)
{
	int rc = 0;

	*v = (struct engine_view){.host_age_ms = -1};
	pthread_mutex_lock(&e->lock);
	if (parts & ENGINE_VIEW_STATUS)
		rc = status_locked(e, v);
	if ((parts & ENGINE_VIEW_PLAN) && e->result) {
		v->result_ = e->result;
		v->result_->refs++;
		v->plan = v->result_->plan;
		v->applied = v->result_->applied;
		v->napplied = v->result_->napplied;
	}
	if (rc == 0 && (parts & ENGINE_VIEW_SAMPLES)) {
		/* as the policies see it (GET /v1/stats) */
		v->ss_ = engine_snapshot_locked(e, clock_mono_ms(), NULL, 0);
		if (v->ss_)
			v->samples = store_snapshot_get(v->ss_);
		else
			rc = -ENOMEM;
	}
	pthread_mutex_unlock(&e->lock);
	if (rc < 0)
		engine_view_release(e, v);
	return rc;
}

void engine_view_release(struct engine *e, struct engine_view *v)
{
	if (v->result_) {
		pthread_mutex_lock(&e->lock);
		engine_result_put(v->result_);
		pthread_mutex_unlock(&e->lock);
	}
	store_snapshot_free(v->ss_);
	for (size_t i = 0; i < v->nstale; i++)
		free(v->stale_guests[i]);
	free(v->stale_guests);
	*v = (struct engine_view){.host_age_ms = -1};
}
