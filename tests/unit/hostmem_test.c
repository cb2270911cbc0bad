/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hostmem_test.c: unit tests of collectd-plugin/host_mem.c.
 *
 * The parsers run on literal text, including malformed input; the reader
 * runs with its Root pointed at the fixture tree tests/fixtures/root/ (a
 * fake /proc and /sys/kernel/mm/ksm, see its README), and at scratch trees
 * built here for missing and malformed files.  Single-threaded.
 */
#include "host_mem.h"
#include "testing.h"

#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define NS 1000000000LL

/* Locates tests/fixtures/root from the cwd (make test runs at the top) or
   from the binary (build/tests/hostmem_test). */
static const char *fixture_root(const char *argv0)
{
	static char buf[PATH_MAX];
	char tmp[PATH_MAX];

	if (access("tests/fixtures/root/proc/meminfo", R_OK) == 0)
		return "tests/fixtures/root";
	snprintf(tmp, sizeof(tmp), "%s", argv0);
	snprintf(buf, sizeof(buf), "%s/../../tests/fixtures/root",
		 dirname(tmp));
	return buf;
}

static int write_file(const char *dir, const char *rel, const char *text)
{
	char path[PATH_MAX];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	f = fopen(path, "w");
	if (f == NULL)
		return -errno;
	fputs(text, f);
	return fclose(f) == 0 ? 0 : -EIO;
}

static void test_meminfo(void)
{
	struct host_sample s = {0};
	int n = host_parse_meminfo("MemTotal:  1000 kB\n"
				   "SwapCached:  7 kB\n"
				   "Cached:  300 kB\n"
				   "MemFree: garbage kB\n"
				   "AnonPages: -5 kB\n"
				   "Buffers:20 kB",
				   &s);

	T_EQ_INT(n, 3, "meminfo: three well-formed known keys");
	T_EQ_INT(s.ival[HOST_MEM_TOTAL_KIB], 1000, "MemTotal");
	T_EQ_INT(s.ival[HOST_MEM_CACHED_KIB], 300,
		 "Cached, not confused with SwapCached");
	T_EQ_INT(s.ival[HOST_MEM_BUFFERS_KIB], 20, "last line without newline");
	T_OK(!s.present[HOST_MEM_FREE_KIB], "malformed MemFree is absent");
	T_OK(!s.present[HOST_MEM_ANON_KIB], "negative AnonPages is absent");
	T_OK(!s.present[HOST_MEM_AVAILABLE_KIB], "missing key is absent");
	T_EQ_INT(host_parse_meminfo("", &s), 0, "empty meminfo sets nothing");
}

static void test_vmstat_pressure(void)
{
	struct host_sample s = {0};

	T_EQ_INT(host_parse_vmstat("pswpin 5\npswpout 6\npswpinx 9\n", &s), 2,
		 "vmstat: two counters");
	T_EQ_INT(s.ival[HOST_PSWPIN_PAGES], 5, "pswpin");
	T_EQ_INT(s.ival[HOST_PSWPOUT_PAGES], 6, "pswpout");
	memset(&s, 0, sizeof(s));
	T_EQ_INT(host_parse_pressure(
		     "some avg10=1.50 avg60=2.25 avg300=0.10 total=99\n", &s),
		 3, "pressure: some line only");
	T_EQ_DBL(s.rval[HOST_PSI_SOME_AVG10_PCT], 1.5, "some avg10");
	T_EQ_DBL(s.rval[HOST_PSI_SOME_AVG60_PCT], 2.25, "some avg60");
	T_EQ_INT(s.ival[HOST_PSI_SOME_TOTAL_US], 99, "some total");
	T_OK(!s.present[HOST_PSI_FULL_AVG10_PCT], "no full line: absent");
	memset(&s, 0, sizeof(s));
	T_EQ_INT(host_parse_pressure("some avg10=x avg60=1 avg300=1 total=1\n"
				     "bogus avg10=1 avg60=1 avg300=1 total=1\n",
				     &s),
		 0, "malformed pressure lines are ignored");
	T_EQ_INT(host_parse_cpuinfo("processor\t: 0\nprocessors: x\n"
				    "processor : 1\n",
				    &s),
		 1, "cpuinfo parsed");
	T_EQ_INT(s.ival[HOST_CPU_COUNT], 2, "two processor lines");
	T_EQ_INT(host_parse_cpuinfo("model name: x\n", &s), 0,
		 "no processor line: nothing set");
}

static void test_ksm_parse(void)
{
	struct host_sample s = {0};

	T_EQ_INT(host_parse_ksm("run", "1\n", &s), 1, "run parses");
	T_EQ_INT(s.ival[HOST_KSM_RUN], 1, "run = 1");
	T_EQ_INT(host_parse_ksm("general_profit", "-8192\n", &s), 1,
		 "general_profit may be negative");
	T_EQ_INT(s.ival[HOST_KSM_GENERAL_PROFIT_BYTES], -8192,
		 "general_profit value");
	T_EQ_INT(host_parse_ksm("pages_shared", "-1\n", &s), 0,
		 "negative pages_shared rejected");
	T_EQ_INT(host_parse_ksm("pages_shared", "12 13\n", &s), 0,
		 "trailing garbage rejected");
	T_EQ_INT(host_parse_ksm("pages_shared", "", &s), 0,
		 "empty file rejected");
	T_EQ_INT(host_parse_ksm("use_zero_pages", "1\n", &s), 0,
		 "unknown file ignored");
	T_EQ_INT(host_parse_ksm("advisor_mode", "[none] scan-time\n", &s), 1,
		 "advisor_mode none");
	T_EQ_INT(s.ival[HOST_KSM_ADVISOR_MODE], 0, "[none] -> 0");
	T_EQ_INT(host_parse_ksm("advisor_mode", "none [scan-time]\n", &s), 1,
		 "advisor_mode scan-time");
	T_EQ_INT(s.ival[HOST_KSM_ADVISOR_MODE], 1, "[scan-time] -> 1");
	T_EQ_INT(host_parse_ksm("advisor_mode", "none scan-time\n", &s), 0,
		 "advisor_mode without brackets rejected");
	T_EQ_INT(host_parse_ksm("advisor_mode", "[future] none\n", &s), 0,
		 "unknown advisor mode rejected");
}

static void test_pid_ident(void)
{
	char comm[32];
	unsigned long flags = 0;

	T_EQ_INT(host_parse_pid_ident("42 (ksmd) S 2 0 0 0 -1 2129984 0 0",
				      comm, sizeof(comm), &flags),
		 0, "ident of ksmd parses");
	T_EQ_STR(comm, "ksmd", "comm");
	T_OK(flags & 0x200000, "PF_KTHREAD set");
	T_EQ_INT(host_parse_pid_ident("7 (a) (ksmd) S 1 1 1 0 -1 4194560 0",
				      comm, sizeof(comm), &flags),
		 0, "comm with parentheses parses");
	T_EQ_STR(comm, "a) (ksmd", "comm up to the last ')'");
	T_OK(!(flags & 0x200000), "a user process has no PF_KTHREAD");
	T_EQ_INT(host_parse_pid_ident("7 (ksmd S", comm, sizeof(comm), &flags),
		 -EINVAL, "no ')': -EINVAL");
}

static void test_pid_parsers(void)
{
	test_pid_ident();
	uint64_t v = 0;

	T_EQ_INT(host_parse_pid_stat("42 (ksmd) S 2 0 0 0 -1 2129984 0 0 0 0 "
				     "100 50 0 0 25 5 1 0",
				     &v),
		 0, "stat parses");
	T_EQ_INT(v, 150, "utime + stime");
	T_EQ_INT(
	    host_parse_pid_stat("7 (a) b) R 1 7 7 0 -1 0 1 0 0 0 7 3 0", &v), 0,
	    "comm with ') ' parses");
	T_EQ_INT(v, 10, "utime + stime after the last ')'");
	T_EQ_INT(host_parse_pid_stat("42 ksmd S 2", &v), -EINVAL,
		 "stat without parentheses rejected");
	T_EQ_INT(host_parse_pid_stat("42 (ksmd) S 2 0 0", &v), -EINVAL,
		 "truncated stat rejected");
	T_EQ_INT(host_parse_status_vmsize("Name:\tq\nVmSize:\t 2048 kB\n", &v),
		 0, "VmSize parses");
	T_EQ_INT(v, 2048, "VmSize value");
	T_EQ_INT(host_parse_status_vmsize("Name:\tkworker\n", &v), -ENOENT,
		 "no VmSize: -ENOENT");
	T_EQ_INT(host_parse_status_vmsize("VmSize:\t x kB\n", &v), -EINVAL,
		 "malformed VmSize: -EINVAL");
}

/* The whole fixture tree: every field, with ksmd's CPU over two reads. */
static void test_reader_fixture(const char *root)
{
	struct host_reader *r = host_reader_new(root, 100);
	struct host_sample s;
	int n;

	T_OK(r != NULL, "reader created on %s", root);
	if (r == NULL)
		return;
	n = host_reader_read(r, HOST_GROUP_MEM | HOST_GROUP_KSM, 10 * NS, &s);
	T_EQ_INT(n, HOST_FIELD_NR - 1, "every field but ksmd CPU on read 1");
	T_OK(!s.present[HOST_KSMD_CPU_PCT], "ksmd CPU absent on first read");
	T_EQ_INT(s.ival[HOST_MEM_TOTAL_KIB], 16314224, "MemTotal");
	T_EQ_INT(s.ival[HOST_MEM_FREE_KIB], 8123456, "MemFree");
	T_EQ_INT(s.ival[HOST_MEM_AVAILABLE_KIB], 12345678, "MemAvailable");
	T_EQ_INT(s.ival[HOST_MEM_BUFFERS_KIB], 234567, "Buffers");
	T_EQ_INT(s.ival[HOST_MEM_CACHED_KIB], 3456789, "Cached");
	T_EQ_INT(s.ival[HOST_MEM_ANON_KIB], 2345678, "AnonPages");
	T_EQ_INT(s.ival[HOST_SWAP_TOTAL_KIB], 4194300, "SwapTotal");
	T_EQ_INT(s.ival[HOST_SWAP_FREE_KIB], 4000000, "SwapFree");
	T_EQ_INT(s.ival[HOST_PSWPIN_PAGES], 1234, "pswpin");
	T_EQ_INT(s.ival[HOST_PSWPOUT_PAGES], 5678, "pswpout");
	T_EQ_DBL(s.rval[HOST_PSI_FULL_AVG10_PCT], 0.75, "full avg10");
	T_EQ_DBL(s.rval[HOST_PSI_FULL_AVG60_PCT], 1.0, "full avg60");
	T_EQ_INT(s.ival[HOST_PSI_FULL_TOTAL_US], 23456789, "full total");
	T_EQ_INT(s.ival[HOST_CPU_COUNT], 4, "cpu count");
	T_EQ_INT(s.ival[HOST_KSM_RUN], 1, "ksm run");
	T_EQ_INT(s.ival[HOST_KSM_PAGES_SHARED], 1100, "pages_shared");
	T_EQ_INT(s.ival[HOST_KSM_PAGES_SHARING], 4400, "pages_sharing");
	T_EQ_INT(s.ival[HOST_KSM_PAGES_UNSHARED], 550, "pages_unshared");
	T_EQ_INT(s.ival[HOST_KSM_PAGES_VOLATILE], 77, "pages_volatile");
	T_EQ_INT(s.ival[HOST_KSM_FULL_SCANS], 12, "full_scans");
	T_EQ_INT(s.ival[HOST_KSM_PAGES_TO_SCAN], 100, "pages_to_scan");
	T_EQ_INT(s.ival[HOST_KSM_SLEEP_MS], 20, "sleep_millisecs");
	T_EQ_INT(s.ival[HOST_KSM_MERGE_ACROSS_NODES], 1, "merge_across_nodes");
	T_EQ_INT(s.ival[HOST_KSM_GENERAL_PROFIT_BYTES], 13516800,
		 "general_profit");
	T_EQ_INT(s.ival[HOST_KSM_ZERO_PAGES], 33, "ksm_zero_pages");
	T_EQ_INT(s.ival[HOST_KSM_ADVISOR_MODE], 0, "advisor_mode");
	T_EQ_INT(s.ival[HOST_KSM_SHAREABLE_KIB], 4194304 + 2097152,
		 "ksm_shareable: VmSize of the two qemu processes only");
	/* Same ticks 2 s later: 0 %. */
	host_reader_read(r, HOST_GROUP_KSM, 12 * NS, &s);
	T_OK(s.present[HOST_KSMD_CPU_PCT], "ksmd CPU present on read 2");
	T_EQ_DBL(s.rval[HOST_KSMD_CPU_PCT], 0.0, "no new ticks: 0 %");
	T_OK(!s.present[HOST_MEM_TOTAL_KIB], "KSM group only: no meminfo");
	host_reader_free(r);
}

/* ksmd CPU over elapsed time, pid change, and a vanished ksmd.  The stat
   flags 2129984 hold PF_KTHREAD (0x200000): ksmd is a kernel thread. */
static void test_ksmd_cpu(const char *dir)
{
	struct host_reader *r = host_reader_new(dir, 100);
	struct host_sample s;
	const char *stat1 =
	    "42 (ksmd) S 2 0 0 0 -1 2129984 0 0 0 0 100 50 0 0\n";
	const char *stat2 =
	    "42 (ksmd) S 2 0 0 0 -1 2129984 0 0 0 0 130 70 0 0\n";
	const char *stat3 =
	    "42 (ksmd) S 2 0 0 0 -1 2129984 0 0 0 0 999 999 0 0\n";
	const char *other =
	    "42 (kthreadd) S 2 0 0 0 -1 2129984 0 0 0 0 1 1 0 0\n";

	write_file(dir, "proc/42/stat", stat1);
	host_reader_read(r, HOST_GROUP_KSM, 100 * NS, &s);
	write_file(dir, "proc/42/stat", stat2);
	host_reader_read(r, HOST_GROUP_KSM, 104 * NS, &s);
	/* 50 ticks at 100 Hz = 0.5 s CPU over 4 s elapsed = 12.5 %. */
	T_EQ_DBL(s.rval[HOST_KSMD_CPU_PCT], 12.5,
		 "ksmd CPU uses elapsed time, not the interval");
	write_file(dir, "proc/42/stat", stat3);
	host_reader_read(r, HOST_GROUP_KSM, 105 * NS, &s);
	T_EQ_DBL(s.rval[HOST_KSMD_CPU_PCT], 100.0, "clamped to one CPU");
	write_file(dir, "proc/42/stat", other);
	host_reader_read(r, HOST_GROUP_KSM, 106 * NS, &s);
	T_OK(!s.present[HOST_KSMD_CPU_PCT], "no ksmd: absent, not 0");
	write_file(dir, "proc/42/stat", stat1);
	host_reader_read(r, HOST_GROUP_KSM, 107 * NS, &s);
	T_OK(!s.present[HOST_KSMD_CPU_PCT],
	     "ksmd back within a minute: /proc not scanned again yet");
	host_reader_read(r, HOST_GROUP_KSM, 170 * NS, &s);
	T_OK(!s.present[HOST_KSMD_CPU_PCT], "found by the next scan: baseline");
	write_file(dir, "proc/42/stat", stat2);
	host_reader_read(r, HOST_GROUP_KSM, 174 * NS, &s);
	T_EQ_DBL(s.rval[HOST_KSMD_CPU_PCT], 12.5, "and measured again");
	host_reader_free(r);
}

/* Issue 21: a user process renamed "qemu-system-x86_64" mapping a huge
   area, or named "ksmd", changes nothing.  Uses the fixture tree (the real
   /proc cannot be given such processes by a test): proc/1004 maps 1 PiB,
   and a virtiofsd pid file names it; proc/43 is a user process "ksmd". */
static void test_impostors(const char *root)
{
	struct host_reader *r = host_reader_new(root, 100);
	struct host_sample s;

	host_reader_read(r, HOST_GROUP_KSM, 10 * NS, &s);
	T_EQ_INT(s.ival[HOST_KSM_SHAREABLE_KIB], 4194304 + 2097152,
		 "ksm_shareable: libvirt's two QEMUs, not the renamed 1 PiB");
	host_reader_read(r, HOST_GROUP_KSM, 12 * NS, &s);
	T_EQ_DBL(s.rval[HOST_KSMD_CPU_PCT], 0.0,
		 "ksmd is the kernel thread 42 (no new ticks), not the user "
		 "process 43");
	T_EQ_INT(host_reader_set_qemu_dir(r, "/no/such/dir"), 0,
		 "another QEMU state directory");
	host_reader_read(r, HOST_GROUP_KSM, 14 * NS, &s);
	T_EQ_INT(s.ival[HOST_KSM_SHAREABLE_KIB], 0,
		 "no libvirt state directory: ksm_shareable 0, whatever runs");
	host_reader_free(r);
}

/* A scratch root: old kernel (no MemAvailable, PSI, newer KSM files),
   malformed files, no qemu. */
static void test_reader_missing(void)
{
	char dir[] = "/tmp/hostmem_test.XXXXXX";
	char cmd[PATH_MAX + 64];
	struct host_reader *r;
	struct host_sample s;

	if (mkdtemp(dir) == NULL) {
		T_SKIP("mkdtemp failed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc/42 %s/sys/kernel/mm/ksm",
		 dir, dir);
	T_EQ_INT(system(cmd), 0, "scratch root created");
	write_file(dir, "proc/meminfo", "MemTotal: 2048 kB\nMemFree: x kB\n");
	write_file(dir, "proc/vmstat", "garbage\n");
	write_file(dir, "sys/kernel/mm/ksm/run", "1\n");
	write_file(dir, "sys/kernel/mm/ksm/pages_shared", "oops\n");
	write_file(dir, "proc/42/comm", "ksmd\n");
	r = host_reader_new(dir, 100);
	host_reader_read(r, HOST_GROUP_MEM | HOST_GROUP_KSM, NS, &s);
	T_OK(s.present[HOST_MEM_TOTAL_KIB], "MemTotal read");
	T_OK(!s.present[HOST_MEM_FREE_KIB], "malformed MemFree absent");
	T_OK(!s.present[HOST_MEM_AVAILABLE_KIB], "missing MemAvailable absent");
	T_OK(!s.present[HOST_PSWPIN_PAGES], "malformed vmstat absent");
	T_OK(!s.present[HOST_PSI_SOME_AVG10_PCT], "no PSI file: absent");
	T_OK(!s.present[HOST_CPU_COUNT], "no cpuinfo: absent");
	T_OK(s.present[HOST_KSM_RUN], "ksm run read");
	T_OK(!s.present[HOST_KSM_PAGES_SHARED], "malformed KSM file absent");
	T_OK(!s.present[HOST_KSM_GENERAL_PROFIT_BYTES] &&
		 !s.present[HOST_KSM_ZERO_PAGES] &&
		 !s.present[HOST_KSM_ADVISOR_MODE],
	     "missing newer KSM files absent, not 0");
	T_OK(s.present[HOST_KSM_SHAREABLE_KIB] &&
		 s.ival[HOST_KSM_SHAREABLE_KIB] == 0,
	     "no libvirt QEMU: ksm_shareable 0");
	T_OK(!s.present[HOST_KSMD_CPU_PCT], "ksmd without stat: absent");
	test_ksmd_cpu(dir);
	host_reader_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_EQ_INT(system(cmd), 0, "scratch root removed");

	r = host_reader_new("/nonexistent/root", 100);
	T_EQ_INT(host_reader_read(r, HOST_GROUP_MEM | HOST_GROUP_KSM, NS, &s),
		 0, "nonexistent root: nothing present, no crash");
	host_reader_free(r);
}

/* A host with a thousand CPUs has more than a MiB of /proc/cpuinfo (about
   1.2 KiB a CPU on x86): it is counted all the same, not left absent. */
static void test_big_cpuinfo(void)
{
	char dir[] = "/tmp/hostmem_test.XXXXXX";
	char path[PATH_MAX], cmd[PATH_MAX + 64], flags[1201];
	struct host_reader *r;
	struct host_sample s;
	long size = 0;
	FILE *f;

	if (mkdtemp(dir) == NULL) {
		T_SKIP("mkdtemp failed");
		return;
	}
	snprintf(cmd, sizeof(cmd), "mkdir -p %s/proc", dir);
	T_EQ_INT(system(cmd), 0, "scratch root created");
	memset(flags, 'f', sizeof(flags) - 1);
	flags[sizeof(flags) - 1] = '\0';
	snprintf(path, sizeof(path), "%s/proc/cpuinfo", dir);
	f = fopen(path, "w");
	if (f != NULL) {
		for (int i = 0; i < 1000; i++)
			fprintf(f, "processor\t: %d\nflags\t\t: %s\n\n", i,
				flags);
		size = ftell(f);
		fclose(f);
	}
	T_OK(size > 1024 * 1024, "cpuinfo of 1000 CPUs is over 1 MiB");
	r = host_reader_new(dir, 100);
	host_reader_read(r, HOST_GROUP_MEM, NS, &s);
	T_OK(s.present[HOST_CPU_COUNT] && s.ival[HOST_CPU_COUNT] == 1000,
	     "cpu_count of a 1000-CPU host: 1000, not absent");
	host_reader_free(r);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	T_EQ_INT(system(cmd), 0, "scratch root removed");
}

int main(int argc, char **argv)
{
	(void)argc;
	test_meminfo();
	test_vmstat_pressure();
	test_ksm_parse();
	test_pid_parsers();
	test_reader_fixture(fixture_root(argv[0]));
	test_impostors(fixture_root(argv[0]));
	test_reader_missing();
	test_big_cpuinfo();
	return t_done();
}
