/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_route.h: what a REST handler file needs to know of the API: the
 * context every handler gets (struct api) and the shape of a route row.
 * Each handler file (api_state.c, api_params.c, api_eval.c, api_policy.c)
 * exports its own table of rows; api.c dispatches over the tables and is
 * the only file that knows them all, so no handler file depends on api.c.
 */
#ifndef MOM_API_ROUTE_H
#define MOM_API_ROUTE_H

#include <pthread.h>
#include <stddef.h>

#include "conf.h"
#include "engine.h"
#include "http.h"

struct polcompose;

struct api {
	struct engine *engine;
	const struct conf *conf;
	/* the policy set's composition; its lock also serialises the
	   parameter changes and their file (polcompose.h) */
	struct polcompose *policies;
	pthread_mutex_t eval_slot; /* one POST /v1/evaluate at a time */
};

/* A handler; arg is the {name} path segment, or NULL. */
typedef void (*api_route_fn)(struct api *api, const struct http_request *req,
			     const char *arg, struct http_response *res);

/*
 * One row: a path matches exactly, or a path ending in "/{name}" matches
 * one more non-empty segment.
 */
struct api_route {
	const char *method;
	const char *path;
	api_route_fn fn;
};

/* A handler file's table. */
struct api_routes {
	const struct api_route *rows;
	size_t n;
};

#define API_ROUTES(a)                                                          \
	{                                                                      \
		(a), sizeof(a) / sizeof((a)[0])                                \
	}

/* The tables of the handler files. */
extern const struct api_routes api_state_routes;  /* api_state.c */
extern const struct api_routes api_params_routes; /* api_params.c */
extern const struct api_routes api_policy_routes; /* api_policy.c */
extern const struct api_routes api_eval_routes;	  /* api_eval.c */

#endif /* MOM_API_ROUTE_H */
