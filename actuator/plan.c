/* SPDX-License-Identifier: Apache-2.0 */
/*
 * plan.c: control names, freeing, and rendering of plans (plan.h).
 *
 * The JSON form lists only what was set: controls, signals, the reason of
 * each, and the errors.  Guests without a set control are left out of
 * "guests" and of the reasons; a guest that failed appears under "errors".
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

static int guests_json(const struct plan *plan, json_t *guests, json_t *why,
		       json_t *errors)
{
	for (size_t g = 0; g < plan->nguests; g++) {
		const struct plan_guest *pg = &plan->guests[g];
		json_t *ctl = json_object(), *r = json_object();

		if (!ctl || !r ||
		    values_json(pg->ctl, guest_control_names,
				GUEST_CONTROL_COUNT, ctl, r) ||
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

	if (!root || !host || !guests || !reasons || !rhost || !rguests ||
	    !errors || !eguests)
		goto fail;
	if (values_json(plan->host, host_control_names, HOST_CONTROL_COUNT,
			host, rhost) ||
	    guests_json(plan, guests, rguests, eguests) ||
	    signals_json(plan, root, rhost))
		goto fail;
	if (plan->host_error &&
	    put(errors, "host", json_string(plan->host_error)))
		goto fail;
	if (json_object_set(errors, "guests", eguests) ||
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
	return NULL;
}
