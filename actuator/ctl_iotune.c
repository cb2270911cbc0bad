/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_iotune.c: the IoTune controller and its rail (see ctl_iotune.h), and
 * its registry entry, which opens the libvirt block I/O backend.
 *
 * DESIGN.  Per-disk memory (refusal recorded, dry-run values recorded,
 * values last written or failed, and when) lives in an array in the snapshot's
 * disk order, rebuilt each cycle by a merge on (guest name, device), both
 * sorted, so disks and guests that went away are forgotten; a guest whose
 * UUID changed under its name (a new domain) starts afresh.
 */
#include "ctl_iotune.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "ctl.h"
#include "ctl_util.h"
#include "field.h"

/* The same values are not written again for this many cycles: after a
   failure (a retry), and after a success while the disk's next sample
   (collectd's next read) has yet to show them. */
#define IOTUNE_RETRY_CYCLES 3

int iotune_rail(const int64_t v[DISK_CONTROL_COUNT], char *detail, size_t len)
{
	static const int kinds[2][3] = {
	    {DC_TOTAL_BYTES_SEC, DC_READ_BYTES_SEC, DC_WRITE_BYTES_SEC},
	    {DC_TOTAL_IOPS_SEC, DC_READ_IOPS_SEC, DC_WRITE_IOPS_SEC}};

	detail[0] = '\0';
	for (int i = 0; i < DISK_CONTROL_COUNT; i++) {
		if (v[i] < 0 || v[i] > IOTUNE_LIMIT_MAX) {
			snprintf(detail, len,
				 "%s %" PRId64 " outside libvirt's [0, 1e15] "
				 "(0 unlimited)",
				 disk_control_names[i], v[i]);
			return -EINVAL;
		}
	}
	for (int k = 0; k < 2; k++) {
		const int *c = kinds[k];

		if (v[c[0]] && (v[c[1]] || v[c[2]])) {
			snprintf(
			    detail, len,
			    "%s %" PRId64 " with %s %" PRId64 " / %s %" PRId64
			    ": libvirt takes a total or read/write limits, "
			    "not both",
			    disk_control_names[c[0]], v[c[0]],
			    disk_control_names[c[1]], v[c[1]],
			    disk_control_names[c[2]], v[c[2]]);
			return -EINVAL;
		}
	}
	return 0;
}

struct disk_state {
	char *guest, *dev; /* owned */
	char
	    uuid[CTL_UUID_LEN]; /* the guest's, from the snapshot; "" unknown */
	uint64_t refused;	/* hash of the refusal recorded, 0 none */
	bool dry, tried;	/* dry_v / tried_v hold values */
	int64_t dry_v[DISK_CONTROL_COUNT], tried_v[DISK_CONTROL_COUNT];
	uint64_t tried_cycle; /* when tried_v was written (or failed) */
};

struct iotune {
	const struct iotune_backend *be;
	struct actlog *log;
	struct disk_state *disks;
	size_t ndisks;
	uint64_t cycle;
};

struct iotune *iotune_new(const struct iotune_backend *be, struct actlog *log)
{
	struct iotune *c = calloc(1, sizeof(*c));

	if (c) {
		c->be = be;
		c->log = log;
	}
	return c;
}

static void state_release(struct disk_state *st)
{
	free(st->guest);
	free(st->dev);
}

void iotune_free(struct iotune *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->ndisks; i++)
		state_release(&c->disks[i]);
	free(c->disks);
	free(c);
}

/* The state of each snapshot disk, carried over by (guest, device) unless
   the guest's UUID says it is another domain under the same name (it
   starts afresh: the old one's values just written, failed write or
   refusal are not its); -ENOMEM keeps the old state. */
static int states_merge(struct iotune *c, const struct snapshot *snap)
{
	size_t n = snap->ndisks, j = 0;
	struct disk_state *next = calloc(n ? n : 1, sizeof(*next));
	bool *kept = calloc(c->ndisks ? c->ndisks : 1, sizeof(*kept));
	bool *made = calloc(n ? n : 1, sizeof(*made));

	if (!next || !kept || !made)
		goto oom;
	for (size_t i = 0; i < n; i++) {
		const char *g = snap->guests[snap->disks[i].guest].name;
		const char *uuid = snap->guests[snap->disks[i].guest].uuid;
		const char *dev = snap->disks[i].e.name;
		size_t k;

		/* Disks are sorted by guest name, then by the guest's UUID,
		   then by device: two domains may share a name for a while
		   (one destroyed, another made under its name), so each disk
		   looks for its own state among all of that name. */
		while (j < c->ndisks && strcmp(c->disks[j].guest, g) < 0)
			j++;
		for (k = j; k < c->ndisks && strcmp(c->disks[k].guest, g) == 0;
		     k++)
			if (!kept[k] && strcmp(c->disks[k].dev, dev) == 0 &&
			    ctl_same_domain(c->disks[k].uuid, uuid))
				break;
		if (k < c->ndisks && strcmp(c->disks[k].guest, g) == 0) {
			next[i] = c->disks[k];
			kept[k] = true;
		} else {
			made[i] = true;
			next[i].guest = strdup(g);
			next[i].dev = strdup(dev);
			if (!next[i].guest || !next[i].dev)
				goto oom;
		}
		snprintf(next[i].uuid, sizeof(next[i].uuid), "%s",
			 uuid ? uuid : "");
	}
	for (j = 0; j < c->ndisks; j++)
		if (!kept[j])
			state_release(&c->disks[j]);
	free(c->disks);
	free(kept);
	free(made);
	c->disks = next;
	c->ndisks = n;
	return 0;
oom:
	/* Only the states made here are freed: kept ones stay the old
	   array's. */
	for (size_t i = 0; next && made && i < n; i++)
		if (made[i])
			state_release(&next[i]);
	free(next);
	free(kept);
	free(made);
	return -ENOMEM;
}

/* A current limit from a sample: an integer libvirt could report. */
static bool current_of(double v, int64_t *out)
{
	if (!field_present(v) || v < 0 || v >= 0x1p63)
		return false;
	*out = (int64_t)v;
	return true;
}

struct disk_ctx {
	struct iotune *c;
	struct disk_state *st;
	const char *guest, *uuid, *dev;
	const struct plan_disk *pd;
	int64_t cur[DISK_CONTROL_COUNT], v[DISK_CONTROL_COUNT];
	bool have[DISK_CONTROL_COUNT];
	int64_t wall_ms;
};

static void action_init(const struct disk_ctx *d, struct action *a,
			const char *ctl, const struct plan_value *pv)
{
	*a = (struct action){0};
	snprintf(a->subject, sizeof(a->subject), "guest:%.96s/%s", d->guest,
		 d->dev);
	snprintf(a->control, sizeof(a->control), "%s", ctl);
	ctl_reason_text(pv, a->reason, sizeof(a->reason));
}

/* Record a refusal of the disk once while the same reason holds. */
static void disk_refuse(struct disk_ctx *d, const char *why)
{
	struct action a;
	uint64_t h = ctl_text_hash(why);

	if (d->st->refused == h)
		return;
	d->st->refused = h;
	action_init(d, &a, "io_limits", &(struct plan_value){0});
	a.result = ACT_REFUSED;
	a.old_value = a.new_value = a.planned = -1;
	snprintf(a.detail, sizeof(a.detail), "%s", why);
	ctl_record(d->c->log, &a, d->wall_ms);
}

/* One action per limit that changes, with one result. */
static void disk_record(struct disk_ctx *d, enum act_result r,
			const char *detail)
{
	for (int i = 0; i < DISK_CONTROL_COUNT; i++) {
		const struct plan_value *pv = &d->pd->ctl[i];
		struct action a;

		if (d->have[i] && d->cur[i] == d->v[i])
			continue;
		action_init(d, &a, disk_control_names[i], pv);
		a.old_value = d->have[i] ? d->cur[i] : -1;
		a.new_value = d->v[i];
		a.planned = pv->set ? pv->value : d->v[i];
		a.result = r;
		snprintf(a.detail, sizeof(a.detail), "%s", detail);
		ctl_record(d->c->log, &a, d->wall_ms);
	}
}

/* The six to write: planned, or current where the plan leaves one unset;
   false (and a refusal) when one is neither. */
static bool disk_inputs(struct disk_ctx *d, const struct snap_disk *sd)
{
	const double *row = sd->e.len ? sd->e.values : NULL;

	for (int i = 0; i < DISK_CONTROL_COUNT; i++) {
		const struct plan_value *pv = &d->pd->ctl[i];
		char why[96];

		d->have[i] =
		    row && current_of(row[DF_CUR_BASE + i], &d->cur[i]);
		if (!d->have[i])
			d->cur[i] = -1;
		d->v[i] = pv->set ? pv->value : d->cur[i];
		if (!pv->set && !d->have[i]) {
			snprintf(why, sizeof(why),
				 "%s neither planned nor reported: nothing "
				 "written",
				 disk_control_names[i]);
			disk_refuse(d, why);
			return false;
		}
	}
	return true;
}

static bool same_values(const int64_t *a, const int64_t *b)
{
	return memcmp(a, b, DISK_CONTROL_COUNT * sizeof(*a)) == 0;
}

static void disk_write(struct disk_ctx *d, bool dry_run)
{
	struct disk_state *st = d->st;
	uint64_t lim[DISK_CONTROL_COUNT];
	char msg[200] = "";
	int rc;

	if (st->tried && same_values(st->tried_v, d->v) &&
	    d->c->cycle - st->tried_cycle < IOTUNE_RETRY_CYCLES)
		return;
	if (dry_run) {
		/* Nothing moves in a dry run: recorded once per values. */
		st->refused = 0;
		if (st->dry && same_values(st->dry_v, d->v))
			return;
		st->dry = true;
		memcpy(st->dry_v, d->v, sizeof(st->dry_v));
		disk_record(d, ACT_DRY_RUN, "");
		return;
	}
	st->dry = false;
	for (int i = 0; i < DISK_CONTROL_COUNT; i++)
		lim[i] = (uint64_t)d->v[i];
	rc = d->c->be->set(d->c->be->ctx, d->guest, d->uuid ? d->uuid : "",
			   d->dev, lim, msg, sizeof(msg));
	if (rc == -EPERM) {
		/* The guest may not be changed now (not running, migrating,
		   in a snapshot...): a refusal, said once while it holds, and
		   not a try to wait out, so the values go in the first cycle
		   the guest may be changed again (as balloons). */
		disk_refuse(d, msg);
		return;
	}
	st->tried = true;
	memcpy(st->tried_v, d->v, sizeof(st->tried_v));
	st->tried_cycle = d->c->cycle;
	if (rc == -EINVAL) {
		/* libvirt refused the values: a refusal, said once. */
		disk_refuse(d, msg);
		return;
	}
	st->refused = 0;
	disk_record(d, rc < 0 ? ACT_FAILED : ACT_APPLIED, rc < 0 ? msg : "");
}

static void disk_one(struct iotune *c, size_t i, const struct snapshot *snap,
		     const struct plan *plan, bool dry_run, int64_t wall_ms)
{
	const struct snap_disk *sd = &snap->disks[i];
	const struct snap_entity *g = &snap->guests[sd->guest];
	struct disk_ctx d = {.c = c,
			     .st = &c->disks[i],
			     .guest = g->name,
			     .uuid = g->uuid,
			     .dev = sd->e.name,
			     .pd = &plan->disks[i],
			     .wall_ms = wall_ms};
	char detail[256];
	bool any = false;

	for (int k = 0; k < DISK_CONTROL_COUNT; k++)
		any |= d.pd->ctl[k].set;
	if (d.pd->error) {
		/* Skipped and reported; nothing else stops for it. */
		snprintf(detail, sizeof(detail), "skipped: %s", d.pd->error);
		disk_refuse(&d, detail);
		return;
	}
	if (!any || !disk_inputs(&d, sd))
		return;
	if (iotune_rail(d.v, detail, sizeof(detail)) < 0) {
		disk_refuse(&d, detail);
		return;
	}
	for (int k = 0; k < DISK_CONTROL_COUNT; k++)
		any = any && d.have[k] && d.cur[k] == d.v[k];
	if (any) { /* as the disk is: nothing to write */
		d.st->refused = 0;
		d.st->dry = false;
		return;
	}
	disk_write(&d, dry_run);
}

void iotune_apply(struct iotune *c, const struct plan *plan,
		  const struct snapshot *snap, bool dry_run, int64_t wall_ms)
{
	c->cycle++;
	if (states_merge(c, snap) < 0)
		return;
	for (size_t i = 0; i < snap->ndisks && i < plan->ndisks; i++) {
		/* The plan lists the snapshot's disks in order. */
		if (plan->disks[i].guest != snap->disks[i].guest ||
		    !plan->disks[i].dev ||
		    strcmp(plan->disks[i].dev, snap->disks[i].e.name) != 0)
			continue;
		disk_one(c, i, snap, plan, dry_run, wall_ms);
	}
}

/* ---- registry entry: the controller with the backend it owns ---- */

struct iotune_unit {
	struct iotune_backend be;
	struct iotune *c;
};

static void iotune_unit_destroy(void *self)
{
	struct iotune_unit *u = self;

	if (!u)
		return;
	iotune_free(u->c);
	iotune_backend_release(&u->be);
	free(u);
}

static int iotune_unit_create(const struct ctl_env *env, void **self, char *err,
			      size_t len)
{
	struct iotune_unit *u = calloc(1, sizeof(*u));
	int rc;

	if (!u) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = host_libvirt_iotune(env->conf->libvirt_uri, &u->be, err, len);
	if (rc < 0) {
		free(u);
		return rc;
	}
	u->c = iotune_new(&u->be, env->log);
	if (!u->c) {
		iotune_unit_destroy(u);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	*self = u;
	return 0;
}

static void iotune_unit_apply(void *self, const struct plan *plan,
			      const struct snapshot *snap, bool dry_run,
			      int64_t wall_ms, int64_t mono_ms)
{
	(void)mono_ms; /* nothing here outlasts a cycle */
	iotune_apply(((struct iotune_unit *)self)->c, plan, snap, dry_run,
		     wall_ms);
}

static const char *iotune_unit_backend(const void *self)
{
	return ((const struct iotune_unit *)self)->be.name;
}

const struct ctl_ops ctl_iotune_ops = {
    .name = "iotune",
    .create = iotune_unit_create,
    .apply = iotune_unit_apply,
    .backend = iotune_unit_backend,
    .destroy = iotune_unit_destroy,
};
