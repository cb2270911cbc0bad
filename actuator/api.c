/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c: the REST route table, dispatch, reply helpers, and the routes for
 * state, parameters, log level, dry-run mode and dry-run evaluation.  The
 * policy routes are in api_policy.c.  actuator/openapi.json documents every
 * row of `routes` (tests/it/openapi.sh compares them).
 *
 * Every route is one row of `routes`.  A path matches a row exactly, or a
 * row ending in "/{name}" with one more non-empty segment.  An unknown path
 * answers 404; a known path with another method 405 with an Allow header.
 */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_priv.h"
#include "evalcase.h"
#include "jsonlimit.h"
#include "log.h"
#include "polstate.h"
#include "prom.h"
#include "statedir.h"

#define PARAMS_FILE	 "parameters.json"
#define PARAMS_MAX_BYTES (1u << 20)

struct route {
	const char *method;
	const char *path;
	api_route_fn fn;
};

json_t *api_json_text(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	/* Not UTF-8: client bytes, or a multi-byte character cut by a
	   bounded message buffer.  Keep the ASCII, mark the rest. */
	copy = strdup(s);
	if (!copy)
		return NULL;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

void api_reply(struct http_response *res, int status, json_t *body)
{
	res->status = status;
	res->json = body;
}

void api_reply_error(struct http_response *res, int status, const char *code,
		     const char *message)
{
	api_reply(res, status,
		  json_pack("{s:s, s:o}", "error", code, "message",
			    api_json_text(message)));
}

void api_reply_policy_error(struct http_response *res, const char *code,
			    const struct policy_error *perr)
{
	char msg[700];
	json_t *o;

	if (perr->line)
		snprintf(msg, sizeof(msg), "%s:%d:%d: %s", perr->policy,
			 perr->line, perr->column, perr->message);
	else
		snprintf(msg, sizeof(msg), "%s%s%s%s%s", perr->policy,
			 perr->policy[0] ? ": " : "", perr->path,
			 perr->path[0] ? ": " : "", perr->message);
	o = json_pack("{s:s, s:o, s:o, s:o}", "error", code, "message",
		      api_json_text(msg), "policy", api_json_text(perr->policy),
		      "path", api_json_text(perr->path));
	if (o && perr->line) {
		json_object_set_new(o, "line", json_integer(perr->line));
		json_object_set_new(o, "column", json_integer(perr->column));
	}
	api_reply(res, 400, o);
}

bool api_body_is_json(const struct http_request *req, struct http_response *res)
{
	const char *ct = req->content_type;
	size_t n = strlen("application/json");

	if (strncasecmp(ct, "application/json", n) == 0 &&
	    (ct[n] == '\0' || ct[n] == ';' || ct[n] == ' '))
		return true;
	api_reply_error(res, 415, "unsupported_media_type",
			"the body must be application/json");
	return false;
}

json_t *api_body_json(const struct http_request *req, struct http_response *res)
{
	json_error_t jerr;
	json_t *v;
	char msg[256];

	if (!api_body_is_json(req, res))
		return NULL;
	/* Bound depth and size before jansson builds anything. */
	if (json_text_check(req->body, req->body_len, msg, sizeof(msg)) < 0) {
		api_reply_error(res, 400, "bad_json", msg);
		return NULL;
	}
	v = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!v) {
		snprintf(msg, sizeof(msg), "line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		api_reply(res, 400,
			  json_pack("{s:s, s:o, s:i, s:i}", "error", "bad_json",
				    "message", api_json_text(msg), "line", jerr.line, "column",
				    jerr.column));
	}
	return v;
}

static void get_ping(struct api *api, const struct http_request *req,
		     const char *arg, struct http_response *res)
{
	(void)api, (void)req, (void)arg;
	api_reply(res, 200, json_pack("{s:b}", "ok", 1));
}

static void post_metrics(struct api *api, const struct http_request *req,
			 const char *arg, struct http_response *res)
{
	json_t *body = NULL;
	int status;

	(void)arg;
	if (!api_body_is_json(req, res))
		return;
	status = engine_ingest(api->engine, req->body, req->body_len, &body);
	api_reply(res, status, body);
}

static void get_status(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_status_json(api->engine));
}

static void get_stats(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_stats_json(api->engine));
}

static void get_guests(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_guests_json(api->engine));
}

static void get_plan(struct api *api, const struct http_request *req,
		     const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_plan_json(api->engine));
}

static void get_actions(struct api *api, const struct http_request *req,
			const char *arg, struct http_response *res)
{
	const char *q = http_query(req, "limit");
	long limit = 100;
	char *end;

	(void)arg;
	if (q) {
		errno = 0;
		limit = strtol(q, &end, 10);
		if (*q == '\0' || *end || errno || limit < 1 ||
		    limit > 1000000) {
			api_reply_error(res, 400, "bad_query",
					"limit must be an integer in "
					"[1, 1000000]");
			return;
		}
	}
	api_reply(res, 200, engine_actions_json(api->engine, (size_t)limit));
}

static void get_params(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_params_json(api->engine));
}

/* Write set (the values set through the API) to state_dir; caller holds
   lock.  0, 1 (written, with a warning in err) or -errno. */
static int params_save_locked(struct api *api, const json_t *set, char *err,
			      size_t len)
{
	char *text = json_dumps(set, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!text) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = statedir_write(api->conf->state_dir, PARAMS_FILE, text,
			    strlen(text), 0644, err, len);
	free(text);
	return rc;
}

/* Checked, persisted, then put in force: a cycle never acts on values
   that fail to persist. */
static void patch_params(struct api *api, const struct http_request *req,
			 const char *arg, struct http_response *res)
{
	json_t *body = api_body_json(req, res), *next;
	char err[512];
	int rc;

	(void)arg;
	if (!body)
		return;
	pthread_mutex_lock(&api->lock);
	rc = engine_params_merge(api->engine, body, &next, err, sizeof(err));
	if (rc == -ENOMEM) {
		api_reply_error(res, 503, "overloaded", err);
	} else if (rc < 0) {
		api_reply_error(res, 400, "bad_parameter", err);
	} else if ((rc = params_save_locked(api, next, err, sizeof(err))) <
		   0) {
		json_decref(next);
		log_err("parameters not changed: %s", err);
		api_reply_error(res, 500, "persist_failed", err);
	} else {
		if (rc > 0)
			log_warn("parameters: %s", err);
		engine_params_restore(api->engine, next);
		log_info("parameters updated through the API");
		api_reply(res, 200, engine_params_json(api->engine));
	}
	pthread_mutex_unlock(&api->lock);
	json_decref(body);
}

static void get_dry_run(struct api *api, const struct http_request *req,
			const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200,
		  json_pack("{s:b}", "enabled", engine_dry_run(api->engine)));
}

static void put_dry_run(struct api *api, const struct http_request *req,
			const char *arg, struct http_response *res)
{
	json_t *body = api_body_json(req, res), *on;

	(void)arg;
	if (!body)
		return;
	on = json_object_get(body, "enabled");
	if (!json_is_boolean(on) || json_object_size(body) != 1) {
		api_reply_error(res, 400, "bad_request",
				"expected {\"enabled\": true|false}");
	} else {
		engine_set_dry_run(api->engine, json_is_true(on));
		get_dry_run(api, req, arg, res);
	}
	json_decref(body);
}

static void get_log_level(struct api *api, const struct http_request *req,
			  const char *arg, struct http_response *res)
{
	(void)api, (void)req, (void)arg;
	api_reply(res, 200,
		  json_pack("{s:s}", "level", log_level_name(log_get_level())));
}

/* setVerbosity: MOM's "1".."5" (also as a number) or a level name. */
static void put_log_level(struct api *api, const struct http_request *req,
			  const char *arg, struct http_response *res)
{
	json_t *body = api_body_json(req, res), *v;
	enum log_level level;
	char num[24];
	const char *s = NULL;

	if (!body)
		return;
	v = json_object_get(body, "level");
	if (json_is_string(v)) {
		s = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(num, sizeof(num), "%lld",
			 (long long)json_integer_value(v));
		s = num;
	}
	if (!s || json_object_size(body) != 1 ||
	    log_level_parse(s, &level) < 0) {
		api_reply_error(res, 400, "bad_level",
				"expected {\"level\": L}, L one of error, "
				"warning, info, debug or 1..5");
	} else {
		log_set_level(level);
		log_info("log level set to %s through the API",
			 log_level_name(level));
		get_log_level(api, req, arg, res);
	}
	json_decref(body);
}

/* Check that body has only the keys in allowed (NULL-terminated). */
static bool keys_known(const json_t *body, const char *const *allowed,
		       struct http_response *res)
{
	const char *key;
	json_t *v;
	char msg[128];

	json_object_foreach((json_t *)body, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed[i]) {
			snprintf(msg, sizeof(msg), "unknown key \"%.64s\"",
				 key);
			api_reply_error(res, 400, "bad_request", msg);
			return false;
		}
	}
	return true;
}

static void evaluate_reply(struct api *api, struct policy_set *ps,
			   struct evalcase *ec, struct http_response *res)
{
	bool no_state, over;
	json_t *plan;

	plan = engine_evaluate(api->engine, ps,
			       ec ? evalcase_snapshot(ec) : NULL, &no_state,
			       &over);
	if (plan)
		api_reply(res, 200,
			  json_pack("{s:o, s:s, s:s}", "plan", plan, "policies",
				    ps ? "supplied" : "current", "state",
				    ec ? "case" : "current"));
	else if (no_state)
		api_reply_error(res, 409, "no_state",
				"no host sample yet: supply a \"case\"");
	else if (over)
		api_reply_error(res, 503, "over_budget",
				"the evaluation took longer than "
				"eval_budget_ms; nothing was changed");
	else
		api_reply_error(res, 503, "overloaded", "out of memory");
}

/*
 * Take the evaluation slot, waiting at most eval_budget_ms (the most the
 * evaluation holding it can take); false with 503 answered when busy.
 * One evaluation at a time bounds what dry runs cost together and leaves
 * the other listener thread to everything else.
 */
static bool eval_slot_take(struct api *api, struct http_response *res)
{
	struct timespec t = clock_after(CLOCK_REALTIME,
					api->conf->eval_budget_ms);

	if (pthread_mutex_timedlock(&api->eval_slot, &t) == 0)
		return true;
	api_reply_error(res, 503, "busy",
			"another evaluation is running; try again");
	return false;
}

/*
 * Dry-run evaluation: {"policies": {...}, "case": {...}}, both optional
 * (an empty body evaluates the set in force against the current state).
 * Nothing is changed.  Compiling and evaluating hold the evaluation slot.
 */
static void post_evaluate(struct api *api, const struct http_request *req,
			  const char *arg, struct http_response *res)
{
	static const char *const keys[] = {"policies", "case", NULL};
	struct policy_set *ps = NULL;
	struct evalcase *ec = NULL;
	struct policy_error perr;
	json_t *body = NULL, *pol, *cs;

	(void)arg;
	if (req->body_len > 0) {
		body = api_body_json(req, res);
		if (!body)
			return;
		if (!json_is_object(body)) {
			api_reply_error(res, 400, "bad_request",
					"expected a JSON object");
			goto out;
		}
		if (!keys_known(body, keys, res))
			goto out;
	}
	pol = json_object_get(body, "policies");
	cs = json_object_get(body, "case");
	if (!eval_slot_take(api, res))
		goto out;
	if (pol && !(ps = api_policies_from_json(pol, res)))
		goto unlock;
	if (cs && !(ec = evalcase_from_json(cs, &perr))) {
		api_reply_policy_error(res, "invalid_case", &perr);
		goto unlock;
	}
	evaluate_reply(api, ps, ec, res);
unlock:
	pthread_mutex_unlock(&api->eval_slot);
out:
	evalcase_free(ec);
	policy_set_free(ps);
	json_decref(body);
}

/* The engine's state in the Prometheus text format (prom.c). */
static void get_prometheus(struct api *api, const struct http_request *req,
			   const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	res->text = prom_render_engine(api->engine);
	res->content_type = PROM_CONTENT_TYPE;
	res->status = 200;
}

static const struct route routes[] = {
    {"GET", "/v1/ping", get_ping},
    {"POST", "/v1/metrics", post_metrics},
    {"GET", "/v1/status", get_status},
    {"GET", "/v1/stats", get_stats},
    {"GET", "/v1/guests", get_guests},
    {"GET", "/v1/plan", get_plan},
    {"GET", "/v1/actions", get_actions},
    {"GET", "/v1/parameters", get_params},
    {"PATCH", "/v1/parameters", patch_params},
    {"GET", "/v1/policies", api_get_policies},
    {"PUT", "/v1/policies", api_put_policies},
    {"DELETE", "/v1/policies", api_delete_policies},
    {"GET", "/v1/policies/{name}", api_get_policy},
    {"PUT", "/v1/policies/{name}", api_put_policy},
    {"DELETE", "/v1/policies/{name}", api_delete_policy},
    {"GET", "/v1/effective-policy", api_get_effective},
    {"POST", "/v1/evaluate", post_evaluate},
    {"GET", "/v1/log-level", get_log_level},
    {"PUT", "/v1/log-level", put_log_level},
    {"GET", "/v1/dry-run", get_dry_run},
    {"PUT", "/v1/dry-run", put_dry_run},
    {"GET", "/metrics", get_prometheus},
};

#define NROUTES (sizeof(routes) / sizeof(routes[0]))

/*
 * Administration is every route that changes momd's policies, parameters,
 * log level or mode: PUT, PATCH and DELETE.  GET reads, and the two POSTs
 * are ingest (/v1/metrics) and a dry run that changes nothing
 * (/v1/evaluate): those are what the read level (read_socket,
 * read_token_file) may do.
 */
bool api_route_is_admin(const char *method)
{
	return strcmp(method, "GET") != 0 && strcmp(method, "POST") != 0;
}

/* Does path match pattern?  *arg gets the {name} segment, if any. */
static bool route_match(const char *pattern, const char *path, const char **arg)
{
	const char *brace = strchr(pattern, '{');
	size_t n;

	*arg = NULL;
	if (!brace)
		return strcmp(pattern, path) == 0;
	n = (size_t)(brace - pattern);
	if (strncmp(pattern, path, n) != 0 || path[n] == '\0' ||
	    strchr(path + n, '/'))
		return false;
	*arg = path + n;
	return true;
}

/* Fill the Allow header with every method of the matching rows. */
static void allow_fill(const char *path, struct http_response *res)
{
	const char *arg;
	size_t used = 0;

	for (size_t i = 0; i < NROUTES; i++) {
		if (!route_match(routes[i].path, path, &arg))
			continue;
		used += (size_t)snprintf(res->allow + used,
					 sizeof(res->allow) - used, "%s%s",
					 used ? ", " : "", routes[i].method);
		if (used >= sizeof(res->allow))
			break;
	}
}

void api_handle(void *ctx, const struct http_request *req,
		struct http_response *res)
{
	struct api *api = ctx;
	bool path_known = false;
	const char *arg;

	for (size_t i = 0; i < NROUTES; i++) {
		if (!route_match(routes[i].path, req->path, &arg))
			continue;
		path_known = true;
		if (strcmp(routes[i].method, req->method) != 0)
			continue;
		if (req->read_only && api_route_is_admin(routes[i].method)) {
			api_reply_error(res, 403, "forbidden",
					"this socket or token may read and "
					"ingest only; changes need the admin "
					"socket or token");
			return;
		}
		routes[i].fn(api, req, arg, res);
		if (!res->json && !res->text)
			api_reply_error(res, 503, "overloaded",
					"out of memory");
		return;
	}
	if (path_known) {
		allow_fill(req->path, res);
		api_reply_error(res, 405, "method_not_allowed",
				"this path does not take that method; see "
				"the Allow header");
	} else {
		api_reply_error(res, 404, "not_found", "no such path");
	}
}

void api_routes_print(FILE *f)
{
	for (size_t i = 0; i < NROUTES; i++)
		fprintf(f, "%s %s\n", routes[i].method, routes[i].path);
}

/*
 * Drop from v the parameters that no policy in force declares any more (a
 * policy was deleted since they were set), with a warning each.
 */
static void params_drop_undeclared(struct api *api, json_t *v)
{
	json_t *declared = engine_params_json(api->engine);
	const char *key;
	json_t *x, *tmp;

	if (!declared || !json_is_object(v))
		goto out;
	json_object_foreach_safe(v, tmp, key, x)
	{
		if (json_object_get(declared, key))
			continue;
		log_warn("parameter %s from %s/%s ignored: no policy in force "
			 "declares it",
			 key, api->conf->state_dir, PARAMS_FILE);
		json_object_del(v, key);
	}
out:
	json_decref(declared);
}

/*
 * Apply state_dir/parameters.json all or nothing (parameters no longer
 * declared aside); a file that does not parse or whose values are not
 * numbers or booleans is logged and ignored.
 */
static void params_restore(struct api *api)
{
	const char *dir = api->conf->state_dir;
	json_error_t jerr;
	json_t *v = NULL;
	char *text = NULL;
	char err[512];
	int rc;

	rc = statedir_read(dir, PARAMS_FILE, PARAMS_MAX_BYTES, &text, err,
			   sizeof(err));
	if (rc == -ENOENT)
		return;
	if (rc == 0) {
		v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
		if (!v)
			snprintf(err, sizeof(err), "line %d, column %d: %s",
				 jerr.line, jerr.column, jerr.text);
	}
	if (v)
		params_drop_undeclared(api, v);
	if (v && engine_params_update(api->engine, v, err, sizeof(err)) == 0)
		log_info("parameters restored from %s/%s", dir, PARAMS_FILE);
	else
		log_warn("%s/%s ignored: %s", dir, PARAMS_FILE, err);
	json_decref(v);
	free(text);
}

int api_init(struct api *api, struct engine *e, const struct conf *c, char *err,
	     size_t len)
{
	int n;

	*api = (struct api){.engine = e, .conf = c};
	api->overrides = polstate_new();
	if (!api->overrides) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&api->lock, NULL);
	pthread_mutex_init(&api->eval_slot, NULL);
	n = statedir_clean(c->state_dir);
	if (n > 0)
		log_info("removed %d temporary file(s) from %s", n,
			 c->state_dir);
	api_policies_restore(api);
	params_restore(api);
	return 0;
}

void api_release(struct api *api)
{
	if (!api->overrides)
		return;
	polstate_free(api->overrides);
	api->overrides = NULL;
	pthread_mutex_destroy(&api->lock);
	pthread_mutex_destroy(&api->eval_slot);
}
