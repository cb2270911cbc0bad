/* SPDX-License-Identifier: Apache-2.0 */
/*
 * oomrail.h: the OOM rail of the balloon controller (issue 18).
 *
 * A guest whose kernel kills a process (its oom_kill counter, read through
 * qemu-guest-agent, rises) while its balloon is below the size it had
 * before the controller began shrinking it was harmed by those shrinks.
 * The rail then grows it back at once to that pre-shrink size (capped at
 * its maximum) and holds it against any shrink for a cool-down, whatever
 * the policy says.  Growing stays allowed during the cool-down.
 *
 * The rail is armed by the first applied shrink of a run (with the
 * oom_kill of that cycle; a guest without a fresh oom_kill is not armed,
 * since a rise could not be told); later shrinks of the run keep that size
 * and counter.  It is disarmed by an applied grow back to the pre-shrink
 * size or above, or by a harm event.
 *
 * The grow-back is owed until the host takes it: a set that fails (a
 * libvirt error, a job timeout) or is refused (the guest paused at that
 * moment) is sent again while the cool-down runs, or the guest would stay
 * at the size where its kernel killed, its shrinks held, for the whole
 * cool-down.  This module is the per-guest bookkeeping and the decision;
 * control.c applies the grow and records the action.  Pure functions, no
 * I/O, no locks.
 */
#ifndef MOM_OOMRAIL_H
#define MOM_OOMRAIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct oom_rail {
	bool armed;	       /* a shrink holds the guest below from_kib */
	double base;	       /* oom_kill when the shrink was applied */
	int64_t from_kib;      /* balloon size before that shrink */
	int64_t to_kib;	       /* that shrink's target */
	int64_t shrink_ms;     /* wall time of that shrink */
	int64_t hold_until_ms; /* no shrink before this (0: none) */
	int64_t grow_kib;      /* the last harm event's grow-back size */
	bool grow_owed;	       /* ... not taken by the host yet */
};

/* The controller applied a target `to` to a guest of `from` KiB at
   wall_ms.  The first shrink of a run arms the rail with `from` and the
   guest's oom_kill of that cycle (NaN: absent, not armed); later shrinks
   only move the shrink's target and time; a grow to the pre-shrink size
   or above disarms it, one to the owed grow-back or above pays it. */
void oom_rail_applied(struct oom_rail *r, double oom_kill, int64_t from,
		      int64_t to, int64_t wall_ms);

/*
 * The check of one cycle: true for a harm event, that is an armed rail
 * and an oom_kill above the one at the shrink.  Then *grow_to is the
 * pre-shrink size capped at max, detail says what happened (the shrink
 * with its time and sizes, the counter's rise, the cool-down), the rail
 * disarms, holds shrinks until wall_ms + cooldown_ms and owes the grow
 * until oom_rail_applied() reaches it.  cooldown_ms 0 turns the rail off:
 * never an event.
 */
bool oom_rail_check(struct oom_rail *r, double oom_kill, int64_t max,
		    int cooldown_ms, int64_t wall_ms, int64_t *grow_to,
		    char *detail, size_t len);

/* Whether shrinks are held at wall_ms (the cool-down runs). */
bool oom_rail_holds(const struct oom_rail *r, int64_t wall_ms);

/* Whether the grow-back is still owed at wall_ms to a guest of cur KiB (-1
   unknown): the cool-down runs, no applied target reached it, and the
   guest is smaller (one at it or above, grown by anyone, owes nothing
   more).  Then *grow_to is its size. */
bool oom_rail_owed(struct oom_rail *r, int64_t cur, int64_t wall_ms,
		   int64_t *grow_to);

/* "held by the OOM rail until HH:MM:SSZ ...": one text for the whole
   cool-down, so that the refusal is recorded once. */
void oom_rail_hold_text(const struct oom_rail *r, char *buf, size_t len);

#endif /* MOM_OOMRAIL_H */
