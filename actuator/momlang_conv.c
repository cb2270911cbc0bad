/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_conv.c: the translator from MOM's policy language to our JSON
 * policy: variables, scopes, functions, if, with, and the entry point
 * (design in momlang_priv.h, mapping in policies/README.md).
 *
 * MOM's scoping is kept: a stack of scopes searched innermost first
 * (dynamic scoping: a function sees its caller's variables, which vdsm's
 * balloon policy relies on), `defvar` defines in the innermost scope
 * unless the name is already there, `set` assigns the innermost existing
 * binding, function arguments are evaluated one by one in the function's
 * new scope, `let` and each guest of `with` get a scope, `{...}` does not.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "momlang.h"
#include "momlang_priv.h"

static bool top_level(const struct conv *c)
{
	return c->nscopes == 1 && !c->pc && !c->in_guest;
}

static int special_true_false(struct conv *c, const struct mnode *n,
			      const char *name, const struct sval *v,
			      bool *done)
{
	*done = false;
	if (strcmp(name, "True") != 0 && strcmp(name, "False") != 0)
		return 0;
	if (v->k == SV_NUM && json_is_number(v->e) &&
	    json_number_value(v->e) == (name[0] == 'T' ? 1.0 : 0.0)) {
		*done = true; /* vdsm's 00-defines: the builtin values */
		return 0;
	}
	return mc_error(
	    c, n, "'%s' can only be defined as %d (it is a constant here)",
	    name, name[0] == 'T');
}

/* Whether name can be a parameter: an identifier that no binding of this
   policy was given (parameters keep their MOM name, let names make way
   for them). */
static bool param_ok(const struct conv *c, const char *name)
{
	return mc_is_ident(name) && (json_object_get(c->params, name) ||
				     !json_object_get(c->used, name));
}

static int add_param(struct conv *c, const char *name, json_t *value)
{
	if (json_object_set_new(c->used, name, json_true()) < 0)
		return -1;
	return json_object_set_new(c->params, name,
				   json_pack("{s:O}", "default", value));
}

/* (defvar name value) */
static int form_defvar(struct conv *c, const struct mnode *n, struct sval *out)
{
	const char *name;
	struct sval v;
	struct var *var;
	bool done;

	if (n->n != 3 || n->kids[1].kind != MK_SYM || n->kids[1].is_op)
		return mc_error(c, n, "'defvar' takes a symbol and a value");
	name = n->kids[1].text;
	if (strchr(name, '.'))
		return mc_error(
		    c, &n->kids[1],
		    "'defvar' of a dotted name '%s' has no equivalent", name);
	if (mc_eval(c, &n->kids[2], &v) < 0)
		return -1;
	if (special_true_false(c, n, name, &v, &done) < 0 || done) {
		*out = v;
		return done ? 0 : -1;
	}
	var = mc_scope_find(&c->scopes[c->nscopes - 1], name);
	if (var && !var->defcond) {
		sval_clear(&v); /* already defined: MOM keeps the value */
		*out = mc_sval_copy(&var->v);
		return 0;
	}
	if (!var && top_level(c) && json_object_get(c->param_reads, name)) {
		/* Read above as another policy's: MOM's defvar keeps it. */
		sval_clear(&v);
		var = mc_scope_add(c, name, sv_num(json_string(name)));
		if (!var)
			return mc_error(c, n, "out of memory");
		var->param = true;
		*out = mc_sval_copy(&var->v);
		return 0;
	}
	if (!var && top_level(c) && v.k == SV_NUM && mc_is_const(v.e) &&
	    param_ok(c, name)) {
		if (add_param(c, name, v.e) < 0 ||
		    !(var = mc_scope_add(c, name, sv_num(json_string(name))))) {
			sval_clear(&v);
			return mc_error(c, n, "out of memory");
		}
		var->param = true;
		*out = v;
		return 0;
	}
	if (var) {
		/* Defined on some paths only: keep it where it was. */
		json_t *e;

		if (v.k != SV_NUM || var->v.k != SV_NUM) {
			sval_clear(&v);
			return mc_error(
			    c, n,
			    "'%s' is defined on several paths with "
			    "a value that is not a number: no equivalent",
			    name);
		}
		e = json_pack("[sOOo]", "if", var->defcond, var->v.e, v.e);
		v.e = e;
		if (mc_bind(c, n, name, &v, json_incref(var->v.e), out) < 0)
			return -1;
		sval_clear(&var->v);
		var->v = mc_sval_copy(out);
		if (c->pc) {
			/* Defined where it was, or here: names only, so
			   kept as an expression rather than a binding. */
			json_t *d =
			    json_pack("[sOO]", "or", var->defcond, c->pc);

			json_decref(var->defcond);
			var->defcond = d;
			return d ? 0 : mc_error(c, n, "out of memory");
		}
		json_decref(var->defcond);
		var->defcond = NULL;
		return 0;
	}
	if (mc_bind(c, n, name, &v, NULL, out) < 0)
		return -1;
	var = mc_scope_add(c, name, mc_sval_copy(out));
	if (!var)
		return mc_error(c, n, "out of memory");
	var->defcond = c->pc ? json_incref(c->pc) : NULL;
	return 0;
}

/* (set name value), (setq name value) */
static int form_set(struct conv *c, const struct mnode *n, struct sval *out)
{
	const char *name;
	struct sval v;
	struct var *var;
	size_t depth = 0;
	bool done, read;

	if (n->n != 3 || n->kids[1].kind != MK_SYM || n->kids[1].is_op)
		return mc_error(c, n, "'%s' takes a symbol and a value",
				n->kids[0].text);
	name = n->kids[1].text;
	if (mc_eval(c, &n->kids[2], &v) < 0)
		return -1;
	if (special_true_false(c, n, name, &v, &done) < 0 || done) {
		*out = v;
		return done ? 0 : -1;
	}
	var = mc_lookup(c, name, &depth);
	read = json_object_get(c->param_reads, name) != NULL;
	/* A parameter is one value for the whole cycle, so a new default
	   only while nothing has read the old one: MOM's reads before this
	   set saw the old value. */
	if ((!var || var->param) && !read && top_level(c) && v.k == SV_NUM &&
	    mc_is_const(v.e) && param_ok(c, name)) {
		/* vdsm's 01-parameters: (set balloonEnabled True). */
		if (add_param(c, name, v.e) < 0) {
			sval_clear(&v);
			return mc_error(c, n, "out of memory");
		}
		if (!var &&
		    !(var = mc_scope_add(c, name, sv_num(json_string(name))))) {
			sval_clear(&v);
			return mc_error(c, n, "out of memory");
		}
		var->param = true;
		*out = v;
		return 0;
	}
	if (!var && read && top_level(c) && v.k == SV_NUM) {
		/* Another policy's parameter, read above: a new binding from
		   here on. */
		if (mc_bind(c, n, name, &v, NULL, out) < 0)
			return -1;
		if (!mc_scope_add(c, name, mc_sval_copy(out)))
			return mc_error(c, n, "out of memory");
		return 0;
	}
	if (!var && top_level(c) && v.k != SV_NUM) {
		sval_clear(&v);
		return mc_error(c, &n->kids[2],
				"'%s' of the parameter '%s' to %s: parameters "
				"are numbers (or True, False)",
				n->kids[0].text, name, mc_kind_name(v.k));
	}
	if (!var) {
		sval_clear(&v);
		return mc_error(c, n,
				"'%s' of '%s', which is not defined "
				"(define it with defvar first)",
				n->kids[0].text, name);
	}
	if (c->in_guest && depth < c->guest_base) {
		sval_clear(&v);
		return mc_error(c, n,
				"'%s' of '%s' inside (with Guests ...) changes "
				"a variable of the host "
				"program: no equivalent (a guest rule cannot "
				"change host values)",
				n->kids[0].text, name);
	}
	if (v.k != SV_NUM || var->v.k != SV_NUM) {
		bool same = v.k == var->v.k &&
			    (v.k != SV_STR || json_equal(v.e, var->v.e));

		if (!c->pc || same) {
			sval_clear(&var->v);
			var->v = v;
			*out = mc_sval_copy(&var->v);
			return 0;
		}
		sval_clear(&v);
		return mc_error(c, n,
				"'%s' of '%s' to %s on one path only has "
				"no equivalent",
				n->kids[0].text, name, mc_kind_name(v.k));
	}
	if (var->param &&
	    json_object_set_new(c->param_reads, name, json_true()) < 0) {
		sval_clear(&v);
		return mc_error(c, n, "out of memory");
	}
	if (mc_bind(c, n, name, &v, json_incref(var->v.e), out) < 0)
		return -1;
	sval_clear(&var->v);
	var->v = mc_sval_copy(out);
	var->param = false;
	return 0;
}

/* ---- control flow ---- */

/* Truth of a constant expression: 1 true, 0 false, -1 not constant. */
static int const_truth(const json_t *e)
{
	if (json_is_null(e))
		return 0;
	if (json_is_number(e))
		return json_number_value(e) != 0;
	return -1;
}

/* MOM's (if cond yes no): exactly three arguments. */
static int form_if(struct conv *c, const struct mnode *n, struct sval *out)
{
	json_t *cond, *then_pc = NULL, *else_pc = NULL, *saved = c->pc;
	struct sval yes = {0}, no = {0};
	size_t else_at, else_from, rules_from;
	int t, rc;

	if (n->n != 4)
		return mc_error(c, n,
				"'if' takes a condition, a then-form and an "
				"else-form (3 arguments), not %zu",
				n->n - 1);
	if (mc_num(c, &n->kids[1], &cond) < 0)
		return -1;
	t = const_truth(cond);
	if (t >= 0) {
		json_decref(cond);
		return mc_eval(c, &n->kids[t ? 2 : 3], out);
	}
	then_pc = mc_emit_let(c, n, "cond", mc_guard(c, cond, json_integer(0)));
	if (!then_pc)
		return -1;
	else_at = json_array_size(c->cur);
	else_pc = mc_emit_let(
	    c, n, "otherwise",
	    c->pc ? json_pack("[sO[sO]]", "and", c->pc, "not", then_pc)
		  : json_pack("[sO]", "not", then_pc));
	if (!else_pc) {
		json_decref(then_pc);
		return -1;
	}
	c->pc = then_pc;
	rc = mc_eval(c, &n->kids[2], &yes);
	c->pc = else_pc;
	else_from = json_array_size(c->cur);
	rules_from = json_array_size(c->guest_rules);
	if (!rc)
		rc = mc_eval(c, &n->kids[3], &no);
	c->pc = saved;
	if (!rc)
		mc_drop_unused(c, else_at, else_pc, &no, else_from, rules_from);
	if (!rc) {
		if (yes.k == SV_NUM && no.k == SV_NUM) {
			*out = sv_num(
			    json_pack("[sOOO]", "if", then_pc, yes.e, no.e));
		} else if (yes.k == no.k && yes.k != SV_STR &&
			   yes.k != SV_BAD) {
			*out = mc_sval_copy(&yes);
		} else {
			*out = (struct sval){
			    .k = SV_BAD,
			    .at = n,
			    .why =
				"the value of this 'if' is a string, entity or "
				"mix "
				"of kinds chosen at run time: no equivalent"};
		}
	}
	sval_clear(&yes);
	sval_clear(&no);
	json_decref(then_pc);
	json_decref(else_pc);
	return rc;
}

/* {...} and (eval ...): every form, the value of the last. */
static int form_seq(struct conv *c, const struct mnode *n, size_t from,
		    struct sval *out)
{
	*out = sv_num(json_null());
	for (size_t i = from; i < n->n; i++) {
		sval_clear(out);
		if (mc_eval(c, &n->kids[i], out) < 0)
			return -1;
	}
	return 0;
}

/* (let ((a v) ...) body ...) */
static int form_let(struct conv *c, const struct mnode *n, struct sval *out)
{
	const struct mnode *b = n->n > 1 ? &n->kids[1] : NULL;
	int rc = 0;

	if (n->n < 3 || b->kind != MK_LIST)
		return mc_error(
		    c, n, "'let' takes a list of (symbol value) and a body");
	if (mc_scope_push(c) < 0)
		return mc_error(c, n, "out of memory");
	for (size_t i = 0; i < b->n && !rc; i++) {
		const struct mnode *p = &b->kids[i];
		struct sval v, bound;

		if (p->kind != MK_LIST || p->n != 2 ||
		    p->kids[0].kind != MK_SYM || p->kids[0].is_op ||
		    strchr(p->kids[0].text, '.')) {
			rc = mc_error(c, p,
				      "'let' expects (symbol value) pairs");
			break;
		}
		rc = mc_eval(c, &p->kids[1], &v);
		if (rc)
			break;
		if (mc_scope_find(&c->scopes[c->nscopes - 1],
				  p->kids[0].text)) {
			sval_clear(&v); /* MOM: the first binding stays */
			continue;
		}
		rc = mc_bind(c, p, p->kids[0].text, &v, NULL, &bound);
		if (!rc && !mc_scope_add(c, p->kids[0].text, bound))
			rc = mc_error(c, p, "out of memory");
	}
	if (!rc)
		rc = form_seq(c, n, 2, out);
	mc_scope_pop(c);
	return rc;
}

/* The function defined as name, or NULL; by the index, not a scan: a
   MOM text of 40000 defs took 9 s to convert when each was compared with
   all before it. */
static struct func *find_func(struct conv *c, const char *name)
{
	const json_t *i = json_object_get(c->func_index, name);

	return i ? &c->funcs[json_integer_value(i)] : NULL;
}

/* (def name (params) body) */
static int form_def(struct conv *c, const struct mnode *n, struct sval *out)
{
	const struct mnode *name = n->n > 1 ? &n->kids[1] : NULL;
	struct func *f = NULL;

	if (n->n != 4 || name->kind != MK_SYM || name->is_op ||
	    n->kids[2].kind != MK_LIST)
		return mc_error(
		    c, n, "'%s' takes a name, a parameter list and a body",
		    n->kids[0].text);
	for (size_t i = 0; i < n->kids[2].n; i++)
		if (n->kids[2].kids[i].kind != MK_SYM ||
		    n->kids[2].kids[i].is_op)
			return mc_error(c, &n->kids[2].kids[i],
					"a function's parameters are symbols");
	f = find_func(c, name->text);
	if (!f) {
		if (c->nfuncs == c->capfuncs) {
			size_t nc = c->capfuncs ? 2 * c->capfuncs : 8;
			struct func *a = realloc(c->funcs, nc * sizeof(*a));

			if (!a)
				return mc_error(c, n, "out of memory");
			c->funcs = a;
			c->capfuncs = nc;
		}
		f = &c->funcs[c->nfuncs];
		f->name = strdup(name->text);
		if (!f->name ||
		    json_object_set_new(c->func_index, name->text,
					json_integer((json_int_t)c->nfuncs))) {
			free(f->name);
			return mc_error(c, n, "out of memory");
		}
		c->nfuncs++;
	}
	f->params = &n->kids[2];
	f->body = &n->kids[3];
	*out = (struct sval){.k = SV_FUNC, .e = json_string(name->text)};
	return 0;
}

/* A call of a function defined with def: expanded here. */
static int call(struct conv *c, const struct mnode *n, const struct func *f,
		struct sval *out)
{
	int rc = 0;

	if (n->n - 1 != f->params->n)
		return mc_error(
		    c, n, "the function '%s' takes %zu arguments, not %zu",
		    f->name, f->params->n, n->n - 1);
	if (c->call_depth >= MOMCONV_MAX_CALLS)
		return mc_error(c, n,
				"calls nested deeper than %d (recursion has no "
				"equivalent): '%s'",
				MOMCONV_MAX_CALLS, f->name);
	if (mc_scope_push(c) < 0)
		return mc_error(c, n, "out of memory");
	c->call_depth++;
	/* MOM evaluates each argument in the new scope, in order. */
	for (size_t i = 0; i < f->params->n && !rc; i++) {
		const char *p = f->params->kids[i].text;
		struct sval v, bound;

		rc = mc_eval(c, &n->kids[i + 1], &v);
		if (rc)
			break;
		if (mc_scope_find(&c->scopes[c->nscopes - 1], p)) {
			sval_clear(&v);
			continue;
		}
		rc = mc_bind(c, &n->kids[i + 1], p, &v, NULL, &bound);
		if (!rc && !mc_scope_add(c, p, bound))
			rc = mc_error(c, n, "out of memory");
	}
	if (!rc)
		rc = mc_eval(c, f->body, out);
	c->call_depth--;
	mc_scope_pop(c);
	return rc;
}

/* (with Guests g body): a guest rule. */
static int form_with(struct conv *c, const struct mnode *n, struct sval *out)
{
	char rname[32];
	json_t *rule, *saved_cur = c->cur;
	size_t saved_base = c->guest_base;
	struct sval list;
	int rc;

	if (n->n != 4 || n->kids[1].kind != MK_SYM ||
	    n->kids[2].kind != MK_SYM || n->kids[2].is_op)
		return mc_error(c, n,
				"'with' takes a list, a symbol and a body");
	if (mc_eval(c, &n->kids[1], &list) < 0)
		return -1;
	rc = list.k;
	sval_clear(&list);
	if (rc != SV_GUESTS)
		return mc_error(
		    c, &n->kids[1],
		    "(with %s ...) has no equivalent: only (with Guests ...) "
		    "iterates (per-disk io_tune: write JSON disk rules, as "
		    "policies/05-iotune.json does)",
		    n->kids[1].text);
	if (c->in_guest)
		return mc_error(
		    c, n,
		    "(with Guests ...) inside (with Guests ...) has "
		    "no equivalent");
	snprintf(rname, sizeof(rname), "guests-%zu",
		 json_array_size(c->guest_rules) + 1);
	rule = json_pack("{s:s, s:s, s:[]}", "rule", rname, "description", "",
			 "do");
	if (!rule)
		return mc_error(c, n, "out of memory");
	json_object_set_new(rule, "description",
			    json_sprintf("(with Guests %s ...) at line %d",
					 n->kids[2].text, n->line));
	json_array_append_new(c->guest_rules, rule);
	c->cur = json_object_get(rule, "do");
	c->in_guest = true;
	c->guest_base = c->nscopes;
	rc = mc_scope_push(c) < 0 ? mc_error(c, n, "out of memory") : 0;
	if (!rc &&
	    !mc_scope_add(c, n->kids[2].text, (struct sval){.k = SV_GUEST}))
		rc = mc_error(c, n, "out of memory");
	if (!rc)
		rc = mc_eval(c, &n->kids[3], out);
	if (!rc) {
		sval_clear(out);
		*out = sv_num(json_null());
	}
	if (c->nscopes > c->guest_base)
		mc_scope_pop(c);
	c->in_guest = false;
	c->guest_base = saved_base;
	c->cur = saved_cur;
	return rc;
}

/* ---- symbols and forms ---- */

static int eval_symbol(struct conv *c, const struct mnode *n, struct sval *out)
{
	const char *s = n->text, *dot = strchr(s, '.');
	char obj[128];
	struct var *v;

	if (n->is_op)
		return mc_error(c, n, "the operator '%s' is not a value", s);
	if (strcmp(s, "nil") == 0) {
		*out = sv_num(json_null());
		return 0;
	}
	if (dot) {
		size_t l = (size_t)(dot - s);

		if (l >= sizeof(obj) || strchr(dot + 1, '.'))
			return mc_error(c, n, "'%s' has no equivalent", s);
		memcpy(obj, s, l);
		obj[l] = '\0';
		v = mc_lookup(c, obj, NULL);
		if (!v && strcmp(obj, "Host") == 0)
			return mc_field(c, n, &(struct sval){.k = SV_HOST},
					dot + 1, out);
		if (!v || (v->v.k != SV_HOST && v->v.k != SV_GUEST))
			return mc_error(c, n, "undefined symbol '%s'", s);
		return mc_field(c, n, &v->v, dot + 1, out);
	}
	v = mc_lookup(c, s, NULL);
	if (v && v->param &&
	    json_object_set_new(c->param_reads, s, json_true()) < 0)
		return mc_error(c, n, "out of memory");
	if (v) {
		*out = mc_sval_copy(&v->v);
		return 0;
	}
	if (strcmp(s, "Host") == 0) {
		*out = (struct sval){.k = SV_HOST};
		return 0;
	}
	if (strcmp(s, "Guests") == 0) {
		*out = (struct sval){.k = SV_GUESTS};
		return 0;
	}
	if (strcmp(s, "True") == 0 || strcmp(s, "False") == 0) {
		*out = sv_num(json_integer(s[0] == 'T'));
		return 0;
	}
	if (!mc_is_ident(s))
		return mc_error(c, n, "undefined symbol '%s'", s);
	/* A parameter or define of another policy (balloonEnabled). */
	if (json_object_set_new(c->param_reads, s, json_true()) < 0)
		return mc_error(c, n, "out of memory");
	*out = sv_num(json_string(s));
	return 0;
}

static int eval_list(struct conv *c, const struct mnode *n, struct sval *out)
{
	const struct mnode *h;
	const char *s, *dot;
	struct func *f;
	int rc;

	if (n->n == 0)
		return mc_error(c, n, "an empty form () has no value");
	h = &n->kids[0];
	if (h->kind != MK_SYM)
		return mc_error(c, h,
				"a form starts with a function or operator "
				"name");
	s = h->text;
	if (!h->is_op) {
		if (strcmp(s, "if") == 0)
			return form_if(c, n, out);
		if (strcmp(s, "defvar") == 0)
			return form_defvar(c, n, out);
		if (strcmp(s, "set") == 0 || strcmp(s, "setq") == 0)
			return form_set(c, n, out);
		if (strcmp(s, "def") == 0 || strcmp(s, "defun") == 0)
			return form_def(c, n, out);
		if (strcmp(s, "let") == 0)
			return form_let(c, n, out);
		if (strcmp(s, "with") == 0)
			return form_with(c, n, out);
		if (strcmp(s, "eval") == 0)
			return form_seq(c, n, 1, out);
		if (strcmp(s, "debug") == 0) {
			if (n->n < 2)
				return mc_error(
				    c, n, "'debug' takes at least 1 argument");
			return form_seq(c, n, 1, out);
		}
	}
	rc = mc_operator(c, n, out);
	if (rc <= 0)
		return rc;
	dot = strchr(s, '.');
	if (dot) {
		struct sval ent;
		char obj[128];
		size_t l = (size_t)(dot - s);
		struct var *v;

		if (l >= sizeof(obj))
			return mc_error(c, h, "undefined function '%s'", s);
		memcpy(obj, s, l);
		obj[l] = '\0';
		v = mc_lookup(c, obj, NULL);
		if (v && (v->v.k == SV_HOST || v->v.k == SV_GUEST))
			ent = v->v;
		else if (!v && strcmp(obj, "Host") == 0)
			ent = (struct sval){.k = SV_HOST};
		else
			return mc_error(c, h, "undefined function '%s'", s);
		return mc_method(c, n, &ent, dot + 1, out);
	}
	if ((f = find_func(c, s)))
		return call(c, n, f, out);
	return mc_error(c, h,
			"undefined function '%s' (not a MOM builtin and "
			"not defined with def before this call)",
			s);
}

/* The evaluator; the other translator files reach it through c->eval. */
static int conv_eval(struct conv *c, const struct mnode *n, struct sval *out)
{
	*out = (struct sval){.k = SV_NUM};
	if (++c->steps > MOMCONV_MAX_STEPS)
		return mc_error(c, n,
				"the program is too large once function calls "
				"are expanded");
	switch (n->kind) {
	case MK_NUM:
		*out = sv_num(n->is_int ? json_integer(n->ival)
					: json_real(n->num));
		return 0;
	case MK_STR:
		*out = (struct sval){.k = SV_STR,
				     .e = json_pack("[ss]", "str", n->text)};
		return 0;
	case MK_SYM:
		return eval_symbol(c, n, out);
	case MK_BLOCK:
		return form_seq(c, n, 0, out);
	case MK_LIST:
		return eval_list(c, n, out);
	}
	return mc_error(c, n, "unexpected form");
}

/* ---- entry point ---- */

json_t *momlang_convert(const char *text, size_t len, const char *name,
			size_t max_out, struct policy_error *err)
{
	struct conv c = {.err = err, .eval = conv_eval, .max_out = max_out};
	struct mnode top;
	json_t *doc = NULL, *host = NULL;
	struct sval v = {0};
	int rc;

	memset(err, 0, sizeof(*err));
	snprintf(err->policy, sizeof(err->policy), "%s", name ? name : "");
	if (len > MOMLANG_MAX_TEXT) {
		snprintf(err->message, sizeof(err->message),
			 "the text is larger than %d bytes", MOMLANG_MAX_TEXT);
		return NULL;
	}
	if (momread(text, len, &top, err) < 0) {
		momread_free(&top);
		return NULL;
	}
	c.ns = mc_ns_encode(name);
	c.params = json_object();
	c.host_do = json_array();
	c.guest_rules = json_array();
	c.versions = json_object();
	c.used = json_object();
	c.func_index = json_object();
	c.param_reads = json_object();
	c.cur = c.host_do;
	rc = (!c.ns || !c.params || !c.host_do || !c.guest_rules ||
	      !c.versions || !c.used || !c.func_index || !c.param_reads ||
	      mc_scope_push(&c) < 0)
		 ? mc_error(&c, NULL, "out of memory")
		 : form_seq(&c, &top, 0, &v);
	sval_clear(&v);
	if (!rc) {
		doc = json_pack(
		    "{s:o}", "description",
		    json_sprintf("Converted from MOM's policy language%s%s",
				 name ? ": " : "", name ? name : ""));
		if (json_object_size(c.params))
			json_object_set(doc, "parameters", c.params);
		if (json_array_size(c.host_do)) {
			host = json_pack("[{s:s, s:O}]", "rule", "host", "do",
					 c.host_do);
			json_object_set_new(doc, "host", host);
		}
		if (json_array_size(c.guest_rules))
			json_object_set(doc, "guest", c.guest_rules);
	}
	while (c.nscopes)
		mc_scope_pop(&c);
	free(c.scopes);
	for (size_t i = 0; i < c.nfuncs; i++)
		free(c.funcs[i].name);
	free(c.funcs);
	json_decref(c.params);
	json_decref(c.host_do);
	json_decref(c.guest_rules);
	json_decref(c.versions);
	json_decref(c.used);
	free(c.ns);
	json_decref(c.func_index);
	json_decref(c.param_reads);
	momread_free(&top);
	if (!rc && !doc)
		snprintf(err->message, sizeof(err->message), "out of memory");
	return doc;
}

char *momlang_convert_text(const char *text, size_t len, const char *name,
			   size_t max_out, struct policy_error *err)
{
	json_t *doc = momlang_convert(text, len, name, max_out, err);
	char *s;

	if (!doc)
		return NULL;
	/* Compact: momd stores this text as it is, and indenting costs
	   the depth times the size (README, "Every request has a bounded
	   cost"). */
	s = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(doc);
	if (!s)
		snprintf(err->message, sizeof(err->message), "out of memory");
	else if (strlen(s) > max_out) {
		/* The statements fit, their rules and parameters did not. */
		snprintf(err->message, sizeof(err->message),
			 "the converted policy would be larger than %zu bytes "
			 "(max_body)",
			 max_out);
		free(s);
		s = NULL;
	}
	return s;
}
