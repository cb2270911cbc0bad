/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_emit.c: the translator's bookkeeping (see momlang_priv.h): values,
 * MOM's scopes, and the statements it emits into the current rule: `let`
 * bindings with unique names, guarded by the path condition, and control
 * writes.  Bounds the size and depth of what is emitted.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "momlang_priv.h"

#include "evstate.h"
#include "siphash.h"

/* Generated names are kept this short (the loader takes up to
   EVSTATE_NAME_MAX), and their policy part (ns_suffix()) to NS_SUFFIX_MAX:
   a variable keeps 30 bytes or more of its MOM name. */
#define LET_NAME_MAX  63
#define NS_SUFFIX_MAX 24

int mc_error(struct conv *c, const struct mnode *at, const char *fmt, ...)
{
	va_list ap;

	if (c->err->message[0])
		return -1; /* the first error stands */
	c->err->line = at ? at->line : 0;
	c->err->column = at ? at->col : 0;
	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

const char *mc_kind_name(enum svk k)
{
	switch (k) {
	case SV_NUM:
		return "a number";
	case SV_STR:
		return "a string";
	case SV_HOST:
		return "the Host entity";
	case SV_GUEST:
		return "a guest entity";
	case SV_GUESTS:
		return "the Guests list";
	case SV_FUNC:
		return "a function name";
	case SV_BAD:
		return "a value with no equivalent";
	}
	return "a value";
}

struct sval sv_num(json_t *e)
{
	return (struct sval){.k = SV_NUM, .e = e};
}

void sval_clear(struct sval *v)
{
	json_decref(v->e);
	v->e = NULL;
}

struct sval mc_sval_copy(const struct sval *v)
{
	struct sval r = *v;

	json_incref(r.e);
	return r;
}

/* ---- scopes ---- */

int mc_scope_push(struct conv *c)
{
	if (c->nscopes == c->capscopes) {
		size_t nc = c->capscopes ? 2 * c->capscopes : 8;
		struct scope *s = realloc(c->scopes, nc * sizeof(*s));

		if (!s)
			return -1;
		c->scopes = s;
		c->capscopes = nc;
	}
	memset(&c->scopes[c->nscopes++], 0, sizeof(struct scope));
	return 0;
}

void mc_scope_pop(struct conv *c)
{
	struct scope *s = &c->scopes[--c->nscopes];

	for (size_t i = 0; i < s->n; i++) {
		free(s->vars[i].name);
		sval_clear(&s->vars[i].v);
		json_decref(s->vars[i].defcond);
	}
	free(s->vars);
	json_decref(s->index);
}

/* By the scope's index, not a scan: a MOM text of 40000 defvars took
   half a minute to convert when each was compared with all before it. */
struct var *mc_scope_find(struct scope *s, const char *name)
{
	const json_t *i = json_object_get(s->index, name);

	return i ? &s->vars[json_integer_value(i)] : NULL;
}

/* Innermost binding of name; *depth gets its scope's index. */
struct var *mc_lookup(struct conv *c, const char *name, size_t *depth)
{
	for (size_t d = c->nscopes; d-- > 0;) {
		struct var *v = mc_scope_find(&c->scopes[d], name);

		if (v) {
			if (depth)
				*depth = d;
			return v;
		}
	}
	return NULL;
}

/* A new variable in the innermost scope; v is taken. */
struct var *mc_scope_add(struct conv *c, const char *name, struct sval v)
{
	struct scope *s = &c->scopes[c->nscopes - 1];
	struct var *nv;

	if (s->n == s->cap) {
		size_t nc = s->cap ? 2 * s->cap : 8;
		struct var *a = realloc(s->vars, nc * sizeof(*a));

		if (!a) {
			sval_clear(&v);
			return NULL;
		}
		s->vars = a;
		s->cap = nc;
	}
	if (!s->index && !(s->index = json_object())) {
		sval_clear(&v);
		return NULL;
	}
	nv = &s->vars[s->n];
	memset(nv, 0, sizeof(*nv));
	nv->name = strdup(name);
	/* The first binding of a name is the one a lookup finds. */
	if (!nv->name ||
	    (!json_object_get(s->index, name) &&
	     json_object_set_new(s->index, name,
				 json_integer((json_int_t)s->n)) < 0)) {
		free(nv->name);
		sval_clear(&v);
		return NULL;
	}
	nv->v = v;
	s->n++;
	return nv;
}

/* ---- emitting statements ---- */

static int json_depth(const json_t *e)
{
	int d = 0;

	if (json_is_array(e)) {
		size_t i;
		json_t *k;

		json_array_foreach(e, i, k)
		{
			int kd = json_depth(k);

			if (kd > d)
				d = kd;
		}
		return d + 1;
	}
	return 0;
}

static int check_depth(struct conv *c, const struct mnode *at, const json_t *e)
{
	if (json_depth(e) > MOMCONV_MAX_EXPR_DEPTH)
		return mc_error(
		    c, at,
		    "the expression nests deeper than %d levels once converted",
		    MOMCONV_MAX_EXPR_DEPTH);
	return 0;
}

struct out_count {
	size_t n, max;
};

static int out_count_cb(const char *buf, size_t size, void *data)
{
	struct out_count *k = data;

	(void)buf;
	k->n += size;
	return k->n > k->max ? -1 : 0; /* stops the dump as soon as over */
}

/*
 * Count st's compact JSON (and its comma) against max_out.  Expanded
 * function calls are copies, so the output can grow exponentially with
 * the text while the forms evaluated stay under MOMCONV_MAX_STEPS; the
 * count stops at the bound, so refusing costs at most max_out bytes of
 * dumping.
 */
static int count_out(struct conv *c, const struct mnode *at, const json_t *st)
{
	struct out_count k = {.max = c->max_out - c->out_bytes};

	if (c->out_bytes >= c->max_out ||
	    json_dump_callback(st, out_count_cb, &k,
			       JSON_COMPACT | JSON_PRESERVE_ORDER) < 0 ||
	    k.n + 1 > k.max)
		return mc_error(c, at,
				"the converted policy would be larger than "
				"%zu bytes (max_body) once function calls "
				"are expanded",
				c->max_out);
	c->out_bytes += k.n + 1;
	return 0;
}

static int append(struct conv *c, const struct mnode *at, json_t *st)
{
	if (!st)
		return mc_error(c, at, "out of memory");
	if (++c->nstmts > MOMCONV_MAX_STMTS) {
		json_decref(st);
		return mc_error(c, at,
				"too many statements once function calls "
				"are expanded");
	}
	if (count_out(c, at, st) < 0) {
		json_decref(st);
		return -1;
	}
	json_array_append_new(c->cur, st);
	return 0;
}

/*
 * The readable part of a binding's name, from the MOM variable base:
 * letters, digits and single inner '_' (a run of '_', '-', '.' becomes
 * one '_'), at most 48 characters, "v" if nothing is left.  It never has
 * "__" nor ends with '_', so the first "__" of a generated name is where
 * the policy's suffix starts and two policies cannot meet.
 */
static void base_clean(char *dst, size_t size, const char *base)
{
	size_t n = 0;

	for (; *base && n < size - 1; base++) {
		if (isalnum((unsigned char)*base))
			dst[n++] = *base;
		else if (n == 0 || dst[n - 1] != '_')
			dst[n++] = '_';
	}
	while (n > 0 && dst[n - 1] == '_')
		n--;
	if (n == 0)
		dst[n++] = 'v';
	dst[n] = '\0';
}

/*
 * A unique identifier for a binding of MOM variable base.  Cleaning and
 * cutting map distinct MOM names onto one (foo-bar and foo_bar, names
 * alike in their first 48 characters, x's second version and a variable
 * x_2), so the version is counted per cleaned name and a name already
 * given out (c->used, parameters too) is skipped: each is skipped once
 * per cleaned name, as versions remembers the last.
 */
/* The policy's part of its generated names: "" for none, "__" and the
   encoded policy name, or, when that would leave a name too little room
   within LET_NAME_MAX (a long policy name), "__h" and 8 hex digits of a
   hash of the encoded name (SipHash under a fixed key: the names must be
   the same in every run): still one suffix per policy name, a clash
   between two in one set being refused as a duplicate name. */
static void ns_suffix(const char *ns, char *out, size_t size)
{
	static const uint8_t key[SIPHASH_KEY_LEN] = {0};

	if (!ns[0] || strlen(ns) <= NS_SUFFIX_MAX - 2) {
		snprintf(out, size, "%s%s", ns[0] ? "__" : "", ns);
		return;
	}
	snprintf(out, size, "__h%08x",
		 (unsigned)(siphash24(key, ns, strlen(ns)) >> 32));
}

static json_t *let_name(struct conv *c, const char *base)
{
	char clean[49], suffix[NS_SUFFIX_MAX + 1], ver[24] = "";
	json_int_t k;
	json_t *name = NULL;

	base_clean(clean, sizeof(clean), base);
	ns_suffix(c->ns, suffix, sizeof(suffix));
	k = json_integer_value(json_object_get(c->versions, clean));
	do {
		size_t room, n;

		json_decref(name);
		k++;
		if (k > 1)
			snprintf(ver, sizeof(ver), "_%lld", (long long)k);
		/* Cut to fit the name limit, at no '_' (no "__" before the
		   suffix); the versions and c->used keep the cut names
		   distinct. */
		room = LET_NAME_MAX - strlen(ver) - strlen(suffix);
		n = strlen(clean) < room ? strlen(clean) : room;
		while (n > 1 && clean[n - 1] == '_')
			n--;
		name = json_sprintf("%.*s%s%s", (int)n, clean, ver, suffix);
		if (!name)
			return NULL;
	} while (json_object_get(c->used, json_string_value(name)));
	if (json_object_set_new(c->versions, clean, json_integer(k)) < 0 ||
	    json_object_set_new(c->used, json_string_value(name), json_true()) <
		0) {
		json_decref(name);
		return NULL;
	}
	return name;
}

/*
 * Distinct policy names ([A-Za-z0-9_.-]) must give distinct suffixes, or
 * two policies bind one name (a-b and a_b both gave a_b).  Letters and
 * digits with single inner '-' (vdsm's 02-balloon) are written with '_'
 * for '-' (02_balloon); any other name with '_' for each '_', '-', '.',
 * then '_', a letter per such character in order (u, d, p), and '_'
 * (50_main_ is 50_main__uu_, a.b is a_b_p_).  The first form never ends
 * with '_', the second always does, and each reads back one way.
 */
char *mc_ns_encode(const char *name)
{
	static const char seps[] = "_-.", tags[] = "udp";
	size_t len = name ? strlen(name) : 0, n = 0;
	bool plain = len == 0 || (name[0] != '-' && name[len - 1] != '-');
	char *s = malloc(2 * len + 3);

	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		bool sep = !isalnum((unsigned char)name[i]);

		if (sep && (name[i] != '-' || (i > 0 && name[i - 1] == '-')))
			plain = false;
		s[n++] = sep ? '_' : name[i];
	}
	if (!plain) {
		s[n++] = '_';
		for (size_t i = 0; i < len; i++) {
			const char *p = strchr(seps, name[i]);

			/* x: a character no valid policy name has */
			if (!isalnum((unsigned char)name[i]))
				s[n++] = p ? tags[p - seps] : 'x';
		}
		s[n++] = '_';
	}
	s[n] = '\0';
	return s;
}

/* Emit {"let": {name: expr}} (expr taken); answers the name (new ref). */
json_t *mc_emit_let(struct conv *c, const struct mnode *at, const char *base,
		    json_t *expr)
{
	json_t *name;

	if (check_depth(c, at, expr) < 0) {
		json_decref(expr);
		return NULL;
	}
	name = let_name(c, base);
	if (!name || append(c, at,
			    json_pack("{s:{s:o}}", "let",
				      json_string_value(name), expr)) < 0) {
		json_decref(name);
		return NULL;
	}
	return name;
}

/* ["if", pc, e, prev] on a guarded path, else e.  Takes e and prev. */
json_t *mc_guard(struct conv *c, json_t *e, json_t *prev)
{
	if (!c->pc) {
		json_decref(prev);
		return e;
	}
	return json_pack("[sOoo]", "if", c->pc, e, prev ? prev : json_null());
}

int mc_emit_set(struct conv *c, const struct mnode *at, const char *ctl,
		json_t *value)
{
	json_t *st;

	if (check_depth(c, at, value) < 0) {
		json_decref(value);
		return -1;
	}
	st = json_pack("{s:s, s:o}", "set", ctl, "to", value);
	if (st && c->pc)
		st = json_pack("{s:O, s:[o]}", "if", c->pc, "then", st);
	return append(c, at, st);
}

int mc_num(struct conv *c, const struct mnode *n, json_t **out)
{
	struct sval v;

	if (mc_eval(c, n, &v) < 0)
		return -1;
	if (v.k != SV_NUM) {
		int rc =
		    v.k == SV_BAD
			? mc_error(c, v.at, "%s", v.why)
			: mc_error(c, n, "a number is expected here, not %s",
				   mc_kind_name(v.k));

		sval_clear(&v);
		return rc;
	}
	*out = v.e;
	return 0;
}

/* ---- variables ---- */

bool mc_is_ident(const char *s)
{
	/* The loader's rule, length included: a MOM name longer than it
	   takes is no parameter name, it becomes a let with a cut name. */
	return evstate_name_valid(s);
}

/* A literal number expression (the value of a parameter). */
bool mc_is_const(const json_t *e)
{
	return json_is_number(e);
}

/*
 * Bind the value v (taken) to a variable: numbers become a `let` guarded
 * by the path condition, whose previous value is prev (a name or NULL);
 * strings and entities are kept as they are.
 */
int mc_bind(struct conv *c, const struct mnode *at, const char *base,
	    struct sval *v, json_t *prev, struct sval *out)
{
	json_t *name;

	if (v->k != SV_NUM) {
		json_decref(prev);
		*out = *v;
		return 0;
	}
	name = mc_emit_let(c, at, base, mc_guard(c, v->e, prev));
	v->e = NULL;
	if (!name)
		return -1;
	*out = sv_num(name);
	return 0;
}

/* Whether expression or statement e mentions the name s. */
static bool mentions(const json_t *e, const json_t *s)
{
	size_t i;
	const char *k;
	json_t *v;

	if (json_is_string(e))
		return json_equal(e, s);
	if (json_is_array(e)) {
		json_array_foreach(e, i, v) if (mentions(v, s)) return true;
	} else if (json_is_object(e)) {
		json_object_foreach((json_t *)e, k,
				    v) if (mentions(v, s)) return true;
	}
	return false;
}

/* Drop statement at index i of the current rule if nothing after it
   reads the name it binds (an else-branch that did nothing). */
void mc_drop_unused(struct conv *c, size_t i, const json_t *name,
		    const struct sval *value, size_t from, size_t rules_from)
{
	if (value->e && mentions(value->e, name))
		return;
	for (size_t k = from; k < json_array_size(c->cur); k++)
		if (mentions(json_array_get(c->cur, k), name))
			return;
	/* A host binding is read by guest rules too. */
	for (size_t k = rules_from;
	     !c->in_guest && k < json_array_size(c->guest_rules); k++)
		if (mentions(json_array_get(c->guest_rules, k), name))
			return;
	json_array_remove(c->cur, i);
}
