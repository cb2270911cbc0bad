/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_iotune.h: the IoTune controller (MOM's IoTune): each disk's six I/O
 * limits from the plan's disk controls, registered as "iotune" (ctl.h).
 *
 * Per disk (snapshot order), when the plan sets any of its limits:
 *   - a disk whose evaluation failed (e.g. its metadata maximum lacks a
 *     key: 05-iotune's error names it) is skipped and reported, once while
 *     the same error holds, as a refused action; the other disks, guests
 *     and controllers go on (MOM's whole cycle failed);
 *   - an unset limit takes the disk's current one (cur_*); with neither,
 *     nothing is written and that is reported;
 *   - the six pass the rail (iotune_rail()): each in libvirt's [0, 1e15]
 *     (0 unlimited), and a total limit not combined with a read or write
 *     limit of the same kind, which libvirt refuses.  The rail refuses
 *     rather than clamps: which of total and read/write to drop is the
 *     policy's (the engine's) decision, not the controller's;
 *   - it writes only when a value differs from the current one, all six in
 *     one virDomainSetBlockIoTune call, live (libvirt keeps the disk's
 *     other settings, e.g. burst maxima);
 *   - a guest the backend may not change now (-EPERM: not running, or in
 *     a libvirt job such as a migration or snapshot, which would hold the
 *     call) is a refusal, recorded once while it holds, and written the
 *     first cycle it may be changed again;
 *   - a failed write affects that disk only and is retried every 3rd
 *     cycle; values just written are not written again for 3 cycles
 *     either (the disk's next sample may not show them yet); refusals and
 *     dry-run decisions are recorded once while they hold.  Actions name the
 * subject "guest:<name>/<dev>", one per limit that changes.
 */
#ifndef MOM_CTL_IOTUNE_H
#define MOM_CTL_IOTUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "host.h"
#include "plan.h"
#include "snapshot.h"

/* libvirt's largest limit (QEMU_BLOCK_IOTUNE_MAX). */
#define IOTUNE_LIMIT_MAX 1000000000000000LL

/* The rail on six planned limits (enum disk_control order): 0, or -EINVAL
   with detail saying why they are refused.  Pure. */
int iotune_rail(const int64_t v[DISK_CONTROL_COUNT], char *detail, size_t len);

struct iotune;

/* be stays owned by the caller and must outlive the controller. */
struct iotune *iotune_new(const struct iotune_backend *be, struct actlog *log);
void iotune_free(struct iotune *c);
void iotune_apply(struct iotune *c, const struct plan *plan,
		  const struct snapshot *snap, bool dry_run, int64_t wall_ms);

#endif /* MOM_CTL_IOTUNE_H */
