/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_mompolicy.c: fuzz target for the converter of MOM's policy
 * language (actuator/momlang.h).
 *
 * The input is one MOM policy text.  It is converted; a refusal must give
 * a position inside the text and a message.  A converted policy is loaded
 * (alone, or after parameters like those of 00-defines) and, if it loads,
 * evaluated against a small snapshot with absent values and several
 * guests.  Any crash, hang, leak or sanitizer report is a bug.  Built
 * with libFuzzer by `make fuzz`, and with tests/fuzz/replay.c into a plain
 * program that `make test` runs over tests/fuzz/corpus/mompolicy/.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "momlang.h"
#include "policy.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char defines[] =
    "{\"parameters\": {\"balloonEnabled\": {\"default\": 1},"
    " \"ksmEnabled\": {\"default\": 1}, \"ksmMergeAcrossNodes\": {\"default\": "
    "1},"
    " \"cpuTuneEnabled\": {\"default\": 1}, \"ioTuneEnabled\": {\"default\": "
    "1}}}";

static void evaluate(const struct policy_set *ps)
{
	double host[2 * HOST_FIELD_COUNT], guest[3 * GUEST_FIELD_COUNT];
	struct snap_entity guests[2];
	struct snap_param params[] = {{"balloonEnabled", 1}};
	struct snapshot snap;
	struct plan *plan;

	for (size_t i = 0; i < 2 * HOST_FIELD_COUNT; i++)
		host[i] = (i % 5 == 4) ? FIELD_ABSENT : (double)(i * 1000 + 1);
	for (size_t i = 0; i < 3 * GUEST_FIELD_COUNT; i++)
		guest[i] = (i % 4 == 3) ? FIELD_ABSENT : (double)(i * 5000);
	guests[0] = (struct snap_entity){"web-1", 3, guest};
	guests[1] = (struct snap_entity){"empty", 0, guest};
	snap = (struct snapshot){params, 1, {"host", 2, host}, guests, 2};
	plan = eval_run(ps, &snap);
	plan_free(plan);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct policy_source src[2] = {{"00-defines", defines},
				       {"50-fuzz", NULL}};
	struct policy_error err;
	struct policy_set *ps;
	char *json;

	json = momlang_convert_text((const char *)data, size, "50-fuzz",
				    MOMLANG_MAX_OUTPUT_DEFAULT, &err);
	if (!json) {
		/* A refusal says where and why. */
		if (!err.message[0] || err.line < 0 || err.column < 0 ||
		    (size_t)err.line > size + 1)
			abort();
		return 0;
	}
	src[1].text = json;
	ps = policy_set_load(&src[1], 1, &err);
	if (!ps)
		ps = policy_set_load(src, 2, &err);
	if (ps) {
		evaluate(ps);
		policy_set_free(ps);
	}
	free(json);
	return 0;
}
