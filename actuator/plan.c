/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: control names, freeing, and rendering of plans (plan.h).
 *
 * The JSON form lists only what was set: controls, signals, the reason of
 * each, and the errors.  Guests without a set control (of their own or of
 * a disk) are left out of "guests" and of the reasons; a guest that failed
 * appears under "errors".  The disk shape is plan.h's.
 */
#include "plan.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evstate.h"

const char *const host_control_names[HOST_CONTROL_COUNT] = {
    [HC_KSM_RUN] = "ksm_run",
    [HC_KSM_PAGES_TO_SCAN] = "ksm_pages_to_scan",
    [HC_KSM_SLEEP_MILLISECS] = "ksm_sleep_millisecs",
    [HC_KSM_MERGE_ACROSS_NODES] = "ksm_merge_across_nodes",
};

const char *const guest_control_names[GUEST_CONTROL_COUNT] = {
    [GC_BALLOON_TARGET] = "balloon_target",
    [GC_VCPU_QUOTA] = "vcpu_quota",
    [GC_VCPU_PERIOD] = "vcpu_period",
};

const char *const disk_control_names[DISK_CONTROL_COUNT] = {
    [DC_TOTAL_BYTES_SEC] = "total_bytes_sec",
    [DC_READ_BYTES_SEC] = "read_bytes_sec",
    [DC_WRITE_BYTES_SEC] = "write_bytes_sec",
    [DC_TOTAL_IOPS_SEC] = "total_iops_sec",
    [DC_READ_IOPS_SEC] = "read_iops_sec",
    [DC_WRITE_IOPS_SEC] = "write_iops_sec",
};

const char *const plan_signal_names[PLAN_SIGNAL_COUNT] = {
    [PS_EMERGENCY] = "emergency",
};

void plan_free(struct plan *plan)
{
	if (!plan)
		return;
	for (size_t i = 0; i < plan->nguests; i++) {
		free(plan->guests[i].name);
		free(plan->guests[i].error);
	}
	free(plan->guests);
	for (size_t i = 0; i < plan->ndisks; i++) {
		free(plan->disks[i].dev);
		free(plan->disks[i].error);
	}
	free(plan->disks);
	free(plan->host_error);
	evstate_free(plan->state);
	free(plan);
}

/* Drop a UTF-8 sequence that a bounded buffer cut at the end of s. */
static void utf8_cut_clean(char *s, size_t n)
{
	size_t lead = n, need;
	unsigned char c;

	while (lead > 0 && n - lead < 4 &&
	       ((unsigned char)s[lead - 1] & 0xC0) == 0x80)
		lead--;
	if (lead == 0)
		return;
	c = (unsigned char)s[lead - 1];
	if (c < 0xC0)
		return; /* ASCII (or stray continuation bytes: not ours) */
	need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : 2;
	if (n - (lead - 1) < need)
		s[lead - 1] = '\0';
}

int plan_reason_format(const struct plan_reason *r, char *buf, size_t len)
{
	int total, n;
	char dummy[1];

	if (!buf || !len) {
		buf = dummy;
		len = sizeof(dummy);
	}
	total = snprintf(buf, len, "%s/%s:", r->policy ? r->policy : "?",
			 r->rule ? r->rule : "?");
	for (unsigned i = 0; i < r->ninputs && i < PLAN_REASON_INPUTS; i++) {
		size_t off = (size_t)total < len ? (size_t)total : len - 1;
		double v = r->inputs[i].value;

		if (isnan(v))
			n = snprintf(buf + off, len - off, " %s=null",
				     r->inputs[i].name);
		else
			n = snprintf(buf + off, len - off, " %s=%.15g",
				     r->inputs[i].name, v);
		total += n;
	}
	/* Cut, a reason still has to be valid UTF-8 (names may not be
	   ASCII; an invalid JSON string made /v1/plan answer 503). */
	if ((size_t)total >= len && buf != dummy)
		utf8_cut_clean(buf, strlen(buf));
	return total;
}

/* obj[name] = v, stealing v; -1 when out of memory. */
static int put(json_t *obj, const char *name, json_t *v)
{
	return v ? json_object_set_new(obj, name, v) : -1;
}

static json_t *reason_json(const struct plan_reason *r)
{
	char buf[512];

	plan_reason_format(r, buf, sizeof(buf));
	return json_string(buf);
}

/* Add the set values of v[0..n) to ctl and their reasons to why. */
static int values_json(const struct plan_value *v, const char *const *names,
		       size_t n, json_t *ctl, json_t *why)
{
	for (size_t i = 0; i < n; i++) {
		if (!v[i].set)
			continue;
		if (put(ctl, names[i], json_integer(v[i].value)) ||
		    put(why, names[i], reason_json(&v[i].reason)))
			return -1;
	}
	return 0;
}

/* o[key], created empty when missing; NULL when out of memory. */
static json_t *sub(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (v)
		return v;
	v = json_object();
	return put(o, key, v) ? NULL : v;
}

/* The disks of guest g, from *d on (disks are in guest order): their
   controls under ctl.disks, reasons under why.disks, errors under
   edisks[guest][dev]. */
static int disks_json(const struct plan *plan, size_t g, size_t *d, json_t *ctl,
		      json_t *why, json_t *edisks)
{
	for (; *d < plan->ndisks && plan->disks[*d].guest == g; (*d)++) {
		const struct plan_disk *pd = &plan->disks[*d];
		json_t *c = json_object(), *r = json_object(), *dc, *dr, *e;

		if (!c || !r ||
		    values_json(pd->ctl, disk_control_names, DISK_CONTROL_COUNT,
				c, r))
			goto fail;
		if (pd->error && (!(e = sub(edisks, plan->guests[g].name)) ||
				  put(e, pd->dev, json_string(pd->error))))
			goto fail;
		if (!json_object_size(c)) {
			json_decref(c);
			json_decref(r);
			continue;
		}
		if (!(dc = sub(ctl, "disks")) || !(dr = sub(why, "disks")) ||
		    put(dc, pd->dev, c) || put(dr, pd->dev, r))
			return -1;
		continue;
	fail:
		json_decref(c);
		json_decref(r);
		return -1;
	}
	return 0;
}

static int guests_json(const struct plan *plan, json_t *guests, json_t *why,
		       json_t *errors, json_t *edisks)
{
	size_t d = 0;

	for (size_t g = 0; g < plan->nguests; g++) {
		const struct plan_guest *pg = &plan->guests[g];
		json_t *ctl = json_object(), *r = json_object();

		if (!ctl || !r ||
		    values_json(pg->ctl, guest_control_names,
				GUEST_CONTROL_COUNT, ctl, r) ||
		    disks_json(plan, g, &d, ctl, r, edisks) ||
		    (pg->error &&
		     put(errors, pg->name, json_string(pg->error)))) {
			json_decref(ctl);
			json_decref(r);
			return -1;
		}
		if (json_object_size(ctl)) {
			if (put(guests, pg->name, ctl) || put(why, pg->name, r))
				return -1;
		} else {
			json_decref(ctl);
			json_decref(r);
		}
	}
	return 0;
}

static int signals_json(const struct plan *plan, json_t *root, json_t *why)
{
	json_t *sig = json_object();

	if (!sig || values_json(plan->signal, plan_signal_names,
				PLAN_SIGNAL_COUNT, sig, why)) {
		json_decref(sig);
		return -1;
	}
	if (!json_object_size(sig)) {
		json_decref(sig);
		return 0;
	}
	return put(root, "signals", sig);
}

json_t *plan_to_json(const struct plan *plan)
{
	json_t *root = json_object(), *host = json_object();
	json_t *guests = json_object(), *reasons = json_object();
	json_t *rhost = json_object(), *rguests = json_object();
	json_t *errors = json_object(), *eguests = json_object();
	json_t *edisks = json_object();

	if (!root || !host || !guests || !reasons || !rhost || !rguests ||
	    !errors || !eguests || !edisks)
		goto fail;
	if (values_json(plan->host, host_control_names, HOST_CONTROL_COUNT,
			host, rhost) ||
	    guests_json(plan, guests, rguests, eguests, edisks) ||
	    signals_json(plan, root, rhost))
		goto fail;
	if (plan->host_error &&
	    put(errors, "host", json_string(plan->host_error)))
		goto fail;
	if ((json_object_size(edisks) &&
	     json_object_set(errors, "disks", edisks)) ||
	    json_object_set(errors, "guests", eguests) ||
	    json_object_set(reasons, "host", rhost) ||
	    json_object_set(reasons, "guests", rguests) ||
	    json_object_set(root, "host", host) ||
	    json_object_set(root, "guests", guests) ||
	    json_object_set(root, "reasons", reasons) ||
	    json_object_set(root, "errors", errors))
		goto fail;
	if (plan->state &&
	    json_object_set_new(root, "state", evstate_to_json(plan->state)))
		goto fail;
	json_decref(host);
	json_decref(guests);
	json_decref(reasons);
	json_decref(rhost);
	json_decref(rguests);
	json_decref(errors);
	json_decref(eguests);
	json_decref(edisks);
	return root;
fail:
	json_decref(root);
	json_decref(host);
	json_decref(guests);
	json_decref(reasons);
	json_decref(rhost);
	json_decref(rguests);
	json_decref(errors);
	json_decref(eguests);
	json_decref(edisks);
	return NULL;
}
