/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_ksm.c: the KSM controller (see control_ksm.h), and its entry in
 * the controller registry, which opens the configured KSM backend (sysfs,
 * or libvirt's node memory parameters).
 *
 * DESIGN.  The state is per knob: the last value decided and how it ended
 * (refused, failed, dry run), so that a refusal is recorded once while it
 * holds and a failed write is retried only after KSM_RETRY_CYCLES.
 */
#include "control_ksm.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"

#define KSM_RETRY_CYCLES 10

/* KSM knobs in the order they are written: the mode first (see README). */
static const enum ksm_knob ksm_order[] = {
    KSM_MERGE_ACROSS_NODES, KSM_RUN, KSM_PAGES_TO_SCAN, KSM_SLEEP_MILLISECS};
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

enum ksm_outcome { KSM_NONE, KSM_WAS_REFUSED, KSM_WAS_FAILED, KSM_WAS_DRY };

struct ksm_state {
	enum ksm_outcome last; /* of the last value decided */
	int64_t value;	       /* that value */
	uint64_t cycle;	       /* when it was decided */
	char why[256];	       /* the refusal recorded */
};

struct ksm_controller {
	const struct ksm_backend *ksm;
	struct actlog *log;
	uint64_t cycle;
	struct ksm_state ksm_state[KSM_KNOB_COUNT];
};

struct ksm_controller *ksm_controller_new(const struct ksm_backend *ksm,
					  struct actlog *log)
{
	struct ksm_controller *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->ksm = ksm;
	c->log = log;
	return c;
}

void ksm_controller_free(struct ksm_controller *c)
{
	free(c);
}

/*
 * A KSM refusal is recorded once per value and reason; the state remembers
 * it so that the next cycles stay quiet.
 */
static void ksm_refuse(struct ksm_controller *c, enum ksm_knob k,
		       struct action *a, const char *why, int64_t wall_ms)
{
	struct ksm_state *st = &c->ksm_state[k];

	if (st->last == KSM_WAS_REFUSED && st->value == a->planned &&
	    strcmp(st->why, why) == 0)
		return;
	st->last = KSM_WAS_REFUSED;
	st->value = a->planned;
	st->cycle = c->cycle;
	snprintf(st->why, sizeof(st->why), "%s", why);
	a->result = ACT_REFUSED;
	a->new_value = a->old_value;
	snprintf(a->detail, sizeof(a->detail), "%s", why);
	ctl_record(c->log, a, wall_ms);
}

/* Why a KSM value must not be written now, or NULL. */
static const char *ksm_check(struct ksm_controller *c, enum ksm_knob k,
			     int64_t value, bool merge_held, char *buf,
			     size_t len)
{
	char msg[200];
	int64_t shared;

	if (value < 0 || value > ksm_max[k]) {
		snprintf(buf, len, "out of range [0, %" PRId64 "]", ksm_max[k]);
		return buf;
	}
	if (k == KSM_MERGE_ACROSS_NODES) {
		if (c->ksm->get(c->ksm->ctx, KSM_PAGES_SHARED, &shared, msg,
				sizeof(msg)) < 0) {
			snprintf(buf, len, "pages_shared unknown: %s", msg);
			return buf;
		}
		/* The kernel refuses a mode change while pages are shared. */
		if (shared > 0)
			return "pages are shared: unmerge (run=2) first";
	}
	if (k == KSM_RUN && value == 1 && merge_held)
		return "held: merge_across_nodes is not switched yet";
	return NULL;
}

/*
 * Decide and write one knob.  Returns true when the knob holds the planned
 * value afterwards (or would, in a dry run).
 */
static bool ksm_one(struct ksm_controller *c, enum ksm_knob k,
		    const struct plan_value *pv, bool merge_held, bool dry_run,
		    int64_t wall_ms)
{
	struct ksm_state *st = &c->ksm_state[k];
	struct action a = {0};
	char msg[200], buf[256];
	const char *why;
	int64_t cur;
	int rc;

	snprintf(a.subject, sizeof(a.subject), "host");
	snprintf(a.control, sizeof(a.control), "ksm_%s", ksm_knob_names[k]);
	a.planned = a.new_value = pv->value;
	ctl_reason_text(pv, a.reason, sizeof(a.reason));
	if (c->ksm->get(c->ksm->ctx, k, &cur, msg, sizeof(msg)) < 0)
		cur = -1;
	a.old_value = cur;
	if (cur == pv->value) {
		st->last = KSM_NONE;
		return true;
	}
	why = ksm_check(c, k, pv->value, merge_held, buf, sizeof(buf));
	if (why) {
		ksm_refuse(c, k, &a, why, wall_ms);
		return false;
	}
	/* A write the host refused is not retried every cycle. */
	if (st->last == KSM_WAS_FAILED && st->value == pv->value &&
	    c->cycle - st->cycle < KSM_RETRY_CYCLES)
		return false;
	if (dry_run) {
		/* Recorded once while the same value stays wanted. */
		if (st->last == KSM_WAS_DRY && st->value == pv->value)
			return true;
		st->last = KSM_WAS_DRY;
		st->value = pv->value;
		st->cycle = c->cycle;
		a.result = ACT_DRY_RUN;
		ctl_record(c->log, &a, wall_ms);
		return true;
	}
	rc = c->ksm->set(c->ksm->ctx, k, pv->value, msg, sizeof(msg));
	if (rc < 0) {
		a.result = ACT_FAILED;
		a.new_value = a.old_value;
		snprintf(a.detail, sizeof(a.detail), "%s", msg);
		*st = (struct ksm_state){.last = KSM_WAS_FAILED,
					 .value = pv->value,
					 .cycle = c->cycle};
	} else {
		a.result = ACT_APPLIED;
		st->last = KSM_NONE;
	}
	ctl_record(c->log, &a, wall_ms);
	return rc == 0;
}

/*
 * The KSM knobs, mode first: merge_across_nodes can only change while no
 * page is shared, and starting ksmd (run=1) before the mode is switched
 * would merge pages in the wrong mode and make the switch fail with EBUSY.
 * So while a planned mode change is not done, run=1 is held back too.
 */
void ksm_controller_apply(struct ksm_controller *c, const struct plan *plan,
			  bool dry_run, int64_t wall_ms)
{
	bool merge_held = false;

	c->cycle++;

	for (size_t i = 0; i < sizeof(ksm_order) / sizeof(ksm_order[0]); i++) {
		enum ksm_knob k = ksm_order[i];
		const struct plan_value *pv = &plan->host[ksm_control_of[k]];
		bool done;

		if (!pv->set)
			continue;
		done = ksm_one(c, k, pv, merge_held, dry_run, wall_ms);
		if (k == KSM_MERGE_ACROSS_NODES && !done)
			merge_held = true;
	}
}

/* ---- registry entry: the controller with the backend it owns ---- */

struct ksm_unit {
	struct ksm_backend be;
	struct ksm_controller *c;
};

static void ksm_unit_destroy(void *self)
{
	struct ksm_unit *u = self;

	if (!u)
		return;
	ksm_controller_free(u->c);
	ksm_backend_release(&u->be);
	free(u);
}

static int ksm_unit_create(const struct ctl_env *env, void **self, char *err,
			   size_t len)
{
	const struct conf *cf = env->conf;
	struct ksm_unit *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	if (strcmp(cf->ksm_backend, "libvirt") == 0)
		rc = host_libvirt_ksm(cf->libvirt_uri, cf->ksm_dir, &u->be, err,
				      len);
	else
		rc = host_sysfs_ksm(cf->ksm_dir, &u->be, err, len);
	if (rc < 0) {
		free(u);
		return rc;
	}
	u->c = ksm_controller_new(&u->be, env->log);
	if (!u->c) {
		ksm_unit_destroy(u);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*self = u;
	return 0;
}

static void ksm_unit_apply(void *self, const struct plan *plan,
			   const struct snapshot *snap, bool dry_run,
			   int64_t wall_ms, int64_t mono_ms)
{
	struct ksm_unit *u = self;

	(void)snap;
	(void)mono_ms; /* nothing here outlasts a cycle */
	ksm_controller_apply(u->c, plan, dry_run, wall_ms);
}

static const char *ksm_unit_backend(const void *self)
{
	return ((const struct ksm_unit *)self)->be.name;
}

const struct ctl_ops ctl_ksm_ops = {
    .name = "ksm",
    .create = ksm_unit_create,
    .apply = ksm_unit_apply,
    .backend = ksm_unit_backend,
    .destroy = ksm_unit_destroy,
};
