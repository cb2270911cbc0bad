/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_hold_test.c: the engine's cycle holds while the host sends no
 * memory: host samples that carry only the KSM values (the read plugin
 * cannot parse /proc/meminfo) decide nothing, from momd's start on, and
 * the cycles act again once MemFree arrives.  The adaptive set with
 * /sys/kernel/mm/ksm faked in a directory: in a calm host it stops KSM, so
 * a cycle that acted shows as run 1 -> 0.  Likewise a host sample that
 * arrives now but was taken long ago (the write plugin's queue sent after
 * a restart of momd) decides nothing.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clock.h"
#include "conf.h"
#include "engine.h"
#include "engine_view.h"
#include "log.h"
#include "testing.h"

static char tmp[64], ksm[96];
static const char *const knobs[] = {"run", "pages_to_scan", "sleep_millisecs",
				    "merge_across_nodes", "pages_shared"};

/* Each knob file with its value; abort if it cannot be written. */
static void ksm_files(void)
{
	static const char *const values[] = {"1", "100", "20", "1", "0"};

	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		char path[256];
		FILE *f;

		snprintf(path, sizeof(path), "%s/%s", ksm, knobs[i]);
		if (!(f = fopen(path, "w")) ||
		    fprintf(f, "%s\n", values[i]) < 0)
			abort();
		fclose(f);
	}
}

static int ksm_run(void)
{
	char path[256];
	int v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "%s/run", ksm);
	f = fopen(path, "r");
	if (!f || fscanf(f, "%d", &v) != 1)
		v = -1;
	if (f)
		fclose(f);
	return v;
}

static int set(struct conf *c, const char *name, const char *value)
{
	char *argv[] = {(char *)name, (char *)value};
	char err[256];
	int used;

	return conf_apply_arg(c, 2, argv, &used, err, sizeof(err));
}

/* One host record of the read plugin at time t. */
static int rec(char *buf, size_t len, const char *type, const char *inst,
	       double v, double t)
{
	return snprintf(buf, len,
			"{\"values\":[%.0f],\"dstypes\":[\"gauge\"],"
			"\"dsnames\":[\"value\"],\"time\":%.3f,"
			"\"interval\":1,\"host\":\"h\",\"plugin\":\"mom\","
			"\"plugin_instance\":\"\",\"type\":\"%s\","
			"\"type_instance\":\"%s\"}",
			v, t, type, inst);
}

/* A read of the host at t: KSM's run, and its memory when with_mem. */
static void ingest_host(struct engine *e, double t, bool with_mem)
{
	char body[2048] = "[";
	size_t n = 1;
	json_t *reply = NULL;

	n += (size_t)rec(body + n, sizeof(body) - n, "gauge", "ksm_run", 1, t);
	if (with_mem) {
		static const char *const mem[] = {"total", "free", "available"};
		static const double kib[] = {8e6, 4e6, 6e6};

		for (int i = 0; i < 3; i++) {
			body[n++] = ',';
			n += (size_t)rec(body + n, sizeof(body) - n, "memory",
					 mem[i], kib[i] * 1024, t);
		}
	}
	snprintf(body + n, sizeof(body) - n, "]");
	T_EQ_INT(engine_ingest(e, body, strlen(body), &reply), 200,
		 "host record ingested");
	json_decref(reply);
}

static void view(struct engine *e, struct engine_view *v)
{
	if (engine_view_take(e, ENGINE_VIEW_STATUS, v) < 0)
		abort();
}

/*
 * A fresh engine (momd just restarted) whose first host sample, memory and
 * all, was taken 100 s ago: it arrives now, yet the cycle holds; a sample
 * taken now is acted on.
 */
static void late_sample_holds(const struct conf *c, double now)
{
	struct engine_view v;
	char err[512];
	struct engine *e = engine_new(c, err, sizeof(err));

	if (!e)
		abort();
	ksm_files();
	ingest_host(e, now - 100, true);
	engine_cycle(e);
	view(e, &v);
	T_OK(v.host_stale, "a sample taken 100 s ago, arrived now: held");
	T_EQ_INT(v.held_cycles, 1, "... one held cycle");
	T_EQ_INT(v.cycles, 0, "... no cycle evaluated");
	engine_view_release(e, &v);
	T_EQ_INT(ksm_run(), 1, "... and KSM left as it is");

	ingest_host(e, now, true);
	engine_cycle(e);
	view(e, &v);
	T_OK(!v.host_stale, "a sample taken now: acting again");
	T_EQ_INT(v.cycles, 1, "... the cycle evaluated");
	engine_view_release(e, &v);
	T_EQ_INT(ksm_run(), 0, "... and the calm host's KSM stopped");
	engine_free(e);
}

int main(void)
{
	struct conf c;
	struct engine_view v;
	struct engine *e;
	char err[512];
	double t = (double)clock_wall_ms() / 1000.0 - 5;
	const char *src = getenv("MOM_SRCDIR");
	char pol[600];

	snprintf(tmp, sizeof(tmp), "/tmp/engine_hold_test.XXXXXX");
	if (!mkdtemp(tmp))
		abort();
	snprintf(ksm, sizeof(ksm), "%s/ksm", tmp);
	if (mkdir(ksm, 0700) < 0)
		abort();
	ksm_files();
	snprintf(pol, sizeof(pol), "%s/policies/adaptive", src ? src : ".");
	if (conf_init_defaults(&c) < 0 || set(&c, "--policy-dir", pol) ||
	    set(&c, "--ksm-dir", ksm) ||
	    set(&c, "--libvirt-uri", "test:///default") ||
	    set(&c, "--settle-ms", "0"))
		abort();
	log_set_level(LOG_LVL_ERR);
	e = engine_new(&c, err, sizeof(err));
	if (!e) {
		fprintf(stderr, "engine_hold_test: %s\n", err);
		abort();
	}

	for (int i = 0; i < 3; i++) {
		ingest_host(e, t + i, false);
		engine_cycle(e);
	}
	view(e, &v);
	T_EQ_INT(v.held_cycles, 3, "KSM values only, from the start: held");
	T_OK(v.host_stale, "... shown as a hold");
	T_EQ_INT(v.cycles, 0, "... no cycle evaluated");
	engine_view_release(e, &v);
	T_EQ_INT(ksm_run(), 1, "... and KSM left as it is");

	ingest_host(e, t + 3, true);
	engine_cycle(e);
	view(e, &v);
	T_OK(!v.host_stale, "MemFree arrived: acting again");
	T_EQ_INT(v.cycles, 1, "... the cycle evaluated");
	engine_view_release(e, &v);
	T_EQ_INT(ksm_run(), 0, "... and the calm host's KSM stopped");

	ingest_host(e, t + 4, false);
	engine_cycle(e);
	view(e, &v);
	T_OK(v.host_stale, "memory missing from the newest sample: held");
	T_EQ_INT(v.held_cycles, 4, "... one more held cycle");
	engine_view_release(e, &v);

	engine_free(e);
	late_sample_holds(&c, t + 5);
	conf_release(&c);
	for (size_t i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		char path[256];

		snprintf(path, sizeof(path), "%s/%s", ksm, knobs[i]);
		unlink(path);
	}
	rmdir(ksm);
	rmdir(tmp);
	return t_done();
}
