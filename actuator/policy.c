/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.c: loads, validates and compiles a set of named JSON policies.
 *
 * Loading has two passes over the policies in name order.  The first parses
 * every text strictly (duplicate keys rejected) and collects the defines
 * and parameter defaults of all policies, a later policy overriding an
 * earlier one.  The second compiles the host, guest and disk rules in
 * program order (policy by policy, host rules, then guest rules, then disk
 * rules), so a name is
 * visible exactly where the evaluator will have computed it.  Expressions
 * are compiled by policy_expr.c, the error, path and node budget are kept
 * by the compile context (policy_cc.c) and the tree lives in an arena
 * (arena.c).  Nothing is produced unless everything validates; the first
 * error is reported with its policy and JSON path.
 *
 * This module does no logging and no I/O: policy_set_load_dir() is in
 * policy_dir.c.
 */
#include "policy.h"

#define MOM_POLICY_PRIV_ALLOW
#include "policy_cc.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field.h"
#include "jsonlimit.h"

/* ---- defines and parameters (pass 1) ---- */

/* A later define of a name overrides its value in place; the index
   finds it without comparing with every define before it. */
static int defines_put(struct cctx *c, const char *name, double v)
{
	long long i = cc_define_index(c, name);

	if (i >= 0) {
		c->define_values[i] = v;
		return 0;
	}
	/* The arrays were sized for every define of every policy. */
	c->define_names[c->ndefines] = arena_strdup(&c->ps->arena, name);
	if (!c->define_names[c->ndefines] ||
	    cc_name_index_add(c, c->define_index, c->define_names[c->ndefines],
			      c->ndefines))
		return cc_error(c, "out of memory");
	c->define_values[c->ndefines++] = v;
	return 0;
}

/* A later default of a parameter overrides it in place, found by the
   set's index (kept: policy_set_param_index reads it at run time). */
static int params_put(struct cctx *c, const char *name, double v)
{
	struct policy_set *ps = c->ps;
	long long i = cc_param_index(c, name);

	if (i >= 0) {
		ps->params[i].def = v;
		return 0;
	}
	ps->params[ps->nparams].name = arena_strdup(&ps->arena, name);
	if (!ps->params[ps->nparams].name ||
	    cc_name_index_add(c, ps->param_index, ps->params[ps->nparams].name,
			      ps->nparams))
		return cc_error(c, "out of memory");
	ps->params[ps->nparams++].def = v;
	return 0;
}

static int number_or_bool(const json_t *v, double *out)
{
	if (json_is_boolean(v))
		*out = json_is_true(v) ? 1 : 0;
	else if (json_is_number(v))
		*out = json_number_value(v);
	else
		return -1;
	return 0;
}

static int cc_one_define(struct cctx *c, const char *name, const json_t *v)
{
	double d;

	if (cc_name(c, name))
		return -1;
	if (number_or_bool(v, &d))
		return cc_error(c, "a define is a number or a boolean");
	if (cc_param_index(c, name) >= 0)
		return cc_error(c, "'%s' is both a define and a parameter",
				name);
	return defines_put(c, name, d);
}

static int cc_defines(struct cctx *c, const json_t *o)
{
	const char *name;
	json_t *v;

	if (!json_is_object(o))
		return cc_error(c, "'defines' is an object of name: number");
	json_object_foreach((json_t *)o, name, v)
	{
		size_t len = cc_push_key(c, name);
		int rc = cc_one_define(c, name, v);

		cc_pop(c, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int cc_one_param(struct cctx *c, const char *name, const json_t *p)
{
	static const char *const keys[] = {"default", "description", NULL};
	const json_t *def = json_object_get(p, "default");
	const json_t *desc = json_object_get(p, "description");
	double d;
	size_t len;
	int rc;

	if (cc_name(c, name))
		return -1;
	if (!json_is_object(p))
		return cc_error(c, "a parameter is an object with \"default\"");
	if (cc_keys(c, p, keys))
		return -1;
	if (desc && !json_is_string(desc)) {
		len = cc_push_key(c, "description");
		rc = cc_error(c, "'description' is a string");
		cc_pop(c, len);
		return rc;
	}
	if (!def)
		return cc_error(c, "a parameter needs a \"default\"");
	if (cc_define_index(c, name) >= 0)
		return cc_error(c, "'%s' is both a define and a parameter",
				name);
	len = cc_push_key(c, "default");
	rc = number_or_bool(def, &d)
		 ? cc_error(c, "a parameter's default is a number or a boolean")
		 : params_put(c, name, d);
	cc_pop(c, len);
	return rc;
}

static int cc_params(struct cctx *c, const json_t *o)
{
	const char *name;
	json_t *v;

	if (!json_is_object(o))
		return cc_error(
		    c, "'parameters' is an object of name: {\"default\": ...}");
	json_object_foreach((json_t *)o, name, v)
	{
		size_t len = cc_push_key(c, name);
		int rc = cc_one_param(c, name, v);

		cc_pop(c, len);
		if (rc)
			return rc;
	}
	return 0;
}

static int cc_pass1_policy(struct cctx *c, const json_t *root)
{
	static const char *const keys[] = {
	    "description", "defines", "parameters", "state",
	    "host",	   "guest",   "disk",	    NULL};
	const json_t *v;
	size_t len;
	int rc = 0;

	cc_reset_path(c);
	if (!json_is_object(root))
		return cc_error(c, "a policy is a JSON object");
	if (cc_keys(c, root, keys))
		return -1;
	v = json_object_get(root, "description");
	if (v && !json_is_string(v)) {
		len = cc_push_key(c, "description");
		rc = cc_error(c, "'description' is a string");
		cc_pop(c, len);
		return rc;
	}
	if ((v = json_object_get(root, "defines"))) {
		len = cc_push_key(c, "defines");
		rc = cc_defines(c, v);
		cc_pop(c, len);
	}
	if (!rc && (v = json_object_get(root, "parameters"))) {
		len = cc_push_key(c, "parameters");
		rc = cc_params(c, v);
		cc_pop(c, len);
	}
	if (!rc && (v = json_object_get(root, "state"))) {
		len = cc_push_key(c, "state");
		rc = cc_state_decls(c, v); /* policy_ext.c */
		cc_pop(c, len);
	}
	return rc;
}

/* ---- statements and rules (pass 2) ---- */

static int cc_block(struct cctx *c, const json_t *arr, int depth,
		    struct block *out);

static int cc_bind(struct cctx *c, const char *name, int *slot)
{
	struct xnode probe = {0};
	struct policy_error saved = *c->err;

	if (cc_name(c, name))
		return -1;
	if (cc_resolve_name(c, name, &probe) == 0)
		return cc_error(
		    c, "'%s' is already defined; a name is bound once", name);
	*c->err = saved;
	if (c->nbinds == c->capbinds) {
		size_t cap = c->capbinds ? 2 * c->capbinds : 32;
		struct name_bind *b = reallocarray(c->binds, cap, sizeof(*b));

		if (!b)
			return cc_error(c, "out of memory");
		c->binds = b;
		c->capbinds = cap;
	}
	*slot = (int)c->ps->nslots++;
	c->binds[c->nbinds].name = arena_strdup(&c->ps->arena, name);
	c->binds[c->nbinds].slot = *slot;
	c->binds[c->nbinds].rule = c->rule;
	if (!c->binds[c->nbinds].name)
		return cc_error(c, "out of memory");
	c->nbinds++;
	return cc_name_index_add(c, c->bind_index, name, c->nbinds - 1);
}

/* {"let": {"x": expr, ...}}: one SOP_LET per binding, appended to *v. */
static int cc_let(struct cctx *c, const json_t *st, int depth, struct stmt **v,
		  size_t *n, size_t *cap)
{
	static const char *const keys[] = {"let", NULL};
	const json_t *o = json_object_get(st, "let");
	size_t len = cc_push_key(c, "let");
	const char *name;
	json_t *e;
	int rc = cc_keys(c, st, keys);

	if (!rc && (!json_is_object(o) || json_object_size(o) == 0))
		rc = cc_error(
		    c, "'let' is a non-empty object of name: expression");
	json_object_foreach((json_t *)o, name, e)
	{
		size_t l2 = cc_push_key(c, name);
		struct stmt *s;

		if (rc)
			break;
		if (*n == *cap) {
			size_t nc = *cap ? 2 * *cap : 8;
			struct stmt *nv =
			    arena_alloc(&c->ps->arena, nc * sizeof(*nv));

			if (!nv) {
				rc = cc_error(c, "out of memory");
				break;
			}
			if (*n)
				memcpy(nv, *v, *n * sizeof(*nv));
			*v = nv;
			*cap = nc;
		}
		s = &(*v)[(*n)++];
		memset(s, 0, sizeof(*s));
		s->op = SOP_LET;
		rc = cc_count_node(c);
		if (!rc)
			rc = cx_num(c, e, depth, &s->expr);
		if (!rc)
			rc = cc_bind(c, name, &s->slot);
		cc_pop(c, l2);
	}
	cc_pop(c, len);
	return rc;
}

static int cc_if(struct cctx *c, const json_t *st, int depth, struct stmt *s)
{
	static const char *const keys[] = {"if", "then", "else", NULL};
	const json_t *t = json_object_get(st, "then");
	const json_t *e = json_object_get(st, "else");
	size_t len;
	int rc;

	if (cc_keys(c, st, keys))
		return -1;
	if (!t)
		return cc_error(c, "'if' needs \"then\"");
	s->op = SOP_IF;
	len = cc_push_key(c, "if");
	rc = cx_num(c, json_object_get(st, "if"), depth, &s->expr);
	cc_pop(c, len);
	if (rc)
		return rc;
	len = cc_push_key(c, "then");
	rc = cc_block(c, t, depth + 1, &s->then_b);
	cc_pop(c, len);
	if (rc || !e)
		return rc;
	len = cc_push_key(c, "else");
	rc = cc_block(c, e, depth + 1, &s->else_b);
	cc_pop(c, len);
	return rc;
}

/* Record the leaves of n as reason inputs (distinct labels, capped). */
static void cc_collect_inputs(struct stmt *s, const struct xnode *n)
{
	const char *label = cx_leaf_label(n);

	/* An aggregate's inside reads other guests: not this one's inputs. */
	if (n->op == XOP_GSUM || n->op == XOP_GCOUNT)
		return;
	if (label) {
		for (unsigned i = 0; i < s->ninputs; i++)
			if (strcmp(s->inputs[i].label, label) == 0)
				return;
		if (s->ninputs < PLAN_REASON_INPUTS) {
			s->inputs[s->ninputs].label = label;
			s->inputs[s->ninputs++].leaf = *n;
		}
		return;
	}
	for (unsigned i = 0; i < n->nargs; i++)
		cc_collect_inputs(s, &n->args[i]);
}

static int cc_explain(struct cctx *c, const json_t *arr, int depth,
		      struct stmt *s)
{
	size_t i;
	json_t *e;

	if (!json_is_array(arr))
		return cc_error(c, "'explain' is an array of names or "
				   "[\"stat\"|\"avg\"|..., field]");
	json_array_foreach(arr, i, e)
	{
		size_t len = cc_push_index(c, i);
		struct xnode *n = arena_alloc(&c->ps->arena, sizeof(*n));
		int rc =
		    n ? cx_num(c, e, depth, n) : cc_error(c, "out of memory");

		if (!rc && !cx_leaf_label(n))
			rc = cc_error(c,
				      "'explain' lists names and fields only");
		cc_pop(c, len);
		if (rc)
			return rc;
		cc_collect_inputs(s, n);
	}
	return 0;
}

static int cc_set(struct cctx *c, const json_t *st, int depth, struct stmt *s)
{
	static const char *const keys[] = {"set", "to", "explain", NULL};
	const json_t *target = json_object_get(st, "set");
	const json_t *to = json_object_get(st, "to");
	const json_t *ex = json_object_get(st, "explain");
	size_t len;
	int rc;

	if (cc_keys(c, st, keys))
		return -1;
	s->op = SOP_SET;
	len = cc_push_key(c, "set");
	rc = json_is_string(target)
		 ? cc_set_target(c, json_string_value(target), s)
		 : cc_error(c, "'set' names a control (a string)");
	cc_pop(c, len);
	if (rc)
		return rc;
	if (!to)
		return cc_error(c, "'set' needs \"to\"");
	len = cc_push_key(c, "to");
	rc = cx_num(c, to, depth, &s->expr);
	cc_pop(c, len);
	if (rc)
		return rc;
	cc_collect_inputs(s, &s->expr);
	if (!ex)
		return 0;
	len = cc_push_key(c, "explain");
	rc = cc_explain(c, ex, depth + 1, s);
	cc_pop(c, len);
	return rc;
}

static int cc_stop(struct cctx *c, const json_t *st, struct stmt *s)
{
	static const char *const keys[] = {"stop", NULL};

	if (cc_keys(c, st, keys))
		return -1;
	if (!json_is_string(json_object_get(st, "stop"))) {
		size_t len = cc_push_key(c, "stop");
		int rc = cc_error(c, "'stop' gives the reason (a string)");

		cc_pop(c, len);
		return rc;
	}
	s->op = SOP_STOP;
	return 0;
}

static int cc_stmt(struct cctx *c, const json_t *st, int depth, struct stmt **v,
		   size_t *n, size_t *cap)
{
	struct stmt *s;

	if (depth >= POLICY_MAX_DEPTH)
		return cc_error(c, "nesting deeper than %d levels",
				POLICY_MAX_DEPTH);
	if (!json_is_object(st))
		return cc_error(
		    c, "a statement is an object (let, if, set or stop)");
	if (json_object_get(st, "let"))
		return cc_let(c, st, depth, v, n, cap);
	if (*n == *cap) {
		size_t nc = *cap ? 2 * *cap : 8;
		struct stmt *nv = arena_alloc(&c->ps->arena, nc * sizeof(*nv));

		if (!nv)
			return cc_error(c, "out of memory");
		if (*n)
			memcpy(nv, *v, *n * sizeof(*nv));
		*v = nv;
		*cap = nc;
	}
	s = &(*v)[(*n)++];
	if (cc_count_node(c))
		return -1;
	if (json_object_get(st, "if"))
		return cc_if(c, st, depth, s);
	if (json_object_get(st, "set"))
		return cc_set(c, st, depth, s);
	if (json_object_get(st, "stop"))
		return cc_stop(c, st, s);
	if (json_object_get(st, "keep") && c->disk)
		return cc_error(c, "'keep' is not available in a disk rule "
				   "(state belongs to the host and guests)");
	if (json_object_get(st, "keep")) { /* state: policy_ext.c */
		size_t len;
		int rc;

		/* The key is checked at the statement's path (cc_keep_key
		   pushes "keep" itself), the expression at its "to". */
		if (cc_keep_key(c, st, s))
			return -1;
		len = cc_push_key(c, "to");
		rc = cx_num(c, json_object_get(st, "to"), depth, &s->expr);
		cc_pop(c, len);
		return rc;
	}
	return cc_error(
	    c, "a statement is an object (let, if, set, keep or stop)");
}

/* A block's bindings go out of scope at its end. */
static int cc_block(struct cctx *c, const json_t *arr, int depth,
		    struct block *out)
{
	size_t mark = c->nbinds, cap = 0, i;
	json_t *st;
	int rc = 0;

	if (!json_is_array(arr))
		return cc_error(c,
				"a list of statements (an array) was expected");
	json_array_foreach(arr, i, st)
	{
		size_t len = cc_push_index(c, i);

		rc = cc_stmt(c, st, depth + 1, &out->s, &out->n, &cap);
		cc_pop(c, len);
		if (rc)
			break;
	}
	if (depth > 1 || c->guest)
		cc_binds_pop(c, mark);
	return rc;
}

static int cc_rule(struct cctx *c, const json_t *o, struct rule *r)
{
	static const char *const keys[] = {"rule", "description", "do", NULL};
	const json_t *name = json_object_get(o, "rule");
	const json_t *desc = json_object_get(o, "description");
	const json_t *body = json_object_get(o, "do");
	size_t len;
	int rc;

	if (!json_is_object(o))
		return cc_error(
		    c, "a rule is an object {\"rule\": name, \"do\": [...]}");
	if (cc_keys(c, o, keys))
		return -1;
	if (!json_is_string(name) || !json_string_length(name))
		return cc_error(c, "a rule needs a name: \"rule\": \"...\"");
	if (json_string_length(name) > POLICY_RULE_NAME_MAX)
		return cc_error(c, "a rule name is at most %d bytes",
				POLICY_RULE_NAME_MAX);
	if (desc && !json_is_string(desc))
		return cc_error(c, "'description' is a string");
	if (!body)
		return cc_error(c, "a rule needs \"do\"");
	r->policy = c->policy;
	r->name = arena_strdup(&c->ps->arena, json_string_value(name));
	if (!r->name)
		return cc_error(c, "out of memory");
	c->rule = r->name;
	len = cc_push_key(c, "do");
	/* depth 1: a host rule's top-level lets outlive the rule. */
	rc = cc_block(c, body, 1, &r->body);
	cc_pop(c, len);
	if (!c->guest)
		c->nglobals = c->nbinds;
	return rc;
}

enum rule_scope { SCOPE_HOST, SCOPE_GUEST, SCOPE_DISK };

static int cc_rules(struct cctx *c, const json_t *root, enum rule_scope scope,
		    struct rule **out, size_t *n)
{
	static const char *const keys[] = {"host", "guest", "disk"};
	const char *key = keys[scope];
	const json_t *arr = json_object_get(root, key);
	size_t len, i;
	json_t *o;
	int rc = 0;

	if (!arr)
		return 0;
	len = cc_push_key(c, key);
	c->guest = scope != SCOPE_HOST;
	c->disk = scope == SCOPE_DISK;
	if (!json_is_array(arr)) {
		rc = cc_error(c, "'%s' is an array of rules", key);
		goto out;
	}
	*out = arena_alloc(&c->ps->arena,
			   json_array_size(arr) * sizeof(**out) + 1);
	if (!*out) {
		rc = cc_error(c, "out of memory");
		goto out;
	}
	json_array_foreach(arr, i, o)
	{
		size_t l2 = cc_push_index(c, i);

		rc = cc_rule(c, o, &(*out)[i]);
		cc_pop(c, l2);
		if (rc)
			goto out;
		(*n)++;
	}
out:
	cc_pop(c, len);
	return rc;
}

/* ---- the set ---- */

/* Runtime messages of the evaluator name the node by this path. */
void pseg_format(const struct pseg *s, char *buf, size_t len)
{
	size_t n;

	if (!len)
		return;
	if (!s) {
		snprintf(buf, len, "$");
		return;
	}
	pseg_format(s->up, buf, len);
	n = strlen(buf);
	if (s->key)
		snprintf(buf + n, len - n, ".%s", s->key);
	else
		snprintf(buf + n, len - n, "[%zu]", s->index);
}

bool policy_name_valid(const char *name)
{
	size_t n = 0;

	if (!name || name[0] == '.' || strstr(name, ".."))
		return false;
	for (; name[n]; n++)
		if (!isalnum((unsigned char)name[n]) && !strchr("_.-", name[n]))
			return false;
	return n >= 1 && n <= 63;
}

static int source_cmp(const void *a, const void *b)
{
	const struct policy_source *x = a, *y = b;

	return strcmp(x->name, y->name);
}

static int parse_one(struct cctx *c, const struct policy_source *src,
		     json_t **root)
{
	json_error_t jerr;

	c->policy = src->name;
	cc_reset_path(c);
	if (!policy_name_valid(src->name)) {
		c->policy = NULL;
		return cc_error(c, "invalid policy name '%.64s'", src->name);
	}
	if (json_text_check(src->text, strlen(src->text), c->err->message,
			    sizeof(c->err->message)) < 0) {
		snprintf(c->err->policy, sizeof(c->err->policy), "%s",
			 src->name);
		c->err->path[0] = '\0';
		return -1;
	}
	*root = json_loadb(src->text, strlen(src->text), JSON_REJECT_DUPLICATES,
			   &jerr);
	if (!*root) {
		cc_error(c, "JSON syntax: %s", jerr.text);
		c->err->path[0] = '\0';
		c->err->line = jerr.line;
		c->err->column = jerr.column;
		return -1;
	}
	return 0;
}

/* Count the define and parameter entries, to size the tables once. */
static size_t count_names(json_t **roots, size_t n, const char *key)
{
	size_t total = 0;

	for (size_t i = 0; i < n; i++) {
		const json_t *o = json_object_get(roots[i], key);

		if (json_is_object(o))
			total += json_object_size(o);
	}
	return total;
}

static int compile_all(struct cctx *c, const struct policy_source *srcs,
		       json_t **roots, size_t n)
{
	struct policy_set *ps = c->ps;
	size_t nd = count_names(roots, n, "defines");
	size_t np = count_names(roots, n, "parameters");

	c->define_names = calloc(nd + 1, sizeof(*c->define_names));
	c->define_values = calloc(nd + 1, sizeof(*c->define_values));
	ps->params = arena_alloc(&ps->arena, (np + 1) * sizeof(*ps->params));
	ps->policies = arena_alloc(&ps->arena, (n + 1) * sizeof(*ps->policies));
	c->define_index = json_object();
	c->bind_index = json_object();
	ps->param_index = json_object();
	if (!c->define_names || !c->define_values || !ps->params ||
	    !ps->policies || !c->define_index || !c->bind_index ||
	    !ps->param_index)
		return cc_error(c, "out of memory");
	for (size_t i = 0; i < n; i++) {
		c->policy = srcs[i].name;
		if (cc_pass1_policy(c, roots[i]))
			return -1;
	}
	ps->nslots = ps->nparams;
	for (size_t i = 0; i < n; i++) {
		struct cpolicy *p = &ps->policies[i];

		p->name = arena_strdup(&ps->arena, srcs[i].name);
		p->text = arena_strdup(&ps->arena, srcs[i].text);
		if (!p->name || !p->text)
			return cc_error(c, "out of memory");
		c->policy = p->name;
		cc_reset_path(c);
		if (cc_rules(c, roots[i], SCOPE_HOST, &p->host, &p->nhost) ||
		    cc_rules(c, roots[i], SCOPE_GUEST, &p->guest, &p->nguest) ||
		    cc_rules(c, roots[i], SCOPE_DISK, &p->disk, &p->ndisk))
			return -1;
		ps->npolicies++;
	}
	return 0;
}

struct policy_set *policy_set_load(const struct policy_source *sources,
				   size_t n, struct policy_error *err)
{
	struct policy_source *srcs = calloc(n + 1, sizeof(*srcs));
	json_t **roots = calloc(n + 1, sizeof(*roots));
	struct policy_set *ps = calloc(1, sizeof(*ps));
	struct cctx c = {.ps = ps, .err = err};
	int rc = -1;

	memset(err, 0, sizeof(*err));
	cc_reset_path(&c);
	if (!srcs || !roots || !ps) {
		snprintf(err->message, sizeof(err->message), "out of memory");
		goto out;
	}
	if (n)
		memcpy(srcs, sources, n * sizeof(*srcs));
	qsort(srcs, n, sizeof(*srcs), source_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i > 0 && strcmp(srcs[i - 1].name, srcs[i].name) == 0) {
			c.policy = srcs[i].name;
			cc_error(&c, "two policies are named '%s'",
				 srcs[i].name);
			goto out;
		}
		if (parse_one(&c, &srcs[i], &roots[i]))
			goto out;
	}
	rc = compile_all(&c, srcs, roots, n);
out:
	for (size_t i = 0; roots && i < n; i++)
		json_decref(roots[i]);
	free(roots);
	free(srcs);
	free(c.binds);
	free(c.define_names);
	free(c.define_values);
	json_decref(c.define_index);
	json_decref(c.bind_index);
	if (rc) {
		policy_set_free(ps);
		return NULL;
	}
	memset(err, 0, sizeof(*err));
	return ps;
}

void policy_set_free(struct policy_set *ps)
{
	if (!ps)
		return;
	arena_free(&ps->arena);
	json_decref(ps->param_index);
	free(ps);
}

size_t policy_set_count(const struct policy_set *ps)
{
	return ps->npolicies;
}

const char *policy_set_name(const struct policy_set *ps, size_t i)
{
	return i < ps->npolicies ? ps->policies[i].name : NULL;
}

const char *policy_set_text(const struct policy_set *ps, size_t i)
{
	return i < ps->npolicies ? ps->policies[i].text : NULL;
}

size_t policy_set_param_count(const struct policy_set *ps)
{
	return ps->nparams;
}

const char *policy_set_param_name(const struct policy_set *ps, size_t i)
{
	return i < ps->nparams ? ps->params[i].name : NULL;
}

double policy_set_param_default(const struct policy_set *ps, size_t i)
{
	return i < ps->nparams ? ps->params[i].def : FIELD_ABSENT;
}

/* A lookup in the set's name index (not a scan), so checking a request
   of many parameter updates costs O(updates). */
int policy_set_param_index(const struct policy_set *ps, const char *name)
{
	const json_t *v = json_object_get(ps->param_index, name);

	return v ? (int)json_integer_value(v) : -1;
}
