/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cost_test.c: what a policy or an evaluation case may cost (issue 21).
 * A glob with many stars is matched in linear time and agrees with
 * fnmatch(); a long pattern, too many nodes, too deep or too many guests
 * are refused at load; a compiled set costs a bounded multiple of its text
 * (paths are shared, not copied into every node); duplicate guest names
 * are found by sorting; defines, parameters, lets and a MOM text's
 * variables by an index; an evaluation past its deadline stops.
 */
#include <fnmatch.h>
#include <malloc.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "eval.h"
#include "evalcase.h"
#include "glob.h"
#include "momlang.h"
#include "policy.h"
#include "testing.h"

/* A growable string. */
struct buf {
	char *s;
	size_t n, cap;
};

static void put(struct buf *b, const char *s)
{
	size_t n = strlen(s);

	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->s = realloc(b->s, b->cap);
		if (!b->s)
			abort();
	}
	memcpy(b->s + b->n, s, n + 1);
	b->n += n;
}

static double now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* A hang guard, not a speed check: what this file runs takes a few
   seconds (about 4 s plain, 9 s under ASan, on a loaded 2-core machine);
   the exponential glob matcher or a quadratic compile of its 200000
   defines would run for minutes (a quadratic 50000 took 10 s), so the
   guard sits far above the first and far below the second. */
#ifdef __SANITIZE_ADDRESS__
#define HANG_GUARD_S 120
#else
#define HANG_GUARD_S 60
#endif
#define STR_(x) #x
#define STR(x)	STR_(x)

static void on_alarm(int sig)
{
	static const char msg[] = "not ok - still running after " STR(
	    HANG_GUARD_S) " s (exponential or quadratic?)\n";

	(void)sig;
	if (write(1, msg, sizeof(msg) - 1) < 0)
		_exit(2);
	_exit(1);
}

static struct policy_set *load1(const char *text, struct policy_error *err)
{
	struct policy_source src = {"10-a", text};

	return policy_set_load(&src, 1, err);
}

/* ---- glob ---- */

static void test_glob_pathological(void)
{
	struct buf pol = {0}, cs = {0};
	struct policy_error err;
	struct policy_set *ps;
	struct evalcase *ec;
	struct plan *p;
	char name[121];
	double t0;

	put(&pol,
	    "{\"guest\": [{\"rule\": \"g\", \"do\": [{\"if\": [\"glob\", \"");
	for (int i = 0; i < 14; i++)
		put(&pol, "*a");
	put(&pol,
	    "*b\"], \"then\": [{\"set\": \"balloon_target\", \"to\": 1}]}]}]}");
	memset(name, 'a', 120);
	name[120] = '\0';
	put(&cs, "{\"host\": {\"history\": []}, \"guests\": [{\"name\": \"");
	put(&cs, name);
	put(&cs, "\", \"history\": []}]}");
	ps = load1(pol.s, &err);
	ec = evalcase_parse(cs.s, cs.n, &err);
	T_OK(ps && ec, "a 15-star glob policy and a 120-byte guest name load");
	if (ps && ec) {
		t0 = now_s();
		p = eval_run(ps, evalcase_snapshot(ec));
		T_OK(p && !p->guests[0].ctl[0].set,
		     "the glob does not match (no balloon_target)");
		T_OK(now_s() - t0 < 1.0, "... in under 1 s (%.3f s)",
		     now_s() - t0);
		plan_free(p);
	}
	policy_set_free(ps);
	evalcase_free(ec);
	free(pol.s);
	free(cs.s);
}

static void test_glob_like_fnmatch(void)
{
	static const char *const pats[] = {
	    "*",
	    "a*",
	    "*b",
	    "a*b",
	    "?",
	    "a?c",
	    "[abc]",
	    "[!abc]",
	    "[^abc]",
	    "[a-c]x",
	    "[]]",
	    "[]a]",
	    "[!]]",
	    "[a-]",
	    "[-a]",
	    "[",
	    "a[",
	    "a[b",
	    "\\*",
	    "a\\?",
	    "\\",
	    "a\\",
	    "[\\]]",
	    "*.*",
	    "web-*",
	    "db-?",
	    "**a**",
	    "*[0-9]",
	    "[z-a]",
	    "*a*b*c",
	    "",
	    "[[]",
	    "[*]",
	    "[?]",
	    "[[:digit:]]x",
	    "[![:alpha:]]*",
	    "[[:alpha:]-]",
	    "*[[:upper:]]",
	};

	T_OK(!glob_pattern_valid("a[b") && !glob_pattern_valid("[") &&
		 glob_pattern_valid("\\[") && glob_pattern_valid("[[]"),
	     "a pattern with an unclosed '[' is not valid");
	static const char *const names[] = {
	    "",	     "a",    "b",   "ab", "abc", "acb", "a*", "*",     "?",
	    "a?",    "]",    "-",   "[",  "a[",	 "a[b", "\\", "a\\",   "x.y",
	    "web-1", "db-7", "bab", "ax", "bx",	 "dx",	"a1", "axbxc", "z",
	};
	int bad = 0, n = 0;

	for (size_t i = 0; i < sizeof(pats) / sizeof(pats[0]); i++) {
		for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++) {
			bool want = fnmatch(pats[i], names[j], 0) == 0;

			n++;
			if (glob_match(pats[i], names[j]) == want)
				continue;
			if (bad++ < 10)
				printf("# glob \"%s\" \"%s\": fnmatch %d\n",
				       pats[i], names[j], want);
		}
	}
	T_OK(bad == 0, "glob_match agrees with fnmatch on %d pairs (%d differ)",
	     n, bad);

	/* Random short pairs over the bytes that mean something. */
	bad = 0;
	srand(21);
	for (n = 0; n < 200000; n++) {
		static const char alpha[] = "ab*?[]!^-\\";
		char pat[8], name[8];
		int lp = rand() % 8, ln = rand() % 8;

		for (int i = 0; i < lp; i++)
			pat[i] = alpha[rand() % (int)(sizeof(alpha) - 1)];
		for (int i = 0; i < ln; i++)
			name[i] = alpha[rand() % (int)(sizeof(alpha) - 1)];
		pat[lp] = name[ln] = '\0';
		if (!glob_pattern_valid(pat))
			continue;
		if (glob_match(pat, name) == (fnmatch(pat, name, 0) == 0))
			continue;
		if (bad++ < 10)
			printf("# glob \"%s\" \"%s\": fnmatch %d\n", pat, name,
			       fnmatch(pat, name, 0) == 0);
	}
	T_OK(bad == 0, "... and on %d random short pairs (%d differ)", n, bad);
}

static void test_glob_cap(void)
{
	struct policy_error err;
	struct policy_set *ps;
	struct buf pol = {0};

	put(&pol,
	    "{\"guest\": [{\"rule\": \"g\", \"do\": [{\"if\": [\"glob\", \"");
	for (int i = 0; i <= GLOB_MAX_PATTERN; i++)
		put(&pol, "x");
	put(&pol, "\"], \"then\": [{\"stop\": \"x\"}]}]}]}");
	ps = load1(pol.s, &err);
	T_OK(!ps && strstr(err.message, "glob pattern is at most"),
	     "a glob pattern longer than %d bytes is refused (%s)",
	     GLOB_MAX_PATTERN, err.message);
	policy_set_free(ps);
	free(pol.s);
}

/* ---- size of a compiled set ---- */

/* 25 nested ifs (long paths) around sums of 999 ones: nodes cost their
   own size, not a copy of their ~220-byte path each. */
static void test_set_memory(void)
{
#if defined(__SANITIZE_ADDRESS__)
	T_SKIP("mallinfo2 does not see ASan's allocator");
#else
	struct policy_error err;
	struct policy_set *ps;
	struct buf pol = {0};
	struct mallinfo2 m0, m1;
	double ratio;

	put(&pol, "{\"host\": [{\"rule\": \"r\", \"do\": [");
	for (int i = 0; i < 25; i++)
		put(&pol, "{\"if\": 1, \"then\": [");
	for (int k = 0; k < 100; k++) {
		put(&pol, k ? ", {\"let\": {\"v" : "{\"let\": {\"v");
		char num[16];

		snprintf(num, sizeof(num), "%d", k);
		put(&pol, num);
		put(&pol, "\": [\"+\"");
		for (int i = 0; i < 999; i++)
			put(&pol, ",1");
		put(&pol, "]}}");
	}
	for (int i = 0; i < 25; i++)
		put(&pol, "]}");
	put(&pol, "]}]}");
	m0 = mallinfo2();
	ps = load1(pol.s, &err);
	m1 = mallinfo2();
	ratio = (double)(m1.uordblks - m0.uordblks) / (double)pol.n;
	T_OK(ps, "a %zu-byte policy of 100000 nodes at depth 50 loads (%s)",
	     pol.n, ps ? "" : err.message);
	T_OK(ratio < 64, "... and costs %.0f times its size (< 64)", ratio);
	policy_set_free(ps);
	free(pol.s);
#endif
}

/* text as one policy is refused, its error saying want. */
static void load_refused(const char *text, const char *want, const char *what)
{
	struct policy_error err;
	struct policy_set *ps = load1(text, &err);

	T_OK(!ps && strstr(err.message, want), "%s (%s)", what,
	     ps ? "loaded" : err.message);
	policy_set_free(ps);
}

static void test_node_cap(void)
{
	struct buf pol = {0};

	put(&pol, "{\"host\": [{\"rule\": \"r\", \"do\": [");
	for (int k = 0; k < 201; k++) {
		char num[32];

		snprintf(num, sizeof(num), "%s{\"let\": {\"v%d\": [\"+\"",
			 k ? ", " : "", k);
		put(&pol, num);
		for (int i = 0; i < 999; i++)
			put(&pol, ",1");
		put(&pol, "]}}");
	}
	put(&pol, "]}]}");
	load_refused(pol.s, "more than 200000",
		     "a set of 201000 nodes is refused");
	free(pol.s);
}

/* ---- cases ---- */

static char *guests_case(size_t n, long dup_a, long dup_b)
{
	struct buf b = {0};

	put(&b, "{\"host\": {\"history\": []}, \"guests\": [");
	for (size_t i = 0; i < n; i++) {
		char g[64];
		size_t id = (long)i == dup_b ? (size_t)dup_a : i;

		snprintf(g, sizeof(g),
			 "%s{\"name\": \"g%zu\", \"history\": []}",
			 i ? ", " : "", id);
		put(&b, g);
	}
	put(&b, "]}");
	return b.s;
}

/* names_policy: a policy of nd defines d0.. (value i, or -1 from first)
   and np parameters p0.. (default i), and rest as its other members. */
static char *names_policy(int nd, int first, int np, const char *rest)
{
	struct buf b = {0};
	char e[64];

	put(&b, "{\"defines\": {");
	for (int i = 0; i < nd; i++) {
		snprintf(e, sizeof(e), "%s\"d%d\": %d", i ? ", " : "", i,
			 i >= first ? -1 : i);
		put(&b, e);
	}
	put(&b, "}, \"parameters\": {");
	for (int i = 0; i < np; i++) {
		snprintf(e, sizeof(e), "%s\"p%d\": {\"default\": %d}",
			 i ? ", " : "", i, i);
		put(&b, e);
	}
	put(&b, "}");
	put(&b, rest);
	put(&b, "}");
	return b.s;
}

/* Defines and parameters are found by an index, not by comparing each
   with all before it: a set of 200000 defines and 50000 parameters, each
   name also repeated by a later policy, compiles (the quadratic loader
   took minutes, stopped by this file's alarm) with the later value in
   force, and a name both a define and a parameter is still refused. */
static void test_many_names(void)
{
	struct policy_error err;
	struct policy_source src[3];
	struct policy_set *ps;
	struct evalcase *ec;
	struct plan *p = NULL;
	char *a = names_policy(200000, 200000, 0, "");
	char *b = names_policy(100000, 99999, 50000,
			       ", \"guest\": [{\"rule\": \"r\", \"do\": "
			       "[{\"set\": \"balloon_target\", \"to\": "
			       "[\"+\", \"d99999\", \"d199999\", "
			       "\"p49999\"]}]}]");
	char *c = names_policy(0, 0, 1, "");
	char *text = guests_case(1, -1, -1);

	src[0] = (struct policy_source){"10-a", a};
	src[1] = (struct policy_source){"20-b", b};
	ps = policy_set_load(src, 2, &err);
	T_OK(ps, "200000 defines and 50000 parameters load (%s)",
	     ps ? "" : err.message);
	ec = evalcase_parse(text, strlen(text), &err);
	if (ps && ec)
		p = eval_run(ps, evalcase_snapshot(ec));
	T_OK(p && p->nguests == 1 && p->guests[0].ctl[0].set &&
		 p->guests[0].ctl[0].value == -1 + 199999 + 49999,
	     "... the later define in force, the others and a parameter "
	     "read (%lld)",
	     p && p->nguests ? (long long)p->guests[0].ctl[0].value : -1LL);
	T_OK(ps && policy_set_param_count(ps) == 50000 &&
		 policy_set_param_index(ps, "p49999") == 49999 &&
		 policy_set_param_index(ps, "d5") == -1,
	     "... and each parameter is found by name");
	plan_free(p);
	policy_set_free(ps);

	/* c's parameter p0 is d0, a define of 10-a: refused. */
	c[strlen("{\"defines\": {}, \"parameters\": {\"")] = 'd';
	src[2] = (struct policy_source){"30-c", c};
	ps = policy_set_load(src, 3, &err);
	T_OK(!ps && strstr(err.message, "'d0' is both a define and a "
					"parameter"),
	     "a parameter named like one of 200000 defines is refused (%s)",
	     ps ? "loaded" : err.message);
	T_EQ_STR(err.path, "$.parameters.d0", "  ... at its path");
	policy_set_free(ps);
	evalcase_free(ec);
	free(a);
	free(b);
	free(c);
	free(text);
}

/* Let bindings are found by an index too: a host rule of 80000 lets,
   each reading the one before, compiles (the scan of every visible
   binding, at each let and each name, took 10 s for 40000) and computes
   the chain; a guest rule reads the last one; binding a name again is
   still refused. */
static void test_many_lets(void)
{
	struct policy_error err;
	struct policy_set *ps;
	struct evalcase *ec;
	struct plan *p = NULL;
	struct buf pol = {0};
	char e[96], *text = guests_case(1, -1, -1);

	put(&pol,
	    "{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"v0\": 7}}");
	for (int i = 1; i < 80000; i++) {
		snprintf(e, sizeof(e), ", {\"let\": {\"v%d\": \"v%d\"}}", i,
			 i - 1);
		put(&pol, e);
	}
	put(&pol, ", {\"set\": \"ksm_pages_to_scan\", \"to\": \"v79999\"}]}],"
		  " \"guest\": [{\"rule\": \"g\", \"do\": [{\"let\": {\"w\": "
		  "[\"+\", \"v79999\", 1]}}, {\"set\": \"balloon_target\", "
		  "\"to\": \"w\"}]}]}");
	ps = load1(pol.s, &err);
	T_OK(ps, "a host rule of 80000 chained lets loads (%s)",
	     ps ? "" : err.message);
	ec = evalcase_parse(text, strlen(text), &err);
	if (ps && ec)
		p = eval_run(ps, evalcase_snapshot(ec));
	T_OK(p && p->host[HC_KSM_PAGES_TO_SCAN].set &&
		 p->host[HC_KSM_PAGES_TO_SCAN].value == 7 && p->nguests == 1 &&
		 p->guests[0].ctl[0].set && p->guests[0].ctl[0].value == 8,
	     "... computes the chain, read by a guest rule too");
	plan_free(p);
	policy_set_free(ps);

	/* v5 again, at the end of the guest rule. */
	pol.n -= strlen("}]}]}");
	put(&pol, "}, {\"let\": {\"v5\": 1}}]}]}");
	load_refused(pol.s, "'v5' is already defined",
		     "... and a name bound again is refused");
	evalcase_free(ec);
	free(pol.s);
	free(text);
}

/* A MOM text's variables and functions are found by an index: 40000 defvars
   (parameters), near the 1 MiB a MOM text may have, convert (half a
   minute when each was compared with all before it; POST /v1/evaluate
   takes MOM text on the read socket) and the last one is read. */
static void test_many_defvars(void)
{
	struct policy_error err;
	struct policy_set *ps = NULL;
	struct evalcase *ec;
	struct plan *p = NULL;
	struct buf mom = {0};
	char e[64], *json, *text = guests_case(0, -1, -1);

	for (int i = 0; i < 40000; i++) {
		snprintf(e, sizeof(e), "(defvar v%d %d)\n", i, i);
		put(&mom, e);
	}
	put(&mom, "(Host.Control \"ksm_pages_to_scan\" v39999)\n");
	json = momlang_convert_text(mom.s, mom.n, "m",
				    MOMLANG_MAX_OUTPUT_DEFAULT, &err);
	T_OK(json, "40000 defvars convert (%s)", json ? "" : err.message);
	if (json)
		ps = load1(json, &err);
	ec = evalcase_parse(text, strlen(text), &err);
	if (ps && ec)
		p = eval_run(ps, evalcase_snapshot(ec));
	T_OK(p && p->host[HC_KSM_PAGES_TO_SCAN].set &&
		 p->host[HC_KSM_PAGES_TO_SCAN].value == 39999,
	     "... and the converted policy reads the last one");
	plan_free(p);
	policy_set_free(ps);
	free(json);

	/* 55000 functions, named aaaa, aaab, ...: the call finds the last
	   one (9 s for 40000 by a scan). */
	mom.n = 0;
	for (int i = 0; i < 55000; i++) {
		snprintf(e, sizeof(e), "(def %c%c%c%c () %d)\n",
			 'a' + i / 17576, 'a' + i / 676 % 26, 'a' + i / 26 % 26,
			 'a' + i % 26, i % 997);
		put(&mom, e);
	}
	put(&mom, "(Host.Control \"ksm_pages_to_scan\" (ddjj))\n");
	json = momlang_convert_text(mom.s, mom.n, "m",
				    MOMLANG_MAX_OUTPUT_DEFAULT, &err);
	ps = json ? load1(json, &err) : NULL;
	p = ps && ec ? eval_run(ps, evalcase_snapshot(ec)) : NULL;
	T_OK(p && p->host[HC_KSM_PAGES_TO_SCAN].set &&
		 p->host[HC_KSM_PAGES_TO_SCAN].value == 54999 % 997,
	     "55000 functions convert and the last is called (%s)",
	     json ? "" : err.message);
	plan_free(p);
	policy_set_free(ps);
	evalcase_free(ec);
	free(json);
	free(mom.s);
	free(text);
}

static void test_case_guests(void)
{
	struct policy_error err;
	struct evalcase *ec;
	char *text;
	double t0;

	text = guests_case(EVALCASE_MAX_GUESTS, -1, -1);
	t0 = now_s();
	ec = evalcase_parse(text, strlen(text), &err);
	T_OK(ec, "a case of %d guests loads (%s)", EVALCASE_MAX_GUESTS,
	     ec ? "" : err.message);
	T_OK(now_s() - t0 < 0.5, "... quickly (%.3f s)", now_s() - t0);
	evalcase_free(ec);
	free(text);

	/* Two pairs: the error names the first second-of-a-pair. */
	text = guests_case(EVALCASE_MAX_GUESTS, 7, 4000);
	ec = evalcase_parse(text, strlen(text), &err);
	T_OK(!ec && strstr(err.message, "two guests are named 'g7'"),
	     "a duplicate name is found (%s)", err.message);
	T_EQ_STR(err.path, "$.guests[4000]", "  ... at the second of the two");
	evalcase_free(ec);
	free(text);

	text = guests_case(EVALCASE_MAX_GUESTS + 1, -1, -1);
	ec = evalcase_parse(text, strlen(text), &err);
	T_OK(!ec && strstr(err.message, "more than 4096 guests"),
	     "a case of %d guests is refused (%s)", EVALCASE_MAX_GUESTS + 1,
	     err.message);
	evalcase_free(ec);
	free(text);
}

static void test_deadline(void)
{
	struct policy_error err;
	struct policy_set *ps;
	struct evalcase *ec;
	struct timespec past = {0, 0};
	struct buf pol = {0};
	bool over = false;
	struct plan *p;
	char *text = guests_case(100, -1, -1);

	put(&pol,
	    "{\"guest\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"v\": [\"+\"");
	for (int i = 0; i < 999; i++)
		put(&pol, ",1");
	put(&pol, "]}}]}]}");
	ps = load1(pol.s, &err);
	ec = evalcase_parse(text, strlen(text), &err);
	p = ps && ec ? eval_run_until(ps, evalcase_snapshot(ec), &past, &over)
		     : NULL;
	T_OK(!p && over, "an evaluation past its deadline stops, saying so");
	plan_free(p);
	over = true;
	p = ps && ec ? eval_run_until(ps, evalcase_snapshot(ec), NULL, &over)
		     : NULL;
	T_OK(p && !over, "... and runs to the end without one");
	plan_free(p);
	policy_set_free(ps);
	evalcase_free(ec);
	free(pol.s);
	free(text);
}

int main(void)
{
	signal(SIGALRM, on_alarm);
	alarm(HANG_GUARD_S);
	test_glob_pathological();
	test_glob_like_fnmatch();
	test_glob_cap();
	test_set_memory();
	test_node_cap();
	test_many_names();
	test_many_lets();
	test_many_defvars();
	test_case_guests();
	test_deadline();
	return t_done();
}
