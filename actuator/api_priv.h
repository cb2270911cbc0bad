/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_priv.h: what the API's source files share: reply helpers and the
 * handlers of api_policy.c.  Not a public header.
 */
#ifndef MOM_API_PRIV_H
#define MOM_API_PRIV_H

#include <jansson.h>

#include "api.h"
#include "policy.h"

/* A handler; arg is the {name} path segment, or NULL. */
typedef void (*api_route_fn)(struct api *api, const struct http_request *req,
			     const char *arg, struct http_response *res);

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
/* 400 invalid_policy with the loader's policy, path, line and column. */
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

/* The body is MOM policy-language text (Content-Type text/x-mom-policy). */
bool api_body_is_mom(const struct http_request *req);
/*
 * The MOM text body converted into a JSON policy text named name (a new
 * string); NULL with 400 invalid_policy (line, column, construct) or
 * bad_request already answered.
 */
char *api_body_mom_policy(const struct http_request *req, const char *name,
			  struct http_response *res);
/* The policy name a MOM text gets when it replaces the whole set (MOM's
   setPolicy). */
#define API_MOM_MAIN_POLICY "50_main_"

/*
 * Load {name: document-or-text} into a validated policy set; NULL with
 * the error already answered (400).
 */
struct policy_set *api_policies_from_json(const json_t *policies,
					  struct http_response *res);

/* Handlers of api_policy.c. */
void api_get_policies(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res);
void api_put_policies(struct api *api, const struct http_request *req,
		      const char *arg, struct http_response *res);
void api_delete_policies(struct api *api, const struct http_request *req,
			 const char *arg, struct http_response *res);
void api_get_policy(struct api *api, const struct http_request *req,
		    const char *arg, struct http_response *res);
void api_put_policy(struct api *api, const struct http_request *req,
		    const char *arg, struct http_response *res);
void api_delete_policy(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res);
void api_get_effective(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res);

/* Load the persisted overrides at start-up (api_init). */
void api_policies_restore(struct api *api);

#endif /* MOM_API_PRIV_H */
