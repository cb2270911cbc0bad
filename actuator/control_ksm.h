/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_ksm.h: the KSM controller: the host's KSM knobs from the plan's
 * host controls, behind its rails (control.h's header comment lists them:
 * range checks, write only on change, merge_across_nodes first and only
 * while no page is shared, no retry of a refused write for 10 cycles).
 * Registered as "ksm" (ctl.h); called from the cycle thread only.
 */
#ifndef MOM_CONTROL_KSM_H
#define MOM_CONTROL_KSM_H

#include <stdbool.h>
#include <stdint.h>

#include "actlog.h"
#include "host.h"
#include "plan.h"

struct ksm_controller;

/* ksm stays owned by the caller and must outlive the controller. */
struct ksm_controller *ksm_controller_new(const struct ksm_backend *ksm,
					  struct actlog *log);
void ksm_controller_free(struct ksm_controller *c);

/* Write the plan's KSM knobs (or, with dry_run, record them). */
void ksm_controller_apply(struct ksm_controller *c, const struct plan *plan,
			  bool dry_run, int64_t wall_ms);

#endif /* MOM_CONTROL_KSM_H */
