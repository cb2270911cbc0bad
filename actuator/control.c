/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.c: balloon and KSM controllers with their safety rails.
 *
 * Per-guest memory (last target, movement, refusals, failures) lives in an
 * array sorted by name; snapshots list guests in name order too, so each
 * cycle merges the two in one pass and guests that went away are forgotten.
 *
 * DESIGN.  The rails themselves are pure functions in balloon_rails.c; this
 * file decides when to apply them and what to remember.
 *
 * Nothing is retried in a hot loop.  A refusal (rail, range, merge guard) is
 * recorded once until its reason or value changes; a failed write of the
 * same value is retried only after some cycles; a guest that does not follow
 * its target is reported once and not pushed further the same way until its
 * balloon moves again.
 */
#include "control.h"

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "balloon_rails.h"
#include "conf.h"
#include "control_ksm.h"
#include "ctl_util.h"
#include "field.h"
#include "log.h"
#include "oomrail.h"

/* A failed write of the same value is retried after this many cycles. */
#define BALLOON_RETRY_CYCLES 3

struct guest_state {
	char *name;	  /* owned */
	char uuid[37];	  /* from the snapshot; "" when unknown */
	int64_t target;	  /* last target applied, -1 none */
	bool pending;	  /* target applied and not reached yet */
	int64_t prev_cur; /* balloon size seen last cycle, -1 none */
	int still_cycles; /* cycles pending without movement */
	bool stuck;	  /* reported as not following */
	int64_t failed;	  /* target whose set failed, -1 none */
	uint64_t failed_cycle;
	uint64_t refused;   /* hash of the last refusal recorded, 0 none */
	int64_t dry_target; /* last dry-run target recorded, -1 none */
	struct oom_rail oom;
	int64_t away_ms; /* when it left the snapshots (in c->away), rail_ms */
};

struct controller {
	struct control_rails rails;
	const struct balloon_backend *balloon;
	struct ksm_controller *ksm; /* NULL: balloons only */
	struct actlog *log;
	struct guest_state *guests; /* the last snapshot's, in its order */
	size_t nguests;
	/* Guests that left the snapshots: their samples late or stale for a
	   cycle or more (a slow libvirt under the same pressure that makes a
	   guest's kernel kill).  Their state, the OOM rail's cool-down above
	   all, is kept for when they return, until rails.forget_ms. */
	struct guest_state *away;
	size_t naway;
	uint64_t cycle;
	uint64_t oom_events; /* harm events seen by the OOM rail */
	/* The OOM rail's and the away list's clock: monotonic, reading as the
	   wall clock did at the first cycle (a wall step ends no cool-down). */
	int64_t rail_ms, rail_offset;
	bool rail_clock;
};

void controller_set_rails(struct controller *c,
			  const struct control_rails *rails)
{
	c->rails = *rails;
	if (c->rails.stuck_cycles < 1)
		c->rails.stuck_cycles = 1;
}

struct controller *controller_new(const struct control_rails *rails,
				  const struct balloon_backend *balloon,
				  const struct ksm_backend *ksm,
				  struct actlog *log)
{
	struct controller *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->rails = *rails;
	if (c->rails.stuck_cycles < 1)
		c->rails.stuck_cycles = 1;
	c->balloon = balloon;
	c->log = log;
	if (ksm && !(c->ksm = ksm_controller_new(ksm, log))) {
		free(c);
		return NULL;
	}
	return c;
}

void controller_free(struct controller *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->nguests; i++)
		free(c->guests[i].name);
	free(c->guests);
	for (size_t i = 0; i < c->naway; i++)
		free(c->away[i].name);
	free(c->away);
	ksm_controller_free(c->ksm);
	free(c);
}

static void guest_state_init(struct guest_state *gs, char *name)
{
	*gs = (struct guest_state){.name = name,
				   .target = -1,
				   .prev_cur = -1,
				   .failed = -1,
				   .dry_target = -1};
}

/* The away state of the guest named name with this UUID, or -1. */
static ptrdiff_t away_find(const struct controller *c, const bool *taken,
			   const char *name, const char *uuid)
{
	for (size_t k = 0; k < c->naway; k++) {
		const struct guest_state *a = &c->away[k];

		if (!taken[k] && strcmp(a->name, name) == 0 &&
		    ctl_same_domain(a->uuid, uuid))
			return (ptrdiff_t)k;
	}
	return -1;
}

/* Whether state that left the snapshots at away_ms is still kept. */
static bool away_kept(const struct controller *c, const struct guest_state *a)
{
	return c->rail_ms - a->away_ms < c->rails.forget_ms ||
	       oom_rail_holds(&a->oom, c->rail_ms);
}

/*
 * Carry each snapshot guest's state over from the last cycle, or back
 * from the away list; state of guests no longer in the snapshot moves to
 * the away list, which forgets what away_kept() no longer keeps.  On
 * allocation failure the old state is kept and -ENOMEM returned.
 */
static int guests_merge(struct controller *c, const struct snapshot *snap)
{
	size_t n = snap->nguests, j = 0, naway = 0;
	struct guest_state *next = calloc(n ? n : 1, sizeof(*next));
	struct guest_state *away =
	    calloc(c->naway + c->nguests + 1, sizeof(*away));
	bool *fresh = calloc(n ? n : 1, sizeof(*fresh));
	bool *kept = calloc(c->nguests ? c->nguests : 1, sizeof(*kept));
	bool *taken = calloc(c->naway ? c->naway : 1, sizeof(*taken));
	int rc = -ENOMEM;

	if (!next || !away || !fresh || !kept || !taken)
		goto out;
	for (size_t i = 0; i < n; i++) {
		const char *name = snap->guests[i].name;
		const char *uuid =
		    snap->guests[i].uuid ? snap->guests[i].uuid : "";
		ptrdiff_t k;
		int cmp = 1;

		while (j < c->nguests &&
		       (cmp = strcmp(c->guests[j].name, name)) < 0)
			j++;
		if (j < c->nguests && cmp == 0 && !kept[j] &&
		    ctl_same_domain(c->guests[j].uuid, uuid)) {
			next[i] = c->guests[j];
			kept[j] = true;
		} else if ((k = away_find(c, taken, name, uuid)) >= 0) {
			next[i] = c->away[k];
			taken[k] = true;
		} else {
			guest_state_init(&next[i], strdup(name));
			fresh[i] = true;
			if (!next[i].name)
				goto out;
		}
		snprintf(next[i].uuid, sizeof(next[i].uuid), "%s", uuid);
	}
	/* Nothing can fail from here on. */
	for (size_t k = 0; k < c->naway; k++) {
		if (taken[k])
			continue;
		if (away_kept(c, &c->away[k]))
			away[naway++] = c->away[k];
		else
			free(c->away[k].name);
	}
	for (j = 0; j < c->nguests; j++) {
		if (kept[j])
			continue;
		c->guests[j].away_ms = c->rail_ms;
		away[naway++] = c->guests[j];
	}
	free(c->guests);
	free(c->away);
	c->guests = next;
	c->nguests = n;
	c->away = away;
	c->naway = naway;
	next = away = NULL;
	rc = 0;
out:
	/* On failure, free only the names this call allocated. */
	for (size_t i = 0; next && fresh && i < n; i++)
		if (fresh[i])
			free(next[i].name);
	free(next);
	free(away);
	free(fresh);
	free(kept);
	free(taken);
	return rc;
}

/*
 * Record a refusal of a balloon change, once while the same reason holds:
 * a guest held by a rail is reported, not logged every cycle.
 */
static void balloon_refuse(struct controller *c, struct guest_state *gs,
			   struct action *a, const char *why, int64_t wall_ms)
{
	/* A hash, not a copy: this is kept for every guest. */
	uint64_t h = ctl_text_hash(why);
	char text[sizeof(a->detail)];

	if (gs->refused == h)
		return;
	gs->refused = h;
	/* why may be a->detail itself: copy through text. */
	snprintf(text, sizeof(text), "%s", why);
	a->result = ACT_REFUSED;
	a->new_value = a->old_value;
	memcpy(a->detail, text, sizeof(text));
	ctl_record(c->log, a, wall_ms);
}

/*
 * Whether the balloon rose away from the target pending (by more than a
 * page since the last cycle), so that libvirt no longer holds it: the
 * guest was restarted (same name and UUID, back at its configured size)
 * or another client set a larger target.  Not a balloon that rose on its
 * own: with autodeflate the guest's kernel deflates it before an OOM
 * kill, and sending the target again would make the guest inflate it
 * once more; such a rise counts only when it reached the maximum, where
 * a restart puts the guest.  A fall below the target pending is not
 * taken as leaving it: a stop sent while the balloon shrank is overtaken
 * (the sample older than the call) and the balloon comes back up to it.
 */
static bool balloon_left_target(const struct guest_state *gs, const double *row,
				int64_t cur)
{
	int64_t max = balloon_kib_or_none(row[GF_BALLOON_MAX]);
	int64_t was;

	if (!gs->pending || gs->prev_cur < 0 || cur <= gs->target)
		return false;
	was = gs->target > gs->prev_cur ? gs->target - gs->prev_cur
					: gs->prev_cur - gs->target;
	if (cur - gs->target - was < BALLOON_PAGE_KIB)
		return false;
	return row[GF_BALLOON_AUTODEFLATE] == 0 ||
	       (max > 0 && balloon_same_size(cur, max));
}

/*
 * Follow the balloon of a guest that has a target pending: forget the
 * target when the balloon reached it or left it, report it once when it
 * stays put for stuck_cycles cycles, clear that when it moves.
 */
static void balloon_observe(struct controller *c, struct guest_state *gs,
			    const struct snap_entity *g, const double *row,
			    int64_t cur, int64_t wall_ms)
{
	struct action a = {0};

	if (balloon_left_target(gs, row, cur)) {
		log_info("guest %s: balloon at %" PRId64
			 " KiB rose away from its pending target %" PRId64
			 " KiB (restarted, or set by another client): the "
			 "target is no longer taken as held",
			 g->name, cur, gs->target);
		gs->pending = false;
		gs->stuck = false;
		gs->still_cycles = 0;
	} else if (gs->pending && balloon_same_size(cur, gs->target)) {
		gs->pending = false;
		gs->stuck = false;
		gs->still_cycles = 0;
	} else if (gs->pending && cur != gs->prev_cur) {
		gs->still_cycles = 0;
		gs->stuck = false;
	} else if (gs->pending && ++gs->still_cycles >= c->rails.stuck_cycles &&
		   !gs->stuck) {
		gs->stuck = true;
		snprintf(a.subject, sizeof(a.subject), "guest:%s", g->name);
		snprintf(a.control, sizeof(a.control), "balloon_target");
		snprintf(a.reason, sizeof(a.reason), "-");
		a.old_value = a.new_value = cur;
		a.planned = gs->target;
		a.result = ACT_REFUSED;
		snprintf(a.detail, sizeof(a.detail),
			 "guest does not follow its balloon target (%" PRId64
			 " KiB for %d cycles): not pushed again",
			 gs->target, gs->still_cycles);
		ctl_record(c->log, &a, wall_ms);
	}
	gs->prev_cur = cur;
}

/* Set one balloon (or pretend to), record the outcome.  True when the
   host took the target. */
static bool balloon_set(struct controller *c, struct guest_state *gs,
			struct action *a, bool dry_run, int64_t wall_ms)
{
	char msg[200] = "";
	int rc;

	/* In a dry run nothing moves, so the policy decides the same again
	   every cycle: record a dry-run target once while it stays. */
	if (dry_run) {
		gs->refused = 0;
		if (gs->dry_target == a->new_value)
			return false;
		gs->dry_target = a->new_value;
		a->result = ACT_DRY_RUN;
		ctl_record(c->log, a, wall_ms);
		return false;
	}
	gs->dry_target = -1;
	rc = c->balloon->set(c->balloon->ctx, gs->name, gs->uuid,
			     (uint64_t)a->new_value, msg, sizeof(msg));
	if (rc == -EPERM) {
		/* The host says this guest may not be ballooned now (paused,
		   no balloon device, disabled by vdsm): a refusal, recorded
		   once while it holds, not a failure to retry. */
		balloon_refuse(c, gs, a, msg, wall_ms);
		return false;
	}
	gs->refused = 0;
	if (rc < 0) {
		a->result = ACT_FAILED;
		snprintf(a->detail, sizeof(a->detail), "%s%s",
			 rc == -ENOENT ? "guest is gone: " : "", msg);
		gs->failed = a->new_value;
		gs->failed_cycle = c->cycle;
	} else {
		a->result = ACT_APPLIED;
		gs->target = a->new_value;
		gs->pending = true;
		gs->still_cycles = 0;
		gs->stuck = false;
		gs->failed = -1;
	}
	ctl_record(c->log, a, wall_ms);
	return rc >= 0;
}

/* The OOM rail's action on a guest of cur KiB, planned to `to`. */
static void oom_action(struct action *a, const struct snap_entity *g,
		       int64_t cur, int64_t to)
{
	snprintf(a->subject, sizeof(a->subject), "guest:%s", g->name);
	snprintf(a->control, sizeof(a->control), "balloon_target");
	snprintf(a->reason, sizeof(a->reason), "oom_rail");
	a->planned = to;
	a->old_value = cur;
}

/* Grow a guest to a->new_value for the OOM rail, past the grow step and
   whatever the plan says; the host taking it pays the grow-back owed. */
static void oom_grow(struct controller *c, struct guest_state *gs,
		     struct action *a, double oom_kill, bool dry_run,
		     int64_t wall_ms)
{
	gs->stuck = false; /* growing is always pushed */
	if (balloon_set(c, gs, a, dry_run, wall_ms))
		oom_rail_applied(&gs->oom, oom_kill, a->old_value, a->new_value,
				 c->rail_ms);
}

/*
 * A grow-back the host did not take (the set failed: a libvirt error, a
 * job timeout; or was refused: the guest paused at that moment) is sent
 * again, every cycle while the cool-down runs, before the plan.  Not every
 * third cycle like another failed target: until it is taken the guest
 * stays at the size where its kernel killed, the hold refusing the plan's
 * shrinks but the plan's grows limited to a step, and the cool-down bounds
 * the calls.  True when sent.  A dry run sends nothing and leaves it owed:
 * sent when the dry run ends, if the cool-down still runs.
 */
static bool oom_regrow(struct controller *c, struct guest_state *gs,
		       const struct snap_entity *g, double oom_kill,
		       int64_t cur, int64_t max, bool dry_run, int64_t wall_ms)
{
	struct action a = {0};
	int64_t to;

	if (dry_run || !oom_rail_owed(&gs->oom, cur, c->rail_ms, &to))
		return false;
	if (max > 0 && to > max)
		to = max;
	if (cur >= to || balloon_same_size(cur, to))
		return false;
	oom_action(&a, g, cur, to);
	snprintf(a.detail, sizeof(a.detail),
		 "OOM rail: the grow-back to %" PRId64
		 " KiB not taken yet: sent again",
		 to);
	a.new_value = to;
	oom_grow(c, gs, &a, oom_kill, dry_run, wall_ms);
	return true;
}

/*
 * The OOM rail (oomrail.h): on a harm event, count it, log it with the
 * shrink that preceded it, and grow the guest back at once, past the grow
 * step and whatever the plan says; without one, send a grow-back still
 * owed.  True when the rail acted (the plan waits for the next cycle).
 */
static bool oom_harm(struct controller *c, struct guest_state *gs,
		     const struct snap_entity *g, const double *row,
		     bool dry_run, int64_t wall_ms)
{
	struct action a = {0};
	int64_t cur = balloon_kib_or_none(row[GF_BALLOON_CUR]);
	int64_t max = balloon_kib_or_none(row[GF_BALLOON_MAX]);
	int64_t to;

	if (!oom_rail_check(&gs->oom, row[GF_OOM_KILL],
			    max > 0 ? max : INT64_MAX, c->rails.oom_cooldown_ms,
			    c->rail_ms, &to, a.detail, sizeof(a.detail)))
		return oom_regrow(c, gs, g, row[GF_OOM_KILL], cur, max, dry_run,
				  wall_ms);
	c->oom_events++;
	log_warn("guest %s: %s", g->name, a.detail);
	oom_action(&a, g, cur, to);
	if (cur < 0 || max <= 0 || to <= cur) {
		/* Already as big (someone else grew it), or no size known:
		   the event is recorded and the cool-down holds. */
		size_t n = strlen(a.detail);

		snprintf(a.detail + n, sizeof(a.detail) - n, "%s",
			 cur < 0 || max <= 0 ? "; no balloon size to grow"
					     : "; already that big");
		a.result = ACT_REFUSED;
		a.new_value = a.old_value;
		ctl_record(c->log, &a, wall_ms);
		return true;
	}
	a.new_value = to;
	oom_grow(c, gs, &a, row[GF_OOM_KILL], dry_run, wall_ms);
	return true;
}

static void balloon_one(struct controller *c, struct guest_state *gs,
			const struct snap_entity *g,
			const struct plan_guest *pg, bool emergency,
			bool dry_run, int64_t wall_ms)
{
	const struct plan_value *pv = &pg->ctl[GC_BALLOON_TARGET];
	const double *row;
	struct balloon_in in;
	struct action a = {0};
	const char *why;
	int64_t t;

	if (g->len == 0)
		return;
	row = g->values + (g->len - 1) * GUEST_FIELD_COUNT;
	if (balloon_kib_plausible(row[GF_BALLOON_CUR]))
		balloon_observe(c, gs, g, row, (int64_t)row[GF_BALLOON_CUR],
				wall_ms);
	if (oom_harm(c, gs, g, row, dry_run, wall_ms) || !pv->set)
		return;
	snprintf(a.subject, sizeof(a.subject), "guest:%s", g->name);
	snprintf(a.control, sizeof(a.control), "balloon_target");
	a.planned = pv->value;
	a.old_value = balloon_kib_or_none(row[GF_BALLOON_CUR]);
	ctl_reason_text(pv, a.reason, sizeof(a.reason));

	why = balloon_input(&c->rails, row, &in);
	if (why) {
		balloon_refuse(c, gs, &a, why, wall_ms);
		return;
	}
	/* A target pending above the size is a grow in motion: QEMU reports
	   the old size for a second or more. */
	in.heading = gs->pending && gs->target > in.cur ? gs->target : in.cur;
	t = balloon_rails_apply(&c->rails, &in, pv->value, emergency, a.detail,
				sizeof(a.detail));
	/* The balloon heads for the target pending, not for the size it
	   reports: with one pending, a target equal to the size is sent, and
	   stops the move.  The used floor gives one when the guest's use
	   rose while a shrink was in motion; not sent, QEMU would go on to
	   the older, lower target, below what the guest uses. */
	if (!gs->pending && balloon_same_size(t, in.cur)) {
		if (a.detail[0])
			balloon_refuse(c, gs, &a, a.detail, wall_ms);
		else
			gs->refused = 0;
		return;
	}
	/* While the rail holds, a target below the grow still in motion is
	   a shrink too, though above the size QEMU reports yet (the balloon
	   lags the grow by a second or more): a policy that still reads the
	   old size must not take back the grow-back it has not seen. */
	if (t < in.heading && oom_rail_holds(&gs->oom, c->rail_ms)) {
		/* A grow past the grow-back that the grow rail cut below it
		   is no shrink: the grow-back stands, nothing is refused. */
		if (pv->value >= in.heading)
			return;
		oom_rail_hold_text(&gs->oom, a.detail, sizeof(a.detail));
		balloon_refuse(c, gs, &a, a.detail, wall_ms);
		return;
	}
	/* libvirt keeps the target: the same one is not pushed again. */
	if (gs->pending && balloon_same_size(t, gs->target))
		return;
	/* Not following: push only the other way (deflating is safe). */
	if (gs->stuck && (t < in.cur) == (gs->target < in.cur))
		return;
	if (gs->failed == t &&
	    c->cycle - gs->failed_cycle < BALLOON_RETRY_CYCLES)
		return;
	a.new_value = t;
	if (balloon_set(c, gs, &a, dry_run, wall_ms))
		oom_rail_applied(&gs->oom, row[GF_OOM_KILL], in.cur, t,
				 c->rail_ms);
}

void controller_apply(struct controller *c, const struct plan *plan,
		      const struct snapshot *snap, bool dry_run,
		      int64_t wall_ms, int64_t mono_ms)
{
	bool emergency = plan->signal[PS_EMERGENCY].set &&
			 plan->signal[PS_EMERGENCY].value != 0;

	if (!c->rail_clock) {
		c->rail_offset = wall_ms - mono_ms;
		c->rail_clock = true;
	}
	c->rail_ms = mono_ms + c->rail_offset;
	c->cycle++;
	if (guests_merge(c, snap) == 0) {
		for (size_t i = 0; i < snap->nguests && i < plan->nguests;
		     i++) {
			/* The plan lists the snapshot's guests in order. */
			if (!plan->guests[i].name ||
			    strcmp(plan->guests[i].name,
				   snap->guests[i].name) != 0)
				continue;
			balloon_one(c, &c->guests[i], &snap->guests[i],
				    &plan->guests[i], emergency, dry_run,
				    wall_ms);
		}
	}
	if (c->ksm)
		ksm_controller_apply(c->ksm, plan, dry_run, wall_ms);
}

json_t *controller_guests_json(const struct controller *c)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < c->nguests; i++) {
		const struct guest_state *gs = &c->guests[i];

		json_object_set_new(o, gs->name,
				    json_pack("{s:I, s:b}", "target",
					      (json_int_t)gs->target,
					      "following", !gs->stuck));
	}
	return o;
}

int controller_targets(const struct controller *c, struct control_target **out,
		       size_t *n)
{
	struct control_target *t = NULL;

	*out = NULL;
	*n = 0;
	if (c->nguests && !(t = calloc(c->nguests, sizeof(*t))))
		return -ENOMEM;
	for (size_t i = 0; i < c->nguests; i++) {
		const struct guest_state *gs = &c->guests[i];

		t[i] = (struct control_target){.name = strdup(gs->name),
					       .target = gs->target,
					       .following = !gs->stuck};
		if (!t[i].name) {
			control_targets_free(t, i);
			return -ENOMEM;
		}
	}
	*out = t;
	*n = c->nguests;
	return 0;
}

void control_targets_free(struct control_target *t, size_t n)
{
	for (size_t i = 0; t && i < n; i++)
		free(t[i].name);
	free(t);
}

uint64_t controller_oom_events(const struct controller *c)
{
	return c ? c->oom_events : 0;
}

int64_t controller_target(const struct controller *c, const char *guest)
{
	for (size_t i = 0; i < c->nguests; i++)
		if (strcmp(c->guests[i].name, guest) == 0)
			return c->guests[i].target;
	return -1;
}

/* ---- registry entry: balloons, with the libvirt backend they own ---- */

struct balloon_unit {
	struct balloon_backend be;
	struct controller *c;
};

static void balloon_unit_destroy(void *self)
{
	struct balloon_unit *u = self;

	if (!u)
		return;
	controller_free(u->c);
	balloon_backend_release(&u->be);
	free(u);
}

static int balloon_unit_create(const struct ctl_env *env, void **self,
			       char *err, size_t len)
{
	struct balloon_unit *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = host_libvirt_balloon(env->conf->libvirt_uri, &u->be, err, len);
	if (rc < 0) {
		free(u);
		return rc;
	}
	/* KSM is a controller of its own (control_ksm.c). */
	u->c = controller_new(env->rails, &u->be, NULL, env->log);
	if (!u->c) {
		balloon_unit_destroy(u);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*self = u;
	return 0;
}

static void balloon_unit_apply(void *self, const struct plan *plan,
			       const struct snapshot *snap, bool dry_run,
			       int64_t wall_ms, int64_t mono_ms)
{
	controller_apply(((struct balloon_unit *)self)->c, plan, snap, dry_run,
			 wall_ms, mono_ms);
}

static void balloon_unit_rails(void *self, const struct control_rails *rails)
{
	controller_set_rails(((struct balloon_unit *)self)->c, rails);
}

static const char *balloon_unit_backend(const void *self)
{
	return ((const struct balloon_unit *)self)->be.name;
}

const struct controller *ctl_balloon_controller(const void *self)
{
	return self ? ((const struct balloon_unit *)self)->c : NULL;
}

const struct ctl_ops ctl_balloon_ops = {
    .name = "balloon",
    .create = balloon_unit_create,
    .apply = balloon_unit_apply,
    .set_rails = balloon_unit_rails,
    .backend = balloon_unit_backend,
    .destroy = balloon_unit_destroy,
};
