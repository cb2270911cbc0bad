/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.c: the rate limiter of ratelimit.h.  A suppressed occurrence
 * does not move the window, so a steady error passes once per interval.
 */
#include "ratelimit.h"

#include <limits.h>

bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, unsigned *suppressed)
{
	return ratelimit_allow_n(rl, now_ms, 1, suppressed);
}

bool ratelimit_allow_n(struct ratelimit *rl, int64_t now_ms, unsigned n,
		       unsigned *suppressed)
{
	if (now_ms - rl->last_ms < rl->interval_ms) {
		/* Saturating: a count that wrapped would under-report. */
		rl->suppressed = n > UINT_MAX - rl->suppressed
				     ? UINT_MAX
				     : rl->suppressed + n;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ms = now_ms;
	return true;
}
