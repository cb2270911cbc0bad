/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_priv.h: the compiled form of a policy set, shared by the loader
 * (policy.c, policy_expr.c, policy_cc.c), the evaluator (eval.c) and their
 * tests.  The compiler's own context is in policy_cc.h.
 *
 * DESIGN.  Loading turns every policy into a tree whose leaves are already
 * resolved: a name becomes a constant (a define), a parameter index, or a
 * variable slot; a field becomes its enum index.  The evaluator therefore
 * never compares strings and never allocates per node.  All of the tree
 * lives in one arena owned by the set, freed at once.
 *
 * Variables live in one array of doubles per evaluation ("env"): first the
 * parameters, then one slot per `let` binding of the whole set (slots are
 * never reused, so no reset between guests is needed).  A binding is always
 * assigned before it is read inside its own rule (lets are sequential and a
 * `stop` ends the rule), so only reads of a host variable from a later rule
 * (XOP_GVAR) check a per-slot "assigned" flag: the defining rule may have
 * stopped or failed before assigning it.
 *
 * Invariants: nesting depth <= POLICY_MAX_DEPTH; every node's children are
 * typed as their operator requires; a set is immutable after loading.
 */
#ifndef MOM_POLICY_PRIV_H
#define MOM_POLICY_PRIV_H

#ifndef MOM_POLICY_PRIV_ALLOW
#error "policy_priv.h is private to the policy loader, evaluator and tests"
#endif

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "arena.h"
#include "evstate.h"
#include "plan.h"

/* Deepest nesting of statements and expressions, counted together. */
#define POLICY_MAX_DEPTH 64
/* Most expression nodes and statements in one set: bounds its memory
   (about 100 bytes a node) and the work of one evaluation per entity. */
#define POLICY_MAX_NODES 200000
/* Longest rule name: every error message of every guest and disk a rule
   fails for repeats it (a 900 KB name, 1000 failing guests: 1.7 GB). */
#define POLICY_RULE_NAME_MAX 255

/*
 * A JSON path, shared: each segment points to its parent, so a node costs
 * one segment whatever its depth (a copy of the whole path in every node
 * cost about 145 times the policy's size).  key NULL means "[index]";
 * the root "$" is a NULL segment.
 */
struct pseg {
	const struct pseg *up;
	const char *key;
	size_t index;
};

/* Write the path s as "$.host[0].do" into buf (always terminated);
   in policy.c (the compile context, policy_cc.c, builds the segments). */
void pseg_format(const struct pseg *s, char *buf, size_t len);

enum xop {
	XOP_CONST, /* k; NaN is the literal null */
	XOP_VAR,   /* env[idx], assigned before any read */
	XOP_GVAR,  /* env[idx] of a host variable of an earlier rule */
	XOP_PARAM, /* env[idx] */
	XOP_STAT,  /* latest value of field idx of the current entity */
	XOP_AVG,   /* StatAvg of field idx of the current entity */
	XOP_HSTAT, /* the same for the host, from a guest rule */
	XOP_HAVG,
	XOP_GUSTAT, /* the same for the disk's guest, from a disk rule */
	XOP_GUAVG,
	XOP_ADD,
	XOP_SUB,
	XOP_NEG,
	XOP_MUL,
	XOP_DIV,
	XOP_MIN,
	XOP_MAX,
	XOP_ABS,
	XOP_LT,
	XOP_LE,
	XOP_GT,
	XOP_GE,
	XOP_EQ,
	XOP_NE,
	XOP_AND,
	XOP_OR,
	XOP_NOT,
	XOP_IF,
	XOP_ABSENT,
	XOP_PRESENT,
	XOP_DEFAULT,
	XOP_GLOB, /* fnmatch(s, guest name) */
	XOP_SEQ,
	XOP_SNE,  /* string == and != */
	XOP_NAME, /* string: the entity's name */
	XOP_STR,  /* string: s */
	/* Aggregates and state (policy_ext.c). */
	XOP_STATE,  /* the entity's state key idx, from the last cycle */
	XOP_GSUM,   /* sum over guests of args[0] (absent skipped); idx:
		       the aggregate's cache slot */
	XOP_GCOUNT, /* guests for which args[0] is true; idx as GSUM */
	XOP_OSTAT,  /* latest value of field idx, absent when idx < 0 (a
		       field this build does not know) */
};

enum xtype { XT_NUM, XT_STR };

struct xnode {
	uint8_t op;   /* enum xop */
	uint8_t type; /* enum xtype of the result */
	uint16_t nargs;
	int idx;		 /* slot, parameter or field index */
	double k;		 /* XOP_CONST */
	const char *s;		 /* literal, pattern, or label of a leaf */
	const char *opname;	 /* the operator as written, for messages */
	const struct pseg *path; /* JSON path, for runtime error messages */
	struct xnode *args;	 /* nargs children, contiguous */
};

enum sop {
	SOP_LET,
	SOP_IF,
	SOP_SET,
	SOP_STOP,
	SOP_KEEP, /* state key `control` of the entity := expr */
};

enum set_kind { SET_HOST, SET_SIGNAL, SET_GUEST, SET_DISK };

struct block {
	size_t n;
	struct stmt *s;
};

struct reason_input {
	const char *label; /* borrowed from the arena */
	struct xnode leaf; /* a copy of a leaf that cannot fail */
};

struct stmt {
	uint8_t op;	   /* enum sop */
	uint8_t set_kind;  /* enum set_kind, SOP_SET */
	int slot;	   /* SOP_LET */
	int control;	   /* SOP_SET: control or signal index */
	struct xnode expr; /* let value, if condition, set value */
	struct block then_b, else_b;
	unsigned ninputs; /* SOP_SET */
	struct reason_input inputs[PLAN_REASON_INPUTS];
};

struct rule {
	const char *name;
	const char *policy; /* the policy's name */
	struct block body;
};

struct cpolicy {
	const char *name;
	const char *text;
	size_t nhost, nguest, ndisk;
	struct rule *host, *guest, *disk; /* disk: once per (guest, disk) */
};

struct param_def {
	const char *name;
	double def;
};

struct policy_set {
	struct arena arena;
	size_t npolicies;
	struct cpolicy *policies; /* in name order */
	size_t nparams;
	struct param_def *params; /* env[0..nparams) */
	json_t *param_index;	  /* name -> index in params */
	size_t nslots;		  /* env size: parameters + lets */
	/* State keys declared by the policies (policy_ext.c): a key is a
	   host's or a guest's; reads and keeps are checked against it. */
	size_t nstate;
	const char *state_names[EVSTATE_MAX_KEYS];
	bool state_guest[EVSTATE_MAX_KEYS];
	size_t naggs; /* aggregates: one cache slot each per evaluation */
};

#endif /* MOM_POLICY_PRIV_H */
