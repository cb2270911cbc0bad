/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c: the REST routes.
 *
 * Every route is one row of `routes`; an unknown path answers 404 and a
 * known path with another method 405, with an Allow header's worth of
 * methods in the message.
 */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"

typedef void (*route_fn)(struct api *api, const struct http_request *req,
			 struct http_response *res);

struct route {
	const char *method;
	const char *path;
	route_fn fn;
};

static void reply(struct http_response *res, int status, json_t *body)
{
	res->status = status;
	res->json = body;
}

static void reply_error(struct http_response *res, int status,
			const char *code, const char *message)
{
	reply(res, status,
	      json_pack("{s:s, s:s}", "error", code, "message", message));
}

static bool is_json(const struct http_request *req)
{
	return strncmp(req->content_type, "application/json", 16) == 0;
}

/* Parse a JSON request body strictly; on failure answer 400 and NULL. */
static json_t *body_json(const struct http_request *req,
			 struct http_response *res)
{
	json_error_t jerr;
	json_t *v;
	char msg[256];

	if (!is_json(req)) {
		reply_error(res, 415, "unsupported_media_type",
			    "the body must be application/json");
		return NULL;
	}
	v = json_loadb(req->body, req->body_len,
		       JSON_REJECT_DUPLICATES,
		       &jerr);
	if (!v) {
		snprintf(msg, sizeof(msg), "line %d, column %d: %s", jerr.line,
			 jerr.column, jerr.text);
		reply_error(res, 400, "bad_json", msg);
	}
	return v;
}

static void get_ping(struct api *api, const struct http_request *req,
		     struct http_response *res)
{
	(void)api, (void)req;
	reply(res, 200, json_pack("{s:b}", "ok", 1));
}

static void post_metrics(struct api *api, const struct http_request *req,
			 struct http_response *res)
{
	json_t *body = NULL;
	int status;

	if (!is_json(req)) {
		reply_error(res, 415, "unsupported_media_type",
			    "the body must be application/json");
		return;
	}
	status = engine_ingest(api->engine, req->body, req->body_len, &body);
	reply(res, status, body);
}

static void get_status(struct api *api, const struct http_request *req,
		       struct http_response *res)
{
	(void)req;
	reply(res, 200, engine_status_json(api->engine));
}

static void get_stats(struct api *api, const struct http_request *req,
		      struct http_response *res)
{
	(void)req;
	reply(res, 200, engine_stats_json(api->engine));
}

static void get_guests(struct api *api, const struct http_request *req,
		       struct http_response *res)
{
	(void)req;
	reply(res, 200, engine_guests_json(api->engine));
}

static void get_plan(struct api *api, const struct http_request *req,
		     struct http_response *res)
{
	(void)req;
	reply(res, 200, engine_plan_json(api->engine));
}

static void get_actions(struct api *api, const struct http_request *req,
			struct http_response *res)
{
	const char *q = http_query(req, "limit");
	long limit = 100;
	char *end;

	if (q) {
		limit = strtol(q, &end, 10);
		if (*q == '\0' || *end || limit < 1 || limit > 1000000) {
			reply_error(res, 400, "bad_query",
				    "limit must be an integer >= 1");
			return;
		}
	}
	reply(res, 200, engine_actions_json(api->engine, (size_t)limit));
}

static void get_params(struct api *api, const struct http_request *req,
		       struct http_response *res)
{
	(void)req;
	reply(res, 200, engine_params_json(api->engine));
}

static void patch_params(struct api *api, const struct http_request *req,
			 struct http_response *res)
{
	json_t *body = body_json(req, res);
	char err[256];

	if (!body)
		return;
	if (engine_params_update(api->engine, body, err, sizeof(err)) < 0)
		reply_error(res, 400, "bad_parameter", err);
	else
		reply(res, 200, engine_params_json(api->engine));
	json_decref(body);
}

static void put_dry_run(struct api *api, const struct http_request *req,
			struct http_response *res)
{
	json_t *body = body_json(req, res), *on;

	if (!body)
		return;
	on = json_object_get(body, "enabled");
	if (!json_is_boolean(on) || json_object_size(body) != 1) {
		reply_error(res, 400, "bad_request",
			    "expected {\"enabled\": true|false}");
	} else {
		engine_set_dry_run(api->engine, json_is_true(on));
		reply(res, 200,
		      json_pack("{s:b}", "enabled",
				engine_dry_run(api->engine)));
	}
	json_decref(body);
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
	{"PUT", "/v1/dry-run", put_dry_run},
};

void api_handle(void *ctx, const struct http_request *req,
		struct http_response *res)
{
	struct api *api = ctx;
	bool path_known = false;

	for (size_t i = 0; i < sizeof(routes) / sizeof(routes[0]); i++) {
		if (strcmp(routes[i].path, req->path) != 0)
			continue;
		path_known = true;
		if (strcmp(routes[i].method, req->method) == 0) {
			routes[i].fn(api, req, res);
			if (!res->json && !res->text)
				reply_error(res, 500, "internal",
					    "out of memory");
			return;
		}
	}
	if (path_known)
		reply_error(res, 405, "method_not_allowed",
			    "this path does not take that method");
	else
		reply_error(res, 404, "not_found", "no such path");
}
