/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polstate.h: the policy changes made through the API, on top of
 * policy_dir, and their persistence in state_dir/policies.json.
 *
 * The policy set in force is composed from two sources: the policies of
 * policy_dir (shipped or site files, never written by the daemon) and the
 * overrides set through the API.  An override either adds or replaces a
 * named policy (its text) or deletes one; a whole-set replacement
 * (setPolicy) sets the "replace" flag, so that policy_dir is ignored until
 * the overrides are reset.  The file is one JSON document, so a change is
 * persisted all at once or not at all:
 *
 *   {"version": 1, "replace": false,
 *    "policies": {"01-parameters": "<policy text>", "03-ksm": null}}
 *
 * A struct polstate is a plain value owned by its caller; not thread-safe
 * (the API serialises its writers).
 */
#ifndef MOM_POLSTATE_H
#define MOM_POLSTATE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "policy.h"

#define POLSTATE_FILE "policies.json"

struct polstate;

/* An empty state (no override).  NULL when out of memory. */
struct polstate *polstate_new(void);
struct polstate *polstate_copy(const struct polstate *st);
void polstate_free(struct polstate *st);

/* True after a whole-set replacement (policy_dir is ignored). */
bool polstate_replaced(const struct polstate *st);

/* True when there is nothing to persist. */
bool polstate_empty(const struct polstate *st);

/* Add or replace the named policy's text (copied).  0 or -ENOMEM. */
int polstate_put(struct polstate *st, const char *name, const char *text);
/*
 * Delete the named policy.  One that policy_dir has (dir, name -> text, as
 * polstate_dir_texts() read them; NULL for none) gets a tombstone that
 * hides it; one only the API added is forgotten, so that a file of that
 * name added to policy_dir later is not hidden by it.  0 or -ENOMEM.
 */
int polstate_delete(struct polstate *st, const char *name, const json_t *dir);
/* Forget every override and ignore policy_dir: the set becomes empty. */
int polstate_replace_all(struct polstate *st);

/*
 * Compose the set: policy_dir's policies (dir, name -> text, as
 * polstate_dir_texts() read them; NULL for none), then the overrides.
 * The directory is not read here: the caller keeps the copy read at start
 * or at the last SIGHUP, so a change through the API never picks up (or
 * fails on) a file edited since.  Returns a new validated set, or NULL
 * with *err filled by the loader, or as policy_error_oom() when an
 * allocation failed.
 */
struct policy_set *polstate_compose(const struct polstate *st,
				    const json_t *dir,
				    struct policy_error *err);

/* name -> text of every policy of ps (a new object), or NULL when out of
   memory. */
json_t *polstate_set_texts(const struct policy_set *ps);

/* name -> text of every policy of policy_dir, read and validated now (a
   new object), or NULL with *err filled. */
json_t *polstate_dir_texts(const char *policy_dir, struct policy_error *err);

/* Where the named policy of the composed set comes from: "api" or
   "policy_dir". */
const char *polstate_origin(const struct polstate *st, const char *name);

/*
 * Load state_dir/policies.json into a new state in *out; a missing file
 * gives an empty state.  Returns 0, or -errno with err filled (then *out is
 * NULL): a file that is not valid is the caller's to log and ignore.
 */
int polstate_load(const char *state_dir, struct polstate **out, char *err,
		  size_t len);

/* Persist atomically (an empty state removes the file).  0, 1 (done, with
   a warning in err: statedir.h) or -errno; -EFBIG (nothing written) when
   the file would be larger than polstate_load() reads. */
int polstate_save(const struct polstate *st, const char *state_dir, char *err,
		  size_t len);

#endif /* MOM_POLSTATE_H */
