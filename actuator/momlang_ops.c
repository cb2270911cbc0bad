/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_ops.c: MOM's operators and entity methods, translated into
 * expressions of our policy language (see momlang_priv.h).
 *
 * Arity follows MOM's evaluator: + - * / and the comparisons take two
 * operands, and/or/min/max one or more, valid/null any number.  `and` and
 * `or` give MOM's value, the deciding operand (logic_value()); every
 * operand is evaluated in both.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "momlang_priv.h"
#include "plan.h"

enum opk {
	OK_ARITH,
	OK_CMP,
	OK_EQ,
	OK_LOGIC,
	OK_NOT,
	OK_MINMAX,
	OK_ABS,
	OK_VALID,
	OK_NULL,
	OK_SHIFT
};

static const struct {
	const char *mom, *ours;
	enum opk k;
} optab[] = {
    {"+", "+", OK_ARITH},      {"-", "-", OK_ARITH},
    {"*", "*", OK_ARITH},      {"/", "/", OK_ARITH},
    {"<", "<", OK_CMP},	       {">", ">", OK_CMP},
    {"<=", "<=", OK_CMP},      {">=", ">=", OK_CMP},
    {"==", "==", OK_EQ},       {"!=", "!=", OK_EQ},
    {"and", "and", OK_LOGIC},  {"or", "or", OK_LOGIC},
    {"not", "not", OK_NOT},    {"min", "min", OK_MINMAX},
    {"max", "max", OK_MINMAX}, {"abs", "abs", OK_ABS},
    {"valid", NULL, OK_VALID}, {"null", NULL, OK_NULL},
    {"<<", NULL, OK_SHIFT},    {">>", NULL, OK_SHIFT},
};

/* Evaluate every argument of n from index 1. */
static int eval_args(struct conv *c, const struct mnode *n, struct sval *v)
{
	for (size_t i = 1; i < n->n; i++) {
		if (mc_eval(c, &n->kids[i], &v[i - 1]) < 0) {
			while (i-- > 1)
				sval_clear(&v[i - 1]);
			return -1;
		}
	}
	return 0;
}

static int need_num(struct conv *c, const struct mnode *at, const char *op,
		    const struct sval *v)
{
	if (v->k == SV_NUM)
		return 0;
	if (v->k == SV_BAD)
		return mc_error(c, v->at, "%s", v->why);
	return mc_error(c, at, "'%s' expects a number here, not %s", op,
			mc_kind_name(v->k));
}

static json_t *op_array(const char *op, struct sval *v, size_t n)
{
	json_t *a = json_array();

	json_array_append_new(a, json_string(op));
	for (size_t i = 0; i < n; i++) {
		json_array_append(a, v[i].e);
	}
	return a;
}

/* valid / null over n values: a numeric expression. */
static int presence(struct conv *c, const struct mnode *n, bool valid,
		    struct sval *v, size_t nv, struct sval *out)
{
	json_t *terms = json_array();

	json_array_append_new(terms, json_string(valid ? "and" : "and"));
	for (size_t i = 0; i < nv; i++) {
		if (v[i].k == SV_NUM) {
			json_array_append_new(
			    terms,
			    json_pack("[sO]", valid ? "present" : "absent",
				      v[i].e));
		} else if (v[i].k == SV_BAD) {
			json_decref(terms);
			return mc_error(c, v[i].at, "%s", v[i].why);
		} else if (!valid && v[i].k != SV_STR) {
			/* MOM: len() of an entity fails, null is false. */
			json_decref(terms);
			*out = sv_num(json_integer(0));
			return 0;
		} else if (!valid) {
			json_decref(terms);
			return mc_error(c, &n->kids[i + 1],
					"'null' of a string has no equivalent");
		}
		/* valid: a string or entity is never nil. */
	}
	if (json_array_size(terms) == 1) {
		json_decref(terms);
		*out = sv_num(json_integer(1));
	} else if (json_array_size(terms) == 2) {
		*out = sv_num(json_incref(json_array_get(terms, 1)));
		json_decref(terms);
	} else {
		*out = sv_num(terms);
	}
	return 0;
}

/* Whether expression e is 1 or 0 whenever it is a value (a comparison, a
   logical operator, a presence test, the constants 0 and 1): MOM's Python
   gave True or False there, which are 1 and 0. */
static bool is_boolean(const json_t *e)
{
	static const char *const heads[] = {
	    "<",   ">",	 "<=",	"==",	   "!=",     ">=",
	    "and", "or", "not", "present", "absent",
	};
	const char *h;

	if (json_is_number(e))
		return json_number_value(e) == 0 || json_number_value(e) == 1;
	h = json_string_value(json_array_get(e, 0));
	for (size_t i = 0; h && i < sizeof(heads) / sizeof(heads[0]); i++)
		if (strcmp(h, heads[i]) == 0)
			return true;
	return false;
}

/*
 * MOM's (and a b ...) is the first false operand or the last, (or a b ...)
 * the first true one or the last: (or Host.x 2) is 2, not 1, when x is
 * absent, and (and nil 1) is nil.  When every operand is 1 or 0 that is
 * our ["and", ...]; otherwise it is ["if", a, a, ...] (or) and
 * ["if", a, ..., a] (and), each operand that is not a name or a constant
 * bound first to a `let` (guarded by the path condition) so that it is
 * evaluated once, in order, as MOM did, and nested and/or do not copy
 * their operands.
 */
static int logic_value(struct conv *c, const struct mnode *n, bool is_and,
		       struct sval *v, size_t nv, struct sval *out)
{
	json_t *r;
	size_t k;

	for (k = 0; k < nv && is_boolean(v[k].e); k++)
		;
	if (k == nv) {
		*out = sv_num(op_array(is_and ? "and" : "or", v, nv));
		return 0;
	}
	for (k = 0; k + 1 < nv; k++) {
		json_t *e = v[k].e;

		if (json_is_string(e) || json_is_number(e) || json_is_null(e))
			continue;
		v[k].e = mc_emit_let(c, &n->kids[k + 1], is_and ? "and" : "or",
				     mc_guard(c, e, NULL));
		if (!v[k].e)
			return -1;
	}
	r = json_incref(v[nv - 1].e);
	for (k = nv - 1; k-- > 0;) {
		r = is_and ? json_pack("[sOoO]", "if", v[k].e, r, v[k].e)
			   : json_pack("[sOOo]", "if", v[k].e, v[k].e, r);
		if (!r)
			return mc_error(c, n, "out of memory");
	}
	*out = sv_num(r);
	return 0;
}

int mc_operator(struct conv *c, const struct mnode *n, struct sval *out)
{
	const char *head = n->kids[0].text;
	size_t i, nargs = n->n - 1;
	struct sval *v; /* on the heap: calls nest deeply */
	int rc = 0;

	for (i = 0; i < sizeof(optab) / sizeof(optab[0]); i++)
		if (strcmp(optab[i].mom, head) == 0)
			break;
	if (i == sizeof(optab) / sizeof(optab[0]))
		return 1;
	if (optab[i].k == OK_SHIFT)
		return mc_error(
		    c, n, "the shift operator '%s' has no equivalent", head);
	if (nargs > 64)
		return mc_error(c, n, "'%s' with more than 64 operands", head);
	switch (optab[i].k) {
	case OK_ARITH:
	case OK_CMP:
	case OK_EQ:
		if (nargs != 2)
			return mc_error(c, n, "'%s' takes 2 operands, not %zu",
					head, nargs);
		break;
	case OK_NOT:
	case OK_ABS:
		if (nargs != 1)
			return mc_error(c, n, "'%s' takes 1 operand, not %zu",
					head, nargs);
		break;
	case OK_LOGIC:
	case OK_MINMAX:
		if (nargs < 1)
			return mc_error(c, n, "'%s' takes at least 1 operand",
					head);
		break;
	default:
		break;
	}
	v = calloc(nargs + 1, sizeof(*v));
	if (!v)
		return mc_error(c, n, "out of memory");
	if (eval_args(c, n, v) < 0) {
		free(v);
		return -1;
	}
	if (optab[i].k == OK_VALID || optab[i].k == OK_NULL) {
		rc = presence(c, n, optab[i].k == OK_VALID, v, nargs, out);
		goto out;
	}
	if (optab[i].k == OK_EQ && v[0].k == SV_STR && v[1].k == SV_STR) {
		*out = sv_num(op_array(optab[i].ours, v, 2));
		goto out;
	}
	if (optab[i].k == OK_EQ && v[0].k != v[1].k && v[0].k != SV_BAD &&
	    v[1].k != SV_BAD && (v[0].k == SV_STR || v[1].k == SV_STR)) {
		/* Python: a string never equals a number or nil. */
		*out = sv_num(json_integer(strcmp(head, "!=") == 0));
		goto out;
	}
	for (size_t k = 0; k < nargs && !rc; k++)
		rc = need_num(c, &n->kids[k + 1], head, &v[k]);
	if (rc)
		goto out;
	if (optab[i].k == OK_LOGIC)
		rc = logic_value(c, n, strcmp(head, "and") == 0, v, nargs, out);
	else
		*out = sv_num(op_array(optab[i].ours, v, nargs));
out:
	for (size_t k = 0; k < nargs; k++)
		sval_clear(&v[k]);
	free(v);
	return rc;
}

/* The field's name if the entity has such a field, for a message. */
static int field_index(const struct sval *ent, const char *f)
{
	return ent->k == SV_HOST ? host_field_lookup(f) : guest_field_lookup(f);
}

static json_t *stat_expr(struct conv *c, const struct sval *ent, const char *f,
			 bool avg)
{
	const char *op = avg ? "avg" : "stat";

	if (ent->k == SV_HOST && c->in_guest)
		op = avg ? "host_avg" : "host_stat";
	return json_pack("[ss]", op, f);
}

int mc_field(struct conv *c, const struct mnode *at, const struct sval *ent,
	     const char *field, struct sval *out)
{
	if (field_index(ent, field) < 0)
		return mc_error(c, at,
				"%s '%s' does not exist here (no %s field of "
				"that name; see actuator/field.h)",
				ent->k == SV_HOST ? "Host field"
						  : "guest field",
				field, ent->k == SV_HOST ? "host" : "guest");
	*out = sv_num(stat_expr(c, ent, field, false));
	return 0;
}

/* The literal string argument i of n (a field or control name). */
static int literal_arg(struct conv *c, const struct mnode *n, size_t i,
		       const char *method, const char **s)
{
	if (n->n <= i || n->kids[i].kind != MK_STR)
		return mc_error(c, n,
				"'%s' needs a string literal as argument %zu",
				method, i);
	*s = n->kids[i].text;
	return 0;
}

static int control_ok(struct conv *c, const struct mnode *n,
		      const struct sval *ent, const char *ctl)
{
	if (ent->k == SV_HOST) {
		for (int i = 0; i < HOST_CONTROL_COUNT; i++)
			if (strcmp(host_control_names[i], ctl) == 0)
				return c->in_guest
					   ? mc_error(
						 c, n,
						 "Host.Control \"%s\" inside "
						 "(with Guests ...) has no "
						 "equivalent (host controls "
						 "are set by host code)",
						 ctl)
					   : 0;
		return mc_error(c, n,
				"the host control \"%s\" does not exist here "
				"(see Controls in policies/README.md)",
				ctl);
	}
	for (int i = 0; i < GUEST_CONTROL_COUNT; i++)
		if (strcmp(guest_control_names[i], ctl) == 0)
			return 0;
	return mc_error(c, n,
			"the guest control \"%s\" does not exist here (see "
			"Controls in policies/README.md)",
			ctl);
}

int mc_method(struct conv *c, const struct mnode *n, const struct sval *ent,
	      const char *method, struct sval *out)
{
	const char *s = NULL;
	json_t *val = NULL;

	if (strcmp(method, "Stat") == 0 || strcmp(method, "StatAvg") == 0) {
		bool avg = method[4] == 'A';

		if (n->n != (avg ? 2u : 2u) && !(!avg && n->n == 3))
			return mc_error(c, n, "'%s' takes %s", method,
					avg ? "1 argument"
					    : "1 or 2 arguments");
		if (literal_arg(c, n, 1, method, &s) < 0)
			return -1;
		if (field_index(ent, s) < 0)
			return mc_error(c, &n->kids[1],
					"%s field '%s' does not exist here "
					"(see actuator/field.h)",
					ent->k == SV_HOST ? "Host" : "guest",
					s);
		val = stat_expr(c, ent, s, avg);
		if (n->n == 3) {
			json_t *d;

			if (mc_num(c, &n->kids[2], &d) < 0) {
				json_decref(val);
				return -1;
			}
			val = json_pack("[soo]", "default", val, d);
		}
		*out = sv_num(val);
		return 0;
	}
	if (strcmp(method, "Prop") == 0) {
		if (n->n != 2 || literal_arg(c, n, 1, method, &s) < 0)
			return n->n != 2
				   ? mc_error(c, n, "'Prop' takes 1 argument")
				   : -1;
		if (ent->k != SV_GUEST || strcmp(s, "name") != 0)
			return mc_error(c, n,
					"'Prop \"%s\"' has no equivalent (only "
					"a guest's \"name\")",
					s);
		*out =
		    (struct sval){.k = SV_STR, .e = json_pack("[s]", "name")};
		return 0;
	}
	if (strcmp(method, "Control") == 0) {
		if (n->n != 3)
			return mc_error(c, n, "'Control' takes 2 arguments");
		if (literal_arg(c, n, 1, method, &s) < 0 ||
		    control_ok(c, n, ent, s) < 0 ||
		    mc_num(c, &n->kids[2], &val) < 0)
			return -1;
		if (mc_emit_set(c, n, s, val) < 0)
			return -1;
		*out = sv_num(json_null());
		return 0;
	}
	if (strcmp(method, "GetControl") == 0)
		return mc_error(c, n,
				"'GetControl' has no equivalent (a policy "
				"reads statistics, never controls)");
	if (strcmp(method, "SetVar") == 0 || strcmp(method, "GetVar") == 0)
		return mc_error(c, n,
				"'%s' has no equivalent (nothing is kept "
				"from one cycle to the next)",
				method);
	return mc_error(c, n, "'%s' is not a method of %s", method,
			mc_kind_name(ent->k));
}
