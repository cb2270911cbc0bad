/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.c: the REST API's dispatch over the handler files' route tables,
 * and its set-up.  The routes themselves are in api_state.c (state, mode),
 * api_params.c, api_policy.c and api_eval.c; actuator/openapi.json
 * documents every row (tests/it/openapi.sh compares them).
 *
 * A path matches a row exactly, or a row ending in "/{name}" with one more
 * non-empty segment.  An unknown path answers 404; a known path with
 * another method 405 with an Allow header, except that the read level
 * gets 403 for PUT, PATCH and DELETE on every known path.
 */
#include "api.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_params.h"
#include "api_reply.h"

/* Every handler file's table, in the order --list-routes prints them. */
static const struct api_routes *const tables[] = {
    &api_state_routes,
    &api_params_routes,
    &api_policy_routes,
    &api_eval_routes,
};

#define NTABLES (sizeof(tables) / sizeof(tables[0]))

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

	for (size_t t = 0; t < NTABLES; t++) {
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct api_route *r = &tables[t]->rows[i];

			if (!route_match(r->path, path, &arg))
				continue;
			used += (size_t)snprintf(
			    res->allow + used, sizeof(res->allow) - used,
			    "%s%s", used ? ", " : "", r->method);
			if (used >= sizeof(res->allow))
				return;
		}
	}
}

/* The read level's refusal of an administration method. */
static void reply_forbidden(struct http_response *res)
{
	api_reply_error(res, 403, "forbidden",
			"this socket or token may read and ingest only; "
			"changes need the admin socket or token");
}

/*
 * Is method one that some administration route takes (PUT, PATCH,
 * DELETE)?  The read level gets 403 for it on every known path, also one
 * that lacks it: README promises 403 for every PUT, PATCH and DELETE,
 * and a 405 would tell a read client what admin could not do either.
 */
static bool method_is_admin(const char *method)
{
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			if (api_route_is_admin(tables[t]->rows[i].method) &&
			    strcmp(tables[t]->rows[i].method, method) == 0)
				return true;
	return false;
}

static void route_run(struct api *api, const struct api_route *r,
		      const struct http_request *req, const char *arg,
		      struct http_response *res)
{
	if (req->read_only && api_route_is_admin(r->method)) {
		reply_forbidden(res);
		return;
	}
	r->fn(api, req, arg, res);
	if (!res->json && !res->text)
		api_reply_error(res, 503, "overloaded", "out of memory");
}

void api_handle(void *ctx, const struct http_request *req,
		struct http_response *res)
{
	struct api *api = ctx;
	bool path_known = false;
	const char *arg;

	for (size_t t = 0; t < NTABLES; t++) {
		for (size_t i = 0; i < tables[t]->n; i++) {
			const struct api_route *r = &tables[t]->rows[i];

			if (!route_match(r->path, req->path, &arg))
				continue;
			path_known = true;
			if (strcmp(r->method, req->method) != 0)
				continue;
			route_run(api, r, req, arg, res);
			return;
		}
	}
	if (path_known && req->read_only && method_is_admin(req->method)) {
		reply_forbidden(res);
	} else if (path_known) {
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
	for (size_t t = 0; t < NTABLES; t++)
		for (size_t i = 0; i < tables[t]->n; i++)
			fprintf(f, "%s %s\n", tables[t]->rows[i].method,
				tables[t]->rows[i].path);
}

int api_init(struct api *api, struct engine *e, struct polcompose *pc,
	     const struct conf *c, char *err, size_t len)
{
	(void)err, (void)len;
	*api = (struct api){.engine = e, .conf = c, .policies = pc};
	pthread_mutex_init(&api->eval_slot, NULL);
	api_params_restore(api);
	return 0;
}

void api_release(struct api *api)
{
	if (!api->policies)
		return;
	api->policies = NULL;
	pthread_mutex_destroy(&api->eval_slot);
}
