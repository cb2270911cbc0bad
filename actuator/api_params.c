/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_params.c: the parameter routes (GET and PATCH /v1/parameters) and
 * the restoring of state_dir/parameters.json at start-up.  A change is
 * checked, persisted, then put in force, under the composition's lock
 * (polcompose.h), which serialises it with the policy changes.
 */
#include "api_params.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "api_reply.h"
#include "log.h"
#include "polcompose.h"
#include "statedir.h"

#define PARAMS_FILE "parameters.json"
/* What start-up reads back, and so what a change may write: a file over
   it would be ignored at the next start. */
#define PARAMS_MAX_BYTES (1u << 20)

static void get_params(struct api *api, const struct http_request *req,
		       const char *arg, struct http_response *res)
{
	(void)req, (void)arg;
	api_reply(res, 200, engine_params_json(api->engine));
}

/* Write set (the values set through the API) to state_dir; caller holds
   lock.  0, 1 (written, with a warning in err) or -errno: -EFBIG when the
   file would be over PARAMS_MAX_BYTES (nothing written). */
static int params_save_locked(struct api *api, const json_t *set, char *err,
			      size_t len)
{
	char *text = json_dumps(set, JSON_INDENT(2) | JSON_SORT_KEYS);
	int rc;

	if (!text) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	rc = statedir_fits(PARAMS_FILE, strlen(text), PARAMS_MAX_BYTES, err,
			   len);
	if (rc == 0)
		rc = statedir_write(api->conf->state_dir, PARAMS_FILE, text,
				    strlen(text), 0644, err, len);
	free(text);
	return rc;
}

/* Checked, persisted, then put in force: a cycle never acts on values
   that fail to persist. */
static void patch_params(struct api *api, const struct http_request *req,
			 const char *arg, struct http_response *res)
{
	json_t *body = api_body_json(req, res), *next;
	char err[512];
	int rc;

	(void)arg;
	if (!body)
		return;
	polcompose_lock(api->policies);
	rc = engine_params_merge(api->engine, body, &next, err, sizeof(err));
	if (rc == -ENOMEM) {
		api_reply_error(res, 503, "overloaded", err);
	} else if (rc < 0) {
		api_reply_error(res, 400, "bad_parameter", err);
	} else if ((rc = params_save_locked(api, next, err, sizeof(err))) ==
		   -EFBIG) {
		json_decref(next);
		api_reply_error(res, 413, "too_large", err);
	} else if (rc < 0) {
		json_decref(next);
		log_err("parameters not changed: %s", err);
		api_reply_error(res, 500, "persist_failed", err);
	} else {
		if (rc > 0)
			log_warn("parameters: %s", err);
		engine_params_restore(api->engine, next);
		log_info("parameters updated through the API");
		api_reply(res, 200, engine_params_json(api->engine));
	}
	polcompose_unlock(api->policies);
	json_decref(body);
}

/*
 * Drop from v the parameters that no policy in force declares any more (a
 * policy was deleted since they were set), with a warning each.
 */
static void params_drop_undeclared(struct api *api, json_t *v)
{
	json_t *declared = engine_params_json(api->engine);
	const char *key;
	json_t *x, *tmp;

	if (!declared || !json_is_object(v))
		goto out;
	json_object_foreach_safe(v, tmp, key, x)
	{
		if (json_object_get(declared, key))
			continue;
		log_warn("parameter %s from %s/%s ignored: no policy in force "
			 "declares it",
			 key, api->conf->state_dir, PARAMS_FILE);
		json_object_del(v, key);
	}
out:
	json_decref(declared);
}

void api_params_restore(struct api *api)
{
	const char *dir = api->conf->state_dir;
	json_error_t jerr;
	json_t *v = NULL;
	char *text = NULL;
	char err[512];
	int rc;

	rc = statedir_read(dir, PARAMS_FILE, PARAMS_MAX_BYTES, &text, err,
			   sizeof(err));
	if (rc == -ENOENT)
		return;
	if (rc == 0) {
		v = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
		rc = v ? 0 : -EINVAL;
		if (!v)
			snprintf(err, sizeof(err), "line %d, column %d: %s",
				 jerr.line, jerr.column, jerr.text);
	}
	if (v)
		params_drop_undeclared(api, v);
	if (v)
		rc = engine_params_update(api->engine, v, err, sizeof(err));
	if (rc == 0) {
		log_info("parameters restored from %s/%s", dir, PARAMS_FILE);
	} else {
		/* Set aside when its content is wrong: the next PATCH
		   writes the values then in force and would overwrite it. */
		char note[1024];

		statedir_ignore(dir, PARAMS_FILE, rc == -EINVAL || rc == -EFBIG,
				note, sizeof(note));
		log_warn("%s/%s ignored: %s%s", dir, PARAMS_FILE, err, note);
	}
	json_decref(v);
	free(text);
}

static const struct api_route rows[] = {
    {"GET", "/v1/parameters", get_params},
    {"PATCH", "/v1/parameters", patch_params},
};

const struct api_routes api_params_routes = API_ROUTES(rows);
