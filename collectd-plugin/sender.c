/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender.c: the write plugin's bounded queue and its sender thread.
 *
 * DESIGN
 *
 * Queue.  A ring of queue_limit pointers to heap copies of wire records,
 * guarded by one mutex (s->lock).  sender_enqueue() allocates and copies
 * the record before taking the lock, then only moves pointers: when the
 * ring is full the oldest record is unlinked (and freed after unlocking)
 * and counted in stats.dropped.  Producers signal s->wake only when the
 * ring goes from empty to non-empty or reaches batch_size, so a busy
 * collectd does not pay for a wake-up per value.  Producers never log and
 * never wait for anything but the mutex.
 *
 * Thread.  One private thread per sender.  It takes up to batch_size
 * records off the ring (the "in-flight batch", owned by the thread and
 * outside the ring, so memory is bounded by queue_limit + batch_size
 * records), encodes them once with wire_encode_record() and POSTs the
 * body without holding the lock; a batch whose body would pass
 * SENDER_BODY_MAX goes out in several bodies, one after the other, each
 * resolved on its own (its records leave the batch when it is answered).  It
 * takes a batch when batch_size records wait, when a flush or stop asks for it,
 * or linger_ms (by default a tenth of the interval, 10..200 ms: sender.h says
 * why) after the thread first finds records waiting with no batch in hand (not
 * the age of the oldest record: those that came while a batch was in flight
 * wait from its end), so values go out in batches but well within an
 * interval.
 * Outcomes: 2xx: the batch is delivered; 4xx (but 408 and 429): the
 * actuator says the batch is bad, so it is dropped and counted as
 * rejected, never retried; anything else (5xx, no answer): the batch is
 * kept and retried after an exponential back-off (100 ms doubling up to
 * backoff_max_ms).  If the ring overflowed while the batch waited, the
 * batch is older than anything queued, so it is the one dropped.  The
 * transport (http_curl.c) reuses one libcurl handle and reconnects by
 * itself after the actuator restarts; it keeps its connection between
 * requests only at intervals under 5 s (http_curl_keep_alive()).  All logging
 * happens in this thread, outside the lock, rate-limited: the first failure at
 * once, then at most one line per SENDER_COMPLAIN_MS with the count of
 * failed requests (also across spells when delivery flaps), and one line
 * when delivery resumes after a logged failure.
 *
 * Shutdown ordering.  sender_stop() sets "stopping" and a drain deadline
 * under the lock and wakes the thread; from then on sender_enqueue()
 * refuses records.  The thread sends what is queued without lingering,
 * clamps each request's timeout and each back-off to the deadline (a
 * libcurl progress callback also aborts a request already running, within
 * about a second of the deadline), and
 * exits when the ring and the in-flight batch are empty or the deadline
 * has passed; sender_stop() joins it and counts every record left as
 * dropped.  Only then may sender_free() release the memory.  Flush
 * waiters are woken (s->idle) after every batch and when the thread ends;
 * a flush during a back-off (from a failed POST until its retry starts)
 * returns at once, as no request can end it sooner than the back-off.
 *
 * Invariants (under s->lock): n <= queue_limit; in_flight <= batch_size;
 * enqueued == sent + rejected + dropped + n + in_flight, except for
 * records dropped after a failed copy (counted in dropped, not enqueued).
 */
#include "sender.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "clock.h"
#include "http_curl.h"

#define SENDER_BACKOFF_MIN_MS 100
#define SENDER_COMPLAIN_MS    60000
#define SENDER_MSG_MAX	      3

struct sender_msg {
	enum sender_severity sev;
	char text[512];
};

struct sender {
	/* Immutable after sender_new(). */
	struct sender_config cfg; /* strings point to the copies below */
	char *url, *socket_path, *token;
	long linger_ms;
	bool own_curl_init; /* curl_global_init() done by sender_start() */

	pthread_mutex_t lock;
	pthread_cond_t wake; /* the thread waits: data, flush, stop */
	pthread_cond_t idle; /* flush waiters: a batch resolved */

	/* Under lock. */
	struct wire_record **ring;
	size_t head, n;
	bool started, stopping, thread_done, joined;
	bool flush_requested;
	bool backing_off; /* a POST failed; its retry waits out a back-off */
	long long stop_deadline_ms;
	long long abort_at_ms; /* atomic: stop deadline for a running POST */
	uint64_t drops_since_take;
	struct sender_stats st;
	pthread_t thread;

	/* Sender thread only. */
	struct wire_record **batch;
	size_t batch_n;
	bool body_ready;
	size_t body_n; /* records in the body: the batch's first body_n */
	struct wire_buf body;
	long post_timeout_ms;
	long backoff_ms;
	long http_status;
	struct http_curl *http; /* created on the first POST */
	char last_error[288];
	bool failing;
	bool fail_told; /* this failing spell's failure was logged */
	uint64_t fails_unlogged, rejects_unlogged, dropped_logged;
	long long fail_logged_ms, reject_logged_ms, drop_logged_ms;
	struct sender_msg msgs[SENDER_MSG_MAX];
	int nmsgs;
};

enum sender_outcome {
	SENDER_OK,
	SENDER_REJECTED,
	SENDER_FAILED,
};

/* Wait on cond until woken or the monotonic deadline (ms) passes. */
static void sender_wait_until(struct sender *s, pthread_cond_t *cond,
			      long long deadline_ms)
{
	struct timespec ts = {
	    .tv_sec = (time_t)(deadline_ms / 1000),
	    .tv_nsec = (long)(deadline_ms % 1000) * 1000000,
	};

	pthread_cond_timedwait(cond, &s->lock, &ts);
}

/* ------------------------------------------------------------------ */
/* Construction                                                        */

static char *sender_strdup(const char *s, bool *failed)
{
	char *copy;

	if (!s)
		return NULL;
	copy = strdup(s);
	if (!copy)
		*failed = true;
	return copy;
}

static bool sender_config_ok(const struct sender_config *c)
{
	return (c->url || c->socket_path) && c->batch_size >= 1 &&
	       c->queue_limit >= 1 && c->timeout_ms > 0 && c->interval_ms > 0 &&
	       c->linger_ms >= 0 && c->backoff_max_ms > 0;
}

long sender_default_linger_ms(long interval_ms)
{
	long linger = interval_ms / 10;

	if (linger < 10)
		return 10;
	return linger < SENDER_LINGER_MAX_MS ? linger : SENDER_LINGER_MAX_MS;
}

static int sender_init_sync(struct sender *s)
{
	pthread_condattr_t attr;
	int rc;

	if (pthread_mutex_init(&s->lock, NULL) != 0)
		return -ENOMEM;
	rc = pthread_condattr_init(&attr);
	if (rc == 0)
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc == 0 && pthread_cond_init(&s->wake, &attr) != 0)
		rc = -ENOMEM;
	if (rc == 0 && pthread_cond_init(&s->idle, &attr) != 0) {
		pthread_cond_destroy(&s->wake);
		rc = -ENOMEM;
	}
	pthread_condattr_destroy(&attr);
	if (rc != 0) {
		pthread_mutex_destroy(&s->lock);
		return -ENOMEM;
	}
	return 0;
}

struct sender *sender_new(const struct sender_config *cfg)
{
	struct sender *s = NULL;
	bool failed = false;

	if (!cfg || !sender_config_ok(cfg))
		return NULL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->cfg = *cfg;
	s->url = sender_strdup(cfg->url, &failed);
	s->socket_path = sender_strdup(cfg->socket_path, &failed);
	s->token = sender_strdup(cfg->token, &failed);
	s->cfg.url = s->url;
	s->cfg.socket_path = s->socket_path;
	s->cfg.token = s->token;
	s->ring = calloc(cfg->queue_limit, sizeof(*s->ring));
	s->batch = calloc(cfg->batch_size, sizeof(*s->batch));
	if (failed || !s->ring || !s->batch || sender_init_sync(s) < 0)
		goto fail;
	s->linger_ms = cfg->linger_ms > 0
			   ? cfg->linger_ms
			   : sender_default_linger_ms(cfg->interval_ms);
	s->body = (struct wire_buf)WIRE_BUF_INIT;
	return s;
fail:
	free(s->batch);
	free(s->ring);
	free(s->token);
	free(s->socket_path);
	free(s->url);
	free(s);
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Producers                                                           */

int sender_enqueue(struct sender *s, const struct wire_record *r)
{
	struct wire_record *copy, *victim = NULL;
	size_t limit = s->cfg.queue_limit;
	int rc = 0;

	if (r->nvalues < 1 || r->nvalues > WIRE_VALUES_MAX)
		return -EINVAL;
	copy = malloc(sizeof(*copy));
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		rc = -ESHUTDOWN;
	} else if (!copy) {
		s->st.dropped++;
		rc = -ENOMEM;
	} else {
		*copy = *r;
		if (s->n == limit) {
			victim = s->ring[s->head];
			s->head = (s->head + 1) % limit;
			s->n--;
			s->st.dropped++;
			s->drops_since_take++;
			rc = 1;
		}
		s->ring[(s->head + s->n) % limit] = copy;
		s->n++;
		s->st.enqueued++;
		copy = NULL;
		if (s->n == 1 || s->n == s->cfg.batch_size)
			pthread_cond_signal(&s->wake);
	}
	pthread_mutex_unlock(&s->lock);
	free(victim);
	free(copy);
	return rc;
}

void sender_get_stats(struct sender *s, struct sender_stats *out)
{
	pthread_mutex_lock(&s->lock);
	*out = s->st;
	out->queued = s->n;
	pthread_mutex_unlock(&s->lock);
}

long sender_linger_ms(const struct sender *s)
{
	return s->linger_ms; /* set once in sender_new() */
}

/* ------------------------------------------------------------------ */
/* Transport: libcurl (http_curl.c)                                    */

static int sender_http_post(struct sender *s, const char *body, size_t len,
			    long timeout_ms, long *status)
{
	struct http_curl_reply reply;
	int rc;

	if (!s->http) {
		struct http_curl_config c = {
		    .url = s->url ? s->url : "http://localhost/v1/metrics",
		    .socket_path = s->url ? NULL : s->socket_path,
		    .token = s->token,
		    .user_agent = "write_mom (collectd)",
		    .abort_at_ms = &s->abort_at_ms,
		    /* A read's batches go out together, then nothing for an
		       interval: a connection kept over a long one would
		       sit idle until momd cuts it. */
		    .no_reuse = !http_curl_keep_alive(s->cfg.interval_ms),
		};

		s->http = http_curl_new(&c);
		if (!s->http) {
			snprintf(s->last_error, sizeof(s->last_error),
				 "cannot set up libcurl");
			return -ENOMEM;
		}
	}
	rc = http_curl_request(s->http, body, len, timeout_ms, &reply,
			       s->last_error, sizeof(s->last_error));
	if (rc == 0)
		*status = reply.status;
	/* Refused, missing socket, cancelled: all "no answer" to the
	   retry logic, as before. */
	return rc == -ETIMEDOUT || rc == -ENOMEM || rc == 0 ? rc : -EIO;
}

/* ------------------------------------------------------------------ */
/* The sender thread                                                   */

__attribute__((format(printf, 3, 4))) static void
sender_msg_add(struct sender *s, enum sender_severity sev, const char *fmt, ...)
{
	va_list ap;

	if (s->nmsgs >= SENDER_MSG_MAX)
		return;
	s->msgs[s->nmsgs].sev = sev;
	va_start(ap, fmt);
	vsnprintf(s->msgs[s->nmsgs].text, sizeof(s->msgs[0].text), fmt, ap);
	va_end(ap);
	s->nmsgs++;
}

/* Emit the queued messages; called without the lock. */
static void sender_msg_flush(struct sender *s)
{
	for (int i = 0; i < s->nmsgs && s->cfg.log; i++)
		s->cfg.log(s->cfg.log_ctx, s->msgs[i].sev, s->msgs[i].text);
	s->nmsgs = 0;
}

static const char *sender_target(const struct sender *s)
{
	return s->url ? s->url : s->socket_path;
}

/* Move up to batch_size records from the ring into the batch. */
static void sender_take_locked(struct sender *s)
{
	size_t k = s->n < s->cfg.batch_size ? s->n : s->cfg.batch_size;

	for (size_t i = 0; i < k; i++) {
		s->batch[i] = s->ring[s->head];
		s->ring[s->head] = NULL;
		s->head = (s->head + 1) % s->cfg.queue_limit;
	}
	s->n -= k;
	s->batch_n = k;
	s->st.in_flight = k;
	s->body_ready = false;
	s->drops_since_take = 0;
	if (s->n == 0)
		s->flush_requested = false;
}

/* Free the first k records of the in-flight batch, counting them in
 *counter; the rest move up, to go out in the next body. */
static void sender_batch_drop_first_locked(struct sender *s, size_t k,
					   uint64_t *counter)
{
	for (size_t i = 0; i < k; i++)
		free(s->batch[i]);
	memmove(s->batch, s->batch + k, (s->batch_n - k) * sizeof(*s->batch));
	for (size_t i = s->batch_n - k; i < s->batch_n; i++)
		s->batch[i] = NULL;
	*counter += k;
	s->batch_n -= k;
	s->st.in_flight = s->batch_n;
	s->body_ready = false;
}

/* Free the whole in-flight batch, counting it in *counter. */
static void sender_batch_drop_locked(struct sender *s, uint64_t *counter)
{
	sender_batch_drop_first_locked(s, s->batch_n, counter);
}

/*
 * Wait until there is a batch to send (true) or the thread must end
 * (false).  Sets post_timeout_ms for the coming request.
 */
static bool sender_next_batch_locked(struct sender *s)
{
	long long send_at = -1, now;

	for (;;) {
		now = clock_mono_ms();
		if (s->stopping && ((s->n == 0 && s->batch_n == 0) ||
				    now >= s->stop_deadline_ms))
			return false;
		s->post_timeout_ms = s->cfg.timeout_ms;
		if (s->stopping &&
		    s->stop_deadline_ms - now < s->post_timeout_ms)
			s->post_timeout_ms = (long)(s->stop_deadline_ms - now);
		if (s->batch_n > 0)
			return true;
		if (s->n == 0) {
			send_at = -1;
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		if (send_at < 0)
			send_at = now + s->linger_ms;
		if (s->n >= s->cfg.batch_size || s->flush_requested ||
		    s->stopping || now >= send_at) {
			sender_take_locked(s);
			return true;
		}
		sender_wait_until(s, &s->wake, send_at);
	}
}

/* Encode the batch (once) and POST it; no lock held. */
static enum sender_outcome sender_post_batch(struct sender *s)
{
	const struct sender_transport *t = &s->cfg.transport;
	int rc = 0;

	s->last_error[0] = '\0';
	s->http_status = 0;
	if (!s->body_ready) {
		wire_buf_reset(&s->body);
		rc = wire_buf_append(&s->body, "[", 1);
		s->body_n = 0;
		for (size_t i = 0; rc == 0 && i < s->batch_n; i++) {
			size_t len = s->body.len;

			if (i)
				rc = wire_buf_append(&s->body, ",", 1);
			if (rc == 0)
				rc = wire_encode_record(&s->body, s->batch[i]);
			/* Past the cap (with the "]"): this record and the
			   rest go in the next body. */
			if (rc == 0 && i > 0 &&
			    s->body.len + 1 > SENDER_BODY_MAX) {
				s->body.len = len;
				break;
			}
			if (rc == 0)
				s->body_n++;
		}
		if (rc == 0)
			rc = wire_buf_append(&s->body, "]", 1);
		if (rc < 0) {
			snprintf(s->last_error, sizeof(s->last_error),
				 "cannot encode a batch: %s", strerror(-rc));
			return SENDER_FAILED;
		}
		s->body_ready = true;
	}
	if (t->post)
		rc = t->post(t->ctx, s->body.data, s->body.len,
			     s->post_timeout_ms, &s->http_status);
	else
		rc = sender_http_post(s, s->body.data, s->body.len,
				      s->post_timeout_ms, &s->http_status);
	if (rc < 0) {
		if (!s->last_error[0])
			snprintf(s->last_error, sizeof(s->last_error), "%s",
				 strerror(-rc));
		return SENDER_FAILED;
	}
	if (s->http_status >= 200 && s->http_status < 300)
		return SENDER_OK;
	snprintf(s->last_error, sizeof(s->last_error), "HTTP status %ld",
		 s->http_status);
	if (s->http_status >= 400 && s->http_status < 500 &&
	    s->http_status != 408 && s->http_status != 429)
		return SENDER_REJECTED;
	return SENDER_FAILED;
}

/* Rate-limited reports of failures, rejections and drops. */
static void sender_complain_locked(struct sender *s, enum sender_outcome o,
				   size_t batch)
{
	long long now = clock_mono_ms();
	uint64_t dropped = s->st.dropped - s->dropped_logged;

	/* A failure line at most once a minute, also when delivery flaps
	   (an answer now and then, as from an overloaded momd, each spell
	   logged two lines); a resumption only after a logged failure.  A
	   spell not logged is counted in the next failure line. */
	if (o == SENDER_FAILED) {
		s->fails_unlogged++;
		if (s->fail_logged_ms == 0 ||
		    now - s->fail_logged_ms >= SENDER_COMPLAIN_MS) {
			sender_msg_add(
			    s, SENDER_LOG_WARNING,
			    "write_mom plugin: cannot deliver to %s: %s (%llu "
			    "failed requests); retrying with back-off",
			    sender_target(s), s->last_error,
			    (unsigned long long)s->fails_unlogged);
			s->fails_unlogged = 0;
			s->fail_logged_ms = now;
			s->fail_told = true;
		}
		s->failing = true;
	} else if (o == SENDER_OK && s->failing) {
		if (s->fail_told)
			sender_msg_add(s, SENDER_LOG_INFO,
				       "write_mom plugin: delivery to %s "
				       "resumed",
				       sender_target(s));
		s->failing = false;
		s->fail_told = false;
	} else if (o == SENDER_REJECTED) {
		s->rejects_unlogged += batch;
		if (now - s->reject_logged_ms >= SENDER_COMPLAIN_MS ||
		    s->reject_logged_ms == 0) {
			sender_msg_add(s, SENDER_LOG_ERR,
				       "write_mom plugin: %s refused a batch "
				       "(%s); dropped %llu values",
				       sender_target(s), s->last_error,
				       (unsigned long long)s->rejects_unlogged);
			s->rejects_unlogged = 0;
			s->reject_logged_ms = now;
		}
	}
	if (dropped && (s->drop_logged_ms == 0 ||
			now - s->drop_logged_ms >= SENDER_COMPLAIN_MS)) {
		sender_msg_add(s, SENDER_LOG_WARNING,
			       "write_mom plugin: queue full or stopping: "
			       "dropped %llu values, oldest first",
			       (unsigned long long)dropped);
		s->dropped_logged = s->st.dropped;
		s->drop_logged_ms = now;
	}
}

/* Account for the outcome of the last POST. */
static void sender_resolve_locked(struct sender *s, enum sender_outcome o)
{
	size_t k = s->body_n;

	if (o == SENDER_OK) {
		s->st.requests_ok++;
		sender_batch_drop_first_locked(s, k, &s->st.sent);
		s->backoff_ms = 0;
	} else {
		s->st.requests_failed++;
		if (o == SENDER_REJECTED)
			sender_batch_drop_first_locked(s, k, &s->st.rejected);
	}
	if (o == SENDER_FAILED) {
		s->backoff_ms =
		    s->backoff_ms ? s->backoff_ms * 2 : SENDER_BACKOFF_MIN_MS;
		if (s->backoff_ms > s->cfg.backoff_max_ms)
			s->backoff_ms = s->cfg.backoff_max_ms;
		/* Set with the failure, under the same lock, so that a
		   flush never sees the failure counted but not this. */
		s->backing_off = true;
	}
	sender_complain_locked(s, o, k);
	pthread_cond_broadcast(&s->idle);
}

/*
 * After a failure: wait out the back-off (a stop cuts it to the drain
 * deadline), then drop the batch if the ring overflowed meanwhile.
 */
static void sender_backoff_locked(struct sender *s)
{
	long long until = clock_mono_ms() + s->backoff_ms;

	while (clock_mono_ms() < until) {
		if (s->stopping && until > s->stop_deadline_ms)
			until = s->stop_deadline_ms;
		sender_wait_until(s, &s->wake, until);
	}
	s->backing_off = false;
	if (s->drops_since_take > 0 && s->batch_n > 0) {
		s->drops_since_take = 0;
		sender_batch_drop_locked(s, &s->st.dropped);
	}
}

static void *sender_main(void *arg)
{
	struct sender *s = arg;
	enum sender_outcome o;

	pthread_mutex_lock(&s->lock);
	while (sender_next_batch_locked(s)) {
		pthread_mutex_unlock(&s->lock);
		o = sender_post_batch(s);
		pthread_mutex_lock(&s->lock);
		sender_resolve_locked(s, o);
		pthread_mutex_unlock(&s->lock);
		sender_msg_flush(s);
		pthread_mutex_lock(&s->lock);
		if (o == SENDER_FAILED)
			sender_backoff_locked(s);
	}
	sender_batch_drop_locked(s, &s->st.dropped);
	s->thread_done = true;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
	sender_msg_flush(s);
	http_curl_free(s->http);
	s->http = NULL;
	return NULL;
}

/* ------------------------------------------------------------------ */
/* Control                                                             */

int sender_start(struct sender *s)
{
	sigset_t all, old;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	if (s->started || s->stopping)
		goto out;
	if (!s->cfg.transport.post && !s->own_curl_init) {
		if (http_curl_global_init() < 0) {
			rc = -EIO;
			goto out;
		}
		s->own_curl_init = true;
	}
	/* The thread takes no signals: collectd's main thread handles them. */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&s->thread, NULL, sender_main, s);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc == 0)
		s->started = true;
out:
	pthread_mutex_unlock(&s->lock);
	return rc;
}

int sender_flush(struct sender *s, long timeout_ms)
{
	long long deadline = clock_mono_ms() + timeout_ms;
	uint64_t failed_before;
	int rc = 0;

	pthread_mutex_lock(&s->lock);
	failed_before = s->st.requests_failed;
	if (s->n > 0) {
		s->flush_requested = true;
		pthread_cond_signal(&s->wake);
	}
	while (s->n > 0 || s->st.in_flight > 0) {
		/* In back-off no request runs before it ends (up to
		   backoff_max_ms): waiting would only hold the caller, a
		   collectd read thread, for the whole timeout at every
		   flush while momd is down. */
		if (!s->started || s->thread_done || s->backing_off ||
		    s->st.requests_failed != failed_before) {
			rc = -EIO;
			break;
		}
		if (clock_mono_ms() >= deadline) {
			rc = -ETIMEDOUT;
			break;
		}
		sender_wait_until(s, &s->idle, deadline);
	}
	if (rc == 0 && s->st.requests_failed != failed_before)
		rc = -EIO;
	pthread_mutex_unlock(&s->lock);
	return rc;
}

void sender_stop(struct sender *s, long drain_ms)
{
	bool join;

	pthread_mutex_lock(&s->lock);
	if (s->joined) {
		pthread_mutex_unlock(&s->lock);
		return;
	}
	if (!s->stopping) {
		s->stopping = true;
		s->stop_deadline_ms =
		    clock_mono_ms() + (drain_ms > 0 ? drain_ms : 0);
		__atomic_store_n(&s->abort_at_ms, s->stop_deadline_ms,
				 __ATOMIC_RELAXED);
	}
	pthread_cond_broadcast(&s->wake);
	join = s->started;
	pthread_mutex_unlock(&s->lock);
	if (join)
		pthread_join(s->thread, NULL);

	pthread_mutex_lock(&s->lock);
	s->joined = true;
	/* What the thread could not send is dropped and counted. */
	for (size_t i = 0; i < s->n; i++) {
		size_t j = (s->head + i) % s->cfg.queue_limit;

		free(s->ring[j]);
		s->ring[j] = NULL;
	}
	s->st.dropped += s->n;
	s->n = 0;
	pthread_cond_broadcast(&s->idle);
	pthread_mutex_unlock(&s->lock);
}

void sender_free(struct sender *s)
{
	if (!s)
		return;
	sender_stop(s, 0);
	for (size_t i = 0; i < s->batch_n; i++)
		free(s->batch[i]);
	wire_buf_free(&s->body);
	if (s->own_curl_init)
		http_curl_global_cleanup();
	pthread_cond_destroy(&s->idle);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	free(s->batch);
	free(s->ring);
	if (s->token)
		explicit_bzero(s->token, strlen(s->token));
	free(s->token);
	free(s->socket_path);
	free(s->url);
	free(s);
}

bool sender_url_loopback(const char *url)
{
	return http_curl_url_loopback(url);
}
