/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_eval.c: the dry-run evaluation route (POST /v1/evaluate): the set in
 * force or a supplied one, against the current samples or a supplied case.
 * Nothing is changed.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_policy.h"
#include "api_reply.h"
#include "api_route.h"
#include "evalcase.h"
#include "log.h"

/* Check that body has only the keys in allowed (NULL-terminated). */
static bool keys_known(const json_t *body, const char *const *allowed,
		       struct http_response *res)
{
	const char *key;
	json_t *v;
	char msg[128];

	json_object_foreach((json_t *)body, key, v)
	{
		size_t i = 0;

		while (allowed[i] && strcmp(allowed[i], key) != 0)
			i++;
		if (!allowed[i]) {
			snprintf(msg, sizeof(msg), "unknown key \"%.64s\"",
				 key);
			api_reply_error(res, 400, "bad_request", msg);
			return false;
		}
	}
	return true;
}

static void evaluate_reply(struct api *api, struct policy_set *ps,
			   struct evalcase *ec, struct http_response *res)
{
	bool no_state, over;
	json_t *plan;

	plan =
	    engine_evaluate(api->engine, ps, ec ? evalcase_snapshot(ec) : NULL,
			    &no_state, &over);
	if (plan)
		api_reply(res, 200,
			  json_pack("{s:o, s:s, s:s}", "plan", plan, "policies",
				    ps ? "supplied" : "current", "state",
				    ec ? "case" : "current"));
	else if (no_state)
		api_reply_error(res, 409, "no_state",
				"no host sample yet: supply a \"case\"");
	else if (over)
		api_reply_error(res, 503, "over_budget",
				"the evaluation took longer than "
				"eval_budget_ms; nothing was changed");
	else
		api_reply_error(res, 503, "overloaded", "out of memory");
}

struct params_check {
	const struct evalcase *ec;
	struct policy_error *err;
	int rc;
};

static void params_check_in_force(const struct policy_set *ps, void *arg)
{
	struct params_check *pc = arg;

	pc->rc = evalcase_check_params(pc->ec, ps, pc->err);
}

/* Whether every parameter the case sets is declared by the set it is
   evaluated with (ps, or the set in force when NULL), as `momd
   --evaluate` requires: a typo would otherwise evaluate the default. */
static bool case_params_known(struct api *api, const struct policy_set *ps,
			      const struct evalcase *ec,
			      struct http_response *res)
{
	struct policy_error err = {0};
	struct params_check pc = {ec, &err, 0};

	if (ps)
		pc.rc = evalcase_check_params(ec, ps, &err);
	else
		engine_with_policies(api->engine, params_check_in_force, &pc);
	if (pc.rc == 0)
		return true;
	api_reply_policy_error(res, "invalid_case", &err);
	return false;
}

/*
 * Take the evaluation slot, or answer 503 busy at once.  Waiting for it
 * would hold this listener thread, and each of libmicrohttpd's threads
 * serves all its connections: a client keeping two evaluations in flight
 * held both threads of a listener, and ingest and reads on that socket
 * stalled with them.  Without waiting, at most one listener thread in the
 * process is ever inside an evaluation.
 */
static bool eval_slot_take(struct api *api, struct http_response *res)
{
	if (pthread_mutex_trylock(&api->eval_slot) == 0)
		return true;
	api_reply_error(res, 503, "busy",
			"another evaluation is running; try again");
	return false;
}

/*
 * Dry-run evaluation: {"policies": {...}, "case": {...}}, both optional
 * (an empty body evaluates the set in force against the current state),
 * or a MOM policy text, the whole set to try against the current state.
 * Nothing is changed.  Reading the body, compiling and evaluating hold the
 * evaluation slot, whichever form the policies came in.
 */
static void post_evaluate(struct api *api, const struct http_request *req,
			  const char *arg, struct http_response *res)
{
	static const char *const keys[] = {"policies", "case", NULL};
	struct policy_set *ps = NULL;
	struct evalcase *ec = NULL;
	struct policy_error perr;
	json_t *body = NULL, *pol, *cs;

	(void)arg;
	/* Taken before the body is read: converting a MOM text expands its
	   function calls, work of its own to bound with the rest. */
	if (!eval_slot_take(api, res))
		return;
	if (api_body_is_mom(req)) {
		char *text = api_body_mom_policy(req, API_MOM_MAIN_POLICY,
						 api->conf->max_body, res);

		if (!text)
			goto out;
		body = json_pack("{s:{s:s}}", "policies", API_MOM_MAIN_POLICY,
				 text);
		free(text);
		if (!body) {
			api_reply_error(res, 503, "overloaded",
					"out of memory");
			goto out;
		}
	} else if (req->body_len > 0) {
		body = api_body_json(req, res);
		if (!body)
			goto out;
		if (!json_is_object(body)) {
			api_reply_error(res, 400, "bad_request",
					"expected a JSON object");
			goto out;
		}
		if (!keys_known(body, keys, res))
			goto out;
	}
	pol = json_object_get(body, "policies");
	cs = json_object_get(body, "case");
	if (pol && !(ps = api_policies_from_json(pol, res)))
		goto out;
	if (cs && !(ec = evalcase_from_json(cs, &perr))) {
		api_reply_policy_error(res, "invalid_case", &perr);
		goto out;
	}
	if (ec && !case_params_known(api, ps, ec, res))
		goto out;
	evaluate_reply(api, ps, ec, res);
out:
	pthread_mutex_unlock(&api->eval_slot);
	evalcase_free(ec);
	policy_set_free(ps);
	json_decref(body);
}

static const struct api_route rows[] = {
    {"POST", "/v1/evaluate", post_evaluate},
};

const struct api_routes api_eval_routes = API_ROUTES(rows);
