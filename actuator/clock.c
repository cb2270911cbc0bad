/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.c: the clocks of clock.h.  clock_gettime() on CLOCK_MONOTONIC and
 * CLOCK_REALTIME cannot fail with valid arguments, so nothing is checked.
 */
#include "clock.h"

static int64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_mono_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

int64_t clock_wall_ms(void)
{
	return clock_ms(CLOCK_REALTIME);
}

int64_t clock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

struct timespec clock_after(clockid_t clk, int ms)
{
	struct timespec t;

	clock_gettime(clk, &t);
	return clock_ts_add(t, ms);
}

struct timespec clock_ts_add(struct timespec t, int ms)
{
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000L;
	if (t.tv_nsec >= 1000000000L) {
		t.tv_sec++;
		t.tv_nsec -= 1000000000L;
	}
	return t;
}
