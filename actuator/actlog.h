/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actlog.h: the record of every change the controllers made or refused.
 *
 * Each entry is logged as one line when it is added, and the most recent
 * ones are kept in a ring for the REST API.  Thread-safe: it has its own
 * lock, held only to copy an entry in or out.
 */
#ifndef MOM_ACTLOG_H
#define MOM_ACTLOG_H

#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

enum act_result {
	ACT_APPLIED, /* the host was changed */
	ACT_DRY_RUN, /* would have been applied */
	ACT_REFUSED, /* a safety rail or a range check said no */
	ACT_FAILED,  /* the host refused (libvirt or sysfs error) */
};

struct action {
	int64_t time_ms;   /* wall clock */
	char subject[136]; /* "guest:<name>" or "host" */
	char control[32];  /* balloon_target, ksm_run, ... */
	int64_t old_value; /* what the host had */
	int64_t new_value; /* what was (or would have been) written */
	int64_t planned;   /* what the policy asked for */
	enum act_result result;
	char reason[256]; /* the policy's reason */
	char detail[256]; /* rail or error, "" if none */
};

struct actlog;

struct actlog *actlog_new(size_t capacity);
void actlog_free(struct actlog *log);

/* Record and log one action (a copy is kept). */
void actlog_add(struct actlog *log, const struct action *a);

/* The newest `limit` entries, oldest first, as a JSON array (new ref). */
json_t *actlog_to_json(struct actlog *log, size_t limit);

/* Totals since start, per result. */
void actlog_totals(struct actlog *log, uint64_t totals[4]);

const char *act_result_name(enum act_result r);

#endif /* MOM_ACTLOG_H */
