/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_ksm_test.c: the KSM controller (control.c, control_ksm.c): only
 * changed knobs written, the unmerge sequence, the merge-mode guard, value
 * ranges, no hot loop on a failing write; dry run for both controllers;
 * and an action in the log, with its fields and log line.  The action
 * log's ring (actlog.c) is tested in actlog_test.c, the sysfs KSM backend
 * (host_sysfs.c) in host_sysfs_test.c; the fake backends are
 * control_world.c's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "control_world.h"
#include "log.h"
#include "testing.h"

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
	struct world *w = cw_world_new(NULL);

	/* K13: only pages_to_scan differs. */
	ksm_current(w, 1, 1200, 10, 1, 0);
	cw_plan_ksm(w, HC_KSM_RUN, 1);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 1250);
	cw_plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	cw_plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 1);
	cw_cycle(w, false);
	T_EQ_INT(cw_ksm_total_sets(&w->fk), 1, "K13: one write");
	T_EQ_INT(w->fk.set_calls[KSM_PAGES_TO_SCAN], 1, "K13: pages_to_scan");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 1250, "K13: its value");
	cw_cycle(w, false);
	T_EQ_INT(cw_ksm_total_sets(&w->fk), 1,
		 "K13: nothing on the next cycle");
	T_EQ_INT(cw_count_actions(w, "host", "ksm_pages_to_scan", "applied"), 1,
		 "K13: one action");
	cw_world_free(w);
}

static void test_ksm_unmerge_sequence(void)
{
	struct world *w = cw_world_new(NULL);

	/* K7: kM=0 wanted, 500 pages shared in mode 1: unmerge only. */
	ksm_current(w, 1, 400, 10, 1, 500);
	cw_plan_ksm(w, HC_KSM_RUN, 2);
	cw_cycle(w, false);
	T_EQ_INT(cw_ksm_total_sets(&w->fk), 1, "K7: one write");
	T_EQ_INT(w->fk.value[KSM_RUN], 2, "K7: run=2 (unmerge)");
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 1, "K7: mode untouched");

	/* The kernel unmerged; K8: the mode first, then resume. */
	w->fk.value[KSM_PAGES_SHARED] = 0;
	memset(w->plan.host, 0, sizeof(w->plan.host));
	cw_plan_ksm(w, HC_KSM_RUN, 1);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 700);
	cw_plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	cw_plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	w->fk.norder = 0;
	cw_cycle(w, false);
	T_EQ_INT(w->fk.norder, 3, "K8: three writes (sleep unchanged)");
	T_EQ_INT(w->fk.order[0], KSM_MERGE_ACROSS_NODES,
		 "K8: merge_across_nodes written first");
	T_EQ_INT(w->fk.order[1], KSM_RUN, "K8: then run");
	T_EQ_INT(w->fk.order[2], KSM_PAGES_TO_SCAN, "K8: then pages_to_scan");
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 0, "K8: mode 0");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "K8: run 1");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 700, "K8: pages 700");
	cw_world_free(w);
}

static void test_ksm_merge_guard(void)
{
	struct world *w = cw_world_new(NULL);
	json_t *arr, *a;

	/* A policy that asks for the mode while pages are shared. */
	ksm_current(w, 0, 100, 20, 1, 10);
	cw_plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	cw_plan_ksm(w, HC_KSM_RUN, 1);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 5; i++)
		cw_cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_MERGE_ACROSS_NODES], 0,
		 "guard: merge not written while pages are shared");
	T_EQ_INT(w->fk.set_calls[KSM_RUN], 0,
		 "guard: run=1 held until the mode is switched");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 400,
		 "guard: the other knobs still written");
	T_EQ_INT(
	    cw_count_actions(w, "host", "ksm_merge_across_nodes", "refused"), 1,
	    "guard: merge refusal recorded once in 5 cycles");
	a = cw_last_action(w, "host", "ksm_run", &arr);
	T_OK(a && strcmp(cw_jstr(a, "result"), "refused") == 0 &&
		 strstr(cw_jstr(a, "detail"), "held"),
	     "guard: run's refusal says it is held (%s)",
	     a ? cw_jstr(a, "detail") : "");
	json_decref(arr);
	/* run=2 is never held: it is how the pages get unshared. */
	memset(w->plan.host, 0, sizeof(w->plan.host));
	cw_plan_ksm(w, HC_KSM_MERGE_ACROSS_NODES, 0);
	cw_plan_ksm(w, HC_KSM_RUN, 2);
	cw_cycle(w, false);
	T_EQ_INT(w->fk.value[KSM_RUN], 2, "guard: run=2 still written");
	/* Unshared: the mode goes through, then run. */
	w->fk.value[KSM_PAGES_SHARED] = 0;
	cw_plan_ksm(w, HC_KSM_RUN, 1);
	cw_cycle(w, false);
	T_EQ_INT(w->fk.value[KSM_MERGE_ACROSS_NODES], 0,
		 "guard: mode written once nothing is shared");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "guard: run=1 follows");
	cw_world_free(w);
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
		struct world *w = cw_world_new(NULL);

		ksm_current(w, 0, 100, 20, 1, 0);
		cw_plan_ksm(w, bad[i].hc, bad[i].v);
		for (int c = 0; c < 50; c++)
			cw_cycle(w, false);
		T_EQ_INT(cw_ksm_total_sets(&w->fk), 0,
			 "range: out-of-range value never written");
		T_EQ_INT(cw_count_actions(w, "host", bad[i].control, "refused"),
			 1, "range: refused, recorded once in 50 cycles");
		cw_world_free(w);
	}
	{
		struct world *w = cw_world_new(NULL);

		ksm_current(w, 0, 100, 20, 1, 0);
		cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 4294967295LL);
		cw_plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 0);
		cw_plan_ksm(w, HC_KSM_RUN, 2);
		cw_cycle(w, false);
		T_EQ_INT(cw_ksm_total_sets(&w->fk), 3,
			 "range: the limits themselves are written");
		cw_world_free(w);
	}
}

static void test_ksm_no_hot_loop(void)
{
	struct world *w = cw_world_new(NULL);

	ksm_current(w, 1, 100, 20, 1, 0);
	w->fk.fail[KSM_SLEEP_MILLISECS] = -EBUSY;
	cw_plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 10);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 100; i++)
		cw_cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_SLEEP_MILLISECS], 10,
		 "retry: a refused write is tried 10 times in 100 cycles");
	T_EQ_INT(cw_count_actions(w, "host", "ksm_sleep_millisecs", "failed"),
		 10, "retry: each attempt recorded as failed");
	T_EQ_INT(w->fk.set_calls[KSM_PAGES_TO_SCAN], 1,
		 "retry: the other knob written once");
	/* A different value is tried at once. */
	cw_plan_ksm(w, HC_KSM_SLEEP_MILLISECS, 11);
	cw_cycle(w, false);
	T_EQ_INT(w->fk.set_calls[KSM_SLEEP_MILLISECS], 11,
		 "retry: a new value is tried at once");
	cw_world_free(w);
}

/* ---- dry run, both controllers ---- */

static void test_dry_run(void)
{
	struct world *w = cw_world_new(NULL);
	json_t *arr, *a;
	int64_t last;

	cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 3800000);
	w->fk.value[KSM_RUN] = 0;
	w->fk.value[KSM_PAGES_TO_SCAN] = 100;
	cw_plan_ksm(w, HC_KSM_RUN, 1);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	for (int i = 0; i < 5; i++)
		cw_cycle(w, true);
	T_EQ_INT(w->fb.ncalls, 0, "dry run: no balloon set in 5 cycles");
	T_EQ_INT(cw_ksm_total_sets(&w->fk), 0, "dry run: no KSM write");
	/* Nothing moves in a dry run, so the same decision comes back every
	   cycle: it is recorded once while it stays the same. */
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "dry-run"), 1,
		 "dry run: the same target is recorded once in 5 cycles");
	T_EQ_INT(cw_count_actions(w, "host", "ksm_run", "dry-run"), 1,
		 "dry run: the same ksm_run is recorded once in 5 cycles");
	a = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_EQ_INT(a ? cw_jint(a, "new") : -1, 3800000,
		 "dry run: the action has the target it would set");
	json_decref(arr);
	cw_plan_target(w, "g", 3700000);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 700);
	cw_cycle(w, true);
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "dry-run"), 2,
		 "dry run: a new target is recorded");
	T_EQ_INT(cw_count_actions(w, "host", "ksm_pages_to_scan", "dry-run"), 2,
		 "dry run: a new pages_to_scan is recorded");
	cw_plan_target(w, "g", 3800000);
	cw_plan_ksm(w, HC_KSM_PAGES_TO_SCAN, 400);
	T_EQ_INT(controller_target(w->ctl, "g"), -1,
		 "dry run: no target counts as applied");
	T_EQ_INT(cw_count_actions(w, "guest:g", "balloon_target", "refused"), 0,
		 "dry run: the unmoved guest is not called stuck");
	/* Switched off at run time: applied at once. */
	cw_cycle(w, false);
	T_EQ_INT(cw_fb_count(&w->fb, "g", &last), 1,
		 "dry run off: the balloon is set");
	T_EQ_INT(last, 3800000, "dry run off: its target");
	T_EQ_INT(w->fk.value[KSM_RUN], 1, "dry run off: run written");
	T_EQ_INT(w->fk.value[KSM_PAGES_TO_SCAN], 400,
		 "dry run off: pages_to_scan written");
	cw_world_free(w);
}

/* ---- the controller's actions in the action log ---- */

static void test_action_logged(void)
{
	struct world *w = cw_world_new(NULL);
	char path[] = "/tmp/control_ksm_test_log.XXXXXX", buf[4096] = "";
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
	cw_add_guest(w, "g", 4000000, 4000000, 0, 3000000);
	cw_plan_target(w, "g", 3800000);
	cw_cycle(w, false);
	dup2(saved, STDERR_FILENO);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	close(fd);
	unlink(path);

	e = cw_last_action(w, "guest:g", "balloon_target", &arr);
	T_OK(e != NULL, "actlog: the action is in the ring");
	T_EQ_INT(e ? cw_jint(e, "time_ms") : 0, w->now_ms, "actlog: time");
	T_EQ_INT(e ? cw_jint(e, "old") : 0, 4000000, "actlog: old value");
	T_EQ_INT(e ? cw_jint(e, "new") : 0, 3800000, "actlog: new value");
	T_EQ_INT(e ? cw_jint(e, "planned") : 0, 3800000, "actlog: planned");
	T_EQ_STR(e ? cw_jstr(e, "result") : NULL, "applied", "actlog: result");
	T_EQ_STR(e ? cw_jstr(e, "reason") : NULL,
		 "02-balloon/shrink: cur=4000000",
		 "actlog: the policy's reason");
	json_decref(arr);
	T_OK(strstr(buf, "action applied guest:g balloon_target: 4000000 -> "
			 "3800000") != NULL,
	     "actlog: logged as one line");
	T_OK(strstr(buf, "reason: 02-balloon/shrink: cur=4000000") != NULL,
	     "actlog: the log line has the reason");
	cw_world_free(w);
}

int main(void)
{
	/* Action log lines go to stderr, apart from the TAP stream. */
	log_set_level(LOG_LVL_INFO);
	test_dry_run();
	test_ksm_changed_only();
	test_ksm_unmerge_sequence();
	test_ksm_merge_guard();
	test_ksm_ranges();
	test_ksm_no_hot_loop();
	test_action_logged();
	return t_done();
}
