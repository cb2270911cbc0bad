/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_policy.h: what the policy routes (api_policy.c) lend the other
 * handler files: reading a policy set from a request (POST /v1/evaluate
 * tries one without putting it in force).
 */
#ifndef MOM_API_POLICY_H
#define MOM_API_POLICY_H

#include <stdbool.h>

#include <jansson.h>

#include "http.h"
#include "policy.h"

/* The body is MOM policy-language text (Content-Type text/x-mom-policy). */
bool api_body_is_mom(const struct http_request *req);
/*
 * The MOM text body converted into a JSON policy text named name (a new
 * string, compact, at most max_out bytes: max_body, so a stored policy is
 * no larger than a request may be); NULL with 400 invalid_policy (line,
 * column, construct) or bad_request already answered.
 */
char *api_body_mom_policy(const struct http_request *req, const char *name,
			  size_t max_out, struct http_response *res);
/* The policy name a MOM text gets when it replaces the whole set (MOM's
   setPolicy). */
#define API_MOM_MAIN_POLICY "50_main_"

/*
 * Load {name: document-or-text} into a validated policy set; NULL with
 * the error already answered (400).
 */
struct policy_set *api_policies_from_json(const json_t *policies,
					  struct http_response *res);

#endif /* MOM_API_POLICY_H */
