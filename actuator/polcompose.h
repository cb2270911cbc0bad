/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polcompose.h: the composition of the policy set in force: policy_dir,
 * with the overrides set through the API on top (polstate.h), persisted in
 * state_dir.  The REST layer (api_policy.c) changes the overrides through
 * it and SIGHUP (main.c) reloads policy_dir through it; neither knows the
 * other.
 *
 * policy_dir is read at start (by engine_new(), whose set polcompose_init()
 * keeps as policy_dir's) and at SIGHUP, as README documents; a change
 * through the API composes with that copy, never with the directory as it
 * is now: a file added there appears only at the next SIGHUP, and a file
 * that does not validate fails that SIGHUP (logged, the set in force and
 * the copy kept), not every later change.
 *
 * Every change follows one sequence under the lock: the caller builds the
 * next overrides from a copy of those in force, then polcompose_commit()
 * composes and validates the whole resulting set, persists the overrides,
 * and swaps the set into the engine.  A failure at any step leaves the set
 * in force, the overrides and the state file as they were.
 *
 * Threading: the lock is taken before the engine's lock, never after it;
 * the engine never takes it.  The REST layer also holds it around a
 * parameter change, so that changes of policies and parameters (and their
 * files) are serialised together.
 */
#ifndef MOM_POLCOMPOSE_H
#define MOM_POLCOMPOSE_H

#include <pthread.h>
#include <stddef.h>

#include "conf.h"
#include "engine.h"
#include "polstate.h"

struct polcompose {
	struct engine *engine;
	const struct conf *conf;
	pthread_mutex_t lock;
	struct polstate *overrides; /* in force; under lock */
	json_t *dir; /* policy_dir's name -> text, at start or last SIGHUP */
};

/*
 * Set up for engine e, whose set in force is policy_dir's (engine_new()),
 * and apply the overrides persisted in state_dir (a file that does not
 * load or validate is logged, ignored and set aside).  Returns 0, or -ENOMEM
 * with err filled.
 */
int polcompose_init(struct polcompose *pc, struct engine *e,
		    const struct conf *c, char *err, size_t len);
void polcompose_release(struct polcompose *pc);

void polcompose_lock(struct polcompose *pc);
void polcompose_unlock(struct polcompose *pc);

/* The overrides in force (borrowed; caller holds the lock). */
const struct polstate *polcompose_overrides(const struct polcompose *pc);
/* policy_dir's name -> text as last read (borrowed; caller holds the lock). */
const json_t *polcompose_dir(const struct polcompose *pc);

/*
 * Compose next (taken, may be NULL: out of memory) over policy_dir's copy,
 * validate, persist and put in force; caller holds the lock.  what says
 * what changed, for the log.  Returns 0, -ENOMEM, -EINVAL with *perr
 * filled (the set does not validate), -EFBIG with err filled (the file
 * would be larger than start-up reads back) or -EIO with err filled (the
 * file could not be written).
 */
int polcompose_commit(struct polcompose *pc, struct polstate *next,
		      const char *what, struct policy_error *perr, char *err,
		      size_t len);

/*
 * Read policy_dir again (SIGHUP), keeping the overrides on top.  When the
 * directory or the result does not validate the set in force and the copy
 * of policy_dir stay and the error is logged: -1.  0 once the new set is
 * in force.
 */
int polcompose_reload(struct polcompose *pc);

#endif /* MOM_POLCOMPOSE_H */
