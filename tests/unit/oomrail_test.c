/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oomrail_test.c: the OOM rail's bookkeeping (oomrail.c) branch by branch:
 * arming by a shrink, disarming by a grow, the harm event with its
 * grow-back size and detail, the cool-down, the grow-back owed until
 * taken.  Its use by the balloon controller is tested in
 * control_oom_test.c.
 */
#include <math.h>
#include <string.h>

#include "oomrail.h"
#include "testing.h"

#define T0 1700000000000LL

static void test_arm_and_event(void)
{
	struct oom_rail r = {0};
	char d[256];
	int64_t to = -1;

	T_OK(!oom_rail_check(&r, 5, 4000, 60000, T0, &to, d, sizeof(d)),
	     "not armed: no event");
	oom_rail_applied(&r, 5, 4000, 3600, T0);
	T_OK(r.armed && r.base == 5 && r.from_kib == 4000 && r.to_kib == 3600,
	     "a shrink arms with its oom_kill and sizes");
	T_OK(!oom_rail_check(&r, 5, 4000, 60000, T0 + 1, &to, d, sizeof(d)),
	     "the same oom_kill: no event");
	T_OK(!oom_rail_check(&r, NAN, 4000, 60000, T0 + 1, &to, d, sizeof(d)),
	     "absent oom_kill: no event");
	T_OK(!oom_rail_check(&r, 3, 4000, 60000, T0 + 1, &to, d, sizeof(d)),
	     "a counter that went back (reboot): no event");
	T_OK(r.armed && r.base == 3, "... the rail stays armed, from there");
	T_OK(!oom_rail_check(&r, 4, 4000, 0, T0 + 1, &to, d, sizeof(d)),
	     "cool-down 0: the rail is off");
	T_OK(oom_rail_check(&r, 4, 4000, 60000, T0 + 2, &to, d, sizeof(d)),
	     "a kill after the reboot, still below the count before it: an "
	     "event");
	T_EQ_INT(to, 4000, "grown back to the size before the shrink");
	T_OK(strstr(d, "from 3 to 4") && strstr(d, "from 4000 to 3600 KiB"),
	     "the detail names the rise and the shrink (%s)", d);
	T_OK(!r.armed, "the event disarms");
	T_OK(oom_rail_holds(&r, T0 + 2) && oom_rail_holds(&r, T0 + 60001) &&
		 !oom_rail_holds(&r, T0 + 60002),
	     "shrinks are held for the cool-down, not after");
	oom_rail_hold_text(&r, d, sizeof(d));
	T_OK(strstr(d, "held by the OOM rail") != NULL, "hold text: %s", d);
	T_OK(!oom_rail_check(&r, 7, 4000, 60000, T0 + 3, &to, d, sizeof(d)),
	     "no second event without a new shrink");
}

static void test_capped_and_chain(void)
{
	struct oom_rail r = {0};
	char d[256];
	int64_t to = -1;

	oom_rail_applied(&r, 1, 4000, 3600, T0);
	oom_rail_applied(&r, 1, 3600, 3200, T0 + 10);
	T_OK(r.from_kib == 4000 && r.to_kib == 3200,
	     "a run of shrinks: the size before its first shrink counts, "
	     "the target is the latest");
	oom_rail_applied(&r, NAN, 3200, 2800, T0 + 20);
	T_OK(r.armed && r.from_kib == 4000 && r.base == 1,
	     "a shrink without oom_kill keeps the earlier arming");
	T_OK(r.to_kib == 2800 && r.shrink_ms == T0 + 20,
	     "and is the run's latest step (to %lld)", (long long)r.to_kib);
	T_OK(oom_rail_check(&r, 2, 3000, 1000, T0 + 30, &to, d, sizeof(d)) &&
		 to == 3000,
	     "the grow-back is capped at the maximum (%lld)", (long long)to);
	T_OK(!oom_rail_holds(&(struct oom_rail){0}, T0),
	     "a fresh rail holds nothing");

	r = (struct oom_rail){0};
	oom_rail_applied(&r, NAN, 4000, 3600, T0);
	T_OK(!r.armed, "a shrink without oom_kill does not arm");
	oom_rail_applied(&r, 3, 4000, 3600, T0);
	oom_rail_applied(&r, 3, 3600, 3800, T0 + 10);
	T_OK(r.armed, "a grow below the pre-shrink size keeps it armed");
	oom_rail_applied(&r, 3, 3800, 4000, T0 + 20);
	T_OK(!r.armed, "a grow back to the pre-shrink size disarms");
}

/* The grow-back is owed until an applied target or the guest's size
   reaches it, and only while the cool-down runs. */
static void test_grow_owed(void)
{
	struct oom_rail r = {0};
	char d[256];
	int64_t to = -1, owed = -1;

	T_OK(!oom_rail_owed(&r, 3600, T0, &owed), "a fresh rail owes nothing");
	oom_rail_applied(&r, 1, 4000, 3600, T0);
	T_OK(oom_rail_check(&r, 2, 4000, 60000, T0 + 10, &to, d, sizeof(d)),
	     "an event");
	T_OK(oom_rail_owed(&r, 3600, T0 + 20, &owed) && owed == 4000,
	     "the grow-back is owed until taken (%lld)", (long long)owed);
	T_OK(oom_rail_owed(&r, -1, T0 + 20, &owed) == false && r.grow_owed,
	     "an unknown size: nothing to send now, still owed");
	oom_rail_applied(&r, 2, 3600, 3800, T0 + 30);
	T_OK(oom_rail_owed(&r, 3600, T0 + 40, &owed),
	     "a grow short of it does not pay it");
	T_OK(!oom_rail_owed(&r, 3600, T0 + 60010, &owed),
	     "not owed once the cool-down is over");
	oom_rail_applied(&r, 2, 3600, 4000, T0 + 50);
	T_OK(!r.grow_owed && !oom_rail_owed(&r, 3600, T0 + 60, &owed),
	     "an applied target at the grow-back pays it");

	r = (struct oom_rail){0};
	oom_rail_applied(&r, 1, 4000, 3600, T0);
	T_OK(oom_rail_check(&r, 2, 4000, 60000, T0 + 10, &to, d, sizeof(d)),
	     "another event");
	T_OK(!oom_rail_owed(&r, 4000, T0 + 20, &owed) && !r.grow_owed,
	     "a guest at the grow-back (grown by anyone) owes nothing");
	T_OK(!oom_rail_owed(&r, 3600, T0 + 30, &owed),
	     "... nor after it went below again");
}

int main(void)
{
	test_arm_and_event();
	test_capped_and_chain();
	test_grow_owed();
	return t_done();
}
