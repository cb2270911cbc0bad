/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_diff_qos_test.c: differential test of the shipped CPU QoS policy
 * (policies/04-cputune.json, with 00-defines) against a direct C
 * transcription of vdsm's 04-cputune as mom-reference section 2.7 states
 * it (with MOM's order of floating-point operations), and against the
 * MOM-syntax version tests/data/mom/04-cputune.policy converted by
 * actuator/momlang.h, over many random, boundary-biased guests.  All three
 * must set the same controls to the same integers.
 *
 * The inputs are those MOM handled: a CPU limit, vCPU count and host CPU
 * count present and positive (the shipped policy leaves a guest without
 * them alone, where MOM's evaluator raised); the current quota and period
 * may be absent.  The seed is fixed; MOM_DIFF_SEED overrides it.
 *
 * The same for the I/O QoS policy (policies/05-iotune.json) against a
 * transcription of 05-iotune (section 2.7: with ioTuneEnabled each disk's
 * six limits are its maximum's, else 0), over random disks of random
 * guests whose metadata may lack keys: a disk whose maximum lacks a key
 * must fail alone when enabled (MOM's cycle failed whole) and get zeros
 * when disabled.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "momlang.h"
#include "mom_defaults.h"
#include "policy.h"
#include "testing.h"

#define NG 8

struct ref {
	bool qset, pset;
	double q, p;
};

/* ---- the transcription (reference section 2.7) ---- */

static void ref_cputune(double cpus, double vcpus, double limit, double cq,
			double cp, bool enabled, struct ref *r)
{
	*r = (struct ref){0};
	if (enabled && limit < 100) {
		double q = limit / 100.0 * (100000 * cpus) / vcpus;
		double m = q > 1000 ? 1 : 1 + 1000 / q;

		/* "each set only if it changed": absent differs from any. */
		if (isnan(cq) || cq != q * m) {
			r->qset = true;
			r->q = q * m;
		}
		if (isnan(cp) || cp != 100000 * m) {
			r->pset = true;
			r->p = 100000 * m;
		}
		return;
	}
	*r = (struct ref){true, true, -1, 100000};
}

/* ---- random inputs ---- */

static unsigned long long rng;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)(rng >> 33) % n;
}

static double pick(const double *v, unsigned n)
{
	return v[rnd(n)];
}

struct input {
	double host[HOST_FIELD_COUNT];
	double guest[NG][GUEST_FIELD_COUNT];
	struct snap_entity ge[NG];
	char names[NG][8];
	struct snap_param param;
	struct snapshot snap;
};

static void gen(struct input *in, size_t ng)
{
	static const double cpus[] = {1, 2, 3, 4, 8, 16, 64, 120, 255, 512};
	static const double vcpus[] = {1, 2, 3, 4, 7, 16, 100, 160, 240, 256};
	static const double limits[] = {1,  2,	5,     9.5, 10,	 33.3,
					50, 99, 99.99, 100, 101, 150};

	for (int f = 0; f < HOST_FIELD_COUNT; f++)
		in->host[f] = FIELD_ABSENT;
	in->host[HF_CPU_COUNT] = rnd(4) ? pick(cpus, 10) : 1 + rnd(512);
	for (size_t g = 0; g < ng; g++) {
		double *row = in->guest[g];
		struct ref r;

		for (int f = 0; f < GUEST_FIELD_COUNT; f++)
			row[f] = FIELD_ABSENT;
		row[GF_VCPU_COUNT] = rnd(4) ? pick(vcpus, 10) : 1 + rnd(256);
		row[GF_VCPU_USER_LIMIT] =
		    rnd(4) ? pick(limits, 12) : 1 + rnd(100);
		/* Current values: absent, unlimited, random, or what the
		   policy would decide (the "only if changed" branch). */
		ref_cputune(in->host[HF_CPU_COUNT], row[GF_VCPU_COUNT],
			    row[GF_VCPU_USER_LIMIT], FIELD_ABSENT, FIELD_ABSENT,
			    true, &r);
		switch (rnd(4)) {
		case 0:
			break;
		case 1:
			row[GF_VCPU_QUOTA] = -1;
			row[GF_VCPU_PERIOD] = 100000;
			break;
		case 2:
			row[GF_VCPU_QUOTA] = 1000 + rnd(1000000);
			row[GF_VCPU_PERIOD] = 1000 + rnd(1000000);
			break;
		default:
			row[GF_VCPU_QUOTA] = r.q;
			row[GF_VCPU_PERIOD] = rnd(2) ? r.p : 100000;
		}
		snprintf(in->names[g], sizeof(in->names[g]), "g%zu", g);
		in->ge[g] = (struct snap_entity){in->names[g], 1, row, NULL};
	}
	in->param = (struct snap_param){"cpuTuneEnabled", rnd(5) != 0};
	in->snap = (struct snapshot){
	    .params = &in->param,
	    .nparams = 1,
	    .host = {"host", 1, in->host, NULL},
	    .guests = in->ge,
	    .nguests = ng,
	};
}

static bool same(bool rset, double rv, const struct plan_value *pv)
{
	return rset == pv->set && (!rset || (int64_t)rv == pv->value);
}

/* ---- 05-iotune: the transcription and random disks ---- */

#define ND (NG * 3)

struct dref {
	bool fail;
	double v[DISK_LIMITS];
};

static void ref_iotune(const double *row, bool enabled, struct dref *r)
{
	*r = (struct dref){0};
	for (int i = 0; i < DISK_LIMITS; i++) {
		double m = row[DF_MAX_BASE + i];

		/* "set to its maximum.* values": a missing key fails. */
		if (enabled && isnan(m))
			r->fail = true;
		r->v[i] = enabled ? m : 0;
	}
}

struct dinput {
	struct input g;
	double disk[ND][DISK_FIELD_COUNT];
	struct snap_disk sd[ND];
	char devs[ND][8];
	size_t nd;
};

static void gen_disks(struct dinput *in, size_t ng)
{
	static const double vals[] = {0,       1,	 100,	   1000,
				      1048576, 10000000, 1e9,	   1e12,
				      4e15,    9.2e18,	 123456.7, 5};

	gen(&in->g, ng);
	in->g.param = (struct snap_param){"ioTuneEnabled", rnd(4) != 0};
	in->nd = 0;
	for (size_t g = 0; g < ng; g++) {
		size_t n = rnd(4); /* 0..3 disks */

		for (size_t k = 0; k < n; k++) {
			double *row = in->disk[in->nd];

			for (int f = 0; f < DISK_FIELD_COUNT; f++)
				row[f] =
				    rnd(10) ? pick(vals, 12) : FIELD_ABSENT;
			/* Mostly complete metadata: a lacking key is the
			   exception the rail is for. */
			for (int f = DF_MAX_BASE; f < DF_MAX_BASE + DISK_LIMITS;
			     f++)
				if (rnd(30) && isnan(row[f]))
					row[f] = pick(vals, 12);
			snprintf(in->devs[in->nd], sizeof(in->devs[0]), "vd%c",
				 (char)('a' + k));
			in->sd[in->nd] = (struct snap_disk){
			    g, {in->devs[in->nd], 1, row, NULL}};
			in->nd++;
		}
	}
	in->g.snap.disks = in->sd;
	in->g.snap.ndisks = in->nd;
}

/* Runs of 05 against its transcription; returns the disagreements. */
static unsigned diff_iotune(const struct policy_set *ps, unsigned runs,
			    unsigned *failed, unsigned *errs)
{
	static struct dinput in;
	unsigned bad = 0;

	for (unsigned n = 0; n < runs; n++) {
		struct plan *p;

		gen_disks(&in, 1 + rnd(NG));
		p = eval_run(ps, &in.g.snap);
		if (!p || p->ndisks != in.nd) {
			(*errs)++;
			plan_free(p);
			continue;
		}
		for (size_t d = 0; d < in.nd; d++) {
			const struct plan_disk *pd = &p->disks[d];
			struct dref r;
			bool ok;

			ref_iotune(in.disk[d], in.g.param.value != 0, &r);
			*failed += r.fail;
			ok = r.fail == (pd->error != NULL);
			for (int i = 0; ok && i < DISK_LIMITS; i++)
				ok = same(!r.fail, r.v[i], &pd->ctl[i]);
			if (!ok && bad++ < 5)
				printf(
				    "#   disk %zu en %g: ref fail %d, got %s\n",
				    d, in.g.param.value, r.fail,
				    pd->error ? pd->error : "(no error)");
		}
		plan_free(p);
	}
	return bad;
}

/* ---- policy sets ---- */

static char *slurp(const char *src, const char *rel)
{
	char path[600];
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", src, rel);
	return mom_test_slurp(path, &len);
}

static struct policy_set *shipped(const char *src, const char *name)
{
	char rel[100];
	char *d = slurp(src, "policies/00-defines.json");
	char *c;
	struct policy_source s[] = {{"00-defines", d}, {name, NULL}};

	snprintf(rel, sizeof(rel), "policies/%s.json", name);
	c = slurp(src, rel);
	s[1].text = c;
	struct policy_error err;
	struct policy_set *ps = d && c ? policy_set_load(s, 2, &err) : NULL;

	free(d);
	free(c);
	return ps;
}

static struct policy_set *converted(const char *src)
{
	static const char *const names[] = {"00-defines", "04-cputune"};
	struct policy_source s[2];
	char *texts[2] = {0};
	struct policy_error err;
	struct policy_set *ps = NULL;

	for (int i = 0; i < 2; i++) {
		char rel[100];
		size_t len;
		char *mom;

		snprintf(rel, sizeof(rel), "tests/data/mom/%s.policy",
			 names[i]);
		mom = slurp(src, rel);
		len = mom ? strlen(mom) : 0;
		texts[i] =
		    mom ? momlang_convert_text(mom, len, names[i],
					       MOMLANG_MAX_OUTPUT_DEFAULT, &err)
			: NULL;
		free(mom);
		if (!texts[i]) {
			printf("#   %s: %s\n", names[i], err.message);
			goto out;
		}
		s[i] = (struct policy_source){names[i], texts[i]};
	}
	ps = policy_set_load(s, 2, &err);
	if (!ps)
		printf("#   load: %s\n", err.message);
out:
	free(texts[0]);
	free(texts[1]);
	return ps;
}

int main(void)
{
	const char *src = getenv("MOM_SRCDIR") ? getenv("MOM_SRCDIR") : ".";
	const char *seed = getenv("MOM_DIFF_SEED");
	struct policy_set *ps = shipped(src, "04-cputune"),
			  *mom = converted(src);
	struct policy_set *io = shipped(src, "05-iotune");
	unsigned runs = 20000, bad = 0, bad_mom = 0, limited = 0, errs = 0;
	unsigned dfailed = 0;
	static struct input in;

	rng = seed ? strtoull(seed, NULL, 10) : 1717;
	printf("# seed %llu\n", rng);
	if (!T_OK(ps && mom, "the shipped and the converted 04 load"))
		return t_done();
	for (unsigned n = 0; n < runs; n++) {
		size_t ng = 1 + rnd(NG);
		struct plan *p, *pm;

		gen(&in, ng);
		p = eval_run(ps, &in.snap);
		pm = eval_run(mom, &in.snap);
		if (!p || !pm) {
			errs++;
			plan_free(p);
			plan_free(pm);
			continue;
		}
		for (size_t g = 0; g < ng; g++) {
			const double *row = in.guest[g];
			const struct plan_guest *a = &p->guests[g];
			const struct plan_guest *b = &pm->guests[g];
			struct ref r;
			bool ok;

			ref_cputune(in.host[HF_CPU_COUNT], row[GF_VCPU_COUNT],
				    row[GF_VCPU_USER_LIMIT], row[GF_VCPU_QUOTA],
				    row[GF_VCPU_PERIOD], in.param.value != 0,
				    &r);
			limited += r.q > 0;
			ok = !a->error &&
			     same(r.qset, r.q, &a->ctl[GC_VCPU_QUOTA]) &&
			     same(r.pset, r.p, &a->ctl[GC_VCPU_PERIOD]);
			if (!ok && bad++ < 5)
				printf(
				    "#   cpus %g vcpus %g limit %g cur %g/%g "
				    "en %g: ref %d %.17g %d %.17g, got %d "
				    "%lld %d %lld %s\n",
				    in.host[HF_CPU_COUNT], row[GF_VCPU_COUNT],
				    row[GF_VCPU_USER_LIMIT], row[GF_VCPU_QUOTA],
				    row[GF_VCPU_PERIOD], in.param.value, r.qset,
				    r.q, r.pset, r.p, a->ctl[GC_VCPU_QUOTA].set,
				    (long long)a->ctl[GC_VCPU_QUOTA].value,
				    a->ctl[GC_VCPU_PERIOD].set,
				    (long long)a->ctl[GC_VCPU_PERIOD].value,
				    a->error ? a->error : "");
			ok = !b->error &&
			     same(r.qset, r.q, &b->ctl[GC_VCPU_QUOTA]) &&
			     same(r.pset, r.p, &b->ctl[GC_VCPU_PERIOD]);
			bad_mom += !ok;
		}
		plan_free(p);
		plan_free(pm);
	}
	T_EQ_INT(errs, 0, "every evaluation produced a plan");
	T_OK(limited > runs / 4, "many guests are limited (%u)", limited);
	T_EQ_INT(bad, 0,
		 "04-cputune decides as the transcription of mom-reference "
		 "2.7 on every guest");
	T_EQ_INT(bad_mom, 0,
		 "the converted MOM-syntax 04-cputune decides the same");
	if (T_OK(io, "the shipped 05 loads")) {
		errs = 0;
		bad = diff_iotune(io, runs, &dfailed, &errs);
		T_EQ_INT(errs, 0, "every 05 evaluation produced a plan");
		T_OK(dfailed > 0 && dfailed < runs,
		     "some disks lack a maximum key (%u)", dfailed);
		T_EQ_INT(bad, 0,
			 "05-iotune decides as the transcription of "
			 "mom-reference 2.7 on every disk");
	}
	policy_set_free(io);
	policy_set_free(ps);
	policy_set_free(mom);
	return t_done();
}
