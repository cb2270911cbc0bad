/* SPDX-License-Identifier: Apache-2.0 */
/*
 * actlog.c: a fixed-size ring of actions behind a mutex.
 */
#include "actlog.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>

#include "log.h"

struct actlog {
	pthread_mutex_t lock;
	struct action *ring;
	size_t cap, next, len;
	uint64_t totals[4];
};

static const char *const result_names[] = {
    [ACT_APPLIED] = "applied",
    [ACT_DRY_RUN] = "dry-run",
    [ACT_REFUSED] = "refused",
    [ACT_FAILED] = "failed",
};

const char *act_result_name(enum act_result r)
{
	return result_names[r];
}

struct actlog *actlog_new(size_t capacity)
{
	struct actlog *log = calloc(1, sizeof(*log));

	if (!log)
		return NULL;
	log->ring = calloc(capacity, sizeof(*log->ring));
	if (!log->ring) {
		free(log);
		return NULL;
	}
	log->cap = capacity;
	pthread_mutex_init(&log->lock, NULL);
	return log;
}

void actlog_free(struct actlog *log)
{
	if (!log)
		return;
	pthread_mutex_destroy(&log->lock);
	free(log->ring);
	free(log);
}

void actlog_add(struct actlog *log, const struct action *a)
{
	log_msg(a->result == ACT_FAILED ? LOG_LVL_WARN : LOG_LVL_INFO,
		"action %s %s %s: %" PRId64 " -> %" PRId64 " (planned %" PRId64
		")%s%s; reason: %s",
		act_result_name(a->result), a->subject, a->control,
		a->old_value, a->new_value, a->planned,
		a->detail[0] ? "; " : "", a->detail, a->reason);
	pthread_mutex_lock(&log->lock);
	log->ring[log->next] = *a;
	log->next = (log->next + 1) % log->cap;
	if (log->len < log->cap)
		log->len++;
	log->totals[a->result]++;
	pthread_mutex_unlock(&log->lock);
}

static json_t *action_to_json(const struct action *a)
{
	return json_pack(
	    "{s:I, s:s, s:s, s:I, s:I, s:I, s:s, s:s, s:s}", "time_ms",
	    (json_int_t)a->time_ms, "subject", a->subject, "control",
	    a->control, "old", (json_int_t)a->old_value, "new",
	    (json_int_t)a->new_value, "planned", (json_int_t)a->planned,
	    "result", act_result_name(a->result), "reason", a->reason, "detail",
	    a->detail);
}

json_t *actlog_to_json(struct actlog *log, size_t limit)
{
	json_t *arr = json_array();
	size_t n, start;

	if (!arr)
		return NULL;
	pthread_mutex_lock(&log->lock);
	n = limit < log->len ? limit : log->len;
	start = (log->next + log->cap - n) % log->cap;
	for (size_t i = 0; i < n; i++)
		json_array_append_new(
		    arr, action_to_json(&log->ring[(start + i) % log->cap]));
	pthread_mutex_unlock(&log->lock);
	return arr;
}

void actlog_totals(struct actlog *log, uint64_t totals[4])
{
	pthread_mutex_lock(&log->lock);
	for (int i = 0; i < 4; i++)
		totals[i] = log->totals[i];
	pthread_mutex_unlock(&log->lock);
}
