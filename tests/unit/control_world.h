/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_world.h: the world the controller tests (control_test.c,
 * control_oom_test.c, control_ksm_test.c, control_property_test.c) run
 * one controller (control.c) in: fake balloon and KSM backends that
 * record every call, so each rail is checked against the exact target it
 * lets through and "nothing was written" is a call count; guests given
 * as snapshot rows; a plan; and the action log the controller writes.
 *
 * Every unit test links this file (see the Makefile), so its names carry
 * the cw_ prefix to stay clear of the other tests' and of the product's
 * (plan_*).  The checks stay in each test file: testing.h's counters are
 * each test file's own.
 */
#ifndef MOM_TEST_CONTROL_WORLD_H
#define MOM_TEST_CONTROL_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "actlog.h"
#include "control.h"
#include "field.h"
#include "host.h"
#include "plan.h"

/* ---- fake backends ---- */

#define CW_MAX_CALLS 4096

struct fake_balloon {
	size_t ncalls;
	struct {
		char guest[64];
		char uuid[40];
		uint64_t kib;
	} calls[CW_MAX_CALLS];
	const char *gone;   /* this guest answers -ENOENT */
	const char *broken; /* this guest answers -EIO */
	const char *held;   /* this guest answers -EPERM (may not balloon) */
};

/* Calls made for one guest, and the last target set for it (or -1). */
size_t cw_fb_count(const struct fake_balloon *f, const char *guest,
		   int64_t *last);

struct fake_ksm {
	int64_t value[KSM_KNOB_COUNT];
	int set_calls[KSM_KNOB_COUNT];
	int fail[KSM_KNOB_COUNT]; /* set answers this (negative) */
	enum ksm_knob order[64];  /* the knobs written, in order */
	size_t norder;
};

/* Set calls made for every knob together. */
int cw_ksm_total_sets(const struct fake_ksm *f);

/* ---- fixtures: guests, plans, one controller ---- */

#define CW_MAX_GUESTS 8

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
	struct guest g[CW_MAX_GUESTS];
	size_t ng;
	struct plan plan;
	struct plan_guest pg[CW_MAX_GUESTS];
	int64_t now_ms;	 /* the wall clock */
	int64_t mono_ms; /* the monotonic clock */
};

/* The rails a world gets when given none. */
extern const struct control_rails cw_default_rails;

/* A world with no guest and an empty plan, its controller under rails
   (NULL: cw_default_rails).  Aborts when out of memory. */
struct world *cw_world_new(const struct control_rails *rails);
void cw_world_free(struct world *w);

/*
 * Add a guest (names must be added in sorted order, as snapshots list
 * them): sizes in KiB, unused < 0 for absent statistics; fresh statistics
 * (1 s old).
 */
struct guest *cw_add_guest(struct world *w, const char *name, double cur,
			   double max, double min, double unused);

/* The guest of that name, or NULL. */
struct guest *cw_find_guest(struct world *w, const char *name);

/* Plan a balloon target for a guest, with a policy-like reason. */
void cw_plan_target(struct world *w, const char *name, int64_t kib);
/* No balloon target planned for any guest. */
void cw_plan_clear_targets(struct world *w);
/* Plan a KSM knob, with a policy-like reason. */
void cw_plan_ksm(struct world *w, enum host_control hc, int64_t v);
/* Plan the emergency signal on or off. */
void cw_plan_emergency(struct world *w, bool on);

/* One controller cycle over the world's guests and plan, both clocks 10 s
   on. */
void cw_cycle(struct world *w, bool dry_run);

/* The newest action on subject/control, as JSON (borrowed from *arr, which
   the caller frees with json_decref), or NULL. */
json_t *cw_last_action(struct world *w, const char *subject,
		       const char *control, json_t **arr);

/* How many actions on subject/control have the given result (NULL:
   any). */
int cw_count_actions(struct world *w, const char *subject, const char *control,
		     const char *result);

/* An action's string field, "(none)" when missing. */
const char *cw_jstr(json_t *a, const char *key);
/* An action's integer field, INT64_MIN when missing. */
int64_t cw_jint(json_t *a, const char *key);

#endif /* MOM_TEST_CONTROL_WORLD_H */
