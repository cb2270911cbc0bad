/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_fake.h: the fake transport and helpers shared by the sender's
 * tests (sender_test.c, sender_fail_test.c), in place of libcurl.
 *
 * The fake decodes every body with wire_batch_decode(), so what it records
 * is what an actuator would have seen.  It can answer with any status,
 * fail the first N requests, refuse connections, or hang until its
 * timeout.  Waits poll a condition with a deadline; nothing sleeps for a
 * fixed time.  Header-only, like casedir.h: the sender is linked into its
 * own tests only (Makefile), so a helper .c linked into every unit test
 * could not call it.  Each test includes it once.
 */
#ifndef MOM_SENDER_FAKE_H
#define MOM_SENDER_FAKE_H

#include "testing.h"
#include "sender.h"
#include "wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#define SFAKE_MAX_SEEN 200000

struct sfake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	long status;	/* answer */
	int fail_first; /* this many requests get 503 first */
	bool refuse;	/* no answer at all */
	bool hang;	/* wait until the timeout, then no answer */
	int calls;
	size_t max_batch;
	size_t max_len; /* the longest body */
	size_t nseen;
	double *seen;  /* first value of each record, in order */
	int *producer; /* plugin_instance of each record, as a number */
	long last_timeout_ms;
};

static long long sfake_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void sfake_nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Poll cond(arg) every 2 ms until true or ms pass. */
static bool sfake_wait_for(bool (*cond)(void *), void *arg, long ms)
{
	long long end = sfake_now_ms() + ms;

	while (!cond(arg)) {
		if (sfake_now_ms() >= end)
			return false;
		sfake_nap_ms(2);
	}
	return true;
}

static int sfake_post(void *ctx, const char *body, size_t len, long timeout_ms,
		      long *status)
{
	struct sfake *f = ctx;
	struct wire_batch b;
	struct wire_error err;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	f->calls++;
	f->last_timeout_ms = timeout_ms;
	if (len > f->max_len)
		f->max_len = len;
	if (f->hang) {
		long long end = sfake_now_ms() + timeout_ms;

		while (f->hang && sfake_now_ms() < end) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 5000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&f->cond, &f->lock, &ts);
		}
		rc = -ETIMEDOUT;
		goto out;
	}
	if (f->refuse) {
		rc = -ECONNREFUSED;
		goto out;
	}
	if (f->fail_first > 0) {
		f->fail_first--;
		*status = 503;
		goto out;
	}
	*status = f->status;
	if (f->status < 200 || f->status > 299)
		goto out;
	if (wire_batch_decode(body, len, 100000, &b, &err) != 0) {
		printf("# fake: bad body: %s\n", err.message);
		*status = 400;
		goto out;
	}
	if (b.n > f->max_batch)
		f->max_batch = b.n;
	for (size_t i = 0; i < b.n && f->nseen < SFAKE_MAX_SEEN; i++) {
		f->seen[f->nseen] =
		    wire_value_as_double(&b.records[i].values[0]);
		f->producer[f->nseen] = atoi(b.records[i].plugin_instance);
		f->nseen++;
	}
	wire_batch_free(&b);
out:
	pthread_mutex_unlock(&f->lock);
	return rc;
}

static void sfake_init(struct sfake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->status = 200;
	f->seen = calloc(SFAKE_MAX_SEEN, sizeof(*f->seen));
	f->producer = calloc(SFAKE_MAX_SEEN, sizeof(*f->producer));
}

static void sfake_fini(struct sfake *f)
{
	free(f->seen);
	free(f->producer);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

static struct sender_config sfake_config(struct sfake *f, size_t batch,
					 size_t limit)
{
	return (struct sender_config){
	    .socket_path = "/nonexistent/momd.sock",
	    .batch_size = batch,
	    .queue_limit = limit,
	    .timeout_ms = 2000,
	    .interval_ms = 60000,
	    .linger_ms = 1000, /* long: flushes must not wait for it */
	    .backoff_max_ms = 40,
	    .transport = {sfake_post, f},
	};
}

static struct wire_record sfake_record(int producer, double value)
{
	struct wire_record r = {.time = 1, .interval = 1, .nvalues = 1};

	snprintf(r.host, sizeof(r.host), "h");
	snprintf(r.plugin, sizeof(r.plugin), "mom");
	snprintf(r.plugin_instance, sizeof(r.plugin_instance), "%d", producer);
	snprintf(r.type, sizeof(r.type), "gauge");
	snprintf(r.values[0].dsname, WIRE_NAME_MAX, "value");
	r.values[0].type = WIRE_GAUGE;
	r.values[0].v.gauge = value;
	return r;
}

static struct sender_stats sfake_stats(struct sender *s)
{
	struct sender_stats st;

	sender_get_stats(s, &st);
	return st;
}

/* Conservation: every record accepted is accounted for exactly once. */
static bool sfake_balanced(const struct sender_stats *st)
{
	return st->enqueued == st->sent + st->rejected + st->dropped +
				   st->queued + st->in_flight;
}

static bool sfake_idle(void *arg)
{
	struct sender_stats st = sfake_stats(arg);

	return st.queued == 0 && st.in_flight == 0;
}

#endif
