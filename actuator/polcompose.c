/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polcompose.c: the policy set in force, composed from policy_dir and the
 * API's persisted overrides (see polcompose.h).
 */
#include "polcompose.h"

#include <errno.h>
#include <stdio.h>

#include "log.h"
#include "policy_error.h"
#include "statedir.h"

/* Log that state_dir's policy changes are not in force, and set the file
   aside when it is its content that is wrong (not an I/O error or a
   lack of memory): kept, it would be overwritten by the next change,
   losing what its owner may want to mend and put back. */
static void ignored(const char *dir, const char *why, bool set_aside)
{
	char note[1024];

	statedir_ignore(dir, POLSTATE_FILE, set_aside, note, sizeof(note));
	log_warn("%s/%s ignored: %s%s", dir, POLSTATE_FILE, why, note);
}

/* Apply state_dir's overrides, if any; start-up only. */
static void restore(struct polcompose *pc)
{
	const struct conf *c = pc->conf;
	struct polstate *st = NULL;
	struct policy_error perr;
	struct policy_set *ps;
	char err[512];
	int rc;

	rc = polstate_load(c->state_dir, &st, err, sizeof(err));
	if (rc < 0) {
		ignored(c->state_dir, err, rc == -EINVAL || rc == -EFBIG);
		return;
	}
	if (polstate_empty(st)) {
		polstate_free(st);
		return;
	}
	ps = polstate_compose(st, pc->dir, &perr);
	if (!ps) {
		char why[600];

		snprintf(why, sizeof(why),
			 "the policies it sets do not validate: %s",
			 policy_error_format(&perr, err, sizeof(err)));
		ignored(c->state_dir, why, !policy_error_is_oom(&perr));
		polstate_free(st);
		return;
	}
	log_info("policies: %zu in force, with the changes saved in %s",
		 policy_set_count(ps), c->state_dir);
	engine_policies_swap(pc->engine, ps);
	polstate_free(pc->overrides);
	pc->overrides = st;
}

static void dir_of_engine(const struct policy_set *ps, void *arg)
{
	*(json_t **)arg = polstate_set_texts(ps);
}

int polcompose_init(struct polcompose *pc, struct engine *e,
		    const struct conf *c, char *err, size_t len)
{
	int n;

	*pc = (struct polcompose){.engine = e, .conf = c};
	pc->overrides = polstate_new();
	/* The set engine_new() read, not a second read of policy_dir, which
	   may have changed since. */
	engine_with_policies(e, dir_of_engine, &pc->dir);
	if (!pc->overrides || !pc->dir) {
		polstate_free(pc->overrides);
		pc->overrides = NULL;
		json_decref(pc->dir);
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	pthread_mutex_init(&pc->lock, NULL);
	/* The first to touch state_dir: a crash mid-write leaves a
	   temporary file behind. */
	n = statedir_clean(c->state_dir);
	if (n > 0)
		log_info("removed %d temporary file(s) from %s", n,
			 c->state_dir);
	restore(pc);
	return 0;
}

void polcompose_release(struct polcompose *pc)
{
	if (!pc->overrides)
		return;
	polstate_free(pc->overrides);
	pc->overrides = NULL;
	json_decref(pc->dir);
	pc->dir = NULL;
	pthread_mutex_destroy(&pc->lock);
}

void polcompose_lock(struct polcompose *pc)
{
	pthread_mutex_lock(&pc->lock);
}

void polcompose_unlock(struct polcompose *pc)
{
	pthread_mutex_unlock(&pc->lock);
}

const struct polstate *polcompose_overrides(const struct polcompose *pc)
{
	return pc->overrides;
}

const json_t *polcompose_dir(const struct polcompose *pc)
{
	return pc->dir;
}

int polcompose_commit(struct polcompose *pc, struct polstate *next,
		      const char *what, struct policy_error *perr, char *err,
		      size_t len)
{
	struct policy_set *ps;
	int rc;

	if (!next) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	ps = polstate_compose(next, pc->dir, perr);
	if (!ps) {
		polstate_free(next);
		return -EINVAL;
	}
	rc = polstate_save(next, pc->conf->state_dir, err, len);
	if (rc < 0) {
		log_err("policies not changed: %s", err);
		policy_set_free(ps);
		polstate_free(next);
		return rc == -EFBIG ? -EFBIG : -EIO;
	}
	if (rc > 0) /* in the file: in force too, whatever the warning */
		log_warn("policies: %s", err);
	log_info("policies: %s; %zu in force", what, policy_set_count(ps));
	engine_policies_swap(pc->engine, ps);
	polstate_free(pc->overrides);
	pc->overrides = next;
	return 0;
}

int polcompose_reload(struct polcompose *pc)
{
	struct policy_error perr;
	struct policy_set *ps;
	char msg[700];
	json_t *dir;

	pthread_mutex_lock(&pc->lock);
	/* Read even under a whole-set replacement: the copy is what a reset
	   returns to. */
	dir = polstate_dir_texts(pc->conf->policy_dir, &perr);
	ps = dir ? polstate_compose(pc->overrides, dir, &perr) : NULL;
	if (!ps) {
		log_err("reload: policy %s; keeping the policies in force",
			policy_error_format(&perr, msg, sizeof(msg)));
		json_decref(dir);
	} else {
		json_decref(pc->dir);
		pc->dir = dir;
		log_info("reload: %zu policies from %s%s", policy_set_count(ps),
			 pc->conf->policy_dir,
			 polstate_empty(pc->overrides)
			     ? ""
			     : " with the API's changes");
		engine_policies_swap(pc->engine, ps);
	}
	pthread_mutex_unlock(&pc->lock);
	return ps ? 0 : -1;
}
