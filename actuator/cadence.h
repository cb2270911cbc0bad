/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cadence.h: when momd's next cycle is due when it follows the samples
 * (cycle_follows_samples).
 *
 * On a fixed timer a fresh sample waits for the cycle up to one whole
 * interval (half on average), its phase against collectd's being
 * arbitrary.  Following the samples, a cycle runs as soon as a fresh host
 * sample arrives, but not sooner than 3/4 of an interval after the last
 * cycle (samples faster than the interval do not make cycles faster) and
 * not later than 5/4 of one (when samples stop, cycles go on, and notice
 * that they are stale).  Pure: the main loop keeps the times.
 */
#ifndef MOM_CADENCE_H
#define MOM_CADENCE_H

#include <stdint.h>

/*
 * The monotonic ms at which the next cycle is due: last_ms when the last
 * cycle began, sample_ms when the newest fresh host sample arrived (0:
 * never).  sample_ms itself when it arrived within the window
 * [last_ms + 3/4 interval, last_ms + 5/4 interval), else the window's end.
 */
int64_t cadence_follow_due(int64_t last_ms, int interval_ms, int64_t sample_ms);

#endif /* MOM_CADENCE_H */
