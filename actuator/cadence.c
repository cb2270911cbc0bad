/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence.c: the next cycle's deadline when cycles follow the samples
 * (cadence.h).
 */
#include "cadence.h"

int64_t cadence_follow_due(int64_t last_ms, int interval_ms, int64_t sample_ms)
{
	/* A sample between two cycles of collectd's own interval arrives
	   about one interval after the last one; 1/4 of slack either side
	   absorbs jitter and the write plugin's flush. */
	int64_t open = last_ms + (int64_t)interval_ms * 3 / 4;
	int64_t latest = last_ms + (int64_t)interval_ms * 5 / 4;

	if (sample_ms > 0 && sample_ms >= open && sample_ms < latest)
		return sample_ms;
	return latest;
}
