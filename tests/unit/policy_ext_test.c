/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_ext_test.c: the language's aggregates over guests and its state
 * across cycles (policy_ext.c, evstate.c): the evaluation cases of
 * tests/data/eval-lang/ against its policies, the strict validation of
 * declarations, reads and keeps, the case's "state" parser, and that a
 * plan's state fed back as the next case's state gives the next cycle.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "casedir.h"
#include "evstate.h"
#include "policy.h"

/* Load one policy text; the error message, or "" when it loads. */
static const char *load_msg(const char *text)
{
	static char msg[600];
	struct policy_source src = {"10-t", text};
	struct policy_error err;
	struct policy_set *ps = policy_set_load(&src, 1, &err);

	msg[0] = '\0';
	if (!ps)
		snprintf(msg, sizeof(msg), "%s: %s", err.path, err.message);
	policy_set_free(ps);
	return msg;
}

static void refused(const char *text, const char *want)
{
	const char *m = load_msg(text);

	if (!T_OK(m[0] && strstr(m, want), "refused: %s", want))
		printf("#   got '%s'\n", m);
}

static void validation(void)
{
	T_EQ_STR(load_msg("{\"state\": {\"k\": {\"scope\": \"guest\"}},"
			  "\"guest\": [{\"rule\": \"r\", \"do\": ["
			  "{\"keep\": \"k\", \"to\": [\"+\", 1, "
			  "[\"default\", [\"state\", \"k\"], 0]]}]}]}"),
		 "", "a declared guest state is read and kept");
	refused("{\"guest\": [{\"rule\": \"r\", \"do\": [{\"keep\": \"k\", "
		"\"to\": 1}]}]}",
		"unknown state 'k'");
	refused("{\"state\": {\"k\": {\"scope\": \"host\"}}, \"guest\": "
		"[{\"rule\": \"r\", \"do\": [{\"keep\": \"k\", \"to\": 1}]}]}",
		"not a guest's state");
	refused("{\"state\": {\"k\": {\"scope\": \"guest\"}}, \"host\": "
		"[{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": [\"state\", "
		"\"k\"]}}]}]}",
		"not a host's state");
	refused("{\"state\": {\"k\": {\"scope\": \"vm\"}}}",
		"'scope' is \"guest\" or \"host\"");
	refused("{\"state\": {\"k\": {\"scope\": \"guest\", \"x\": 1}}}",
		"unknown key");
	refused("{\"state\": {\"1k\": {\"scope\": \"guest\"}}}",
		"not a valid name");
	refused("{\"state\": {\"k\": {\"scope\": \"guest\"}}, \"guest\": "
		"[{\"rule\": \"r\", \"do\": [{\"keep\": \"k\"}]}]}",
		"needs \"to\"");
	refused("{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": "
		"[\"guests_sum\", [\"guests_count\", 1]]}}]}]}",
		"inside another aggregate");
	refused("{\"guest\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"a\": "
		"1}}, {\"let\": {\"b\": [\"guests_sum\", \"a\"]}}]}]}",
		"'a' is a variable of this guest rule");
	refused("{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": "
		"[\"guests_sum\", [\"stat\", \"no_field\"]]}}]}]}",
		"unknown guest field 'no_field'");
	refused("{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": "
		"[\"guests_sum\", 1, 2]}}]}]}",
		"takes 1 argument");
	refused("{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": "
		"[\"optional_stat\", \"a b\"]}}]}]}",
		"not a field name");
	/* A host variable and a host rule's own let are readable inside. */
	T_EQ_STR(
	    load_msg("{\"host\": [{\"rule\": \"h\", \"do\": [{\"let\": "
		     "{\"k0\": 2}}, {\"let\": {\"s\": [\"guests_sum\", "
		     "[\"*\", \"k0\", [\"stat\", \"balloon_cur\"]]]}}]}],"
		     "\"guest\": [{\"rule\": \"g\", \"do\": [{\"let\": "
		     "{\"t\": [\"guests_count\", [\">\", \"k0\", 1]]}}]}]}"),
	    "", "host variables inside aggregates");
}

static void case_state_parser(void)
{
	static const char *const bad[][2] = {
	    {"{\"host\": {\"k\": \"x\"}}", "a state value is a number"},
	    {"{\"host\": {\"k\": null}}", "a state value is a number"},
	    {"{\"guests\": {\"\": {\"k\": 1}}}", "not empty"},
	    {"{\"guests\": {\"g\": {\"k k\": 1}}}", "not a valid name"},
	    {"{\"vm\": {}}", "unknown key 'vm'"},
	    {"[]", "'state' is an object"},
	};
	struct policy_error err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		json_t *o = json_loads(bad[i][0], 0, NULL);
		struct evstate *st = evstate_from_json(o, "$.state", &err);

		if (!T_OK(!st && strstr(err.message, bad[i][1]),
			  "case state %s refused", bad[i][0]))
			printf("#   got '%s'\n", st ? "" : err.message);
		evstate_free(st);
		json_decref(o);
	}
}

/* The plan's state, fed back, is the next cycle's: 3 cycles by hand. */
static void round_trip(const struct policy_set *ps, const char *dir)
{
	char path[600];
	json_error_t jerr;
	json_t *c;
	double cycles = -1, quiet = -1;

	snprintf(path, sizeof(path), "%s/basic/case.json", dir);
	c = json_load_file(path, 0, &jerr);
	if (!T_OK(c, "load the basic case"))
		return;
	for (int i = 0; i < 3; i++) {
		struct policy_error err;
		struct evalcase *ec = evalcase_from_json(c, &err);
		struct plan *plan =
		    ec ? eval_run(ps, evalcase_snapshot(ec)) : NULL;
		json_t *got = plan ? plan_to_json(plan) : NULL;
		json_t *st = json_object_get(got, "state");

		if (st)
			json_object_set(c, "state", st);
		json_decref(got);
		plan_free(plan);
		evalcase_free(ec);
	}
	cycles = json_number_value(json_object_get(
	    json_object_get(json_object_get(c, "state"), "host"), "cycles"));
	quiet = json_number_value(json_object_get(
	    json_object_get(
		json_object_get(json_object_get(c, "state"), "guests"), "b"),
	    "quiet"));
	T_EQ_DBL(cycles, 7, "host state counted three more cycles (4 -> 7)");
	T_EQ_DBL(quiet, 3, "guest b's state counted from nothing to 3");
	json_decref(c);
}

int main(void)
{
	char dir[512], pdir[600];
	struct policy_error err;
	struct policy_set *ps;

	snprintf(dir, sizeof(dir), "%s/tests/data/eval-lang", cd_srcdir());
	snprintf(pdir, sizeof(pdir), "%s/policies", dir);
	ps = policy_set_load_dir(pdir, &err);
	if (!T_OK(ps, "the language test policies load")) {
		printf("#   %s %s: %s\n", err.policy, err.path, err.message);
		return t_done();
	}
	T_OK(cd_run_dir(ps, dir) >= 2, "at least two language cases");
	round_trip(ps, dir);
	validation();
	case_state_parser();
	policy_set_free(ps);
	return t_done();
}
