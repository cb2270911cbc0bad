/* SPDX-License-Identifier: Apache-2.0 */
/*
 * control_world.c: the fake balloon and KSM backends and the world the
 * controller tests run one controller in (see control_world.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "control_world.h"
#include "snapshot.h"

/* ---- fake backends ---- */

static int fake_balloon_set(void *ctx, const char *guest, const char *uuid,
			    uint64_t kib, char *msg, size_t len)
{
	struct fake_balloon *f = ctx;

	if (f->ncalls < CW_MAX_CALLS) {
		snprintf(f->calls[f->ncalls].guest,
			 sizeof(f->calls[f->ncalls].guest), "%s", guest);
		snprintf(f->calls[f->ncalls].uuid,
			 sizeof(f->calls[f->ncalls].uuid), "%s", uuid);
		f->calls[f->ncalls].kib = kib;
	}
	f->ncalls++;
	if (f->gone && strcmp(guest, f->gone) == 0) {
		snprintf(msg, len, "domain not found");
		return -ENOENT;
	}
	if (f->broken && strcmp(guest, f->broken) == 0) {
		snprintf(msg, len, "internal error: injected");
		return -EIO;
	}
	if (f->held && strcmp(guest, f->held) == 0) {
		snprintf(msg, len, "guest %s is not running", guest);
		return -EPERM;
	}
	return 0;
}

size_t cw_fb_count(const struct fake_balloon *f, const char *guest,
		   int64_t *last)
{
	size_t n = 0;

	if (last)
		*last = -1;
	for (size_t i = 0; i < f->ncalls && i < CW_MAX_CALLS; i++) {
		if (strcmp(f->calls[i].guest, guest) != 0)
			continue;
		n++;
		if (last)
			*last = (int64_t)f->calls[i].kib;
	}
	return n;
}

static int fake_ksm_get(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
			size_t len)
{
	struct fake_ksm *f = ctx;

	(void)msg;
	(void)len;
	*value = f->value[k];
	return 0;
}

static int fake_ksm_set(void *ctx, enum ksm_knob k, int64_t value, char *msg,
			size_t len)
{
	struct fake_ksm *f = ctx;

	f->set_calls[k]++;
	if (f->norder < sizeof(f->order) / sizeof(f->order[0]))
		f->order[f->norder++] = k;
	if (f->fail[k]) {
		snprintf(msg, len, "write %s: %s", ksm_knob_names[k],
			 strerror(-f->fail[k]));
		return f->fail[k];
	}
	f->value[k] = value;
	return 0;
}

int cw_ksm_total_sets(const struct fake_ksm *f)
{
	int n = 0;

	for (int k = 0; k < KSM_KNOB_COUNT; k++)
		n += f->set_calls[k];
	return n;
}

/* ---- fixtures: guests, plans, one controller ---- */

const struct control_rails cw_default_rails = {
    .max_shrink_pct = 10,
    .max_grow_pct = 100,
    .used_margin_pct = 5,
    .stale_ms = 30000,
    .stuck_cycles = 3,
};

struct world *cw_world_new(const struct control_rails *rails)
{
	struct world *w = calloc(1, sizeof(*w));

	if (!w)
		abort();
	w->balloon = (struct balloon_backend){
	    .name = "fake", .ctx = &w->fb, .set = fake_balloon_set};
	w->ksm = (struct ksm_backend){.name = "fake",
				      .ctx = &w->fk,
				      .get = fake_ksm_get,
				      .set = fake_ksm_set};
	w->log = actlog_new(1000);
	w->ctl = controller_new(rails ? rails : &cw_default_rails, &w->balloon,
				&w->ksm, w->log);
	if (!w->log || !w->ctl)
		abort();
	w->now_ms = 1700000000000;
	w->mono_ms = 86400000;
	return w;
}

void cw_world_free(struct world *w)
{
	controller_free(w->ctl);
	actlog_free(w->log);
	free(w);
}

struct guest *cw_add_guest(struct world *w, const char *name, double cur,
			   double max, double min, double unused)
{
	struct guest *g = &w->g[w->ng++];

	snprintf(g->name, sizeof(g->name), "%s", name);
	for (int f = 0; f < GUEST_FIELD_COUNT; f++)
		g->row[f] = FIELD_ABSENT;
	g->row[GF_BALLOON_CUR] = cur;
	g->row[GF_BALLOON_MAX] = max;
	g->row[GF_BALLOON_MIN] = min;
	g->row[GF_MEM_UNUSED] = unused < 0 ? FIELD_ABSENT : unused;
	g->row[GF_STATS_AGE] = 1;
	return g;
}

struct guest *cw_find_guest(struct world *w, const char *name)
{
	for (size_t i = 0; i < w->ng; i++)
		if (strcmp(w->g[i].name, name) == 0)
			return &w->g[i];
	return NULL;
}

void cw_plan_target(struct world *w, const char *name, int64_t kib)
{
	for (size_t i = 0; i < w->ng; i++) {
		struct plan_value *pv;

		if (strcmp(w->g[i].name, name) != 0)
			continue;
		pv = &w->pg[i].ctl[GC_BALLOON_TARGET];
		pv->set = true;
		pv->value = kib;
		pv->reason = (struct plan_reason){
		    .policy = "02-balloon",
		    .rule = "shrink",
		    .ninputs = 1,
		    .inputs = {{"cur", w->g[i].row[GF_BALLOON_CUR]}}};
		return;
	}
	abort();
}

void cw_plan_clear_targets(struct world *w)
{
	for (size_t i = 0; i < CW_MAX_GUESTS; i++)
		w->pg[i].ctl[GC_BALLOON_TARGET].set = false;
}

void cw_plan_ksm(struct world *w, enum host_control hc, int64_t v)
{
	w->plan.host[hc] = (struct plan_value){
	    .set = true,
	    .value = v,
	    .reason = {.policy = "03-ksm", .rule = "tune", .ninputs = 0}};
}

void cw_plan_emergency(struct world *w, bool on)
{
	w->plan.signal[PS_EMERGENCY] =
	    (struct plan_value){.set = true, .value = on ? 1 : 0};
}

void cw_cycle(struct world *w, bool dry_run)
{
	struct snap_entity ents[CW_MAX_GUESTS];
	double host_row[HOST_FIELD_COUNT];
	struct snapshot snap = {0};

	for (int f = 0; f < HOST_FIELD_COUNT; f++)
		host_row[f] = FIELD_ABSENT;
	for (size_t i = 0; i < w->ng; i++) {
		ents[i] = (struct snap_entity){.name = w->g[i].name,
					       .len = 1,
					       .values = w->g[i].row,
					       .uuid = w->g[i].uuid};
		w->pg[i].name = w->g[i].name;
	}
	snap.host =
	    (struct snap_entity){.name = "host", .len = 1, .values = host_row};
	snap.guests = ents;
	snap.nguests = w->ng;
	w->plan.guests = w->pg;
	w->plan.nguests = w->ng;
	w->now_ms += 10000;
	w->mono_ms += 10000;
	controller_apply(w->ctl, &w->plan, &snap, dry_run, w->now_ms,
			 w->mono_ms);
}

json_t *cw_last_action(struct world *w, const char *subject,
		       const char *control, json_t **arr)
{
	json_t *found = NULL, *a;
	size_t i;

	*arr = actlog_to_json(w->log, 1000);
	json_array_foreach(*arr, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "subject")),
			   subject) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "control")),
			   control) == 0)
			found = a;
	}
	return found;
}

int cw_count_actions(struct world *w, const char *subject, const char *control,
		     const char *result)
{
	json_t *arr = actlog_to_json(w->log, 1000), *a;
	int n = 0;
	size_t i;

	json_array_foreach(arr, i, a)
	{
		if (strcmp(json_string_value(json_object_get(a, "subject")),
			   subject) == 0 &&
		    strcmp(json_string_value(json_object_get(a, "control")),
			   control) == 0 &&
		    (!result ||
		     strcmp(json_string_value(json_object_get(a, "result")),
			    result) == 0))
			n++;
	}
	json_decref(arr);
	return n;
}

const char *cw_jstr(json_t *a, const char *key)
{
	const char *s = json_string_value(json_object_get(a, key));

	return s ? s : "(none)";
}

int64_t cw_jint(json_t *a, const char *key)
{
	json_t *v = json_object_get(a, key);

	return v ? (int64_t)json_integer_value(v) : INT64_MIN;
}
