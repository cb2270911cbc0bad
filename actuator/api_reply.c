/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_reply.c: reply and request-body helpers of the REST handlers (see
 * api_reply.h).
 */
#include "api_reply.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonlimit.h"
#include "jsontext.h"
#include "policy_error.h"

json_t *api_json_text(const char *s)
{
	return json_text_new(s);
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

	if (policy_error_is_oom(perr)) {
		api_reply_error(res, 503, "overloaded", "out of memory");
		return;
	}
	policy_error_format(perr, msg, sizeof(msg));
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
				    "message", api_json_text(msg), "line",
				    jerr.line, "column", jerr.column));
	}
	return v;
}
