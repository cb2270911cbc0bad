/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence_test.c: the deadline of the next cycle when cycles follow the
 * samples (actuator/cadence.c): a sample in the window [3/4, 5/4) of an
 * interval after the last cycle is the deadline; one before the window
 * (faster samples, or the one the last cycle already saw), none at all or
 * one past the window leave the window's end, so cycles keep running.
 */
#include "cadence.h"
#include "testing.h"

static void test_window(void)
{
	/* Last cycle at 10000 ms, interval 2000: window [11500, 12500). */
	T_EQ_INT(cadence_follow_due(10000, 2000, 0), 12500,
		 "no sample ever: the fallback, 5/4 interval after");
	T_EQ_INT(cadence_follow_due(10000, 2000, 9990), 12500,
		 "the sample the last cycle saw: the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 10400), 12500,
		 "a sample sooner than 3/4 interval: not a cycle yet");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11499), 12500,
		 "one ms before the window opens: still the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11500), 11500,
		 "a sample as the window opens: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12000), 12000,
		 "a sample one interval after: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12499), 12499,
		 "a sample just before the fallback: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12600), 12500,
		 "a sample past the fallback (a late cycle): the fallback");
}

static void test_rounding_and_range(void)
{
	/* 3/4 and 5/4 of an interval not divisible by 4 round down. */
	T_EQ_INT(cadence_follow_due(0, 101, 0), 126, "5/4 of 101 ms");
	T_EQ_INT(cadence_follow_due(0, 101, 75), 75, "3/4 of 101 ms opens");
	T_EQ_INT(cadence_follow_due(0, 101, 74), 126, "before 75 ms: closed");
	/* The largest interval (an hour) on a monotonic clock far along:
	   no overflow. */
	T_EQ_INT(cadence_follow_due(4000000000000LL, 3600000, 0),
		 4000000000000LL + 4500000, "an hour's interval, late clock");
}

int main(void)
{
	test_window();
	test_rounding_and_range();
	return t_done();
}
