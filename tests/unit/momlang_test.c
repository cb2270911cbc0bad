/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_test.c: the converter of MOM's policy language (momlang.h):
 * golden translations of every construct, refusals with line and column,
 * and the MOM-syntax defaults of tests/data/mom/ on every worked case of
 * tests/data/eval/ (the differential test on random snapshots is in
 * eval_diff_test.c).
 *
 * MOM_GOLDEN_PRINT=1 prints what each golden case converts to.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "evalcase.h"
#include "mom_defaults.h"
#include "momlang.h"
#include "policy.h"
#include "testing.h"

struct golden {
	const char *what, *mom, *json;
};

#include "momlang_golden.h"

static void golden_cases(void)
{
	bool print = getenv("MOM_GOLDEN_PRINT") != NULL;

	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		const struct golden *g = &goldens[i];
		struct policy_error err;
		json_t *got = momlang_convert(g->mom, strlen(g->mom), "t",
					      MOMLANG_MAX_OUTPUT_DEFAULT, &err);
		json_t *want = json_loads(g->json, 0, NULL);
		char *s =
		    got ? json_dumps(got, JSON_COMPACT | JSON_PRESERVE_ORDER)
			: NULL;

		if (print)
			printf("# %s\n%s\n", g->what, s ? s : err.message);
		if (!T_OK(got && want && json_equal(got, want), "golden: %s",
			  g->what))
			printf("#   got  %s\n#   want %s\n#   error %d:%d %s\n",
			       s ? s : "-", g->json, err.line, err.column,
			       err.message);
		free(s);
		json_decref(got);
		json_decref(want);
	}
}

/* Every golden translation also loads as a policy (after the parameters
   the examples read). */
static void golden_load(void)
{
	static const char params[] =
	    "{\"parameters\": {\"balloonEnabled\": {\"default\": 0},"
	    " \"cpuTuneEnabled\": {\"default\": 1}}}";
	unsigned loaded = 0;

	for (size_t i = 0; i < sizeof(goldens) / sizeof(goldens[0]); i++) {
		struct policy_error err;
		char *text =
		    momlang_convert_text(goldens[i].mom, strlen(goldens[i].mom),
					 "t", MOMLANG_MAX_OUTPUT_DEFAULT, &err);
		struct policy_source s[2] = {{"00-p", params}, {"t", text}};
		struct policy_set *ps =
		    text ? policy_set_load(s, 2, &err) : NULL;

		if (ps)
			loaded++;
		else
			printf("#   %s does not load: %s %s: %s\n",
			       goldens[i].what, err.policy, err.path,
			       err.message);
		policy_set_free(ps);
		free(text);
	}
	T_EQ_INT(loaded, sizeof(goldens) / sizeof(goldens[0]),
		 "every golden translation loads as a policy");
}

struct refusal {
	const char *mom;
	int line, col;
	const char *needle; /* in the message */
};

static const struct refusal refusals[] = {
    {"(defvar a 1)\n(+ 1", 2, 1, "never closed"},
    {"(defvar a 1))", 1, 13, "unexpected ')'"},
    {"\n  (frobnicate 1)", 2, 4, "undefined function 'frobnicate'"},
    {"(if 1 2)", 1, 1, "'if' takes a condition"},
    {"(defvar a (<< 1 2))", 1, 11, "shift operator '<<'"},
    {"(Host.Control \"ksm_run\" (Host.GetControl \"ksm_run\"))", 1, 25,
     "'GetControl' has no equivalent"},
    {"(with Guests g (g.SetVar \"x\" 1))", 1, 16, "'SetVar' has no equivalent"},
    {"(set nosuch Host.ksm_run)", 1, 1, "not defined"},
    {"(defvar n Host.ksm_run)\n(with Guests g (set n 1))", 2, 16,
     "inside (with Guests ...) changes a variable of the host"},
    {"(with Guests g (Host.Control \"ksm_run\" 1))", 1, 16,
     "Host.Control \"ksm_run\" inside (with Guests ...)"},
    {"(with Guests g (g.Control \"cpu_shares\" 1))", 1, 16,
     "guest control \"cpu_shares\" does not exist"},
    {"(with Guests g (if (< g.cpu_shares 100) 1 0))", 1, 23,
     "guest field 'cpu_shares'"},
    {"(with Guests g (with g.io_tune t (t.setTotalBytesSec 0)))", 1, 22,
     "guest field 'io_tune'"},
    {"(def f (x) (f x))\n(f 1)", 1, 12, "recursion"},
    {"(with Host h 1)", 1, 7, "only (with Guests ...) iterates"},
    {"(with Guests g (with Guests h 1))", 1, 16, "inside (with Guests ...)"},
    {"(defvar a 08)", 1, 11, "malformed number"},
    /* MOM's string escape takes any character but a line end. */
    {"(defvar a 1)\n(with Guests g (if (== (g.Prop \"name\") \"x\\\ny\") 1 0))",
     2, 42, "a backslash before a line end"},
    /* MOM's let and def want symbols, and '+' is an operator token. */
    {"(let ((+ 1)) 2)", 1, 7, "'let' expects (symbol value) pairs"},
    {"(def f (a *) a)", 1, 11, "a function's parameters are symbols"},
    /* MOM's scanner: no sign on hex and octal (-0x10 is '-' and 0x10),
       digits after a float's '.' (1. is 1, then the rest is dropped). */
    {"(defvar a -0x10)", 1, 11, "malformed number"},
    {"(defvar a\n  -0o17)", 2, 3, "malformed number"},
    {"(defvar a 1.)", 1, 11, "malformed number"},
    {"(defvar a 2.e5)", 1, 11, "malformed number"},
    {"(defvar a 1e400)", 1, 11, "number out of range"},
    {"(defvar a \"x)", 1, 11, "unterminated string"},
    {"(defvar a 1 ; 2)", 1, 13, "unexpected character ';'"},
    {"(+ 1 2 3)", 1, 1, "'+' takes 2 operands"},
    {"(defvar True 2)", 1, 1, "'True' can only be defined as 1"},
    {"(Host.Control \"ksm_run\" \"fast\")", 1, 25, "a number is expected"},
    {"(with Guests g (g.Prop \"uuid\"))", 1, 16,
     "'Prop \"uuid\"' has no equivalent"},
    {"(Host.Control \"ksm_run\" Host.nosuch)", 1, 25, "Host field 'nosuch'"},
    {"()", 1, 1, "empty form"},
};

static void refusal_cases(void)
{
	for (size_t i = 0; i < sizeof(refusals) / sizeof(refusals[0]); i++) {
		const struct refusal *r = &refusals[i];
		struct policy_error err;
		json_t *got = momlang_convert(r->mom, strlen(r->mom), "t",
					      MOMLANG_MAX_OUTPUT_DEFAULT, &err);

		if (!T_OK(!got && err.line == r->line && err.column == r->col &&
			      strstr(err.message, r->needle) &&
			      strcmp(err.policy, "t") == 0,
			  "refused at %d:%d: %s", r->line, r->col, r->needle))
			printf("#   got %s at %d:%d: %s\n",
			       got ? "a policy" : "an error", err.line,
			       err.column, err.message);
		json_decref(got);
	}
}

/* ---- the MOM-syntax defaults on the worked cases ---- */

/* The plan's controls and failing guests agree with expected.json. */
static bool plan_matches(const json_t *got, const json_t *want)
{
	static const char *const keys[] = {"host", "guests"};
	json_t *ge = json_object_get(json_object_get(got, "errors"), "guests");
	json_t *we = json_object_get(json_object_get(want, "errors"), "guests");
	const char *k;
	json_t *v;

	for (size_t i = 0; i < 2; i++) {
		json_t *a = json_object_get(got, keys[i]),
		       *b = json_object_get(want, keys[i]);
		size_t na = 0;

		json_object_foreach(a, k, v) na +=
		    json_object_size(v) || i == 0;
		if (i == 0 ? !json_equal(a ? a : json_object(),
					 b ? b : json_object())
			   : na != json_object_size(b))
			return false;
		json_object_foreach(
		    b, k,
		    v) if (!json_equal(json_object_get(a, k), v)) return false;
	}
	if (json_object_size(ge) != json_object_size(we))
		return false;
	json_object_foreach(we, k, v) if (!json_object_get(ge, k)) return false;
	return true;
}

/*
 * The B and K cases with the converted 00..03; the CPU cases (C*, vdsm's
 * vectors) with 04-cputune too: MOM's 04 fails on a guest without a CPU
 * limit, and the B and K cases have none.
 */
static void worked_cases(const char *src)
{
	struct policy_error perr;
	struct policy_set *ps = mom_test_defaults(src, &perr);
	struct policy_set *ps_qos = mom_test_defaults_n(src, 5, &perr);
	char dir[600], path[1200];
	struct dirent *de;
	unsigned n = 0, ok = 0;
	DIR *d;

	if (!T_OK(
		ps && ps_qos,
		"the MOM-syntax defaults (tests/data/mom) convert and load")) {
		policy_set_free(ps);
		policy_set_free(ps_qos);
		return;
	}
	snprintf(dir, sizeof(dir), "%s/tests/data/eval", src);
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		struct policy_error err;
		struct evalcase *ec;
		json_t *want, *got;
		struct plan *p;
		size_t len;
		char *text;

		/* D*: 05-iotune's disk cases; MOM's 05-iotune does not
		   convert (policies/README.md, "What is refused"). */
		if (de->d_name[0] == '.' || de->d_name[0] == 'D' ||
		    strchr(de->d_name, '.'))
			continue;
		snprintf(path, sizeof(path), "%s/%s/case.json", dir,
			 de->d_name);
		text = mom_test_slurp(path, &len);
		ec = text ? evalcase_parse(text, len, &err) : NULL;
		free(text);
		snprintf(path, sizeof(path), "%s/%s/expected.json", dir,
			 de->d_name);
		want = json_load_file(path, 0, NULL);
		p = ec ? eval_run(de->d_name[0] == 'C' ? ps_qos : ps,
				  evalcase_snapshot(ec))
		       : NULL;
		got = p ? plan_to_json(p) : NULL;
		n++;
		if (got && want && plan_matches(got, want))
			ok++;
		else {
			char *s = got ? json_dumps(got, JSON_COMPACT) : NULL;

			printf("#   case %s differs: %s\n", de->d_name,
			       s ? s : "-");
			free(s);
		}
		json_decref(got);
		json_decref(want);
		plan_free(p);
		evalcase_free(ec);
	}
	if (d)
		closedir(d);
	T_OK(n >= 50, "the worked cases are there (%u)", n);
	T_EQ_INT(ok, n,
		 "the converted defaults give the expected plan on every "
		 "worked case");
	policy_set_free(ps);
	policy_set_free(ps_qos);
}

/* vdsm's 05 (written in tests/data/mom from the reference) iterates a
   guest's disks, which the converter does not map onto disk rules:
   refused, naming the first thing missing.  04 converts
   (its decisions are checked in eval_diff_qos_test). */
static void qos_refused(const char *src)
{
	static const struct {
		const char *file, *needle;
		int line, col;
	} qos[] = {
	    {"05-iotune", "guest field 'io_tune'", 16, 16},
	};

	for (size_t i = 0; i < sizeof(qos) / sizeof(qos[0]); i++) {
		struct policy_error err;
		char path[600];
		json_t *got;
		size_t len;
		char *text;

		snprintf(path, sizeof(path), "%s/tests/data/mom/%s.policy", src,
			 qos[i].file);
		text = mom_test_slurp(path, &len);
		got = text ? momlang_convert(text, len, qos[i].file,
					     MOMLANG_MAX_OUTPUT_DEFAULT, &err)
			   : NULL;
		if (!T_OK(text && !got && err.line == qos[i].line &&
			      err.column == qos[i].col &&
			      strstr(err.message, qos[i].needle),
			  "%s is refused at %d:%d: %s", qos[i].file,
			  qos[i].line, qos[i].col, qos[i].needle))
			printf("#   got %d:%d: %s\n", err.line, err.column,
			       err.message);
		json_decref(got);
		free(text);
	}
}

/* The doubling text: f_i calls f_{i-1} twice, so (f14) expands into
   2^14 copies of f0's body; pname, when not NULL, is a parameter f0 reads
   (a long name makes each copy long). */
static char *doubling(const char *pname)
{
	char *t = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&t, &n);

	if (!f)
		return NULL;
	if (pname)
		fprintf(f, "(defvar %s 1)\n(def f0 () (+ Host.mem_free %s))\n",
			pname, pname);
	else
		fprintf(f, "(def f0 () (+ Host.mem_free 1))\n");
	for (int i = 1; i <= 14; i++)
		fprintf(f, "(def f%d () (+ (f%d) (f%d)))\n", i, i - 1, i - 1);
	fprintf(f, "(defvar y (f14))\n(Host.Control \"ksm_run\" y)\n");
	fclose(f);
	return t;
}

/* mom converted with bound max_out is refused at line:1, the message
   naming the bound. */
static void refused_over(const char *mom, size_t max_out, int line,
			 const char *what)
{
	struct policy_error err;
	char needle[64];
	char *s =
	    mom ? momlang_convert_text(mom, strlen(mom), "amp", max_out, &err)
		: NULL;

	snprintf(needle, sizeof(needle), "larger than %zu bytes (max_body)",
		 max_out);
	if (!T_OK(mom && !s && err.line == line && err.column == 1 &&
		      strstr(err.message, needle),
		  "%s: refused at %d:1, naming the bound", what, line))
		printf("#   got %d:%d: %s\n", err.line, err.column,
		       err.message);
	free(s);
}

/* Function calls are expanded, so the output is bounded (max_out, momd's
   max_body), and what momd stores is compact. */
static void expansion_bounded(void)
{
	struct policy_error err;
	char *mom = doubling(NULL), name[256], *big, *s;

	s = mom ? momlang_convert_text(mom, strlen(mom), "amp",
				       MOMLANG_MAX_OUTPUT_DEFAULT, &err)
		: NULL;
	T_OK(mom && strlen(mom) == 453, "the doubling text is 453 bytes");
	T_OK(s && !strchr(s, '\n') && strlen(s) < 600000,
	     "its converted text is compact (%zu bytes, 8 MB indented)",
	     s ? strlen(s) : 0);
	free(s);
	refused_over(mom, 256 * 1024, 16, "the doubling text, bound 256 KiB");
	memset(name, 'p', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	big = doubling(name);
	/* A parameter's name (255 bytes, the longest) in each copy. */
	refused_over(big, MOMLANG_MAX_OUTPUT_DEFAULT, 17,
		     "1.3 KB of text that would expand to 4.7 MB");
	free(big);
	free(mom);
}

/* Whether mom converted under each of names[0..n) loads as one set. */
static bool loads_together(const char *mom, const char *const *names, size_t n)
{
	struct policy_source src[16];
	struct policy_error err;
	struct policy_set *ps = NULL;
	size_t k = 0;

	for (; k < n && k < 16; k++) {
		src[k].name = names[k];
		src[k].text =
		    momlang_convert_text(mom, strlen(mom), names[k],
					 MOMLANG_MAX_OUTPUT_DEFAULT, &err);
		if (!src[k].text)
			break;
	}
	if (k == n)
		ps = policy_set_load(src, n, &err);
	if (!ps)
		printf("#   %s %s: %s\n", err.policy, err.path, err.message);
	policy_set_free(ps);
	while (k-- > 0)
		free((char *)src[k].text);
	return ps != NULL;
}

/* Distinct MOM names give distinct generated names: policy names that
   differ only in '-', '_' and '.', variables alike once cleaned or cut,
   and a variable named like another's second version. */
static void names_distinct(void)
{
	static const char *const policies[] = {
	    "a-b", "a_b", "a.b", "a--b", "a__b", "a-_b",  "a_-b",  "a-",
	    "a_",  "_a",  "-a",	 "a",	 "ab",	 "a_b_u", "a_b_u_"};
	static const char *const one[] = {"t"};
	static const char mom[] =
	    "(defvar x Host.mem_free)\n"
	    "(if (> x 1) (Host.Control \"ksm_run\" 1) 0)\n";
	char longer[400];

	T_OK(loads_together(mom, policies,
			    sizeof(policies) / sizeof(policies[0])),
	     "one text under policy names alike but for - _ . loads as a set");
	snprintf(
	    longer, sizeof(longer),
	    "(defvar %1$.66sa Host.mem_free)\n"
	    "(defvar %1$.66sb (+ %1$.66sa 1))\n"
	    "(Host.Control \"ksm_run\" %1$.66sb)\n",
	    "vvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvvv"
	    "vvvv");
	T_OK(loads_together(longer, one, 1),
	     "two variables alike in their first 66 characters load");
	{
		/* Generated names stay within the 63-byte name limit under
		   long policy names too, one policy's apart from another's. */
		static const char *const long_names[] = {
		    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
		    "p"
		    "p",
		    "pppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
		    "p"
		    "q",
		    "50_main_"};

		T_OK(loads_together(longer, long_names, 3),
		     "the same under two 60-byte policy names and 50_main_ "
		     "loads as a set");
	}
	{
		/* A constant keeps its MOM name as a parameter while the
		   loader takes it (64 bytes); a longer one becomes a let
		   whose name is cut (300 bytes). */
		char text[800], name[301];

		memset(name, 'a', 300);
		name[300] = '\0';
		snprintf(text, sizeof(text),
			 "(defvar %1$.64s 1)\n(Host.Control \"ksm_run\" "
			 "%1$.64s)\n",
			 name);
		T_OK(loads_together(text, one, 1),
		     "a 64-byte constant loads as a parameter");
		snprintf(text, sizeof(text),
			 "(defvar %1$s 1)\n(Host.Control \"ksm_run\" %1$s)\n",
			 name);
		T_OK(loads_together(text, one, 1),
		     "a 300-byte constant loads (a let with a cut name)");
	}
	T_OK(loads_together("(defvar x Host.mem_free)\n(set x (+ x 1))\n"
			    "(defvar x_2 Host.mem_free)\n"
			    "(defvar foo-bar Host.mem_free)\n"
			    "(defvar foo_bar Host.mem_free)\n"
			    "(Host.Control \"ksm_run\" (+ foo-bar foo_bar))\n"
			    "(Host.Control \"ksm_pages_to_scan\" (+ x x_2))",
			    one, 1),
	     "x's second version, x_2, foo-bar and foo_bar load together");
}

/* Convert mom (policy "t"), load it alone, evaluate it on a host whose
   latest sample is host (JSON); the plan as JSON, or NULL. */
static json_t *run_host(const char *mom, const char *host)
{
	struct policy_error err;
	char *text = momlang_convert_text(mom, strlen(mom), "t",
					  MOMLANG_MAX_OUTPUT_DEFAULT, &err);
	struct policy_source s[1] = {{"t", text}};
	struct policy_set *ps = text ? policy_set_load(s, 1, &err) : NULL;
	char *cs = NULL;
	struct evalcase *ec;
	struct plan *p = NULL;
	json_t *got = NULL;

	if (!ps)
		printf("#   %s: %d:%d %s %s\n", mom, err.line, err.column,
		       err.path, err.message);
	if (ps &&
	    asprintf(&cs,
		     "{\"params\": {}, \"host\": {\"history\": "
		     "[%s]}, \"guests\": []}",
		     host) > 0 &&
	    (ec = evalcase_parse(cs, strlen(cs), &err))) {
		p = eval_run(ps, evalcase_snapshot(ec));
		got = p ? plan_to_json(p) : NULL;
		plan_free(p);
		evalcase_free(ec);
	}
	free(cs);
	policy_set_free(ps);
	free(text);
	return got;
}

/* MOM's and/or give the deciding operand, not True/False: (or nil 2) is
   2, (and 1 3) is 3, (and 0 3) is 0, (and nil 3) is nil. */
static void and_or_values(void)
{
	static const struct {
		const char *expr;
		long long want;
	} cases[] = {
	    {"(or nil 2)", 2},
	    {"(or Host.ksm_run 2)", 2}, /* ksm_run absent */
	    {"(or Host.mem_free 2)", 5},
	    {"(or 0 nil 0)", 0},
	    {"(and 1 3)", 3},
	    {"(and Host.mem_free (+ Host.mem_free 1))", 6},
	    {"(and 0 3)", 0},
	    {"(+ 1 (or (> Host.mem_free 9) (- Host.mem_free 3)))", 3},
	    {"(or (< Host.mem_free 9) 7)", 1},
	    {"(if (== (and nil 3) nil) 1 0)", 1},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char mom[200];
		json_t *got, *v;

		snprintf(mom, sizeof(mom),
			 "(Host.Control \"ksm_pages_to_scan\" %s)",
			 cases[i].expr);
		got = run_host(mom, "{\"mem_free\": 5}");
		v = json_object_get(json_object_get(got, "host"),
				    "ksm_pages_to_scan");
		if (!T_OK(got && (cases[i].want < 0
				      ? v == NULL
				      : json_is_number(v) &&
					    json_number_value(v) ==
						(double)cases[i].want),
			  "%s is %lld as in MOM", cases[i].expr,
			  cases[i].want)) {
			char *s = got ? json_dumps(got, JSON_COMPACT) : NULL;

			printf("#   plan %s\n", s ? s : "-");
			free(s);
		}
		json_decref(got);
	}
}

/* A top-level constant set after the parameter was read is a new
   binding, not a new default: MOM's earlier reads saw the old value. */
static void params_read_then_set(void)
{
	static const struct {
		const char *mom;
		long long run, pages;
	} cases[] = {
	    {"(defvar x 1)\n(Host.Control \"ksm_run\" x)\n(set x 5)\n"
	     "(Host.Control \"ksm_pages_to_scan\" x)",
	     1, 5},
	    {"(defvar x 1)\n(defvar y (+ x 0))\n(set x 5)\n"
	     "(Host.Control \"ksm_run\" y)\n(Host.Control "
	     "\"ksm_pages_to_scan\" x)",
	     1, 5},
	    {"(defvar x 1)\n(if Host.mem_free (set x 2) 0)\n(set x 7)\n"
	     "(Host.Control \"ksm_run\" x)\n(Host.Control "
	     "\"ksm_pages_to_scan\" 0)",
	     7, 0},
	    {"(defvar x 1)\n(set x 3)\n(Host.Control \"ksm_run\" x)\n"
	     "(Host.Control \"ksm_pages_to_scan\" 0)",
	     3, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		json_t *got = run_host(cases[i].mom, "{\"mem_free\": 5}");
		json_t *h = json_object_get(got, "host");
		json_t *r = json_object_get(h, "ksm_run");
		json_t *p = json_object_get(h, "ksm_pages_to_scan");

		if (!T_OK(json_is_number(r) && json_is_number(p) &&
			      json_number_value(r) == (double)cases[i].run &&
			      json_number_value(p) == (double)cases[i].pages,
			  "parameter set after a read, case %zu: %lld, %lld",
			  i + 1, cases[i].run, cases[i].pages)) {
			char *s = got ? json_dumps(got, JSON_COMPACT) : NULL;

			printf("#   plan %s\n", s ? s : "-");
			free(s);
		}
		json_decref(got);
	}
}

int main(void)
{
	const char *src = getenv("MOM_SRCDIR");

	golden_cases();
	golden_load();
	refusal_cases();
	expansion_bounded();
	names_distinct();
	and_or_values();
	params_read_then_set();
	worked_cases(src ? src : ".");
	qos_refused(src ? src : ".");
	return t_done();
}
