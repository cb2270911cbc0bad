/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_test.c: the balloon controller (control.c) with its safety rails
 * (balloon_rails.c), one by one: each rail is checked against the exact
 * target it lets through, and "nothing was written" is a call count of the
 * fake backend (control_world.c).  Also: a guest that does not follow, a
 * pending target the balloon left, one guest's failure kept from the
 * others, the host refusing, the guests' state following their names.
 *
 * The OOM rail is tested in control_oom_test.c, the KSM controller, dry
 * run and the action log in control_ksm_test.c, every rail against random
 * plans in control_property_test.c.
 */
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "control_world.h"
#include "log.h"
#include "testing.h"

/*
 * Run one cycle with one guest and one planned target; check the target
 * set (want < 0: none), the newest action's result and that its detail
 * contains want_detail.
 */
static void expect_one(struct world *w, const char *what, int64_t want,
		       const char *want_result, const char *want_detail)
{
	size_t before = w->fb.ncalls;
	int64_t got = -1;
	json_t *arr, *a;

	cw_cycle(w, false);
	if (w->fb.ncalls > before)
		got = (int64_t)w->fb.calls[w->fb.ncalls - 1].kib;
	T_EQ_INT(w->fb.ncalls - before, want < 0 ? 0 : 1, what);
	T_EQ_INT(got, want, what);
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	if (want_result) {
		T_EQ_STR(a ? cw_jstr(a, "result") : NULL, want_result, what);
		T_OK(a && strstr(cw_jstr(a, "detail"), want_detail),
		     "%s: detail \"%s\" has \"%s\"", what,
		     a ? cw_jstr(a, "detail") : "", want_detail);
	} else {
		T_OK(!a, "%s: no action recorded", what);
	}
	json_decref(arr);
}

/* ---- balloon rails, one by one ---- */

/* The backend gets the guest's UUID (libvirt looks the domain up by it:
   the name may have been cut or mangled on the way), or "" without one. */
static void test_balloon_by_uuid(void)
{
	struct world *w = cw_world_new(NULL);
	struct guest *g = cw_add_guest(w, "g?", 3000000, 4000000, 0, 3000000);

	g->uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	cw_add_guest(w, "h", 3000000, 4000000, 0, 3000000);
	cw_plan_target(w, "g?", 3500000);
	cw_plan_target(w, "h", 3500000);
	cw_cycle(w, false);
	T_EQ_INT(w->fb.ncalls, 2, "two balloons set");
	for (size_t i = 0; i < 2 && i < w->fb.ncalls; i++) {
		bool is_g = strcmp(w->fb.calls[i].guest, "g?") == 0;

		T_EQ_STR(w->fb.calls[i].uuid,
			 is_g ? "6695eb01-f6a4-8304-79aa-97f2502e193f" : "",
			 is_g ? "g?: its UUID reaches the backend"
			      : "h (no UUID): \"\" reaches the backend");
	}
	cw_world_free(w);
}

static void test_rail_maximum(void)
{
	struct world *w = cw_world_new(NULL);

	/* B22: the policy's 4,095,000 is capped at max. */
	cw_add_guest(w, "g", 3900000, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 4095000);
	expect_one(w, "max: 4,095,000 capped at 4,000,000", 4000000, "applied",
		   "capped at the maximum");
	cw_world_free(w);
}

static void test_rail_minimum(void)
{
	struct world *w = cw_world_new(NULL);

	/* Above the minimum, a plan below it stops at it. */
	cw_add_guest(w, "g", 1100000, 2000000, 1000000, 1000000);
	cw_plan_target(w, "g", 500000);
	expect_one(w, "min: 500,000 raised to the guarantee 1,000,000", 1000000,
		   "applied", "guaranteed minimum");
	cw_world_free(w);

	/* Below it (B7a), the guest goes straight up to it. */
	w = cw_world_new(&(struct control_rails){.max_shrink_pct = 10,
						 .max_grow_pct = 1,
						 .used_margin_pct = 5,
						 .stale_ms = 30000,
						 .stuck_cycles = 3});
	cw_add_guest(w, "g", 900000, 2000000, 1000000, 100000);
	cw_plan_target(w, "g", 800000);
	expect_one(w, "min: a guest below its guarantee goes to it at once",
		   1000000, "applied", "guaranteed minimum");
	cw_world_free(w);

	/* A minimum above the maximum: hands off. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 1500000, 2000000, 3000000, 100000);
	cw_plan_target(w, "g", 1800000);
	expect_one(w, "min above max: refused", -1, "refused",
		   "guaranteed minimum above the maximum");
	cw_world_free(w);
}

static void test_rail_used_floor(void)
{
	struct control_rails r = cw_default_rails;
	struct world *w = cw_world_new(NULL);

	/* used 3,500,000 + 5 % = 3,675,000, above the 3,600,000 step. */
	cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "floor: 3,000,000 raised to used+5% 3,675,000", 3675000,
		   "applied", "what the guest uses (+5%)");
	cw_world_free(w);

	/* The floor comes from usable when unused is absent. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 0, -1);
	w->g[0].row[GF_MEM_USABLE] = 500000;
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "floor: from usable when unused is absent", 3675000,
		   "applied", "what the guest uses");
	cw_world_free(w);

	/* A floor above cur holds the guest where it is: refused once. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 0, 100000);
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "floor above cur: nothing set, refused", -1, "refused",
		   "what the guest uses");
	for (int i = 0; i < 10; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "floor above cur: refused once over 11 cycles, not each");
	T_EQ_INT(w->fb.ncalls, 0, "floor above cur: never set");
	cw_world_free(w);

	/* The margin is configurable: 0 % and a 20 % step. */
	r.used_margin_pct = 0;
	r.max_shrink_pct = 20;
	w = cw_world_new(&r);
	cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "floor: margin 0 gives exactly used 3,500,000", 3500000,
		   "applied", "what the guest uses (+0%)");
	cw_world_free(w);
}

/*
 * A shrink in motion is stopped when the guest's use rises.  The balloon
 * heads for the target still pending, not for the size it reports: the
 * used floor (capped at that size) gave a target equal to it, nothing was
 * sent, and QEMU went on to the older, lower target, below what the guest
 * uses.  The stop may be overtaken by the balloon too (the sample is older
 * than the call): a target below it is not sent then.
 */
static void test_rail_used_floor_in_motion(void)
{
	struct world *w = cw_world_new(NULL);
	struct guest *g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	json_t *arr, *a;
	int64_t last;

	cw_plan_target(w, "g", 3600000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 1,
		 "in motion: shrink applied");
	T_EQ_INT(last, 3600000, "in motion: to 3,600,000");
	/* On its way, the guest's use unchanged: nothing new to send. */
	g->row[GF_BALLOON_CUR] = 3900000;
	g->row[GF_MEM_UNUSED] = 2900000;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "in motion: the pending target is not sent again");
	/* At 3,800,000 the guest uses 3,700,000: floor 3,885,000, capped at
	   3,800,000, above the pending 3,600,000. */
	g->row[GF_BALLOON_CUR] = 3800000;
	g->row[GF_MEM_UNUSED] = 100000;
	cw_plan_target(w, "g", 3610000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "in motion, use rose: the shrink is stopped");
	T_OK(last >= 3800000,
	     "in motion, use rose: at the floor capped at the size (%lld)",
	     (long long)last);
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? cw_jstr(a, "result") : NULL, "applied",
		 "in motion, use rose: an applied action");
	T_OK(a && strstr(cw_jstr(a, "detail"), "what the guest uses"),
	     "in motion, use rose: the used floor named (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	/* The balloon went on a little before QEMU took the stop. */
	g->row[GF_BALLOON_CUR] = 3780000;
	g->row[GF_MEM_UNUSED] = 80000;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "overtaken stop: no lower target sent below the use");
	/* There: nothing more, however many cycles. */
	g->row[GF_BALLOON_CUR] = 3800000;
	g->row[GF_MEM_UNUSED] = 100000;
	for (int i = 0; i < 5; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "stop reached: not sent again");
	cw_world_free(w);
}

static void test_rail_emergency(void)
{
	struct control_rails r = cw_default_rails;
	struct world *w;

	r.max_shrink_pct = 20;
	w = cw_world_new(&r);
	cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	cw_plan_target(w, "g", 3400000);
	cw_plan_emergency(w, true);
	expect_one(w, "emergency: 3,400,000 below the floor, applied", 3400000,
		   "applied", "emergency: below what the guest uses");
	cw_world_free(w);

	/* The emergency still respects the step and the guarantee. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 3700000, 500000);
	cw_plan_target(w, "g", 100000);
	cw_plan_emergency(w, true);
	expect_one(w, "emergency: still at least the guarantee", 3700000,
		   "applied", "guaranteed minimum");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	cw_plan_target(w, "g", 100000);
	cw_plan_emergency(w, true);
	expect_one(w, "emergency: still one step (10% of max) per cycle",
		   3600000, "applied", "shrink step limited to 10%");
	cw_world_free(w);

	/* The signal set to 0 is no emergency. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	cw_plan_target(w, "g", 3650000);
	cw_plan_emergency(w, false);
	expect_one(w, "emergency=0: the floor holds", 3675000, "applied",
		   "what the guest uses");
	cw_world_free(w);
}

static void test_rail_steps(void)
{
	struct control_rails r = cw_default_rails;
	struct world *w = cw_world_new(NULL);

	cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 2000000);
	expect_one(w, "shrink step: 2,000,000 limited to 3,600,000", 3600000,
		   "applied", "shrink step limited to 10%");
	cw_world_free(w);

	r.max_grow_pct = 25;
	w = cw_world_new(&r);
	cw_add_guest(w, "g", 2000000, 4000000, 0, 1000000);
	cw_plan_target(w, "g", 4000000);
	expect_one(w, "grow step 25%: 4,000,000 limited to 3,000,000", 3000000,
		   "applied", "grow step limited to 25%");
	cw_world_free(w);

	/* Default grow (100 % of max): B4 jumps straight to max. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 3000000, 4000000, 1000000, 500000);
	cw_plan_target(w, "g", 4000000);
	expect_one(w, "grow default 100%: straight to max (B4)", 4000000,
		   "applied", "");
	cw_world_free(w);

	/* A step that is not a whole KiB rounds toward cur. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000001, 4000001, 0, 4000000);
	cw_plan_target(w, "g", 1000);
	expect_one(w, "shrink step of 400,000.1 KiB is 400,000", 3600001,
		   "applied", "shrink step");
	cw_world_free(w);
}

static void test_rail_stale_absent(void)
{
	struct control_rails r = cw_default_rails;
	struct world *w = cw_world_new(NULL);
	struct guest *g;

	g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_STATS_AGE] = 31;
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "stale (31 s > 30 s): hands off", -1, "refused", "stale");
	g->row[GF_STATS_AGE] = 29;
	expect_one(w, "fresh again (29 s): applied", 3800000, "applied", "");
	cw_world_free(w);

	r.stale_ms = 0;
	w = cw_world_new(&r);
	g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_STATS_AGE] = 86400;
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "stale check off (0): applied", 3800000, "applied", "");
	cw_world_free(w);

	/* No balloon driver: only actual is reported. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 0, -1);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "no statistics: hands off, reported", -1, "refused",
		   "no balloon statistics");
	for (int i = 0; i < 20; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "no statistics: reported once, not every cycle");
	T_EQ_INT(w->fb.ncalls, 0, "no statistics: never set");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", FIELD_ABSENT, 4000000, 0, 100000);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "no balloon size: hands off", -1, "refused",
		   "no balloon size");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 1e30, 1e30, 0, 100000);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "absurd sizes: hands off", -1, "refused", "implausible");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 3000000, FIELD_ABSENT, 0, 100000);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "no maximum: hands off", -1, "refused", "no maximum");
	cw_world_free(w);

	/* A sample that lost its minimum on the way is not one of 0. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 3000000, 4000000, FIELD_ABSENT, 100000);
	cw_plan_target(w, "g", 2800000);
	expect_one(w, "no guaranteed minimum: hands off", -1, "refused",
		   "no guaranteed minimum");
	cw_world_free(w);
}

/*
 * Samples come from outside: values no int64 holds (or a negative unused)
 * are refused with explicit range checks, never converted (undefined
 * behaviour; on x86 1e30 became INT64_MIN, which disabled the used-memory
 * floor and the guaranteed minimum).
 */
static void test_implausible_samples(void)
{
	struct world *w = cw_world_new(NULL);
	struct guest *g;

	g = cw_add_guest(w, "g", 4000000, 4000000, 0, 500000);
	g->row[GF_MEM_UNUSED] = -1e30;
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "unused -1e30: hands off, not a disabled floor", -1,
		   "refused", "implausible");
	g->row[GF_MEM_UNUSED] = -1;
	expect_one(w, "unused -1: hands off too", -1, "refused", "implausible");
	cw_world_free(w);

	w = cw_world_new(NULL);
	g = cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_MEM_UNUSED] = FIELD_ABSENT;
	g->row[GF_MEM_USABLE] = 1e300;
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "usable 1e300: hands off", -1, "refused", "implausible");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 4000000, 4000000, 1e30, 3000000);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "guaranteed minimum 1e30: hands off, not ignored", -1,
		   "refused", "implausible");
	cw_world_free(w);

	w = cw_world_new(NULL);
	cw_add_guest(w, "g", -1e30, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 3800000);
	expect_one(w, "balloon size -1e30: hands off", -1, "refused",
		   "no balloon size");
	cw_world_free(w);
}

static void test_changed_only(void)
{
	struct world *w = cw_world_new(NULL);

	cw_add_guest(w, "g", 3000000, 4000000, 0, 1000000);
	cw_plan_target(w, "g", 3000000);
	expect_one(w, "target equal to cur: nothing set, nothing recorded", -1,
		   NULL, NULL);
	/* QEMU sizes balloons in 4 KiB pages: closer than a page is the same
	   size, and setting it would change nothing. */
	cw_plan_target(w, "g", 3000003);
	expect_one(w, "3 KiB more (within a page): nothing set", -1, NULL,
		   NULL);
	cw_plan_target(w, "g", 3000004);
	expect_one(w, "a page more: set", 3000004, "applied", "");
	w->g[0].row[GF_BALLOON_CUR] = 3000004;
	expect_one(w, "reached: the same target is not set again", -1,
		   "applied", "");
	cw_world_free(w);

	/* Seen on real guests: a target of 386091 KiB ends at 386092.  That
	   is reached, not a guest that does not follow. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 400000, 500000, 0, 100000);
	cw_plan_target(w, "g", 386091);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "page rounding: pushed once");
	w->g[0].row[GF_BALLOON_CUR] = 386092;
	for (int i = 0; i < 10; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "page rounding: not pushed again");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "page rounding: never reported as not following");
	cw_world_free(w);
}

/* The absolute floor holds even in an emergency, and never above max. */
static void test_rail_min_size(void)
{
	struct control_rails r = cw_default_rails;
	struct world *w;

	r.min_size_kib = 131072; /* 128 MiB */
	r.max_shrink_pct = 100;
	w = cw_world_new(&r);
	cw_add_guest(w, "g", 200000, 524288, 0, 190000);
	cw_plan_emergency(w, true);
	cw_plan_target(w, "g", 90112); /* 88 MiB, where a real guest died */
	expect_one(w, "absolute floor: raised to 128 MiB in an emergency",
		   131072, "applied", "absolute minimum size");
	cw_world_free(w);

	w = cw_world_new(&r);
	cw_add_guest(w, "g", 100000, 100000, 0, 90000);
	cw_plan_target(w, "g", 50000);
	expect_one(w, "absolute floor above the maximum: the maximum wins", -1,
		   "refused", "absolute minimum size");
	cw_world_free(w);

	w = cw_world_new(&r);
	cw_add_guest(w, "g", 300000, 524288, 262144, 290000);
	cw_plan_target(w, "g", 100000);
	expect_one(w, "a guaranteed minimum above the floor wins", 262144,
		   "applied", "guaranteed minimum");
	cw_world_free(w);
}

static void test_not_following(void)
{
	json_t *gj;
	struct world *w = cw_world_new(NULL);

	cw_add_guest(w, "g", 3000000, 4000000, 0, 2000000);
	cw_plan_target(w, "g", 2800000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1, "stuck: first push");
	for (int i = 0; i < 20; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "stuck: not pushed again over 20 cycles");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "stuck: reported once");
	{
		json_t *arr,
		    *a = cw_last_action(w, "guest:g", "balloon_target", &arr);

		T_OK(a && strstr(cw_jstr(a, "detail"), "does not follow"),
		     "stuck: the report says the guest does not follow");
		T_EQ_INT(a ? cw_jint(a, "planned") : -1, 2800000,
			 "stuck: the report names the target");
		json_decref(arr);
	}
	gj = controller_guests_json(w->ctl);
	T_OK(json_is_false(
		 json_object_get(json_object_get(gj, "g"), "following")),
	     "stuck: guests JSON says following=false");
	json_decref(gj);

	/* Further the same way: still not pushed. */
	cw_plan_target(w, "g", 2700000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "stuck: a deeper shrink is not pushed either");
	/* The other way (deflate) is always allowed. */
	cw_plan_target(w, "g", 3500000);
	cw_cycle(w, false);
	{
		int64_t last;

		T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
			 "stuck: a grow is pushed");
		T_EQ_INT(last, 3500000, "stuck: grow target");
	}
	/* It moves: following again. */
	w->g[0].row[GF_BALLOON_CUR] = 3200000;
	cw_cycle(w, false);
	gj = controller_guests_json(w->ctl);
	T_OK(json_is_true(
		 json_object_get(json_object_get(gj, "g"), "following")),
	     "moving again: following=true");
	json_decref(gj);
	cw_world_free(w);

	/* A guest that follows slowly is never reported. */
	w = cw_world_new(NULL);
	cw_add_guest(w, "g", 3000000, 4000000, 0, 2000000);
	cw_plan_target(w, "g", 2700000);
	for (int i = 0; i < 6; i++) {
		cw_cycle(w, false);
		w->g[0].row[GF_BALLOON_CUR] -= 50000;
	}
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "slow but moving: not reported as stuck");
	cw_world_free(w);
}

/*
 * A target libvirt no longer holds is sent again.  The controller does not
 * resend a target pending (libvirt keeps it), but a guest restarted under
 * the same name and UUID comes back at its configured size, and another
 * client may have set a target of its own: the balloon then moves away
 * from the pending target, and the plan's target, if the same, must be
 * sent again or the guest is never shrunk (and, not moving, is soon
 * called stuck, which blocks every shrink).  A balloon that moves away on
 * its own (deflate-on-oom, autodeflate='on') is not pushed back unless it
 * reached its maximum, where a restart puts it.
 */
/*
 * A world whose guest "g" (maximum 2097152 KiB, autodeflate as given,
 * FIELD_ABSENT for unknown) was sent a target `to` from `from` and has
 * moved to `via` on its way there.
 */
static struct world *pending_move(double autodeflate, int64_t from, int64_t via,
				  int64_t to, struct guest **g)
{
	struct control_rails r = cw_default_rails;
	struct world *w;

	r.max_shrink_pct = 50;
	w = cw_world_new(&r);
	*g = cw_add_guest(w, "g", (double)from, 2097152, 0, 500000);
	(*g)->row[GF_BALLOON_AUTODEFLATE] = autodeflate;
	cw_plan_target(w, "g", to);
	cw_cycle(w, false);
	(*g)->row[GF_BALLOON_CUR] = (double)via;
	cw_cycle(w, false);
	return w;
}

static void test_pending_lost(void)
{
	struct world *w;
	struct guest *g;
	int64_t last;

	/* Restarted mid-shrink: back at the maximum. */
	w = pending_move(FIELD_ABSENT, 2000000, 1900000, 1800000, &g);
	g->row[GF_BALLOON_CUR] = 2097152;
	for (int i = 0; i < 30; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "restart mid-shrink: the target is sent again, once");
	T_EQ_INT(last, 1800000, "restart mid-shrink: the plan's target");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "restart mid-shrink: the unmoved balloon is reported once");
	cw_world_free(w);

	/* Another client grew it while our shrink was pending. */
	w = pending_move(0, 2000000, 1900000, 1800000, &g);
	g->row[GF_BALLOON_CUR] = 1950000; /* away from 1800000 */
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "moved away: the target is sent again");
	for (int i = 0; i < 5; i++) {
		g->row[GF_BALLOON_CUR] -= 20000; /* heading there again */
		cw_cycle(w, false);
	}
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "heading for it again: not sent again");
	cw_world_free(w);

	/* Autodeflate: the guest's own deflation is not fought... */
	w = pending_move(1, 2000000, 1900000, 1800000, &g);
	g->row[GF_BALLOON_CUR] = 1950000;
	for (int i = 0; i < 5; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 1,
		 "autodeflate, moved away: not pushed back");
	/* ...but back at the maximum, it was restarted. */
	g->row[GF_BALLOON_CUR] = 2097152;
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2,
		 "autodeflate, back at the maximum: sent again");
	T_EQ_INT(last, 1800000, "autodeflate restart: the plan's target");
	cw_world_free(w);

	/* A stop the shrinking balloon overtook (the sample older than the
	   call): it dips below the stop and comes back up.  Not a target
	   left: nothing is sent again, and the plan's shrink is not taken
	   below the stop while the balloon returns to it. */
	w = pending_move(0, 2000000, 1900000, 1800000, &g);
	g->row[GF_MEM_UNUSED] = 50000; /* use rose: the floor stops it */
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 2, "overtaken stop: sent");
	T_EQ_INT(last, 1900000, "overtaken stop: the size then");
	g->row[GF_BALLOON_CUR] = 1880000; /* overtook it */
	cw_plan_target(w, "g", 1890000);  /* below the stop: under the floor */
	cw_cycle(w, false);
	g->row[GF_BALLOON_CUR] = 1900000; /* back at it */
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", NULL), 2,
		 "overtaken stop: not sent again");
	cw_world_free(w);
}

static void test_isolation(void)
{
	struct world *w = cw_world_new(NULL);
	int64_t last;
	json_t *arr, *a;

	cw_add_guest(w, "a", 4000000, 4000000, 0, 3000000);
	cw_add_guest(w, "b", 4000000, 4000000, 0, 3000000);
	cw_add_guest(w, "c", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "a", 3800000);
	cw_plan_target(w, "b", 3800000);
	cw_plan_target(w, "c", 3800000);
	w->fb.gone = "b";
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "a", &last), 1, "vanished b: a set");
	T_EQ_INT(last, 3800000, "vanished b: a's target");
	T_EQ_INT(cw_fb_count(&w->fb, "c", &last), 1, "vanished b: c set");
	T_EQ_INT(last, 3800000, "vanished b: c's target");
	a = cw_last_action(w, "guest:b", "balloon_target", &arr);
	T_EQ_STR(a ? cw_jstr(a, "result") : NULL, "failed",
		 "vanished b: failed");
	T_OK(a && strstr(cw_jstr(a, "detail"), "guest is gone"),
	     "vanished b: detail says gone (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(controller_target(w->ctl, "b"), -1,
		 "vanished b: no target remembered");

	/* A libvirt error on b next: retried, but not every cycle. */
	w->fb.gone = NULL;
	w->fb.broken = "b";
	for (int i = 0; i < 9; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "b", NULL), 4,
		 "libvirt error: b retried every 3rd cycle (1+3 in 10)");
	T_EQ_INT(cw_fb_count(&w->fb, "a", NULL), 1,
		 "libvirt error on b: a untouched (already there)");
	a = cw_last_action(w, "guest:b", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "injected"),
	     "libvirt error: its message is in the action");
	json_decref(arr);
	w->fb.broken = NULL;
	for (int i = 0; i < 3; i++)
		cw_cycle(w, false);
	T_EQ_INT(controller_target(w->ctl, "b"), 3800000,
		 "libvirt error cleared: b applied");
	cw_world_free(w);
}

/* -EPERM from the backend (paused, no balloon, disabled by vdsm): one
   refusal while it holds, asked again each cycle, nothing remembered. */
static void test_host_refuses(void)
{
	struct world *w = cw_world_new(NULL);
	json_t *arr, *a;

	cw_add_guest(w, "p", 4000000, 4000000, 0, 3000000);
	cw_add_guest(w, "q", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "p", 3800000);
	cw_plan_target(w, "q", 3800000);
	w->fb.held = "p";
	for (int i = 0; i < 5; i++)
		cw_cycle(w, false);
	T_EQ_INT(cw_count_actions(w, "guest:p", "balloon_target", "refused"), 1,
		 "host refusal: recorded once over 5 cycles");
	T_EQ_INT(cw_count_actions(w, "guest:p", "balloon_target", "failed"), 0,
		 "host refusal: not a failure");
	a = cw_last_action(w, "guest:p", "balloon_target", &arr);
	T_OK(a && strstr(cw_jstr(a, "detail"), "not running"),
	     "host refusal: the host's reason is in the action (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(controller_target(w->ctl, "p"), -1,
		 "host refusal: no target remembered");
	T_EQ_INT(controller_target(w->ctl, "q"), 3800000,
		 "host refusal of p: q applied");
	w->fb.held = NULL;
	cw_cycle(w, false);
	T_EQ_INT(controller_target(w->ctl, "p"), 3800000,
		 "refusal lifted: p applied at the next cycle");
	cw_world_free(w);
}

static void test_guest_state_follows_names(void)
{
	struct world *w = cw_world_new(NULL);
	struct guest b;

	cw_add_guest(w, "b", 3000000, 4000000, 0, 2000000);
	cw_add_guest(w, "c", 3000000, 4000000, 0, 2000000);
	cw_plan_target(w, "b", 2800000);
	cw_plan_target(w, "c", 2800000);
	for (int i = 0; i < 5; i++)
		cw_cycle(w, false);
	T_EQ_INT(w->fb.ncalls, 2, "merge: b and c pushed once each");
	/* Next cycle a appears before b and c is gone: b keeps its state. */
	b = w->g[0];
	w->ng = 0;
	memset(w->pg, 0, sizeof(w->pg));
	cw_add_guest(w, "a", 3000000, 4000000, 0, 2000000);
	w->g[w->ng++] = b;
	cw_plan_target(w, "a", 2800000);
	cw_plan_target(w, "b", 2800000);
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "b", NULL), 1,
		 "merge: b, still pending, not pushed after a appeared");
	T_EQ_INT(cw_fb_count(&w->fb, "a", NULL), 1, "merge: new a pushed");
	T_EQ_INT(controller_target(w->ctl, "b"), 2800000,
		 "merge: b's target kept");
	T_EQ_INT(controller_target(w->ctl, "c"), -1, "merge: c forgotten");
	cw_world_free(w);
}

int main(void)
{
	/* Action log lines go to stderr, apart from the TAP stream. */
	log_set_level(LOG_LVL_INFO);
	test_balloon_by_uuid();
	test_rail_maximum();
	test_rail_minimum();
	test_rail_used_floor();
	test_rail_used_floor_in_motion();
	test_rail_emergency();
	test_rail_steps();
	test_rail_stale_absent();
	test_implausible_samples();
	test_changed_only();
	test_rail_min_size();
	test_not_following();
	test_pending_lost();
	test_isolation();
	test_host_refuses();
	test_guest_state_follows_names();
	return t_done();
}
