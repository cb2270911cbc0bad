/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_priv.h: the translator's state, shared by momlang_conv.c (the
 * program: variables, functions, if, with, statements) and momlang_ops.c
 * (operators and entity methods).  Private to the converter.
 *
 * DESIGN.  The MOM program is run once, symbolically.  A value (struct
 * sval) is a JSON expression of our language, or an entity (Host, a
 * guest), or the Guests list.  Every assignment of a number emits a
 * `let` with a new name; the current path condition ("pc": the name of a
 * let that is true on this path, or none) guards it as
 * ["if", pc, value, previous], and guards every control write, so a
 * MOM `if` whose branches assign or set controls becomes straight-line
 * code that evaluates exactly what MOM evaluated on each path.
 */
#ifndef MOM_MOMLANG_PRIV_H
#define MOM_MOMLANG_PRIV_H

#include <stdbool.h>

#include <jansson.h>

#include "momlang_read.h"
#include "policy.h"

enum svk {
	SV_NUM,	   /* e: a numeric expression (null = MOM's nil) */
	SV_STR,	   /* e: a string expression (["str", s] or ["name"]) */
	SV_HOST,   /* the Host entity */
	SV_GUEST,  /* the guest of the current guest rule */
	SV_GUESTS, /* the Guests list */
	SV_FUNC,   /* a function's name (the value of def), e: its name */
	SV_BAD,	   /* a value that has no equivalent; an error if used */
};

struct sval {
	enum svk k;
	json_t *e;		/* owned */
	const struct mnode *at; /* SV_BAD: where */
	const char *why;	/* SV_BAD: the message */
};

struct var {
	char *name;
	struct sval v;
	json_t *defcond; /* NULL: defined on every path; else the
			    condition (let names) of where it is */
	bool param;	 /* a top-level constant, i.e. a parameter */
};

struct scope {
	size_t n, cap;
	struct var *vars;
	json_t *index; /* name -> index in vars of its first binding */
};

struct func {
	char *name;
	const struct mnode *params, *body;
};

struct conv {
	struct policy_error *err;
	char *ns;	     /* suffix of generated names, "" for none */
	json_t *params;	     /* "parameters" */
	json_t *host_do;     /* the host rule's statements */
	json_t *guest_rules; /* the guest rules */
	json_t *cur;	     /* where statements go now */
	json_t *versions;    /* cleaned base -> count, for unique let names */
	json_t *used;	     /* let and parameter names given out */
	json_t *pc;	     /* path condition (a let name) or NULL */
	json_t *param_reads; /* names read as parameters so far */
	bool in_guest;
	size_t guest_base; /* first scope of the current guest rule */
	size_t nscopes, capscopes;
	struct scope *scopes; /* [0] is the global scope */
	size_t nfuncs, capfuncs;
	struct func *funcs;
	json_t *func_index; /* name -> index in funcs */
	/* The evaluator of forms (momlang_conv.c), called through here by
	   the operators and the emitter, so that the calls between the
	   translator's files go one way: conv -> ops -> emit. */
	int (*eval)(struct conv *c, const struct mnode *n, struct sval *out);
	int call_depth;
	unsigned long steps; /* forms evaluated, bounded */
	size_t nstmts;	     /* statements emitted, bounded */
	size_t max_out;	     /* bound on the output's compact JSON */
	size_t out_bytes;    /* compact JSON of the statements emitted */
};

#define MOMCONV_MAX_CALLS      16
#define MOMCONV_MAX_STEPS      200000
#define MOMCONV_MAX_STMTS      20000
#define MOMCONV_MAX_EXPR_DEPTH 40

/* The first error, with the form's line and column (momlang_emit.c). */
__attribute__((format(printf, 3, 4))) int
mc_error(struct conv *c, const struct mnode *at, const char *fmt, ...);

/* Evaluate form n (c->eval); *out is owned by the caller. */
static inline int mc_eval(struct conv *c, const struct mnode *n,
			  struct sval *out)
{
	return c->eval(c, n, out);
}

/* ---- momlang_emit.c ---- */

struct sval sv_num(json_t *e);
void sval_clear(struct sval *v);
struct sval mc_sval_copy(const struct sval *v);

/* MOM's scopes: push, pop, find in one scope, find innermost (*depth gets
   its scope's index), add to the innermost (v taken; NULL when out of
   memory). */
int mc_scope_push(struct conv *c);
void mc_scope_pop(struct conv *c);
struct var *mc_scope_find(struct scope *s, const char *name);
struct var *mc_lookup(struct conv *c, const char *name, size_t *depth);
struct var *mc_scope_add(struct conv *c, const char *name, struct sval v);

/* Evaluate n, requiring a number. */
int mc_num(struct conv *c, const struct mnode *n, json_t **out);

/* Emit {"let": {unique name for base: expr}} (expr taken); the name (new
   reference), or NULL after an error. */
json_t *mc_emit_let(struct conv *c, const struct mnode *at, const char *base,
		    json_t *expr);
/* ["if", pc, e, prev] on a guarded path, else e (e and prev taken). */
json_t *mc_guard(struct conv *c, json_t *e, json_t *prev);
/* Emit a control write, guarded by pc (value taken). */
int mc_emit_set(struct conv *c, const struct mnode *at, const char *ctl,
		json_t *value);
/* Bind *v (taken) as variable base: a number becomes a guarded `let`
   whose other paths keep prev (taken, may be NULL); *out is the value. */
int mc_bind(struct conv *c, const struct mnode *at, const char *base,
	    struct sval *v, json_t *prev, struct sval *out);
/* Remove statement i of the current rule (binding name) when neither
   value nor what was emitted since (statements from index from, guest
   rules from index rules_from) reads it. */
void mc_drop_unused(struct conv *c, size_t i, const json_t *name,
		    const struct sval *value, size_t from, size_t rules_from);
bool mc_is_ident(const char *s);
/* The suffix of generated names for policy name (a new string, "" for
   NULL), one per policy name; NULL when out of memory. */
char *mc_ns_encode(const char *name);
bool mc_is_const(const json_t *e);

/* Operators and entity methods (momlang_ops.c).  1 when n's head is not
   one of theirs, else 0 or -1. */
int mc_operator(struct conv *c, const struct mnode *n, struct sval *out);
int mc_method(struct conv *c, const struct mnode *n, const struct sval *ent,
	      const char *method, struct sval *out);
/* entity.field as a value. */
int mc_field(struct conv *c, const struct mnode *at, const struct sval *ent,
	     const char *field, struct sval *out);

/* "a number", "the Host entity", ... (momlang_emit.c). */
const char *mc_kind_name(enum svk k);

#endif /* MOM_MOMLANG_PRIV_H */
