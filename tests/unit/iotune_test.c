/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iotune_test.c: the IoTune controller (ctl_iotune.c): its rail (libvirt's
 * range, total not combined with read/write), and the controller with a
 * fake backend that records every call: an unset limit takes the current
 * one, nothing is written when the six are the same, all six go in one
 * call, dry run, refusals recorded once, a disk whose evaluation failed
 * (incomplete metadata) is skipped and reported while the other disks are
 * written, a failing disk does not stop the others and is retried every
 * 3rd cycle, a guest that may not be changed now (-EPERM: not running,
 * migrating, in a snapshot) is refused once and written as soon as it may
 * be.  Then the libvirt backend against libvirt's test driver (a paused
 * guest is refused).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "actlog.h"
#include "ctl_iotune.h"
#include "fake_tune.h"
#include "field.h"
#include "host.h"
#include "plan.h"
#include "snapshot.h"
#include "testing.h"

/* ---- the rail ---- */

static void rail(int64_t t, int64_t r, int64_t w, int64_t ti, int64_t ri,
		 int64_t wi, int want_rc, const char *needle, const char *what)
{
	int64_t v[DISK_CONTROL_COUNT] = {t, r, w, ti, ri, wi};
	char detail[256];
	int rc = iotune_rail(v, detail, sizeof(detail));

	T_OK(rc == want_rc &&
		 (needle ? strstr(detail, needle) != NULL : detail[0] == 0),
	     "rail: %s (got %d: %s)", what, rc, detail);
}

static void test_rail(void)
{
	rail(0, 0, 0, 0, 0, 0, 0, NULL, "all unlimited");
	rail(0, 1048576, 524288, 0, 200, 100, 0, NULL, "read/write limits");
	rail(10000000, 0, 0, 1000, 0, 0, 0, NULL, "total limits");
	rail(IOTUNE_LIMIT_MAX, 0, 0, 0, 0, 0, 0, NULL,
	     "1e15 is libvirt's most");
	rail(IOTUNE_LIMIT_MAX + 1, 0, 0, 0, 0, 0, -EINVAL, "outside",
	     "over 1e15: refused");
	rail(0, -1, 0, 0, 0, 0, -EINVAL, "read_bytes_sec -1 outside",
	     "negative: refused");
	rail(5, 1, 0, 0, 0, 0, -EINVAL, "not both",
	     "total with read bytes: refused");
	rail(0, 0, 0, 5, 0, 1, -EINVAL, "total_iops_sec 5 with",
	     "total with write iops: refused");
}

/* ---- the controller ---- */

#define ND 3 /* a/vda, a/vdb, b/vda */

struct world {
	struct fake_tune fake;
	struct {
		char dev[32];
		uint64_t v[IOTUNE_LIMITS];
	} last; /* what the last set call carried */
	struct iotune_backend be;
	struct actlog *log;
	struct iotune *c;
	double grows[2][GUEST_FIELD_COUNT];
	struct snap_entity ge[2];
	double drows[ND][DISK_FIELD_COUNT];
	struct snap_disk sd[ND];
	struct plan_guest pg[2];
	struct plan_disk pd[ND];
	struct plan plan;
	struct snapshot snap;
};

/* The fake backend: the disk and its limits recorded, the call answered
   as the fake is set up to answer that disk (fake_tune.h). */
static int fake_set(void *ctx, const char *guest, const char *uuid,
		    const char *dev, const uint64_t limits[IOTUNE_LIMITS],
		    char *msg, size_t len)
{
	struct world *w = ctx;

	(void)uuid;
	snprintf(w->last.dev, sizeof(w->last.dev), "%s", dev);
	memcpy(w->last.v, limits, sizeof(w->last.v));
	return fake_tune_set(&w->fake, guest, dev, msg, len);
}

static void world_init(struct world *w)
{
	static const char *const names[2] = {"a", "b"};
	static const char *const devs[ND] = {"vda", "vdb", "vda"};
	static const size_t owner[ND] = {0, 0, 1};

	memset(w, 0, sizeof(*w));
	w->be = (struct iotune_backend){"fake", w, fake_set, NULL};
	w->log = actlog_new(64);
	w->c = iotune_new(&w->be, w->log);
	for (int g = 0; g < 2; g++) {
		for (int f = 0; f < GUEST_FIELD_COUNT; f++)
			w->grows[g][f] = FIELD_ABSENT;
		w->ge[g] = (struct snap_entity){names[g], 1, w->grows[g], NULL};
		w->pg[g].name = (char *)names[g];
	}
	for (int d = 0; d < ND; d++) {
		for (int f = 0; f < DISK_FIELD_COUNT; f++)
			w->drows[d][f] = f >= DF_CUR_BASE ? 0 : FIELD_ABSENT;
		w->sd[d] = (struct snap_disk){owner[d],
					      {devs[d], 1, w->drows[d], NULL}};
		w->pd[d].guest = owner[d];
		w->pd[d].dev = (char *)devs[d];
	}
	w->plan = (struct plan){
	    .nguests = 2, .guests = w->pg, .ndisks = ND, .disks = w->pd};
	w->snap = (struct snapshot){
	    .guests = w->ge, .nguests = 2, .disks = w->sd, .ndisks = ND};
}

static void world_free(struct world *w)
{
	iotune_free(w->c);
	actlog_free(w->log);
}

static void plan_set(struct world *w, int d, int ctl, int64_t v)
{
	w->pd[d].ctl[ctl] = (struct plan_value){.set = true, .value = v};
}

static void plan_all(struct world *w, int d, int64_t v)
{
	for (int i = 0; i < DISK_CONTROL_COUNT; i++)
		plan_set(w, d, i, v);
}

static uint64_t total(struct world *w, enum act_result r)
{
	return fake_tune_total(w->log, r);
}

static void test_controller(void)
{
	struct world w;

	world_init(&w);
	plan_all(&w, 0, 0);
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	T_EQ_INT(w.fake.calls, 0, "limits as the disk has them: no write");
	/* Only read_iops_sec planned: the other five stay the current. */
	memset(w.pd, 0, sizeof(w.pd[0]));
	w.pd[0].dev = "vda";
	w.drows[0][DF_CUR_READ_BYTES_SEC] = 4096;
	plan_set(&w, 0, DC_READ_IOPS_SEC, 200);
	iotune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_OK(w.fake.calls == 1 && strcmp(w.fake.guest, "a") == 0 &&
		 strcmp(w.last.dev, "vda") == 0 &&
		 w.last.v[DC_READ_IOPS_SEC] == 200 &&
		 w.last.v[DC_READ_BYTES_SEC] == 4096 &&
		 w.last.v[DC_TOTAL_BYTES_SEC] == 0,
	     "an unset limit takes the current one; six in one call");
	T_EQ_INT(total(&w, ACT_APPLIED), 1, "one action: the limit changed");
	w.drows[0][DF_CUR_READ_IOPS_SEC] = 200;
	iotune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 1, "the disk reports it: not written again");
	/* Unset and not reported: nothing written, said once. */
	w.drows[0][DF_CUR_WRITE_IOPS_SEC] = FIELD_ABSENT;
	plan_set(&w, 0, DC_READ_IOPS_SEC, 300);
	iotune_apply(w.c, &w.plan, &w.snap, false, 4);
	iotune_apply(w.c, &w.plan, &w.snap, false, 5);
	T_OK(w.fake.calls == 1 && total(&w, ACT_REFUSED) == 1,
	     "a limit neither planned nor reported: refused once");
	world_free(&w);

	/* Incomplete metadata: the disk's evaluation failed. */
	world_init(&w);
	w.pd[0].error = "05-iotune/iotune: control set to an absent value "
			"(max_write_iops_sec)";
	plan_all(&w, 1, 7);
	plan_all(&w, 2, 0);
	plan_set(&w, 1, DC_TOTAL_BYTES_SEC, 0);
	plan_set(&w, 1, DC_TOTAL_IOPS_SEC, 0);
	plan_set(&w, 2, DC_WRITE_BYTES_SEC, 9);
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	iotune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_OK(total(&w, ACT_REFUSED) == 1 && w.fake.calls == 2,
	     "a disk with incomplete metadata is reported once, the other "
	     "disks of its guest and of other guests are written (once: "
	     "not again while their samples catch up)");
	T_OK(strcmp(w.fake.guest, "b") == 0 &&
		 w.last.v[DC_WRITE_BYTES_SEC] == 9,
	     "b/vda written");
	world_free(&w);

	/* The rail: total with read/write refused, said once. */
	world_init(&w);
	plan_set(&w, 0, DC_TOTAL_BYTES_SEC, 5);
	plan_set(&w, 0, DC_READ_BYTES_SEC, 5);
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	iotune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_OK(w.fake.calls == 0 && total(&w, ACT_REFUSED) == 1,
	     "total with read limits refused once, nothing written");
	world_free(&w);

	/* Dry run: recorded once per values, nothing written. */
	world_init(&w);
	plan_set(&w, 2, DC_READ_IOPS_SEC, 10);
	iotune_apply(w.c, &w.plan, &w.snap, true, 1);
	iotune_apply(w.c, &w.plan, &w.snap, true, 2);
	T_OK(w.fake.calls == 0 && total(&w, ACT_DRY_RUN) == 1,
	     "dry run: one action, no write");
	world_free(&w);

	/* A broken disk: the others go on; retried every 3rd cycle. */
	world_init(&w);
	w.fake.broken = "vdb";
	plan_set(&w, 1, DC_READ_IOPS_SEC, 10);
	plan_set(&w, 2, DC_READ_IOPS_SEC, 10);
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	T_OK(w.fake.calls == 2 && total(&w, ACT_FAILED) == 1 &&
		 total(&w, ACT_APPLIED) == 1,
	     "a/vdb fails, b/vda is written");
	w.drows[2][DF_CUR_READ_IOPS_SEC] = 10;
	iotune_apply(w.c, &w.plan, &w.snap, false, 2);
	iotune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_EQ_INT(w.fake.calls, 2, "not retried before the 3rd cycle");
	iotune_apply(w.c, &w.plan, &w.snap, false, 4);
	T_EQ_INT(w.fake.calls, 3, "retried at the 3rd cycle");
	world_free(&w);

	/* libvirt refuses the values: a refusal, said once. */
	world_init(&w);
	w.fake.picky = "vdb";
	plan_set(&w, 1, DC_READ_IOPS_SEC, 10);
	for (int t = 1; t <= 4; t++)
		iotune_apply(w.c, &w.plan, &w.snap, false, t);
	T_OK(total(&w, ACT_REFUSED) == 1 && total(&w, ACT_FAILED) == 0,
	     "libvirt's refusal recorded once");
	world_free(&w);

	/* A guest that may not be changed now (migrating, in a snapshot,
	   paused: -EPERM) is refused once while it holds, not failed, and
	   written the first cycle it may be changed again. */
	world_init(&w);
	w.fake.busy = "vdb";
	plan_set(&w, 1, DC_READ_IOPS_SEC, 10);
	for (int t = 1; t <= 4; t++)
		iotune_apply(w.c, &w.plan, &w.snap, false, t);
	T_OK(fake_tune_refused_once(w.log),
	     "a guest that may not be changed now: refused once, not failed");
	w.fake.busy = NULL;
	iotune_apply(w.c, &w.plan, &w.snap, false, 5);
	T_OK(w.fake.calls == 5 && total(&w, ACT_APPLIED) == 1,
	     "written the first cycle after the job (calls %d)", w.fake.calls);
	world_free(&w);

	/* A domain re-created under the same name is another guest: the
	   values just written to the old one do not hold back its disk. */
	world_init(&w);
	plan_set(&w, 1, DC_READ_IOPS_SEC, 10);
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	w.ge[0].uuid = "11111111-1111-1111-1111-111111111111";
	iotune_apply(w.c, &w.plan, &w.snap, false, 2);
	T_EQ_INT(w.fake.calls, 1,
		 "the UUID becoming known: the same guest, not written again");
	w.ge[0].uuid = "22222222-2222-2222-2222-222222222222";
	iotune_apply(w.c, &w.plan, &w.snap, false, 3);
	T_OK(w.fake.calls == 2 && strcmp(w.last.dev, "vdb") == 0,
	     "another UUID under the name: its disk written at once (calls "
	     "%d)",
	     w.fake.calls);
	world_free(&w);

	/* Disks that went away are forgotten; a plan for other disks is
	   not applied to them. */
	world_init(&w);
	plan_set(&w, 1, DC_READ_IOPS_SEC, 10);
	w.pd[1].dev = "vdc";
	iotune_apply(w.c, &w.plan, &w.snap, false, 1);
	T_EQ_INT(w.fake.calls, 0,
		 "a plan that does not match the snapshot's "
		 "disk is not applied");
	world_free(&w);
}

/* ---- the libvirt backend on libvirt's test driver ---- */

/* Two domains under one name (one destroyed, another made under its name,
   the old one's samples not stale yet): each disk keeps its own state, so
   a refusal of any is recorded once, not every cycle. */
static void test_same_name(void)
{
	struct world w;

	world_init(&w);
	w.ge[1].name = w.pg[1].name = "a";
	w.ge[0].uuid = "11111111-1111-1111-1111-111111111111";
	w.ge[1].uuid = "22222222-2222-2222-2222-222222222222";
	w.fake.busy = "vda";
	for (int d = 0; d < ND; d++)
		plan_set(&w, d, DC_TOTAL_BYTES_SEC, 1000000 + d);
	for (int cyc = 1; cyc <= 4; cyc++)
		iotune_apply(w.c, &w.plan, &w.snap, false, cyc);
	T_EQ_INT(total(&w, ACT_REFUSED), 2,
		 "two domains named a, both vda busy: each refusal recorded "
		 "once over 4 cycles");
	world_free(&w);
}

static void test_libvirt(void)
{
	struct iotune_backend be;
	uint64_t zero[IOTUNE_LIMITS] = {0}, some[IOTUNE_LIMITS] = {0};
	char msg[300] = "";
	virDomainPtr dom;
	int rc = host_libvirt_iotune("test:///default", &be, msg, sizeof(msg));

	if (!T_OK(rc == 0, "libvirt iotune backend (%s)", msg))
		return;
	rc = be.set(be.ctx, "test", "", "vda", zero, msg, sizeof(msg));
	T_OK(rc == 0, "test driver: unlimited written (%d %s)", rc, msg);
	some[DC_TOTAL_BYTES_SEC] = 5;
	some[DC_READ_BYTES_SEC] = 5;
	rc = be.set(be.ctx, "test", "", "vda", some, msg, sizeof(msg));
	T_OK(rc == -EINVAL && strstr(msg, "vda"),
	     "libvirt refuses total with read: -EINVAL (%d %s)", rc, msg);
	rc = be.set(be.ctx, "nosuchguest", "", "vda", zero, msg, sizeof(msg));
	T_OK(rc < 0, "an unknown guest fails (%d %s)", rc, msg);
	rc = be.set(be.ctx, "test", "", "vdz", zero, msg, sizeof(msg));
	T_OK(rc < 0, "an unknown disk fails (%d %s)", rc, msg);
	dom = fake_tune_pause();
	/* The test driver always can: failing to is a fault, not a skip. */
	if (T_OK(dom != NULL, "the test driver's domain paused")) {
		msg[0] = '\0';
		rc = be.set(be.ctx, "test", "", "vda", zero, msg, sizeof(msg));
		T_OK(rc == -EPERM && strstr(msg, "not running"),
		     "a paused guest: refused before libvirt is asked (%d %s)",
		     rc, msg);
		fake_tune_resume(dom);
	}
	iotune_backend_release(&be);
}

int main(void)
{
	test_rail();
	test_controller();
	test_same_name();
	test_libvirt();
	return t_done();
}
