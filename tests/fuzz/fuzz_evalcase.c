/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_evalcase.c: fuzz target for the evaluation-case reader (the offline
 * harness and the "case" of POST /v1/evaluate).
 *
 * The input is one case text.  It is parsed with evalcase_parse(); when it
 * parses, its snapshot is evaluated with eval_run() against the shipped
 * policies (policies/ of the source tree, loaded once; FUZZ_POLICY_DIR is
 * set by the Makefile) and the plan is rendered as JSON.  Any crash, leak
 * or sanitizer report is a bug; a parse error is an expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "eval.h"
#include "evalcase.h"
#include "plan.h"
#include "policy.h"

#ifndef FUZZ_POLICY_DIR
#define FUZZ_POLICY_DIR "policies"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct policy_set *shipped;

static void shipped_free(void)
{
	policy_set_free(shipped);
}

static const struct policy_set *shipped_get(void)
{
	struct policy_error err;

	if (!shipped) {
		shipped = policy_set_load_dir(FUZZ_POLICY_DIR, &err);
		if (!shipped) {
			fprintf(stderr, "fuzz_evalcase: %s: %s: %s\n",
				FUZZ_POLICY_DIR, err.policy, err.message);
			abort();
		}
		atexit(shipped_free);
	}
	return shipped;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct policy_set *ps = shipped_get();
	struct policy_error err;
	struct evalcase *c;
	struct plan *plan;
	json_t *j;

	c = evalcase_parse((const char *)data, size, &err);
	if (!c)
		return 0;
	plan = eval_run(ps, evalcase_snapshot(c));
	if (plan) {
		j = plan_to_json(plan);
		if (j) {
			free(json_dumps(j, 0));
			json_decref(j);
		}
		plan_free(plan);
	}
	evalcase_free(c);
	return 0;
}
