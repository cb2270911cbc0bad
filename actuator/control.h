/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control.h: the controllers, which turn a plan into changes on the host.
 *
 * The plan says what the policy wants; the controllers decide what is safe
 * and record both.  Balloon rails, whatever the policy says:
 *   - never below the guest's guaranteed minimum, never above its maximum
 *     (these two win over the step for a guest already outside them);
 *   - outside an emergency (the plan's "emergency" signal), never below
 *     what the guest uses (balloon_cur - mem_unused, or - mem_usable) plus
 *     a margin, capped at the current size (or a grow's still in motion);
 *   - at most a configured step per cycle, shrinking and growing;
 *   - hands off a guest whose statistics are absent (no balloon driver) or
 *     stale, or whose size or maximum is missing or implausible;
 *   - a target is set only when it differs from the target still pending,
 *     or from the current size when none is (the current size, sent while
 *     another target is pending, stops the balloon on its way); a guest
 *     that does not follow it for some cycles is reported once and not
 *     pushed further the same way;
 *   - a failed set affects that guest only and is retried every 3rd cycle;
 *   - the OOM rail (oomrail.h): a guest whose oom_kill rises after a
 *     shrink is grown back at once (sent again every cycle until the host
 *     takes it) and not shrunk for oom_cooldown_ms.
 * KSM (control_ksm.c, a controller of its own; controller_new() with a
 * KSM backend runs it after the balloons): values are range-checked, written
 * only when they differ from the file, merge_across_nodes first and only while
 * no page is shared (run=1 waits for it), and a refused write is not retried
 * for 10 cycles. Refusals are recorded once while their reason holds.
 *
 * Called from the engine's cycle thread only.
 */
#ifndef MOM_CONTROL_H
#define MOM_CONTROL_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "actlog.h"
#include "ctl.h"
#include "host.h"
#include "plan.h"
#include "snapshot.h"

struct controller;

/* The backends stay owned by the caller and must outlive the controller. */
struct controller *controller_new(const struct control_rails *rails,
				  const struct balloon_backend *balloon,
				  const struct ksm_backend *ksm,
				  struct actlog *log);
void controller_free(struct controller *c);

/* Replace the rails (configuration reload); they apply from the next
   controller_apply().  Caller serialises it with controller_apply(). */
void controller_set_rails(struct controller *c,
			  const struct control_rails *rails);

/*
 * Apply plan, computed from snap (the same guests in the same order; a
 * plan guest whose name differs from the snapshot's is skipped).  With
 * dry_run, read the host, record what would be done as ACT_DRY_RUN and
 * change nothing; nothing then counts as applied.  wall_ms dates the
 * actions; the OOM rail's cool-down and how long the state of a guest that
 * left the snapshots is kept run on mono_ms (the monotonic clock), so that
 * a wall clock stepped forward (NTP) does not end them early.
 */
void controller_apply(struct controller *c, const struct plan *plan,
		      const struct snapshot *snap, bool dry_run,
		      int64_t wall_ms, int64_t mono_ms);

/*
 * What the controller last did per guest, for the API and metrics:
 * {"g1": {"target": KiB, "following": true}, ...}.  New reference.
 */
json_t *controller_guests_json(const struct controller *c);

/* What the controller last did for one guest (controller_targets()). */
struct control_target {
	char *name;	/* owned */
	int64_t target; /* KiB; -1 when none applied yet */
	bool following; /* false when the balloon is stuck */
};

/*
 * The same as plain values: a new array of *n entries in the controller's
 * guest order (free with control_targets_free()).  Returns 0, or -ENOMEM.
 */
int controller_targets(const struct controller *c, struct control_target **out,
		       size_t *n);
void control_targets_free(struct control_target *t, size_t n);

/* The balloon controller of the registry's "balloon" entry (its self from
   ctl_set_find()), or NULL for NULL. */
const struct controller *ctl_balloon_controller(const void *self);

/* Harm events the OOM rail has seen (oom_kill rose after a shrink); 0
   for NULL. */
uint64_t controller_oom_events(const struct controller *c);

/* The last target applied to a guest, or -1. */
int64_t controller_target(const struct controller *c, const char *guest);

#endif /* MOM_CONTROL_H */
