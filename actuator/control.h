/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.h: the controllers, which turn a plan into changes on the host.
 *
 * The plan says what the policy wants; the controllers decide what is safe
 * and record both.  Balloon rails, whatever the policy says:
 *   - never below the guest's guaranteed minimum, never above its maximum;
 *   - outside an emergency (the plan's "emergency" signal), never below
 *     what the guest uses (balloon_cur - mem_unused) plus a margin;
 *   - at most a configured step per cycle, shrinking and growing;
 *   - hands off a guest whose statistics are absent (no balloon driver) or
 *     stale;
 *   - a guest that does not follow its target for some cycles is reported
 *     once and not pushed the same target again.
 * KSM: values are range-checked, written only when they differ from the
 * file, merge_across_nodes first and only while no page is shared, and a
 * refused write is not retried with the same value for a while.
 *
 * Called from the engine's cycle thread only.
 */
#ifndef MOM_CONTROL_H
#define MOM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "actlog.h"
#include "host.h"
#include "plan.h"
#include "snapshot.h"

struct control_rails {
	int max_shrink_pct;  /* of the maximum, per cycle */
	int max_grow_pct;    /* of the maximum, per cycle */
	int used_margin_pct; /* added to what the guest uses */
	int stale_ms;	     /* 0: never stale */
	int stuck_cycles;
};

struct controller;

/* The backends stay owned by the caller and must outlive the controller. */
struct controller *controller_new(const struct control_rails *rails,
				  const struct balloon_backend *balloon,
				  const struct ksm_backend *ksm,
				  struct actlog *log);
void controller_free(struct controller *c);

/*
 * Apply plan, computed from snap (the same guests in the same order).
 * With dry_run, record what would be done and change nothing.
 */
void controller_apply(struct controller *c, const struct plan *plan,
		      const struct snapshot *snap, bool dry_run,
		      int64_t wall_ms);

/*
 * What the controller last did per guest, for the API and metrics:
 * {"g1": {"target": KiB, "following": true}, ...}.  New reference.
 */
json_t *controller_guests_json(const struct controller *c);

/* The last target applied to a guest, or -1. */
int64_t controller_target(const struct controller *c, const char *guest);

#endif /* MOM_CONTROL_H */
