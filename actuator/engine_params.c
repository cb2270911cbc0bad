/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine_params.c: the parameter values set through the API (engine.h):
 * their view with the policies' defaults, a checked merge, and putting
 * values in force.  Under the engine's lock; the cycle reads them there
 * (params_locked in engine.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine.h"
#include "engine_priv.h"

json_t *engine_params_json(struct engine *e)
{
	json_t *o = json_object();
	const struct policy_set *ps;

	pthread_mutex_lock(&e->lock);
	ps = e->policies->ps;
	for (size_t i = 0; o && i < policy_set_param_count(ps); i++) {
		const char *name = policy_set_param_name(ps, i);
		json_t *v = json_object_get(e->params, name);

		json_object_set_new(
		    o, name,
		    v ? json_copy(v)
		      : json_real(policy_set_param_default(ps, i)));
	}
	pthread_mutex_unlock(&e->lock);
	return o;
}

int engine_params_merge(struct engine *e, const json_t *updates, json_t **out,
			char *err, size_t len)
{
	const char *key;
	json_t *v;
	json_t *next;
	int rc = -EINVAL;

	*out = NULL;
	if (!json_is_object(updates)) {
		snprintf(err, len, "parameters must be a JSON object");
		return -EINVAL;
	}
	pthread_mutex_lock(&e->lock);
	next = json_deep_copy(e->params);
	if (!next) {
		rc = -ENOMEM;
		snprintf(err, len, "out of memory");
		goto out;
	}
	/* Check everything before changing anything. */
	json_object_foreach((json_t *)updates, key, v)
	{
		double x;

		if (policy_set_param_index(e->policies->ps, key) < 0) {
			snprintf(err, len, "unknown parameter \"%s\"", key);
			goto out;
		}
		if (json_is_boolean(v))
			x = json_is_true(v);
		else if (json_is_number(v))
			x = json_number_value(v);
		else {
			snprintf(err, len,
				 "parameter \"%s\": expected a number or a "
				 "boolean",
				 key);
			goto out;
		}
		/* A value dropped here would be answered 200 unset. */
		if (json_object_set_new(next, key, json_real(x)) < 0) {
			rc = -ENOMEM;
			snprintf(err, len, "out of memory");
			goto out;
		}
	}
	pthread_mutex_unlock(&e->lock);
	*out = next;
	return 0;
out:
	pthread_mutex_unlock(&e->lock);
	json_decref(next);
	return rc;
}

int engine_params_update(struct engine *e, const json_t *updates, char *err,
			 size_t len)
{
	json_t *next;
	int rc = engine_params_merge(e, updates, &next, err, len);

	if (rc == 0)
		engine_params_restore(e, next);
	return rc;
}

json_t *engine_params_set_json(struct engine *e)
{
	json_t *o;

	pthread_mutex_lock(&e->lock);
	o = json_deep_copy(e->params);
	pthread_mutex_unlock(&e->lock);
	return o;
}

void engine_params_restore(struct engine *e, json_t *values)
{
	if (!values)
		return;
	pthread_mutex_lock(&e->lock);
	json_decref(e->params);
	e->params = values;
	pthread_mutex_unlock(&e->lock);
}
