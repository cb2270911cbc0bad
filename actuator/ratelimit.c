/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.c: the rate limiter of ratelimit.h.  A suppressed occurrence
 * does not move the window, so a steady error passes once per interval.
 */
#include "ratelimit.h"

bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms, unsigned *suppressed)
{
	if (now_ms - rl->last_ms < rl->interval_ms) {
		rl->suppressed++;
		return false;
	}
	*suppressed = rl->suppressed;
	rl->suppressed = 0;
	rl->last_ms = now_ms;
	return true;
}
