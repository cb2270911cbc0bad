/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.c: the evaluation cycle (ingest is engine_ingest.c).  The view of the
 * state for the API and metrics is in engine_view.c, the parameters in
 * engine_params.c; the state they share is struct engine (engine_priv.h).
 *
 * DESIGN.  Threads: libmicrohttpd's (ingest and API) and the main thread
 * (engine_cycle).  `lock` guards store, counts, policies, params, result
 * (the last cycle's plan and the controller's targets after it, shared by
 * reference with the views), dry_run and the rails waiting for the next
 * cycle.  `ctl_lock` serialises cycles, and the controller belongs to the
 * cycle that holds it: no other thread ever waits for it, so a libvirt
 * call that stalls (libvirtd stopped) stalls that cycle only, never
 * /metrics, /v1/plan or ingest.  A
 * cycle takes `lock` only to build a snapshot and take a reference to the
 * policy set, evaluates with no lock held, applies under `ctl_lock` alone,
 * then publishes under `lock`.  The plan borrows names from its policy
 * set, so the reference is dropped only after the plan is freed.
 */
#include "engine.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine_priv.h"
#include "eval.h"
#include "evstate.h"
#include "field.h"
#include "policy_error.h"
#include "wire.h"

void engine_policy_ref_put(struct policy_ref *r)
{
	if (r && --r->refs == 0) {
		policy_set_free(r->ps);
		free(r);
	}
}

void engine_result_put(struct engine_result *r)
{
	if (r && --r->refs == 0) {
		plan_free(r->plan);
		engine_policy_ref_put(r->ref);
		control_targets_free(r->applied, r->napplied);
		free(r);
	}
}

static struct control_rails rails_of(const struct conf *c)
{
	return (struct control_rails){
	    .max_shrink_pct = c->rail_max_shrink_pct,
	    .max_grow_pct = c->rail_max_grow_pct,
	    .used_margin_pct = c->rail_used_margin_pct,
	    .stale_ms = c->rail_stale_ms,
	    .stuck_cycles = c->rail_stuck_cycles,
	    .min_size_kib = (int64_t)c->rail_min_size_mib * 1024,
	    .oom_cooldown_ms = c->rail_oom_cooldown_ms,
	    .forget_ms = c->expiry_ms,
	};
}

struct engine *engine_new(const struct conf *conf, char *err, size_t len)
{
	struct engine *e = calloc(1, sizeof(*e));
	struct policy_error perr;
	struct control_rails rails = rails_of(conf);
	struct policy_set *ps;

	if (!e) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	e->conf = conf;
	e->dry_run = conf->dry_run;
	e->interval_ms = conf->interval_ms;
	e->cycle_follows_samples = conf->cycle_follows_samples;
	e->samples_stale_ms = conf->samples_stale_ms;
	e->eval_budget_ms = conf->eval_budget_ms;
	e->rails = rails;
	e->started_ms = clock_wall_ms();
	e->error_rl = (struct ratelimit)RATELIMIT_INIT(60000);
	for (int k = 0; k < INGEST_SKIP_COUNT; k++)
		e->skip_rl[k] = (struct ratelimit)RATELIMIT_INIT(60000);
	e->full_rl = (struct ratelimit)RATELIMIT_INIT(60000);
	pthread_mutex_init(&e->lock, NULL);
	pthread_mutex_init(&e->ctl_lock, NULL);
	pthread_mutex_init(&e->spare_lock, NULL);

	ps = policy_set_load_dir(conf->policy_dir, &perr);
	if (!ps) {
		char msg[700];

		snprintf(err, len, "policies in %s: %s", conf->policy_dir,
			 policy_error_format(&perr, msg, sizeof(msg)));
		goto fail;
	}
	e->policies = calloc(1, sizeof(*e->policies));
	if (!e->policies) {
		policy_set_free(ps);
		goto oom;
	}
	e->policies->ps = ps;
	e->policies->refs = 1;

	e->store = store_new(conf->history, conf->expiry_ms, conf->settle_ms);
	if (e->store)
		store_set_max_guests(e->store, (size_t)conf->max_guests);
	e->params = json_object();
	e->stale_guests = json_object();
	e->actions = actlog_new((size_t)conf->action_log_size);
	if (!e->store || !e->params || !e->stale_guests || !e->actions)
		goto oom;
	e->ctls = ctl_set_new(
	    &(struct ctl_env){.conf = conf, .rails = &rails, .log = e->actions},
	    err, len);
	if (!e->ctls)
		goto fail;
	return e;
oom:
	snprintf(err, len, "out of memory");
fail:
	engine_free(e);
	return NULL;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	ctl_set_free(e->ctls);
	actlog_free(e->actions);
	store_free(e->store);
	json_decref(e->params);
	json_decref(e->stale_guests);
	evstate_free(e->pstate);
	engine_result_put(e->result);
	engine_policy_ref_put(e->policies);
	pthread_mutex_destroy(&e->lock);
	pthread_mutex_destroy(&e->ctl_lock);
	wire_batch_free(&e->spare);
	pthread_mutex_destroy(&e->spare_lock);
	free(e);
}

/* Each guest's balloon_target in ss's newest rows (engine_snapshot_locked). */
static void fill_applied_locked(const struct engine *e,
				struct store_snapshot *ss)
{
	const struct snapshot *s = store_snapshot_get(ss);
	const struct control_target *t = e->result ? e->result->applied : NULL;
	size_t n = e->result ? e->result->napplied : 0, j = 0;

	/* Both lists are in name order (strcmp): one pass. */
	for (size_t i = 0; t && i < s->nguests; i++) {
		int cmp = 1;

		while (j < n &&
		       (cmp = strcmp(t[j].name, s->guests[i].name)) < 0)
			j++;
		if (j < n && cmp == 0 && t[j].target >= 0)
			store_snapshot_set_latest(ss, i, GF_BALLOON_TARGET,
						  (double)t[j].target);
	}
}

struct store_snapshot *engine_snapshot_locked(const struct engine *e,
					      int64_t now_ms,
					      const struct snap_param *params,
					      size_t nparams)
{
	struct store_snapshot *ss =
	    store_snapshot_new(e->store, now_ms, params, nparams);

	if (ss)
		fill_applied_locked(e, ss);
	return ss;
}

/* Parameter values as the snapshot wants them; caller holds e->lock. */
static struct snap_param *params_locked(struct engine *e, size_t *n)
{
	struct snap_param *p;
	const char *key;
	json_t *v;
	size_t i = 0;

	*n = json_object_size(e->params);
	p = calloc(*n ? *n : 1, sizeof(*p));
	if (!p)
		return NULL;
	json_object_foreach(e->params, key, v)
	{
		p[i].name = key;
		p[i].value = json_number_value(v);
		i++;
	}
	return p;
}

static void log_decisions(const struct plan *plan, const struct snapshot *s)
{
	char why[256];

	for (size_t i = 0; i < plan->nguests && i < s->nguests; i++) {
		const struct plan_guest *pg = &plan->guests[i];
		const struct plan_value *pv = &pg->ctl[GC_BALLOON_TARGET];
		double cur = snap_latest(&s->guests[i], GUEST_FIELD_COUNT,
					 GF_BALLOON_CUR);

		if (pg->error) {
			log_warn("decision guest:%s none: policy error: %s",
				 pg->name, pg->error);
			continue;
		}
		if (!pv->set)
			continue;
		plan_reason_format(&pv->reason, why, sizeof(why));
		/* A decision that changes nothing is only worth a debug line.
		 */
		/* Compared as doubles: cur may be absent (NaN) or beyond
		   int64, and converting those is undefined behaviour. */
		log_msg((double)pv->value != cur ? LOG_LVL_INFO : LOG_LVL_DEBUG,
			"decision guest:%s balloon_target=%" PRId64
			" (now %.0f KiB); reason: %s",
			pg->name, pv->value, cur, why);
	}
	if (plan->host_error)
		log_warn("decision host none: policy error: %s",
			 plan->host_error);
	for (int k = 0; k < HOST_CONTROL_COUNT; k++) {
		if (!plan->host[k].set)
			continue;
		plan_reason_format(&plan->host[k].reason, why, sizeof(why));
		log_debug("decision host %s=%" PRId64 "; reason: %s",
			  host_control_names[k], plan->host[k].value, why);
	}
}

/*
 * How old the newest sample may be before momd stops acting on it: the
 * configured limit, or 1.5 intervals of the slower of momd and collectd.
 * A sample normally arrives within one interval (plus the write plugin's
 * flush, a tenth of one), so half an interval of slack tells a late
 * sample from a missing one, and every cycle more than 1.5 intervals
 * after the last sample holds: within two intervals of the stop.
 * Caller holds e->lock.
 */
int64_t engine_stale_limit_locked(const struct engine *e)
{
	int64_t iv = e->interval_ms;

	if (e->samples_stale_ms > 0)
		return e->samples_stale_ms;
	if (e->sample_interval_ms > iv)
		iv = e->sample_interval_ms;
	return iv * 3 / 2;
}

struct stale_scan {
	json_t *now; /* name -> true */
	json_t *was;
};

static void stale_guest_seen(const char *name, int64_t age_ms, bool stale,
			     void *arg)
{
	struct stale_scan *sc = arg;
	bool was = json_object_get(sc->was, name) != NULL;

	if (stale && !was)
		log_warn("guest %s: no samples for %.1f s: left out of the "
			 "policies and left alone until they return",
			 name, age_ms / 1000.0);
	else if (!stale && was)
		log_info("guest %s: samples are back", name);
	if (stale)
		json_object_set_new(sc->now, name, json_true());
}

/*
 * Log the guests whose samples stopped or came back since the last cycle
 * and remember the stale ones for the status.  A guest that was stale and
 * is no longer in the store was forgotten (expiry_ms), which is logged
 * already.  Caller holds e->lock.
 */
static void stale_guests_locked(struct engine *e, int64_t now_ms)
{
	struct stale_scan sc = {.now = json_object(), .was = e->stale_guests};

	if (!sc.now)
		return;
	store_guest_ages(e->store, now_ms, stale_guest_seen, &sc);
	json_decref(e->stale_guests);
	e->stale_guests = sc.now;
}

/*
 * Slack for the sample's own time against momd's wall clock: the read's
 * duration, the write plugin's linger and queueing, and the skew that
 * ingest's window allows between two clocks of one host.
 */
#define ENGINE_SAMPLE_TIME_SLACK_MS 5000

/* Whether the host's newest memory sample arrived longer ago than the
   limit.  Caller holds e->lock. */
static bool host_stale_locked(const struct engine *e, int64_t now_ms)
{
	int64_t seen = store_host_seen(e->store);

	return seen > 0 && now_ms - seen > e->stale_limit_ms;
}

/*
 * The age of the host's newest memory sample by its own time when that is
 * beyond the limit (plus the slack), else 0.  Arrival alone does not make
 * a sample fresh: after momd restarts (or collectd could not send for a
 * while) the write plugin's queue delivers samples taken up to its
 * history ago, and a suspend stops the monotonic clock that arrival is
 * measured on.  A wall clock stepped forward makes this hold until the
 * next sample, stepped back it holds nothing (the age is negative).
 * Caller holds e->lock.
 */
static int64_t host_late_ms_locked(const struct engine *e, int64_t wall_ms)
{
	double t = store_host_seen_time(e->store);
	double age_ms = (double)wall_ms - t * 1000.0;

	if (store_host_seen(e->store) <= 0 ||
	    !(age_ms >
	      (double)(e->stale_limit_ms + ENGINE_SAMPLE_TIME_SLACK_MS)))
		return 0;
	return (int64_t)age_ms;
}

/* Whether the snapshot has host samples but no memory in the newest:
   /proc/meminfo not parsed since momd started (no MemFree ever, so never
   stale), or only since the last sample, within the limit. */
static bool host_memory_missing(const struct store_snapshot *ss)
{
	const struct snap_entity *h = &store_snapshot_get(ss)->host;

	return h->len > 0 &&
	       !field_present(snap_latest(h, HOST_FIELD_COUNT, HF_MEM_UNUSED));
}

/*
 * Whether this cycle must hold: the host's newest memory sample arrived
 * longer ago than the limit (stale), was taken longer ago than that (late:
 * its age, host_late_ms_locked()), or the newest host sample has none
 * (missing).  Logs the start and the end of a hold once each.  Caller
 * holds e->lock.
 */
static bool host_hold_locked(struct engine *e, int64_t now_ms, bool stale,
			     int64_t late_ms, bool missing)
{
	int64_t seen = store_host_seen(e->store);
	bool hold = stale || late_ms > 0 || missing;

	if (hold && !e->host_held) {
		e->held_since_ms = now_ms;
		if (stale)
			log_warn("host samples stopped: the newest arrived "
				 "%.1f s ago (limit %.1f s): balloons and KSM "
				 "are left as they are until samples return",
				 (now_ms - seen) / 1000.0,
				 e->stale_limit_ms / 1000.0);
		else if (late_ms > 0)
			log_warn("host samples are late: the newest was taken "
				 "%.1f s ago (limit %.1f s + %.1f s): balloons "
				 "and KSM are left as they are until a fresh "
				 "one arrives",
				 late_ms / 1000.0, e->stale_limit_ms / 1000.0,
				 ENGINE_SAMPLE_TIME_SLACK_MS / 1000.0);
		else
			log_warn("host samples without host memory (MemFree):"
				 " balloons and KSM are left as they are until "
				 "it returns");
	} else if (!hold && e->host_held) {
		log_info("host samples are back after %.1f s of hold: acting "
			 "again",
			 (now_ms - e->held_since_ms) / 1000.0);
	}
	e->host_held = hold;
	if (hold)
		e->held_cycles++;
	return hold;
}

void engine_cycle(struct engine *e)
{
	struct store_snapshot *ss = NULL;
	struct snap_param *params = NULL;
	struct policy_ref *ref;
	struct plan *plan = NULL;
	struct evstate *pstate = NULL;
	struct snapshot snap;
	struct timespec t0, t1, deadline;
	struct control_rails rails;
	bool rails_changed;
	uint64_t oom_events;
	struct engine_result *res = NULL;
	size_t nparams, expired;
	bool dry_run, held, stale, over = false;
	int64_t now_ms, late_ms;

	pthread_mutex_lock(&e->lock);
	now_ms = clock_mono_ms();
	e->last_cycle_ms = clock_wall_ms();
	expired = store_expire(e->store, now_ms);
	e->stale_limit_ms = engine_stale_limit_locked(e);
	store_set_stale_ms(e->store, e->stale_limit_ms);
	stale = host_stale_locked(e, now_ms);
	late_ms = host_late_ms_locked(e, e->last_cycle_ms);
	params = stale || late_ms ? NULL : params_locked(e, &nparams);
	if (params)
		ss = engine_snapshot_locked(e, now_ms, params, nparams);
	held = host_hold_locked(e, now_ms, stale, late_ms,
				ss && host_memory_missing(ss));
	/* While the host holds, every guest is stale too: one line says
	   it all. */
	if (!held)
		stale_guests_locked(e, now_ms);
	if (ss && e->pstate && !(pstate = evstate_copy(e->pstate))) {
		store_snapshot_free(ss);
		ss = NULL;
	}
	ref = e->policies;
	ref->refs++;
	dry_run = e->dry_run;
	deadline = clock_after(CLOCK_MONOTONIC, e->eval_budget_ms);
	pthread_mutex_unlock(&e->lock);
	if (expired)
		log_info("forgot %zu guest(s) that stopped reporting", expired);
	/* Stale data decides nothing: no evaluation, no controller runs
	   (nothing changes, not even a KSM knob someone else moved), the
	   last plan stays for the API. */
	if (held)
		goto out;
	if (!ss) {
		log_err("cycle skipped: out of memory");
		goto out;
	}
	if (store_snapshot_get(ss)->host.len == 0) {
		log_debug("cycle skipped: no host sample yet");
		goto out;
	}

	/* The policies' state goes in explicitly, with the snapshot. */
	snap = *store_snapshot_get(ss);
	snap.state = pstate;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	plan = eval_run_until(ref->ps, &snap, &deadline, &over);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (!plan) {
		unsigned quiet;

		/* A policy over its budget is over it every cycle: say so
		   once a minute, with the count of cycles skipped since. */
		if (ratelimit_allow(&e->error_rl, clock_mono_ms(), &quiet))
			log_err("cycle skipped: %s (%u more since the last "
				"report)",
				over ? "the policies took longer than "
				       "eval_budget_ms"
				     : "out of memory",
				quiet);
		goto out;
	}
	log_decisions(plan, store_snapshot_get(ss));

	pthread_mutex_lock(&e->lock);
	rails = e->rails;
	rails_changed = e->rails_changed;
	e->rails_changed = false;
	pthread_mutex_unlock(&e->lock);
	/* Libvirt and sysfs calls: no lock that a reader waits for. */
	pthread_mutex_lock(&e->ctl_lock);
	if (rails_changed)
		ctl_set_rails(e->ctls, &rails);
	ctl_set_apply(e->ctls, plan, store_snapshot_get(ss), dry_run,
		      clock_wall_ms(), clock_mono_ms());
	oom_events = controller_oom_events(
	    ctl_balloon_controller(ctl_set_find(e->ctls, "balloon")));
	res = calloc(1, sizeof(*res));
	if (res && controller_targets(
		       ctl_balloon_controller(ctl_set_find(e->ctls, "balloon")),
		       &res->applied, &res->napplied) < 0)
		log_err("the applied targets are not shown: out of memory");
	pthread_mutex_unlock(&e->ctl_lock);

	/* Keep the plan itself (and the policy set its reasons borrow
	   names from), not its JSON: a tree with every reason string is
	   several times bigger, and is asked for far less often than a
	   cycle runs. */
	pthread_mutex_lock(&e->lock);
	evstate_free(e->pstate);
	e->pstate = plan->state;
	plan->state = NULL;
	if (res) {
		res->plan = plan;
		res->ref = ref;
		res->refs = 1;
		ref->refs++;
		plan = NULL;
		engine_result_put(e->result);
		e->result = res;
	} else {
		/* The policy state moved on: the last cycle's targets would
		   give its balloon_target a cycle late, so none is shown
		   (the policies' documented fallback) until one is kept. */
		engine_result_put(e->result);
		e->result = NULL;
	}
	e->cycles++;
	e->oom_events = oom_events;
	e->last_eval_ns =
	    (t1.tv_sec - t0.tv_sec) * 1000000000LL + (t1.tv_nsec - t0.tv_nsec);
	pthread_mutex_unlock(&e->lock);
out:
	plan_free(plan);
	evstate_free(pstate);
	store_snapshot_free(ss);
	free(params);
	pthread_mutex_lock(&e->lock);
	engine_policy_ref_put(ref);
	pthread_mutex_unlock(&e->lock);
}

json_t *engine_actions_json(struct engine *e, size_t limit)
{
	return actlog_to_json(e->actions, limit);
}

void engine_reconfigure(struct engine *e, const struct conf *next,
			bool dry_run_changed)
{
	struct control_rails rails = rails_of(next);

	pthread_mutex_lock(&e->lock);
	e->interval_ms = next->interval_ms;
	e->cycle_follows_samples = next->cycle_follows_samples;
	e->samples_stale_ms = next->samples_stale_ms;
	e->eval_budget_ms = next->eval_budget_ms;
	if (dry_run_changed)
		e->dry_run = next->dry_run;
	/* Taken by the next cycle: waiting for ctl_lock here would stall
	   the main thread behind a stalled libvirt call. */
	e->rails = rails;
	e->rails_changed = true;
	pthread_mutex_unlock(&e->lock);
}

void engine_on_round(struct engine *e, void (*fn)(void *arg), void *arg)
{
	e->on_round = fn;
	e->on_round_arg = arg;
}

int64_t engine_host_round(struct engine *e, bool *complete)
{
	int64_t seen;

	pthread_mutex_lock(&e->lock);
	seen = store_host_seen(e->store);
	*complete = store_round_complete(e->store, clock_mono_ms());
	pthread_mutex_unlock(&e->lock);
	return seen;
}

void engine_set_dry_run(struct engine *e, bool on)
{
	pthread_mutex_lock(&e->lock);
	e->dry_run = on;
	pthread_mutex_unlock(&e->lock);
	log_info("dry-run %s", on ? "on: nothing will be changed" : "off");
}

bool engine_dry_run(struct engine *e)
{
	bool on;

	pthread_mutex_lock(&e->lock);
	on = e->dry_run;
	pthread_mutex_unlock(&e->lock);
	return on;
}

void engine_policies_swap(struct engine *e, struct policy_set *ps)
{
	struct policy_ref *r = calloc(1, sizeof(*r)), *old;

	if (!r) {
		policy_set_free(ps);
		return;
	}
	r->ps = ps;
	r->refs = 1;
	pthread_mutex_lock(&e->lock);
	old = e->policies;
	e->policies = r;
	engine_policy_ref_put(old);
	pthread_mutex_unlock(&e->lock);
}

json_t *engine_evaluate(struct engine *e, const struct policy_set *ps,
			const struct snapshot *snap, bool *no_state, bool *over)
{
	struct store_snapshot *ss = NULL;
	struct snap_param *params = NULL;
	struct policy_ref *ref = NULL;
	struct plan *plan = NULL;
	struct timespec deadline;
	json_t *out = NULL;
	struct evstate *pstate = NULL;
	struct snapshot live;
	size_t nparams;

	*no_state = false;
	*over = false;
	pthread_mutex_lock(&e->lock);
	deadline = clock_after(CLOCK_MONOTONIC, e->eval_budget_ms);
	if (!snap) {
		params = params_locked(e, &nparams);
		if (params)
			ss = engine_snapshot_locked(e, clock_mono_ms(), params,
						    nparams);
		pstate = e->pstate ? evstate_copy(e->pstate) : NULL;
	}
	if (!ps) {
		ref = e->policies;
		ref->refs++;
		ps = ref->ps;
	}
	pthread_mutex_unlock(&e->lock);
	if (!snap) {
		if (!ss)
			goto out;
		live = *store_snapshot_get(ss);
		live.state = pstate; /* the live cycle's state (a copy) */
		snap = &live;
		if (snap->host.len == 0) {
			*no_state = true;
			goto out;
		}
	}
	plan = eval_run_until(ps, snap, &deadline, over);
	if (plan)
		out = plan_to_json(plan);
out:
	plan_free(plan);
	evstate_free(pstate);
	store_snapshot_free(ss);
	free(params);
	if (ref) {
		pthread_mutex_lock(&e->lock);
		engine_policy_ref_put(ref);
		pthread_mutex_unlock(&e->lock);
	}
	return out;
}

void engine_with_policies(struct engine *e,
			  void (*f)(const struct policy_set *ps, void *arg),
			  void *arg)
{
	pthread_mutex_lock(&e->lock);
	f(e->policies->ps, arg);
	pthread_mutex_unlock(&e->lock);
}
