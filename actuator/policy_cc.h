/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_cc.h: the policy compiler's context, private to the loader.
 *
 * The statement compiler (policy.c) drives a compilation; the expression
 * compiler (policy_expr.c) compiles what it is handed; both record errors,
 * paths and node counts through the context functions of policy_cc.c,
 * which call neither of them.  So the calls go one way: policy.c ->
 * policy_expr.c -> policy_cc.c -> arena.c.
 */
#ifndef MOM_POLICY_CC_H
#define MOM_POLICY_CC_H

#ifndef MOM_POLICY_PRIV_ALLOW
#error "policy_cc.h is private to the policy loader and its tests"
#endif

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "policy_error.h"
#include "policy_priv.h"

struct name_bind {
	const char *name;
	int slot;
	const char *rule; /* defining rule, for GVAR detection */
};

struct cctx {
	struct policy_set *ps;
	struct policy_error *err;
	const char *policy; /* current policy name */
	const char *rule;   /* current rule name (arena) */
	bool guest;	    /* compiling a guest or a disk rule */
	bool disk;	    /* compiling a disk rule (guest is set too) */
	char path[256];
	size_t pathlen;
	/* The same path as shared segments; segs[d] is the one in force
	   before push d (pushes deeper than CC_SEGS share their parent's). */
	const struct pseg *cur;
	size_t depth;
	const struct pseg *segs[256];
	size_t nnodes; /* expression nodes and statements so far */
	/* Defines: name -> value (collected before compiling rules). */
	size_t ndefines;
	const char **define_names;
	double *define_values;
	json_t *define_index; /* name -> index in define_names */
	/* Let bindings visible now: globals then the current rule's stack. */
	size_t nbinds, capbinds;
	struct name_bind *binds;
	size_t nglobals; /* binds[0..nglobals) are host globals */
	/* name -> index in binds of each visible binding: a name is bound
	   once (no shadowing), so one entry each; cc_binds_pop drops them. */
	json_t *bind_index;
	/* Inside guests_sum/guests_count (policy_ext.c): the expression
	   runs for every guest, so a guest rule's own lets are out of
	   reach; agg_guest_rule says whether the rule is a guest rule. */
	bool in_agg, agg_guest_rule;
};

/* ---- the context (policy_cc.c) ---- */

/* Fill c->err with the current policy, path and message; returns -1. */
__attribute__((format(printf, 2, 3))) int cc_error(struct cctx *c,
						   const char *fmt, ...);
/* 0 when name is a valid identifier (evstate.h), else -1 with the error,
   which says the rule. */
int cc_name(struct cctx *c, const char *name);
/* Back to the root path "$". */
void cc_reset_path(struct cctx *c);
/* Push ".key" or "[i]" on the path; returns the mark to restore. */
size_t cc_push_key(struct cctx *c, const char *key);
size_t cc_push_index(struct cctx *c, size_t i);
void cc_pop(struct cctx *c, size_t mark);
/* Count one expression node or statement; -1 past POLICY_MAX_NODES. */
int cc_count_node(struct cctx *c);
/* 0 when object o has only keys of allowed (NULL-terminated), else -1
   with the error at the first other key. */
int cc_keys(struct cctx *c, const json_t *o, const char *const *allowed);

/* The target of {"set": name}: a host control, a signal, a guest or a
   disk control, as the scope being compiled allows; -1 with the error
   otherwise. */
int cc_set_target(struct cctx *c, const char *name, struct stmt *s);

/* ---- expressions (policy_expr.c) ---- */

/* Index of a define or a parameter by name, or -1 (policy_cc.c). */
long long cc_define_index(const struct cctx *c, const char *name);
long long cc_param_index(const struct cctx *c, const char *name);
/* The visible binding of name (an index in binds), or -1 (policy_cc.c). */
long long cc_bind_index(const struct cctx *c, const char *name);
/* End a scope: the bindings from mark on are no longer visible. */
void cc_binds_pop(struct cctx *c, size_t mark);
/* Record name as entry i of the index idx; -1 with the error filled when
   out of memory (policy_cc.c). */
int cc_name_index_add(struct cctx *c, json_t *idx, const char *name, size_t i);

/* Resolve a name to a node (define, parameter or variable). */
int cc_resolve_name(struct cctx *c, const char *name, struct xnode *out);

/*
 * Compile expression j into *out.  depth counts the nesting so far.
 * Returns 0, or -1 with c->err filled.
 */
int cx_expr(struct cctx *c, const json_t *j, int depth, struct xnode *out);
/* The same, requiring a numeric result. */
int cx_num(struct cctx *c, const json_t *j, int depth, struct xnode *out);
/* The label of a leaf a reason can show, or NULL if n is not such a leaf. */
const char *cx_leaf_label(const struct xnode *n);

/* policy_ext.c: state declarations (pass 1), the operators state,
   optional_stat, guests_sum, guests_count and the keep statement. */
int cc_state_decls(struct cctx *c, const json_t *o);
int cx_ext_literal(struct cctx *c, struct xnode *out, const json_t *arg);
/* Enter an aggregate's expression (checks, cache slot, guest scope);
   leave restores the scope. */
int cx_agg_enter(struct cctx *c, struct xnode *out, bool *saved);
void cx_agg_leave(struct cctx *c, bool saved);
/* {"keep": k, "to": e}: the key; the caller compiles "to". */
int cc_keep_key(struct cctx *c, const json_t *st, struct stmt *s);

#endif /* MOM_POLICY_CC_H */
