/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_edge_test.c: the policy language at its edges, through the real
 * loader and evaluator: values that JSON cannot carry (an infinite value
 * kept as state), the JSON paths of load errors in keep statements, state
 * of the other scope (left by a replaced policy set), and an aggregate
 * that fails for one guest (the error names that guest; the failure costs
 * one pass over the guests, not one per reader), and the bound on rule
 * names, which every error of the rule repeats.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "evalcase.h"
#include "evstate.h"
#include "policy.h"
#include "testing.h"

/* One policy text, loaded; NULL with *err filled when refused. */
static struct policy_set *load(const char *text, struct policy_error *err)
{
	struct policy_source src = {"10-t", text};

	return policy_set_load(&src, 1, err);
}

/* Evaluate ps on the case text; the plan's JSON, or NULL. */
static json_t *run_case(const struct policy_set *ps, const char *case_text)
{
	struct policy_error err;
	json_t *c = json_loads(case_text, 0, NULL);
	struct evalcase *ec = c ? evalcase_from_json(c, &err) : NULL;
	struct plan *plan = ec ? eval_run(ps, evalcase_snapshot(ec)) : NULL;
	json_t *out = plan ? plan_to_json(plan) : NULL;

	if (c && !ec)
		printf("#   case refused: %s %s\n", err.path, err.message);
	plan_free(plan);
	evalcase_free(ec);
	json_decref(c);
	return out;
}

/* The plan's error of the host (guest NULL) or of a guest, or "". */
static const char *error_of(const json_t *plan, const char *guest)
{
	const json_t *e = json_object_get(plan, "errors");
	const char *s = json_string_value(
	    guest ? json_object_get(json_object_get(e, "guests"), guest)
		  : json_object_get(e, "host"));

	return s ? s : "";
}

/*
 * JSON has no infinity: a state value that overflowed to it made the
 * plan unprintable ("out of memory" from momd --evaluate, and a plan the
 * API could not show).  It is an error of the entity, which keeps its
 * last state, like any value that is not a number.
 */
static void keep_infinite(void)
{
	struct policy_error err;
	struct policy_set *ps =
	    load("{\"state\": {\"k\": {\"scope\": \"host\"}, "
		 "\"g\": {\"scope\": \"guest\"}},"
		 "\"host\": [{\"rule\": \"h\", \"do\": [{\"keep\": \"k\", "
		 "\"to\": [\"*\", 1e308, 10]}]}],"
		 "\"guest\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		 "\"balloon_target\", \"to\": 1000}, {\"keep\": \"g\", \"to\": "
		 "[\"-\", -1e308, 1e308]}]}]}",
		 &err);
	json_t *plan, *state;

	if (!T_OK(ps, "the keep policy loads")) {
		printf("#   %s: %s\n", err.path, err.message);
		return;
	}
	plan = run_case(ps, "{\"host\": {\"history\": [{\"mem_available\": "
			    "1000}]}, \"guests\": [{\"name\": \"g1\", "
			    "\"history\": [{\"balloon_cur\": 100}]}],"
			    "\"state\": {\"host\": {\"k\": 3}, \"guests\": "
			    "{\"g1\": {\"g\": 4}}}}");
	if (!T_OK(plan, "a plan with an infinite keep is printable"))
		goto out;
	T_OK(strstr(error_of(plan, NULL), "not finite"),
	     "the host's infinite keep is its error");
	T_OK(strstr(error_of(plan, "g1"), "not finite") &&
		 strstr(error_of(plan, "g1"), "$.guest[0].do[1].to"),
	     "the guest's infinite keep is its error, at the keep's path");
	T_OK(!json_object_get(json_object_get(plan, "guests"), "g1"),
	     "the failed guest loses its controls");
	state = json_object_get(plan, "state");
	T_EQ_DBL(json_number_value(
		     json_object_get(json_object_get(state, "host"), "k")),
		 3, "the host keeps its last state");
	T_EQ_DBL(
	    json_number_value(json_object_get(
		json_object_get(json_object_get(state, "guests"), "g1"), "g")),
	    4, "the guest keeps its last state");
	json_decref(plan);
out:
	policy_set_free(ps);
}

/* A keep's errors are at its statement, its key or its "to". */
static void keep_paths(void)
{
	static const char *const cases[][3] = {
	    {"{\"host\": [{\"rule\": \"r\", \"do\": [{\"keep\": \"nokey\", "
	     "\"to\": 1}]}]}",
	     "$.host[0].do[0].keep", "unknown state 'nokey'"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\", \"to\": 1, \"bogus\": 2}]}]}",
	     "$.host[0].do[0].bogus", "unknown key 'bogus'"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\"}]}]}",
	     "$.host[0].do[0]", "needs \"to\""},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": 5, \"to\": 1}]}]}",
	     "$.host[0].do[0].keep", "names a state key"},
	    {"{\"state\": {\"k\": {\"scope\": \"host\"}}, \"host\": "
	     "[{\"rule\": "
	     "\"r\", \"do\": [{\"keep\": \"k\", \"to\": [\"+\", 1]}]}]}",
	     "$.host[0].do[0].to", "at least 2 arguments"},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_error err;
		struct policy_set *ps = load(cases[i][0], &err);

		if (!T_OK(!ps && strcmp(err.path, cases[i][1]) == 0 &&
			      strstr(err.message, cases[i][2]),
			  "keep error at %s", cases[i][1]))
			printf("#   got %s: %s\n", ps ? "(loaded)" : err.path,
			       ps ? "" : err.message);
		policy_set_free(ps);
	}
}

/*
 * A set replaced by one that declares a key of the same name with the
 * other scope: the old entries are dropped, not carried into every plan's
 * state (no rule can read or change them).
 */
static void state_other_scope(void)
{
	static const char *const sets[2] = {
	    "{\"state\": {\"tier\": {\"scope\": \"guest\"}}, \"guest\": "
	    "[{\"rule\": \"r\", \"do\": [{\"keep\": \"tier\", \"to\": "
	    "[\"+\", 1, [\"default\", [\"state\", \"tier\"], 0]]}]}]}",
	    "{\"state\": {\"tier\": {\"scope\": \"host\"}}, \"host\": "
	    "[{\"rule\": \"r\", \"do\": [{\"keep\": \"tier\", \"to\": "
	    "[\"+\", 1, [\"default\", [\"state\", \"tier\"], 0]]}]}]}",
	};
	static const char *const want[2] = {
	    "{\"guests\": {\"g1\": {\"tier\": 6}}}",
	    "{\"host\": {\"tier\": 3}}",
	};

	for (int i = 0; i < 2; i++) {
		struct policy_error err;
		struct policy_set *ps = load(sets[i], &err);
		json_t *plan =
		    ps ? run_case(ps, "{\"host\": {\"history\": [{"
				      "\"mem_available\": 1000}]}, \"guests\": "
				      "[{\"name\": \"g1\", \"history\": [{"
				      "\"balloon_cur\": 100}]}], \"state\": "
				      "{\"host\": {\"tier\": 2}, \"guests\": "
				      "{\"g1\": {\"tier\": 5}}}}")
		       : NULL;
		json_t *w = json_loads(want[i], 0, NULL);
		char *got = json_dumps(json_object_get(plan, "state"),
				       JSON_SORT_KEYS | JSON_COMPACT);

		if (!T_OK(json_equal(json_object_get(plan, "state"), w),
			  "a %s key's state only", i ? "host" : "guest"))
			printf("#   got %s\n", got ? got : "(none)");
		free(got);
		json_decref(w);
		json_decref(plan);
		policy_set_free(ps);
	}
}

/* A rule's name is repeated in each error of each guest it fails for. */
static void rule_name_bound(void)
{
	char *text = malloc(2000), name[300];
	struct policy_error err;
	struct policy_set *ps;

	for (int len = 255; len <= 256; len++) {
		memset(name, 'r', (size_t)len);
		name[len] = '\0';
		snprintf(text, 2000,
			 "{\"guest\": [{\"rule\": \"%s\", \"do\": []}]}", name);
		ps = load(text, &err);
		if (len == 255)
			T_OK(ps, "a rule name of 255 bytes loads");
		else if (!T_OK(!ps &&
				   strstr(err.message, "at most 255 bytes") &&
				   strcmp(err.path, "$.guest[0]") == 0,
			       "a rule name of 256 bytes is refused"))
			printf("#   got %s: %s\n", ps ? "(loaded)" : err.path,
			       ps ? "" : err.message);
		policy_set_free(ps);
	}
	free(text);
}

/* n guests of `size` KiB; the last without mem_unused when `missing`. */
static struct evalcase *many_guests(size_t n, bool missing, double size)
{
	json_t *gs = json_array(), *c;
	struct policy_error err;
	struct evalcase *ec;

	for (size_t i = 0; i < n; i++) {
		json_t *row = json_pack("{s:f}", "balloon_cur", size);
		char name[32];

		if (!missing || i + 1 < n)
			json_object_set_new(row, "mem_unused",
					    json_integer(10));
		snprintf(name, sizeof(name), "g%05zu", i);
		json_array_append_new(gs, json_pack("{s:s, s:[o]}", "name",
						    name, "history", row));
	}
	c = json_pack("{s:{s:[{s:i}]}, s:o}", "host", "history",
		      "mem_available", 1000000, "guests", gs);
	ec = evalcase_from_json(c, &err);
	json_decref(c);
	return ec;
}

/*
 * Whether an evaluation of ec stays within 4096 steps (nodes and samples
 * visited): with a deadline already past, the evaluator abandons it at the
 * first multiple of 4096 steps it crosses (eval.c looks at the clock there
 * and nowhere else), so this counts work, not time.
 */
static bool within_4096_steps(const struct policy_set *ps, struct evalcase *ec)
{
	const struct timespec past = {0, 0};
	bool over = false;
	struct plan *plan =
	    eval_run_until(ps, evalcase_snapshot(ec), &past, &over);

	plan_free(plan);
	return plan != NULL && !over;
}

/*
 * Aggregates that fail: in one guest (it is named in every reader's
 * error) or by a sum that overflows.  Each reader summed the guests again,
 * quadratic in the guests: 4000 guests took 0.3 s against 1 ms, and a few
 * thousand more took a cycle past eval_budget_ms.  Counted in steps: 100
 * guests stay under 4096 with one pass per evaluation, not with one per
 * reader.
 */
static void aggregate_errors(void)
{
	static const struct {
		const char *policy, *what;
		size_t n;
		bool missing;
		double size;
		const char *guest[2], *want[2];
	} cases[] = {
	    {"{\"guest\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"s\": "
	     "[\"guests_sum\", [\"-\", [\"stat\", \"balloon_cur\"], "
	     "[\"stat\", \"mem_unused\"]]]}}, {\"set\": \"balloon_target\", "
	     "\"to\": [\"/\", \"s\", 2]}]}]}",
	     "an aggregate failing in a guest",
	     2000,
	     true,
	     1000,
	     {"g00000", "g01999"},
	     {"(mem_unused) for guest 'g01999'", "for guest 'g01999'"}},
	    {"{\"guest\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"s\": "
	     "[\"guests_sum\", [\"*\", [\"stat\", \"balloon_cur\"], "
	     "1e305]]}}, {\"set\": \"balloon_target\", \"to\": "
	     "[\"/\", \"s\", 1e300]}]}]}",
	     "an aggregate that overflows",
	     4000,
	     false,
	     100, /* KiB: x 1e305, a sum over 18 guests overflows */
	     {"g00000", "g03999"},
	     {"not finite", "not finite"}},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct policy_error err;
		struct policy_set *ps = load(cases[i].policy, &err);
		struct evalcase *bad =
		    many_guests(cases[i].n, cases[i].missing, cases[i].size);
		struct evalcase *good = NULL;
		struct plan *plan;
		json_t *pj;

		if (!T_OK(ps && bad, "%s: loads", cases[i].what))
			goto next;
		plan = eval_run(ps, evalcase_snapshot(bad));
		pj = plan ? plan_to_json(plan) : NULL;
		for (int k = 0; k < 2; k++)
			T_OK(strstr(error_of(pj, cases[i].guest[k]),
				    cases[i].want[k]),
			     "%s: %s's error says \"%s\"", cases[i].what,
			     cases[i].guest[k], cases[i].want[k]);
		json_decref(pj);
		plan_free(plan);
		evalcase_free(bad);
		bad = many_guests(100, cases[i].missing, cases[i].size);
		good = many_guests(100, false, 1);
		T_OK(bad && good && within_4096_steps(ps, good),
		     "%s: 100 guests passing take under 4096 steps",
		     cases[i].what);
		T_OK(bad && within_4096_steps(ps, bad),
		     "%s: one pass over the guests per evaluation",
		     cases[i].what);
	next:
		evalcase_free(bad);
		evalcase_free(good);
		policy_set_free(ps);
	}
}

/*
 * A reason longer than its buffer is cut on a character boundary: the
 * text goes into JSON strings, and a cut character made /v1/plan answer
 * 503.  Rule names are at most 255 bytes and input names ASCII, so only a
 * set built without the loader (as here) has a character at the cut.
 */
static void reason_cut(void)
{
	char rule[601], buf[512];
	struct plan_reason r = {.policy = "p", .rule = rule};
	json_t *j;

	for (int i = 0; i < 300; i++)
		memcpy(rule + 2 * i, "\xc3\xa9", 2); /* U+00E9 */
	rule[600] = '\0';
	T_EQ_INT(plan_reason_format(&r, buf, sizeof(buf)), 603,
		 "reason: the whole length is returned");
	/* "p/" then 254.5 characters fill 511 bytes: the half is dropped. */
	T_EQ_INT(strlen(buf), 510, "reason: cut on a character boundary");
	j = json_string(buf);
	T_OK(j != NULL, "reason: the cut text is valid UTF-8 for JSON");
	json_decref(j);
}

int main(void)
{
	keep_infinite();
	keep_paths();
	state_other_scope();
	rule_name_bound();
	aggregate_errors();
	reason_cut();
	return t_done();
}
