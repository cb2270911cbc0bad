/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_state.c: the REST routes that read the engine's state (status,
 * samples, guests, plan, actions, Prometheus text) or set its mode (dry
 * run, log level).  The bodies are rendered by api_json.c and prom.c from
 * one view of the engine (engine_view.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_json.h"
#include "api_reply.h"
#include "api_route.h"
#include "log.h"
#include "prom.h"

/* Answer the rendering of one view of the engine. */
static void reply_view(struct api *api, unsigned parts,
		       json_t *(*render)(const struct engine_view *v),
		       struct http_response *res)
{
	struct engine_view v;

	if (engine_view_take(api->engine, parts, &v) < 0)
		return; /* no body: 503 overloaded */
	api_reply(res, 200, render(&v));
	engine_view_release(api->engine, &v);
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
	reply_view(api, ENGINE_VIEW_STATUS, api_json_status, res);
}

static void get_stats(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	reply_view(api, ENGINE_VIEW_SAMPLES, api_json_stats, res);
}

static void get_guests(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	reply_view(api, ENGINE_VIEW_SAMPLES, api_json_guests, res);
}

static void get_plan(struct api *api, const struct http_request *req,
		     const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	reply_view(api, ENGINE_VIEW_PLAN, api_json_plan, res);
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

/* The engine's state and the HTTP server's counts in the Prometheus text
   format (prom.c). */
static void get_prometheus(struct api *api, const struct http_request *req,
			   const char *arg, struct http_response *res)
{
	struct http_counts hc;
	bool served = http_counts_get(req, &hc);

	(void)arg;
	res->text = prom_render_engine(api->engine, served ? &hc : NULL);
	res->content_type = PROM_CONTENT_TYPE;
	res->status = 200;
}

static const struct api_route rows[] = {
    {"GET", "/v1/ping", get_ping},
    {"POST", "/v1/metrics", post_metrics},
    {"GET", "/v1/status", get_status},
    {"GET", "/v1/stats", get_stats},
    {"GET", "/v1/guests", get_guests},
    {"GET", "/v1/plan", get_plan},
    {"GET", "/v1/actions", get_actions},
    {"GET", "/v1/log-level", get_log_level},
    {"PUT", "/v1/log-level", put_log_level},
    {"GET", "/v1/dry-run", get_dry_run},
    {"PUT", "/v1/dry-run", put_dry_run},
    {"GET", "/metrics", get_prometheus},
};

const struct api_routes api_state_routes = API_ROUTES(rows);
