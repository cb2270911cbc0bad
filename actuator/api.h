/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api.h: the REST API: a route table from (method, path) to handlers that
 * decode the request, call the engine and encode the answer.  It owns the
 * URLs and the status codes; the engine owns the state.
 *
 * Errors are JSON {"error": CODE, "message": TEXT} with a stable CODE.
 */
#ifndef MOM_API_H
#define MOM_API_H

#include "engine.h"
#include "http.h"

struct api {
	struct engine *engine;
	const struct conf *conf;
};

/* The http_handler for the server; ctx is a struct api. */
void api_handle(void *ctx, const struct http_request *req,
		struct http_response *res);

#endif /* MOM_API_H */
