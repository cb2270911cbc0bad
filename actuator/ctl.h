/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl.h: the controller interface, and the set of controllers the engine
 * runs each cycle.
 *
 * A controller turns the controls of a plan that it owns into changes on
 * the host, behind its safety rails, and records what it did in the action
 * log.  Each is one file that defines one struct ctl_ops and is listed once
 * in ctl.c's registry; the engine only iterates the set (ctl_set_apply()),
 * so adding a tunable (CPU quota, block I/O limits, ...) is one controller
 * file, its fields and controls, and one registry line: the engine's cycle
 * does not change.  Shipped: balloon (control.c), ksm (control_ksm.c),
 * cputune (ctl_cputune.c), iotune (ctl_iotune.c).
 *
 * A controller opens the host backend it needs itself in create() from the
 * configuration, and owns it.  Each runs after the others in registry
 * order; one that fails for a guest affects that guest and that controller
 * only.  Called from the engine's cycle thread only (ctl_set_find() and
 * the backend names are fixed after creation and may be read anywhere).
 */
#ifndef MOM_CTL_H
#define MOM_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "plan.h"
#include "snapshot.h"

struct conf;

/* The balloon rails (control.h says what each does); every controller
   gets them, the others ignore them. */
struct control_rails {
	int max_shrink_pct;  /* of the maximum, per cycle */
	int max_grow_pct;    /* of the maximum, per cycle */
	int used_margin_pct; /* added to what the guest uses */
	int stale_ms;	     /* 0: never stale */
	int stuck_cycles;
	int oom_cooldown_ms;  /* OOM rail: no shrink for this long after a
				 harm event (0: the rail is off) */
	int forget_ms;	      /* a guest's state is kept this long after it
				 leaves the snapshots (late or stale
				 samples), its OOM cool-down longer */
	int64_t min_size_kib; /* no balloon below this (or the maximum, if
				 smaller), even in an emergency: a guest
				 kernel starved of memory deadlocks */
};

/* What a controller is created with; borrowed for the call only, except
   log, which outlives the controller. */
struct ctl_env {
	const struct conf *conf;
	const struct control_rails *rails;
	struct actlog *log;
};

struct ctl_ops {
	const char *name; /* "balloon", "ksm", ... */
	/* A new controller in *self, or -errno with err filled. */
	int (*create)(const struct ctl_env *env, void **self, char *err,
		      size_t len);
	/* Act on plan, computed from snap (same guests, same order).  With
	   dry_run read the host, record what would be done, change nothing.
	   wall_ms dates actions; mono_ms (the monotonic clock) times what
	   must last a while whatever the wall clock does (the OOM rail's
	   cool-down). */
	void (*apply)(void *self, const struct plan *plan,
		      const struct snapshot *snap, bool dry_run,
		      int64_t wall_ms, int64_t mono_ms);
	/* Optional: new rails from a reload, for the next apply. */
	void (*set_rails)(void *self, const struct control_rails *rails);
	/* Optional: the backend's name for the status ("libvirt"). */
	const char *(*backend)(const void *self);
	void (*destroy)(void *self);
};

struct ctl_set;

/* Every registered controller, created in registry order.  NULL with err
   filled when one cannot be created (the others are destroyed). */
struct ctl_set *ctl_set_new(const struct ctl_env *env, char *err, size_t len);
void ctl_set_free(struct ctl_set *s);

void ctl_set_apply(struct ctl_set *s, const struct plan *plan,
		   const struct snapshot *snap, bool dry_run, int64_t wall_ms,
		   int64_t mono_ms);
void ctl_set_rails(struct ctl_set *s, const struct control_rails *rails);

/* The controller named name (its self), or NULL. */
void *ctl_set_find(const struct ctl_set *s, const char *name);
/* Its backend's name, or NULL. */
const char *ctl_set_backend(const struct ctl_set *s, const char *name);

/* The registry: NULL-terminated, in the order the controllers run. */
extern const struct ctl_ops *const ctl_registry[];

#endif /* MOM_CTL_H */
