/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl.c: the registry of controllers and the set the engine iterates
 * (see ctl.h).  The registry order is the order of action within a cycle:
 * balloons first, as MOM's controller list had them, then KSM, then the
 * QoS controllers, which do not interact with memory.
 */
#include "ctl.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern const struct ctl_ops ctl_balloon_ops;
extern const struct ctl_ops ctl_ksm_ops;
extern const struct ctl_ops ctl_cputune_ops;
extern const struct ctl_ops ctl_iotune_ops;

const struct ctl_ops *const ctl_registry[] = {
    &ctl_balloon_ops, &ctl_ksm_ops, &ctl_cputune_ops, &ctl_iotune_ops, NULL,
};

struct ctl_unit {
	const struct ctl_ops *ops;
	void *self;
};

struct ctl_set {
	struct ctl_unit *units;
	size_t n;
};

void ctl_set_free(struct ctl_set *s)
{
	if (!s)
		return;
	/* Reverse order: a later controller may have been created knowing
	   the earlier ones were there. */
	for (size_t i = s->n; i-- > 0;)
		s->units[i].ops->destroy(s->units[i].self);
	free(s->units);
	free(s);
}

struct ctl_set *ctl_set_new(const struct ctl_env *env, char *err, size_t len)
{
	struct ctl_set *s = calloc(1, sizeof(*s));
	size_t n = 0;

	while (ctl_registry[n])
		n++;
	if (!s || !(s->units = calloc(n ? n : 1, sizeof(*s->units)))) {
		free(s);
		snprintf(err, len, "out of memory");
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		struct ctl_unit *u = &s->units[i];
		char msg[300] = "";

		u->ops = ctl_registry[i];
		if (u->ops->create(env, &u->self, msg, sizeof(msg)) < 0) {
			snprintf(err, len, "controller %s: %s", u->ops->name,
				 msg);
			ctl_set_free(s);
			return NULL;
		}
		s->n = i + 1;
	}
	return s;
}

void ctl_set_apply(struct ctl_set *s, const struct plan *plan,
		   const struct snapshot *snap, bool dry_run, int64_t wall_ms,
		   int64_t mono_ms)
{
	for (size_t i = 0; i < s->n; i++)
		s->units[i].ops->apply(s->units[i].self, plan, snap, dry_run,
				       wall_ms, mono_ms);
}

void ctl_set_rails(struct ctl_set *s, const struct control_rails *rails)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->units[i].ops->set_rails)
			s->units[i].ops->set_rails(s->units[i].self, rails);
}

static const struct ctl_unit *unit_find(const struct ctl_set *s,
					const char *name)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (strcmp(s->units[i].ops->name, name) == 0)
			return &s->units[i];
	return NULL;
}

void *ctl_set_find(const struct ctl_set *s, const char *name)
{
	const struct ctl_unit *u = unit_find(s, name);

	return u ? u->self : NULL;
}

const char *ctl_set_backend(const struct ctl_set *s, const char *name)
{
	const struct ctl_unit *u = unit_find(s, name);

	return u && u->ops->backend ? u->ops->backend(u->self) : NULL;
}
