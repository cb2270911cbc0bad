/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_sysfs_test.c: the sysfs KSM backend (host_sysfs.c), driven directly
 * and through a controller, on a scratch directory made under /tmp: a
 * fixture tree standing in for /sys/kernel/mm/ksm (the real one is never
 * touched).  Read-only counters are never written, an equal value is not
 * rewritten, a dry run writes nothing, a symlinked or hard-linked knob or a
 * FIFO is neither read nor written, and a kernel without KSM fails each access
 * with ENOENT.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "actlog.h"
#include "control.h"
#include "host.h"
#include "log.h"
#include "plan.h"
#include "snapshot.h"
#include "testing.h"

/* The controller tests' default rails (control_world.c); KSM writes do not
   depend on them. */
static const struct control_rails default_rails = {
    .max_shrink_pct = 10,
    .max_grow_pct = 100,
    .used_margin_pct = 5,
    .stale_ms = 30000,
    .stuck_cycles = 3,
};

static char scratch[64];

static void write_file(const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "w");
	if (!f || fputs(text, f) < 0 || fclose(f) != 0)
		abort();
}

/* The file's whole text (first line), "" when unreadable. */
static const char *file_text(const char *name)
{
	static char buf[64];
	char path[256];
	FILE *f;

	buf[0] = '\0';
	snprintf(path, sizeof(path), "%s/%s", scratch, name);
	f = fopen(path, "r");
	if (!f)
		return buf;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return buf;
}

static int64_t file_value(const char *name)
{
	const char *t = file_text(name);

	return t[0] ? strtoll(t, NULL, 10) : -1;
}

static void remove_scratch(void)
{
	static const char *const names[] = {"ksm/run",
					    "ksm/pages_to_scan",
					    "ksm/sleep_millisecs",
					    "ksm/merge_across_nodes",
					    "ksm/pages_shared",
					    "outside",
					    "outside2",
					    "ksm",
					    "nodir"};
	char path[256];

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", scratch, names[i]);
		if (unlink(path) < 0)
			rmdir(path);
	}
	rmdir(scratch);
}

static void test_sysfs_backend(void)
{
	struct ksm_backend kb = {0};
	struct balloon_backend bb = {0};
	struct actlog *log = actlog_new(100);
	struct controller *ctl;
	struct plan plan = {0};
	struct snapshot snap = {0};
	char msg[256], ksm_dir[128], path[256], target[256];
	int64_t v;

	/*
	 * scratch/ksm is a fixture tree standing in for /sys/kernel/mm/ksm;
	 * scratch/outside is a file the backend must never reach.
	 */
	snprintf(scratch, sizeof(scratch), "/tmp/host_sysfs_test.XXXXXX");
	if (!mkdtemp(scratch))
		abort();
	snprintf(ksm_dir, sizeof(ksm_dir), "%s/ksm", scratch);
	if (mkdir(ksm_dir, 0755) < 0)
		abort();
	write_file("ksm/run", "1\n");
	write_file("ksm/pages_to_scan", "400\n");
	write_file("ksm/sleep_millisecs", "20\n");
	write_file("ksm/merge_across_nodes", "1\n");
	write_file("ksm/pages_shared", "500\n");
	write_file("outside", "7\n");

	T_EQ_INT(host_sysfs_ksm(ksm_dir, &kb, msg, sizeof(msg)), 0,
		 "sysfs: opens the scratch KSM directory");
	T_EQ_INT(kb.get(kb.ctx, KSM_PAGES_SHARED, &v, msg, sizeof(msg)), 0,
		 "sysfs: reads pages_shared");
	T_EQ_INT(v, 500, "sysfs: pages_shared value");
	T_OK(kb.set(kb.ctx, KSM_PAGES_SHARED, 0, msg, sizeof(msg)) < 0,
	     "sysfs: pages_shared is never written");
	T_EQ_INT(file_value("ksm/pages_shared"), 500,
		 "sysfs: pages_shared file unchanged");

	ctl = controller_new(&default_rails, &bb, &kb, log);
	if (!ctl)
		abort();
	snap.host = (struct snap_entity){.name = "host"};

	/* K7: unmerge only. */
	plan.host[HC_KSM_RUN] = (struct plan_value){.set = true, .value = 2};
	controller_apply(ctl, &plan, &snap, false, 1, 1);
	T_EQ_INT(file_value("ksm/run"), 2, "sysfs K7: run=2 in the file");
	T_EQ_INT(file_value("ksm/merge_across_nodes"), 1,
		 "sysfs K7: merge_across_nodes untouched");

	/*
	 * The kernel unmerged; K8.  sleep_millisecs holds the planned 10 as
	 * "0010": a write would leave "10\n", so the sentinel shows that an
	 * equal value is not rewritten.
	 */
	write_file("ksm/pages_shared", "0\n");
	write_file("ksm/sleep_millisecs", "0010\n");
	plan.host[HC_KSM_RUN].value = 1;
	plan.host[HC_KSM_PAGES_TO_SCAN] =
	    (struct plan_value){.set = true, .value = 700};
	plan.host[HC_KSM_SLEEP_MILLISECS] =
	    (struct plan_value){.set = true, .value = 10};
	plan.host[HC_KSM_MERGE_ACROSS_NODES] =
	    (struct plan_value){.set = true, .value = 0};
	controller_apply(ctl, &plan, &snap, false, 2, 2);
	T_EQ_INT(file_value("ksm/merge_across_nodes"), 0, "sysfs K8: mode 0");
	T_EQ_INT(file_value("ksm/run"), 1, "sysfs K8: run 1");
	T_EQ_INT(file_value("ksm/pages_to_scan"), 700, "sysfs K8: pages 700");
	T_EQ_STR(file_text("ksm/sleep_millisecs"), "0010\n",
		 "sysfs K8: sleep (already 10) not rewritten");

	/* In a dry run nothing is written. */
	plan.host[HC_KSM_PAGES_TO_SCAN].value = 900;
	controller_apply(ctl, &plan, &snap, true, 3, 3);
	T_EQ_INT(file_value("ksm/pages_to_scan"), 700,
		 "sysfs dry run: the file is unchanged");
	controller_free(ctl);

	/* Never outside the directory: a symlinked knob is not followed. */
	snprintf(path, sizeof(path), "%s/ksm/run", scratch);
	unlink(path);
	if (symlink("../outside", path) < 0)
		abort();
	T_OK(kb.set(kb.ctx, KSM_RUN, 0, msg, sizeof(msg)) < 0,
	     "sysfs: a symlinked run is refused (%s)", msg);
	T_EQ_STR(file_text("outside"), "7\n",
		 "sysfs: the symlink's target is untouched");
	T_OK(kb.get(kb.ctx, KSM_RUN, &v, msg, sizeof(msg)) < 0,
	     "sysfs: a symlinked run is not read either");
	/* Nor through a hard link, whose inode lives outside: the write
	   would land there. */
	write_file("outside2", "7\n");
	snprintf(path, sizeof(path), "%s/ksm/pages_to_scan", scratch);
	unlink(path);
	snprintf(target, sizeof(target), "%s/outside2", scratch);
	if (link(target, path) < 0)
		abort();
	T_OK(kb.set(kb.ctx, KSM_PAGES_TO_SCAN, 5, msg, sizeof(msg)) < 0,
	     "sysfs: a hard-linked pages_to_scan is refused (%s)", msg);
	T_EQ_STR(file_text("outside2"), "7\n",
		 "sysfs: the hard link's other name is untouched");
	/* A FIFO is refused at once, not waited on (an open that blocked
	   would stop the cycle thread, and this test with it). */
	snprintf(path, sizeof(path), "%s/ksm/sleep_millisecs", scratch);
	unlink(path);
	if (mkfifo(path, 0600) < 0)
		abort();
	T_OK(kb.set(kb.ctx, KSM_SLEEP_MILLISECS, 5, msg, sizeof(msg)) < 0,
	     "sysfs: a FIFO sleep_millisecs is not written (%s)", msg);
	T_OK(kb.get(kb.ctx, KSM_SLEEP_MILLISECS, &v, msg, sizeof(msg)) < 0,
	     "sysfs: ... nor read (%s)", msg);
	ksm_backend_release(&kb);

	/* A kernel without KSM: the backend opens, every access fails. */
	snprintf(path, sizeof(path), "%s/nodir", scratch);
	T_EQ_INT(host_sysfs_ksm(path, &kb, msg, sizeof(msg)), 0,
		 "sysfs: a missing KSM directory does not stop the daemon");
	T_EQ_INT(kb.get(kb.ctx, KSM_RUN, &v, msg, sizeof(msg)), -ENOENT,
		 "sysfs: ... and reads fail with ENOENT");
	T_EQ_INT(kb.set(kb.ctx, KSM_RUN, 1, msg, sizeof(msg)), -ENOENT,
		 "sysfs: ... and writes too");
	ksm_backend_release(&kb);
	actlog_free(log);
	remove_scratch();
}

int main(void)
{
	/* Action log lines go to stderr, apart from the TAP stream. */
	log_set_level(LOG_LVL_INFO);
	test_sysfs_backend();
	return t_done();
}
