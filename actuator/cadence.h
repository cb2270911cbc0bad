/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence.h: when momd's next cycle is due when it follows the samples
 * (cycle_follows_samples).
 *
 * On a fixed timer a fresh sample waits for the cycle up to one whole
 * interval (half on average), its phase against collectd's being
 * arbitrary.  Following the samples, a cycle runs as soon as a fresh host
 * sample arrives and the rest of its round (the guests' samples of the
 * same collectd time, store_round_complete()) has arrived too, but not
 * sooner than 3/4 of an interval after the last cycle (samples faster
 * than the interval do not make cycles faster) and not later than 5/4 of
 * one (when samples stop, cycles go on, and notice that they are stale).
 * A round that stays incomplete (a guest gone, or late) is waited for
 * cadence_settle_ms() after the host's sample at most.  Pure: the main
 * loop keeps the times.
 */
#ifndef MOM_CADENCE_H
#define MOM_CADENCE_H

#include <stdbool.h>
#include <stdint.h>

/* The longest wait for an incomplete round (see cadence_settle_ms()). */
#define CADENCE_SETTLE_MAX_MS 2000

/*
 * How long after the host's sample a cycle waits at most for the rest of
 * its round: interval_ms / 4, and CADENCE_SETTLE_MAX_MS at most.
 */
int64_t cadence_settle_ms(int interval_ms);

/*
 * The monotonic ms at which the next cycle is due: last_ms when the last
 * cycle began, sample_ms when the newest fresh host sample arrived (0:
 * never), complete whether its round has arrived whole.  When sample_ms
 * is within the window [last_ms + 3/4 interval, last_ms + 5/4 interval):
 * sample_ms itself if complete, else sample_ms + cadence_settle_ms() but
 * not past the window's end.  Otherwise the window's end.
 */
int64_t cadence_follow_due(int64_t last_ms, int interval_ms, int64_t sample_ms,
			   bool complete);

#endif /* MOM_CADENCE_H */
