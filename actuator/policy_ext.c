/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_ext.c: the compiler's part for what the adaptive policies need
 * beyond MOM's language (policies/README.md, "Aggregates and state"):
 *
 *   "state": {"k": {"scope": "guest", "description": "..."}}  declarations
 *   ["state", "k"]           the entity's value of k from the last cycle
 *   {"keep": "k", "to": e}   the entity's value of k for the next cycle
 *   ["guests_sum", e]        e summed over every guest (absent skipped)
 *   ["guests_count", e]      the number of guests for which e is true
 *   ["optional_stat", "f"]   field f, or absent when this build lacks f
 *
 * Kept apart from policy.c and policy_expr.c so the language's MOM core
 * stays as it was.  The expressions inside are compiled by their callers
 * (policy_expr.c, policy.c), so this file calls neither.  An aggregate's
 * expression runs once per guest, so it may read fields, state, host variables,
 * parameters and defines, but not the lets of the guest rule it sits in (they
 * differ per guest) and no other aggregate (the cost stays one pass over the
 * guests per aggregate; the evaluator caches each aggregate's value for the
 * cycle).
 */
#define MOM_POLICY_PRIV_ALLOW
#include "policy_cc.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "field.h"

static int state_find(const struct policy_set *ps, const char *name)
{
	for (size_t i = 0; i < ps->nstate; i++)
		if (strcmp(ps->state_names[i], name) == 0)
			return (int)i;
	return -1;
}

static int cc_one_state(struct cctx *c, const char *name, const json_t *d)
{
	static const char *const keys[] = {"scope", "description", NULL};
	struct policy_set *ps = c->ps;
	const json_t *scope = json_object_get(d, "scope");
	const json_t *desc = json_object_get(d, "description");
	const char *sv;
	bool guest;
	int i;

	if (cc_name(c, name))
		return -1;
	if (!json_is_object(d))
		return cc_error(c, "a state key is an object {\"scope\": "
				   "\"guest\" or \"host\"}");
	if (cc_keys(c, d, keys))
		return -1;
	if (desc && !json_is_string(desc))
		return cc_error(c, "'description' is a string");
	sv = json_string_value(scope);
	if (!sv || (strcmp(sv, "guest") != 0 && strcmp(sv, "host") != 0))
		return cc_error(c, "'scope' is \"guest\" or \"host\"");
	guest = sv[0] == 'g';
	i = state_find(ps, name);
	if (i >= 0) {
		if (ps->state_guest[i] != guest)
			return cc_error(c,
					"state '%s' is declared with another "
					"scope by an earlier policy",
					name);
		return 0;
	}
	if (ps->nstate == EVSTATE_MAX_KEYS)
		return cc_error(c, "more than %d state keys in the set",
				EVSTATE_MAX_KEYS);
	ps->state_names[ps->nstate] = arena_strdup(&ps->arena, name);
	if (!ps->state_names[ps->nstate])
		return cc_error(c, "out of memory");
	ps->state_guest[ps->nstate++] = guest;
	return 0;
}

int cc_state_decls(struct cctx *c, const json_t *o)
{
	const char *name;
	json_t *v;

	if (!json_is_object(o))
		return cc_error(c, "'state' is an object of name: {\"scope\": "
				   "...}");
	json_object_foreach((json_t *)o, name, v)
	{
		size_t len = cc_push_key(c, name);
		int rc = cc_one_state(c, name, v);

		cc_pop(c, len);
		if (rc)
			return rc;
	}
	return 0;
}

/* The scope the current expression reads: a guest inside an aggregate. */
static int state_key(struct cctx *c, const char *name, int *idx)
{
	const char *want = c->guest ? "guest" : "host";

	*idx = state_find(c->ps, name);
	if (*idx < 0)
		return cc_error(c,
				"unknown state '%s' (declare it in a policy's "
				"\"state\")",
				name);
	if (c->ps->state_guest[*idx] != c->guest)
		return cc_error(c, "state '%s' is not a %s's state", name,
				want);
	return 0;
}

int cx_ext_literal(struct cctx *c, struct xnode *out, const json_t *arg)
{
	char label[96];
	const char *s;

	if (!json_is_string(arg))
		return cc_error(c, "'%s' takes a literal name", out->opname);
	s = json_string_value(arg);
	if (out->op == XOP_STATE) {
		if (state_key(c, s, &out->idx))
			return -1;
		snprintf(label, sizeof(label), "state.%s", s);
	} else { /* XOP_OSTAT */
		if (!evstate_name_valid(s))
			return cc_error(c, "'%.64s' is not a field name", s);
		out->idx =
		    c->guest ? guest_field_lookup(s) : host_field_lookup(s);
		snprintf(label, sizeof(label), "%s", s);
	}
	out->type = XT_NUM;
	out->s = arena_strdup(&c->ps->arena, label);
	return out->s ? 0 : cc_error(c, "out of memory");
}

int cx_agg_enter(struct cctx *c, struct xnode *out, bool *saved)
{
	if (c->in_agg)
		return cc_error(c, "'%s' inside another aggregate",
				out->opname);
	out->nargs = 1;
	out->args = arena_alloc(&c->ps->arena, sizeof(*out->args));
	if (!out->args)
		return cc_error(c, "out of memory");
	out->idx = (int)c->ps->naggs++;
	out->type = XT_NUM;
	*saved = c->guest;
	c->in_agg = true;
	c->agg_guest_rule = c->guest;
	c->guest = true; /* the inside reads each guest's fields */
	return 0;
}

void cx_agg_leave(struct cctx *c, bool saved)
{
	c->guest = saved;
	c->in_agg = false;
}

int cc_keep_key(struct cctx *c, const json_t *st, struct stmt *s)
{
	static const char *const keys[] = {"keep", "to", NULL};
	const json_t *k = json_object_get(st, "keep");
	size_t len;
	int rc;

	if (cc_keys(c, st, keys))
		return -1;
	s->op = SOP_KEEP;
	len = cc_push_key(c, "keep");
	rc = json_is_string(k)
		 ? state_key(c, json_string_value(k), &s->control)
		 : cc_error(c, "'keep' names a state key (a string)");
	cc_pop(c, len);
	if (!rc && !json_object_get(st, "to"))
		rc = cc_error(c, "'keep' needs \"to\" (null forgets)");
	return rc;
}
