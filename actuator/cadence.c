/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence.c: the next cycle's deadline when cycles follow the samples
 * (cadence.h).
 */
#include "cadence.h"

int64_t cadence_settle_ms(int interval_ms)
{
	/* The write plugin posts what waits after a linger of a tenth of
	   collectd's interval (200 ms at most, sender.h), so the batches
	   after the host's normally arrive within that linger: a quarter of
	   the interval, and up to ten of the longest lingers, leave room for
	   a slow libvirt read and a busy host.  A quarter is also the window's
	   own slack: a round that never completes (a guest gone) costs its
	   cycle no more lateness than jitter may. */
	int64_t settle = (int64_t)interval_ms / 4;

	return settle < CADENCE_SETTLE_MAX_MS ? settle : CADENCE_SETTLE_MAX_MS;
}

int64_t cadence_follow_due(int64_t last_ms, int interval_ms, int64_t sample_ms,
			   bool complete)
{
	/* A sample between two cycles of collectd's own interval arrives
	   about one interval after the last one; 1/4 of slack either side
	   absorbs jitter and the write plugin's flush. */
	int64_t open = last_ms + (int64_t)interval_ms * 3 / 4;
	int64_t latest = last_ms + (int64_t)interval_ms * 5 / 4;
	int64_t settled;

	if (!(sample_ms > 0 && sample_ms >= open && sample_ms < latest))
		return latest;
	if (complete)
		return sample_ms;
	settled = sample_ms + cadence_settle_ms(interval_ms);
	return settled < latest ? settled : latest;
}
