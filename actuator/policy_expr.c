/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_expr.c: compiles policy expressions (JSON) into typed trees.
 *
 * An expression is a number, true/false, null, a name (a string), or an
 * array [operator, arguments...].  The operator table below fixes each
 * operator's arity and argument types; everything is checked here, once,
 * so that the evaluator needs no type or arity checks.  Names and fields
 * are resolved to indices (policy_priv.h).  Errors carry the JSON path.
 */
#define MOM_POLICY_PRIV_ALLOW
#include "policy_cc.h"

#include <string.h>

#include "field.h"
#include "glob.h"

/* Argument kinds of an operator. */
enum argk {
	AK_NUM,	  /* numeric expressions */
	AK_ANY,	  /* numbers or strings, all of one type (== and !=) */
	AK_FIELD, /* one literal field name */
	AK_LIT,	  /* one literal string */
	AK_NONE,  /* no arguments */
};

struct opdesc {
	const char *name;
	enum xop op;
	int min, max; /* arity; max -1 = unbounded */
	enum argk args;
};

static const struct opdesc ops[] = {
    {"+", XOP_ADD, 2, -1, AK_NUM},
    {"-", XOP_SUB, 1, 2, AK_NUM},
    {"*", XOP_MUL, 2, -1, AK_NUM},
    {"/", XOP_DIV, 2, 2, AK_NUM},
    {"min", XOP_MIN, 1, -1, AK_NUM},
    {"max", XOP_MAX, 1, -1, AK_NUM},
    {"abs", XOP_ABS, 1, 1, AK_NUM},
    {"<", XOP_LT, 2, 2, AK_NUM},
    {"<=", XOP_LE, 2, 2, AK_NUM},
    {">", XOP_GT, 2, 2, AK_NUM},
    {">=", XOP_GE, 2, 2, AK_NUM},
    {"==", XOP_EQ, 2, 2, AK_ANY},
    {"!=", XOP_NE, 2, 2, AK_ANY},
    {"and", XOP_AND, 1, -1, AK_NUM},
    {"or", XOP_OR, 1, -1, AK_NUM},
    {"not", XOP_NOT, 1, 1, AK_NUM},
    {"if", XOP_IF, 3, 3, AK_NUM},
    {"absent", XOP_ABSENT, 1, 1, AK_NUM},
    {"present", XOP_PRESENT, 1, 1, AK_NUM},
    {"default", XOP_DEFAULT, 2, 2, AK_NUM},
    {"stat", XOP_STAT, 1, 1, AK_FIELD},
    {"avg", XOP_AVG, 1, 1, AK_FIELD},
    {"host_stat", XOP_HSTAT, 1, 1, AK_FIELD},
    {"host_avg", XOP_HAVG, 1, 1, AK_FIELD},
    {"guest_stat", XOP_GUSTAT, 1, 1, AK_FIELD},
    {"guest_avg", XOP_GUAVG, 1, 1, AK_FIELD},
    {"name", XOP_NAME, 0, 0, AK_NONE},
    {"str", XOP_STR, 1, 1, AK_LIT},
    {"glob", XOP_GLOB, 1, 1, AK_LIT},
    /* policy_ext.c */
    {"state", XOP_STATE, 1, 1, AK_LIT},
    {"optional_stat", XOP_OSTAT, 1, 1, AK_LIT},
    {"guests_sum", XOP_GSUM, 1, 1, AK_NUM},
    {"guests_count", XOP_GCOUNT, 1, 1, AK_NUM},
};

/* The most arguments any operator takes (an expression's arrays are
   otherwise bounded only by the document's size). */
#define ARGS_MAX 1000

static const struct opdesc *op_find(const char *name)
{
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++)
		if (strcmp(ops[i].name, name) == 0)
			return &ops[i];
	return NULL;
}

static int cx_const(struct xnode *out, double k)
{
	out->op = XOP_CONST;
	out->type = XT_NUM;
	out->k = k;
	return 0;
}

int cc_resolve_name(struct cctx *c, const char *name, struct xnode *out)
{
	long long k;

	out->type = XT_NUM;
	/* A visible binding (a name is bound once, so there is one at
	   most), by the index: a rule may bind tens of thousands. */
	if ((k = cc_bind_index(c, name)) >= 0) {
		size_t i = (size_t)k;
		const struct name_bind *b = &c->binds[i];

		if (c->in_agg && c->agg_guest_rule && i >= c->nglobals)
			return cc_error(
			    c,
			    "'%s' is a variable of this guest rule; "
			    "an aggregate runs for every guest and "
			    "reads only fields, state, host "
			    "variables, parameters and defines",
			    name);
		out->op = (i < c->nglobals && b->rule != c->rule) ? XOP_GVAR
								  : XOP_VAR;
		out->idx = b->slot;
		out->s = b->name;
		return 0;
	}
	/* Parameters and defines by their indexes, not by a scan: a policy
	   may name thousands of them (policy.c). */
	if ((k = cc_param_index(c, name)) >= 0) {
		out->op = XOP_PARAM;
		out->idx = (int)k;
		out->s = c->ps->params[k].name;
		return 0;
	}
	if ((k = cc_define_index(c, name)) >= 0) {
		out->s = c->define_names[k];
		return cx_const(out, c->define_values[k]);
	}
	return cc_error(
	    c, "unknown name '%s' (not a variable, parameter or define)", name);
}

/* A field argument: resolve it in the scope the operator reads.  In a
   disk rule stat/avg read the disk, guest_stat/guest_avg its guest and
   host_stat/host_avg the host; labels say which ("guest.x", "host.x"). */
static int cx_field(struct cctx *c, struct xnode *out, const json_t *arg)
{
	bool host = out->op == XOP_HSTAT || out->op == XOP_HAVG || !c->guest;
	bool gu = out->op == XOP_GUSTAT || out->op == XOP_GUAVG;
	bool disk = c->disk && !host && !gu;
	bool avg =
	    out->op == XOP_AVG || out->op == XOP_HAVG || out->op == XOP_GUAVG;
	const char *f, *scope = host ? "host" : disk ? "disk" : "guest";
	char label[96];

	if (!json_is_string(arg))
		return cc_error(c, "'%s' takes a field name (a string)",
				out->opname);
	if (gu && !c->disk)
		return cc_error(c,
				"'%s' reads a disk's guest: it is for disk "
				"rules (a guest rule reads its own fields "
				"with stat)",
				out->opname);
	f = json_string_value(arg);
	out->idx = host	  ? host_field_lookup(f)
		   : disk ? disk_field_lookup(f)
			  : guest_field_lookup(f);
	if (out->idx < 0)
		return cc_error(c, "unknown %s field '%s'", scope, f);
	/* Host fields read from a host rule are the current entity's. */
	if (!c->guest)
		out->op = avg ? XOP_AVG : XOP_STAT;
	snprintf(label, sizeof(label), "%s%s%s%s", avg ? "avg(" : "",
		 host && c->guest ? "host."
		 : gu		  ? "guest."
				  : "",
		 f, avg ? ")" : "");
	out->s = arena_strdup(&c->ps->arena, label);
	out->type = XT_NUM;
	return out->s ? 0 : cc_error(c, "out of memory");
}

static int cx_args(struct cctx *c, const struct opdesc *d, const json_t *j,
		   int depth, struct xnode *out)
{
	size_t n = json_array_size(j) - 1;

	if (d->args == AK_FIELD || d->args == AK_LIT) {
		size_t len = cc_push_index(c, 1);
		const json_t *a = json_array_get(j, 1);
		int rc;

		if (d->args == AK_FIELD) {
			rc = cx_field(c, out, a);
		} else if (d->op == XOP_STATE || d->op == XOP_OSTAT) {
			rc = cx_ext_literal(c, out, a);
		} else if (!json_is_string(a)) {
			rc =
			    cc_error(c, "'%s' takes a literal string", d->name);
		} else if (d->op == XOP_GLOB &&
			   json_string_length(a) > GLOB_MAX_PATTERN) {
			rc = cc_error(c, "a glob pattern is at most %d bytes",
				      GLOB_MAX_PATTERN);
		} else if (d->op == XOP_GLOB &&
			   !glob_pattern_valid(json_string_value(a))) {
			rc = cc_error(c, "a glob pattern has a '[' set that is "
					 "not closed or holds [=, [. or an "
					 "unknown [:class:]");
		} else {
			out->s =
			    arena_strdup(&c->ps->arena, json_string_value(a));
			out->type = d->op == XOP_GLOB ? XT_NUM : XT_STR;
			rc = out->s ? 0 : cc_error(c, "out of memory");
		}
		cc_pop(c, len);
		return rc;
	}
	out->nargs = (uint16_t)n;
	out->args = arena_alloc(&c->ps->arena, n * sizeof(*out->args) + 1);
	if (!out->args)
		return cc_error(c, "out of memory");
	for (size_t i = 0; i < n; i++) {
		size_t len = cc_push_index(c, i + 1);
		int rc = d->args == AK_NUM
			     ? cx_num(c, json_array_get(j, i + 1), depth,
				      &out->args[i])
			     : cx_expr(c, json_array_get(j, i + 1), depth,
				       &out->args[i]);

		if (rc == 0 && i > 0 && out->args[i].type != out->args[0].type)
			rc = cc_error(
			    c, "'%s' compares a %s with a %s", d->name,
			    out->args[0].type == XT_STR ? "string" : "number",
			    out->args[i].type == XT_STR ? "string" : "number");
		cc_pop(c, len);
		if (rc)
			return rc;
	}
	if (d->args == AK_ANY && out->args[0].type == XT_STR)
		out->op = d->op == XOP_EQ ? XOP_SEQ : XOP_SNE;
	out->type = XT_NUM;
	return 0;
}

static int cx_array(struct cctx *c, const json_t *j, int depth,
		    struct xnode *out)
{
	const json_t *head = json_array_get(j, 0);
	const struct opdesc *d;
	long n = (long)json_array_size(j) - 1;

	if (!head)
		return cc_error(
		    c,
		    "empty array: an expression array starts with an operator");
	if (!json_is_string(head)) {
		size_t len = cc_push_index(c, 0);
		int rc =
		    cc_error(c, "an operator name (a string) was expected");

		cc_pop(c, len);
		return rc;
	}
	d = op_find(json_string_value(head));
	if (!d) {
		size_t len = cc_push_index(c, 0);
		int rc = cc_error(c, "unknown function '%s'",
				  json_string_value(head));

		cc_pop(c, len);
		return rc;
	}
	/* An unbounded operator still takes at most ARGS_MAX: deeper
	   sums are nested, which the depth limit bounds. */
	int most = d->max >= 0 ? d->max : ARGS_MAX;

	if (d->min == most && n != most)
		return cc_error(c, "'%s' takes %d argument%s, not %ld", d->name,
				most, most == 1 ? "" : "s", n);
	if (n < d->min)
		return cc_error(c, "'%s' takes at least %d argument%s, not %ld",
				d->name, d->min, d->min == 1 ? "" : "s", n);
	if (n > most)
		return cc_error(c, "'%s' takes at most %d arguments, not %ld",
				d->name, most, n);
	if (d->op == XOP_SUB && n == 1)
		out->op = XOP_NEG;
	else
		out->op = (uint8_t)d->op;
	if ((d->op == XOP_NAME || d->op == XOP_GLOB) && !c->guest)
		return cc_error(c, "'%s' is only meaningful in a guest rule",
				d->name);
	/* State and aggregates belong to the host and the guests; a disk
	   rule reads its disk, its guest and the host only. */
	if (c->disk && (d->op == XOP_STATE || d->op == XOP_OSTAT ||
			d->op == XOP_GSUM || d->op == XOP_GCOUNT))
		return cc_error(c, "'%s' is not available in a disk rule",
				d->name);
	out->opname = d->name;
	out->type = d->op == XOP_NAME ? XT_STR : XT_NUM;
	if (d->args == AK_NONE)
		return 0;
	if (d->op == XOP_GSUM || d->op == XOP_GCOUNT) {
		bool saved;
		size_t len;
		int rc;

		if (cx_agg_enter(c, out, &saved)) /* policy_ext.c */
			return -1;
		len = cc_push_index(c, 1);
		rc = cx_num(c, json_array_get(j, 1), depth, &out->args[0]);
		cc_pop(c, len);
		cx_agg_leave(c, saved);
		return rc;
	}
	return cx_args(c, d, j, depth, out);
}

int cx_expr(struct cctx *c, const json_t *j, int depth, struct xnode *out)
{
	if (depth >= POLICY_MAX_DEPTH)
		return cc_error(c, "nesting deeper than %d levels",
				POLICY_MAX_DEPTH);
	out->path = c->cur;
	if (cc_count_node(c))
		return -1;
	switch (json_typeof(j)) {
	case JSON_INTEGER:
	case JSON_REAL:
		return cx_const(out, json_number_value(j));
	case JSON_TRUE:
		return cx_const(out, 1);
	case JSON_FALSE:
		return cx_const(out, 0);
	case JSON_NULL:
		return cx_const(out, FIELD_ABSENT);
	case JSON_STRING:
		return cc_resolve_name(c, json_string_value(j), out);
	case JSON_ARRAY:
		return cx_array(c, j, depth + 1, out);
	default:
		return cc_error(c,
				"an expression was expected (number, boolean, "
				"null, name or array), not an object");
	}
}

int cx_num(struct cctx *c, const json_t *j, int depth, struct xnode *out)
{
	if (cx_expr(c, j, depth, out))
		return -1;
	if (out->type != XT_NUM)
		return cc_error(c, "a number was expected, not a string");
	return 0;
}

const char *cx_leaf_label(const struct xnode *n)
{
	switch (n->op) {
	case XOP_VAR:
	case XOP_GVAR:
	case XOP_PARAM:
	case XOP_STAT:
	case XOP_AVG:
	case XOP_HSTAT:
	case XOP_HAVG:
	case XOP_GUSTAT:
	case XOP_GUAVG:
	case XOP_STATE:
	case XOP_OSTAT:
		return n->s;
	default:
		return NULL;
	}
}
