/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_policy.c: fuzz target for the policy loader and evaluator.
 *
 * The input is one policy text.  If it loads (alone, or after the shipped
 * 00-defines parameters so that names like balloonEnabled resolve), it is
 * evaluated against a small fixed snapshot with absent values, an empty
 * history and several guests, and the plan is rendered as JSON.  Any crash,
 * leak or sanitizer report is a bug; a load error is an expected outcome.
 * Built with libFuzzer by `make fuzz`, and with tests/fuzz/replay.c into a
 * plain program that `make test` runs over tests/fuzz/corpus/policy/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char defines[] =
    "{\"parameters\": {\"balloonEnabled\": {\"default\": 1},"
    " \"ksmEnabled\": {\"default\": 1}, \"ksmMergeAcrossNodes\": {\"default\": "
    "1}}}";

static void evaluate(const struct policy_set *ps)
{
	double host[2 * HOST_FIELD_COUNT], guest[3 * GUEST_FIELD_COUNT];
	struct snap_entity guests[3];
	struct snap_param params[] = {{"balloonEnabled", 1}, {"other", 3}};
	struct snapshot snap;
	struct plan *plan;
	json_t *j;

	for (size_t i = 0; i < 2 * HOST_FIELD_COUNT; i++)
		host[i] = (i % 5 == 4) ? FIELD_ABSENT : (double)(i * 1000 + 1);
	for (size_t i = 0; i < 3 * GUEST_FIELD_COUNT; i++)
		guest[i] = (i % 4 == 3) ? FIELD_ABSENT : (double)(i * 5000);
	guests[0] = (struct snap_entity){"web-1", 3, guest};
	guests[1] = (struct snap_entity){"db-1", 1, guest + GUEST_FIELD_COUNT};
	guests[2] = (struct snap_entity){"empty", 0, guest};
	snap = (struct snapshot){params, 2, {"host", 2, host}, guests, 3};
	plan = eval_run(ps, &snap);
	if (!plan)
		return;
	j = plan_to_json(plan);
	if (j) {
		char *s = json_dumps(j, 0);

		free(s);
		json_decref(j);
	}
	plan_free(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_source src[2] = {{"00-defines", defines},
				       {"50-fuzz", NULL}};
	struct policy_error err;
	struct policy_set *ps;
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	src[1].text = text;
	ps = policy_set_load(&src[1], 1, &err);
	if (!ps)
		ps = policy_set_load(src, 2, &err);
	if (ps) {
		evaluate(ps);
		policy_set_free(ps);
	}
	free(text);
	return 0;
}
