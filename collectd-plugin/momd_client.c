/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momd_client.c: GET /v1/plan over momd's unix socket (see momd_client.h),
 * through the plugins' libcurl transport (http_curl.c,
 * CURLOPT_UNIX_SOCKET_PATH), the JSON body decoded with jansson.  The
 * timeout bounds connecting and the whole exchange, so a hung momd cannot
 * hold collectd's read thread longer than that; a reply over MAX_REPLY
 * bytes is refused.
 */
#include "momd_client.h"

#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_curl.h"

#define MAX_REPLY (8u << 20)

static const char *const ksm_keys[MOMD_KSM_NR] = {
    [MOMD_KSM_RUN] = "ksm_run",
    [MOMD_KSM_PAGES_TO_SCAN] = "ksm_pages_to_scan",
    [MOMD_KSM_SLEEP_MS] = "ksm_sleep_millisecs",
};

static const char *const guest_keys[MOMD_GUEST_NR] = {
    [MOMD_VCPU_QUOTA] = "vcpu_quota",
    [MOMD_VCPU_PERIOD] = "vcpu_period",
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;
static int global_rc;

/* libcurl's global state, once for the plugin's life (collectd never
   unloads a plugin): never per fetch, which would redo TLS set-up. */
static void global_init(void)
{
	global_rc = http_curl_global_init();
}

const char *const momd_disk_keys[MOMD_DISK_NR] = {
    "total_bytes_sec", "read_bytes_sec", "write_bytes_sec",
    "total_iops_sec",  "read_iops_sec",	 "write_iops_sec",
};

/* The disks of one guest's plan, appended to out->disks (sized by the
   caller's count); a device name that does not fit is skipped. */
static int disks_from_json(const char *guest, json_t *disks,
			   struct momd_plan *out)
{
	const char *dev;
	json_t *d;

	json_object_foreach(disks, dev, d)
	{
		struct momd_disk_ctl *c = &out->disks[out->ndisks];
		bool any = false;

		if (!json_is_object(d) || strlen(dev) >= sizeof(c->dev))
			continue;
		for (int k = 0; k < MOMD_DISK_NR; k++) {
			json_t *v = json_object_get(d, momd_disk_keys[k]);

			if (json_is_number(v)) {
				c->present[k] = any = true;
				c->value[k] = json_number_value(v);
			}
		}
		if (!any)
			continue;
		snprintf(c->dev, sizeof(c->dev), "%s", dev);
		if (!(c->guest = strdup(guest)))
			return -ENOMEM;
		out->ndisks++;
	}
	return 0;
}

/* The plan's per-guest QoS controls ("plan": {"guests": {...}}). */
static int ctls_from_json(json_t *guests, struct momd_plan *out)
{
	const char *name;
	json_t *g;

	size_t nd = 0;

	if (!json_is_object(guests))
		return 0;
	json_object_foreach(guests, name, g) nd +=
	    json_object_size(json_object_get(g, "disks"));
	out->ctls = calloc(json_object_size(guests) + 1, sizeof(*out->ctls));
	out->disks = calloc(nd + 1, sizeof(*out->disks));
	if (!out->ctls || !out->disks)
		return -ENOMEM;
	json_object_foreach(guests, name, g)
	{
		struct momd_guest_ctl *c = &out->ctls[out->nctls];
		json_t *disks = json_object_get(g, "disks");
		bool any = false;

		if (json_is_object(disks) && disks_from_json(name, disks, out))
			return -ENOMEM;
		for (int k = 0; k < MOMD_GUEST_NR; k++) {
			json_t *v = json_object_get(g, guest_keys[k]);

			if (json_is_number(v)) {
				c->present[k] = any = true;
				c->value[k] = json_number_value(v);
			}
		}
		if (!any)
			continue;
		c->name = strdup(name);
		if (!c->name)
			return -ENOMEM;
		out->nctls++;
	}
	return 0;
}

static int plan_from_json(json_t *root, struct momd_plan *out, char *err,
			  size_t len)
{
	json_t *applied = json_object_get(root, "applied");
	json_t *host = json_object_get(json_object_get(root, "plan"), "host");
	const char *name;
	json_t *g;

	if (!json_is_object(applied)) {
		snprintf(err, len, "GET /v1/plan: no \"applied\" object");
		return -EPROTO;
	}
	out->guests =
	    calloc(json_object_size(applied) + 1, sizeof(*out->guests));
	if (!out->guests)
		return -ENOMEM;
	json_object_foreach(applied, name, g)
	{
		json_t *t = json_object_get(g, "target");
		struct momd_target *mt = &out->guests[out->nguests];

		if (!json_is_integer(t) || json_integer_value(t) <= 0)
			continue;
		mt->name = strdup(name);
		if (!mt->name)
			return -ENOMEM;
		mt->target_kib = (uint64_t)json_integer_value(t);
		out->nguests++;
	}
	if (ctls_from_json(
		json_object_get(json_object_get(root, "plan"), "guests"), out) <
	    0)
		return -ENOMEM;
	for (int k = 0; k < MOMD_KSM_NR && json_is_object(host); k++) {
		json_t *v = json_object_get(host, ksm_keys[k]);

		if (json_is_number(v)) {
			out->ksm_present[k] = true;
			out->ksm[k] = json_number_value(v);
		}
	}
	return 0;
}

/* Check the status and decode the body. */
static int parse_reply(const struct http_curl_reply *r, struct momd_plan *out,
		       char *err, size_t len)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	if (r->status != 200) {
		snprintf(err, len, "GET /v1/plan: HTTP status %ld", r->status);
		return -EPROTO;
	}
	root = json_loadb(r->body, r->len, 0, &jerr);
	if (!root) {
		snprintf(err, len, "GET /v1/plan: %s", jerr.text);
		return -EPROTO;
	}
	rc = plan_from_json(root, out, err, len);
	json_decref(root);
	return rc;
}

struct momd_client {
	char *path;
	struct http_curl *h;
};

struct momd_client *momd_client_new(const char *path, bool keep_alive)
{
	struct http_curl_config c = {.url = "http://localhost/v1/plan",
				     .socket_path = path,
				     .user_agent = "mom (collectd)",
				     .max_reply = MAX_REPLY,
				     .no_reuse = !keep_alive};
	struct momd_client *mc;

	pthread_once(&global_once, global_init);
	if (global_rc < 0)
		return NULL;
	mc = calloc(1, sizeof(*mc));
	if (mc == NULL)
		return NULL;
	mc->path = strdup(path);
	mc->h = http_curl_new(&c);
	if (mc->path == NULL || mc->h == NULL) {
		momd_client_free(mc);
		return NULL;
	}
	return mc;
}

void momd_client_free(struct momd_client *c)
{
	if (c == NULL)
		return;
	http_curl_free(c->h);
	free(c->path);
	free(c);
}

int momd_client_fetch(struct momd_client *c, int timeout_ms,
		      struct momd_plan *out, char *err, size_t len)
{
	struct http_curl_reply reply;
	char why[256];
	int rc;

	memset(out, 0, sizeof(*out));
	rc = http_curl_request(c->h, NULL, 0, timeout_ms, &reply, why,
			       sizeof(why));
	if (rc < 0)
		snprintf(err, len, "GET /v1/plan on %s: %s", c->path, why);
	else
		rc = parse_reply(&reply, out, err, len);
	return rc;
}

int momd_plan_fetch(const char *path, int timeout_ms, struct momd_plan *out,
		    char *err, size_t len)
{
	struct momd_client *c;
	int rc;

	memset(out, 0, sizeof(*out));
	pthread_once(&global_once, global_init);
	if (global_rc < 0) {
		snprintf(err, len, "cannot initialise libcurl");
		return global_rc;
	}
	c = momd_client_new(path, false);
	if (c == NULL) {
		snprintf(err, len, "cannot set up libcurl");
		return -ENOMEM;
	}
	rc = momd_client_fetch(c, timeout_ms, out, err, len);
	momd_client_free(c);
	return rc;
}

void momd_plan_release(struct momd_plan *p)
{
	for (size_t i = 0; p->guests && i < p->nguests; i++)
		free(p->guests[i].name);
	free(p->guests);
	for (size_t i = 0; p->ctls && i < p->nctls; i++)
		free(p->ctls[i].name);
	free(p->ctls);
	for (size_t i = 0; p->disks && i < p->ndisks; i++)
		free(p->disks[i].guest);
	free(p->disks);
	memset(p, 0, sizeof(*p));
}
