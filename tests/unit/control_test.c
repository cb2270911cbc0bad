/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_test.c: the controllers (control.c) with their safety rails, and
 * the actions they log.  The action log's ring (actlog.c) is tested in
 * actlog_test.c, the sysfs KSM backend (host_sysfs.c) in host_sysfs_test.c.
 *
 * The balloon and KSM backends are fakes defined here that record every
 * call, so each rail is checked against the exact target it lets through
 * and "nothing was written" is a call count.  A property test then
 * drives many random plans and guest states through one controller and
 * checks every applied target against the rails; its seed is printed and
 * can be replayed with CONTROL_TEST_SEED=<n>.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "actlog.h"
#include "control.h"
#include "field.h"
#include "host.h"
#include "log.h"
#include "plan.h"
#include "snapshot.h"
#include "testing.h"

/* ---- fake backends ---- */

#define MAX_CALLS 4096

struct fake_balloon {
	size_t ncalls;
	struct {
		char guest[64];
		char uuid[40];
		uint64_t kib;
	} calls[MAX_CALLS];
	const char *gone;   /* this guest answers -ENOENT */
	const char *broken; /* this guest answers -EIO */
	const char *held;   /* this guest answers -EPERM (may not balloon) */
};

static int fake_balloon_set(void *ctx, const char *guest, const char *uuid,
			    uint64_t kib, char *msg, size_t len)
{
	struct fake_balloon *f = ctx;

	if (f->ncalls < MAX_CALLS) {
		snprintf(f->calls[f->ncalls].guest,
			 sizeof(f->calls[f->ncalls].guest), "%s", guest);
		snprintf(f->calls[f->ncalls].uuid,
			 sizeof(f->calls[f->ncalls].uuid), "%s", uuid);
		f->calls[f->ncalls].kib = kib;
	}
	f->ncalls++;
	if (f->gone && strcmp(guest, f->gone) == 0) {
		snprintf(msg, len, "domain not found");
		return -ENOENT;
	}
	if (f->broken && strcmp(guest, f->broken) == 0) {
		snprintf(msg, len, "internal error: injected");
		return -EIO;
	}
	if (f->held && strcmp(guest, f->held) == 0) {
		snprintf(msg, len, "guest %s is not running", guest);
		return -EPERM;
	}
	return 0;
}

/* Calls made for one guest, and the last target set for it (or -1). */
static size_t fb_count(const struct fake_balloon *f, const char *guest,
		       int64_t *last)
{
	size_t n = 0;

	if (last)
		*last = -1;
	for (size_t i = 0; i < f->ncalls && i < MAX_CALLS; i++) {
		if (strcmp(f->calls[i].guest, guest) != 0)
			continue;
		n++;
		if (last)
			*last = (int64_t)f->calls[i].kib;
	}
	return n;
}

struct fake_ksm {
	int64_t value[KSM_KNOB_COUNT];
	int set_calls[KSM_KNOB_COUNT];
	int fail[KSM_KNOB_COUNT]; /* set answers this (negative) */
	enum ksm_knob order[64];  /* the knobs written, in order */
	size_t norder;
};

static int fake_ksm_get(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
			size_t len)
{
	struct fake_ksm *f = ctx;

	(void)msg;
	(void)len;
	*value = f->value[k];
	return 0;
}

static int fake_ksm_set(void *ctx, enum ksm_knob k, int64_t value, char *msg,
			size_t len)
{
	struct fake_ksm *f = ctx;

	f->set_calls[k]++;
	if (f->norder < sizeof(f->order) / sizeof(f->order[0]))
		f->order[f->norder++] = k;
	if (f->fail[k]) {
		snprintf(msg, len, "write %s: %s", ksm_knob_names[k],
			 strerror(-f->fail[k]));
		return f->fail[k];
	}
	f->value[k] = value;
	return 0;
}

static int ksm_total_sets(const struct fake_ksm *f)
{
	int n = 0;

	for (int k = 0; k < KSM_KNOB_COUNT; k++)
		n += f->set_calls[k];
	return n;
}

/* ---- fixtures: guests, plans, one controller ---- */

#define MAX_GUESTS 8

struct guest {
	char name[32];
	const char *uuid; /* NULL: unknown */
	double row[GUEST_FIELD_COUNT];
};

struct world {
	struct fake_balloon fb;
	struct fake_ksm fk;
	struct balloon_backend balloon;
	struct ksm_backend ksm;
	struct actlog *log;
	struct controller *ctl;
	struct guest g[MAX_GUESTS];
	size_t ng;
	struct plan plan;
	struct plan_guest pg[MAX_GUESTS];
	int64_t now_ms;	 /* the wall clock */
	int64_t mono_ms; /* the monotonic clock */
};

static const struct control_rails default_rails = {
    .max_shrink_pct = 10,
    .max_grow_pct = 100,
    .used_margin_pct = 5,
    .stale_ms = 30000,
    .stuck_cycles = 3,
};

static struct world *world_new(const struct control_rails *rails)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		abort();
	w->balloon = (struct balloon_backend){
	    .name = "fake", .ctx = &w->fb, .set = fake_balloon_set};
	w->ksm = (struct ksm_backend){.name = "fake",
				      .ctx = &w->fk,
				      .get = fake_ksm_get,
				      .set = fake_ksm_set};
	w->log = actlog_new(1000);
	w->ctl = controller_new(rails ? rails : &default_rails, &w->balloon,
				&w->ksm, w->log);
	if (!w->log || !w->ctl)
		abort();
	w->now_ms = 1700000000000;
	w->mono_ms = 86400000;
	return w;
}

static void world_free(struct world *w)
{
	controller_free(w->ctl);
	actlog_free(w->log);
	free(w);
}

/*
 * Add a guest (names must be added in sorted order, as snapshots list
 * them): sizes in KiB, unused < 0 for absent statistics; fresh statistics
 * (1 s old).
 */
static struct guest *add_guest(struct world *w, const char *name, double cur,
			       double max, double min, double unused)
{
	struct guest *g = &w->g[w->ng++];

	snprintf(g->name, sizeof(g->name), "%s", name);
	for (int f = 0; f < GUEST_FIELD_COUNT; f++)
		g->row[f] = FIELD_ABSENT;
	g->row[GF_BALLOON_CUR] = cur;
	g->row[GF_BALLOON_MAX] = max;
	g->row[GF_BALLOON_MIN] = min;
	g->row[GF_MEM_UNUSED] = unused < 0 ? FIELD_ABSENT : unused;
	g->row[GF_STATS_AGE] = 1;
	return g;
}

static struct guest *find_guest(struct world *w, const char *name)
{
	for (size_t i = 0; i < w->ng; i++)
		if (strcmp(w->g[i].name, name) == 0)
			return &w->g[i];
	return NULL;
}

/* Plan a balloon target for a guest, with a policy-like reason. */
static void plan_target(struct world *w, const char *name, int64_t kib)
{
	for (size_t i = 0; i < w->ng; i++) {
		struct plan_value *pv;

		if (strcmp(w->g[i].name, name) != 0)
			continue;
		pv = &w->pg[i].ctl[GC_BALLOON_TARGET];
		pv->set = true;
		pv->value = kib;
		pv->reason = (struct plan_reason){
		    .policy = "02-balloon",
		    .rule = "shrink",
		    .ninputs = 1,
		    .inputs = {{"cur", w->g[i].row[GF_BALLOON_CUR]}}};
		return;
	}
	abort();
}

static void plan_clear_targets(struct world *w)
{
	for (size_t i = 0; i < MAX_GUESTS; i++)
		w->pg[i].ctl[GC_BALLOON_TARGET].set = false;
}

static void plan_ksm(struct world *w, enum host_control hc, int64_t v)
{
	w->plan.host[hc] = (struct plan_value){
	    .set = true,
	    .value = v,
	    .reason = {.policy = "03-ksm", .rule = "tune", .ninputs = 0}};
}

static void plan_emergency(struct world *w, bool on)
{
	w->plan.signal[PS_EMERGENCY] =
	    (struct plan_value){.set = true, .value = on ? 1 : 0};
}

/* One controller cycle over the world's guests and plan. */
static void cycle(struct world *w, bool dry_run)
{
	struct snap_entity ents[MAX_GUESTS];
	double host_row[HOST_FIELD_COUNT];
	struct snapshot snap = {0};

	for (int f = 0; f < HOST_FIELD_COUNT; f++)
		host_row[f] = FIELD_ABSENT;
	for (size_t i = 0; i < w->ng; i++) {
		ents[i] = (struct snap_entity){.name = w->g[i].name,
					       .len = 1,
					       .values = w->g[i].row,
					       .uuid = w->g[i].uuid};
		w->pg[i].name = w->g[i].name;
	}
	snap.host =
	    (struct snap_entity){.name = "host", .len = 1, .values = host_row};
	snap.guests = ents;
	snap.nguests = w->ng;
	w->plan.guests = w->pg;
	w->plan.nguests = w->ng;
	w->now_ms += 10000;
	w->mono_ms += 10000;
	controller_apply(w->ctl, &w->plan, &snap, dry_run, w->now_ms,
			 w->mono_ms);
}

/* The newest action on subject/control, as JSON (borrowed from *arr). */
static json_t *last_action(struct world *w, const char *subject,
			   const char *control, json_t **arr)
{
	json_t *found = NULL, *a;
	size_t i;

	*arr = actlog_to_json(w->log, 1000);
	json_array_foreach(*arr, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "subject")),
			   subject) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "control")),
			   control) == 0)
			found = a;
	}
	return found;
}

/* How many actions on subject/control have the given result. */
static int count_actions(struct world *w, const char *subject,
			 const char *control, const char *result)
{
	json_t *arr = actlog_to_json(w->log, 1000), *a;
	int n = 0;
	size_t i;

	json_array_foreach(arr, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "subject")),
			   subject) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "control")),
			   control) == 0 &&
		    (!result ||
		     strcmp(json_string_value(json_object_get(a, "result")),
			    result) == 0))
			n++;
	}
	json_decref(arr);
	return n;
}

static const char *jstr(json_t *a, const char *key)
{
	const char *s = json_string_value(json_object_get(a, key));

	return s ? s : "(none)";
}

static int64_t jint(json_t *a, const char *key)
{
	json_t *v = json_object_get(a, key);

	return v ? (int64_t)json_integer_value(v) : INT64_MIN;
}

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

	cycle(w, false);
	if (w->fb.ncalls > before)
		got = (int64_t)w->fb.calls[w->fb.ncalls - 1].kib;
	T_EQ_INT(w->fb.ncalls - before, want < 0 ? 0 : 1, what);
	T_EQ_INT(got, want, what);
	a = last_action(w, "guest:g", "balloon_target", &arr);
	if (want_result) {
		T_EQ_STR(a ? jstr(a, "result") : NULL, want_result, what);
		T_OK(a && strstr(jstr(a, "detail"), want_detail),
		     "%s: detail \"%s\" has \"%s\"", what,
		     a ? jstr(a, "detail") : "", want_detail);
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
	struct world *w = world_new(NULL);
	struct guest *g = add_guest(w, "g?", 3000000, 4000000, 0, 3000000);

	g->uuid = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	add_guest(w, "h", 3000000, 4000000, 0, 3000000);
	plan_target(w, "g?", 3500000);
	plan_target(w, "h", 3500000);
	cycle(w, false);
	T_EQ_INT(w->fb.ncalls, 2, "two balloons set");
	for (size_t i = 0; i < 2 && i < w->fb.ncalls; i++) {
		bool is_g = strcmp(w->fb.calls[i].guest, "g?") == 0;

		T_EQ_STR(w->fb.calls[i].uuid,
			 is_g ? "6695eb01-f6a4-8304-79aa-97f2502e193f" : "",
			 is_g ? "g?: its UUID reaches the backend"
			      : "h (no UUID): \"\" reaches the backend");
	}
	world_free(w);
}

static void test_rail_maximum(void)
{
	struct world *w = world_new(NULL);

	/* B22: the policy's 4,095,000 is capped at max. */
	add_guest(w, "g", 3900000, 4000000, 0, 3000000);
	plan_target(w, "g", 4095000);
	expect_one(w, "max: 4,095,000 capped at 4,000,000", 4000000, "applied",
		   "capped at the maximum");
	world_free(w);
}

static void test_rail_minimum(void)
{
	struct world *w = world_new(NULL);

	/* Above the minimum, a plan below it stops at it. */
	add_guest(w, "g", 1100000, 2000000, 1000000, 1000000);
	plan_target(w, "g", 500000);
	expect_one(w, "min: 500,000 raised to the guarantee 1,000,000", 1000000,
		   "applied", "guaranteed minimum");
	world_free(w);

	/* Below it (B7a), the guest goes straight up to it. */
	w = world_new(&(struct control_rails){.max_shrink_pct = 10,
					      .max_grow_pct = 1,
					      .used_margin_pct = 5,
					      .stale_ms = 30000,
					      .stuck_cycles = 3});
	add_guest(w, "g", 900000, 2000000, 1000000, 100000);
	plan_target(w, "g", 800000);
	expect_one(w, "min: a guest below its guarantee goes to it at once",
		   1000000, "applied", "guaranteed minimum");
	world_free(w);

	/* A minimum above the maximum: hands off. */
	w = world_new(NULL);
	add_guest(w, "g", 1500000, 2000000, 3000000, 100000);
	plan_target(w, "g", 1800000);
	expect_one(w, "min above max: refused", -1, "refused",
		   "guaranteed minimum above the maximum");
	world_free(w);
}

static void test_rail_used_floor(void)
{
	struct control_rails r = default_rails;
	struct world *w = world_new(NULL);

	/* used 3,500,000 + 5 % = 3,675,000, above the 3,600,000 step. */
	add_guest(w, "g", 4000000, 4000000, 0, 500000);
	plan_target(w, "g", 3000000);
	expect_one(w, "floor: 3,000,000 raised to used+5% 3,675,000", 3675000,
		   "applied", "what the guest uses (+5%)");
	world_free(w);

	/* The floor comes from usable when unused is absent. */
	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 0, -1);
	w->g[0].row[GF_MEM_USABLE] = 500000;
	plan_target(w, "g", 3000000);
	expect_one(w, "floor: from usable when unused is absent", 3675000,
		   "applied", "what the guest uses");
	world_free(w);

	/* A floor above cur holds the guest where it is: refused once. */
	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 0, 100000);
	plan_target(w, "g", 3000000);
	expect_one(w, "floor above cur: nothing set, refused", -1, "refused",
		   "what the guest uses");
	for (int i = 0; i < 10; i++)
		cycle(w, false);
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "floor above cur: refused once over 11 cycles, not each");
	T_EQ_INT(w->fb.ncalls, 0, "floor above cur: never set");
	world_free(w);

	/* The margin is configurable: 0 % and a 20 % step. */
	r.used_margin_pct = 0;
	r.max_shrink_pct = 20;
	w = world_new(&r);
	add_guest(w, "g", 4000000, 4000000, 0, 500000);
	plan_target(w, "g", 3000000);
	expect_one(w, "floor: margin 0 gives exactly used 3,500,000", 3500000,
		   "applied", "what the guest uses (+0%)");
	world_free(w);
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
	struct world *w = world_new(NULL);
	struct guest *g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	json_t *arr, *a;
	int64_t last;

	plan_target(w, "g", 3600000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 1, "in motion: shrink applied");
	T_EQ_INT(last, 3600000, "in motion: to 3,600,000");
	/* On its way, the guest's use unchanged: nothing new to send. */
	g->row[GF_BALLOON_CUR] = 3900000;
	g->row[GF_MEM_UNUSED] = 2900000;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "in motion: the pending target is not sent again");
	/* At 3,800,000 the guest uses 3,700,000: floor 3,885,000, capped at
	   3,800,000, above the pending 3,600,000. */
	g->row[GF_BALLOON_CUR] = 3800000;
	g->row[GF_MEM_UNUSED] = 100000;
	plan_target(w, "g", 3610000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "in motion, use rose: the shrink is stopped");
	T_OK(last >= 3800000,
	     "in motion, use rose: at the floor capped at the size (%lld)",
	     (long long)last);
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? jstr(a, "result") : NULL, "applied",
		 "in motion, use rose: an applied action");
	T_OK(a && strstr(jstr(a, "detail"), "what the guest uses"),
	     "in motion, use rose: the used floor named (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	/* The balloon went on a little before QEMU took the stop. */
	g->row[GF_BALLOON_CUR] = 3780000;
	g->row[GF_MEM_UNUSED] = 80000;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "overtaken stop: no lower target sent below the use");
	/* There: nothing more, however many cycles. */
	g->row[GF_BALLOON_CUR] = 3800000;
	g->row[GF_MEM_UNUSED] = 100000;
	for (int i = 0; i < 5; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "stop reached: not sent again");
	world_free(w);
}

static void test_rail_emergency(void)
{
	struct control_rails r = default_rails;
	struct world *w;

	r.max_shrink_pct = 20;
	w = world_new(&r);
	add_guest(w, "g", 4000000, 4000000, 0, 500000);
	plan_target(w, "g", 3400000);
	plan_emergency(w, true);
	expect_one(w, "emergency: 3,400,000 below the floor, applied", 3400000,
		   "applied", "emergency: below what the guest uses");
	world_free(w);

	/* The emergency still respects the step and the guarantee. */
	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 3700000, 500000);
	plan_target(w, "g", 100000);
	plan_emergency(w, true);
	expect_one(w, "emergency: still at least the guarantee", 3700000,
		   "applied", "guaranteed minimum");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 0, 500000);
	plan_target(w, "g", 100000);
	plan_emergency(w, true);
	expect_one(w, "emergency: still one step (10% of max) per cycle",
		   3600000, "applied", "shrink step limited to 10%");
	world_free(w);

	/* The signal set to 0 is no emergency. */
	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 0, 500000);
	plan_target(w, "g", 3650000);
	plan_emergency(w, false);
	expect_one(w, "emergency=0: the floor holds", 3675000, "applied",
		   "what the guest uses");
	world_free(w);
}

static void test_rail_steps(void)
{
	struct control_rails r = default_rails;
	struct world *w = world_new(NULL);

	add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	plan_target(w, "g", 2000000);
	expect_one(w, "shrink step: 2,000,000 limited to 3,600,000", 3600000,
		   "applied", "shrink step limited to 10%");
	world_free(w);

	r.max_grow_pct = 25;
	w = world_new(&r);
	add_guest(w, "g", 2000000, 4000000, 0, 1000000);
	plan_target(w, "g", 4000000);
	expect_one(w, "grow step 25%: 4,000,000 limited to 3,000,000", 3000000,
		   "applied", "grow step limited to 25%");
	world_free(w);

	/* Default grow (100 % of max): B4 jumps straight to max. */
	w = world_new(NULL);
	add_guest(w, "g", 3000000, 4000000, 1000000, 500000);
	plan_target(w, "g", 4000000);
	expect_one(w, "grow default 100%: straight to max (B4)", 4000000,
		   "applied", "");
	world_free(w);

	/* A step that is not a whole KiB rounds toward cur. */
	w = world_new(NULL);
	add_guest(w, "g", 4000001, 4000001, 0, 4000000);
	plan_target(w, "g", 1000);
	expect_one(w, "shrink step of 400,000.1 KiB is 400,000", 3600001,
		   "applied", "shrink step");
	world_free(w);
}

static void test_rail_stale_absent(void)
{
	struct control_rails r = default_rails;
	struct world *w = world_new(NULL);
	struct guest *g;

	g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_STATS_AGE] = 31;
	plan_target(w, "g", 3800000);
	expect_one(w, "stale (31 s > 30 s): hands off", -1, "refused", "stale");
	g->row[GF_STATS_AGE] = 29;
	expect_one(w, "fresh again (29 s): applied", 3800000, "applied", "");
	world_free(w);

	r.stale_ms = 0;
	w = world_new(&r);
	g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_STATS_AGE] = 86400;
	plan_target(w, "g", 3800000);
	expect_one(w, "stale check off (0): applied", 3800000, "applied", "");
	world_free(w);

	/* No balloon driver: only actual is reported. */
	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 0, -1);
	plan_target(w, "g", 3800000);
	expect_one(w, "no statistics: hands off, reported", -1, "refused",
		   "no balloon statistics");
	for (int i = 0; i < 20; i++)
		cycle(w, false);
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "no statistics: reported once, not every cycle");
	T_EQ_INT(w->fb.ncalls, 0, "no statistics: never set");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", FIELD_ABSENT, 4000000, 0, 100000);
	plan_target(w, "g", 3800000);
	expect_one(w, "no balloon size: hands off", -1, "refused",
		   "no balloon size");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", 1e30, 1e30, 0, 100000);
	plan_target(w, "g", 3800000);
	expect_one(w, "absurd sizes: hands off", -1, "refused", "implausible");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", 3000000, FIELD_ABSENT, 0, 100000);
	plan_target(w, "g", 3800000);
	expect_one(w, "no maximum: hands off", -1, "refused", "no maximum");
	world_free(w);

	/* A sample that lost its minimum on the way is not one of 0. */
	w = world_new(NULL);
	add_guest(w, "g", 3000000, 4000000, FIELD_ABSENT, 100000);
	plan_target(w, "g", 2800000);
	expect_one(w, "no guaranteed minimum: hands off", -1, "refused",
		   "no guaranteed minimum");
	world_free(w);
}

/*
 * Samples come from outside: values no int64 holds (or a negative unused)
 * are refused with explicit range checks, never converted (undefined
 * behaviour; on x86 1e30 became INT64_MIN, which disabled the used-memory
 * floor and the guaranteed minimum).
 */
static void test_implausible_samples(void)
{
	struct world *w = world_new(NULL);
	struct guest *g;

	g = add_guest(w, "g", 4000000, 4000000, 0, 500000);
	g->row[GF_MEM_UNUSED] = -1e30;
	plan_target(w, "g", 3000000);
	expect_one(w, "unused -1e30: hands off, not a disabled floor", -1,
		   "refused", "implausible");
	g->row[GF_MEM_UNUSED] = -1;
	expect_one(w, "unused -1: hands off too", -1, "refused", "implausible");
	world_free(w);

	w = world_new(NULL);
	g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	g->row[GF_MEM_UNUSED] = FIELD_ABSENT;
	g->row[GF_MEM_USABLE] = 1e300;
	plan_target(w, "g", 3800000);
	expect_one(w, "usable 1e300: hands off", -1, "refused", "implausible");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", 4000000, 4000000, 1e30, 3000000);
	plan_target(w, "g", 3800000);
	expect_one(w, "guaranteed minimum 1e30: hands off, not ignored", -1,
		   "refused", "implausible");
	world_free(w);

	w = world_new(NULL);
	add_guest(w, "g", -1e30, 4000000, 0, 3000000);
	plan_target(w, "g", 3800000);
	expect_one(w, "balloon size -1e30: hands off", -1, "refused",
		   "no balloon size");
	world_free(w);
}

static void test_changed_only(void)
{
	struct world *w = world_new(NULL);

	add_guest(w, "g", 3000000, 4000000, 0, 1000000);
	plan_target(w, "g", 3000000);
	expect_one(w, "target equal to cur: nothing set, nothing recorded", -1,
		   NULL, NULL);
	/* QEMU sizes balloons in 4 KiB pages: closer than a page is the same
	   size, and setting it would change nothing. */
	plan_target(w, "g", 3000003);
	expect_one(w, "3 KiB more (within a page): nothing set", -1, NULL,
		   NULL);
	plan_target(w, "g", 3000004);
	expect_one(w, "a page more: set", 3000004, "applied", "");
	w->g[0].row[GF_BALLOON_CUR] = 3000004;
	expect_one(w, "reached: the same target is not set again", -1,
		   "applied", "");
	world_free(w);

	/* Seen on real guests: a target of 386091 KiB ends at 386092.  That
	   is reached, not a guest that does not follow. */
	w = world_new(NULL);
	add_guest(w, "g", 400000, 500000, 0, 100000);
	plan_target(w, "g", 386091);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1, "page rounding: pushed once");
	w->g[0].row[GF_BALLOON_CUR] = 386092;
	for (int i = 0; i < 10; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "page rounding: not pushed again");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "page rounding: never reported as not following");
	world_free(w);
}

/* The absolute floor holds even in an emergency, and never above max. */
static void test_rail_min_size(void)
{
	struct control_rails r = default_rails;
	struct world *w;

	r.min_size_kib = 131072; /* 128 MiB */
	r.max_shrink_pct = 100;
	w = world_new(&r);
	add_guest(w, "g", 200000, 524288, 0, 190000);
	plan_emergency(w, true);
	plan_target(w, "g", 90112); /* 88 MiB, where a real guest died */
	expect_one(w, "absolute floor: raised to 128 MiB in an emergency",
		   131072, "applied", "absolute minimum size");
	world_free(w);

	w = world_new(&r);
	add_guest(w, "g", 100000, 100000, 0, 90000);
	plan_target(w, "g", 50000);
	expect_one(w, "absolute floor above the maximum: the maximum wins", -1,
		   "refused", "absolute minimum size");
	world_free(w);

	w = world_new(&r);
	add_guest(w, "g", 300000, 524288, 262144, 290000);
	plan_target(w, "g", 100000);
	expect_one(w, "a guaranteed minimum above the floor wins", 262144,
		   "applied", "guaranteed minimum");
	world_free(w);
}

static void test_not_following(void)
{
	json_t *gj;
	struct world *w = world_new(NULL);

	add_guest(w, "g", 3000000, 4000000, 0, 2000000);
	plan_target(w, "g", 2800000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1, "stuck: first push");
	for (int i = 0; i < 20; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "stuck: not pushed again over 20 cycles");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "stuck: reported once");
	{
		json_t *arr,
		    *a = last_action(w, "guest:g", "balloon_target", &arr);

		T_OK(a && strstr(jstr(a, "detail"), "does not follow"),
		     "stuck: the report says the guest does not follow");
		T_EQ_INT(a ? jint(a, "planned") : -1, 2800000,
			 "stuck: the report names the target");
		json_decref(arr);
	}
	gj = controller_guests_json(w->ctl);
	T_OK(json_is_false(
		 json_object_get(json_object_get(gj, "g"), "following")),
	     "stuck: guests JSON says following=false");
	json_decref(gj);

	/* Further the same way: still not pushed. */
	plan_target(w, "g", 2700000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "stuck: a deeper shrink is not pushed either");
	/* The other way (deflate) is always allowed. */
	plan_target(w, "g", 3500000);
	cycle(w, false);
	{
		int64_t last;

		T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
			 "stuck: a grow is pushed");
		T_EQ_INT(last, 3500000, "stuck: grow target");
	}
	/* It moves: following again. */
	w->g[0].row[GF_BALLOON_CUR] = 3200000;
	cycle(w, false);
	gj = controller_guests_json(w->ctl);
	T_OK(json_is_true(
		 json_object_get(json_object_get(gj, "g"), "following")),
	     "moving again: following=true");
	json_decref(gj);
	world_free(w);

	/* A guest that follows slowly is never reported. */
	w = world_new(NULL);
	add_guest(w, "g", 3000000, 4000000, 0, 2000000);
	plan_target(w, "g", 2700000);
	for (int i = 0; i < 6; i++) {
		cycle(w, false);
		w->g[0].row[GF_BALLOON_CUR] -= 50000;
	}
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "slow but moving: not reported as stuck");
	world_free(w);
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
	struct control_rails r = default_rails;
	struct world *w;

	r.max_shrink_pct = 50;
	w = world_new(&r);
	*g = add_guest(w, "g", (double)from, 2097152, 0, 500000);
	(*g)->row[GF_BALLOON_AUTODEFLATE] = autodeflate;
	plan_target(w, "g", to);
	cycle(w, false);
	(*g)->row[GF_BALLOON_CUR] = (double)via;
	cycle(w, false);
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
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "restart mid-shrink: the target is sent again, once");
	T_EQ_INT(last, 1800000, "restart mid-shrink: the plan's target");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "restart mid-shrink: the unmoved balloon is reported once");
	world_free(w);

	/* Another client grew it while our shrink was pending. */
	w = pending_move(0, 2000000, 1900000, 1800000, &g);
	g->row[GF_BALLOON_CUR] = 1950000; /* away from 1800000 */
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "moved away: the target is sent again");
	for (int i = 0; i < 5; i++) {
		g->row[GF_BALLOON_CUR] -= 20000; /* heading there again */
		cycle(w, false);
	}
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "heading for it again: not sent again");
	world_free(w);

	/* Autodeflate: the guest's own deflation is not fought... */
	w = pending_move(1, 2000000, 1900000, 1800000, &g);
	g->row[GF_BALLOON_CUR] = 1950000;
	for (int i = 0; i < 5; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "autodeflate, moved away: not pushed back");
	/* ...but back at the maximum, it was restarted. */
	g->row[GF_BALLOON_CUR] = 2097152;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "autodeflate, back at the maximum: sent again");
	T_EQ_INT(last, 1800000, "autodeflate restart: the plan's target");
	world_free(w);

	/* A stop the shrinking balloon overtook (the sample older than the
	   call): it dips below the stop and comes back up.  Not a target
	   left: nothing is sent again, and the plan's shrink is not taken
	   below the stop while the balloon returns to it. */
	w = pending_move(0, 2000000, 1900000, 1800000, &g);
	g->row[GF_MEM_UNUSED] = 50000; /* use rose: the floor stops it */
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2, "overtaken stop: sent");
	T_EQ_INT(last, 1900000, "overtaken stop: the size then");
	g->row[GF_BALLOON_CUR] = 1880000; /* overtook it */
	plan_target(w, "g", 1890000);	  /* below the stop: under the floor */
	cycle(w, false);
	g->row[GF_BALLOON_CUR] = 1900000; /* back at it */
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "overtaken stop: not sent again");
	world_free(w);
}

static void test_isolation(void)
{
	struct world *w = world_new(NULL);
	int64_t last;
	json_t *arr, *a;

	add_guest(w, "a", 4000000, 4000000, 0, 3000000);
	add_guest(w, "b", 4000000, 4000000, 0, 3000000);
	add_guest(w, "c", 4000000, 4000000, 0, 3000000);
	plan_target(w, "a", 3800000);
	plan_target(w, "b", 3800000);
	plan_target(w, "c", 3800000);
	w->fb.gone = "b";
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "a", &last), 1, "vanished b: a set");
	T_EQ_INT(last, 3800000, "vanished b: a's target");
	T_EQ_INT(fb_count(&w->fb, "c", &last), 1, "vanished b: c set");
	T_EQ_INT(last, 3800000, "vanished b: c's target");
	a = last_action(w, "guest:b", "balloon_target", &arr);
	T_EQ_STR(a ? jstr(a, "result") : NULL, "failed", "vanished b: failed");
	T_OK(a && strstr(jstr(a, "detail"), "guest is gone"),
	     "vanished b: detail says gone (%s)", a ? jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(controller_target(w->ctl, "b"), -1,
		 "vanished b: no target remembered");

	/* A libvirt error on b next: retried, but not every cycle. */
	w->fb.gone = NULL;
	w->fb.broken = "b";
	for (int i = 0; i < 9; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "b", NULL), 4,
		 "libvirt error: b retried every 3rd cycle (1+3 in 10)");
	T_EQ_INT(fb_count(&w->fb, "a", NULL), 1,
		 "libvirt error on b: a untouched (already there)");
	a = last_action(w, "guest:b", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "injected"),
	     "libvirt error: its message is in the action");
	json_decref(arr);
	w->fb.broken = NULL;
	for (int i = 0; i < 3; i++)
		cycle(w, false);
	T_EQ_INT(controller_target(w->ctl, "b"), 3800000,
		 "libvirt error cleared: b applied");
	world_free(w);
}

/* -EPERM from the backend (paused, no balloon, disabled by vdsm): one
   refusal while it holds, asked again each cycle, nothing remembered. */
static void test_host_refuses(void)
{
	struct world *w = world_new(NULL);
	json_t *arr, *a;

	add_guest(w, "p", 4000000, 4000000, 0, 3000000);
	add_guest(w, "q", 4000000, 4000000, 0, 3000000);
	plan_target(w, "p", 3800000);
	plan_target(w, "q", 3800000);
	w->fb.held = "p";
	for (int i = 0; i < 5; i++)
		cycle(w, false);
	T_EQ_INT(count_actions(w, "guest:p", "balloon_target", "refused"), 1,
		 "host refusal: recorded once over 5 cycles");
	T_EQ_INT(count_actions(w, "guest:p", "balloon_target", "failed"), 0,
		 "host refusal: not a failure");
	a = last_action(w, "guest:p", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "not running"),
	     "host refusal: the host's reason is in the action (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(controller_target(w->ctl, "p"), -1,
		 "host refusal: no target remembered");
	T_EQ_INT(controller_target(w->ctl, "q"), 3800000,
		 "host refusal of p: q applied");
	w->fb.held = NULL;
	cycle(w, false);
	T_EQ_INT(controller_target(w->ctl, "p"), 3800000,
		 "refusal lifted: p applied at the next cycle");
	world_free(w);
}

static void test_guest_state_follows_names(void)
{
	struct world *w = world_new(NULL);
	struct guest b;

	add_guest(w, "b", 3000000, 4000000, 0, 2000000);
	add_guest(w, "c", 3000000, 4000000, 0, 2000000);
	plan_target(w, "b", 2800000);
	plan_target(w, "c", 2800000);
	for (int i = 0; i < 5; i++)
		cycle(w, false);
	T_EQ_INT(w->fb.ncalls, 2, "merge: b and c pushed once each");
	/* Next cycle a appears before b and c is gone: b keeps its state. */
	b = w->g[0];
	w->ng = 0;
	memset(w->pg, 0, sizeof(w->pg));
	add_guest(w, "a", 3000000, 4000000, 0, 2000000);
	w->g[w->ng++] = b;
	plan_target(w, "a", 2800000);
	plan_target(w, "b", 2800000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "b", NULL), 1,
		 "merge: b, still pending, not pushed after a appeared");
	T_EQ_INT(fb_count(&w->fb, "a", NULL), 1, "merge: new a pushed");
	T_EQ_INT(controller_target(w->ctl, "b"), 2800000,
		 "merge: b's target kept");
	T_EQ_INT(controller_target(w->ctl, "c"), -1, "merge: c forgotten");
	world_free(w);
}

static void test_dry_run(void)
{
	struct world *w = world_new(NULL);
	json_t *arr, *a;
	int64_t last;

	add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	plan_target(w, "g", 3800000);
	w->fk.value[KSM_RUN] = 0;
	w->fk.value[KSM_PAGES_TO_SCAN] = 100;
	plan_ksm(w, HC_KSM_RUN, 1);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 5; i++)
		cycle(w, true);
	T_EQ_INT(w->fb.ncalls, 0, "dry run: no balloon set in 5 cycles");
	T_EQ_INT(ksm_total_sets(&w->fk), 0, "dry run: no KSM write");
	/* Nothing moves in a dry run, so the same decision comes back every
	   cycle: it is recorded once while it stays the same. */
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "dry-run"), 1,
		 "dry run: the same target is recorded once in 5 cycles");
	T_EQ_INT(count_actions(w, "host", "ksm_run", "dry-run"), 1,
		 "dry run: the same ksm_run is recorded once in 5 cycles");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_INT(a ? jint(a, "new") : -1, 3800000,
		 "dry run: the action has the target it would set");
	json_decref(arr);
	plan_target(w, "g", 3700000);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 700);
	cycle(w, true);
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "dry-run"), 2,
		 "dry run: a new target is recorded");
	T_EQ_INT(count_actions(w, "host", "ksm_pages_to_scan", "dry-run"), 2,
		 "dry run: a new pages_to_scan is recorded");
	plan_target(w, "g", 3800000);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	T_EQ_INT(controller_target(w->ctl, "g"), -1,
		 "dry run: no target counts as applied");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "dry run: the unmoved guest is not called stuck");
	/* Switched off at run time: applied at once. */
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 1,
		 "dry run off: the balloon is set");
	T_EQ_INT(last, 3800000, "dry run off: its target");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "dry run off: run written");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 400,
		 "dry run off: pages_to_scan written");
	world_free(w);
}

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
	struct guest *g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);

	g->row[GF_OOM_KILL] = 2;
	plan_target(w, "g", 3600000);
	cycle(w, false);
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
	struct world *w = world_new(&oom_rails_long);

	*g = oom_shrunk(w);
	(*g)->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	(*g)->row[GF_BALLOON_CUR] = 4000000;
	(*g)->row[GF_MEM_UNUSED] = 3000000;
	return w;
}

/* oom_kill rises after a shrink: counted, logged with the shrink, grown
   back at once to the size before it (past the 10 % grow step and the
   policy's own target), and not shrunk during the cool-down. */
static void test_oom_rail_grows_back(void)
{
	struct world *w = world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cycle(w, false); /* the policy still wants 3,600,000: reached */
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: no event while oom_kill holds");
	g->row[GF_OOM_KILL] = 3;
	plan_target(w, "g", 3000000);
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail: the rise after the shrink is one harm event");
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "oom rail: the guest is set again in the same cycle");
	T_EQ_INT(last, 4000000,
		 "oom rail: grown back to the size before the shrink, past "
		 "the grow step");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? jstr(a, "result") : NULL, "applied",
		 "oom rail: the grow is an applied action");
	T_EQ_STR(a ? jstr(a, "reason") : NULL, "oom_rail",
		 "oom rail: its reason names the rail");
	T_OK(a && strstr(jstr(a, "detail"), "from 2 to 3") &&
		 strstr(jstr(a, "detail"), "from 4000000 to 3600000 KiB"),
	     "oom rail: the detail has the rise and the shrink before it "
	     "(%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	/* The balloon follows; the policy keeps asking for a shrink. */
	g->row[GF_BALLOON_CUR] = 4000000;
	g->row[GF_MEM_UNUSED] = 3000000;
	for (int i = 0; i < 4; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "oom rail: no shrink during the cool-down");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strcmp(jstr(a, "result"), "refused") == 0 &&
		 strstr(jstr(a, "detail"), "held by the OOM rail"),
	     "oom rail: the shrink is refused by the rail (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "oom rail: the hold is recorded once");
	/* A grow stays allowed during the cool-down... */
	g->row[GF_BALLOON_CUR] = 3900000;
	plan_target(w, "g", 4000000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 3,
		 "oom rail: a grow is applied during the cool-down");
	/* ...and after it (60 s = 6 cycles of 10 s), shrinking resumes. */
	g->row[GF_BALLOON_CUR] = 4000000;
	plan_target(w, "g", 3600000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 4,
		 "oom rail: shrinking resumes after the cool-down");
	T_EQ_INT(last, 3600000, "oom rail: the policy's shrink after it");
	T_EQ_INT(controller_oom_events(w->ctl), 1, "oom rail: still one event");
	world_free(w);
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
		cycle(w, false);
	w->ng = 1;
	plan_target(w, "g", 3600000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "absence: back within the cool-down, its shrink is held");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "held by the OOM rail"),
	     "absence: ... by the OOM rail (%s)", a ? jstr(a, "detail") : "");
	json_decref(arr);
	world_free(w);

	/* An armed rail (a shrink, no kill yet) survives an absence too. */
	w = world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "absence: a kill after the return is blamed on the shrink");
	world_free(w);

	/* Away past forget_ms with no cool-down running: forgotten. */
	w = world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	for (int i = 0; i < 7; i++) /* 70 s > 60 s */
		cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "absence: state away past forget_ms is forgotten");
	world_free(w);

	/* Another domain under the same name: its own state. */
	w = world_new(&rails);
	g = oom_shrunk(w);
	g->uuid = "00000000-0000-0000-0000-000000000001";
	cycle(w, false);
	w->ng = 0;
	cycle(w, false);
	w->ng = 1;
	g->uuid = "00000000-0000-0000-0000-000000000002";
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "absence: a new domain under the name is not the old one");
	world_free(w);

	/* ... also when it replaces the old one between two cycles. */
	w = world_new(&rails);
	g = oom_shrunk(w);
	g->uuid = "00000000-0000-0000-0000-000000000001";
	cycle(w, false);
	g->uuid = "00000000-0000-0000-0000-000000000002";
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "a new domain under the name in the next cycle starts afresh");
	world_free(w);
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
	plan_target(w, "g", 3600000);
	w->now_ms += 11 * 60 * 1000;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "wall step: no shrink 10 s after the kill");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "held by the OOM rail"),
	     "wall step: ... held by the OOM rail (%s)",
	     a ? jstr(a, "detail") : "");
	T_EQ_INT(a ? jint(a, "time_ms") : 0, w->now_ms,
		 "wall step: the action is dated by the wall clock");
	json_decref(arr);
	world_free(w);

	/* An armed rail away for two cycles, the wall clock stepped past
	   forget_ms meanwhile: still armed when it returns. */
	w = world_new(&rails);
	g = oom_shrunk(w);
	w->ng = 0;
	cycle(w, false);
	w->now_ms += 10 * 60 * 1000;
	cycle(w, false);
	w->ng = 1;
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "wall step: an armed rail away for 20 s is kept");
	world_free(w);
}

/* Right after the grow-back the balloon still reports the shrunk size: a
   policy target between that size and the grow (a "raise" from what it
   reads) would take the grow back, and the rail refuses it as a shrink. */
static void test_oom_rail_holds_grow_in_motion(void)
{
	struct world *w = world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "oom rail, grow in motion: grown back");
	T_EQ_INT(last, 4000000, "oom rail, grow in motion: to 4,000,000");
	/* QEMU has not moved yet; the policy asks for a little more than
	   the size it reads. */
	plan_target(w, "g", 3700000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "oom rail, grow in motion: a target below the grow is not "
		 "pushed");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strcmp(jstr(a, "result"), "refused") == 0 &&
		 strstr(jstr(a, "detail"), "held by the OOM rail"),
	     "oom rail, grow in motion: refused by the rail (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	/* A target above the grow is still a grow. */
	plan_target(w, "g", 4000000 + 200000);
	g->row[GF_BALLOON_MAX] = 4400000;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 3,
		 "oom rail, grow in motion: a larger target is applied");
	world_free(w);
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
	w = world_new(&rails);
	g = oom_shrunk(w);
	cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "grow cut by the grow rail: grown back first");
	T_EQ_INT(last, 4000000, "grow cut by the grow rail: to 4,000,000");
	/* QEMU still reports 3,600,000; the policy wants more than the
	   grow-back, which the grow rail cuts to 3,800,000. */
	g->row[GF_BALLOON_MAX] = 4400000;
	plan_target(w, "g", 4400000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "grow cut by the grow rail: the grow-back is not taken back");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "grow cut by the grow rail: no refusal recorded");
	world_free(w);
}

/* A grow-back the host does not take (a libvirt error, a job timeout; a
   refusal: the guest paused at that moment) is sent again every cycle of
   the cool-down until it is taken, whatever the plan says.  It was lost:
   the hold then refused every shrink, and the guest stayed where its
   kernel killed for the whole cool-down. */
static void test_oom_rail_grow_back_retried(void)
{
	struct world *w = world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	plan_target(w, "g", 3000000); /* the policy still shrinks */
	w->fb.broken = "g";
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1, "failed grow-back: event");
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "failed grow-back: tried in the cycle of the event");
	T_EQ_INT(last, 4000000, "failed grow-back: to 4,000,000");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "failed"), 1,
		 "failed grow-back: recorded as failed");
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 3,
		 "failed grow-back: sent again in the next cycle, not the "
		 "third");
	T_EQ_INT(last, 4000000, "failed grow-back: the same size");
	w->fb.broken = NULL;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 4,
		 "failed grow-back: sent again until taken");
	T_EQ_INT(last, 4000000, "failed grow-back: taken at 4,000,000");
	T_EQ_INT(controller_target(w->ctl, "g"), 4000000,
		 "failed grow-back: the target applied");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_STR(a ? jstr(a, "reason") : NULL, "oom_rail",
		 "failed grow-back: the retry's reason names the rail");
	T_OK(a && strstr(jstr(a, "detail"), "not taken"),
	     "failed grow-back: its detail says why (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	/* Taken and in motion: not sent again, the shrink held. */
	for (int i = 0; i < 2; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 4,
		 "failed grow-back: taken, not sent again");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "held by the OOM rail"),
	     "failed grow-back: the shrink is held (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	world_free(w);

	/* Refused by the host (paused), with no plan for the guest: asked
	   again each cycle, the refusal recorded once, grown when allowed. */
	w = world_new(&oom_rails);
	g = oom_shrunk(w);
	cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	plan_clear_targets(w);
	w->fb.held = "g";
	for (int i = 0; i < 3; i++)
		cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 4,
		 "refused grow-back: asked in each of 3 cycles");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "refused"), 1,
		 "refused grow-back: the refusal recorded once");
	w->fb.held = NULL;
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 5,
		 "refused grow-back: sent when the host allows it");
	T_EQ_INT(last, 4000000, "refused grow-back: to 4,000,000");
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 5,
		 "refused grow-back: taken, not sent again");
	world_free(w);

	/* Grown by someone else meanwhile: nothing owed any more. */
	w = world_new(&oom_rails);
	g = oom_shrunk(w);
	cycle(w, false);
	g->row[GF_OOM_KILL] = 3;
	w->fb.broken = "g";
	cycle(w, false);
	w->fb.broken = NULL;
	g->row[GF_BALLOON_CUR] = 4000000;
	cycle(w, false);
	g->row[GF_BALLOON_CUR] = 3600000; /* shrunk outside momd */
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "grow-back reached outside momd: not sent again");
	world_free(w);
}

/* The rail holds whatever the policy says: also in an emergency. */
static void test_oom_rail_holds_emergency(void)
{
	struct world *w = world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);

	g->row[GF_OOM_KILL] = 5;
	cycle(w, false);
	g->row[GF_BALLOON_CUR] = 4000000;
	plan_emergency(w, true);
	plan_target(w, "g", 3600000);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 2,
		 "oom rail: an emergency does not shrink during the "
		 "cool-down");
	world_free(w);
}

/* No event without a rise, without a shrink before it, with the rail
   off, or when oom_kill was absent at the shrink. */
static void test_oom_rail_no_event(void)
{
	static const struct control_rails off = {.max_shrink_pct = 10,
						 .max_grow_pct = 10,
						 .used_margin_pct = 5,
						 .stuck_cycles = 3};
	struct world *w = world_new(&oom_rails);
	struct guest *g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);

	/* A rise with no shrink before it (the policy grows). */
	g->row[GF_OOM_KILL] = 1;
	cycle(w, false);
	g->row[GF_OOM_KILL] = 2;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: a rise without a shrink is no event");
	world_free(w);

	w = world_new(&off);
	g = oom_shrunk(w);
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: off with oom_cooldown_ms 0");
	world_free(w);

	w = world_new(&oom_rails);
	g = add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	plan_target(w, "g", 3600000);
	cycle(w, false); /* shrunk with no oom_kill: not armed */
	g->row[GF_BALLOON_CUR] = 3600000;
	g->row[GF_OOM_KILL] = 7;
	cycle(w, false);
	g->row[GF_OOM_KILL] = 8;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: not armed by a shrink without oom_kill");
	world_free(w);

	/* Grown back by the policy before the kill: disarmed. */
	w = world_new(&oom_rails);
	g = oom_shrunk(w);
	plan_target(w, "g", 4000000);
	cycle(w, false);
	g->row[GF_BALLOON_CUR] = 4000000;
	g->row[GF_OOM_KILL] = 3;
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 0,
		 "oom rail: a guest grown back by the policy is disarmed");
	world_free(w);
}

/* An event with nothing to grow (already as big: someone else grew it)
   is recorded and holds; in a dry run it is recorded, nothing moves, and
   the grow-back is sent when the dry run ends within the cool-down. */
static void test_oom_rail_nothing_to_grow(void)
{
	struct world *w = world_new(&oom_rails);
	struct guest *g = oom_shrunk(w);
	json_t *arr, *a;
	int64_t last;

	g->row[GF_BALLOON_CUR] = 4000000; /* grown outside momd */
	g->row[GF_OOM_KILL] = 3;
	plan_target(w, "g", 3600000);
	cycle(w, false);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail: the event counts with nothing to grow");
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "oom rail: nothing set when the guest is as big already");
	a = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(a && strstr(jstr(a, "detail"), "already that big"),
	     "oom rail: recorded as already that big (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "oom rail: and the cool-down holds the shrink");
	world_free(w);

	w = world_new(&oom_rails);
	g = oom_shrunk(w);
	g->row[GF_OOM_KILL] = 3;
	cycle(w, true);
	T_EQ_INT(controller_oom_events(w->ctl), 1,
		 "oom rail, dry run: the event counts");
	T_EQ_INT(fb_count(&w->fb, "g", NULL), 1,
		 "oom rail, dry run: nothing set");
	T_EQ_INT(count_actions(w, "guest:g", "balloon_target", "dry-run"), 1,
		 "oom rail, dry run: the grow it would do is recorded");
	cycle(w, false);
	T_EQ_INT(fb_count(&w->fb, "g", &last), 2,
		 "oom rail, dry run off within the cool-down: grown back");
	T_EQ_INT(last, 4000000, "oom rail, dry run off: to 4,000,000");
	world_free(w);
}

/* ---- KSM ---- */

static void ksm_current(struct world *w, int64_t run, int64_t pts,
			int64_t sleep_ms, int64_t merge, int64_t shared)
{
	w->fk.value[KSM_RUN] = run;
	w->fk.value[KSM_PAGES_TO_SCAN] = pts;
	w->fk.value[KSM_SLEEP_MILLISECS] = sleep_ms;
	w->fk.value[KSM_MERGE_ACROSS_NODES] = merge;
	w->fk.value[KSM_PAGES_SHARED] = shared;
}

static void test_ksm_changed_only(void)
{
	struct world *w = world_new(NULL);

	/* K13: only pages_to_scan differs. */
	ksm_current(w, 1, 1200, 10, 1, 0);
	plan_ksm(w, HC_KSM_RUN, 1);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 1250);
	plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 1);
	cycle(w, false);
	T_EQ_INT(ksm_total_sets(&w->fk), 1, "K13: one write");
	T_EQ_INT(w->fk.set_calls[KSM_PAGES_TO_SCAN], 1, "K13: pages_to_scan");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 1250, "K13: its value");
	cycle(w, false);
	T_EQ_INT(ksm_total_sets(&w->fk), 1, "K13: nothing on the next cycle");
	T_EQ_INT(count_actions(w, "host", "ksm_pages_to_scan", "applied"), 1,
		 "K13: one action");
	world_free(w);
}

static void test_ksm_unmerge_sequence(void)
{
	struct world *w = world_new(NULL);

	/* K7: kM=0 wanted, 500 pages shared in mode 1: unmerge only. */
	ksm_current(w, 1, 400, 10, 1, 500);
	plan_ksm(w, HC_KSM_RUN, 2);
	cycle(w, false);
	T_EQ_INT(ksm_total_sets(&w->fk), 1, "K7: one write");
	T_EQ_INT(w->fk.value[KSM_RUN], 2, "K7: run=2 (unmerge)");
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 1, "K7: mode untouched");

	/* The kernel unmerged; K8: the mode first, then resume. */
	w->fk.value[KSM_PAGES_SHARED] = 0;
	memset(w->plan.host, 0, sizeof(w->plan.host));
	plan_ksm(w, HC_KSM_RUN, 1);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 700);
	plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	w->fk.norder = 0;
	cycle(w, false);
	T_EQ_INT(w->fk.norder, 3, "K8: three writes (sleep unchanged)");
	T_EQ_INT(w->fk.order[0], KSM_MERGE_ACROSS_NODES,
		 "K8: merge_across_nodes written first");
	T_EQ_INT(w->fk.order[1], KSM_RUN, "K8: then run");
	T_EQ_INT(w->fk.order[2], KSM_PAGES_TO_SCAN, "K8: then pages_to_scan");
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 0, "K8: mode 0");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "K8: run 1");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 700, "K8: pages 700");
	world_free(w);
}

static void test_ksm_merge_guard(void)
{
	struct world *w = world_new(NULL);
	json_t *arr, *a;

	/* A policy that asks for the mode while pages are shared. */
	ksm_current(w, 0, 100, 20, 1, 10);
	plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	plan_ksm(w, HC_KSM_RUN, 1);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 5; i++)
		cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_MERGE_ACROSS_NODES], 0,
		 "guard: merge not written while pages are shared");
	T_EQ_INT(w->fk.set_calls[KSM_RUN], 0,
		 "guard: run=1 held until the mode is switched");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 400,
		 "guard: the other knobs still written");
	T_EQ_INT(count_actions(w, "host", "ksm_merge_across_nodes", "refused"),
		 1, "guard: merge refusal recorded once in 5 cycles");
	a = last_action(w, "host", "ksm_run", &arr);
	T_OK(a && strcmp(jstr(a, "result"), "refused") == 0 &&
		 strstr(jstr(a, "detail"), "held"),
	     "guard: run's refusal says it is held (%s)",
	     a ? jstr(a, "detail") : "");
	json_decref(arr);
	/* run=2 is never held: it is how the pages get unshared. */
	memset(w->plan.host, 0, sizeof(w->plan.host));
	plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	plan_ksm(w, HC_KSM_RUN, 2);
	cycle(w, false);
	T_EQ_INT(w->fk.value[KSM_RUN], 2, "guard: run=2 still written");
	/* Unshared: the mode goes through, then run. */
	w->fk.value[KSM_PAGES_SHARED] = 0;
	plan_ksm(w, HC_KSM_RUN, 1);
	cycle(w, false);
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 0,
		 "guard: mode written once nothing is shared");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "guard: run=1 follows");
	world_free(w);
}

static void test_ksm_ranges(void)
{
	static const struct {
		enum host_control hc;
		const char *control;
		int64_t v;
	} bad[] = {
	    {HC_KSM_RUN, "ksm_run", 3},
	    {HC_KSM_RUN, "ksm_run", -1},
	    {HC_KSM_MERGE_ACROSS_NODES, "ksm_merge_across_nodes", 2},
	    {HC_KSM_PAGES_TO_SCAN, "ksm_pages_to_scan", 4294967296LL},
	    {HC_KSM_SLEEP_MILLISECS, "ksm_sleep_millisecs", -5},
	};

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct world *w = world_new(NULL);

		ksm_current(w, 0, 100, 20, 1, 0);
		plan_ksm(w, bad[i].hc, bad[i].v);
		for (int c = 0; c < 50; c++)
			cycle(w, false);
		T_EQ_INT(ksm_total_sets(&w->fk), 0,
			 "range: out-of-range value never written");
		T_EQ_INT(count_actions(w, "host", bad[i].control, "refused"), 1,
			 "range: refused, recorded once in 50 cycles");
		world_free(w);
	}
	{
		struct world *w = world_new(NULL);

		ksm_current(w, 0, 100, 20, 1, 0);
		plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 4294967295LL);
		plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 0);
		plan_ksm(w, HC_KSM_RUN, 2);
		cycle(w, false);
		T_EQ_INT(ksm_total_sets(&w->fk), 3,
			 "range: the limits themselves are written");
		world_free(w);
	}
}

static void test_ksm_no_hot_loop(void)
{
	struct world *w = world_new(NULL);

	ksm_current(w, 1, 100, 20, 1, 0);
	w->fk.fail[KSM_SLEEP_MILLISECS] = -EBUSY;
	plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 100; i++)
		cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_SLEEP_MILLISECS], 10,
		 "retry: a refused write is tried 10 times in 100 cycles");
	T_EQ_INT(count_actions(w, "host", "ksm_sleep_millisecs", "failed"), 10,
		 "retry: each attempt recorded as failed");
	T_EQ_INT(w->fk.set_calls[KSM_PAGES_TO_SCAN], 1,
		 "retry: the other knob written once");
	/* A different value is tried at once. */
	plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 11);
	cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_SLEEP_MILLISECS], 11,
		 "retry: a new value is tried at once");
	world_free(w);
}

/* ---- the controller's actions in the action log ---- */

static void test_action_logged(void)
{
	struct world *w = world_new(NULL);
	char path[] = "/tmp/control_test_log.XXXXXX", buf[4096] = "";
	json_t *arr, *e;
	int fd, saved;
	ssize_t n;

	/* One applied action: every field, and its log line on stderr. */
	fd = mkstemp(path);
	saved = dup(STDERR_FILENO);
	if (fd < 0 || saved < 0)
		abort();
	fflush(stderr);
	dup2(fd, STDERR_FILENO);
	add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	plan_target(w, "g", 3800000);
	cycle(w, false);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);

	e = last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(e != NULL, "actlog: the action is in the ring");
	T_EQ_INT(e ? jint(e, "time_ms") : 0, w->now_ms, "actlog: time");
	T_EQ_INT(e ? jint(e, "old") : 0, 4000000, "actlog: old value");
	T_EQ_INT(e ? jint(e, "new") : 0, 3800000, "actlog: new value");
	T_EQ_INT(e ? jint(e, "planned") : 0, 3800000, "actlog: planned");
	T_EQ_STR(e ? jstr(e, "result") : NULL, "applied", "actlog: result");
	T_EQ_STR(e ? jstr(e, "reason") : NULL, "02-balloon/shrink: cur=4000000",
		 "actlog: the policy's reason");
	json_decref(arr);
	T_OK(strstr(buf, "action applied guest:g balloon_target: 4000000 -> "
			 "3800000") != NULL,
	     "actlog: logged as one line");
	T_OK(strstr(buf, "reason: 02-balloon/shrink: cur=4000000") != NULL,
	     "actlog: the log line has the reason");
	world_free(w);
}

/* ---- property: no applied target breaks a rail ---- */

static uint64_t rng_state;

static uint64_t rng(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 2685821657736338717ULL;
}

static int64_t rng_range(int64_t lo, int64_t hi)
{
	return lo + (int64_t)(rng() % (uint64_t)(hi - lo + 1));
}

static bool rng_chance(int pct)
{
	return (int)(rng() % 100) < pct;
}

/* A random guest state: sizes, guarantee, statistics, their age. */
static void random_guest(struct guest *g)
{
	double *row = g->row;
	int64_t max = rng_range(1, 16000000), cur, min;

	for (int f = 0; f < GUEST_FIELD_COUNT; f++)
		row[f] = FIELD_ABSENT;
	cur = rng_chance(10) ? max : rng_range(0, max);
	min = rng_chance(40) ? 0 : rng_range(0, max);
	if (rng_chance(3))
		min = max + rng_range(1, 1000); /* bad metadata */
	if (rng_chance(5))
		cur = min; /* at the guarantee */
	row[GF_BALLOON_CUR] = rng_chance(2) ? FIELD_ABSENT : (double)cur;
	row[GF_BALLOON_MAX] = rng_chance(2) ? FIELD_ABSENT : (double)max;
	row[GF_BALLOON_MIN] = rng_chance(10) ? FIELD_ABSENT : (double)min;
	if (!rng_chance(10))
		row[GF_MEM_UNUSED] = (double)rng_range(0, cur + cur / 10);
	if (rng_chance(50))
		row[GF_MEM_USABLE] = (double)rng_range(0, cur);
	if (!rng_chance(10))
		row[GF_STATS_AGE] = (double)rng_range(0, 120);
	if (rng_chance(50))
		row[GF_BALLOON_AUTODEFLATE] = (double)(rng() % 2);
}

struct violations {
	long applied, checked, n;
	char first[512];
};

static void violation(struct violations *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void violation(struct violations *v, const char *fmt, ...)
{
	va_list ap;

	if (v->n++ == 0) {
		va_start(ap, fmt);
		vsnprintf(v->first, sizeof(v->first), fmt, ap);
		va_end(ap);
	}
}

/* Check one applied target t against the guest row it was decided on and
   the target still pending then (-1 none). */
static void check_target(struct violations *v, const struct control_rails *r,
			 const double *row, bool emergency, int64_t pending,
			 int64_t t)
{
	double cur = row[GF_BALLOON_CUR], max = row[GF_BALLOON_MAX];
	double min =
	    field_present(row[GF_BALLOON_MIN]) ? row[GF_BALLOON_MIN] : 0;
	double freek = field_present(row[GF_MEM_UNUSED]) ? row[GF_MEM_UNUSED]
							 : row[GF_MEM_USABLE];
	double age = row[GF_STATS_AGE];
	int64_t down, up, used;
	/* The lowest size allowed: the guaranteed minimum or the absolute
	   floor (never above the maximum), whichever is higher. */
	double abs_min =
	    (double)r->min_size_kib < max ? (double)r->min_size_kib : max;
	double lo = min > abs_min ? min : abs_min;

	v->checked++;
	if (!field_present(cur) || !field_present(max) ||
	    !field_present(row[GF_BALLOON_MIN]) || !field_present(freek)) {
		violation(v, "applied %" PRId64 " without statistics", t);
		return;
	}
	if (r->stale_ms && field_present(age) && age * 1000 > r->stale_ms) {
		violation(v, "applied %" PRId64 " on stale stats (%.0f s)", t,
			  age);
		return;
	}
	if (t < lo || t > max)
		violation(v, "t %" PRId64 " outside [%.0f, %.0f]", t, lo, max);
	/* Within a 4 KiB page is the same size: the pending target is never
	   sent again, cur only to stop the balloon on its way to another. */
	if (pending >= 0 && t - pending < 4 && pending - t < 4)
		violation(v, "t %" PRId64 " is the pending %" PRId64, t,
			  pending);
	else if (pending < 0 && t - (int64_t)cur < 4 && (int64_t)cur - t < 4)
		violation(v, "t %" PRId64 " is cur %.0f with none pending", t,
			  cur);
	if (cur < lo || cur > max)
		return; /* the bounds win over step and floor */
	down = (int64_t)max * r->max_shrink_pct / 100;
	up = (int64_t)max * r->max_grow_pct / 100;
	if (t < cur && cur - t > down)
		violation(v, "shrink %.0f -> %" PRId64 " beyond step %" PRId64,
			  cur, t, down);
	if (t > cur && t - cur > up)
		violation(v, "grow %.0f -> %" PRId64 " beyond step %" PRId64,
			  cur, t, up);
	/* t >= min(cur, used * (1 + margin)), exactly, in integers. */
	used = freek < cur ? (int64_t)(cur - freek) : 0;
	if (!emergency && t < cur &&
	    t * 100 < used * (100 + r->used_margin_pct))
		violation(v,
			  "t %" PRId64 " below min(cur %.0f, used %" PRId64
			  " +%d%%)",
			  t, cur, used, r->used_margin_pct);
}

/*
 * The controller's rule for a pending target the balloon left (restart,
 * another client), restated: risen away from it by a page or more since
 * the size seen before (prev), without autodeflate or to the maximum.
 */
static bool pending_left(const double *row, int64_t prev, int64_t pending)
{
	int64_t cur = (int64_t)row[GF_BALLOON_CUR];

	if (prev < 0 || cur <= pending ||
	    cur - pending - llabs(prev - pending) < 4)
		return false;
	return row[GF_BALLOON_AUTODEFLATE] == 0 ||
	       (field_present(row[GF_BALLOON_MAX]) &&
		llabs(cur - (int64_t)row[GF_BALLOON_MAX]) < 4);
}

static void test_property(void)
{
	const char *env = getenv("CONTROL_TEST_SEED");
	uint64_t seed = env ? strtoull(env, NULL, 10) : 20240611;
	struct violations v = {0};
	struct control_rails r;
	long dry_called = 0, cycles = 0;
	enum { NG = 8, ROUNDS = 400, CYCLES = 10 };
	int64_t pend[NG]; /* the controller's pending targets, -1 none */
	int64_t prev[NG]; /* the balloon sizes it saw last, -1 none */

	rng_state = seed ? seed : 1;
	printf("# property test seed %" PRIu64
	       " (replay: CONTROL_TEST_SEED=%" PRIu64 ")\n",
	       seed, seed);
	for (int round = 0; round < ROUNDS; round++) {
		struct world *w;
		static const int stale[] = {0, 5000, 30000};

		r = (struct control_rails){
		    .max_shrink_pct = (int)rng_range(1, 100),
		    .max_grow_pct = (int)rng_range(1, 100),
		    .used_margin_pct = (int)rng_range(0, 100),
		    .stale_ms = stale[rng() % 3],
		    .stuck_cycles = (int)rng_range(1, 5),
		    .min_size_kib = rng_chance(50) ? 0 : rng_range(0, 4000000),
		};
		w = world_new(&r);
		for (int i = 0; i < NG; i++)
			pend[i] = prev[i] = -1;
		for (int i = 0; i < NG; i++) {
			char name[16];

			snprintf(name, sizeof(name), "g%d", i);
			add_guest(w, name, 0, 0, 0, 0);
		}
		for (int c = 0; c < CYCLES; c++) {
			bool emergency = rng_chance(20), dry = rng_chance(10);
			size_t before = w->fb.ncalls;

			for (int i = 0; i < NG; i++) {
				struct guest *g = &w->g[i];
				int64_t last = -1, cur;

				/* Often the guest follows its last target. */
				fb_count(&w->fb, g->name, &last);
				if (last >= 0 && rng_chance(50))
					g->row[GF_BALLOON_CUR] = (double)last;
				else
					random_guest(g);
				plan_clear_targets(w);
				if (!field_present(g->row[GF_BALLOON_CUR]))
					continue;
				cur = (int64_t)g->row[GF_BALLOON_CUR];
				/* Left by the balloon, the pending target is
				   forgotten; a size within a page of it
				   reaches it. */
				if (pend[i] >= 0 &&
				    (pending_left(g->row, prev[i], pend[i]) ||
				     llabs(cur - pend[i]) < 4))
					pend[i] = -1;
				prev[i] = cur;
			}
			for (int i = 0; i < NG; i++) {
				double mx = w->g[i].row[GF_BALLOON_MAX];
				int64_t hi = field_present(mx) ? (int64_t)mx * 2
							       : 32000000;

				if (rng_chance(90))
					plan_target(w, w->g[i].name,
						    rng_range(-hi / 2, hi));
			}
			plan_emergency(w, emergency);
			cycle(w, dry);
			cycles++;
			if (dry && w->fb.ncalls != before)
				dry_called++;
			for (size_t k = before; k < w->fb.ncalls; k++) {
				struct guest *g =
				    find_guest(w, w->fb.calls[k].guest);

				v.applied++;
				if (!g) {
					violation(&v, "set on unknown guest");
					continue;
				}
				check_target(&v, &r, g->row, emergency,
					     pend[g - w->g],
					     (int64_t)w->fb.calls[k].kib);
				pend[g - w->g] = (int64_t)w->fb.calls[k].kib;
			}
		}
		world_free(w);
	}
	printf("# %ld cycles, %ld targets applied and checked\n", cycles,
	       v.applied);
	T_OK(v.applied > 1000, "property: many targets applied (%ld)",
	     v.applied);
	T_EQ_INT(v.checked, v.applied, "property: every target checked");
	T_EQ_INT(dry_called, 0, "property: no set call in dry-run cycles");
	if (!T_OK(v.n == 0, "property: no applied target breaks a rail"))
		printf("#   %ld violations, first: %s (seed %" PRIu64 ")\n",
		       v.n, v.first, seed);
}

/* The property checker itself must catch a bad target. */
static void test_property_checker(void)
{
	struct violations v = {0};
	struct guest g;

	for (int f = 0; f < GUEST_FIELD_COUNT; f++)
		g.row[f] = FIELD_ABSENT;
	g.row[GF_BALLOON_CUR] = 4000000;
	g.row[GF_BALLOON_MAX] = 4000000;
	g.row[GF_BALLOON_MIN] = 1000000;
	g.row[GF_MEM_UNUSED] = 500000;
	check_target(&v, &default_rails, g.row, false, -1, 3675000);
	T_EQ_INT(v.n, 0, "checker: a good target passes");
	check_target(&v, &default_rails, g.row, false, -1, 3674999);
	T_EQ_INT(v.n, 1, "checker: below the used floor is caught");
	check_target(&v, &default_rails, g.row, true, -1, 3599999);
	T_EQ_INT(v.n, 2, "checker: beyond the step is caught");
	check_target(&v, &default_rails, g.row, true, -1, 4000000);
	T_EQ_INT(v.n, 3, "checker: t == cur is caught");
	check_target(&v, &default_rails, g.row, false, 3600000, 4000000);
	T_EQ_INT(v.n, 3, "checker: t == cur stopping another pending passes");
	check_target(&v, &default_rails, g.row, false, 3800002, 3800000);
	T_EQ_INT(v.n, 4, "checker: the pending target sent again is caught");
	g.row[GF_BALLOON_CUR] = 1000000;
	check_target(&v, &default_rails, g.row, true, -1, 900000);
	T_EQ_INT(v.n, 5, "checker: below the minimum is caught");
	check_target(&v, &default_rails, g.row, true, -1, 1000003);
	T_EQ_INT(v.n, 6, "checker: within a page of cur is caught");
	{
		struct control_rails r = default_rails;

		r.min_size_kib = 2000000;
		g.row[GF_BALLOON_CUR] = 2200000; /* within one step */
		check_target(&v, &r, g.row, true, -1, 1999999);
		T_EQ_INT(v.n, 7, "checker: below the absolute floor is caught");
	}
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
	test_dry_run();
	test_oom_rail_grows_back();
	test_oom_rail_survives_absence();
	test_oom_rail_wall_clock_step();
	test_oom_rail_holds_grow_in_motion();
	test_oom_rail_grow_cut_is_no_hold();
	test_oom_rail_grow_back_retried();
	test_oom_rail_holds_emergency();
	test_oom_rail_no_event();
	test_oom_rail_nothing_to_grow();
	test_ksm_changed_only();
	test_ksm_unmerge_sequence();
	test_ksm_merge_guard();
	test_ksm_ranges();
	test_ksm_no_hot_loop();
	test_action_logged();
	test_property_checker();
	test_property();
	return t_done();
}
