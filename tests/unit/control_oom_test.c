/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_oom_test.c: the OOM rail (oomrail.h) as the balloon controller
 * (control.c) applies it: a rise of oom_kill after a shrink grows the guest
 * back at once and holds its shrinks for the cool-down, across the guest's
 * absence, wall clock steps, a balloon in motion, retries, emergencies and
 * dry run.  The rail's own bookkeeping is tested in oomrail_test.c; the fake
 * backends are control_world.c's.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "control_world.h"
#include "log.h"
#include "testing.h"

/* ---- the OOM rail (oomrail.h) ---- */

static const struct control_rails oom_rails = {
    .max_shrink_pct = 10,
    .max_grow_pct = 10,
    .used_margin_pct = 5,
    .stale_ms = 30000,
    .stuck_cycles = 3,
    .oom_cooldown_ms = 60000,
};

/* A guest of 4,000,000 KiB shrunk to 3,600,000 with oom_kill 2; the
   balloon follows. */
static struct guest *oom_shrunk(struct world *w)
{
	struct guest *g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);

	g->row[GF_OOM_KILL] = 2;
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	g->row[GF_BALLOON_CUR] = 3600000;
	g->row[GF_MEM_UNUSED] = 2600000;
	return g;
}

/* The OOM rail with a 600 s cool-down; away state kept 60 s. */
static const struct control_rails oom_rails_long = {
    .max_shrink_pct = 10,
    .max_grow_pct = 10,
    .used_margin_pct = 5,
    .stale_ms = 30000,
    .stuck_cycles = 3,
    .oom_cooldown_ms = 600000,
    .forget_ms = 60000,
};

/* oom_shrunk() under oom_rails_long, then a kill: grown back to 4,000,000
   KiB (the balloon follows), the cool-down running. */
static struct world *oom_killed(struct guest **g)
{
	struct world *w = cw_world_new(&oom_rails_long);

	*g = oom_shrunk(w);
	(*g)->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	(*g)->row[GF_BALLOON_CUR] = 4000000;
	(*g)->row[GF_MEM_UNUSED] = 3000000;
	return w;
}

/* oom_kill rises after a shrink: counted, logged with the shrink, grown
   back at once to the size before it (past the 10 % grow step and the
   policy's own target), and not shrunk during the cool-down. */
static void test_oom_rail_grows_back(void)
{
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cw_cycle(w, false); /* the policy still wants 3,600,000: reached */
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: no event while oom_kill holds");
	g->row[GF_OOM_KILL] = 3;
	cw_plan_target(w, "g", 3000000);
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail: the rise after the shrink is one harm event");
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "oom rail: the guest is set again in the same cycle");
	T_EQ_INT(last, 4000000,
		 "oom rail: grown back to the size before the shrink, past "
		 "the grow step");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? cw_jstr(a, "result") : NULL, "applied",
		 "oom rail: the grow is an applied action");
	T_EQ_STR(a ? cw_jstr(a, "reason") : NULL, "oom_rail",
		 "oom rail: its reason names the rail");
	T_OK(a && strstr(cw_jstr(a, "detail"), "from 2 to 3") &&
		 strstr(cw_jstr(a, "detail"), "from 4000000 to 3600000 KiB"),
	     "oom rail: the detail has the rise and the shrink before it "
	     "(%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	/* The balloon follows; the policy keeps asking for a shrink. */
	g->row[GF_BALLOON_CUR] = 4000000;
	g->row[GF_MEM_UNUSED] = 3000000;
	for (int i = 0; i < 4; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "oom rail: no shrink during the cool-down");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strcmp(cw_jstr(a, "result"), "refused") == 0 &&
		 strstr(cw_jstr(a, "detail"), "held by the OOM rail"),
	     "oom rail: the shrink is refused by the rail (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "oom rail: the hold is recorded once");
	/* A grow stays allowed during the cool-down... */
	g->row[GF_BALLOON_CUR] = 3900000;
	cw_plan_target(w, "g", 4000000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 3,
		 "oom rail: a grow is applied during the cool-down");
	/* ...and after it (60 s = 6 cycles of 10 s), shrinking resumes. */
	g->row[GF_BALLOON_CUR] = 4000000;
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 4,
		 "oom rail: shrinking resumes after the cool-down");
	T_EQ_INT(last, 3600000, "oom rail: the policy's shrink after it");
	T_EQ_INT(controller_oom_events(w->ctl), 1, "oom rail: still one event");
	cw_world_free(w);
}

/* A guest that leaves the snapshots for a few cycles (its samples late or
   stale) comes back with its state: the OOM rail's cool-down still holds
   its shrinks, and an armed rail still sees a kill.  State away longer
   than forget_ms and out of any cool-down is forgotten; a new domain under
   the same name (another UUID) starts afresh. */
static void test_oom_rail_survives_absence(void)
{
	struct control_rails rails = oom_rails_long;
	struct world *w;
	struct guest *g;
	json_t *arr, *a;

	w = oom_killed(&g);
	T_EQ_INT(controller_oom_events(w->ctl), 1, "absence: the event");
	w->ng = 0; /* 3 cycles (30 s) without the guest */
	for (int i = 0; i < 3; i++)
		cw_cycle(w, false);
	w->ng = 1;
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "absence: back within the cool-down, its shrink is held");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "held by the OOM rail"),
	     "absence: ... by the OOM rail (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	cw_world_free(w);

	/* An armed rail (a shrink, no kill yet) survives an absence too. */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	cw_cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "absence: a kill after the return is blamed on the shrink");
	cw_world_free(w);

	/* Away past forget_ms with no cool-down running: forgotten. */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	for (int i = 0; i < 7; i++) /* 70 s > 60 s */
		cw_cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "absence: state away past forget_ms is forgotten");
	cw_world_free(w);

	/* Another domain under the same name: its own state. */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	g->uuid = "00000000-0000-0000-0000-000000000001";
	cw_cycle(w, false);
	w->ng = 0;
	cw_cycle(w, false);
	w->ng = 1;
	g->uuid = "00000000-0000-0000-0000-000000000002";
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "absence: a new domain under the name is not the old one");
	cw_world_free(w);

	/* ... also when it replaces the old one between two cycles. */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	g->uuid = "00000000-0000-0000-0000-000000000001";
	cw_cycle(w, false);
	g->uuid = "00000000-0000-0000-0000-000000000002";
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "a new domain under the name in the next cycle starts afresh");
	cw_world_free(w);
}

/* The wall clock stepped forward (NTP) past the cool-down right after a
   kill: the cool-down ran on it, ended at once, and the policy's shrink
   was applied 20 s after the kill.  It runs on the monotonic clock now,
   and so does forget_ms of a guest that left the snapshots. */
static void test_oom_rail_wall_clock_step(void)
{
	struct control_rails rails = oom_rails_long;
	struct world *w;
	struct guest *g;
	json_t *arr, *a;

	w = oom_killed(&g);
	cw_plan_target(w, "g", 3600000);
	w->now_ms += 11 * 60 * 1000;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "wall step: no shrink 10 s after the kill");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "held by the OOM rail"),
	     "wall step: ... held by the OOM rail (%s)",
	     a ? cw_jstr(a, "detail") : "");
	T_EQ_INT(a ? cw_jint(a, "time_ms") : 0, w->now_ms,
		 "wall step: the action is dated by the wall clock");
	json_decref(arr);
	cw_world_free(w);

	/* An armed rail away for two cycles, the wall clock stepped past
	   forget_ms meanwhile: still armed when it returns. */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	cw_cycle(w, false);
	w->now_ms += 10 * 60 * 1000;
	cw_cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "wall step: an armed rail away for 20 s is kept");
	cw_world_free(w);
}

/* Right after the grow-back the balloon still reports the shrunk size: a
   policy target between that size and the grow (a "raise" from what it
   reads) would take the grow back, and the rail refuses it as a shrink. */
static void test_oom_rail_holds_grow_in_motion(void)
{
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "oom rail, grow in motion: grown back");
	T_EQ_INT(last, 4000000, "oom rail, grow in motion: to 4,000,000");
	/* QEMU has not moved yet; the policy asks for a little more than
	   the size it reads. */
	cw_plan_target(w, "g", 3700000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "oom rail, grow in motion: a target below the grow is not "
		 "pushed");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strcmp(cw_jstr(a, "result"), "refused") == 0 &&
		 strstr(cw_jstr(a, "detail"), "held by the OOM rail"),
	     "oom rail, grow in motion: refused by the rail (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	/* A target above the grow is still a grow. */
	cw_plan_target(w, "g", 4000000 + 200000);
	g->row[GF_BALLOON_MAX] = 4400000;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 3,
		 "oom rail, grow in motion: a larger target is applied");
	cw_world_free(w);
}

/* A grow the grow rail cuts below the grow-back still in motion is not a
   shrink: the grow-back stands and nothing is refused (it was once
   recorded as "held by the OOM rail"). */
static void test_oom_rail_grow_cut_is_no_hold(void)
{
	struct control_rails rails = oom_rails;
	struct world *w;
	struct guest *g;
	int64_t last;

	rails.max_grow_pct = 5; /* 200,000 KiB a cycle of 4,000,000 */
	w = cw_world_new(&rails);
	g = oom_shrunk(w);
	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "grow cut by the grow rail: grown back first");
	T_EQ_INT(last, 4000000, "grow cut by the grow rail: to 4,000,000");
	/* QEMU still reports 3,600,000; the policy wants more than the
	   grow-back, which the grow rail cuts to 3,800,000. */
	g->row[GF_BALLOON_MAX] = 4400000;
	cw_plan_target(w, "g", 4400000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "grow cut by the grow rail: the grow-back is not taken back");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "grow cut by the grow rail: no refusal recorded");
	cw_world_free(w);
}

/* A grow-back the host does not take (a libvirt error, a job timeout; a
   refusal: the guest paused at that moment) is sent again every cycle of
   the cool-down until it is taken, whatever the plan says.  It was lost:
   the hold then refused every shrink, and the guest stayed where its
   kernel killed for the whole cool-down. */
static void test_oom_rail_grow_back_retried(void)
{
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cw_plan_target(w, "g", 3000000); /* the policy still shrinks */
	w->fb.broken = "g";
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1, "failed grow-back: event");
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "failed grow-back: tried in the cycle of the event");
	T_EQ_INT(last, 4000000, "failed grow-back: to 4,000,000");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "failed"), 1,
		 "failed grow-back: recorded as failed");
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 3,
		 "failed grow-back: sent again in the next cycle, not the "
		 "third");
	T_EQ_INT(last, 4000000, "failed grow-back: the same size");
	w->fb.broken = NULL;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 4,
		 "failed grow-back: sent again until taken");
	T_EQ_INT(last, 4000000, "failed grow-back: taken at 4,000,000");
	T_EQ_INT(controller_target(w->ctl, "g"), 4000000,
		 "failed grow-back: the target applied");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? cw_jstr(a, "reason") : NULL, "oom_rail",
		 "failed grow-back: the retry's reason names the rail");
	T_OK(a && strstr(cw_jstr(a, "detail"), "not taken"),
	     "failed grow-back: its detail says why (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	/* Taken and in motion: not sent again, the shrink held. */
	for (int i = 0; i < 2; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 4,
		 "failed grow-back: taken, not sent again");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "held by the OOM rail"),
	     "failed grow-back: the shrink is held (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	cw_world_free(w);

	/* Refused by the host (paused), with no plan for the guest: asked
	   again each cycle, the refusal recorded once, grown when allowed. */
	w = cw_world_new(&oom_rails);
	g = oom_shrunk(w);
	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cw_plan_clear_targets(w);
	w->fb.held = "g";
	for (int i = 0; i < 3; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 4,
		 "refused grow-back: asked in each of 3 cycles");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "refused grow-back: the refusal recorded once");
	w->fb.held = NULL;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 5,
		 "refused grow-back: sent when the host allows it");
	T_EQ_INT(last, 4000000, "refused grow-back: to 4,000,000");
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 5,
		 "refused grow-back: taken, not sent again");
	cw_world_free(w);

	/* Grown by someone else meanwhile: nothing owed any more. */
	w = cw_world_new(&oom_rails);
	g = oom_shrunk(w);
	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	w->fb.broken = "g";
	cw_cycle(w, false);
	w->fb.broken = NULL;
	g->row[GF_BALLOON_CUR] = 4000000;
	cw_cycle(w, false);
	g->row[GF_BALLOON_CUR] = 3600000; /* shrunk outside momd */
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "grow-back reached outside momd: not sent again");
	cw_world_free(w);
}

/* The rail holds whatever the policy says: also in an emergency. */
static void test_oom_rail_holds_emergency(void)
{
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);

	g->row[GF_OOM_KILL] = 5;
	cw_cycle(w, false);
	g->row[GF_BALLOON_CUR] = 4000000;
	cw_plan_emergency(w, true);
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "oom rail: an emergency does not shrink during the "
		 "cool-down");
	cw_world_free(w);
}

/* No event without a rise, without a shrink before it, with the rail
   off, or when oom_kill was absent at the shrink. */
static void test_oom_rail_no_event(void)
{
	static const struct control_rails off = {.max_shrink_pct = 10,
						 .max_grow_pct = 10,
						 .used_margin_pct = 5,
						 .stuck_cycles = 3};
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);

	/* A rise with no shrink before it (the policy grows). */
	g->row[GF_OOM_KILL] = 1;
	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 2;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: a rise without a shrink is no event");
	cw_world_free(w);

	w = cw_world_new(&off);
	g = oom_shrunk(w);
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: off with oom_cooldown_ms 0");
	cw_world_free(w);

	w = cw_world_new(&oom_rails);
	g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false); /* shrunk with no oom_kill: not armed */
	g->row[GF_BALLOON_CUR] = 3600000;
	g->row[GF_OOM_KILL] = 7;
	cw_cycle(w, false);
	g->row[GF_OOM_KILL] = 8;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: not armed by a shrink without oom_kill");
	cw_world_free(w);

	/* Grown back by the policy before the kill: disarmed. */
	w = cw_world_new(&oom_rails);
	g = oom_shrunk(w);
	cw_plan_target(w, "g", 4000000);
	cw_cycle(w, false);
	g->row[GF_BALLOON_CUR] = 4000000;
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: a guest grown back by the policy is disarmed");
	cw_world_free(w);
}

/* An event with nothing to grow (already as big: someone else grew it)
   is recorded and holds; in a dry run it is recorded, nothing moves, and
   the grow-back is sent when the dry run ends within the cool-down. */
static void test_oom_rail_nothing_to_grow(void)
{
	struct world *w = cw_world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	g->row[GF_BALLOON_CUR] = 4000000; /* grown outside momd */
	g->row[GF_OOM_KILL] = 3;
	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail: the event counts with nothing to grow");
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "oom rail: nothing set when the guest is as big already");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "already that big"),
	     "oom rail: recorded as already that big (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "oom rail: and the cool-down holds the shrink");
	cw_world_free(w);

	w = cw_world_new(&oom_rails);
	g = oom_shrunk(w);
	g->row[GF_OOM_KILL] = 3;
	cw_cycle(w, true);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail, dry run: the event counts");
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "oom rail, dry run: nothing set");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "dry-run"), 1,
		 "oom rail, dry run: the grow it would do is recorded");
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "oom rail, dry run off within the cool-down: grown back");
	T_EQ_INT(last, 4000000, "oom rail, dry run off: to 4,000,000");
	cw_world_free(w);
}

int main(void)
{
	/* Action log lines go to stderr, apart from the TAP stream. */
	log_set_level(LOG_LVL_INFO);
	test_oom_rail_grows_back();
	test_oom_rail_survives_absence();
	test_oom_rail_wall_clock_step();
	test_oom_rail_holds_grow_in_motion();
	test_oom_rail_grow_cut_is_no_hold();
	test_oom_rail_grow_back_retried();
	test_oom_rail_holds_emergency();
	test_oom_rail_no_event();
	test_oom_rail_nothing_to_grow();
	return t_done();
}
