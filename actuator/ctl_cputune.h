/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_cputune.h: the CpuTune controller (MOM's CpuTune): each guest's
 * vcpu_quota and vcpu_period from the plan's guest controls, registered as
 * "cputune" (ctl.h).
 *
 * Per guest, when the plan sets either control:
 *   - an unset control takes the guest's current value (its latest
 *     sample); with neither a plan value nor a current one, nothing is
 *     written and that is reported;
 *   - the pair passes the rail (cputune_rail()), which keeps the values in
 *     libvirt's QEMU ranges: vcpu_period in [1000, 1000000] us, vcpu_quota
 *     -1 (unlimited) or in [1000, 17592186044415] us.  A period outside
 *     its range is clamped and the quota scaled with it, so the bandwidth
 *     (quota / period) stays what the policy decided; a quota that would
 *     then fall under 1000 is raised to 1000 (more CPU than planned: the
 *     least libvirt grants), a quota of 0 or below -1, a period of 0 or
 *     a bandwidth beyond the quota's range is refused.  The action log says
 *     which rail acted.  vdsm's own vector (1 CPU, 100 vCPUs, 10 %) plans
 *     1100 / 1100000, which libvirt refuses; the rail writes 1000 / 1000000,
 *     the same bandwidth;
 *   - it writes only when the result differs from the current values, as
 *     integers, -1 equal to any "unlimited": any quota at or above
 *     CPUTUNE_QUOTA_MAX, which libvirt reports for cgroup v2's "max" (the
 *     read plugin already maps it to -1), both in one call, live;
 *   - a guest the backend may not change now (-EPERM: not running, or in
 *     a libvirt job such as a migration or snapshot, which would hold the
 *     call) is a refusal, recorded once while it holds, and written the
 *     first cycle it may be changed again;
 *   - a failed write affects that guest only and is retried every 3rd
 *     cycle; refusals and dry-run decisions are recorded once while they
 *     hold.
 */
#ifndef MOM_CTL_CPUTUNE_H
#define MOM_CTL_CPUTUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "host.h"
#include "plan.h"
#include "snapshot.h"

/* libvirt's QEMU driver ranges (vdsm-integration.md section 5).  The
   largest quota is the kernel's (2^44 - 1 us) since libvirt 7.0; libvirt
   refuses a larger one, and on cgroup v2 reports "max" (no quota) as this
   value and writes "max" when given it.  Libvirt before 7.0 had
   18446744073709551 here, so "unlimited" is any quota at or above
   CPUTUNE_QUOTA_MAX. */
#define CPUTUNE_PERIOD_MIN 1000LL
#define CPUTUNE_PERIOD_MAX 1000000LL
#define CPUTUNE_QUOTA_MIN  1000LL
#define CPUTUNE_QUOTA_MAX  17592186044415LL

/*
 * The rail on a planned pair: 0 with *quota and *period in libvirt's ranges
 * (detail says what was clamped, or is ""), or -EINVAL with detail saying
 * why the pair is refused.  Pure.
 */
int cputune_rail(int64_t *quota, int64_t *period, char *detail, size_t len);

struct cputune;

/* sched stays owned by the caller and must outlive the controller. */
struct cputune *cputune_new(const struct sched_backend *sched,
			    struct actlog *log);
void cputune_free(struct cputune *c);
void cputune_apply(struct cputune *c, const struct plan *plan,
		   const struct snapshot *snap, bool dry_run, int64_t wall_ms);

#endif /* MOM_CTL_CPUTUNE_H */
