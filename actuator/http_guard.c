/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_guard.c: the request and response deadline watchdog and the body
 * budget (see http_guard.h).  Connections sit in one doubly linked list
 * under a mutex.  The watchdog sleeps until the earliest deadline, or
 * without a timeout while no connection has one: an idle momd is not woken
 * for nothing.  The two phases have different deadlines, so a new one can
 * fall before the time the watchdog sleeps until (a request started while
 * only responses are pending): whoever sets a deadline earlier than that
 * wakes it.  A scan is a walk over at most the connection limits of the
 * listeners.
 */
#include "http_guard.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "clock.h"
#include "log.h"
#include "ratelimit.h"

struct guard_conn {
	struct guard_conn *prev, *next;
	int fd;
	int64_t since_ms; /* monotonic: start of the phase below */
	bool receiving;	  /* receiving a request, else sending its response */
	bool cut;
};

struct http_guard {
	pthread_mutex_t lock;
	pthread_cond_t wake;
	pthread_t thread;
	bool stop;
	/* When the watchdog wakes next (monotonic ms; INT64_MAX: waits
	   without a timeout); a deadline before it must wake it. */
	int64_t sleep_until;
	int64_t deadline_ms, response_ms;
	/* Bytes of request bodies held, of budget; the read level may hold
	   only budget - admin_reserve (admin_reserve <= budget). */
	size_t budget, admin_reserve, used;
	struct guard_conn head; /* sentinel of a circular list */
	uint64_t cut, refused;
	/* One limiter per kind of cut: a flood of trickling requests must not
	   hide the slow readers from the log, nor the other way round; and
	   one for the bodies refused. */
	struct ratelimit rl, rl_response, rl_refused;
	/* libmicrohttpd's messages, by format; the last slot takes all
	   kinds past the others. */
	struct {
		const char *fmt;
		struct ratelimit rl;
	} kind[8];
};

/* When the phase c is in must end (monotonic ms). */
static int64_t due_ms(const struct http_guard *g, const struct guard_conn *c)
{
	return c->since_ms + (c->receiving ? g->deadline_ms : g->response_ms);
}

/* A connection's deadline was set to due: wake the watchdog if it would
   sleep past it.  Caller holds the lock. */
static void wake_for_locked(struct http_guard *g, int64_t due)
{
	if (due < g->sleep_until) {
		g->sleep_until = due;
		pthread_cond_signal(&g->wake);
	}
}

/*
 * Shut down every connection past its deadline; caller holds the lock.
 * Returns the earliest deadline still pending (monotonic ms), or -1.
 */
static int64_t scan_locked(struct http_guard *g, int64_t now_ms)
{
	unsigned n_req = 0, n_resp = 0, suppressed;
	int64_t next = -1;

	for (struct guard_conn *c = g->head.next; c != &g->head; c = c->next) {
		int64_t due = due_ms(g, c);

		if (c->cut)
			continue;
		if (now_ms <= due) {
			if (next < 0 || due < next)
				next = due;
			continue;
		}
		/* The server owns the descriptor; shutdown() makes it read
		   end-of-file and close it, and frees nothing under it. */
		shutdown(c->fd, SHUT_RDWR);
		c->cut = true;
		if (c->receiving)
			n_req++;
		else
			n_resp++;
	}
	g->cut += n_req + n_resp;
	if (n_req && ratelimit_allow_n(&g->rl, now_ms, n_req, &suppressed))
		log_warn("http: cut %u connection(s) that did not send a whole "
			 "request within %.0f s%s",
			 n_req + suppressed, g->deadline_ms / 1000.0,
			 suppressed ? " (some since the last report)" : "");
	if (n_resp &&
	    ratelimit_allow_n(&g->rl_response, now_ms, n_resp, &suppressed))
		log_warn("http: cut %u connection(s) that did not read their "
			 "response within %.0f s%s",
			 n_resp + suppressed, g->response_ms / 1000.0,
			 suppressed ? " (some since the last report)" : "");
	return next;
}

static void *watchdog(void *arg)
{
	struct http_guard *g = arg;
	struct timespec ts;

	pthread_mutex_lock(&g->lock);
	while (!g->stop) {
		int64_t next = scan_locked(g, clock_mono_ms());

		if (next < 0) {
			g->sleep_until = INT64_MAX;
			pthread_cond_wait(&g->wake, &g->lock);
			continue;
		}
		g->sleep_until = next;
		next++; /* past it, not at it */
		ts.tv_sec = next / 1000;
		ts.tv_nsec = (next % 1000) * 1000000L;
		pthread_cond_timedwait(&g->wake, &g->lock, &ts);
	}
	pthread_mutex_unlock(&g->lock);
	return NULL;
}

struct http_guard *http_guard_new(int64_t deadline_ms, int64_t response_ms,
				  size_t budget, size_t admin_reserve)
{
	struct http_guard *g = calloc(1, sizeof(*g));
	pthread_condattr_t ca;

	if (!g)
		return NULL;
	g->deadline_ms = deadline_ms;
	g->response_ms = response_ms;
	g->budget = budget;
	g->admin_reserve = admin_reserve < budget ? admin_reserve : budget;
	g->head.next = g->head.prev = &g->head;
	g->sleep_until = INT64_MAX; /* until the watchdog's first scan */
	g->rl = (struct ratelimit)RATELIMIT_INIT(60000);
	g->rl_response = (struct ratelimit)RATELIMIT_INIT(60000);
	g->rl_refused = (struct ratelimit)RATELIMIT_INIT(60000);
	pthread_mutex_init(&g->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&g->wake, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&g->thread, NULL, watchdog, g) != 0) {
		pthread_cond_destroy(&g->wake);
		pthread_mutex_destroy(&g->lock);
		free(g);
		return NULL;
	}
	return g;
}

void http_guard_free(struct http_guard *g)
{
	if (!g)
		return;
	pthread_mutex_lock(&g->lock);
	g->stop = true;
	pthread_cond_signal(&g->wake);
	pthread_mutex_unlock(&g->lock);
	pthread_join(g->thread, NULL);
	/* The servers are stopped first: every connection is closed. */
	while (g->head.next != &g->head)
		http_guard_close(g, g->head.next);
	pthread_cond_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	free(g);
}

struct guard_conn *http_guard_open(struct http_guard *g, int fd)
{
	struct guard_conn *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->fd = fd;
	c->since_ms = clock_mono_ms();
	c->receiving = true;
	pthread_mutex_lock(&g->lock);
	c->next = g->head.next;
	c->prev = &g->head;
	g->head.next->prev = c;
	g->head.next = c;
	wake_for_locked(g, due_ms(g, c));
	pthread_mutex_unlock(&g->lock);
	return c;
}

void http_guard_received(struct http_guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->receiving = false;
	c->since_ms = clock_mono_ms();
	wake_for_locked(g, due_ms(g, c));
	pthread_mutex_unlock(&g->lock);
}

void http_guard_next(struct http_guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->receiving = true;
	c->since_ms = clock_mono_ms();
	wake_for_locked(g, due_ms(g, c));
	pthread_mutex_unlock(&g->lock);
}

void http_guard_close(struct http_guard *g, struct guard_conn *c)
{
	if (!c)
		return;
	pthread_mutex_lock(&g->lock);
	c->prev->next = c->next;
	c->next->prev = c->prev;
	pthread_mutex_unlock(&g->lock);
	free(c);
}

void http_guard_log(void *guard, const char *fmt, va_list ap)
{
	struct http_guard *g = guard;
	size_t i = 0, n, last = sizeof(g->kind) / sizeof(g->kind[0]) - 1;
	unsigned suppressed;
	char msg[512];
	bool allow;

	pthread_mutex_lock(&g->lock);
	while (i < last && g->kind[i].fmt && g->kind[i].fmt != fmt)
		i++;
	if (!g->kind[i].fmt) {
		g->kind[i].fmt = fmt;
		g->kind[i].rl = (struct ratelimit)RATELIMIT_INIT(60000);
	}
	allow = ratelimit_allow(&g->kind[i].rl, clock_mono_ms(), &suppressed);
	pthread_mutex_unlock(&g->lock);
	if (!allow)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		msg[--n] = '\0';
	if (suppressed)
		log_warn("http: libmicrohttpd: %s (and %u more like it since "
			 "the last report)",
			 msg, suppressed);
	else
		log_warn("http: libmicrohttpd: %s", msg);
}

bool http_guard_reserve(struct http_guard *g, size_t n, bool admin)
{
	size_t limit = admin ? g->budget : g->budget - g->admin_reserve;
	unsigned suppressed = 0;
	bool ok, report = false;

	pthread_mutex_lock(&g->lock);
	/* used may be over the read level's limit: administration holds the
	   rest. */
	ok = g->used <= limit && n <= limit - g->used;
	if (ok) {
		g->used += n;
	} else {
		g->refused++;
		report = ratelimit_allow(&g->rl_refused, clock_mono_ms(),
					 &suppressed);
	}
	pthread_mutex_unlock(&g->lock);
	/* A request is refused once (http.c stops taking its body), so the
	   count is exact: this one and those suppressed since the last
	   report. */
	if (report)
		log_warn("http: refused the body of %u request(s) with 503 "
			 "overloaded: the budget of request bodies held at "
			 "once (%zu KiB, the read level's share %zu KiB) was "
			 "spent%s",
			 suppressed + 1, g->budget / 1024,
			 (g->budget - g->admin_reserve) / 1024,
			 suppressed ? " (some since the last report)" : "");
	return ok;
}

void http_guard_release(struct http_guard *g, size_t n)
{
	pthread_mutex_lock(&g->lock);
	g->used -= n <= g->used ? n : g->used;
	pthread_mutex_unlock(&g->lock);
}

uint64_t http_guard_cut(const struct http_guard *g)
{
	uint64_t n;

	pthread_mutex_lock((pthread_mutex_t *)&g->lock);
	n = g->cut;
	pthread_mutex_unlock((pthread_mutex_t *)&g->lock);
	return n;
}

uint64_t http_guard_refused(const struct http_guard *g)
{
	uint64_t n;

	pthread_mutex_lock((pthread_mutex_t *)&g->lock);
	n = g->refused;
	pthread_mutex_unlock((pthread_mutex_t *)&g->lock);
	return n;
}
