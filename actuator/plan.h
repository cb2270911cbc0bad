/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.h: what a policy evaluation decided, with the reason for each control.
 *
 * A plan lists only the controls that the policies set.  Values are the
 * integers the policy computed, truncated toward zero as MOM's controllers
 * did.  The controllers' safety rails act after the plan and never alter it.
 *
 * Reasons are kept structured (which policy and rule, and the values the
 * control was computed from) so that evaluation stays cheap; they become
 * text only when plan_reason_format() is called.  The name pointers in a
 * reason borrow from the policy set, so a plan must not outlive the
 * struct policy_set that produced it.
 *
 * A plan is owned by its caller and freed with plan_free().
 */
#ifndef MOM_PLAN_H
#define MOM_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct evstate;

/* Controls a policy may set on the host. */
enum host_control {
	HC_KSM_RUN,
	HC_KSM_PAGES_TO_SCAN,
	HC_KSM_SLEEP_MILLISECS,
	HC_KSM_MERGE_ACROSS_NODES,
	HOST_CONTROL_COUNT
};

/* Controls a policy may set on each guest. */
enum guest_control {
	GC_BALLOON_TARGET, /* KiB */
	GC_VCPU_QUOTA,	   /* us per period, -1 unlimited (CpuTune) */
	GC_VCPU_PERIOD,	   /* us (CpuTune) */
	GUEST_CONTROL_COUNT
};

/* Controls a policy may set on each disk of a guest (IoTune): limits per
   second, 0 unlimited, in the order of the disk fields' groups. */
enum disk_control {
	DC_TOTAL_BYTES_SEC,
	DC_READ_BYTES_SEC,
	DC_WRITE_BYTES_SEC,
	DC_TOTAL_IOPS_SEC,
	DC_READ_IOPS_SEC,
	DC_WRITE_IOPS_SEC,
	DISK_CONTROL_COUNT
};

/*
 * Signals are host-wide outputs that are not written anywhere but tell the
 * controllers how to act.  "emergency" lets the balloon controller take a
 * guest below what it uses (MOM's critical mode, which makes guests swap to
 * save the host).
 */
enum plan_signal { PS_EMERGENCY, PLAN_SIGNAL_COUNT };

extern const char *const host_control_names[HOST_CONTROL_COUNT];
extern const char *const guest_control_names[GUEST_CONTROL_COUNT];
extern const char *const disk_control_names[DISK_CONTROL_COUNT];
extern const char *const plan_signal_names[PLAN_SIGNAL_COUNT];

#define PLAN_REASON_INPUTS 6

/* Why a control has its value: the rule that set it, and its inputs. */
struct plan_reason {
	const char *policy; /* borrowed: policy name, e.g. "02-balloon" */
	const char *rule;   /* borrowed: rule name within it */
	unsigned ninputs;
	struct {
		const char *name; /* borrowed: variable or field name */
		double value;	  /* NaN when absent */
	} inputs[PLAN_REASON_INPUTS];
};

struct plan_value {
	bool set;
	int64_t value; /* truncated toward zero */
	struct plan_reason reason;
};

struct plan_guest {
	char *name; /* owned copy */
	struct plan_value ctl[GUEST_CONTROL_COUNT];
	char *error; /* owned; non-NULL when this guest's evaluation failed,
			in which case none of its controls is set */
};

/* One disk of a guest, as the snapshot's disk of the same index. */
struct plan_disk {
	size_t guest; /* index into plan.guests */
	char *dev;    /* owned copy: the target device, "vda" */
	struct plan_value ctl[DISK_CONTROL_COUNT];
	char *error; /* owned; non-NULL when this disk's evaluation failed,
			in which case none of its controls is set */
};

struct plan {
	struct plan_value host[HOST_CONTROL_COUNT];
	struct plan_value signal[PLAN_SIGNAL_COUNT];
	char *host_error; /* owned; non-NULL when the host rules failed, in
			     which case no host control is set */
	size_t nguests;	  /* one entry per guest of the snapshot, in order */
	struct plan_guest *guests;
	size_t ndisks; /* one entry per disk of the snapshot, in order */
	struct plan_disk *disks;
	struct evstate *state; /* owned: the policies' state for the next
				  cycle (evstate.h); NULL when the set
				  declares none */
};

void plan_free(struct plan *plan);

/*
 * Render a reason as one line of text, e.g.
 * "02-balloon/shrink: cur=4000000 floor=2400000 hfp=0.1".
 * Returns what snprintf would (the full length), never fails; a cut text
 * ends on a UTF-8 character boundary.
 */
int plan_reason_format(const struct plan_reason *r, char *buf, size_t len);

/*
 * The plan as JSON, in the format of the offline harness:
 * {"host": {...}, "guests": {"g1": {...}}, "signals": {...},
 *  "reasons": {...}, "errors": {...}}.
 * A disk's controls go under its guest: "guests": {"g1": {"disks":
 * {"vda": {"total_bytes_sec": 0, ...}}}}, its reasons likewise under
 * "reasons": {"guests": {"g1": {"disks": {"vda": {...}}}}}, and a failed
 * disk under "errors": {"disks": {"g1": {"vda": "message"}}}.
 * Returns a new reference, or NULL when out of memory.
 */
json_t *plan_to_json(const struct plan *plan);

#endif /* MOM_PLAN_H */
