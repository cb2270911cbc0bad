/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evaluate_cli.c: `momd --evaluate CASE.json [--policy-dir DIR]`, the
 * offline policy harness (evaluate_cli.h).
 *
 * A thin main over the core: read the case, load the policies, check that
 * every parameter the case sets is declared by a policy, evaluate once,
 * print the plan.  It writes only to stdout (the plan) and stderr (one
 * error line); exit codes are sysexits, as documented in the header.
 */
#include "evaluate_cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "eval.h"
#include "evalcase.h"
#include "policy.h"
#include "policy_error.h"
#include "readfile.h"

#define CASE_MAX (16 * 1024 * 1024)

static void usage(void)
{
	fprintf(stderr,
		"usage: momd --evaluate CASE.json [--policy-dir DIR]\n");
}

/* One error line, in the text every other policy error has
   (policy_error.h): "momd: case x.json: $.host.history[0].mem_free: ...",
   "momd: policy 50-bad: $.host[0]...: ...". */
static void report(const char *what, const struct policy_error *e)
{
	char msg[700];

	fprintf(stderr, "momd: %s %s\n", what,
		policy_error_format(e, msg, sizeof(msg)));
}

/* Read all of path ("-" = stdin); NULL when it cannot be read. */
static char *slurp(const char *path, size_t *len)
{
	char *buf = NULL;

	if (strcmp(path, "-") == 0)
		readfile_fd(STDIN_FILENO, CASE_MAX, &buf, len);
	else
		readfile_path(path, CASE_MAX, &buf, len);
	return buf;
}

static int check_params(const struct policy_set *ps, const struct evalcase *c,
			const char *case_path)
{
	struct policy_error err = {0};

	if (evalcase_check_params(c, ps, &err) == 0)
		return 0;
	snprintf(err.policy, sizeof(err.policy), "%s", case_path);
	report("case", &err);
	return -1;
}

static int evaluate(const char *case_path, const char *dir)
{
	struct policy_error err;
	struct policy_set *ps = NULL;
	struct evalcase *c = NULL;
	struct plan *plan = NULL;
	json_t *out = NULL;
	size_t len = 0;
	char *text = slurp(case_path, &len);
	int rc = EX_DATAERR;

	if (!text) {
		fprintf(stderr, "momd: cannot read %s\n", case_path);
		return EX_NOINPUT;
	}
	c = evalcase_parse(text, len, &err);
	if (!c) {
		/* The case file stands where a policy name would: "case
		   x.json:3:7: ...", as a compiler names its input. */
		if (!err.policy[0])
			snprintf(err.policy, sizeof(err.policy), "%s",
				 case_path);
		report("case", &err);
		goto out;
	}
	if (access(dir, R_OK | X_OK)) {
		fprintf(stderr, "momd: cannot read policy directory %s\n", dir);
		rc = EX_NOINPUT;
		goto out;
	}
	ps = policy_set_load_dir(dir, &err);
	if (!ps) {
		report("policy", &err);
		goto out;
	}
	if (check_params(ps, c, case_path))
		goto out;
	rc = EX_SOFTWARE;
	plan = eval_run(ps, evalcase_snapshot(c));
	out = plan ? plan_to_json(plan) : NULL;
	if (!out || json_dumpf(out, stdout, JSON_INDENT(2) | JSON_SORT_KEYS)) {
		fprintf(stderr, "momd: out of memory\n");
		goto out;
	}
	putchar('\n');
	rc = fflush(stdout) ? EX_IOERR : 0;
out:
	json_decref(out);
	plan_free(plan);
	evalcase_free(c);
	policy_set_free(ps);
	free(text);
	return rc;
}

int evaluate_cli_main(int argc, char **argv, const char *default_policy_dir)
{
	const char *case_path = NULL, *dir = default_policy_dir;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--policy-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (!case_path && (argv[i][0] != '-' || !argv[i][1]))
			case_path = argv[i];
		else
			return usage(), EX_USAGE;
	}
	if (!case_path || !dir)
		return usage(), EX_USAGE;
	return evaluate(case_path, dir);
}
