/* SPDX-License-Identifier: Apache-2.0 */
/*
 * balloon_rails.h: the balloon controller's safety rails as pure functions
 * of a guest's latest sample and the configured rails (control.c applies
 * them and keeps the per-guest state).
 *
 * Everything is integer KiB, so what the property test checks is exactly
 * what is applied.  A sample's double is turned into int64 only inside
 * [0, 2^50] KiB: beyond that it is garbage, and a conversion out of
 * int64's range is undefined behaviour.
 */
#ifndef MOMD_BALLOON_RAILS_H
#define MOMD_BALLOON_RAILS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "ctl.h"

/* What the rails need of a guest's latest sample, in whole KiB. */
struct balloon_in {
	int64_t cur, max, min;
	int64_t used;	 /* cur - unused (or - usable), >= 0 */
	int64_t heading; /* cur, or the target of a grow in motion */
};

/* QEMU sizes balloons in 4 KiB pages: a target of 386091 KiB ends at
   386092.  Sizes closer than a page are the same size. */
#define BALLOON_PAGE_KIB 4

bool balloon_same_size(int64_t a, int64_t b);

/*
 * Apply the rails to a planned target and return the safe target: the
 * maximum, the guaranteed minimum, the used-memory floor (not in an
 * emergency), the step, then the two hard bounds again.  detail (len
 * bytes) gets the last rail that changed it, or the emergency note, or "".
 */
int64_t balloon_rails_apply(const struct control_rails *r,
			    const struct balloon_in *in, int64_t planned,
			    bool emergency, char *detail, size_t len);

/* A sample value is a plausible size in KiB. */
bool balloon_kib_plausible(double v);

/* A KiB value of a sample, or -1 when absent or implausible. */
int64_t balloon_kib_or_none(double v);

/*
 * Hands-off checks of a guest's row of fields (field.h): fill in and
 * return NULL, or return why the guest must be left alone.
 */
const char *balloon_input(const struct control_rails *r, const double *row,
			  struct balloon_in *in);

#endif
