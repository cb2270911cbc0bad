/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prom_test.c: prom_render() of hand-built engine views (engine_view.h):
 * the samples each part gives, the labels and their escaping, units, and
 * what is left out (unset targets, absent fields, parts not taken), and
 * the HTTP server's counts beside them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "prom.h"
#include "testing.h"

static bool has(const char *text, const char *line)
{
	size_t n = strlen(line);

	for (const char *p = text; p && (p = strstr(p, line)); p += n)
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return true;
	return false;
}

static void test_full_view(void)
{
	static char *stale[] = {"a\"b\\c"};
	struct plan_guest pg[2] = {{.name = "g1"}, {.name = "g2"}};
	struct plan plan = {.nguests = 2, .guests = pg};
	struct control_target applied[] = {{"g1", 1024, true},
					   {"g2", -1, false}};
	double g1[GUEST_FIELD_COUNT], g2[GUEST_FIELD_COUNT];
	struct snap_entity guests[] = {{.name = "g1", .len = 1, .values = g1},
				       {.name = "g2", .len = 1, .values = g2}};
	double vda[DISK_FIELD_COUNT];
	struct snap_disk disks[] = {
	    {1, {.name = "vda", .len = 1, .values = vda}}};
	struct plan_disk pd[] = {{.guest = 1, .dev = "vda"}};
	struct snapshot snap = {
	    .guests = guests, .nguests = 2, .disks = disks, .ndisks = 1};
	struct engine_view v = {
	    .dry_run = true,
	    .interval_ms = 1500,
	    .cycles = 7,
	    .guests = 2,
	    .last_eval_ns = 2000000,
	    .started_ms = 1000,
	    .ingest = {.batches = 3,
		       .over_max_guests = 4,
		       .over_max_disks = 5,
		       .skipped = {[INGEST_SKIP_HOST] = 6}},
	    .actions = {[ACT_APPLIED] = 1, [ACT_DRY_RUN] = 2},
	    .balloon_backend = "libvirt",
	    .ksm_backend = "sysfs",
	    .host_age_ms = -1,
	    .stale_after_ms = 3000,
	    .held_cycles = 5,
	    .oom_events = 2,
	    .stale_guests = stale,
	    .nstale = 1,
	    .plan = &plan,
	    .applied = applied,
	    .napplied = 2,
	    .samples = &snap,
	};
	char *t;

	for (int f = 0; f < GUEST_FIELD_COUNT; f++)
		g1[f] = g2[f] = FIELD_ABSENT;
	g1[GF_BALLOON_CUR] = 2048;
	g1[GF_BALLOON_MAX] = 4096;
	g2[GF_BALLOON_MAX] = 1.5;
	pg[0].ctl[GC_BALLOON_TARGET] = (struct plan_value){true, 512, {0}};
	pg[1].ctl[GC_VCPU_QUOTA] = (struct plan_value){true, 1000, {0}};
	g2[GF_VCPU_QUOTA] = -1;
	for (int f = 0; f < DISK_FIELD_COUNT; f++)
		vda[f] = FIELD_ABSENT;
	vda[DF_CUR_READ_IOPS_SEC] = 0;
	vda[DF_MAX_READ_IOPS_SEC] = 200;
	plan.disks = pd;
	plan.ndisks = 1;
	pd[0].ctl[DC_READ_IOPS_SEC] = (struct plan_value){true, 200, {0}};
	plan.host[HC_KSM_SLEEP_MILLISECS] = (struct plan_value){true, 20, {0}};
	plan.signal[PS_EMERGENCY] = (struct plan_value){true, 1, {0}};

	t = prom_render(&v, &(struct http_counts){.bodies_refused = 6,
						  .connections_cut = 8});
	T_OK(t != NULL, "a full view renders");
	if (!t)
		return;
	T_OK(has(t, "momd_info{balloon_backend=\"libvirt\",ksm_backend="
		    "\"sysfs\"} 1"),
	     "momd_info names the backends");
	T_OK(has(t, "momd_dry_run 1"), "dry run as 1");
	T_OK(has(t, "momd_interval_seconds 1.5"), "interval in seconds");
	T_OK(has(t, "momd_start_time_seconds 1"), "start time in seconds");
	T_OK(has(t, "momd_cycles_total 7"), "cycles");
	T_OK(has(t, "momd_evaluation_seconds 0.002"), "evaluation seconds");
	T_OK(has(t, "momd_ingest_batches_total 3") &&
		 has(t, "momd_ingest_over_max_guests_values_total 4") &&
		 has(t, "momd_ingest_over_max_disks_values_total 5") &&
		 has(t, "momd_ingest_records_total 0"),
	     "ingest counters, zero ones too");
	T_OK(has(t, "momd_ingest_skipped_records_total{reason=\"plugin\"} 0") &&
		 has(t, "momd_ingest_skipped_records_total{reason=\"host\"} 6"),
	     "skipped records by reason");
	T_OK(has(t, "momd_http_bodies_refused_total 6") &&
		 has(t, "momd_http_connections_cut_total 8") &&
		 strstr(t, "# TYPE momd_http_bodies_refused_total counter\n") &&
		 strstr(t, "# TYPE momd_http_connections_cut_total counter\n"),
	     "the HTTP server's refused bodies and cut connections, as "
	     "counters");
	T_OK(has(t, "momd_actions_total{result=\"applied\"} 1") &&
		 has(t, "momd_actions_total{result=\"dry_run\"} 2") &&
		 has(t, "momd_actions_total{result=\"failed\"} 0"),
	     "actions by result, labelled as the status body's keys");
	T_OK(!strstr(t, "momd_host_sample_age_seconds"),
	     "no host age before the first host sample");
	T_OK(has(t, "momd_samples_stale_after_seconds 3") &&
		 has(t, "momd_held_cycles_total 5") &&
		 has(t, "momd_host_samples_stale 0"),
	     "freshness");
	T_OK(has(t, "momd_oom_harm_events_total 2"),
	     "the OOM rail's harm events");
	T_OK(has(t, "momd_guest_samples_stale{guest=\"a\\\"b\\\\c\"} 1"),
	     "a stale guest, its label escaped");
	T_OK(has(t, "momd_balloon_target_bytes{guest=\"g1\"} 1048576"),
	     "applied target in bytes");
	T_OK(!strstr(t, "momd_balloon_target_bytes{guest=\"g2\"}"),
	     "no sample for a guest with no target yet");
	T_OK(has(t, "momd_balloon_following{guest=\"g2\"} 0") &&
		 has(t, "momd_balloon_following{guest=\"g1\"} 1"),
	     "following per guest");
	T_OK(has(t, "momd_plan_balloon_target_bytes{guest=\"g1\"} 524288") &&
		 !strstr(t, "momd_plan_balloon_target_bytes{guest=\"g2\"}"),
	     "planned targets of the guests the plan set");
	T_OK(has(t, "momd_plan_ksm_sleep_seconds 0.02") &&
		 !strstr(t, "momd_plan_ksm_run"),
	     "planned KSM knobs that are set, in seconds");
	T_OK(has(t, "momd_plan_emergency 1"), "the emergency signal");
	T_OK(has(t, "momd_guest_balloon_current_bytes{guest=\"g1\"} 2097152") &&
		 !strstr(t, "momd_guest_balloon_current_bytes{guest=\"g2\"}"),
	     "current balloon of the guests that sent it");
	T_OK(has(t, "momd_guest_balloon_maximum_bytes{guest=\"g2\"} 1536"),
	     "maximum balloon in bytes");
	T_OK(
	    has(t, "momd_plan_vcpu_quota_microseconds{guest=\"g2\"} 1000") &&
		has(t, "momd_guest_vcpu_quota_microseconds{guest=\"g2\"} -1") &&
		!strstr(t, "momd_plan_vcpu_period_microseconds"),
	    "planned vCPU quota beside the reported one");
	T_OK(has(t, "momd_plan_disk_io_limit{guest=\"g2\",disk=\"vda\","
		    "limit=\"read_iops_sec\"} 200") &&
		 has(t, "momd_disk_io_limit{guest=\"g2\",disk=\"vda\","
			"limit=\"read_iops_sec\"} 0") &&
		 has(t, "momd_disk_io_limit_maximum{guest=\"g2\",disk="
			"\"vda\",limit=\"read_iops_sec\"} 200") &&
		 !strstr(t, "limit=\"write_iops_sec\""),
	     "a disk's planned limit beside its live one and its maximum");
	T_OK(strstr(t, "# TYPE momd_actions_total counter\n") != NULL &&
		 strstr(t, "# TYPE momd_balloon_target_bytes gauge\n") != NULL,
	     "families typed");
	free(t);
}

static void test_empty_view(void)
{
	struct engine_view v = {.host_age_ms = 250};
	char *t = prom_render(&v, NULL);

	T_OK(t != NULL, "an empty view renders");
	if (!t)
		return;
	T_OK(!strstr(t, "momd_info"), "no momd_info without backends");
	T_OK(has(t, "momd_host_sample_age_seconds 0.25"), "host age");
	T_OK(!strstr(t, "momd_plan_") && !strstr(t, "momd_balloon_") &&
		 !strstr(t, "momd_guest_"),
	     "no plan, target or sample families without those parts");
	T_OK(!strstr(t, "momd_http_"), "no HTTP counts without a server's");
	free(t);
}

/* Values as Prometheus reads them: integers plainly, others with all their
   digits, beyond the range of long long too (converting those would be
   undefined behaviour: -fsanitize=float-cast-overflow reports it), and a
   product that overflows as +Inf. */
static void test_numbers(void)
{
	static const double kib[] = {4096, 0.5, 1e300, 1e306};
	double rows[4][GUEST_FIELD_COUNT];
	struct snap_entity g[4] = {
	    {.name = "a"}, {.name = "b"}, {.name = "c"}, {.name = "d"}};
	struct snapshot s = {.guests = g, .nguests = 4};
	struct engine_view v = {.samples = &s, .host_age_ms = -1};
	char want[4][128], *t;

	for (int i = 0; i < 4; i++) {
		for (int f = 0; f < GUEST_FIELD_COUNT; f++)
			rows[i][f] = FIELD_ABSENT;
		rows[i][GF_BALLOON_CUR] = kib[i];
		g[i].len = 1;
		g[i].values = rows[i];
	}
	snprintf(want[0], sizeof(want[0]), "%s", "4194304");
	snprintf(want[1], sizeof(want[1]), "%s", "512");
	snprintf(want[2], sizeof(want[2]), "%.17g", 1e300 * 1024);
	snprintf(want[3], sizeof(want[3]), "%s", "+Inf");
	t = prom_render(&v, NULL);
	T_OK(t != NULL, "numbers render");
	for (int i = 0; t && i < 4; i++) {
		char line[768];

		snprintf(line, sizeof(line),
			 "momd_guest_balloon_current_bytes{guest=\"%s\"} %s",
			 g[i].name, want[i]);
		T_OK(has(t, line), "%s", line);
	}
	free(t);
}

int main(void)
{
	test_numbers();
	test_full_view();
	test_empty_view();
	return t_done();
}
