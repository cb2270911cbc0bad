/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_property_test.c: a property test of the balloon controller
 * (control.c): it drives many random plans and guest states through one
 * controller (control_world.c's fakes) and checks every applied target
 * against the rails; its seed is printed and can be replayed with
 * CONTROL_TEST_SEED=<n>.  The checker is tested first, on targets it must
 * catch.
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "control_world.h"
#include "field.h"
#include "log.h"
#include "testing.h"

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
		w = cw_world_new(&r);
		for (int i = 0; i < NG; i++)
			pend[i] = prev[i] = -1;
		for (int i = 0; i < NG; i++) {
			char name[16];

			snprintf(name, sizeof(name), "g%d", i);
			cw_add_guest(w, name, 0, 0, 0, 0);
		}
		for (int c = 0; c < CYCLES; c++) {
			bool emergency = rng_chance(20), dry = rng_chance(10);
			size_t before = w->fb.ncalls;

			for (int i = 0; i < NG; i++) {
				struct guest *g = &w->g[i];
				int64_t last = -1, cur;

				/* Often the guest follows its last target. */
				cw_fb_count(&w->fb, g->name, &last);
				if (last >= 0 && rng_chance(50))
					g->row[GF_BALLOON_CUR] = (double)last;
				else
					random_guest(g);
				cw_plan_clear_targets(w);
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
					cw_plan_target(w, w->g[i].name,
						       rng_range(-hi / 2, hi));
			}
			cw_plan_emergency(w, emergency);
			cw_cycle(w, dry);
			cycles++;
			if (dry && w->fb.ncalls != before)
				dry_called++;
			for (size_t k = before; k < w->fb.ncalls; k++) {
				struct guest *g =
				    cw_find_guest(w, w->fb.calls[k].guest);

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
		cw_world_free(w);
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
	check_target(&v, &cw_default_rails, g.row, false, -1, 3675000);
	T_EQ_INT(v.n, 0, "checker: a good target passes");
	check_target(&v, &cw_default_rails, g.row, false, -1, 3674999);
	T_EQ_INT(v.n, 1, "checker: below the used floor is caught");
	check_target(&v, &cw_default_rails, g.row, true, -1, 3599999);
	T_EQ_INT(v.n, 2, "checker: beyond the step is caught");
	check_target(&v, &cw_default_rails, g.row, true, -1, 4000000);
	T_EQ_INT(v.n, 3, "checker: t == cur is caught");
	check_target(&v, &cw_default_rails, g.row, false, 3600000, 4000000);
	T_EQ_INT(v.n, 3, "checker: t == cur stopping another pending passes");
	check_target(&v, &cw_default_rails, g.row, false, 3800002, 3800000);
	T_EQ_INT(v.n, 4, "checker: the pending target sent again is caught");
	g.row[GF_BALLOON_CUR] = 1000000;
	check_target(&v, &cw_default_rails, g.row, true, -1, 900000);
	T_EQ_INT(v.n, 5, "checker: below the minimum is caught");
	check_target(&v, &cw_default_rails, g.row, true, -1, 1000003);
	T_EQ_INT(v.n, 6, "checker: within a page of cur is caught");
	{
		struct control_rails r = cw_default_rails;

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
	test_property_checker();
	test_property();
	return t_done();
}
