/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_reply.h: the REST layer's reply and request-body helpers, shared by
 * every handler file.  They know HTTP (http.h) and JSON, nothing of the
 * engine or of the routes.
 */
#ifndef MOM_API_REPLY_H
#define MOM_API_REPLY_H

#include <stdbool.h>

#include <jansson.h>

#include "http.h"
#include "policy.h"

/*
 * A JSON string of s for an error body (new reference, NULL when out of
 * memory).  Messages quote client text, possibly cut inside a multi-byte
 * character by a bounded buffer; jansson refuses what is not UTF-8, which
 * would turn a 400 into a 503, so such bytes become '?'.
 */
json_t *api_json_text(const char *s);

/* Set the status and the body (reference stolen). */
void api_reply(struct http_response *res, int status, json_t *body);
/* An error body {"error": code, "message": message}. */
void api_reply_error(struct http_response *res, int status, const char *code,
		     const char *message);
/* 400 with the loader's policy, path, line and column (code e.g.
   "invalid_policy"); 503 overloaded when the loader ran out of memory. */
void api_reply_policy_error(struct http_response *res, const char *code,
			    const struct policy_error *perr);
/*
 * Parse the request body strictly (duplicate keys refused); answers 415 or
 * 400 and returns NULL when it is not JSON.
 */
json_t *api_body_json(const struct http_request *req,
		      struct http_response *res);
/* The body's media type is application/json; answers 415 when not. */
bool api_body_is_json(const struct http_request *req,
		      struct http_response *res);

#endif /* MOM_API_REPLY_H */
