/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cputune_test.c: the CpuTune controller (ctl_cputune.c): its rail on
 * every side of libvirt's ranges, including vdsm's own vector (1 CPU,
 * 100 vCPUs, 10 %: 1100 / 1100000), and the controller with a fake
 * scheduler backend that records every call: an unset control takes the
 * current value, nothing is written when the integers are the same (-1
 * equal to cgroup v2's "unlimited"), both values go in one call, dry run,
 * refusals recorded once, a failing guest does not stop the others and is
 * retried every 3rd cycle, a guest that may not be changed now (-EPERM:
 * not running, migrating, in a snapshot) is refused once and written as
 * soon as it may be.  Then the libvirt backend against libvirt's test
 * driver: a paused guest is refused.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actlog.h"
#include "ctl_cputune.h"
#include "fake_tune.h"
#include "field.h"
#include "host.h"
#include "log.h"
#include "plan.h"
#include "snapshot.h"
#include "testing.h"

/* ---- the rail ---- */

static void rail(int64_t q, int64_t p, int want_rc, int64_t wq, int64_t wp,
		 const char *needle, const char *what)
{
	char detail[256];
	int rc = cputune_rail(&q, &p, detail, sizeof(detail));

	T_OK(rc == want_rc && (rc < 0 || (q == wq && p == wp)) &&
		 (needle ? strstr(detail, needle) != NULL : detail[0] == 0),
	     "rail: %s (got %d %lld/%lld: %s)", what, rc, (long long)q,
	     (long long)p, detail);
}

static void test_rail(void)
{
	rail(50000, 100000, 0, 50000, 100000, NULL, "in range: unchanged");
	rail(-1, 100000, 0, -1, 100000, NULL, "unlimited: unchanged");
	rail(1100, 1100000, 0, 1000, 1000000, "clamped to 1000000",
	     "vdsm's vector 1100/1100000: 1000/1000000, the same bandwidth");
	rail(-1, 2000000, 0, -1, 1000000, "clamped", "unlimited, long period");
	rail(50, 500, 0, 1000, 10000, "lengthened",
	     "short period and tiny quota: 1000/10000, the same bandwidth");
	rail(5000, 500, 0, 10000, 1000, "clamped to 1000",
	     "short period clamped, its quota scaled with it");
	rail(500, 100000, 0, 1000, 200000, "lengthened",
	     "quota under 1000: period lengthened, same bandwidth");
	rail(1, 1000000, 0, 1000, 1000000, "raised",
	     "bandwidth under libvirt's least: raised to 1000/1000000");
	rail(1000, 1000, 0, 1000, 1000, NULL, "both at their minimum");
	rail(CPUTUNE_QUOTA_MAX, 1000000, 0, CPUTUNE_QUOTA_MAX, 1000000, NULL,
	     "largest quota accepted");
	rail(CPUTUNE_QUOTA_MAX, 1000, 0, CPUTUNE_QUOTA_MAX, 1000, NULL,
	     "largest quota at the shortest period");
	rail(CPUTUNE_QUOTA_MAX, 999, -EINVAL, 0, 0, "beyond",
	     "bandwidth beyond the largest quota: refused");
	/* libvirt >= 7.0 refuses a quota above 2^44 - 1 (VIR_ERR_INVALID_ARG),
	   including the maximum earlier ones had. */
	rail(17592186044415LL, 1000000, 0, 17592186044415LL, 1000000, NULL,
	     "2^44 - 1: libvirt's largest quota, accepted");
	rail(17592186044416LL, 1000000, -EINVAL, 0, 0, "beyond",
	     "2^44: above libvirt's largest quota, refused");
	rail(18446744073709551LL, 1000000, -EINVAL, 0, 0, "beyond",
	     "libvirt < 7.0's maximum: refused");
	rail(0, 100000, -EINVAL, 0, 0, "neither", "quota 0: refused");
	rail(-2, 100000, -EINVAL, 0, 0, "neither", "quota -2: refused");
	rail(50000, 0, -EINVAL, 0, 0, "not positive", "period 0: refused");
	rail(50000, -5, -EINVAL, 0, 0, "not positive", "negative period");
}

/* ---- the controller ---- */

#define NG 2

struct world {
	struct fake_tune fake;
	struct {
		int64_t q;
		uint64_t p;
	} last; /* what the last set call carried */
	struct sched_backend be;
	struct actlog *log;
	struct cputune *c;
	double rows[NG][GUEST_FIELD_COUNT];
	struct snap_entity ge[NG];
	struct plan_guest pg[NG];
	struct plan plan;
	struct snapshot snap;
};

/* The fake backend: the quota and period recorded, the call answered as
   the fake is set up to answer the guest (fake_tune.h). */
static int fake_set(void *ctx, const char *guest, const char *uuid,
		    int64_t quota, uint64_t period, char *msg, size_t len)
{
	struct world *w = ctx;

	(void)uuid;
	w->last.q = quota;
	w->last.p = period;
	return fake_tune_set(&w->fake, guest, guest, msg, len);
}

static void world_init(struct world *w)
{
	static const char *const names[NG] = {"a", "b"};

	memset(w, 0, sizeof(*w));
	w->be = (struct sched_backend){"fake", w, fake_set, NULL};
	w->log = actlog_new(64);
	w->c = cputune_new(&w->be, w->log);
	for (int g = 0; g < NG; g++) {
		for (int f = 0; f < GUEST_FIELD_COUNT; f++)
			w->rows[g][f] = FIELD_ABSENT;
		w->rows[g][GF_VCPU_QUOTA] = -1;
		w->rows[g][GF_VCPU_PERIOD] = 100000;
		w->ge[g] = (struct snap_entity){names[g], 1, w->rows[g], NULL};
		w->pg[g].name = (char *)names[g];
	}
	w->plan = (struct plan){.nguests = NG, .guests = w->pg};
	w->snap = (struct snapshot){.guests = w->ge, .nguests = NG};
}

static void world_free(struct world *w)
{
	cputune_free(w->c);
	actlog_free(w->log);
}

static void plan_set(struct world *w, int g, int ctl, bool set, int64_t v)
{
	w->pg[g].ctl[ctl] = (struct plan_value){.set = set, .value = v};
}

static uint64_t total(struct world *w, enum act_result r)
{
	return fake_tune_total(w->log, r);
}

static void test_controller(void)
{
	struct world w;

	world_init(&w);
	/* Only the quota planned: the period stays the current one. */
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 50000);
	cputune_apply(w.c, &w.plan, &w.snap, false, 1);
	T_OK(w.fake.calls == 1 && w.last.q == 50000 && w.last.p == 100000 &&
		 strcmp(w.fake.guest, "a") == 0,
	     "unset period takes the current value; both in one call");
	T_EQ_INT(total(&w, ACT_APPLIED), 2,
		 "two actions recorded (quota, "
		 "period)");
	/* The guest now reports the values: nothing more is written. */
	w.rows[0][GF_VCPU_QUOTA] = 50000;
	cputune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_EQ_INT(w.fake.calls, 1, "same integers: not written again");
	/* On cgroup v2 libvirt >= 7.0 reports no quota as 17592186044415
	   (2^44 - 1): that is -1, over any number of cycles. */
	w.rows[0][GF_VCPU_QUOTA] = 17592186044415.0;
	plan_set(&w, 0, GC_VCPU_QUOTA, true, -1);
	plan_set(&w, 0, GC_VCPU_PERIOD, true, 100000);
	for (int cyc = 0; cyc < 5; cyc++)
		cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 1,
		 "-1 equals libvirt 7's unlimited 17592186044415: no "
		 "scheduler call in 5 cycles");
	/* Earlier libvirt reported 18446744073709551: also -1. */
	w.rows[0][GF_VCPU_QUOTA] = 18446744073709551.0;
	cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 1, "-1 equals libvirt 6's unlimited");
	/* A planned quota of the largest is what libvirt writes as "max"
	   and reports back as it: not rewritten. */
	w.rows[0][GF_VCPU_QUOTA] = 17592186044415.0;
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 17592186044415LL);
	for (int cyc = 0; cyc < 3; cyc++)
		cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 1,
		 "planned quota 17592186044415 against a reported unlimited: "
		 "not rewritten");
	/* vdsm's vector: written as 1000/1000000, said why. */
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 1100);
	plan_set(&w, 0, GC_VCPU_PERIOD, true, 1100000);
	cputune_apply(w.c, &w.plan, &w.snap, false, 4);
	T_OK(w.fake.calls == 2 && w.last.q == 1000 && w.last.p == 1000000,
	     "vdsm's vector is written in libvirt's range (%lld/%llu)",
	     (long long)w.last.q, (unsigned long long)w.last.p);
	world_free(&w);

	/* Dry run: recorded once per pair, nothing written. */
	world_init(&w);
	plan_set(&w, 1, GC_VCPU_QUOTA, true, 20000);
	plan_set(&w, 1, GC_VCPU_PERIOD, true, 100000);
	cputune_apply(w.c, &w.plan, &w.snap, true, 1);
	cputune_apply(w.c, &w.plan, &w.snap, true, 2);
	T_OK(w.fake.calls == 0 && total(&w, ACT_DRY_RUN) == 2,
	     "dry run: nothing written, recorded once (%llu)",
	     (unsigned long long)total(&w, ACT_DRY_RUN));

	/* A guest whose write fails does not stop the next one, and is
	   retried only every 3rd cycle. */
	w.fake.broken = "a";
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 30000);
	cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_OK(w.fake.calls == 2 && strcmp(w.fake.guest, "b") == 0 &&
		 total(&w, ACT_FAILED) == 2 && total(&w, ACT_APPLIED) == 2,
	     "a failed, b applied");
	cputune_apply(w.c, &w.plan, &w.snap, false, 4);
	cputune_apply(w.c, &w.plan, &w.snap, false, 5);
	T_EQ_INT(w.fake.calls, 4,
		 "a not retried for 2 cycles (b rewritten "
		 "since it still reports the old values)");
	cputune_apply(w.c, &w.plan, &w.snap, false, 6);
	T_EQ_INT(w.fake.calls, 6, "a retried at the 3rd cycle");
	world_free(&w);

	/* Refusals: once while they hold; no call. */
	world_init(&w);
	w.rows[0][GF_VCPU_PERIOD] = FIELD_ABSENT;
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 30000);
	plan_set(&w, 1, GC_VCPU_QUOTA, true, 0);
	cputune_apply(w.c, &w.plan, &w.snap, false, 1);
	cputune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_OK(w.fake.calls == 0 && total(&w, ACT_REFUSED) == 2,
	     "unknown period and quota 0 refused, each once (%llu)",
	     (unsigned long long)total(&w, ACT_REFUSED));
	/* libvirt refusing the values is a refusal, not a failure. */
	w.fake.picky = "a";
	w.rows[0][GF_VCPU_PERIOD] = 100000;
	cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_OK(w.fake.calls == 1 && total(&w, ACT_REFUSED) == 3 &&
		 total(&w, ACT_FAILED) == 0,
	     "-EINVAL from libvirt is recorded as refused");
	/* A guest with a policy error is left alone. */
	w.pg[0].error = "boom";
	cputune_apply(w.c, &w.plan, &w.snap, false, 9);
	T_EQ_INT(w.fake.calls, 1,
		 "a guest whose evaluation failed is left "
		 "alone");
	world_free(&w);

	/* A guest that may not be changed now (migrating, in a snapshot,
	   paused: -EPERM) is refused once while it holds, not failed, and
	   written the first cycle it may be changed again. */
	world_init(&w);
	w.fake.busy = "a";
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 30000);
	for (int cyc = 1; cyc <= 4; cyc++)
		cputune_apply(w.c, &w.plan, &w.snap, false, cyc);
	T_OK(fake_tune_refused_once(w.log),
	     "a guest that may not be changed now: refused once, not failed");
	w.fake.busy = NULL;
	cputune_apply(w.c, &w.plan, &w.snap, false, 5);
	T_OK(w.fake.calls == 5 && total(&w, ACT_APPLIED) == 2,
	     "written the first cycle after the job (calls %d)", w.fake.calls);
	world_free(&w);

	/* A domain re-created under the same name is another guest: the old
	   one's failed write does not hold back its first. */
	world_init(&w);
	w.fake.broken = "a";
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 30000);
	cputune_apply(w.c, &w.plan, &w.snap, false, 1);
	w.ge[0].uuid = "11111111-1111-1111-1111-111111111111";
	cputune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_EQ_INT(w.fake.calls, 1,
		 "the UUID becoming known: the same guest, retry still "
		 "waits");
	w.fake.broken = NULL;
	w.ge[0].uuid = "22222222-2222-2222-2222-222222222222";
	cputune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 2,
		 "another UUID under the name: written at once, not held "
		 "back by the old domain's failure");
	world_free(&w);
}

/* Two domains under one name (one destroyed, another made under its name,
   the old one's samples not stale yet): each keeps its own state, so a
   refusal of either is recorded once, not every cycle. */
static void test_same_name(void)
{
	struct world w;

	world_init(&w);
	w.ge[0].name = w.ge[1].name = "a";
	w.pg[0].name = w.pg[1].name = "a";
	w.ge[0].uuid = "11111111-1111-1111-1111-111111111111";
	w.ge[1].uuid = "22222222-2222-2222-2222-222222222222";
	w.fake.busy = "a";
	plan_set(&w, 0, GC_VCPU_QUOTA, true, 30000);
	plan_set(&w, 1, GC_VCPU_QUOTA, true, 40000);
	for (int cyc = 1; cyc <= 4; cyc++)
		cputune_apply(w.c, &w.plan, &w.snap, false, cyc);
	T_EQ_INT(total(&w, ACT_REFUSED), 2,
		 "two domains named a, both busy: each refusal recorded once "
		 "over 4 cycles");
	world_free(&w);
}

/* ---- the libvirt backend on libvirt's test driver ---- */

static void test_libvirt(void)
{
	struct sched_backend be;
	char msg[300] = "";
	virDomainPtr dom;
	int rc = host_libvirt_sched("test:///default", &be, msg, sizeof(msg));

	if (!T_OK(rc == 0, "libvirt sched backend (%s)", msg))
		return;
	dom = fake_tune_pause();
	/* The test driver always can: failing to is a fault, not a skip. */
	if (T_OK(dom != NULL, "the test driver's domain paused")) {
		msg[0] = '\0';
		rc =
		    be.set(be.ctx, "test", "", 50000, 100000, msg, sizeof(msg));
		T_OK(rc == -EPERM && strstr(msg, "not running"),
		     "a paused guest: refused before libvirt is asked (%d %s)",
		     rc, msg);
		fake_tune_resume(dom);
	}
	sched_backend_release(&be);
}

int main(void)
{
	log_set_level(LOG_LVL_ERR);
	test_rail();
	test_controller();
	test_same_name();
	test_libvirt();
	return t_done();
}
