/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agentparse_test.c: unit tests of collectd-plugin/agent_parse.c, the
 * strict parsers for guest text read through qemu-guest-agent.
 *
 * Real samples live in tests/fixtures/agent/ (see its README: this host's
 * /proc and a test guest's, Debian 12 kernel 6.1, read through the agent).
 * Each is parsed whole, then cut at every byte offset (a cut text either
 * parses with fewer fields or fails naming a line, never crashes, never
 * invents a 0), then hostile variants: NUL and control bytes, signs, huge
 * numbers, repeated keys, oversize text.  Single-threaded.
 */
#include "agent_parse.h"
#include "testing.h"

#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

typedef int (*parse_fn)(const char *, size_t, struct agent_stats *, char *,
			size_t);

static char fixdir[PATH_MAX];

static void find_fixtures(const char *argv0)
{
	char tmp[PATH_MAX];

	if (access("tests/fixtures/agent/host.vmstat", R_OK) == 0) {
		snprintf(fixdir, sizeof(fixdir), "tests/fixtures/agent");
		return;
	}
	snprintf(tmp, sizeof(tmp), "%s", argv0);
	snprintf(fixdir, sizeof(fixdir), "%s/../../tests/fixtures/agent",
		 dirname(tmp));
}

/* slurp: the fixture's bytes (malloc'd, *len set), NULL if absent. */
static char *slurp(const char *name, size_t *len)
{
	char path[PATH_MAX + 64];
	char *buf;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fixdir, name);
	f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	buf = malloc(AGENT_TEXT_MAX + 1);
	*len = buf ? fread(buf, 1, AGENT_TEXT_MAX + 1, f) : 0;
	fclose(f);
	return buf;
}

static int parse_str(parse_fn fn, const char *s, struct agent_stats *st,
		     char *err, size_t errlen)
{
	return fn(s, strlen(s), st, err, errlen);
}

/* expect_err: text s is refused with a message containing want, and the
   stats it was given stay exactly as they were. */
static void expect_err(parse_fn fn, const char *s, const char *want,
		       const char *what)
{
	struct agent_stats st, before;
	char err[200];

	memset(&st, 0, sizeof(st));
	st.present[AGENT_PSWPIN_PAGES] = true;
	st.v[AGENT_PSWPIN_PAGES] = 77;
	st.present[AGENT_PSI_SOME_AVG10_CPCT] = true;
	st.v[AGENT_PSI_SOME_AVG10_CPCT] = 55;
	st.present[AGENT_MEM_TOTAL_KIB] = true;
	st.v[AGENT_MEM_TOTAL_KIB] = 99;
	before = st;
	int rc = parse_str(fn, s, &st, err, sizeof(err));
	T_OK(rc == -1 && strstr(err, want) != NULL &&
		 memcmp(&st, &before, sizeof(st)) == 0,
	     "%s: refused with \"%s\"", what, want);
	if (rc != -1 || strstr(err, want) == NULL)
		printf("#   rc %d, err \"%s\"\n", rc, err);
}

static void test_sample(const char *name, parse_fn fn,
			const enum agent_field *want, int nwant)
{
	struct agent_stats st;
	char err[200];
	size_t len = 0;
	char *text = slurp(name, &len);
	int bad = 0, good = 0, invented = 0;

	if (text == NULL) {
		T_SKIP("fixture missing");
		return;
	}
	memset(&st, 0, sizeof(st));
	T_OK(fn(text, len, &st, err, sizeof(err)) == 0, "%s parses (%s)", name,
	     err);
	for (int k = 0; k < nwant; k++)
		T_OK(st.present[want[k]], "%s has %s", name,
		     agent_field_name(want[k]));
	/* Every prefix: a cut inside a line is an error naming a line; a cut
	   at a line end parses and each value it keeps equals the whole
	   text's (a truncated file never changes a value, never adds one). */
	for (size_t cut = 0; cut < len; cut++) {
		struct agent_stats p;
		memset(&p, 0, sizeof(p));
		int rc = fn(text, cut, &p, err, sizeof(err));
		if (rc != 0) {
			if (strncmp(err, "line ", 5) != 0)
				bad++;
			continue;
		}
		good++;
		for (int f = 0; f < AGENT_FIELD_NR; f++)
			if (p.present[f] &&
			    (!st.present[f] || (p.v[f] != st.v[f] &&
						f != AGENT_ALLOCSTALL_EVENTS)))
				invented++;
	}
	T_OK(bad == 0, "%s: every refused cut names its line", name);
	T_OK(good > 0 && invented == 0,
	     "%s: %d cuts at line ends keep only the sample's values", name,
	     good);
	free(text);
}

static void test_samples(void)
{
	static const enum agent_field psi[] = {
	    AGENT_PSI_SOME_AVG10_CPCT, AGENT_PSI_SOME_AVG60_CPCT,
	    AGENT_PSI_SOME_TOTAL_US,   AGENT_PSI_FULL_AVG10_CPCT,
	    AGENT_PSI_FULL_AVG60_CPCT, AGENT_PSI_FULL_TOTAL_US};
	static const enum agent_field vm[] = {
	    AGENT_OOM_KILL_EVENTS, AGENT_PGMAJFAULT_EVENTS, AGENT_PSWPIN_PAGES,
	    AGENT_PSWPOUT_PAGES, AGENT_ALLOCSTALL_EVENTS};
	static const enum agent_field mi[] = {
	    AGENT_MEM_TOTAL_KIB, AGENT_MEM_AVAILABLE_KIB, AGENT_SWAP_TOTAL_KIB,
	    AGENT_SWAP_FREE_KIB};
	static const char *const who[] = {"host", "guest"};

	for (int w = 0; w < 2; w++) {
		char n[64];
		snprintf(n, sizeof(n), "%s.pressure", who[w]);
		test_sample(n, agent_parse_pressure, psi, 6);
		snprintf(n, sizeof(n), "%s.vmstat", who[w]);
		test_sample(n, agent_parse_vmstat, vm, 5);
		snprintf(n, sizeof(n), "%s.meminfo", who[w]);
		test_sample(n, agent_parse_meminfo, mi, 4);
	}
}

static void test_pressure_values(void)
{
	struct agent_stats st;
	char err[200];

	memset(&st, 0, sizeof(st));
	T_OK(parse_str(agent_parse_pressure,
		       "some avg10=12.34 avg60=0.05 avg300=100.00 total=987\n"
		       "full avg10=100.00 avg60=9.90 avg300=0.00 "
		       "total=18446744073709551615\n",
		       &st, err, sizeof(err)) == 0,
	     "pressure parses (%s)", err);
	T_EQ_INT(st.v[AGENT_PSI_SOME_AVG10_CPCT], 1234,
		 "some avg10 in 1/100 %");
	T_EQ_INT(st.v[AGENT_PSI_SOME_AVG60_CPCT], 5, "some avg60");
	T_EQ_INT(st.v[AGENT_PSI_SOME_TOTAL_US], 987, "some total");
	T_EQ_INT(st.v[AGENT_PSI_FULL_AVG10_CPCT], 10000, "full avg10 100 %");
	T_EQ_INT(st.v[AGENT_PSI_FULL_AVG60_CPCT], 990, "full avg60");
	T_OK(st.v[AGENT_PSI_FULL_TOTAL_US] == UINT64_MAX, "full total max");

	/* Only "some" (a kernel printing no full line): full stays absent. */
	memset(&st, 0, sizeof(st));
	st.present[AGENT_PSI_FULL_AVG10_CPCT] = true; /* an older reading */
	T_OK(parse_str(agent_parse_pressure,
		       "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", &st,
		       err, sizeof(err)) == 0 &&
		 st.present[AGENT_PSI_SOME_AVG10_CPCT] &&
		 st.v[AGENT_PSI_SOME_AVG10_CPCT] == 0 &&
		 !st.present[AGENT_PSI_FULL_AVG10_CPCT] &&
		 !st.present[AGENT_PSI_FULL_TOTAL_US],
	     "some only: zeros are present, full is absent (not 0, not "
	     "the older reading)");

	expect_err(agent_parse_pressure,
		   "some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",
		   "line 1, column 12: bad average", "average above 100");
	expect_err(agent_parse_pressure,
		   "some avg10=-1.00 avg60=0.00 avg300=0.00 total=0\n",
		   "column 12: bad average", "negative average");
	expect_err(agent_parse_pressure,
		   "some avg10=1.5 avg60=0.00 avg300=0.00 total=0\n",
		   "bad average", "one decimal");
	expect_err(agent_parse_pressure,
		   "some avg10=00.50 avg60=0.00 avg300=0.00 total=0\n",
		   "bad average", "leading zero");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 "
		   "total=18446744073709551616\n",
		   "column 46: bad total", "total overflowing 64 bits");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 total=+5\n",
		   "bad total", "signed total");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg300=0.00 avg60=0.00 total=5\n",
		   "line 1, column 17: expected \"avg60=\"",
		   "keys out of order");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 total=5 extra=1\n",
		   "unexpected text after total", "extra key");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 total=5 \n",
		   "unexpected text after total", "trailing space");
	expect_err(agent_parse_pressure,
		   "some  avg10=1.00 avg60=0.00 avg300=0.00 total=5\n",
		   "expected \"avg10=\"", "double space");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 total=5\n"
		   "some avg10=2.00 avg60=0.00 avg300=0.00 total=6\n",
		   "line 2, column 1: psi_some_avg10 given twice",
		   "some twice");
	expect_err(agent_parse_pressure,
		   "most avg10=1.00 avg60=0.00 avg300=0.00 total=5\n",
		   "line 1, column 1: expected \"some\" or \"full\"",
		   "unknown kind");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00 avg60=0.00 avg300=0.00 total=5",
		   "line 1, column 47: no newline", "cut short");
	expect_err(agent_parse_pressure, "\n", "line 1, column 1: empty line",
		   "empty line");
	expect_err(agent_parse_pressure,
		   "some avg10=1.00\tavg60=0.00 avg300=0.00 total=5\n",
		   "column 16: byte 0x09", "tab");
}

static void test_vmstat_values(void)
{
	struct agent_stats st;
	char err[200];

	memset(&st, 0, sizeof(st));
	T_OK(parse_str(agent_parse_vmstat,
		       "nr_free_pages 5\npswpin 1\npswpout 2\n"
		       "allocstall_dma 3\nallocstall_normal 4\n"
		       "allocstall_movable 1000\n"
		       "pgmajfault 6\noom_kill 7\nzz_unknown_future 9\n",
		       &st, err, sizeof(err)) == 0,
	     "vmstat parses (%s)", err);
	T_EQ_INT(st.v[AGENT_PSWPIN_PAGES], 1, "pswpin");
	T_EQ_INT(st.v[AGENT_PSWPOUT_PAGES], 2, "pswpout");
	T_EQ_INT(st.v[AGENT_ALLOCSTALL_EVENTS], 1007,
		 "allocstall sums the zones");
	T_EQ_INT(st.v[AGENT_PGMAJFAULT_EVENTS], 6, "pgmajfault");
	T_EQ_INT(st.v[AGENT_OOM_KILL_EVENTS], 7, "oom_kill");

	memset(&st, 0, sizeof(st));
	T_OK(parse_str(agent_parse_vmstat, "nr_free_pages 5\npgmajfault 0\n",
		       &st, err, sizeof(err)) == 0 &&
		 st.present[AGENT_PGMAJFAULT_EVENTS] &&
		 !st.present[AGENT_OOM_KILL_EVENTS] &&
		 !st.present[AGENT_ALLOCSTALL_EVENTS] &&
		 !st.present[AGENT_PSWPIN_PAGES],
	     "a kernel without oom_kill: absent, not 0");

	expect_err(agent_parse_vmstat, "oom_kill 1\noom_kill 2\n",
		   "line 2, column 1: oom_kill given twice", "oom_kill twice");
	expect_err(agent_parse_vmstat, "allocstall_dma 1\nallocstall_dma 2\n",
		   "line 2, column 1: allocstall_dma given twice",
		   "zone twice");
	expect_err(agent_parse_vmstat,
		   "allocstall_a 1\nallocstall_b 1\nallocstall_c 1\n"
		   "allocstall_d 1\nallocstall_e 1\nallocstall_f 1\n"
		   "allocstall_g 1\nallocstall_h 1\nallocstall_i 1\n",
		   "line 9, column 1: more than 8 allocstall", "many zones");
	expect_err(agent_parse_vmstat,
		   "allocstall_a 18446744073709551615\nallocstall_b 1\n",
		   "line 2, column 14: allocstall sum overflows",
		   "sum overflow");
	expect_err(agent_parse_vmstat, "pgmajfault -1\n",
		   "line 1, column 12: expected an unsigned", "negative");
	expect_err(agent_parse_vmstat, "pgmajfault 12x\n",
		   "column 12: expected an unsigned", "junk after number");
	expect_err(agent_parse_vmstat, "pgmajfault  12\n",
		   "column 12: expected an unsigned", "two spaces");
	expect_err(agent_parse_vmstat, "pgmajfault\n",
		   "column 11: expected one space", "no value");
	expect_err(agent_parse_vmstat, "PgMajFault 1\n",
		   "column 1: expected a counter name", "capitals");
	expect_err(agent_parse_vmstat, "pgmajfault 99999999999999999999\n",
		   "expected an unsigned 64-bit", "overflow");
	expect_err(agent_parse_vmstat, "nr_free 1\n\n",
		   "line 2, column 1: expected a counter name", "empty line");
	expect_err(agent_parse_vmstat, "oom_kill 1\r\n",
		   "line 1, column 11: byte 0x0d", "CR");
	{
		char s[] = "oom_kill 1\npgmajfault 2\n";
		s[12] = '\0';
		struct agent_stats x;
		memset(&x, 0, sizeof(x));
		T_OK(agent_parse_vmstat(s, sizeof(s) - 1, &x, err,
					sizeof(err)) == -1 &&
			 strstr(err, "line 2, column 2: byte 0x00") &&
			 !x.present[AGENT_OOM_KILL_EVENTS],
		     "NUL byte refused (%s), nothing kept", err);
	}
	{
		char name[200];
		memset(name, 'a', 100);
		strcpy(name + 100, " 1\n");
		expect_err(agent_parse_vmstat, name,
			   "line 1, column 65: name longer than 64",
			   "long name");
	}
}

static void test_meminfo_values(void)
{
	struct agent_stats st;
	char err[200];

	memset(&st, 0, sizeof(st));
	T_OK(parse_str(agent_parse_meminfo,
		       "MemTotal:        1000 kB\nMemFree:  10 kB\n"
		       "MemAvailable:     900 kB\nActive(anon):  1 kB\n"
		       "SwapTotal:       50 kB\nSwapFree:  50 kB\n"
		       "HugePages_Total:       0\n",
		       &st, err, sizeof(err)) == 0,
	     "meminfo parses (%s)", err);
	T_EQ_INT(st.v[AGENT_MEM_TOTAL_KIB], 1000, "MemTotal");
	T_EQ_INT(st.v[AGENT_MEM_AVAILABLE_KIB], 900, "MemAvailable");
	T_EQ_INT(st.v[AGENT_SWAP_TOTAL_KIB], 50, "SwapTotal");
	T_EQ_INT(st.v[AGENT_SWAP_FREE_KIB], 50, "SwapFree");

	memset(&st, 0, sizeof(st));
	T_OK(parse_str(agent_parse_meminfo, "MemTotal:  1000 kB\n", &st, err,
		       sizeof(err)) == 0 &&
		 st.present[AGENT_MEM_TOTAL_KIB] &&
		 !st.present[AGENT_MEM_AVAILABLE_KIB] &&
		 !st.present[AGENT_SWAP_TOTAL_KIB],
	     "missing lines are absent, not 0");

	expect_err(agent_parse_meminfo,
		   "MemTotal: 100 kB\nMemAvailable: 101 kB\n",
		   "mem_available (101 kB) exceeds mem_total (100 kB)",
		   "available above total");
	expect_err(agent_parse_meminfo,
		   "MemTotal: 9 kB\nSwapTotal: 1 kB\nSwapFree: 2 kB\n",
		   "swap_free (2 kB) exceeds swap_total",
		   "swap free above total");
	expect_err(agent_parse_meminfo, "MemTotal: 1 kB\nMemTotal: 2 kB\n",
		   "line 2, column 1: mem_total given twice", "twice");
	expect_err(agent_parse_meminfo, "MemTotal: 100\n",
		   "line 1, column 14: MemTotal without \" kB\"", "no unit");
	expect_err(agent_parse_meminfo, "MemTotal: 100 MB\n",
		   "column 14: expected \" kB\"", "other unit");
	expect_err(agent_parse_meminfo, "MemTotal 100 kB\n",
		   "column 9: expected ':'", "no colon");
	expect_err(agent_parse_meminfo, "MemTotal:100 kB\n",
		   "column 10: expected spaces", "no space");
	expect_err(agent_parse_meminfo, "MemTotal: -100 kB\n",
		   "column 11: expected an unsigned", "negative");
	expect_err(agent_parse_meminfo, "MemTotal: 18014398509481984 kB\n",
		   "too large to be KiB", "bytes would overflow");
	expect_err(agent_parse_meminfo, "Mem Total: 1 kB\n",
		   "column 4: expected ':'", "space in the name");
	expect_err(agent_parse_meminfo,
		   "MemTotal: 1 kB\nMemFree:", "line 2, column 9: no newline",
		   "cut short");
	expect_err(agent_parse_meminfo, "MemTotal: 1 kB\n\xc3\xa9: 1 kB\n",
		   "line 2, column 1: byte 0xc3", "UTF-8");
}

/* Each file's anchor line (pressure "some", vmstat "pgmajfault", meminfo
   "MemTotal"): a text without it, an empty one too, is not that file (an
   empty file, or another file behind a reused handle) and is refused, not
   taken as a reading without fields; with it alone the text parses. */
static void test_anchors(void)
{
	static const struct {
		parse_fn fn;
		const char *what, *anchor, *other, *alone;
		int lines; /* other's */
	} files[] = {
	    {agent_parse_pressure, "pressure", "\"some\"",
	     "full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",
	     "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", 1},
	    {agent_parse_vmstat, "vmstat", "\"pgmajfault\"",
	     "nr_free_pages 5\noom_kill 1\npswpin 2\n", "pgmajfault 0\n", 3},
	    {agent_parse_meminfo, "meminfo", "\"MemTotal\"",
	     "MemFree: 10 kB\nMemAvailable: 5 kB\nSwapTotal: 0 kB\n",
	     "MemTotal: 1 kB\n", 3},
	};
	struct agent_stats st;
	char want[80], what[80], err[200];

	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(want, sizeof(want),
			 "line 1, column 1: empty text, no %s line",
			 files[i].anchor);
		snprintf(what, sizeof(what), "%s: empty text", files[i].what);
		expect_err(files[i].fn, "", want, what);
		snprintf(want, sizeof(want), "line %d, column 1: no %s line",
			 files[i].lines + 1, files[i].anchor);
		snprintf(what, sizeof(what), "%s: text without its anchor",
			 files[i].what);
		expect_err(files[i].fn, files[i].other, want, what);
		memset(&st, 0, sizeof(st));
		T_OK(files[i].fn(NULL, 0, &st, err, sizeof(err)) == -1,
		     "%s: no text at all refused (%s)", files[i].what, err);
		T_OK(parse_str(files[i].fn, files[i].alone, &st, err,
			       sizeof(err)) == 0,
		     "%s: the anchor line alone parses (%s)", files[i].what,
		     err);
	}
}

static void test_limits(void)
{
	struct agent_stats st;
	char err[200];
	size_t n = AGENT_TEXT_MAX + 1;
	char *big = malloc(n);

	T_OK(big != NULL, "allocation");
	if (big == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		big[i] = (i % 10 == 9) ? '\n' : 'a';
	memset(&st, 0, sizeof(st));
	T_OK(agent_parse_vmstat(big, n, &st, err, sizeof(err)) == -1 &&
		 strstr(err, "text of 65537 bytes exceeds 65536"),
	     "oversize text refused (%s)", err);
	/* Just below the limit, many valid unknown lines: accepted. */
	memset(big, 0, n);
	size_t len = 0;
	len = (size_t)snprintf(big, n, "pgmajfault 1\n");
	while (len + 16 < AGENT_TEXT_MAX)
		len += (size_t)snprintf(big + len, n - len, "nr_x%06zu 1\n",
					len / 13);
	memset(&st, 0, sizeof(st));
	T_OK(agent_parse_vmstat(big, len, &st, err, sizeof(err)) == 0,
	     "%zu bytes of unknown counters accepted (%s)", len, err);
	/* No err buffer: still refuses, writes nothing. */
	T_OK(agent_parse_vmstat("x -1\n", 5, &st, NULL, 0) == -1,
	     "refuses without an error buffer");
	T_OK(agent_field_name(AGENT_FIELD_NR) == NULL &&
		 strcmp(agent_field_name(AGENT_OOM_KILL_EVENTS), "oom_kill") ==
		     0,
	     "field names");
	free(big);
}

int main(int argc, char **argv)
{
	(void)argc;
	find_fixtures(argv[0]);
	test_samples();
	test_pressure_values();
	test_vmstat_values();
	test_meminfo_values();
	test_anchors();
	test_limits();
	return t_done();
}
