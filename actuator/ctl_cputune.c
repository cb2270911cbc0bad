/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_cputune.c: the CpuTune controller and its rail (see ctl_cputune.h),
 * and its registry entry, which opens the libvirt scheduler backend.
 *
 * DESIGN.  Per-guest memory (refusal recorded, dry-run pair recorded,
 * failed pair and when) lives in an array in the snapshot's guest order,
 * rebuilt each cycle by a merge on the names (both sorted), so guests that
 * went away are forgotten; one whose UUID changed under its name (a new
 * domain) starts afresh, as in the balloon controller.  The rail works in
 * integers (128-bit for the scaling: quota x period reaches 1.8e22), so that
 * what the unit test checks is exactly what is written.
 */
#include "ctl_cputune.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "field.h"

/* A failed write of the same pair is retried after this many cycles. */
#define CPUTUNE_RETRY_CYCLES 3

typedef unsigned __int128 u128;

static int64_t clamp_period(int64_t p)
{
	return p < CPUTUNE_PERIOD_MIN	? CPUTUNE_PERIOD_MIN
	       : p > CPUTUNE_PERIOD_MAX ? CPUTUNE_PERIOD_MAX
					: p;
}

int cputune_rail(int64_t *quota, int64_t *period, char *detail, size_t len)
{
	int64_t q = *quota, p = *period, np = clamp_period(*period);
	u128 nq;

	detail[0] = '\0';
	if (p <= 0) {
		snprintf(detail, len, "vcpu_period %" PRId64 " is not positive",
			 p);
		return -EINVAL;
	}
	if (q == 0 || q < -1) {
		snprintf(detail, len,
			 "vcpu_quota %" PRId64 " is neither -1 (unlimited) nor "
			 "positive",
			 q);
		return -EINVAL;
	}
	if (q == -1) {
		if (np != p)
			snprintf(detail, len,
				 "vcpu_period %" PRId64
				 " outside libvirt's [1000, 1000000]: clamped "
				 "to %" PRId64,
				 p, np);
		*period = np;
		return 0;
	}
	nq = (u128)q * (u128)np / (u128)p;
	if (np != p)
		snprintf(detail, len,
			 "vcpu_period %" PRId64
			 " outside libvirt's [1000, 1000000]: clamped to "
			 "%" PRId64 ", vcpu_quota scaled from %" PRId64
			 " to %" PRIu64 " (the same bandwidth)",
			 p, np, q,
			 (uint64_t)(nq > UINT64_MAX ? UINT64_MAX : nq));
	if (nq > (u128)CPUTUNE_QUOTA_MAX) {
		snprintf(detail, len,
			 "vcpu_quota %" PRId64 " per %" PRId64
			 " us is beyond libvirt's largest quota at any period",
			 q, p);
		return -EINVAL;
	}
	if (nq < (u128)CPUTUNE_QUOTA_MIN) {
		/* The period that holds the bandwidth with a quota of 1000. */
		u128 need =
		    ((u128)CPUTUNE_QUOTA_MIN * (u128)p + (u128)q - 1) / (u128)q;

		if (need <= (u128)CPUTUNE_PERIOD_MAX) {
			np = (int64_t)need;
			nq = (u128)q * (u128)np / (u128)p;
			snprintf(detail, len,
				 "vcpu_quota under libvirt's 1000: period "
				 "lengthened to %" PRId64 ", quota %" PRIu64
				 " (the same bandwidth)",
				 np, (uint64_t)nq);
		} else {
			np = CPUTUNE_PERIOD_MAX;
			nq = CPUTUNE_QUOTA_MIN;
			snprintf(detail, len,
				 "bandwidth %" PRId64 "/%" PRId64
				 " is under libvirt's least (1000/1000000): "
				 "raised to it",
				 q, p);
		}
	}
	*quota = (int64_t)nq;
	*period = np;
	return 0;
}

struct tune_state {
	char *name;		 /* owned */
	char uuid[CTL_UUID_LEN]; /* from the snapshot; "" when unknown */
	uint64_t refused;	 /* hash of the refusal recorded, 0 none */
	int64_t dry_q, dry_p;	 /* pair recorded as dry run, dry_p 0 none */
	int64_t fail_q, fail_p;	 /* pair whose write failed, fail_p 0 none */
	uint64_t fail_cycle;
};

struct cputune {
	const struct sched_backend *sched;
	struct actlog *log;
	struct tune_state *guests;
	size_t nguests;
	uint64_t cycle;
};

struct cputune *cputune_new(const struct sched_backend *sched,
			    struct actlog *log)
{
	struct cputune *c = calloc(1, sizeof(*c));

	if (c) {
		c->sched = sched;
		c->log = log;
	}
	return c;
}

void cputune_free(struct cputune *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nguests; i++)
		free(c->guests[i].name);
	free(c->guests);
	free(c);
}

/* The state of each snapshot guest, carried over by name (both lists are
   sorted) unless the UUID says it is another domain under the same name
   (it starts afresh: the old one's failed write or refusal is not its);
   -ENOMEM keeps the old state. */
static int states_merge(struct cputune *c, const struct snapshot *snap)
{
	size_t n = snap->nguests, j = 0;
	struct tune_state *next = calloc(n ? n : 1, sizeof(*next));
	bool *kept = calloc(c->nguests ? c->nguests : 1, sizeof(*kept));
	bool *made = calloc(n ? n : 1, sizeof(*made));

	if (!next || !kept || !made)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const char *name = snap->guests[i].name;
		const char *uuid = snap->guests[i].uuid;
		size_t k;

		while (j < c->nguests && strcmp(c->guests[j].name, name) < 0)
			j++;
		/* Two domains may share a name for a while (one destroyed,
		   another made under its name): each finds its own state
		   among the states of that name. */
		for (k = j;
		     k < c->nguests && strcmp(c->guests[k].name, name) == 0 &&
		     (kept[k] || !ctl_same_domain(c->guests[k].uuid, uuid));
		     k++)
			;
		if (k < c->nguests && strcmp(c->guests[k].name, name) == 0) {
			next[i] = c->guests[k];
			kept[k] = true;
		} else if ((next[i].name = strdup(name))) {
			made[i] = true;
		} else {
			goto oom;
		}
		snprintf(next[i].uuid, sizeof(next[i].uuid), "%s",
			 uuid ? uuid : "");
	}
	for (j = 0; j < c->nguests; j++)
		if (!kept[j])
			free(c->guests[j].name);
	free(c->guests);
	free(kept);
	free(made);
	c->guests = next;
	c->nguests = n;
	return 0;
oom:
	for (size_t i = 0; next && made && i < n; i++)
		if (made[i])
			free(next[i].name);
	free(next);
	free(kept);
	free(made);
	return -ENOMEM;
}

/* A quota as compared: every "unlimited" is -1, including the largest
   quota, which is what libvirt reports for cgroup v2's "max" (and the
   older, larger maximum an earlier libvirt reported). */
static int64_t quota_norm(int64_t q)
{
	return q < 0 || q >= CPUTUNE_QUOTA_MAX ? -1 : q;
}

/* A current value from a sample, or false when absent or not an integer
   libvirt could have reported. */
static bool current_of(double v, int64_t *out)
{
	if (!field_present(v) || v < -1 || v > 0x1p63)
		return false;
	*out = v >= 0x1p63 ? INT64_MAX : (int64_t)v;
	return true;
}

static void action_init(struct action *a, const char *guest, const char *ctl,
			const struct plan_value *pv, int64_t old,
			int64_t planned)
{
	*a = (struct action){.old_value = old, .planned = planned};
	snprintf(a->subject, sizeof(a->subject), "guest:%s", guest);
	snprintf(a->control, sizeof(a->control), "%s", ctl);
	ctl_reason_text(pv, a->reason, sizeof(a->reason));
}

/* Record a refusal once while the same reason holds. */
static void tune_refuse(struct cputune *c, struct tune_state *st,
			struct action *a, const char *why, int64_t wall_ms)
{
	uint64_t h = ctl_text_hash(why);

	if (st->refused == h)
		return;
	st->refused = h;
	a->result = ACT_REFUSED;
	a->new_value = a->old_value;
	snprintf(a->detail, sizeof(a->detail), "%s", why);
	ctl_record(c->log, a, wall_ms);
}

/* Both actions of one write (or would-be write), with one result. */
static void tune_record(struct cputune *c, struct action *aq, struct action *ap,
			enum act_result r, const char *detail, int64_t wall_ms)
{
	aq->result = ap->result = r;
	snprintf(aq->detail, sizeof(aq->detail), "%s", detail);
	snprintf(ap->detail, sizeof(ap->detail), "%s", detail);
	ctl_record(c->log, aq, wall_ms);
	ctl_record(c->log, ap, wall_ms);
}

/* The pair planned for a guest with the current values filling in what
   the plan leaves unset: false (and a refusal) when a value is neither
   planned nor known. */
static bool tune_inputs(struct cputune *c, struct tune_state *st,
			const double *row, const struct plan_guest *pg,
			struct action *aq, struct action *ap, int64_t wall_ms)
{
	const struct plan_value *pq = &pg->ctl[GC_VCPU_QUOTA];
	const struct plan_value *pp = &pg->ctl[GC_VCPU_PERIOD];
	int64_t cq = 0, cp = 0;
	bool hq = current_of(row[GF_VCPU_QUOTA], &cq);
	bool hp = current_of(row[GF_VCPU_PERIOD], &cp);

	if (hq)
		cq = quota_norm(cq);
	aq->old_value = cq;
	ap->old_value = cp;
	aq->planned = aq->new_value = pq->set ? pq->value : cq;
	ap->planned = ap->new_value = pp->set ? pp->value : cp;
	if (!pq->set && !hq) {
		tune_refuse(c, st, aq,
			    "vcpu_quota neither planned nor reported: nothing "
			    "written",
			    wall_ms);
		return false;
	}
	if (!pp->set && !hp) {
		tune_refuse(c, st, ap,
			    "vcpu_period neither planned nor reported: nothing "
			    "written",
			    wall_ms);
		return false;
	}
	return true;
}

static void tune_one(struct cputune *c, struct tune_state *st,
		     const struct snap_entity *g, const struct plan_guest *pg,
		     bool dry_run, int64_t wall_ms)
{
	const struct plan_value *pq = &pg->ctl[GC_VCPU_QUOTA];
	const struct plan_value *pp = &pg->ctl[GC_VCPU_PERIOD];
	const double *row;
	struct action aq, ap;
	char detail[256], msg[200] = "";
	int64_t q, p, cq, cp;
	bool same;
	int rc;

	if (pg->error || (!pq->set && !pp->set) || g->len == 0)
		return;
	row = g->values + (g->len - 1) * GUEST_FIELD_COUNT;
	action_init(&aq, g->name, "vcpu_quota", pq, 0, 0);
	action_init(&ap, g->name, "vcpu_period", pp, 0, 0);
	if (!tune_inputs(c, st, row, pg, &aq, &ap, wall_ms))
		return;
	q = aq.new_value;
	p = ap.new_value;
	rc = cputune_rail(&q, &p, detail, sizeof(detail));
	if (rc < 0) {
		tune_refuse(c, st, pq->set ? &aq : &ap, detail, wall_ms);
		return;
	}
	aq.new_value = q;
	ap.new_value = p;
	/* A planned quota of libvirt's largest is written as no quota (cgroup
	   v2's "max") and read back as unlimited: the same. */
	same = current_of(row[GF_VCPU_QUOTA], &cq) &&
	       current_of(row[GF_VCPU_PERIOD], &cp) &&
	       quota_norm(cq) == quota_norm(q) && cp == p;
	if (same) {
		/* A clamp that leaves the guest as it is: said once. */
		if (detail[0])
			tune_refuse(c, st, &aq, detail, wall_ms);
		else
			st->refused = 0;
		st->dry_p = 0;
		return;
	}
	if (st->fail_p && st->fail_q == q && st->fail_p == p &&
	    c->cycle - st->fail_cycle < CPUTUNE_RETRY_CYCLES)
		return;
	if (dry_run) {
		/* Nothing moves in a dry run: recorded once per pair. */
		st->refused = 0;
		if (st->dry_p == p && st->dry_q == q)
			return;
		st->dry_q = q;
		st->dry_p = p;
		tune_record(c, &aq, &ap, ACT_DRY_RUN, detail, wall_ms);
		return;
	}
	st->dry_p = 0;
	rc = c->sched->set(c->sched->ctx, g->name, g->uuid ? g->uuid : "", q,
			   (uint64_t)p, msg, sizeof(msg));
	if (rc == -EPERM) {
		/* The guest may not be changed now (not running, migrating,
		   in a snapshot...): a refusal, said once while it holds, and
		   no failure to wait out, so the values go in the first cycle
		   the guest may be changed again (as balloons). */
		tune_refuse(c, st, &aq, msg, wall_ms);
		return;
	}
	if (rc < 0) {
		st->fail_q = q;
		st->fail_p = p;
		st->fail_cycle = c->cycle;
	} else {
		st->fail_p = 0;
	}
	if (rc == -EINVAL) {
		/* libvirt refused the values: a refusal, said once. */
		tune_refuse(c, st, &aq, msg, wall_ms);
		return;
	}
	st->refused = 0;
	if (rc < 0)
		tune_record(c, &aq, &ap, ACT_FAILED, msg, wall_ms);
	else
		tune_record(c, &aq, &ap, ACT_APPLIED, detail, wall_ms);
}

void cputune_apply(struct cputune *c, const struct plan *plan,
		   const struct snapshot *snap, bool dry_run, int64_t wall_ms)
{
	c->cycle++;
	if (states_merge(c, snap) < 0)
		return;
	for (size_t i = 0; i < snap->nguests && i < plan->nguests; i++) {
		/* The plan lists the snapshot's guests in order. */
		if (!plan->guests[i].name ||
		    strcmp(plan->guests[i].name, snap->guests[i].name) != 0)
			continue;
		tune_one(c, &c->guests[i], &snap->guests[i], &plan->guests[i],
			 dry_run, wall_ms);
	}
}

/* ---- registry entry: the controller with the backend it owns ---- */

struct cputune_unit {
	struct sched_backend be;
	struct cputune *c;
};

static void cputune_unit_destroy(void *self)
{
	struct cputune_unit *u = self;

	if (!u)
		return;
	cputune_free(u->c);
	sched_backend_release(&u->be);
	free(u);
}

static int cputune_unit_create(const struct ctl_env *env, void **self,
			       char *err, size_t len)
{
	struct cputune_unit *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = host_libvirt_sched(env->conf->libvirt_uri, &u->be, err, len);
	if (rc < 0) {
		free(u);
		return rc;
	}
	u->c = cputune_new(&u->be, env->log);
	if (!u->c) {
		cputune_unit_destroy(u);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*self = u;
	return 0;
}

static void cputune_unit_apply(void *self, const struct plan *plan,
			       const struct snapshot *snap, bool dry_run,
			       int64_t wall_ms, int64_t mono_ms)
{
	(void)mono_ms; /* nothing here outlasts a cycle */
	cputune_apply(((struct cputune_unit *)self)->c, plan, snap, dry_run,
		      wall_ms);
}

static const char *cputune_unit_backend(const void *self)
{
	return ((const struct cputune_unit *)self)->be.name;
}

const struct ctl_ops ctl_cputune_ops = {
    .name = "cputune",
    .create = cputune_unit_create,
    .apply = cputune_unit_apply,
    .backend = cputune_unit_backend,
    .destroy = cputune_unit_destroy,
};
