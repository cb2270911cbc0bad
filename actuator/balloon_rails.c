/* SPDX-License-Identifier: Apache-2.0 */
/*
 * balloon_rails.c: the balloon controller's safety rails (see
 * balloon_rails.h).
 *
 * The order is maximum, guaranteed minimum, used-memory floor, step, and
 * finally the maximum and minimum again: the two hard bounds win over the
 * step when the guest is already outside them (a guest below its guarantee
 * goes straight to it, as MOM's QoS rule did).
 */
#include "balloon_rails.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "field.h"
static int64_t clamp64(int64_t v, int64_t lo, int64_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

bool balloon_same_size(int64_t a, int64_t b)
{
	return a - b < BALLOON_PAGE_KIB && b - a < BALLOON_PAGE_KIB;
}

/*
 * Apply the rails to a planned target and return the safe target.  detail
 * gets the last rail that changed it, or the emergency note, or "".
 */
int64_t balloon_rails_apply(const struct control_rails *r,
			    const struct balloon_in *in, int64_t planned,
			    bool emergency, char *detail, size_t len)
{
	int64_t t = planned, cur = in->cur;
	int64_t down = in->max * r->max_shrink_pct / 100;
	int64_t up = in->max * r->max_grow_pct / 100;
	/* ceil(used * (100 + margin) / 100), in integers. */
	int64_t floor = (in->used * (100 + r->used_margin_pct) + 99) / 100;
	/* The lowest size allowed at all: the guaranteed minimum, or the
	   absolute floor (never above the maximum), whichever is higher. */
	int64_t abs_min = r->min_size_kib < in->max ? r->min_size_kib : in->max;
	int64_t lo = in->min > abs_min ? in->min : abs_min;
	const char *lo_why = in->min >= abs_min
				 ? "raised to the guaranteed minimum"
				 : "raised to the absolute minimum size";

	detail[0] = '\0';
	if (t > in->max) {
		t = in->max;
		snprintf(detail, len, "capped at the maximum");
	}
	if (t < lo) {
		t = lo;
		snprintf(detail, len, "%s", lo_why);
	}
	/* The floor never grows a guest: it is capped at its size, or at the
	   grow it is already making.  Not lower than that grow: a stop of a
	   shrink in motion (balloon_one) that the balloon overtook before
	   QEMU took it is a grow in motion, and a floor capped at the size
	   reported would lower the stop below what the guest uses, cycle
	   after cycle. */
	if (floor > in->heading)
		floor = in->heading;
	if (t < floor && !emergency) {
		t = floor;
		snprintf(detail, len, "raised to what the guest uses (+%d%%)",
			 r->used_margin_pct);
	}
	if (t < cur - down) {
		t = cur - down;
		snprintf(detail, len, "shrink step limited to %d%%",
			 r->max_shrink_pct);
	} else if (t > cur + up) {
		t = cur + up;
		snprintf(detail, len, "grow step limited to %d%%",
			 r->max_grow_pct);
	}
	/* Only when the guest is already outside its bounds. */
	if (t != clamp64(t, lo, in->max)) {
		t = clamp64(t, lo, in->max);
		snprintf(detail, len, "%s",
			 t == lo ? lo_why : "capped at the maximum");
	}
	/* MOM's critical mode: allowed, and said so in the action log. */
	if (emergency && t < floor) {
		size_t n = strlen(detail);

		snprintf(detail + n, len - n,
			 "%semergency: below what the guest uses (+%d%%, "
			 "%" PRId64 " KiB)",
			 n ? "; " : "", r->used_margin_pct, floor);
	}
	return t;
}

/*
 * 2^50 KiB (1 EiB): beyond it a sample is garbage.  A sample is converted
 * to int64 only inside [0, KIB_PLAUSIBLE] (a conversion out of int64's
 * range is undefined behaviour: 1e30 became INT64_MIN and disabled a rail).
 */
#define KIB_PLAUSIBLE 0x1p50

bool balloon_kib_plausible(double v)
{
	return field_present(v) && v >= 0 && v <= KIB_PLAUSIBLE;
}

/* A KiB value of a sample, or -1 when absent or implausible. */
int64_t balloon_kib_or_none(double v)
{
	return balloon_kib_plausible(v) ? (int64_t)v : -1;
}

/*
 * Hands-off checks: fill in from the row, or return why the guest must be
 * left alone.
 */
const char *balloon_input(const struct control_rails *r, const double *row,
			  struct balloon_in *in)
{
	double cur = row[GF_BALLOON_CUR], max = row[GF_BALLOON_MAX];
	double min = row[GF_BALLOON_MIN], age = row[GF_STATS_AGE];
	double free_kib = field_present(row[GF_MEM_UNUSED])
			      ? row[GF_MEM_UNUSED]
			      : row[GF_MEM_USABLE];

	if (!field_present(cur) || cur < 0)
		return "no balloon size reported";
	if (!field_present(max) || max <= 0)
		return "no maximum memory reported";
	/* The read plugin always sends one (0 when the guest has none); a
	   sample without it lost it on the way, and a guarantee taken as 0
	   could shrink the guest below it. */
	if (!field_present(min))
		return "no guaranteed minimum reported";
	if (!balloon_kib_plausible(cur) || !balloon_kib_plausible(max) ||
	    min > KIB_PLAUSIBLE)
		return "implausible balloon sizes reported";
	if (!field_present(free_kib))
		return "no balloon statistics (no balloon driver?)";
	if (!balloon_kib_plausible(free_kib))
		return "implausible balloon statistics reported";
	if (r->stale_ms > 0 && field_present(age) && age * 1000 > r->stale_ms)
		return "balloon statistics are stale";
	in->cur = (int64_t)cur;
	in->max = (int64_t)max;
	in->min = min > 0 ? (int64_t)min : 0;
	in->used = free_kib < cur ? (int64_t)(cur - free_kib) : 0;
	if (in->min > in->max)
		return "guaranteed minimum above the maximum";
	return NULL;
}