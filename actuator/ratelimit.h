/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ratelimit.h: a rate limiter for messages that would otherwise repeat
 * every cycle, in one place for momd and both collectd plugins (libc only).
 *
 * The first occurrence passes, then at most one per interval_ms, with the
 * number suppressed meanwhile.  Start from RATELIMIT_INIT(ms).  The caller
 * passes the time (a monotonic clock in ms: clock.h), so tests need no
 * sleeps.  Not thread-safe by itself: one per thread or under the caller's
 * lock.
 */
#ifndef MOM_RATELIMIT_H
#define MOM_RATELIMIT_H

#include <stdbool.h>
#include <stdint.h>

struct ratelimit {
	int64_t interval_ms;
	int64_t last_ms;
	unsigned suppressed;
};
#define RATELIMIT_INIT(ms)                                                     \
	{                                                                      \
		(ms), INT64_MIN / 2, 0                                         \
	}

/* True when the caller should log now; *suppressed gets the count skipped. */
bool ratelimit_allow(struct ratelimit *rl, int64_t now_ms,
		     unsigned *suppressed);

/*
 * The same for one occurrence that stands for n events (a scan that cut n
 * connections): a suppressed occurrence adds n, so *suppressed counts the
 * events skipped, not the occurrences.
 */
bool ratelimit_allow_n(struct ratelimit *rl, int64_t now_ms, unsigned n,
		       unsigned *suppressed);

#endif /* MOM_RATELIMIT_H */
