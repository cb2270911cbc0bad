/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender.h: a bounded queue of wire records and the private thread that
 * POSTs them, in write_http JSON batches, to the actuator.
 *
 * The write plugin's callbacks (several collectd write threads at once)
 * call sender_enqueue(), which copies one record under a short mutex and
 * never blocks on I/O; when the queue is full the oldest record is dropped
 * and counted.  One sender thread per struct sender takes batches off the
 * queue and POSTs them with libcurl, over a unix socket or to an http URL,
 * retrying with capped exponential back-off.
 *
 * This module knows nothing of collectd (no collectd header), so it can be
 * unit-tested; logging goes through a callback in the configuration.
 * Every function is thread-safe unless its comment says otherwise.
 */
#ifndef MOM_SENDER_H
#define MOM_SENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "wire.h"

enum sender_severity {
	SENDER_LOG_ERR,
	SENDER_LOG_WARNING,
	SENDER_LOG_INFO,
};

/*
 * How a batch leaves the process.  The default (transport.post == NULL) is
 * libcurl.  post() sends body (len bytes of JSON) and waits at most
 * timeout_ms; it returns 0 with *http_status set when the server answered,
 * or a negative errno when no answer came (refused, timed out, ...).  It
 * is called only from the sender thread.  Tests supply their own.
 */
struct sender_transport {
	int (*post)(void *ctx, const char *body, size_t len, long timeout_ms,
		    long *http_status);
	void *ctx;
};

struct sender_config {
	const char *url;	 /* http://... ; NULL: use socket_path */
	const char *socket_path; /* unix socket, used when url is NULL */
	const char *token;	 /* bearer token, or NULL for none */
	size_t batch_size;	 /* records per POST, >= 1 */
	size_t queue_limit;	 /* records waiting, >= 1; more drop oldest */
	long timeout_ms;	 /* per request, > 0 */
	long interval_ms;	 /* collectd's interval (the linger, and whether
				    the connection is kept: http_curl.h) */
	long linger_ms;		 /* how long records may wait for more before
				    a POST; 0: sender_default_linger_ms() */
	long backoff_max_ms;	 /* cap of the retry back-off, > 0 */
	/* Logging, called from any thread with no lock held; may be NULL.
	   Messages are rate-limited by the sender. */
	void (*log)(void *log_ctx, enum sender_severity sev, const char *msg);
	void *log_ctx;
	struct sender_transport transport;
};

/* Counters since sender_new(), all in records unless named otherwise. */
struct sender_stats {
	uint64_t enqueued;	  /* accepted by sender_enqueue() */
	uint64_t dropped;	  /* dropped: queue full, or left at stop */
	uint64_t sent;		  /* delivered with a 2xx answer */
	uint64_t rejected;	  /* dropped because of a 4xx answer */
	uint64_t requests_failed; /* POSTs without a 2xx answer */
	uint64_t requests_ok;	  /* POSTs with a 2xx answer */
	size_t queued;		  /* waiting now (in flight excluded) */
	size_t in_flight;	  /* taken by the thread, not yet resolved */
};

struct sender;

/*
 * The longest default linger.  A read of more than batch_size records
 * reaches momd in several POSTs, and a guest whose values straddle a cut
 * arrives in two parts at most a linger plus one POST apart.  momd takes
 * a newest sample that lacks fields its last one had as complete after
 * its settle_ms (500 ms by default), so the linger stays well below that:
 * a cycle in the gap sees the guest's previous whole sample, not one
 * with its later fields absent.  It was 1 s, which left such a gap at
 * intervals of 5 s and more.
 */
#define SENDER_LINGER_MAX_MS 200

/*
 * The most JSON one POST carries: a batch whose body would be longer goes
 * out in several POSTs, in order.  momd refuses a body over its max_body
 * (4 MiB by default) whole, and the sender drops a refused batch: with
 * long names (a forwarded plugin's, up to 127 bytes each, a '"' escaped
 * to two) a large BatchSize could pass that, and every batch was lost.
 * A quarter of momd's default leaves room for a smaller max_body.
 */
#define SENDER_BODY_MAX (1u << 20)

/* A tenth of interval_ms, 10..SENDER_LINGER_MAX_MS: values go out in
   batches, well within an interval. */
long sender_default_linger_ms(long interval_ms);

/*
 * A new sender; it copies cfg and every string in it.  The thread is not
 * running yet (see sender_start()), but records may already be queued.
 * Returns NULL on a bad configuration or out of memory.
 */
struct sender *sender_new(const struct sender_config *cfg);

/*
 * Start the sender thread, once: later calls do nothing and return 0.
 * Returns 0 or a negative errno.  Call it after any fork() (collectd
 * daemonizes after reading its configuration).
 */
int sender_start(struct sender *s);

/*
 * Queue a copy of *r.  Never blocks beyond a short mutex and never does
 * I/O.  Returns 0, 1 when the oldest queued record was dropped to make
 * room, or -ENOMEM (r is then counted as dropped), or -ESHUTDOWN after
 * sender_stop().
 */
int sender_enqueue(struct sender *s, const struct wire_record *r);

/*
 * Ask the thread to send what is queued now and wait until the queue and
 * the in-flight batch are empty, a POST fails, or timeout_ms passes.
 * While the thread waits out a back-off after a failed POST (the actuator
 * is known to be failing) it returns -EIO at once, without waiting.
 * Returns 0 when everything was sent, -ETIMEDOUT or -EIO otherwise.
 */
int sender_flush(struct sender *s, long timeout_ms);

/* A snapshot of the counters. */
void sender_get_stats(struct sender *s, struct sender_stats *out);

/* The linger in use, in milliseconds. */
long sender_linger_ms(const struct sender *s);

/*
 * Stop: refuse new records, let the thread send what it can for at most
 * drain_ms, then join it; what is left is counted as dropped.  Returns
 * within about drain_ms: later requests' timeouts are clamped to what is
 * left, and a libcurl request already running is aborted within about a
 * second of the deadline (a custom transport's running request ends at its
 * own timeout_ms).  Idempotent.  Must not run concurrently with
 * sender_free().
 */
void sender_stop(struct sender *s, long drain_ms);

/* Stop (with no drain time if not stopped yet) and free.  NULL is fine. */
void sender_free(struct sender *s);

/*
 * Is url plain http:// to the loopback interface (127.0.0.1, [::1] or
 * localhost), with no user name or password?  Parsed with libcurl's own
 * URL parser (curl_url()), so it judges the host that libcurl will
 * connect to, not a prefix of the text.
 */
bool sender_url_loopback(const char *url);

#endif /* MOM_SENDER_H */
