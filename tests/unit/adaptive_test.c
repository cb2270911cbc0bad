/* SPDX-License-Identifier: Apache-2.0 */
/*
 * adaptive_test.c: the adaptive policy set (policies/adaptive, issue 19).
 *
 * 1. Golden cases, one per branch of the law: tests/data/eval-adaptive/
 *    (written by its generate.py from the law as README states it).
 * 2. A property test: random hosts, guests, histories and states, run for
 *    several cycles with each plan's state fed into the next; no target
 *    is below the guest's floor (guaranteed minimum, peak use + margin,
 *    the size floor) or above its maximum, a stressed guest (including a
 *    rise of its use, from its own statistics or its balloon size) is never
 *    shrunk, and a guest with stale statistics gets no decision.  The constants
 *    are read from policies/adaptive/00-defines.json, so a site's tuning
 *    is checked the same way.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedir.h"
#include "evstate.h"
#include "field.h"
#include "policy.h"

#define NG     6
#define NH     3
#define CYCLES 4

struct k {
	double margin_min, margin_frac, floor_base, floor_frac, swapin, majflt,
	    stale, peak_decay, rise, rise_own;
};

static double def(json_t *defs, const char *name)
{
	json_t *v = json_object_get(defs, name);

	T_OK(json_is_number(v), "define %s present", name);
	return json_number_value(v);
}

static int load_k(struct k *k)
{
	char path[600];
	json_error_t jerr;
	json_t *root, *d;

	snprintf(path, sizeof(path), "%s/policies/adaptive/00-defines.json",
		 cd_srcdir());
	root = json_load_file(path, 0, &jerr);
	d = json_object_get(root, "defines");
	if (!T_OK(d, "read the adaptive defines"))
		return -1;
	k->margin_min = def(d, "adaptive_margin_min_kib");
	k->margin_frac = def(d, "adaptive_margin_frac");
	k->floor_base = def(d, "adaptive_floor_base_kib");
	k->floor_frac = def(d, "adaptive_floor_frac");
	k->swapin = def(d, "adaptive_swapin_kibs");
	k->majflt = def(d, "adaptive_majflt_per_s");
	k->stale = def(d, "adaptive_stale_s");
	k->peak_decay = def(d, "adaptive_peak_decay");
	k->rise = def(d, "adaptive_rise_kib");
	k->rise_own = def(d, "adaptive_rise_own_kib");
	json_decref(root);
	return 0;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static double urand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (double)(rng >> 11) / 9007199254740992.0;
}

static double maybe_absent(double v)
{
	return urand() < 0.04 ? FIELD_ABSENT : v;
}

static void random_guest(double *rows)
{
	double mx = 65536 + urand() * 4194304;
	double cur = mx * (0.1 + 0.9 * urand());
	double avail = cur * (0.9 + 0.1 * urand());
	/* autodeflate absent, off (the rise from the guest's own statistics)
	   or on (from the balloon size) */
	double u = urand(), ad = u < 0.33 ? FIELD_ABSENT : u < 0.67 ? 0 : 1;

	for (size_t h = 0; h < NH; h++) {
		double *r = &rows[h * GUEST_FIELD_COUNT];

		for (size_t f = 0; f < GUEST_FIELD_COUNT; f++)
			r[f] = FIELD_ABSENT;
		r[GF_BALLOON_CUR] = maybe_absent(cur);
		r[GF_BALLOON_MAX] = maybe_absent(mx);
		r[GF_BALLOON_MIN] =
		    maybe_absent(urand() < 0.5 ? 0 : mx * urand() * 0.6);
		r[GF_MEM_AVAILABLE] = maybe_absent(avail);
		r[GF_MEM_USABLE] = maybe_absent(avail * urand());
		r[GF_SWAP_IN] =
		    maybe_absent(urand() < 0.2 ? urand() * 1000 : 0);
		r[GF_MAJOR_FAULT] =
		    maybe_absent(urand() < 0.2 ? urand() * 200 : 0);
		r[GF_STATS_AGE] = maybe_absent(urand() < 0.1 ? 100 : 1);
		r[GF_SHARES] =
		    maybe_absent(urand() < 0.5 ? FIELD_ABSENT : urand() * 5000);
		r[GF_BALLOON_AUTODEFLATE] = ad;
	}
	/* momd's last applied target, in the newest row only (engine.c):
	   absent (none applied, or a momd without it), or up to 128 MiB
	   below or above the balloon's size */
	rows[(NH - 1) * GUEST_FIELD_COUNT + GF_BALLOON_TARGET] =
	    urand() < 0.4 ? FIELD_ABSENT : cur + (urand() - 0.5) * 262144;
}

/* A random history of the law: quiet counts, cool-downs, remembered
   peaks and a host tier, as earlier cycles could have left them. */
static struct evstate *random_state(const char *const *names)
{
	struct evstate *st = evstate_new();

	if (!st || evstate_put(st, "", "tier", floor(urand() * 3)))
		return st;
	for (size_t g = 0; g < NG; g++) {
		if (urand() < 0.1)
			continue; /* a guest seen for the first time */
		evstate_put(st, names[g], "quiet", floor(urand() * 40));
		evstate_put(st, names[g], "cooldown",
			    urand() < 0.3 ? floor(urand() * 15) : 0);
		if (urand() < 0.5)
			evstate_put(st, names[g], "peak_used",
				    urand() * 4194304);
		if (urand() < 0.3)
			evstate_put(st, names[g], "step", urand() * 131072);
		if (urand() < 0.3)
			evstate_put(st, names[g], "step_from",
				    urand() * 4194304);
	}
	return st;
}

/* The state's value, or `absent` when the key is not kept. */
static double state_or(const struct evstate *st, const char *entity,
		       const char *key, double absent)
{
	for (size_t i = 0; st && i < st->n; i++)
		if (!strcmp(st->e[i].entity, entity) &&
		    !strcmp(st->e[i].key, key))
			return st->e[i].value;
	return absent;
}

static double state_val(const struct evstate *st, const char *entity,
			const char *key)
{
	return state_or(st, entity, key, 0);
}

/* The floor the README promises, with the peak use the state remembers;
   NaN when the inputs are absent. */
static double floor_of(const struct k *k, const double *r, double peak_in)
{
	double mx = r[GF_BALLOON_MAX];
	double margin = fmax(k->margin_min, k->margin_frac * mx);
	double used = fmax(fmax(0, r[GF_BALLOON_CUR] - r[GF_MEM_USABLE]),
			   k->peak_decay * peak_in);
	double fsize = fmin(mx, k->floor_base + k->floor_frac * mx);
	double mn = field_present(r[GF_BALLOON_MIN]) ? r[GF_BALLOON_MIN] : 0;

	return fmin(mx, fmax(fmax(mn, used + margin), fsize));
}

/* Mean of field f over the nh rows, skipping absent values (the
   language's avg); 0 when all are absent. */
static double mean(const double *rows, size_t nh, size_t f)
{
	double sum = 0;
	size_t n = 0;

	for (size_t h = 0; h < nh; h++)
		if (field_present(rows[h * GUEST_FIELD_COUNT + f])) {
			sum += rows[h * GUEST_FIELD_COUNT + f];
			n++;
		}
	return n ? sum / n : 0;
}

/* The README's stress: swap-in, major faults, usable below the margin, or
   a rise of use above its mean (from the guest's own statistics when its
   balloon has no autodeflate, else from the balloon size less the law's
   own step: the step applied, state step_from - balloon_target, at most
   the step asked, state step; the step asked without the two). */
static bool stressed(const struct k *k, const double *rows, size_t nh,
		     const struct evstate *st, const char *name)
{
	const double *r = &rows[(nh - 1) * GUEST_FIELD_COUNT];
	double step = state_val(st, name, "step");
	double from = state_or(st, name, "step_from", FIELD_ABSENT);

	if (field_present(from) && field_present(r[GF_BALLOON_TARGET]))
		step = fmin(step, fmax(0, from - r[GF_BALLOON_TARGET]));
	double margin = fmax(k->margin_min, k->margin_frac * r[GF_BALLOON_MAX]);
	bool own = field_present(r[GF_BALLOON_AUTODEFLATE]) &&
		   r[GF_BALLOON_AUTODEFLATE] == 0;
	size_t size_f = own ? GF_MEM_AVAILABLE : GF_BALLOON_CUR;
	double rise = (r[size_f] - r[GF_MEM_USABLE]) -
		      (mean(rows, nh, size_f) - mean(rows, nh, GF_MEM_USABLE)) -
		      (own ? 0 : step);

	return (field_present(r[GF_SWAP_IN]) && r[GF_SWAP_IN] > k->swapin) ||
	       (field_present(r[GF_MAJOR_FAULT]) &&
		r[GF_MAJOR_FAULT] > k->majflt) ||
	       r[GF_MEM_USABLE] < margin ||
	       rise > (own ? k->rise_own : k->rise);
}

static void properties(const struct policy_set *ps, const struct k *k)
{
	static double grows[NG * NH * GUEST_FIELD_COUNT];
	static double hrows[NH * HOST_FIELD_COUNT];
	static const char *const names[NG] = {"g0", "g1", "g2",
					      "g3", "g4", "g5"};
	struct snap_entity guests[NG];
	unsigned long decisions = 0, below = 0, shrunk = 0, over = 0, stale = 0,
		      errors = 0, shrinks = 0, gives = 0;

	for (int trial = 0; trial < 3000; trial++) {
		struct evstate *st = NULL;
		struct snapshot snap;

		for (size_t h = 0; h < NH; h++) {
			double *r = &hrows[h * HOST_FIELD_COUNT];
			double total = 2e6 + urand() * 3e7;

			for (size_t f = 0; f < HOST_FIELD_COUNT; f++)
				r[f] = FIELD_ABSENT;
			r[HF_MEM_AVAILABLE] = total;
			r[HF_MEM_USABLE] = total * urand() * 0.6;
			r[HF_MEM_FREE] = r[HF_MEM_USABLE];
			r[HF_PSI_SOME_AVG10] = urand() < 0.2 ? urand() * 20 : 0;
		}
		for (size_t g = 0; g < NG; g++) {
			random_guest(&grows[g * NH * GUEST_FIELD_COUNT]);
			guests[g] = (struct snap_entity){
			    names[g], NH, &grows[g * NH * GUEST_FIELD_COUNT],
			    NULL};
		}
		snap = (struct snapshot){NULL,	 0,  {"host", NH, hrows, NULL},
					 guests, NG, NULL};
		st = random_state(names);
		for (int cyc = 0; cyc < CYCLES; cyc++) {
			struct plan *plan;

			snap.state = st;
			plan = eval_run(ps, &snap);
			if (!plan)
				break;
			for (size_t g = 0; g < NG; g++) {
				const double *r = &grows[(g * NH + NH - 1) *
							 GUEST_FIELD_COUNT];
				const struct plan_value *pv =
				    &plan->guests[g].ctl[GC_BALLOON_TARGET];
				double t = (double)pv->value;

				errors += plan->guests[g].error != NULL;
				if (!pv->set)
					continue;
				decisions++;
				if (field_present(r[GF_STATS_AGE]) &&
				    r[GF_STATS_AGE] > k->stale)
					stale++;
				/* The target is truncated: allow 1 KiB. */
				if (t < floor_of(k, r,
						 state_val(st, names[g],
							   "peak_used")) -
					    1)
					below++;
				if (t > r[GF_BALLOON_MAX])
					over++;
				if (t < r[GF_BALLOON_CUR]) {
					shrinks++;
					shrunk += stressed(
					    k,
					    &grows[g * NH * GUEST_FIELD_COUNT],
					    NH, st, names[g]);
				} else {
					gives++;
				}
			}
			evstate_free(st);
			st = plan->state;
			plan->state = NULL;
			plan_free(plan);
			/* The guest acted on: the next cycle sees the balloon
			   where the last one put it, usage unchanged. */
		}
		evstate_free(st);
	}
	printf("# %lu decisions (%lu shrinks, %lu give-backs), %lu guest "
	       "errors\n",
	       decisions, shrinks, gives, errors);
	T_OK(decisions > 1000 && shrinks > 100 && gives > 100,
	     "the random inputs reach both reclaim and give-back");
	T_EQ_INT(errors, 0, "no guest's evaluation fails, whatever is absent");
	T_EQ_INT(below, 0, "no target below the guest's floor");
	T_EQ_INT(over, 0, "no target above the guest's maximum");
	T_EQ_INT(shrunk, 0, "a stressed guest is never shrunk");
	T_EQ_INT(stale, 0, "no decision on stale statistics");
}

int main(void)
{
	char dir[512], pdir[600];
	struct policy_error err;
	struct policy_set *ps;
	struct k k;

	snprintf(pdir, sizeof(pdir), "%s/policies/adaptive", cd_srcdir());
	ps = policy_set_load_dir(pdir, &err);
	if (!T_OK(ps, "the adaptive set loads")) {
		printf("#   %s %s: %s\n", err.policy, err.path, err.message);
		return t_done();
	}
	snprintf(dir, sizeof(dir), "%s/tests/data/eval-adaptive", cd_srcdir());
	T_OK(cd_run_dir(ps, dir) >= 15, "at least 15 adaptive golden cases");
	if (load_k(&k) == 0)
		properties(ps, &k);
	policy_set_free(ps);
	return t_done();
}
