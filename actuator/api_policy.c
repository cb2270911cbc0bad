/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_policy.c: the policy routes (MOM's getPolicy, getNamedPolicies,
 * setPolicy, setNamedPolicy and resetPolicies, made safe) and the
 * restoring of the persisted overrides at start-up.
 *
 * Every change follows one sequence under api->lock: copy the overrides,
 * change the copy, compose and validate the whole resulting set, persist
 * the copy, then swap the new set into the engine.  A failure at any step
 * answers an error and leaves the set in force, the overrides and the
 * state file as they were.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_priv.h"
#include "log.h"
#include "polstate.h"

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
	struct listing l = {.overrides = api->overrides, .list = json_array()};

	if (!l.list)
		return NULL;
	engine_with_policies(api->engine, listing_fill, &l);
	return json_pack("{s:o, s:b}", "policies", l.list, "replaced",
			 polstate_replaced(api->overrides));
}

void api_get_policies(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	pthread_mutex_lock(&api->lock);
	api_reply(res, 200, listing_json_locked(api));
	pthread_mutex_unlock(&api->lock);
}

/*
 * Validate, persist and swap in next (taken); caller holds api->lock.
 * Answers the new listing, or the error.
 */
static void change_locked(struct api *api, struct polstate *next,
			  const char *what, struct http_response *res)
{
	struct policy_error perr;
	struct policy_set *ps;
	char err[512];
	int rc;

	if (!next) {
		api_reply_error(res, 503, "overloaded", "out of memory");
		return;
	}
	ps = polstate_compose(next, api->conf->policy_dir, &perr);
	if (!ps) {
		api_reply_policy_error(res, "invalid_policy", &perr);
		goto out;
	}
	rc = polstate_save(next, api->conf->state_dir, err, sizeof(err));
	if (rc < 0) {
		log_err("policies not changed: %s", err);
		api_reply_error(res, 500, "persist_failed", err);
		policy_set_free(ps);
		goto out;
	}
	if (rc > 0) /* in the file: in force too, whatever the warning */
		log_warn("policies: %s", err);
	log_info("policies: %s; %zu in force", what, policy_set_count(ps));
	engine_policies_swap(api->engine, ps);
	polstate_free(api->overrides);
	api->overrides = next;
	next = NULL;
	api_reply(res, 200, listing_json_locked(api));
out:
	polstate_free(next);
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
	ps = polstate_compose(st, "", &perr);
	if (!ps)
		api_reply_policy_error(res, "invalid_policy", &perr);
out:
	polstate_free(st);
	return ps;
}

/* setPolicy, safely: {"policies": {name: policy}} replaces the set. */
void api_put_policies(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res)
{
	json_t *body = api_body_json(req, res), *pol;
	struct polstate *next = NULL;

	(void)arg;
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
	pthread_mutex_lock(&api->lock);
	change_locked(api, next, "set replaced", res);
	pthread_mutex_unlock(&api->lock);
	next = NULL;
out:
	polstate_free(next);
	json_decref(body);
}

/* resetPolicies: back to policy_dir, persisted overrides removed. */
void api_delete_policies(struct api *api, const struct http_request *req,
			 const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	pthread_mutex_lock(&api->lock);
	change_locked(api, polstate_new(), "reset to the policy directory",
		      res);
	pthread_mutex_unlock(&api->lock);
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
	struct listing l = {.overrides = api->overrides, .want = name};

	engine_with_policies(api->engine, listing_fill, &l);
	return l.found;
}

static void reply_no_such(struct http_response *res, const char *name)
{
	char msg[160];

	snprintf(msg, sizeof(msg), "no policy \"%s\" in force", name);
	api_reply_error(res, 404, "no_such_policy", msg);
}

void api_get_policy(struct api *api, const struct http_request *req,
		    const char *arg, struct http_response *res)
{
	char *text;

	(void)req;
	if (!name_ok(arg, res))
		return;
	pthread_mutex_lock(&api->lock);
	text = find_text(api, arg);
	pthread_mutex_unlock(&api->lock);
	if (!text) {
		reply_no_such(res, arg);
		return;
	}
	res->status = 200;
	res->text = text;
	res->content_type = "application/json";
}

/* setNamedPolicy(name, text): the body is the policy document. */
void api_put_policy(struct api *api, const struct http_request *req,
		    const char *arg, struct http_response *res)
{
	struct polstate *next;
	char what[128];
	json_t *utf8;

	if (!name_ok(arg, res) || !api_body_is_json(req, res))
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
	snprintf(what, sizeof(what), "%s set", arg);
	pthread_mutex_lock(&api->lock);
	next = polstate_copy(api->overrides);
	if (next && polstate_put(next, arg, req->body) < 0) {
		polstate_free(next);
		next = NULL;
	}
	change_locked(api, next, what, res);
	pthread_mutex_unlock(&api->lock);
}

void api_delete_policy(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	struct polstate *next = NULL;
	char what[128];
	char *text;

	(void)req;
	if (!name_ok(arg, res))
		return;
	snprintf(what, sizeof(what), "%s deleted", arg);
	pthread_mutex_lock(&api->lock);
	text = find_text(api, arg);
	if (!text) {
		reply_no_such(res, arg);
		goto out;
	}
	next = polstate_copy(api->overrides);
	if (next && polstate_delete(next, arg) < 0) {
		polstate_free(next);
		next = NULL;
	}
	change_locked(api, next, what, res);
out:
	pthread_mutex_unlock(&api->lock);
	free(text);
}

/* getPolicy: the combined set in name order, each policy as a document. */
void api_get_effective(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	struct listing l = {.overrides = api->overrides,
			    .texts = json_object()};
	json_t *arr = json_array();
	const char *name;
	json_t *v;

	(void)req, (void)arg;
	if (!l.texts || !arr)
		goto out;
	pthread_mutex_lock(&api->lock);
	engine_with_policies(api->engine, listing_fill, &l);
	pthread_mutex_unlock(&api->lock);
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

void api_policies_restore(struct api *api)
{
	const struct conf *c = api->conf;
	struct polstate *st = NULL;
	struct policy_error perr;
	struct policy_set *ps;
	char err[512];

	if (polstate_load(c->state_dir, &st, err, sizeof(err)) < 0) {
		log_warn("%s/%s ignored: %s", c->state_dir, POLSTATE_FILE, err);
		return;
	}
	if (polstate_empty(st)) {
		polstate_free(st);
		return;
	}
	ps = polstate_compose(st, c->policy_dir, &perr);
	if (!ps) {
		log_warn("%s/%s ignored: the policies it sets do not "
			 "validate: %s%s%s: %s (line %d, column %d)",
			 c->state_dir, POLSTATE_FILE, perr.policy,
			 perr.path[0] ? " at " : "", perr.path, perr.message,
			 perr.line, perr.column);
		polstate_free(st);
		return;
	}
	log_info("policies: %zu in force, with the changes saved in %s",
		 policy_set_count(ps), c->state_dir);
	engine_policies_swap(api->engine, ps);
	polstate_free(api->overrides);
	api->overrides = st;
}

void api_reload_policies(struct api *api)
{
	struct policy_error perr;
	struct policy_set *ps;

	pthread_mutex_lock(&api->lock);
	ps = polstate_compose(api->overrides, api->conf->policy_dir, &perr);
	if (!ps) {
		log_err("reload: policy %s: %s%s%s; keeping the policies in "
			"force",
			perr.policy, perr.path, perr.path[0] ? ": " : "",
			perr.message);
	} else {
		log_info("reload: %zu policies from %s%s", policy_set_count(ps),
			 api->conf->policy_dir,
			 polstate_empty(api->overrides)
			     ? ""
			     : " with the API's changes");
		engine_policies_swap(api->engine, ps);
	}
	pthread_mutex_unlock(&api->lock);
}
