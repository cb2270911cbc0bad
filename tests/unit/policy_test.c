/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_test.c: the policy language, construct by construct: every class
 * of load error with its message and JSON path, the runtime semantics of
 * every operator (absent values, division by zero, huge numbers), scoping,
 * last-write-wins across policies, error isolation per guest and for the
 * host, plan JSON, the case format, and the shipped examples.
 */
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "evalcase.h"
#include "policy.h"
#include "testing.h"

/* host: mem_available 1000, mem_free [100, null, 300], pages_shared absent;
 * guests web-1 (balloon_cur [10, 20], mem_unused absent), db-7 and empty
 * (no samples). */
static const char *const base_case =
    "{\"params\": {\"balloonEnabled\": 1},"
    " \"host\": {\"history\": ["
    "  {\"mem_available\": 1000, \"mem_free\": 100},"
    "  {\"mem_available\": 1000, \"mem_free\": null},"
    "  {\"mem_available\": 1000, \"mem_free\": 300, \"ksm_pages_to_scan\": "
    "7}]},"
    " \"guests\": ["
    "  {\"name\": \"web-1\", \"history\": [{\"balloon_cur\": 10}, "
    "{\"balloon_cur\": 20}]},"
    "  {\"name\": \"db-7\", \"history\": [{\"balloon_cur\": 5, "
    "\"balloon_min\": 9}]},"
    "  {\"name\": \"empty\", \"history\": []}]}";

static struct evalcase *base;

static struct policy_set *load2(const char *a, const char *b,
				struct policy_error *err)
{
	struct policy_source src[2] = {{"20-b", b}, {"10-a", a}};

	return policy_set_load(b ? src : &src[1], b ? 2 : 1, err);
}

static struct plan *run(const struct policy_set *ps)
{
	return eval_run(ps, evalcase_snapshot(base));
}

/* ---- load errors ---- */

static void load_fails(const char *text, const char *path, const char *msg,
		       const char *what)
{
	struct policy_error err;
	struct policy_set *ps = load2(text, NULL, &err);

	if (!T_OK(!ps, "%s: refused", what)) {
		policy_set_free(ps);
		return;
	}
	T_EQ_STR(err.policy, "10-a", "  ... names the policy");
	/* A path longer than err.path holds is compared as far as it is. */
	T_OK(strncmp(err.path, path, sizeof(err.path) - 1) == 0,
	     "  ... JSON path (%s)", err.path);
	if (!T_OK(strstr(err.message, msg), "  ... message has '%s'", msg))
		printf("#   got \"%s\"\n", err.message);
}

#define HOST_SET(e)                                                            \
	"{\"host\": [{\"rule\": \"r\", \"do\": [{\"set\": \"ksm_run\", "       \
	"\"to\": " e "}]}]}"
#define GUEST_SET(e)                                                           \
	"{\"guest\": [{\"rule\": \"r\", \"do\": [{\"set\": "                   \
	"\"balloon_target\", \"to\": " e "}]}]}"

/* An identifier of the longest length allowed, 255 bytes. */
#define NAME50	"p1234567890123456789012345678901234567890123456789"
#define NAME255 NAME50 NAME50 NAME50 NAME50 NAME50 "abcde"

static void test_load_errors(void)
{
	struct policy_error err;
	struct policy_set *ps;
	char deep[2048] = "";

	ps = load2("{\"host\": [}", NULL, &err);
	T_OK(!ps && err.line == 1 && err.column == 11 &&
		 strstr(err.message, "JSON syntax") && !err.path[0],
	     "syntax error: line %d column %d, %s", err.line, err.column,
	     err.message);
	ps = load2("{\"defines\": {\"x\": 1, \"x\": 2}}", NULL, &err);
	T_OK(!ps && strstr(err.message, "duplicate"), "duplicate key: %s",
	     err.message);
	load_fails("[]", "$", "a policy is a JSON object", "not an object");
	load_fails("{\"hosts\": []}", "$.hosts", "unknown key 'hosts'",
		   "unknown top-level key");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [], \"when\": 1}]}",
		   "$.host[0].when", "unknown key 'when'", "unknown rule key");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		   "\"ksm_run\", \"to\": 1, \"x\": 2}]}]}",
		   "$.host[0].do[0].x", "unknown key 'x'",
		   "unknown statement key");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"loop\": 1}]}]}",
		   "$.host[0].do[0]", "a statement is an object",
		   "unknown statement");
	load_fails(HOST_SET("[\"pow\", 2, 3]"), "$.host[0].do[0].to[0]",
		   "unknown function 'pow'", "unknown function");
	load_fails(HOST_SET("[\"if\", 1, 2]"), "$.host[0].do[0].to",
		   "'if' takes 3 arguments, not 2", "wrong arity (if)");
	load_fails(HOST_SET("[\"+\", 1]"), "$.host[0].do[0].to",
		   "'+' takes at least 2 arguments, not 1", "wrong arity (+)");
	load_fails(HOST_SET("[\"-\", 1, 2, 3]"), "$.host[0].do[0].to",
		   "'-' takes at most 2 arguments, not 3", "wrong arity (-)");
	{
		/* More than an unbounded operator's 1000: said so. */
		char text[8192] = "[\"+\"";
		size_t used = strlen(text);

		for (int i = 0; i < 1001; i++)
			used += (size_t)snprintf(text + used,
						 sizeof(text) - used, ", 1");
		snprintf(text + used, sizeof(text) - used, "]");
		char doc[8300];

		snprintf(doc, sizeof(doc), HOST_SET("%s"), text);
		load_fails(doc, "$.host[0].do[0].to",
			   "'+' takes at most 1000 arguments, not 1001",
			   "too many arguments (+)");
	}
	load_fails(HOST_SET("[]"), "$.host[0].do[0].to", "empty array",
		   "empty expression");
	load_fails(HOST_SET("[1, 2]"), "$.host[0].do[0].to[0]",
		   "an operator name", "operator is not a string");
	load_fails(HOST_SET("{\"a\": 1}"), "$.host[0].do[0].to",
		   "not an object", "object as expression");
	load_fails(GUEST_SET("[\"+\", [\"name\"], 1]"),
		   "$.guest[0].do[0].to[1]",
		   "a number was expected, not a string", "type error");
	load_fails(GUEST_SET("[\"==\", [\"name\"], 1]"),
		   "$.guest[0].do[0].to[2]", "compares a string with a number",
		   "mixed == types");
	load_fails(HOST_SET("[\"stat\", \"balloon_cur\"]"),
		   "$.host[0].do[0].to[1]", "unknown host field 'balloon_cur'",
		   "unknown host field");
	load_fails(GUEST_SET("[\"avg\", \"ksm_run\"]"),
		   "$.guest[0].do[0].to[1]", "unknown guest field 'ksm_run'",
		   "unknown guest field");
	load_fails(GUEST_SET("[\"host_stat\", 3]"), "$.guest[0].do[0].to[1]",
		   "takes a field name", "field name not a string");
	load_fails(HOST_SET("\"nope\""), "$.host[0].do[0].to",
		   "unknown name 'nope'", "unknown name");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"set\": \"cpu\", "
		   "\"to\": 1}]}]}",
		   "$.host[0].do[0].set", "unknown control 'cpu'",
		   "unknown control");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		   "\"balloon_target\", \"to\": 1}]}]}",
		   "$.host[0].do[0].set", "is a guest control",
		   "guest control in host rule");
	load_fails("{\"guest\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		   "\"ksm_run\", \"to\": 1}]}]}",
		   "$.guest[0].do[0].set", "is a host control",
		   "host control in guest rule");
	load_fails("{\"guest\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		   "\"emergency\", \"to\": 1}]}]}",
		   "$.guest[0].do[0].set", "is a host signal",
		   "signal in guest rule");
	load_fails(HOST_SET("[\"name\"]"), "$.host[0].do[0].to",
		   "only meaningful in a guest rule", "name in host rule");
	load_fails(GUEST_SET("[\"glob\", 1]"), "$.guest[0].do[0].to[1]",
		   "takes a literal string", "glob pattern not a string");
	load_fails("{\"defines\": {\"x\": \"a\"}}", "$.defines.x",
		   "a define is a number", "define not a number");
	load_fails("{\"defines\": {\"1x\": 1}}", "$.defines.1x",
		   "not a valid name", "define name invalid");
	/* A parameter's name is persisted in parameters.json, which start-up
	   reads back only up to a size: names are bounded. */
	load_fails("{\"parameters\": {\"" NAME255 "x\": {\"default\": 1}}}",
		   "$.parameters." NAME255 "x", "at most 255 bytes",
		   "parameter name of 256 bytes");
	load_fails("{\"defines\": {\"" NAME255 "x\": 1}}",
		   "$.defines." NAME255 "x", "at most 255 bytes",
		   "define name of 256 bytes");
	ps = load2("{\"parameters\": {\"" NAME255 "\": {\"default\": 1}}}",
		   NULL, &err);
	T_OK(ps, "a parameter name of 255 bytes loads");
	policy_set_free(ps);
	load_fails("{\"parameters\": {\"p\": {\"default\": 1, \"min\": 0}}}",
		   "$.parameters.p.min", "unknown key 'min'", "parameter key");
	load_fails("{\"parameters\": {\"p\": {\"description\": \"x\"}}}",
		   "$.parameters.p", "needs a \"default\"",
		   "parameter default");
	load_fails("{\"defines\": {\"p\": 1}, \"parameters\": {\"p\": "
		   "{\"default\": 1}}}",
		   "$.parameters.p", "both a define and a parameter",
		   "define/parameter clash");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": "
		   "1}}, {\"let\": {\"x\": 2}}]}]}",
		   "$.host[0].do[1].let.x", "already defined",
		   "rebinding a let");
	load_fails(
	    "{\"guest\": [{\"rule\": \"r\", \"do\": [{\"let\": {\"x\": 1}}]},"
	    " {\"rule\": \"s\", \"do\": [{\"set\": \"balloon_target\", \"to\": "
	    "\"x\"}]}]}",
	    "$.guest[1].do[0].to", "unknown name 'x'",
	    "guest lets are local to their rule");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"if\": 1, "
		   "\"then\": [{\"let\": {\"y\": 1}}]},"
		   " {\"set\": \"ksm_run\", \"to\": \"y\"}]}]}",
		   "$.host[0].do[1].to", "unknown name 'y'",
		   "lets in a branch are local to it");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"if\": 1}]}]}",
		   "$.host[0].do[0]", "needs \"then\"", "if without then");
	load_fails("{\"host\": [{\"rule\": \"r\", \"do\": [{\"stop\": 1}]}]}",
		   "$.host[0].do[0].stop", "gives the reason",
		   "stop without a string");
	load_fails("{\"host\": [{\"do\": []}]}", "$.host[0]", "needs a name",
		   "rule without a name");
	load_fails("{\"host\": {}}", "$.host", "is an array of rules",
		   "host not an array");
	load_fails(GUEST_SET("1, \"explain\": [[\"+\", 1, 2]]"),
		   "$.guest[0].do[0].explain[0]", "names and fields only",
		   "explain lists leaves only");
	for (int i = 0; i < 70; i++)
		strcat(deep, "[\"abs\", ");
	strcat(deep, "1");
	for (int i = 0; i < 70; i++)
		strcat(deep, "]");
	{
		char text[4096];

		snprintf(text, sizeof(text), HOST_SET("%s"), deep);
		ps = load2(text, NULL, &err);
		T_OK(!ps && strstr(err.message, "nesting deeper than 64"),
		     "nesting is capped: %s", err.message);
	}
	{
		struct policy_source src[2] = {{"a", "{}"}, {"a", "{}"}};
		struct policy_source bad = {"../x", "{}"};

		T_OK(!policy_set_load(src, 2, &err) &&
			 strstr(err.message, "two policies"),
		     "duplicate policy names refused");
		T_OK(!policy_set_load(&bad, 1, &err) &&
			 strstr(err.message, "invalid policy name"),
		     "invalid policy name refused");
	}
	T_OK(policy_name_valid("02-balloon") && !policy_name_valid(".x") &&
		 !policy_name_valid("a/b") && !policy_name_valid("") &&
		 !policy_name_valid("a..b"),
	     "policy_name_valid");
	ps = policy_set_load(NULL, 0, &err);
	T_OK(ps && policy_set_count(ps) == 0, "an empty set loads");
	policy_set_free(ps);
}

/* ---- expressions ---- */

/* Evaluate e as the ksm_run control of a host rule; *msg gets the error. */
static long long host_expr(const char *e, char *msg, size_t len)
{
	char text[2048];
	struct policy_error err;
	struct policy_set *ps;
	struct plan *p;
	long long v = -999;

	snprintf(text, sizeof(text), HOST_SET("%s"), e);
	ps = load2(text, NULL, &err);
	if (!ps) {
		snprintf(msg, len, "load: %.200s at %.200s", err.message,
			 err.path);
		return -998;
	}
	p = run(ps);
	snprintf(msg, len, "%s", p->host_error ? p->host_error : "");
	if (p->host[0].set)
		v = p->host[0].value;
	plan_free(p);
	policy_set_free(ps);
	return v;
}

static void expect(const char *e, long long want)
{
	char msg[1024];
	long long got = host_expr(e, msg, sizeof(msg));

	if (!T_OK(got == want, "%s = %lld", e, want))
		printf("#   got %lld %s\n", got, msg);
}

static void expect_error(const char *e, const char *what)
{
	char msg[1024];
	long long got = host_expr(e, msg, sizeof(msg));

	if (!T_OK(got == -999 && strstr(msg, what) && strstr(msg, "10-a/r: "),
		  "%s fails: %s", e, what))
		printf("#   got %lld \"%s\"\n", got, msg);
}

static void test_expressions(void)
{
	expect("[\"+\", 1, 2, 3]", 6);
	expect("[\"-\", 10, 4]", 6);
	expect("[\"-\", 4]", -4);
	expect("[\"*\", 2, 3, 4]", 24);
	expect("[\"/\", 7, 2]", 3); /* true division: 3.5, truncated */
	expect("[\"==\", [\"/\", 7, 2], 3.5]", 1);
	expect("[\"-\", [\"/\", 27, 10]]", -2); /* trunc toward zero */
	expect("[\"min\", 3, 1, 2]", 1);
	expect("[\"max\", 3, 1, 2]", 3);
	expect("[\"abs\", -5]", 5);
	expect("[\"+\", [\"<\", 1, 2], [\"<=\", 2, 2], [\">\", 1, 2], [\">=\", "
	       "1, 2]]",
	       2);
	expect("[\"+\", [\"==\", 1, 1], [\"!=\", 1, 1]]", 1);
	expect("[\"and\", 1, 2, 3]", 1);
	expect("[\"and\", 1, 0]", 0);
	expect("[\"or\", 0, 0, 5]", 1);
	expect("[\"or\", 0, null]", 0);
	expect("[\"not\", 0]", 1);
	expect("[\"not\", null]", 1);
	expect("[\"if\", 1, 10, 20]", 10);
	expect("[\"if\", null, 10, 20]", 20);
	expect("[\"if\", 0, [\"/\", 1, 0], 20]", 20); /* lazy branches */
	expect("true", 1);
	expect("false", 0);
	expect("[\"==\", null, null]", 1);
	expect("[\"==\", null, 1]", 0);
	expect("[\"!=\", null, 1]", 1);
	expect("[\"absent\", null]", 1);
	expect("[\"present\", [\"stat\", \"ksm_pages_shared\"]]", 0);
	expect("[\"default\", [\"stat\", \"ksm_pages_shared\"], 42]", 42);
	expect("[\"default\", 7, 42]", 7);
	expect("[\"stat\", \"mem_free\"]", 300);
	expect("[\"avg\", \"mem_free\"]", 200); /* skips the absent sample */
	expect("[\"avg\", \"ksm_pages_shared\"]", 0); /* all absent: 0.0 */
	expect("[\"stat\", \"ksm_pages_to_scan\"]", 7);
	expect("[\"host_avg\", \"mem_free\"]", 200); /* = avg in a host rule */
	expect("9e18", 9000000000000000000LL);
	expect("-9.2e18", -9200000000000000000LL);
	expect_error("[\"/\", 1, 0]", "division by zero");
	expect_error("[\"+\", [\"stat\", \"ksm_pages_shared\"], 1]",
		     "absent value (ksm_pages_shared)");
	expect_error("[\"<\", null, 1]", "'<' got an absent value");
	expect_error("[\"max\", 1, null]", "'max' got an absent value");
	expect_error("[\"abs\", null]", "'abs' got an absent value");
	expect_error("[\"-\", null]", "'-' got an absent value");
	expect_error("[\"and\", 0, [\"/\", 1, 0]]",
		     "division by zero"); /* every operand */
	expect_error("[\"or\", 1, [\"<\", null, 0]]", "absent");
	expect_error("null", "absent value");
	expect_error("1e300", "out of range");
	expect_error("-1e19", "out of range");
	expect_error("[\"*\", 1e308, 10]", "out of range"); /* inf */
	expect_error("[\"-\", [\"*\", 1e308, 10], [\"*\", 1e308, 10]]",
		     "not a number");
	expect_error("[\"stat\", \"ksm_pages_shared\"]", "absent");
}

/* ---- rules, scopes, guests ---- */

static struct policy_set *kept;

static struct plan *run_text(const char *a, const char *b)
{
	struct policy_error err;
	struct policy_set *ps = load2(a, b, &err);
	struct plan *p;

	if (!ps) {
		printf("# load failed: %s %s: %s\n", err.policy, err.path,
		       err.message);
		return NULL;
	}
	p = run(ps);
	/* The plan's reasons borrow from the set: keep it until the next call.
	 */
	policy_set_free(kept);
	kept = ps;
	return p;
}

static long long target(const struct plan *p, size_t g)
{
	return p->guests[g].ctl[0].set ? p->guests[g].ctl[0].value : -1;
}

static void test_guests(void)
{
	struct plan *p;

	p = run_text(
	    "{\"guest\": [{\"rule\": \"r\", \"do\": ["
	    "{\"if\": [\"glob\", \"db-*\"], \"then\": [{\"set\": "
	    "\"balloon_target\", \"to\": 1}],"
	    " \"else\": [{\"set\": \"balloon_target\", \"to\": [\"if\", "
	    "[\"==\", [\"name\"], [\"str\", \"web-1\"]], 2, 3]}]}]}]}",
	    NULL);
	T_OK(p && target(p, 0) == 2 && target(p, 1) == 1 && target(p, 2) == 3,
	     "name, str and glob select guests");
	plan_free(p);

	p = run_text("{\"guest\": [{\"rule\": \"r\", \"do\": ["
		     "{\"set\": \"balloon_target\", \"to\": [\"avg\", "
		     "\"balloon_cur\"]}]}]}",
		     NULL);
	T_OK(p && target(p, 0) == 15 && target(p, 1) == 5 && target(p, 2) == 0,
	     "avg per guest (empty history: 0.0)");
	plan_free(p);

	/* Error isolation: web-1 has no mem_unused, db-7 divides by zero. */
	p = run_text(
	    "{\"host\": [{\"rule\": \"h\", \"do\": [{\"set\": \"ksm_run\", "
	    "\"to\": 1}]}],"
	    " \"guest\": [{\"rule\": \"r\", \"do\": ["
	    "{\"set\": \"balloon_target\", \"to\": 5},"
	    "{\"if\": [\"glob\", \"web-*\"], \"then\": [{\"set\": "
	    "\"balloon_target\", \"to\": [\"stat\", \"mem_unused\"]}]},"
	    "{\"if\": [\"glob\", \"db-*\"], \"then\": [{\"let\": {\"z\": "
	    "[\"/\", 1, 0]}}]}]}]}",
	    NULL);
	T_OK(
	    p && p->guests[0].error && !p->guests[0].ctl[0].set &&
		strstr(p->guests[0].error,
		       "10-a/r: control set to an absent value (mem_unused) at "
		       "$.guest[0].do[1].then[0].to"),
	    "guest error skips that guest: %s", p ? p->guests[0].error : "");
	T_OK(p && p->guests[1].error &&
		 strstr(p->guests[1].error, "division by zero") &&
		 !p->guests[1].ctl[0].set,
	     "an error after a set drops the guest's earlier controls too");
	T_OK(p && !p->guests[2].error && target(p, 2) == 5 && p->host[0].set &&
		 !p->host_error,
	     "other guests and the host keep their controls");
	plan_free(p);

	/* Host error: host controls and signals dropped, guests reading host
	 * variables fail, the others do not. */
	p = run_text(
	    "{\"host\": [{\"rule\": \"h\", \"do\": [{\"set\": \"ksm_run\", "
	    "\"to\": 1},"
	    " {\"set\": \"emergency\", \"to\": 1},"
	    " {\"let\": {\"hv\": [\"/\", 1, [\"stat\", \"ksm_run\"]]}}]}],"
	    " \"guest\": [{\"rule\": \"r\", \"do\": ["
	    "{\"if\": [\"glob\", \"web-*\"], \"then\": [{\"set\": "
	    "\"balloon_target\", \"to\": \"hv\"}],"
	    " \"else\": [{\"set\": \"balloon_target\", \"to\": 3}]}]}]}",
	    NULL);
	T_OK(p && p->host_error && !p->host[0].set && !p->signal[0].set &&
		 strstr(p->host_error,
			"10-a/h: '/' got an absent value (ksm_run)"),
	     "host error drops host controls and signals: %s",
	     p && p->host_error ? p->host_error : "");
	T_OK(
	    p && p->guests[0].error &&
		strstr(p->guests[0].error,
		       "host variable 'hv' was not computed"),
	    "a guest reading a host variable the host failed to compute fails");
	T_OK(p && target(p, 1) == 3 && !p->guests[1].error,
	     "guests not reading it are unaffected");
	plan_free(p);

	/* stop ends the rule for this entity only; the next rule runs. */
	p = run_text(
	    "{\"guest\": [{\"rule\": \"r\", \"do\": ["
	    "{\"set\": \"balloon_target\", \"to\": 1},"
	    "{\"if\": [\"glob\", \"web-*\"], \"then\": [{\"stop\": \"web\"}]},"
	    "{\"set\": \"balloon_target\", \"to\": 2}]},"
	    " {\"rule\": \"s\", \"do\": [{\"if\": [\"glob\", \"db-*\"], "
	    "\"then\": [{\"set\": \"balloon_target\", \"to\": 9}]}]}]}",
	    NULL);
	T_OK(p && target(p, 0) == 1 && target(p, 1) == 9 && target(p, 2) == 2,
	     "stop ends the current rule; later rules still run");
	plan_free(p);
}

static void test_composition(void)
{
	struct policy_error err;
	struct policy_set *ps;
	struct plan *p;
	char buf[256];
	json_t *j;
	char *s;

	/* Last write wins across policies; a later define overrides. */
	ps = load2("{\"defines\": {\"k\": 1}, \"parameters\": {\"pp\": "
		   "{\"default\": 4}},"
		   " \"host\": [{\"rule\": \"first\", \"do\": [{\"let\": "
		   "{\"hk\": [\"+\", \"k\", \"pp\"]}},"
		   " {\"set\": \"ksm_run\", \"to\": \"k\"}, {\"set\": "
		   "\"ksm_pages_to_scan\", \"to\": \"hk\"}]}]}",
		   "{\"defines\": {\"k\": 2}, \"parameters\": {\"pp\": "
		   "{\"default\": true}},"
		   " \"host\": [{\"rule\": \"second\", \"do\": [{\"set\": "
		   "\"ksm_run\", \"to\": [\"*\", 10, \"hk\"]}]}],"
		   " \"guest\": [{\"rule\": \"g\", \"do\": [{\"set\": "
		   "\"balloon_target\", \"to\": \"hk\"}]}]}",
		   &err);
	if (!T_OK(ps, "two policies load (%s)", err.message))
		return;
	T_EQ_DBL(policy_set_param_default(ps, 0), 1,
		 "a later policy overrides a parameter default");
	p = run(ps);
	T_EQ_INT(p->host[HC_KSM_PAGES_TO_SCAN].value, 3,
		 "a later define overrides an earlier one, even where the "
		 "earlier policy reads it");
	T_EQ_INT(p->host[HC_KSM_RUN].value, 30,
		 "last write wins; host variables reach later policies");
	T_EQ_STR(p->host[HC_KSM_RUN].reason.policy, "20-b",
		 "reason names the last writer");
	T_EQ_INT(target(p, 1), 3, "host variables reach guest rules");
	plan_reason_format(&p->host[HC_KSM_RUN].reason, buf, sizeof(buf));
	T_EQ_STR(buf, "20-b/second: hk=3", "reason text");
	j = plan_to_json(p);
	s = json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT);
	T_EQ_STR(s,
		 "{\"errors\":{\"guests\":{}},\"guests\":{\"db-7\":{\"balloon_"
		 "target\":3},"
		 "\"empty\":{\"balloon_target\":3},\"web-1\":{\"balloon_"
		 "target\":3}},"
		 "\"host\":{\"ksm_pages_to_scan\":3,\"ksm_run\":30},"
		 "\"reasons\":{\"guests\":{\"db-7\":{\"balloon_target\":\"20-b/"
		 "g: hk=3\"},"
		 "\"empty\":{\"balloon_target\":\"20-b/g: "
		 "hk=3\"},\"web-1\":{\"balloon_target\":\"20-b/g: hk=3\"}},"
		 "\"host\":{\"ksm_pages_to_scan\":\"10-a/first: "
		 "hk=3\",\"ksm_run\":\"20-b/second: hk=3\"}}}",
		 "plan JSON");
	free(s);
	json_decref(j);
	plan_free(p);
	{
		struct snap_param sp = {"pp", 10};
		struct snapshot snap = *evalcase_snapshot(base);

		snap.params = &sp;
		snap.nparams = 1;
		p = eval_run(ps, &snap);
		T_EQ_INT(p->host[HC_KSM_RUN].value, 120,
			 "a snapshot parameter overrides the default");
		plan_free(p);
	}
	policy_set_free(ps);

	/* A host variable whose rule stopped before computing it. */
	p = run_text("{\"host\": [{\"rule\": \"h\", \"do\": [{\"stop\": "
		     "\"early\"}, {\"let\": {\"late\": 1}}]},"
		     " {\"rule\": \"h2\", \"do\": [{\"set\": \"ksm_run\", "
		     "\"to\": \"late\"}]}]}",
		     NULL);
	T_OK(p && p->host_error &&
		 strstr(p->host_error, "'late' was not computed"),
	     "reading a host variable that was never computed is an error");
	plan_free(p);

	/* Signals and errors in the JSON. */
	p = run_text("{\"host\": [{\"rule\": \"h\", \"do\": [{\"set\": "
		     "\"emergency\", \"to\": 1}]}],"
		     " \"guest\": [{\"rule\": \"r\", \"do\": [{\"set\": "
		     "\"balloon_target\", \"to\": [\"/\", 1, [\"-\", "
		     "[\"stat\", \"balloon_cur\"], 5]]}]}]}",
		     NULL);
	j = p ? plan_to_json(p) : NULL;
	s = j ? json_dumps(j, JSON_SORT_KEYS | JSON_COMPACT) : NULL;
	T_OK(s && strstr(s, "\"signals\":{\"emergency\":1}") &&
		 strstr(s,
			"\"errors\":{\"guests\":{\"db-7\":\"10-a/r: division "
			"by zero at $.guest[0].do[0].to\",\"empty\":\"10-a/r: "
			"'-' got an absent value (balloon_cur) at "
			"$.guest[0].do[0].to[2]\"}}") &&
		 strstr(s, "\"reasons\":{\"guests\":{\"web-1\""),
	     "signals and errors in the plan JSON: %s", s ? s : "");
	free(s);
	json_decref(j);
	plan_free(p);
}

/* ---- the case format ---- */

static void case_fails(const char *text, const char *path, const char *msg)
{
	struct policy_error err;
	struct evalcase *c = evalcase_parse(text, strlen(text), &err);

	T_OK(!c && strcmp(err.path, path) == 0 && strstr(err.message, msg),
	     "case refused at %s: %s (got %s: %s)", path, msg, err.path,
	     err.message);
	evalcase_free(c);
}

static void test_cases(void)
{
	struct policy_error err;
	struct evalcase *c;
	const struct snapshot *s;

	case_fails(
	    "{\"host\": {\"history\": [{\"mem_free\": 1, \"nope\": 2}]}}",
	    "$.host.history[0].nope", "unknown host field 'nope'");
	case_fails("{\"host\": {\"history\": []}, \"guests\": [{\"name\": "
		   "\"g\", \"history\": [{\"balloon_cur\": \"x\"}]}]}",
		   "$.guests[0].history[0].balloon_cur", "a number or null");
	case_fails("{\"host\": {\"history\": []}, \"extra\": 1}", "$",
		   "unknown key 'extra'");
	case_fails("{\"host\": {\"history\": []}, \"params\": {\"p\": \"x\"}}",
		   "$.params.p", "a number or a boolean");
	case_fails(
	    "{\"host\": {\"history\": []}, \"guests\": [{\"name\": \"g\", "
	    "\"history\": []}, {\"name\": \"g\", \"history\": []}]}",
	    "$.guests[1]", "two guests are named 'g'");
	case_fails("{}", "$", "needs \"host\"");
	c = evalcase_parse("{\n \"host\": [", 12, &err);
	T_OK(!c && err.line == 2 && strstr(err.message, "syntax"),
	     "case syntax error has a line (%d:%d)", err.line, err.column);
	c = evalcase_parse(
	    "{\"host\": {\"history\": [{\"mem_unused\": 1, \"mem_buffers\": 2, "
	    "\"mem_cached\": 3}]}}",
	    strlen("{\"host\": {\"history\": [{\"mem_unused\": 1, "
		   "\"mem_buffers\": 2, \"mem_cached\": 3}]}}"),
	    &err);
	s = c ? evalcase_snapshot(c) : NULL;
	T_OK(s && snap_latest(&s->host, HOST_FIELD_COUNT, HF_MEM_FREE) == 6,
	     "an absent mem_free is derived");
	evalcase_free(c);
}

/* ---- the shipped examples ---- */

static struct policy_set *load_shipped_with(const char *example, const char *as)
{
	static const char *const names[] = {"00-defines", "02-balloon",
					    "03-ksm"};
	struct policy_source src[4];
	char *texts[4] = {0};
	struct policy_error err;
	struct policy_set *ps;
	size_t n = 0;

	for (size_t i = 0; i < 4; i++) {
		char path[256];
		const char *name = i < 3 ? names[i] : as;
		FILE *f;
		long len;

		if (i < 3 && strcmp(names[i], as) == 0)
			continue;
		if (i < 3)
			snprintf(path, sizeof(path), "policies/%s.json", name);
		else
			snprintf(path, sizeof(path),
				 "policies/examples/%s.json", example);
		f = fopen(path, "rb");
		if (!f)
			break;
		fseek(f, 0, SEEK_END);
		len = ftell(f);
		rewind(f);
		texts[n] = calloc(1, (size_t)len + 1);
		if (fread(texts[n], 1, (size_t)len, f) != (size_t)len)
			len = 0;
		fclose(f);
		src[n] = (struct policy_source){name, texts[n]};
		n++;
	}
	ps = n == 4 || (n == 3 && strcmp(as, "02-balloon") == 0)
		 ? policy_set_load(src, n, &err)
		 : NULL;
	if (!ps)
		printf("# %s: %s %s %s\n", example, err.policy, err.path,
		       err.message);
	for (size_t i = 0; i < 4; i++)
		free(texts[i]);
	return ps;
}

static void test_examples(void)
{
	const char *text =
	    "{\"params\": {\"balloonEnabled\": 1}, \"host\": {\"history\": "
	    "[{\"mem_available\": 10000000,"
	    " \"mem_free\": 5000000, \"ksm_pages_shared\": 0, "
	    "\"ksm_merge_across_nodes\": 1,"
	    " \"ksm_pages_to_scan\": 100, \"ksm_shareable\": 9000000}]},"
	    " \"guests\": [{\"name\": \"db-1\", \"history\": "
	    "[{\"balloon_cur\": 2000000, \"balloon_max\": 4000000,"
	    " \"balloon_min\": 0, \"mem_unused\": 1200000}]},"
	    " {\"name\": \"web\", \"history\": [{\"balloon_cur\": 2000000, "
	    "\"balloon_max\": 4000000,"
	    " \"balloon_min\": 0, \"mem_unused\": 1200000}]}]}";
	struct policy_error err;
	struct evalcase *c = evalcase_parse(text, strlen(text), &err);
	struct policy_set *ps;
	struct plan *p;

	if (!T_OK(c, "example case parses (%s)", err.message))
		return;
	ps = load_shipped_with("99-exclude-guests", "99-exclude-guests");
	p = ps ? eval_run(ps, evalcase_snapshot(c)) : NULL;
	T_OK(p && target(p, 0) == 2000000 && target(p, 1) == 2100000,
	     "exclude example: db-* keeps its size, others grow");
	plan_free(p);
	policy_set_free(ps);
	ps = load_shipped_with("02-balloon-shrink-only", "02-balloon");
	p = ps ? eval_run(ps, evalcase_snapshot(c)) : NULL;
	T_OK(p && target(p, 0) == -1 && target(p, 1) == -1,
	     "shrink-only example: no growth without pressure");
	plan_free(p);
	policy_set_free(ps);
	ps = load_shipped_with("99-ksm-off", "99-ksm-off");
	p = ps ? eval_run(ps, evalcase_snapshot(c)) : NULL;
	T_OK(p && p->host[HC_KSM_RUN].set && p->host[HC_KSM_RUN].value == 0 &&
		 target(p, 1) == 2100000,
	     "ksm-off example: ksm_run 0 although 03-ksm wants it on");
	plan_free(p);
	policy_set_free(ps);
	evalcase_free(c);
}

int main(void)
{
	struct policy_error err;

	base = evalcase_parse(base_case, strlen(base_case), &err);
	if (!T_OK(base, "base case parses (%s at %s)", err.message, err.path))
		return t_done();
	test_load_errors();
	test_expressions();
	test_guests();
	test_composition();
	test_cases();
	test_examples();
	evalcase_free(base);
	policy_set_free(kept);
	return t_done();
}
