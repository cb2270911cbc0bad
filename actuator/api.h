/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h: the REST API: a route table from (method, path) to handlers that
 * decode the request, call the engine and encode the answer.  It owns the
 * URLs, the status codes and the persistence of what the API changes
 * (policies and parameters, in conf->state_dir); the engine owns the state
 * in force.  The routes are documented in actuator/openapi.json.
 *
 * Errors are JSON {"error": CODE, "message": TEXT, ...details} with a
 * stable CODE.
 *
 * Threading: handlers run on libmicrohttpd's threads, several at once.
 * Changes of policies and parameters are serialised by the composition's
 * lock (polcompose.h), which is taken before the engine's lock, never
 * after it; the engine never takes it.
 */
#ifndef MOM_API_H
#define MOM_API_H

#include <stdio.h>

#include "api_route.h"
#include "polcompose.h"

/*
 * Set up the API for engine e, whose policy set pc composes, and apply
 * state_dir/parameters.json (a file that does not validate is logged and
 * ignored, never fatal, never half-applied).  Returns 0, or -errno with
 * err filled.
 */
int api_init(struct api *api, struct engine *e, struct polcompose *pc,
	     const struct conf *c, char *err, size_t len);
void api_release(struct api *api);

/* The http_handler for the server; ctx is a struct api. */
void api_handle(void *ctx, const struct http_request *req,
		struct http_response *res);

/* Print the route table, one "METHOD PATH" per line (momd --list-routes). */
void api_routes_print(FILE *f);

/* Does a route of this method need the admin level?  (403 otherwise.) */
bool api_route_is_admin(const char *method);

#endif /* MOM_API_H */
