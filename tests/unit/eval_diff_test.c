/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_diff_test.c: differential test of the shipped policies against a
 * direct C transcription of MOM's default balloon and KSM algorithms, as
 * stated in mom-reference section 2.5 and 2.6 (with MOM's order of
 * floating-point operations), over many random, boundary-biased snapshots.
 * Both must set the same controls to the same integers.
 *
 * MOM itself (GPL Python) cannot run here; the transcription below is
 * written from the reference text only.  It models three deliberate,
 * documented differences of our shipped policies (policies/README.md):
 *  - error isolation: where MOM's Python would raise (an absent value in
 *    arithmetic or an ordering comparison, division by zero) and abort the
 *    whole cycle, only the entity concerned loses its controls.  The
 *    "B17 class" (a guest whose guaranteed-minimum comparison meets an
 *    absent balloon field) is therefore a guest error here, where MOM
 *    applied nothing at all; those guests are counted separately;
 *  - the "emergency" signal (host free fraction <= pressure_critical);
 *  - an absent ksm_merge_across_nodes (a kernel without the file, where
 *    MOM could not start) neither sets the mode nor triggers unmerging.
 * The seed is fixed so failures reproduce; MOM_DIFF_SEED overrides it.
 *
 * A second pass checks the converter of MOM's policy language
 * (actuator/momlang.h): tests/data/mom/00..03, MOM-syntax versions of the
 * defaults written from the reference, are converted and must decide
 * exactly as the shipped JSON policies on 100 000 more random snapshots
 * (the same controls, values and failing entities; the emergency signal is
 * not MOM's and is not compared).  Inputs with an absent
 * ksm_merge_across_nodes, which MOM never saw, are given a value.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "mom_defaults.h"
#include "policy.h"
#include "testing.h"

#define NGUESTS_MAX 4
#define HLEN_MAX    10

struct ref_plan {
	bool host_err, emergency;
	bool hset[HOST_CONTROL_COUNT];
	double h[HOST_CONTROL_COUNT];
	bool gerr[NGUESTS_MAX], gset[NGUESTS_MAX], b17[NGUESTS_MAX];
	double target[NGUESTS_MAX];
};

struct input {
	double host[HLEN_MAX * HOST_FIELD_COUNT];
	double guest[NGUESTS_MAX][HLEN_MAX * GUEST_FIELD_COUNT];
	struct snap_entity ge[NGUESTS_MAX];
	struct snap_param params[3];
	struct snapshot snap;
	double bE, kE, kM;
};

/* ---- the transcription (reference sections 2.2, 2.5, 2.6) ---- */

static double latest(const struct snap_entity *e, size_t w, int f)
{
	return snap_latest(e, w, f);
}

static double stat_avg(const struct snap_entity *e, size_t w, int f)
{
	double sum = 0.0;
	int n = 0;

	for (size_t i = 0; i < e->len; i++) {
		double v = e->values[i * w + (size_t)f];

		if (!isnan(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / n : 0.0;
}

static bool truth(double v)
{
	return !isnan(v) && v != 0;
}

/* 2.5 step 1, and the emergency signal.  Returns false on error. */
static bool ref_hfp(const struct snapshot *s, double *hfp)
{
	double avail = latest(&s->host, HOST_FIELD_COUNT, HF_MEM_AVAILABLE);
	double free_mean = stat_avg(&s->host, HOST_FIELD_COUNT, HF_MEM_FREE);

	if (isnan(avail) || avail == 0)
		return false;
	*hfp = free_mean / avail;
	return true;
}

static void ref_set(struct ref_plan *r, int c, double v)
{
	r->hset[c] = true;
	r->h[c] = v;
}

/* 2.6.  Returns false on error. */
static bool ref_ksm(const struct input *in, struct ref_plan *r)
{
	const struct snap_entity *h = &in->snap.host;
	const size_t w = HOST_FIELD_COUNT;
	double avail = latest(h, w, HF_MEM_AVAILABLE);
	double thr = 0.20 * avail;
	double committed = latest(h, w, HF_KSM_SHAREABLE);
	double S = latest(h, w, HF_KSM_PAGES_SHARED);
	double M = latest(h, w, HF_KSM_MERGE_ACROSS_NODES);
	double P = latest(h, w, HF_KSM_PAGES_TO_SCAN);
	double free_mean = stat_avg(h, w, HF_MEM_FREE);
	bool action2, idle;
	double npages, sleep_ms;

	if (S == 0 && !isnan(M))
		ref_set(r, HC_KSM_MERGE_ACROSS_NODES, in->kM);
	if (isnan(S))
		return false;
	action2 = S > 0 && ((!isnan(M) && M != in->kM) || !truth(in->kE));
	if (isnan(committed))
		return false;
	idle = (thr + committed < avail) && (free_mean > thr);
	if (idle || !truth(in->kE) || action2) {
		ref_set(r, HC_KSM_RUN, action2 ? 2 : 0);
		return true;
	}
	ref_set(r, HC_KSM_RUN, 1);
	sleep_ms = (10.0 * 16777216.0) / avail;
	ref_set(r, HC_KSM_SLEEP_MILLISECS, sleep_ms > 10 ? sleep_ms : 10);
	if (isnan(P))
		return false;
	npages = P + (free_mean < thr ? 300 : -50);
	if (npages < 64)
		npages = 64;
	if (npages > 1250)
		npages = 1250;
	ref_set(r, HC_KSM_PAGES_TO_SCAN, npages);
	return true;
}

/* 2.5 step 2 for one guest; false on error. */
static bool ref_balloon(const struct input *in, const struct snap_entity *g,
			bool host_ok, double hfp, bool *set, double *target)
{
	const size_t w = GUEST_FIELD_COUNT;
	double cur = latest(g, w, GF_BALLOON_CUR);
	double unused = latest(g, w, GF_MEM_UNUSED);
	double bmin = latest(g, w, GF_BALLOON_MIN);
	double bmax = latest(g, w, GF_BALLOON_MAX);
	double gfp, used, floor_, size;

	if (isnan(cur) || isnan(unused))
		return true;
	if (!host_ok)
		return false;
	gfp = hfp <= 0.05 ? hfp - 0.05 : 0.20 * (hfp / 0.20);
	used = stat_avg(g, w, GF_BALLOON_CUR) - stat_avg(g, w, GF_MEM_UNUSED);
	if (isnan(bmin))
		return false;
	floor_ = used + gfp * cur;
	if (!(floor_ > bmin))
		floor_ = bmin;
	if (hfp < 0.20 && truth(in->bE)) {
		size = cur * (1 - 0.05);
		if (size < floor_)
			size = floor_;
		if (size <= cur && fabs(size - cur) > 0.0025 * cur) {
			*set = true;
			*target = size;
		}
		return true;
	}
	if (isnan(bmax))
		return false;
	if (!(cur < bmax))
		return true;
	size = cur * (1 + 0.05);
	if (size < floor_)
		size = floor_;
	if (size > bmax)
		size = bmax;
	if (fabs(size - cur) > 0.0025 * cur) {
		*set = true;
		*target = size;
	}
	return true;
}

static void ref_run(const struct input *in, struct ref_plan *r)
{
	double hfp = 0;
	bool hfp_ok, ksm_ok;

	memset(r, 0, sizeof(*r));
	hfp_ok = ref_hfp(&in->snap, &hfp);
	/* When the balloon host rule fails, 03-ksm's host rule never runs. */
	ksm_ok = hfp_ok && ref_ksm(in, r);
	r->host_err = !ksm_ok;
	r->emergency = !r->host_err && hfp <= 0.05;
	if (r->host_err)
		memset(r->hset, 0, sizeof(r->hset));
	for (size_t g = 0; g < in->snap.nguests; g++) {
		const struct snap_entity *e = &in->snap.guests[g];
		double cur = latest(e, GUEST_FIELD_COUNT, GF_BALLOON_CUR);
		double bmin = latest(e, GUEST_FIELD_COUNT, GF_BALLOON_MIN);

		if (!ref_balloon(in, e, hfp_ok, hfp, &r->gset[g],
				 &r->target[g])) {
			r->gerr[g] = true;
			r->gset[g] = false;
			continue;
		}
		/* 2.5 step 3: no validity check (MOM aborts here: B17). */
		if (isnan(cur) || isnan(bmin)) {
			r->gerr[g] = r->b17[g] = true;
			r->gset[g] = false;
			continue;
		}
		if (cur < bmin) {
			r->gset[g] = true;
			r->target[g] = bmin;
		}
	}
}

/* ---- random, boundary-biased inputs ---- */

static unsigned long long rng_state;

static unsigned rnd(unsigned n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng_state >> 33) % n);
}

static double pick(const double *v, unsigned n)
{
	return v[rnd(n)];
}

static double maybe_absent(double v, unsigned per_mille)
{
	return rnd(1000) < per_mille ? FIELD_ABSENT : v;
}

static void gen_host(struct input *in, size_t len)
{
	static const double avails[] = {10000000, 16777216, 16000000, 4194304,
					8388608,  67108864, 12582912, 20000000};
	double avail = rnd(10) ? pick(avails, 8) : 1 + rnd(100000000);
	double pts[] = {64, 100, 1200, 1250, 1100, 0, rnd(3000)};
	double shared[] = {0, 0, 0, 3, 500, rnd(100000)};
	double share[] = {0, avail * 0.8, avail * 0.8 - 1, rnd(20000000)};
	double S = maybe_absent(pick(shared, 6), 10);
	double M = maybe_absent(rnd(2), 20), P = maybe_absent(pick(pts, 7), 10);
	double sh = maybe_absent(pick(share, 4), 10);

	if (rnd(200) == 0)
		avail = rnd(2) ? 0 : FIELD_ABSENT;
	for (size_t i = 0; i < len; i++) {
		double *row = &in->host[i * HOST_FIELD_COUNT];
		double frees[] = {
		    avail * 0.2,
		    avail * 0.05,
		    avail * 0.2 + 1,
		    avail * 0.2 - 1,
		    (double)rnd(1 + (unsigned)(isnan(avail) ? 1 : avail)),
		    3355443,
		    2000000};

		for (int f = 0; f < HOST_FIELD_COUNT; f++)
			row[f] = FIELD_ABSENT;
		row[HF_MEM_AVAILABLE] = avail;
		row[HF_MEM_FREE] = maybe_absent(floor(pick(frees, 7)), 150);
		row[HF_KSM_PAGES_SHARED] = S;
		row[HF_KSM_MERGE_ACROSS_NODES] = M;
		row[HF_KSM_PAGES_TO_SCAN] = P;
		row[HF_KSM_SHAREABLE] = sh;
		row[HF_KSM_RUN] = rnd(3);
		row[HF_KSM_SLEEP_MILLISECS] = 20;
	}
	in->snap.host = (struct snap_entity){"host", len, in->host};
}

static void gen_guest(struct input *in, size_t g, size_t len)
{
	static const double maxes[] = {2000000, 4000000, 2004000,
				       2005000, 2005001, 1048576};
	double bmax = rnd(4) ? pick(maxes, 6) : 100000 + rnd(8000000);
	double mins[] = {0, 0, 1000000, bmax / 2, 205000, bmax};
	double bmin = pick(mins, 6);
	double curs[] = {bmax,
			 bmax / 2,
			 bmin,
			 bmin - 1,
			 2000000,
			 3333333,
			 (double)rnd((unsigned)bmax + 1)};
	double cur = pick(curs, 7);

	for (size_t i = 0; i < len; i++) {
		double *row = &in->guest[g][i * GUEST_FIELD_COUNT];
		double unused[] = {
		    cur / 2, 100000,  205000,
		    205001,  1500000, (double)rnd((unsigned)fabs(cur) + 1)};

		for (int f = 0; f < GUEST_FIELD_COUNT; f++)
			row[f] = FIELD_ABSENT;
		row[GF_BALLOON_CUR] =
		    maybe_absent(rnd(8) ? cur : cur + rnd(100000), 60);
		row[GF_BALLOON_MAX] = maybe_absent(bmax, 30);
		row[GF_BALLOON_MIN] = maybe_absent(bmin, 30);
		row[GF_MEM_UNUSED] = maybe_absent(pick(unused, 6), 100);
	}
	in->ge[g] = (struct snap_entity){"g", len, in->guest[g]};
}

static void gen(struct input *in)
{
	static const double vals[] = {0, 1, 1, 0.5, 2};
	size_t np = 0;

	memset(in, 0, sizeof(*in));
	gen_host(in, rnd(HLEN_MAX + 1));
	in->snap.nguests = rnd(NGUESTS_MAX + 1);
	for (size_t g = 0; g < in->snap.nguests; g++)
		gen_guest(in, g, rnd(HLEN_MAX + 1));
	in->snap.guests = in->ge;
	in->bE = 0;
	in->kE = in->kM = 1;
	if (rnd(4)) {
		in->bE = pick(vals, 5);
		in->params[np++] =
		    (struct snap_param){"balloonEnabled", in->bE};
	}
	if (rnd(4)) {
		in->kE = pick(vals, 5);
		in->params[np++] = (struct snap_param){"ksmEnabled", in->kE};
	}
	if (rnd(4)) {
		in->kM = pick(vals, 5);
		in->params[np++] =
		    (struct snap_param){"ksmMergeAcrossNodes", in->kM};
	}
	in->snap.params = in->params;
	in->snap.nparams = np;
}

/* ---- comparison ---- */

struct tally {
	unsigned long cases, mismatches, shrink_or_grow, qos, b17, gerr, herr,
	    emergency, unmerge, run1, merge;
};

static bool same_value(bool rset, double rv, const struct plan_value *pv)
{
	if (rset != pv->set)
		return false;
	return !rset || (int64_t)rv == pv->value;
}

static bool compare(const struct ref_plan *r, const struct plan *p,
		    struct tally *t)
{
	bool ok = (r->host_err == (p->host_error != NULL)) &&
		  (r->emergency == p->signal[PS_EMERGENCY].set);

	for (int c = 0; c < HOST_CONTROL_COUNT; c++)
		ok &= same_value(r->hset[c], r->h[c], &p->host[c]);
	for (size_t g = 0; g < p->nguests; g++) {
		ok &= r->gerr[g] == (p->guests[g].error != NULL);
		ok &= same_value(r->gset[g], r->target[g],
				 &p->guests[g].ctl[GC_BALLOON_TARGET]);
		t->b17 += r->b17[g];
		t->gerr += r->gerr[g];
		t->shrink_or_grow += r->gset[g];
	}
	t->herr += r->host_err;
	t->emergency += r->emergency;
	t->unmerge += r->hset[HC_KSM_RUN] && r->h[HC_KSM_RUN] == 2;
	t->run1 += r->hset[HC_KSM_RUN] && r->h[HC_KSM_RUN] == 1;
	t->merge += r->hset[HC_KSM_MERGE_ACROSS_NODES];
	return ok;
}

static void dump(const struct ref_plan *r, const struct plan *p)
{
	printf("#   ref: host_err %d emergency %d", r->host_err, r->emergency);
	for (int c = 0; c < HOST_CONTROL_COUNT; c++)
		printf(" %s=%s%.17g", host_control_names[c],
		       r->hset[c] ? "" : "unset/", r->h[c]);
	printf("\n#   got: host_err %s emergency %d",
	       p->host_error ? p->host_error : "-",
	       p->signal[PS_EMERGENCY].set);
	for (int c = 0; c < HOST_CONTROL_COUNT; c++)
		printf(" %s=%s%lld", host_control_names[c],
		       p->host[c].set ? "" : "unset/",
		       (long long)p->host[c].value);
	printf("\n");
	for (size_t g = 0; g < p->nguests; g++)
		printf("#   guest %zu: ref err %d set %d %.17g; got err %s set "
		       "%d %lld\n",
		       g, r->gerr[g], r->gset[g], r->target[g],
		       p->guests[g].error ? p->guests[g].error : "-",
		       p->guests[g].ctl[0].set,
		       (long long)p->guests[g].ctl[0].value);
}

/* ---- the converted MOM-syntax defaults against the shipped set ---- */

static bool same_plan(const struct plan *a, const struct plan *b)
{
	bool ok = (a->host_error == NULL) == (b->host_error == NULL) &&
		  a->nguests == b->nguests;

	for (int c = 0; c < HOST_CONTROL_COUNT; c++)
		ok &= a->host[c].set == b->host[c].set &&
		      (!a->host[c].set || a->host[c].value == b->host[c].value);
	for (size_t g = 0; ok && g < a->nguests; g++) {
		const struct plan_value *x =
		    &a->guests[g].ctl[GC_BALLOON_TARGET];
		const struct plan_value *y =
		    &b->guests[g].ctl[GC_BALLOON_TARGET];

		ok &= (a->guests[g].error == NULL) ==
		      (b->guests[g].error == NULL);
		ok &= x->set == y->set && (!x->set || x->value == y->value);
	}
	return ok;
}

static void converted_pass(const char *src, const struct policy_set *shipped,
			   struct input *in)
{
	struct policy_error err;
	struct policy_set *mom = mom_test_defaults(src, &err);
	unsigned long cases = 0, bad = 0, targets = 0, runs = 0;
	const unsigned long n = 100000;

	if (!T_OK(
		mom,
		"the MOM-syntax defaults (tests/data/mom) convert and load")) {
		printf("#   %s:%d:%d %s: %s\n", err.policy, err.line,
		       err.column, err.path, err.message);
		return;
	}
	for (unsigned long i = 0; i < n; i++) {
		struct plan *a, *b;

		gen(in);
		for (size_t r = 0; r < in->snap.host.len; r++) {
			double *m = &in->host[r * HOST_FIELD_COUNT +
					      HF_KSM_MERGE_ACROSS_NODES];

			if (isnan(*m))
				*m = rnd(2);
		}
		a = eval_run(shipped, &in->snap);
		b = eval_run(mom, &in->snap);
		if (a && b) {
			cases++;
			if (!same_plan(a, b) && bad++ < 3) {
				printf("# converted differs in case %lu\n", i);
				printf("#   shipped:\n");
				dump(&(struct ref_plan){0}, a);
				printf("#   converted:\n");
				dump(&(struct ref_plan){0}, b);
			}
			for (size_t g = 0; g < a->nguests; g++)
				targets +=
				    a->guests[g].ctl[GC_BALLOON_TARGET].set;
			runs += a->host[HC_KSM_RUN].set;
		}
		plan_free(a);
		plan_free(b);
	}
	T_EQ_INT(cases, n, "every random snapshot evaluated by both sets");
	T_EQ_INT(bad, 0,
		 "the converted MOM-syntax defaults decide exactly as the "
		 "shipped JSON policies");
	T_OK(targets > 1000 && runs > 1000,
	     "the inputs reach the balloon and KSM paths (%lu targets, %lu "
	     "ksm_run)",
	     targets, runs);
	policy_set_free(mom);
}

int main(void)
{
	const char *seed = getenv("MOM_DIFF_SEED");
	const char *src = getenv("MOM_SRCDIR");
	char dir[512];
	struct policy_error err;
	struct policy_set *ps;
	struct tally t = {0};
	struct input *in = calloc(1, sizeof(*in));
	const unsigned long n = 200000;

	rng_state = seed ? strtoull(seed, NULL, 0) : 20260501;
	snprintf(dir, sizeof(dir), "%s/policies", src ? src : ".");
	ps = policy_set_load_dir(dir, &err);
	if (!T_OK(ps && in, "shipped policies load"))
		return t_done();
	for (unsigned long i = 0; i < n; i++) {
		struct ref_plan r;
		struct plan *p;

		gen(in);
		ref_run(in, &r);
		p = eval_run(ps, &in->snap);
		if (!p)
			break;
		t.cases++;
		if (!compare(&r, p, &t) && t.mismatches++ < 3) {
			printf("# mismatch in case %lu\n", i);
			dump(&r, p);
		}
		plan_free(p);
	}
	T_EQ_INT(t.cases, n, "every random snapshot evaluated");
	T_EQ_INT(
	    t.mismatches, 0,
	    "eval_run agrees with the transcription of MOM on every snapshot");
	printf("# %lu snapshots: %lu guest targets, %lu B17-class guests, %lu "
	       "guest errors, %lu host errors, %lu emergencies, %lu unmerges, "
	       "%lu ksm runs, %lu merge settings\n",
	       t.cases, t.shrink_or_grow, t.b17, t.gerr, t.herr, t.emergency,
	       t.unmerge, t.run1, t.merge);
	T_OK(t.shrink_or_grow > 1000 && t.b17 > 100 && t.gerr > t.b17 &&
		 t.herr > 10 && t.emergency > 100 && t.unmerge > 100 &&
		 t.run1 > 1000 && t.merge > 1000,
	     "the random inputs reach every path");
	converted_pass(src ? src : ".", ps, in);
	policy_set_free(ps);
	free(in);
	return t_done();
}
