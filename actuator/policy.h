/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy.h: loading and validating a set of named JSON policies.
 *
 * A policy set is what MOM's mom.d was: several named policies combined in
 * name order (00-defines, 02-balloon, 03-ksm, ...).  Loading validates
 * everything (JSON syntax, structure, names, arity, types) before anything
 * is used, and compiles the set into an immutable form that the evaluator
 * runs without lookups by name.  A set that does not validate is never
 * produced, so the caller keeps the previous one in force.
 *
 * The language is specified in policies/README.md.
 *
 * A struct policy_set is immutable after loading and may be read from
 * several threads at once.  It is freed with policy_set_free().
 */
#ifndef MOM_POLICY_H
#define MOM_POLICY_H

#include <stdbool.h>
#include <stddef.h>

#include "policy_error.h"

/* One named policy as text (a JSON document). */
struct policy_source {
	const char *name; /* [A-Za-z0-9_.-]+, at most 63 bytes, no ".." */
	const char *text;
};

struct policy_set;

/*
 * Load, validate and compile the policies in sources[0..n) (any order; they
 * are combined in name order).  n may be 0: an empty set decides nothing.
 * Returns a new set, or NULL with *err filled.
 */
struct policy_set *policy_set_load(const struct policy_source *sources,
				   size_t n, struct policy_error *err);

/*
 * Load every "*.json" file of dir (the policy name is the file name without
 * ".json").  Returns a new set, or NULL with *err filled (a file that cannot
 * be read is an error too).
 */
struct policy_set *policy_set_load_dir(const char *dir,
				       struct policy_error *err);

void policy_set_free(struct policy_set *ps);

/* The policies of the set, in name order; pointers are borrowed. */
size_t policy_set_count(const struct policy_set *ps);
const char *policy_set_name(const struct policy_set *ps, size_t i);
const char *policy_set_text(const struct policy_set *ps, size_t i);

/* The parameters that the set's policies declare, with their defaults. */
size_t policy_set_param_count(const struct policy_set *ps);
const char *policy_set_param_name(const struct policy_set *ps, size_t i);
double policy_set_param_default(const struct policy_set *ps, size_t i);
/* Index of the named parameter, or -1 when no policy declares it. */
int policy_set_param_index(const struct policy_set *ps, const char *name);

/* A policy name is valid: [A-Za-z0-9_.-]{1,63}, not starting with '.'. */
bool policy_name_valid(const char *name);

#endif /* MOM_POLICY_H */
