/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actlog_test.c: the action log's ring (actlog.c): bounded, newest kept,
 * oldest first in its JSON, a limit that gives the newest, and totals that
 * count every entry ever added.  That the controllers log each action
 * with its fields and one log line is checked in control_ksm_test.c.
 */
#include <inttypes.h>
#include <stdint.h>

#include "actlog.h"
#include "testing.h"

static int64_t jint(json_t *a, const char *key)
{
	json_t *v = json_object_get(a, key);

	return v ? (int64_t)json_integer_value(v) : INT64_MIN;
}

/* The ring is bounded and keeps the newest, oldest first. */
static void test_ring(void)
{
	struct actlog *ring = actlog_new(3);
	struct action a = {0};
	uint64_t totals[4];
	json_t *arr;

	for (int i = 0; i < 5; i++) {
		a.new_value = i;
		a.result = i == 4 ? ACT_FAILED : ACT_APPLIED;
		actlog_add(ring, &a);
	}
	arr = actlog_to_json(ring, 100);
	T_EQ_INT(json_array_size(arr), 3, "actlog: ring holds 3 of 5");
	T_EQ_INT(jint(json_array_get(arr, 0), "new"), 2,
		 "actlog: oldest kept first");
	T_EQ_INT(jint(json_array_get(arr, 2), "new"), 4, "actlog: newest last");
	json_decref(arr);
	arr = actlog_to_json(ring, 1);
	T_EQ_INT(jint(json_array_get(arr, 0), "new"), 4,
		 "actlog: limit 1 gives the newest");
	json_decref(arr);
	actlog_totals(ring, totals);
	T_EQ_INT(totals[ACT_APPLIED], 4, "actlog: totals count every entry");
	T_EQ_INT(totals[ACT_FAILED], 1, "actlog: failed total");
	actlog_free(ring);
}

int main(void)
{
	test_ring();
	return t_done();
}
