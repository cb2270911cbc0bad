/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence_test.c: the deadline of the next cycle when cycles follow the
 * samples (actuator/cadence.c): a sample in the window [3/4, 5/4) of an
 * interval after the last cycle is the deadline; one before the window
 * (faster samples, or the one the last cycle already saw), none at all or
 * one past the window leave the window's end, so cycles keep running.  A
 * sample whose round is incomplete moves the deadline by the settle bound
 * (a quarter interval, 2 s at most), never past the window's end.
 */
#include "cadence.h"
#include "testing.h"

static void test_window(void)
{
	/* Last cycle at 10000 ms, interval 2000: window [11500, 12500). */
	T_EQ_INT(cadence_follow_due(10000, 2000, 0, true), 12500,
		 "no sample ever: the fallback, 5/4 interval after");
	T_EQ_INT(cadence_follow_due(10000, 2000, 9990, true), 12500,
		 "the sample the last cycle saw: the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 10400, true), 12500,
		 "a sample sooner than 3/4 interval: not a cycle yet");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11499, true), 12500,
		 "one ms before the window opens: still the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11500, true), 11500,
		 "a sample as the window opens: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12000, true), 12000,
		 "a sample one interval after: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12499, true), 12499,
		 "a sample just before the fallback: due at its arrival");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12600, true), 12500,
		 "a sample past the fallback (a late cycle): the fallback");
}

static void test_rounding_and_range(void)
{
	/* 3/4 and 5/4 of an interval not divisible by 4 round down. */
	T_EQ_INT(cadence_follow_due(0, 101, 0, true), 126, "5/4 of 101 ms");
	T_EQ_INT(cadence_follow_due(0, 101, 75, true), 75,
		 "3/4 of 101 ms opens");
	T_EQ_INT(cadence_follow_due(0, 101, 74, true), 126,
		 "before 75 ms: closed");
	/* The largest interval (an hour) on a monotonic clock far along:
	   no overflow. */
	T_EQ_INT(cadence_follow_due(4000000000000LL, 3600000, 0, true),
		 4000000000000LL + 4500000, "an hour's interval, late clock");
}

static void test_settle_bound(void)
{
	T_EQ_INT(cadence_settle_ms(2000), 500, "a quarter of a 2 s interval");
	T_EQ_INT(cadence_settle_ms(8000), 2000, "a quarter of 8 s: the cap");
	T_EQ_INT(cadence_settle_ms(10000), CADENCE_SETTLE_MAX_MS,
		 "10 s (the default): capped at 2 s");
	T_EQ_INT(cadence_settle_ms(3600000), CADENCE_SETTLE_MAX_MS,
		 "an hour: capped at 2 s");
	T_EQ_INT(cadence_settle_ms(101), 25, "a quarter of 101 ms rounds down");
	T_EQ_INT(cadence_settle_ms(100), 25, "the shortest interval");
}

static void test_incomplete_round(void)
{
	/* Last cycle at 10000 ms, interval 2000: window [11500, 12500),
	   settle bound 500 ms. */
	T_EQ_INT(cadence_follow_due(10000, 2000, 11600, false), 12100,
		 "round incomplete: the settle bound after the sample");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11600, true), 11600,
		 "the same round complete: at once");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11999, false), 12499,
		 "the settle bound just inside the window: kept");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12000, false), 12500,
		 "the settle bound reaching the window's end: the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12400, false), 12500,
		 "never past the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 11499, false), 12500,
		 "before the window, incomplete: the fallback, not earlier");
	T_EQ_INT(cadence_follow_due(10000, 2000, 0, false), 12500,
		 "no sample, incomplete: the fallback");
	T_EQ_INT(cadence_follow_due(10000, 2000, 12600, false), 12500,
		 "past the window, incomplete: the fallback");
	/* A long interval: the settle bound is the cap, not a quarter. */
	T_EQ_INT(cadence_follow_due(0, 60000, 50000, false), 52000,
		 "a 60 s interval: 2 s after the sample");
	T_EQ_INT(cadence_follow_due(0, 60000, 74000, false), 75000,
		 "a 60 s interval near the window's end: the fallback");
	/* The largest interval on a late clock: no overflow. */
	T_EQ_INT(cadence_follow_due(4000000000000LL, 3600000,
				    4000000000000LL + 3600000, false),
		 4000000000000LL + 3602000, "an hour's interval, late clock");
}

int main(void)
{
	test_window();
	test_rounding_and_range();
	test_settle_bound();
	test_incomplete_round();
	return t_done();
}
