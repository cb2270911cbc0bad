/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oomrail.c: the OOM rail's per-guest bookkeeping (see oomrail.h).
 *
 * oom_kill is a cumulative counter of the guest kernel: it only goes back
 * when the guest reboots, and then it is no harm of ours, so only a rise
 * counts, from the lower value on: the armed rail takes it as its base.  The
 * value at the shrink comes from the same cycle's sample, which may be up to
 * one agent interval older than the shrink: a kill in that window is blamed on
 * the shrink, which errs on the safe side (a grow).
 */
#include "oomrail.h"

#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <time.h>

void oom_rail_applied(struct oom_rail *r, double oom_kill, int64_t from,
		      int64_t to, int64_t wall_ms)
{
	if (r->grow_owed && to >= r->grow_kib)
		r->grow_owed = false;
	if (to >= from) {
		if (r->armed && to >= r->from_kib)
			r->armed = false;
		return;
	}
	/* A run of shrinks (no grow back in between) is one reclaim: the
	   rail keeps the size before its first shrink and the counter of
	   then.  Growing back only to the size before the latest step would
	   undo a step of a few KiB (a policy settling on its target) and
	   leave the harmed guest where its kernel ran out.  A step of the
	   run is recorded even while the counter is absent (an agent reply
	   late on a busy host): the run, and the size it reached, go on. */
	if (!r->armed) {
		/* Without a fresh counter a rise could not be told from the
		   value the guest had before: not armed anew. */
		if (isnan(oom_kill) || oom_kill < 0)
			return;
		r->from_kib = from;
		r->base = oom_kill;
		r->armed = true;
	}
	r->to_kib = to;
	r->shrink_ms = wall_ms;
}

/* UTC time of day of a wall clock in ms, for the detail text. */
static void time_text(int64_t wall_ms, char *buf, size_t len)
{
	time_t t = (time_t)(wall_ms / 1000);
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, len, "%H:%M:%SZ", &tm) == 0)
		snprintf(buf, len, "?");
}

bool oom_rail_check(struct oom_rail *r, double oom_kill, int64_t max,
		    int cooldown_ms, int64_t wall_ms, int64_t *grow_to,
		    char *detail, size_t len)
{
	char at[32];

	if (cooldown_ms <= 0 || !r->armed || isnan(oom_kill))
		return false;
	if (oom_kill < r->base) {
		/* The counter went back: the guest rebooted while shrunk.
		   Its kills from now on are counted from there, not from
		   above the count it had before. */
		r->base = oom_kill;
		return false;
	}
	if (!(oom_kill > r->base))
		return false;
	*grow_to = r->from_kib < max ? r->from_kib : max;
	time_text(r->shrink_ms, at, sizeof(at));
	snprintf(detail, len,
		 "OOM rail: oom_kill rose from %.0f to %.0f after the shrink "
		 "from %" PRId64 " to %" PRId64 " KiB at %s: grown back to "
		 "%" PRId64 " KiB, no shrink for %d s",
		 r->base, oom_kill, r->from_kib, r->to_kib, at, *grow_to,
		 cooldown_ms / 1000);
	r->armed = false;
	r->hold_until_ms = wall_ms + cooldown_ms;
	r->grow_kib = *grow_to;
	r->grow_owed = true;
	return true;
}

bool oom_rail_holds(const struct oom_rail *r, int64_t wall_ms)
{
	return r->hold_until_ms > 0 && wall_ms < r->hold_until_ms;
}

bool oom_rail_owed(struct oom_rail *r, int64_t cur, int64_t wall_ms,
		   int64_t *grow_to)
{
	/* QEMU rounds balloon sizes up to whole pages: a guest that took
	   the grow-back is at it or above. */
	if (r->grow_owed && cur >= r->grow_kib)
		r->grow_owed = false;
	if (!r->grow_owed || !oom_rail_holds(r, wall_ms) || cur < 0)
		return false;
	*grow_to = r->grow_kib;
	return true;
}

void oom_rail_hold_text(const struct oom_rail *r, char *buf, size_t len)
{
	char until[32];

	time_text(r->hold_until_ms, until, sizeof(until));
	snprintf(buf, len,
		 "held by the OOM rail: no shrink until %s (cool-down after "
		 "a harm event)",
		 until);
}
