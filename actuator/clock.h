/* SPDX-License-Identifier: Apache-2.0 */
/*
 * clock.h: the clocks, in one place for momd and both collectd plugins
 * (libc only, compiled into each like wire.c).
 *
 * Monotonic time measures intervals and deadlines; wall time is only for
 * what a person or a peer reads (start time, sample times).
 */
#ifndef MOM_CLOCK_H
#define MOM_CLOCK_H

#include <stdint.h>
#include <time.h>

/* Monotonic and wall clocks in milliseconds. */
int64_t clock_mono_ms(void);
int64_t clock_wall_ms(void);
/* The monotonic clock in nanoseconds, for timing short work. */
int64_t clock_mono_ns(void);
/* Now plus ms on clock clk: a deadline for clock or pthread waits. */
struct timespec clock_after(clockid_t clk, int ms);
/* t plus ms (ms >= 0). */
struct timespec clock_ts_add(struct timespec t, int ms);

#endif /* MOM_CLOCK_H */
