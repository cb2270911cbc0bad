/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.c: balloon and KSM controllers with their safety rails.
 *
 * Per-guest memory (last target, movement, refusals) lives in an array
 * sorted by name; snapshots list guests in name order too, so each cycle
 * merges the two in one pass and guests that went away are forgotten.
 */
#include "control.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"

struct guest_state {
	char name[128];
	int64_t target;	      /* last target applied, -1 none */
	int64_t prev_cur;     /* balloon size seen last cycle */
	int stuck_cycles;     /* cycles without moving toward target */
	bool stuck;	      /* reported as not following */
	int64_t refused_planned; /* last refusal logged, to log it once */
	char refused_why[64];
};

/* KSM knobs in the order they are written: the mode first (see README). */
static const enum ksm_knob ksm_order[] = {
	KSM_MERGE_ACROSS_NODES, KSM_RUN, KSM_PAGES_TO_SCAN,
	KSM_SLEEP_MILLISECS};
static const enum host_control ksm_control_of[KSM_KNOB_COUNT] = {
	[KSM_RUN] = HC_KSM_RUN,
	[KSM_PAGES_TO_SCAN] = HC_KSM_PAGES_TO_SCAN,
	[KSM_SLEEP_MILLISECS] = HC_KSM_SLEEP_MILLISECS,
	[KSM_MERGE_ACROSS_NODES] = HC_KSM_MERGE_ACROSS_NODES,
};
/* The kernel's ranges: run 0..2, merge 0..1, the others unsigned int. */
static const int64_t ksm_max[KSM_KNOB_COUNT] = {
	[KSM_RUN] = 2,
	[KSM_PAGES_TO_SCAN] = UINT32_MAX,
	[KSM_SLEEP_MILLISECS] = UINT32_MAX,
	[KSM_MERGE_ACROSS_NODES] = 1,
};
#define KSM_RETRY_CYCLES 10

struct controller {
	struct control_rails rails;
	const struct balloon_backend *balloon;
	const struct ksm_backend *ksm;
	struct actlog *log;
	struct guest_state *guests;
	size_t nguests;
	uint64_t cycle;
	int64_t ksm_refused_value[KSM_KNOB_COUNT];
	uint64_t ksm_refused_cycle[KSM_KNOB_COUNT];
};

struct controller *controller_new(const struct control_rails *rails,
				  const struct balloon_backend *balloon,
				  const struct ksm_backend *ksm,
				  struct actlog *log)
{
	struct controller *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rails = *rails;
	c->balloon = balloon;
	c->ksm = ksm;
	c->log = log;
	for (int k = 0; k < KSM_KNOB_COUNT; k++)
		c->ksm_refused_value[k] = -1;
	return c;
}

void controller_free(struct controller *c)
{
	if (!c)
		return;
	free(c->guests);
	free(c);
}

static void reason_text(const struct plan_value *pv, char *buf, size_t len)
{
	if (pv->set)
		plan_reason_format(&pv->reason, buf, len);
	else
		snprintf(buf, len, "-");
}

/* Carry each snapshot guest's state over from the last cycle. */
static int guests_merge(struct controller *c, const struct snapshot *snap)
{
	struct guest_state *next = calloc(snap->nguests ? snap->nguests : 1,
					  sizeof(*next));
	size_t j = 0;

	if (!next)
		return -ENOMEM;
	for (size_t i = 0; i < snap->nguests; i++) {
		const char *name = snap->guests[i].name;
		int cmp = 1;

		while (j < c->nguests &&
		       (cmp = strcmp(c->guests[j].name, name)) < 0)
			j++;
		if (j < c->nguests && cmp == 0) {
			next[i] = c->guests[j];
			continue;
		}
		snprintf(next[i].name, sizeof(next[i].name), "%s", name);
		next[i].target = -1;
		next[i].prev_cur = -1;
		next[i].refused_planned = -1;
	}
	free(c->guests);
	c->guests = next;
	c->nguests = snap->nguests;
	return 0;
}

static void record(struct controller *c, struct action *a, int64_t wall_ms)
{
	a->time_ms = wall_ms;
	actlog_add(c->log, a);
}

/* Refuse once per (planned value, why) so a held guest does not flood. */
static void refuse(struct controller *c, struct guest_state *gs,
		   struct action *a, const char *why, int64_t wall_ms)
{
	if (gs->refused_planned == a->planned &&
	    strcmp(gs->refused_why, why) == 0)
		return;
	gs->refused_planned = a->planned;
	snprintf(gs->refused_why, sizeof(gs->refused_why), "%s", why);
	a->result = ACT_REFUSED;
	a->new_value = a->old_value;
	snprintf(a->detail, sizeof(a->detail), "%s", why);
	record(c, a, wall_ms);
}

/* Apply the rails to a planned target; returns the safe target. */
static int64_t rails_apply(const struct control_rails *r, const double *row,
			   int64_t planned, bool emergency, char *detail,
			   size_t len)
{
	double cur = row[GF_BALLOON_CUR], max = row[GF_BALLOON_MAX];
	double min = field_present(row[GF_BALLOON_MIN]) ? row[GF_BALLOON_MIN]
							: 0;
	double unused = row[GF_MEM_UNUSED];
	double t = (double)planned;

	detail[0] = '\0';
	if (field_present(max) && t > max) {
		t = max;
		snprintf(detail, len, "capped at the maximum");
	}
	if (t < min) {
		t = min;
		snprintf(detail, len, "raised to the guaranteed minimum");
	}
	if (!emergency && field_present(unused) && t < cur) {
		double floor = ceil((cur - unused) *
				    (1 + r->used_margin_pct / 100.0));

		if (t < floor) {
			t = floor < cur ? floor : cur;
			snprintf(detail, len,
				 "raised to what the guest uses (+%d%%)",
				 r->used_margin_pct);
		}
	}
	if (field_present(max)) {
		double down = max * r->max_shrink_pct / 100.0;
		double up = max * r->max_grow_pct / 100.0;

		if (t < cur - down) {
			t = cur - down;
			snprintf(detail, len, "shrink step limited to %d%%",
				 r->max_shrink_pct);
		} else if (t > cur + up) {
			t = cur + up;
			snprintf(detail, len, "grow step limited to %d%%",
				 r->max_grow_pct);
		}
	}
	return (int64_t)t;
}

static void balloon_one(struct controller *c, struct guest_state *gs,
			const struct snap_entity *g, const struct plan_guest *pg,
			bool emergency, bool dry_run, int64_t wall_ms)
{
	const struct plan_value *pv = &pg->ctl[GC_BALLOON_TARGET];
	const double *row = g->values + (g->len - 1) * GUEST_FIELD_COUNT;
	double cur = row[GF_BALLOON_CUR], age = row[GF_STATS_AGE];
	struct action a = {0};
	char msg[200];
	int64_t t;
	int rc;

	if (!pv->set || g->len == 0)
		return;
	snprintf(a.subject, sizeof(a.subject), "guest:%s", g->name);
	snprintf(a.control, sizeof(a.control), "balloon_target");
	a.planned = pv->value;
	a.old_value = field_present(cur) ? (int64_t)cur : -1;
	reason_text(pv, a.reason, sizeof(a.reason));

	if (!field_present(cur))
		{
		refuse(c, gs, &a, "no balloon size reported", wall_ms);
		return;
	}
	if (!field_present(row[GF_MEM_UNUSED]) &&
	    !field_present(row[GF_MEM_USABLE]))
		{
		refuse(c, gs, &a,
			      "no balloon statistics (no balloon driver?)",
			      wall_ms);
		return;
	}
	if (c->rails.stale_ms && field_present(age) &&
	    age * 1000 > c->rails.stale_ms)
		{
		refuse(c, gs, &a, "balloon statistics are stale",
			      wall_ms);
		return;
	}

	/* Not following: the same target, and the size does not move. */
	if (gs->target >= 0 && (int64_t)cur != gs->target &&
	    (int64_t)cur == gs->prev_cur) {
		if (++gs->stuck_cycles >= c->rails.stuck_cycles && !gs->stuck) {
			gs->stuck = true;
			a.new_value = gs->target;
			refuse(c, gs, &a,
			       "guest does not follow its balloon target",
			       wall_ms);
		}
	} else {
		gs->stuck_cycles = 0;
		gs->stuck = false;
	}
	gs->prev_cur = (int64_t)cur;

	t = rails_apply(&c->rails, row, pv->value, emergency, a.detail,
			sizeof(a.detail));
	if (t == (int64_t)cur) {
		if (a.detail[0])
			refuse(c, gs, &a, a.detail, wall_ms);
		return;
	}
	if (gs->stuck && t == gs->target)
		return;
	a.new_value = t;
	gs->refused_planned = -1;
	if (dry_run) {
		a.result = ACT_DRY_RUN;
	} else {
		rc = c->balloon->set(c->balloon->ctx, g->name, (uint64_t)t,
				     msg, sizeof(msg));
		a.result = rc < 0 ? ACT_FAILED : ACT_APPLIED;
		if (rc < 0)
			snprintf(a.detail, sizeof(a.detail), "%s", msg);
	}
	if (a.result != ACT_FAILED)
		gs->target = t;
	record(c, &a, wall_ms);
}

static void ksm_one(struct controller *c, enum ksm_knob k,
		    const struct plan_value *pv, bool dry_run, int64_t wall_ms)
{
	struct action a = {0};
	char msg[200];
	int64_t cur, shared;
	int rc;

	if (!pv->set)
		return;
	snprintf(a.subject, sizeof(a.subject), "host");
	snprintf(a.control, sizeof(a.control), "ksm_%s", ksm_knob_names[k]);
	a.planned = a.new_value = pv->value;
	reason_text(pv, a.reason, sizeof(a.reason));
	if (c->ksm->get(c->ksm->ctx, k, &cur, msg, sizeof(msg)) < 0) {
		a.old_value = -1;
		cur = -1;
	} else {
		a.old_value = cur;
	}
	if (cur == pv->value)
		return;
	/* A value refused lately is not retried every cycle. */
	if (c->ksm_refused_value[k] == pv->value &&
	    c->cycle - c->ksm_refused_cycle[k] < KSM_RETRY_CYCLES)
		return;
	if (pv->value < 0 || pv->value > ksm_max[k]) {
		a.result = ACT_REFUSED;
		snprintf(a.detail, sizeof(a.detail), "out of range [0, %" PRId64 "]",
			 ksm_max[k]);
	} else if (k == KSM_MERGE_ACROSS_NODES &&
		   (c->ksm->get(c->ksm->ctx, KSM_PAGES_SHARED, &shared, msg,
				sizeof(msg)) < 0 ||
		    shared > 0)) {
		/* The kernel refuses a mode change while pages are shared. */
		a.result = ACT_REFUSED;
		snprintf(a.detail, sizeof(a.detail),
			 "pages are shared: unmerge (run=2) first");
	} else if (dry_run) {
		a.result = ACT_DRY_RUN;
	} else {
		rc = c->ksm->set(c->ksm->ctx, k, pv->value, msg, sizeof(msg));
		a.result = rc < 0 ? ACT_FAILED : ACT_APPLIED;
		if (rc < 0)
			snprintf(a.detail, sizeof(a.detail), "%s", msg);
	}
	if (a.result == ACT_REFUSED || a.result == ACT_FAILED) {
		c->ksm_refused_value[k] = pv->value;
		c->ksm_refused_cycle[k] = c->cycle;
		a.new_value = a.old_value;
	}
	record(c, &a, wall_ms);
}

void controller_apply(struct controller *c, const struct plan *plan,
		      const struct snapshot *snap, bool dry_run,
		      int64_t wall_ms)
{
	bool emergency = plan->signal[PS_EMERGENCY].set &&
			 plan->signal[PS_EMERGENCY].value != 0;

	c->cycle++;
	if (guests_merge(c, snap) < 0)
		return;
	for (size_t i = 0; i < snap->nguests && i < plan->nguests; i++)
		balloon_one(c, &c->guests[i], &snap->guests[i],
			    &plan->guests[i], emergency, dry_run, wall_ms);
	for (size_t i = 0; i < sizeof(ksm_order) / sizeof(ksm_order[0]); i++) {
		enum ksm_knob k = ksm_order[i];

		ksm_one(c, k, &plan->host[ksm_control_of[k]], dry_run, wall_ms);
	}
}

json_t *controller_guests_json(const struct controller *c)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < c->nguests; i++) {
		const struct guest_state *gs = &c->guests[i];

		json_object_set_new(
			o, gs->name,
			json_pack("{s:I, s:b}", "target", (json_int_t)gs->target,
				  "following", !gs->stuck));
	}
	return o;
}

int64_t controller_target(const struct controller *c, const char *guest)
{
	for (size_t i = 0; i < c->nguests; i++)
		if (strcmp(c->guests[i].name, guest) == 0)
			return c->guests[i].target;
	return -1;
}
