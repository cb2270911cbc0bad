/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_policy.c: the policy routes (MOM's getPolicy, getNamedPolicies,
 * setPolicy, setNamedPolicy and resetPolicies, made safe).
 *
 * Every change copies the overrides in force, changes the copy and hands
 * it to polcompose_commit(), under the composition's lock (polcompose.h):
 * a failure at any step answers an error and leaves the set in force, the
 * overrides and the state file as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "api_policy.h"
#include "api_reply.h"
#include "api_route.h"
#include "jsonlimit.h"
#include "log.h"
#include "momlang.h"
#include "polcompose.h"

/* name -> text of every policy in the engine's set, and their order. */
struct listing {
	const struct polstate *overrides;
	json_t *list;	  /* [{"name", "origin"}] */
	json_t *texts;	  /* name -> text, when wanted */
	const char *want; /* a single name to find, or NULL */
	char *found;	  /* its text (owned copy) */
};

static void listing_fill(const struct policy_set *ps, void *arg)
{
	struct listing *l = arg;

	for (size_t i = 0; i < policy_set_count(ps); i++) {
		const char *name = policy_set_name(ps, i);
		const char *text = policy_set_text(ps, i);

		if (l->want && strcmp(l->want, name) == 0)
			l->found = strdup(text);
		if (l->list)
			json_array_append_new(
			    l->list,
			    json_pack("{s:s, s:s}", "name", name, "origin",
				      polstate_origin(l->overrides, name)));
		if (l->texts)
			json_object_set_new(l->texts, name, json_string(text));
	}
}

/* The listing body; caller holds api->lock.  NULL when out of memory. */
static json_t *listing_json_locked(struct api *api)
{
	struct listing l = {.overrides = polcompose_overrides(api->policies),
			    .list = json_array()};

	if (!l.list)
		return NULL;
	engine_with_policies(api->engine, listing_fill, &l);
	return json_pack(
	    "{s:o, s:b}", "policies", l.list, "replaced",
	    polstate_replaced(polcompose_overrides(api->policies)));
}

static void api_get_policies(struct api *api, const struct http_request *req,
			     const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	polcompose_lock(api->policies);
	api_reply(res, 200, listing_json_locked(api));
	polcompose_unlock(api->policies);
}

/*
 * Validate, persist and swap in next (taken); caller holds api->lock.
 * Answers the new listing, or the error.
 */
static void change_locked(struct api *api, struct polstate *next,
			  const char *what, struct http_response *res)
{
	struct policy_error perr;
	char err[512];
	int rc;

	rc = polcompose_commit(api->policies, next, what, &perr, err,
			       sizeof(err));
	if (rc == -ENOMEM)
		api_reply_error(res, 503, "overloaded", "out of memory");
	else if (rc == -EINVAL)
		api_reply_policy_error(res, "invalid_policy", &perr);
	else if (rc == -EFBIG)
		api_reply_error(res, 413, "too_large", err);
	else if (rc < 0)
		api_reply_error(res, 500, "persist_failed", err);
	else
		api_reply(res, 200, listing_json_locked(api));
}

/*
 * A policy given as a JSON document or as its text; a new string.  A
 * document is kept compact: indenting untrusted input costs its depth
 * times its size (momctl indents what it shows).
 */
static char *policy_text(const json_t *v)
{
	if (json_is_string(v))
		return strdup(json_string_value(v));
	if (json_is_object(v))
		return json_dumps(v, JSON_COMPACT | JSON_PRESERVE_ORDER);
	return NULL;
}

/* The body's JSON object re-dumped compact, or NULL when it is not one
   (or out of memory: the body is then kept as sent). */
static char *compact_text(const struct http_request *req)
{
	char msg[256], *text = NULL;
	json_t *v;

	if (json_text_check(req->body, req->body_len, msg, sizeof(msg)) < 0)
		return NULL;
	v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, NULL);
	if (json_is_object(v))
		text = policy_text(v);
	json_decref(v);
	return text;
}

/* Fill st (a fresh replace-all state) from {name: policy}; 0 or -1 with
   the error answered. */
static int put_all(struct polstate *st, const json_t *policies,
		   struct http_response *res)
{
	const char *name;
	char msg[160];
	json_t *v;

	if (!json_is_object(policies)) {
		api_reply_error(res, 400, "bad_request",
				"\"policies\" must be an object of name: "
				"policy");
		return -1;
	}
	json_object_foreach((json_t *)policies, name, v)
	{
		char *text;
		int rc;

		if (!policy_name_valid(name)) {
			snprintf(msg, sizeof(msg),
				 "invalid policy name \"%.64s\"", name);
			api_reply_error(res, 400, "bad_policy_name", msg);
			return -1;
		}
		text = policy_text(v);
		if (!text) {
			snprintf(msg, sizeof(msg),
				 "policy \"%s\": expected an object or a "
				 "string",
				 name);
			api_reply_error(res, 400, "bad_request", msg);
			return -1;
		}
		rc = polstate_put(st, name, text);
		free(text);
		if (rc < 0) {
			api_reply_error(res, 503, "overloaded",
					"out of memory");
			return -1;
		}
	}
	return 0;
}

struct policy_set *api_policies_from_json(const json_t *policies,
					  struct http_response *res)
{
	struct polstate *st = polstate_new();
	struct policy_set *ps = NULL;
	struct policy_error perr;

	if (!st || polstate_replace_all(st) < 0) {
		api_reply_error(res, 503, "overloaded", "out of memory");
		goto out;
	}
	if (put_all(st, policies, res) < 0)
		goto out;
	ps = polstate_compose(st, NULL, &perr);
	if (!ps)
		api_reply_policy_error(res, "invalid_policy", &perr);
out:
	polstate_free(st);
	return ps;
}

bool api_body_is_mom(const struct http_request *req)
{
	const char *ct = req->content_type;
	size_t n = strlen(MOMLANG_MEDIA_TYPE);

	return strncasecmp(ct, MOMLANG_MEDIA_TYPE, n) == 0 &&
	       (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' ');
}

char *api_body_mom_policy(const struct http_request *req, const char *name,
			  size_t max_out, struct http_response *res)
{
	struct policy_error perr;
	char *text;

	text = momlang_convert_text(req->body, req->body_len, name, max_out,
				    &perr);
	if (!text)
		api_reply_policy_error(res, "invalid_policy", &perr);
	return text;
}

/* MOM's setPolicy: the MOM text body becomes the whole set. */
static void put_policies_mom(struct api *api, const struct http_request *req,
			     struct http_response *res)
{
	char *text = api_body_mom_policy(req, API_MOM_MAIN_POLICY,
					 api->conf->max_body, res);
	struct polstate *next;

	if (!text)
		return;
	next = polstate_new();
	if (next && (polstate_replace_all(next) < 0 ||
		     polstate_put(next, API_MOM_MAIN_POLICY, text) < 0)) {
		polstate_free(next);
		next = NULL;
	}
	free(text);
	polcompose_lock(api->policies);
	change_locked(api, next, "set replaced by a MOM policy", res);
	polcompose_unlock(api->policies);
}

/* setPolicy, safely: {"policies": {name: policy}} replaces the set. */
static void api_put_policies(struct api *api, const struct http_request *req,
			     const char *arg, struct http_response *res)
{
	json_t *body, *pol;
	struct polstate *next = NULL;

	(void)arg;
	if (api_body_is_mom(req)) {
		put_policies_mom(api, req, res);
		return;
	}
	body = api_body_json(req, res);
	if (!body)
		return;
	pol = json_object_get(body, "policies");
	if (!pol || json_object_size(body) != 1) {
		api_reply_error(res, 400, "bad_request",
				"expected {\"policies\": {name: policy}}");
		goto out;
	}
	next = polstate_new();
	if (next &&
	    (polstate_replace_all(next) < 0 || put_all(next, pol, res) < 0)) {
		if (!res->json)
			api_reply_error(res, 503, "overloaded",
					"out of memory");
		goto out;
	}
	polcompose_lock(api->policies);
	change_locked(api, next, "set replaced", res);
	polcompose_unlock(api->policies);
	next = NULL;
out:
	polstate_free(next);
	json_decref(body);
}

/* resetPolicies: back to policy_dir, persisted overrides removed. */
static void api_delete_policies(struct api *api, const struct http_request *req,
				const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	polcompose_lock(api->policies);
	change_locked(api, polstate_new(), "reset to the policy directory",
		      res);
	polcompose_unlock(api->policies);
}

static bool name_ok(const char *name, struct http_response *res)
{
	char msg[160];

	if (policy_name_valid(name))
		return true;
	snprintf(msg, sizeof(msg),
		 "invalid policy name \"%.64s\": [A-Za-z0-9_.-]{1,63}, not "
		 "starting with '.', no \"..\"",
		 name);
	api_reply_error(res, 400, "bad_policy_name", msg);
	return false;
}

/* The text of the named policy in force (new string), or NULL. */
static char *find_text(struct api *api, const char *name)
{
	struct listing l = {.overrides = polcompose_overrides(api->policies),
			    .want = name};

	engine_with_policies(api->engine, listing_fill, &l);
	return l.found;
}

static void reply_no_such(struct http_response *res, const char *name)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "no policy \"%s\" in force", name);
	api_reply_error(res, 404, "no_such_policy", msg);
}

static void api_get_policy(struct api *api, const struct http_request *req,
			   const char *arg, struct http_response *res)
{
	char *text;

	(void)req;
	if (!name_ok(arg, res))
		return;
	polcompose_lock(api->policies);
	text = find_text(api, arg);
	polcompose_unlock(api->policies);
	if (!text) {
		reply_no_such(res, arg);
		return;
	}
	res->status = 200;
	res->text = text;
	res->content_type = "application/json";
}

/* setNamedPolicy(name, text): the body is the policy document. */
static void api_put_policy(struct api *api, const struct http_request *req,
			   const char *arg, struct http_response *res)
{
	struct polstate *next;
	char what[128], *converted = NULL;
	const char *text = req->body;
	json_t *utf8;

	if (!name_ok(arg, res))
		return;
	if (api_body_is_mom(req)) {
		/* MOM's policy language, converted; the JSON is kept. */
		converted =
		    api_body_mom_policy(req, arg, api->conf->max_body, res);
		if (!converted)
			return;
		text = converted;
		goto put;
	}
	if (!api_body_is_json(req, res))
		return;
	if (strlen(req->body) != req->body_len) {
		api_reply_error(res, 400, "bad_json",
				"the body contains a NUL byte");
		return;
	}
	/* The text is kept as a JSON string (polstate), which must be
	   UTF-8: otherwise polstate_put() fails as if out of memory. */
	utf8 = json_string(req->body);
	if (!utf8) {
		api_reply_error(res, 400, "bad_json", "the body is not UTF-8");
		return;
	}
	json_decref(utf8);
	/* Stored compact, like a policy of PUT /v1/policies: whitespace would
	   otherwise count against what state_dir keeps.  A body that does
	   not parse is kept as sent, for the loader to refuse with its line
	   and column. */
	converted = compact_text(req);
	if (converted)
		text = converted;
put:
	snprintf(what, sizeof(what), "%s set%s", arg,
		 api_body_is_mom(req) ? " from MOM's policy language" : "");
	polcompose_lock(api->policies);
	next = polstate_copy(polcompose_overrides(api->policies));
	if (next && polstate_put(next, arg, text) < 0) {
		polstate_free(next);
		next = NULL;
	}
	change_locked(api, next, what, res);
	polcompose_unlock(api->policies);
	free(converted);
}

static void api_delete_policy(struct api *api, const struct http_request *req,
			      const char *arg, struct http_response *res)
{
	struct polstate *next = NULL;
	char what[128];
	char *text;

	(void)req;
	if (!name_ok(arg, res))
		return;
	snprintf(what, sizeof(what), "%s deleted", arg);
	polcompose_lock(api->policies);
	text = find_text(api, arg);
	if (!text) {
		reply_no_such(res, arg);
		goto out;
	}
	next = polstate_copy(polcompose_overrides(api->policies));
	if (next &&
	    polstate_delete(next, arg, polcompose_dir(api->policies)) < 0) {
		polstate_free(next);
		next = NULL;
	}
	change_locked(api, next, what, res);
out:
	polcompose_unlock(api->policies);
	free(text);
}

/* getPolicy: the combined set in name order, each policy as a document. */
static void api_get_effective(struct api *api, const struct http_request *req,
			      const char *arg, struct http_response *res)
{
	struct listing l = {.overrides = polcompose_overrides(api->policies),
			    .texts = json_object()};
	json_t *arr = json_array();
	const char *name;
	json_t *v;

	(void)req, (void)arg;
	if (!l.texts || !arr)
		goto out;
	polcompose_lock(api->policies);
	engine_with_policies(api->engine, listing_fill, &l);
	polcompose_unlock(api->policies);
	/* jansson keeps insertion order: the set's, i.e. name order. */
	json_object_foreach(l.texts, name, v)
	{
		json_t *doc = json_loads(json_string_value(v), 0, NULL);

		json_array_append_new(
		    arr, json_pack("{s:s, s:o*}", "name", name, "policy", doc));
	}
	api_reply(res, 200, json_pack("{s:O}", "policies", arr));
out:
	json_decref(arr);
	json_decref(l.texts);
}

static const struct api_route rows[] = {
    {"GET", "/v1/policies", api_get_policies},
    {"PUT", "/v1/policies", api_put_policies},
    {"DELETE", "/v1/policies", api_delete_policies},
    {"GET", "/v1/policies/{name}", api_get_policy},
    {"PUT", "/v1/policies/{name}", api_put_policy},
    {"DELETE", "/v1/policies/{name}", api_delete_policy},
    {"GET", "/v1/effective-policy", api_get_effective},
};

const struct api_routes api_policy_routes = API_ROUTES(rows);
