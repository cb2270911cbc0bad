/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.h: the pure policy evaluator.
 *
 * eval_run() applies a policy set to a snapshot and returns the plan.  It
 * does no I/O, takes no locks and keeps nothing between calls; the same
 * inputs always give the same plan.  Its time and memory are bounded by the
 * size of the policy set and the snapshot, whatever the policies say (the
 * language has no loops and no recursion); eval_run_until() also bounds
 * its time by a deadline, the only clock it reads.
 *
 * An error while evaluating one guest (an absent value in arithmetic or an
 * ordering comparison, a division by zero) skips that guest's controls and
 * is reported in the plan; it cancels neither the other guests nor the host.
 * An error in the host rules skips the host's controls only.
 *
 * Thread-safe: any number of evaluations may run at once on the same set.
 */
#ifndef MOM_EVAL_H
#define MOM_EVAL_H

#include <stdbool.h>
#include <time.h>

#include "plan.h"
#include "policy.h"
#include "snapshot.h"

/*
 * Evaluate ps against snap.  Parameters in snap that no policy declares are
 * ignored (the API refuses them earlier).  Returns a new plan, or NULL only
 * when out of memory.  The plan borrows names from ps (see plan.h).
 */
struct plan *eval_run(const struct policy_set *ps, const struct snapshot *snap);

/*
 * The same with a deadline (CLOCK_MONOTONIC; NULL: none), looked at every
 * few thousand steps.  Past it, NULL with *over set (no partial plan).
 */
struct plan *eval_run_until(const struct policy_set *ps,
			    const struct snapshot *snap,
			    const struct timespec *deadline, bool *over);

#endif /* MOM_EVAL_H */
