/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_cache.c: the worker thread that polls guest agents and the table
 * the read plugin copies results from (see agent_cache.h).
 *
 * Threads: the worker lists the domains once per interval and hands each
 * one due to a small pool of pollers (AGENT_POLLERS), one poll per domain
 * at a time, so that a slow agent holds one poller and never the others'
 * polls (unless every poller is held by one).  The pool polls one guest
 * after another while the agents answer promptly, and spreads over more
 * pollers only once a job has waited spill_ms behind a poll under
 * way: polls that overlap on the one libvirt connection cost its client
 * a hand-over between threads for every reply.  Locking: c->mu guards the
 * table, the job queue and the stop flag.  No thread holds it across
 * libvirt calls: the worker decides what is due under the lock and
 * queues it, a poller polls without it, then publishes under it.  So a
 * reader waits at most for a memcpy.  Entries are added and removed only
 * by the worker; a poller changes only the entry of its job.
 */
#include "agent_cache.h"
#include "agent_read.h"
#include "clock.h"
#include "globlist.h"

#include <errno.h>
#include <limits.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

struct entry {
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r; /* age_ms/next_poll_ms/stale filled on get */
	int64_t taken_ms;      /* monotonic time of the last success */
	int64_t next_ms;       /* monotonic time of the next attempt */
	int64_t backoff_ms;    /* current backoff (0 after a success) */
	bool seen;	       /* in this round's domain list */
	/* Worker only: the agent handles kept for the next poll, and the
	   domain ID (of the QEMU process) they were opened under. */
	struct agent_handles hs;
	unsigned int dom_id;
	/* The domain ID of the worker's last listing.  Values taken under
	   another (a poll queued before the domain was destroyed and started
	   again, or none yet of the new process) are the old guest's: stale
	   however recent, until a poll of the new process succeeds. */
	unsigned int listed_id;
	bool in_flight; /* queued or being polled */
	uint64_t gen;	/* the job that may publish here (see poll_one) */
};

/* Polls that run at once: a slow or frozen agent holds one of them (6
   calls of AgentTimeout each a poll, more for a hostile agent, or one
   timeout for a dead one). */
#define AGENT_POLLERS 4

/* How long a queued job waits, by default (conf.spill_ms), for the poll
   under way before another poller takes it.  Polls at once cost: on 3 TCG
   guests with agents at 1 s reads (make bench, BENCH_CPU_AB, side by
   side, 3 rounds each), collectd took 0.360-0.375 CPU-s a minute with
   this rule against 0.382-0.404 with the four pollers polling at once:
   libvirt's client hands each reply on the shared connection to the
   thread that waits for it.  1000 ms measured the same as 100.  A KVM
   guest's agent answers a poll (6 calls) in milliseconds, a TCG one in
   100-200 ms; a slow agent holds its poller up to 6 calls of
   AgentTimeout and delays the guests queued behind it by this much. */
#define AGENT_SPILL_MS_DEFAULT 100

/* A poll handed from the worker to a poller. */
struct job {
	virDomainPtr dom; /* a reference of the job's own */
	unsigned char uuid[AGENT_UUID_LEN];
	int64_t round_ms;  /* the start of the round that queued it */
	int64_t queued_ms; /* when it was queued (conf.spill_ms) */
	uint64_t gen;	   /* unique in the cache's life (agent_cache's jobs) */
};

struct agent_cache {
	struct agent_cache_conf conf;
	char *uri;
	char **include, **exclude; /* owned copies of the conf's globs */
	pthread_t thread;
	pthread_mutex_t mu;
	/* Set first thing on stop, read without c->mu by every agent call
	   (counting_cmd): a poll under way then makes no further call (but
	   one close), so stop waits for the call in progress, not a whole
	   poll. */
	atomic_bool stopping;
	pthread_cond_t cv; /* signalled on stop (CLOCK_MONOTONIC: a wall
			      clock stepped back must not lengthen the
			      worker's sleep) */
	bool stop;
	struct entry *e;
	int n;
	uint64_t rounds;
	virConnectPtr conn; /* the worker's own */
	/* The pool, and its jobs: a ring of max_domains.  An entry has at
	   most one job queued or running (in_flight), but a domain that
	   stopped may leave one queued behind it: a round queues only
	   while the ring has room. */
	pthread_t pollers[AGENT_POLLERS];
	int n_pollers;
	pthread_cond_t work; /* to the pollers: a job, a poll ended, or stop
				(CLOCK_MONOTONIC) */
	struct job *queue;
	int head, queued;
	int polling;   /* polls under way */
	uint64_t jobs; /* queued so far: each job's gen */
};

void agent_cache_conf_defaults(struct agent_cache_conf *c)
{
	if (c->uri == NULL)
		c->uri = "qemu:///system";
	if (c->interval_ms <= 0)
		c->interval_ms = 10000;
	if (c->timeout_s <= 0)
		c->timeout_s = 1;
	if (c->backoff_ms <= 0)
		c->backoff_ms = 60000;
	if (c->backoff_max_ms < c->backoff_ms)
		c->backoff_max_ms =
		    c->backoff_ms * 16 > 0 ? c->backoff_ms * 16 : c->backoff_ms;
	if (c->stale_ms <= 0)
		c->stale_ms = 3 * c->interval_ms + 1000 * c->timeout_s;
	if (c->max_domains <= 0)
		c->max_domains = 1024;
	if (c->spill_ms <= 0)
		c->spill_ms = AGENT_SPILL_MS_DEFAULT;
	if (c->transport == NULL)
		c->transport = agent_transport_libvirt;
}

/* libvirt errors on our connection are recorded per entry by the callers;
   this keeps libvirt from printing them on stderr as well. */
static void quiet(void *opaque, virErrorPtr e)
{
	(void)opaque;
	(void)e;
}

/* wait_ms: sleep up to ms unless stopped; true if stopped.  Called with
   c->mu held. */
static bool wait_ms(struct agent_cache *c, int64_t ms)
{
	if (ms > 0 && !c->stop) {
		struct timespec ts = clock_after(
		    CLOCK_MONOTONIC, ms > INT_MAX ? INT_MAX : (int)ms);

		pthread_cond_timedwait(&c->cv, &c->mu, &ts);
	}
	return c->stop;
}

static struct entry *find(struct agent_cache *c, const unsigned char *uuid)
{
	for (int i = 0; i < c->n; i++)
		if (memcmp(c->e[i].uuid, uuid, AGENT_UUID_LEN) == 0)
			return &c->e[i];
	return NULL;
}

/* A transport that counts the calls it passes on (agent_result's
   poll_calls), and passes none on once the cache is stopping: every agent
   call of a poll goes through it. */
struct counting {
	struct agent_transport inner;
	int calls;
	const atomic_bool *stopping;
	bool cut;  /* a call refused: the cache is stopping */
	bool down; /* a call passed on answered AGENT_DOWN */
};

static char *counting_cmd(void *ctx, const char *json, int timeout_s,
			  enum agent_rc *rc, char *err, size_t errlen)
{
	struct counting *k = ctx;

	/* Once stopping, a poll makes no further call but a close to an
	   agent that has answered every call so far (the poll reading a
	   file afresh closes the handle it opened, else left open in the
	   agent): stop waits for the call in progress and that close. */
	if (atomic_load(k->stopping) &&
	    (k->down || strstr(json, "\"guest-file-close\"") == NULL)) {
		/* Down for this poll: its handles stay kept, as for an
		   agent that stopped answering. */
		*rc = AGENT_DOWN;
		snprintf(err, errlen, "stopping");
		k->cut = true;
		return NULL;
	}
	k->calls++;
	char *reply =
	    k->inner.cmd(k->inner.ctx, json, timeout_s, rc, err, errlen);
	/* *rc is set only when there is no reply. */
	k->down = k->down || (reply == NULL && *rc == AGENT_DOWN);
	return reply;
}

/* poll_one: one attempt on dom, then publish.  Called without c->mu.
   After a success the next poll is due one interval after round_ms, the
   start of the round, rather than after the end of this poll: the domains
   polled in one round stay due together, so the worker lists the domains
   once per interval instead of once per domain (each poll pushing the
   next domain's due time a few milliseconds past the round that would
   have taken it).  A poll that ends past that time (a round longer than
   the interval) still gets a whole interval of rest, as a backoff is
   always timed from the end of the failed poll: a slow agent is never
   polled back to back. */
static void poll_one(struct agent_cache *c, const struct job *j)
{
	virDomainPtr dom = j->dom;
	const unsigned char *uuid = j->uuid;
	int64_t round_ms = j->round_ms;
	struct counting k = {{0}, 0, &c->stopping, false, false};
	struct agent_transport t = {counting_cmd, &k, 0};
	struct agent_handles hs = {{0}};
	unsigned int id = virDomainGetID(dom);
	struct agent_stats st;
	char err[200];
	struct timespec t0, t1;
	struct entry *e;

	/* Only this job's poller touches hs, but find() walks the table
	   under the lock like everyone else.  Handles opened under another
	   domain ID belong to a QEMU process (and agent) that is gone:
	   forget them, sending nothing (the new agent's handles are not
	   ours).  A job queued before the domain was destroyed and started
	   again (its listing has seen the new ID since) is not polled at
	   all: libvirt finds the agent by UUID, so the old handles would
	   reach the new guest's agent, which may have given their numbers
	   to files of its own.  The next round queues the new process. */
	pthread_mutex_lock(&c->mu);
	e = find(c, uuid);
	if (e != NULL && e->gen != j->gen) {
		e = NULL; /* the domain stopped, and a new one is queued */
	} else if (e != NULL && e->listed_id != id) {
		e->in_flight = false;
		e = NULL;
	} else if (e != NULL && e->dom_id == id) {
		hs = e->hs;
	}
	pthread_mutex_unlock(&c->mu);
	if (e == NULL)
		return;
	k.inner = c->conf.transport(dom, c->conf.timeout_s);
	t.timeout_s = k.inner.timeout_s;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	enum agent_rc rc = agent_read_stats(&t, &hs, &st, err, sizeof(err));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	int64_t end_ms = clock_mono_ms();
	int64_t due_ms = round_ms + c->conf.interval_ms;

	if (due_ms <= end_ms)
		due_ms = end_ms + c->conf.interval_ms;
	pthread_mutex_lock(&c->mu);
	e = find(c, uuid);
	/* Only this job's entry: the domain may have stopped meanwhile and
	   a new one of the same UUID be queued. */
	if (e != NULL && e->gen == j->gen) {
		e->in_flight = false;
		e->hs = hs;
		e->dom_id = id;
	}
	/* A poll cut short by the stop, its agent answering until then, is
	   no failure: the entry keeps its state, and close_all closes its
	   handles as the others'. */
	if (e != NULL && e->gen == j->gen && !(k.cut && !k.down)) {
		e->r.poll_calls = k.calls;
		e->r.polls++;
		e->r.poll_us = (int64_t)(t1.tv_sec - t0.tv_sec) * 1000000 +
			       (t1.tv_nsec - t0.tv_nsec) / 1000;
		if (err[0] != '\0')
			snprintf(e->r.last_error, sizeof(e->r.last_error), "%s",
				 err);
		if (rc == AGENT_OK) {
			e->r.state = AGENT_STATE_OK;
			e->r.stats = st;
			e->r.has_stats = true;
			e->taken_ms = end_ms;
			e->backoff_ms = 0;
			e->next_ms = due_ms;
			if (err[0] != '\0')
				e->r.file_errors++;
		} else {
			/* Down, or up but no file parsed: back off either
			   way; the last good values stay, and go stale. */
			e->r.state = AGENT_STATE_FAILING;
			if (rc == AGENT_DOWN)
				e->r.failures++;
			else
				e->r.file_errors++;
			e->backoff_ms = e->backoff_ms == 0 ? c->conf.backoff_ms
							   : e->backoff_ms * 2;
			if (e->backoff_ms > c->conf.backoff_max_ms)
				e->backoff_ms = c->conf.backoff_max_ms;
			e->next_ms = end_ms + e->backoff_ms;
		}
	}
	pthread_mutex_unlock(&c->mu);
}

/* Whether the read plugin reads this domain at all. */
static bool wanted(const struct agent_cache *c, virDomainPtr dom)
{
	const char *name = virDomainGetName(dom);

	return name != NULL &&
	       globlist_wanted(c->include, c->conf.n_include, c->exclude,
			       c->conf.n_exclude, name);
}

/* round: list running domains, add new ones, drop gone ones, poll those
   due.  Returns the delay until the next entry is due. */
static int64_t round_once(struct agent_cache *c)
{
	virDomainPtr *doms = NULL;
	int nd, i;
	int64_t next = c->conf.interval_ms, now = clock_mono_ms();

	if (c->conn == NULL) {
		c->conn = virConnectOpen(c->uri);
		if (c->conn == NULL)
			return c->conf.backoff_ms;
		virConnSetErrorFunc(c->conn, NULL, quiet);
	}
	nd = virConnectListAllDomains(c->conn, &doms,
				      VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (nd < 0) {
		virConnectClose(c->conn);
		c->conn = NULL;
		return c->conf.backoff_ms;
	}
	/* Bring the table in line with the running domains. */
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < c->n; i++)
		c->e[i].seen = false;
	for (i = 0; i < nd; i++) {
		unsigned char uuid[AGENT_UUID_LEN];
		struct entry *e;
		if (!wanted(c, doms[i]) || virDomainGetUUID(doms[i], uuid) != 0)
			continue;
		e = find(c, uuid);
		if (e == NULL && c->n < c->conf.max_domains) {
			e = &c->e[c->n++];
			memset(e, 0, sizeof(*e));
			memcpy(e->uuid, uuid, AGENT_UUID_LEN);
			e->next_ms = now;
		}
		if (e == NULL)
			continue;
		e->seen = true;
		e->listed_id = virDomainGetID(doms[i]);
	}
	/* A domain no longer running took its agent, and the handles we kept
	   there, with its QEMU process: nothing to close. */
	for (i = 0; i < c->n;)
		if (!c->e[i].seen)
			c->e[i] = c->e[--c->n];
		else
			i++;
	pthread_mutex_unlock(&c->mu);

	/* Queue those due (not while a poll of theirs is still queued or
	   running: a slow agent gets one poll at a time). */
	pthread_mutex_lock(&c->mu);
	for (i = 0; i < nd; i++) {
		unsigned char uuid[AGENT_UUID_LEN];
		struct entry *e = NULL;

		if (!c->stop && virDomainGetUUID(doms[i], uuid) == 0)
			e = find(c, uuid);
		if (e != NULL && !e->in_flight &&
		    c->queued < c->conf.max_domains &&
		    e->next_ms <= clock_mono_ms() &&
		    virDomainRef(doms[i]) == 0) {
			struct job *j = &c->queue[(c->head + c->queued++) %
						  c->conf.max_domains];

			*j = (struct job){.dom = doms[i],
					  .round_ms = now,
					  .queued_ms = clock_mono_ms(),
					  .gen = ++c->jobs};
			memcpy(j->uuid, uuid, AGENT_UUID_LEN);
			e->gen = j->gen;
			e->in_flight = true;
			pthread_cond_signal(&c->work);
		}
	}
	pthread_mutex_unlock(&c->mu);
	for (i = 0; i < nd; i++)
		virDomainFree(doms[i]);
	free(doms);

	/* An entry being polled is due again no earlier than an interval
	   after this round, when the worker wakes anyway. */
	pthread_mutex_lock(&c->mu);
	now = clock_mono_ms();
	for (i = 0; i < c->n; i++)
		if (!c->e[i].in_flight && c->e[i].next_ms - now < next)
			next = c->e[i].next_ms - now;
	c->rounds++;
	pthread_mutex_unlock(&c->mu);
	/* New domains are found within one interval even if nothing is due. */
	return next < 0 ? 0 : next;
}

/* close_all: on stop, close the handles kept in the domains still running
   under the domain ID they were opened in, whose last poll did not fail
   (the table is the worker's; readers are gone or only copy results). */
static void close_all(struct agent_cache *c)
{
	for (int i = 0; c->conn != NULL && i < c->n; i++) {
		struct entry *e = &c->e[i];
		virDomainPtr dom;
		bool any = false;
		for (int k = 0; k < AGENT_STAT_FILES; k++)
			any = any || e->hs.open[k];
		/* An agent whose last poll failed (down, timed out, file
		   commands disabled) would only cost a timeout, and libvirt's
		   re-sync after one, per close: N hung guests in a row would
		   outlast a service manager's stop timeout.  Their handles
		   stay open in the guest's agent, as they do when the agent
		   never answers again anyway. */
		if (!any || e->r.state == AGENT_STATE_FAILING)
			continue;
		dom = virDomainLookupByUUID(c->conn, e->uuid);
		if (dom != NULL && virDomainIsActive(dom) == 1 &&
		    virDomainGetID(dom) == e->dom_id) {
			struct agent_transport t =
			    c->conf.transport(dom, c->conf.timeout_s);
			agent_handles_close(&t, &e->hs);
		}
		if (dom != NULL)
			virDomainFree(dom);
	}
}

/* next_job: waits, with c->mu held, until this poller may take the job
   at the head of the queue: at once if no poll is under way, else once
   the job has waited conf.spill_ms.  False on stop with nothing queued
   (the jobs left at stop are taken to be dropped). */
static bool next_job(struct agent_cache *c)
{
	for (;;) {
		if (c->queued > 0 && c->stop)
			return true;
		if (c->queued == 0) {
			if (c->stop)
				return false;
			pthread_cond_wait(&c->work, &c->mu);
			continue;
		}
		int64_t waited = clock_mono_ms() - c->queue[c->head].queued_ms;

		if (c->polling == 0 || waited >= c->conf.spill_ms)
			return true;
		struct timespec ts = clock_after(
		    CLOCK_MONOTONIC, (int)(c->conf.spill_ms - waited));

		pthread_cond_timedwait(&c->work, &c->mu, &ts);
	}
}

/* A poller: takes the queued jobs one by one until stop, then drops
   those left (each poll under way ends with the agent call in progress,
   and at most one close: see counting_cmd). */
static void *poller(void *arg)
{
	struct agent_cache *c = arg;

	pthread_mutex_lock(&c->mu);
	while (next_job(c)) {
		struct job j = c->queue[c->head];

		c->head = (c->head + 1) % c->conf.max_domains;
		c->queued--;
		if (!c->stop) {
			c->polling++;
			pthread_mutex_unlock(&c->mu);
			poll_one(c, &j);
			pthread_mutex_lock(&c->mu);
			c->polling--;
			/* The next job need not wait for its spill time. */
			if (c->queued > 0)
				pthread_cond_signal(&c->work);
		}
		virDomainFree(j.dom);
	}
	pthread_mutex_unlock(&c->mu);
	return NULL;
}

static void stop_pollers(struct agent_cache *c)
{
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->work);
	pthread_mutex_unlock(&c->mu);
	for (int i = 0; i < c->n_pollers; i++)
		pthread_join(c->pollers[i], NULL);
	c->n_pollers = 0;
}

static void *worker(void *arg)
{
	struct agent_cache *c = arg;
	int64_t delay;

	for (;;) {
		delay = round_once(c);
		pthread_mutex_lock(&c->mu);
		bool stop = wait_ms(c, delay < 10 ? 10 : delay);
		pthread_mutex_unlock(&c->mu);
		if (stop)
			break;
	}
	/* The handles are closed once no poll uses them. */
	stop_pollers(c);
	close_all(c);
	if (c->conn != NULL)
		virConnectClose(c->conn);
	c->conn = NULL;
	return NULL;
}

struct agent_cache *agent_cache_start(const struct agent_cache_conf *conf,
				      char *err, size_t errlen)
{
	struct agent_cache *c = calloc(1, sizeof(*c));
	bool ok_inc, ok_exc;
	int rc;

	if (c == NULL) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	atomic_init(&c->stopping, false);
	c->conf = *conf;
	agent_cache_conf_defaults(&c->conf);
	c->uri = strdup(c->conf.uri);
	c->conf.uri = c->uri;
	c->include = globlist_copy(conf->include, conf->n_include, &ok_inc);
	c->exclude = globlist_copy(conf->exclude, conf->n_exclude, &ok_exc);
	c->e = calloc((size_t)c->conf.max_domains, sizeof(*c->e));
	c->queue = calloc((size_t)c->conf.max_domains, sizeof(*c->queue));
	if (c->uri == NULL || c->e == NULL || c->queue == NULL || !ok_inc ||
	    !ok_exc) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	pthread_mutex_init(&c->mu, NULL);
	pthread_condattr_t mono;

	pthread_condattr_init(&mono);
	pthread_condattr_setclock(&mono, CLOCK_MONOTONIC);
	pthread_cond_init(&c->cv, &mono);
	pthread_cond_init(&c->work, &mono);
	pthread_condattr_destroy(&mono);
	for (rc = 0; rc == 0 && c->n_pollers < AGENT_POLLERS; c->n_pollers++)
		rc = pthread_create(&c->pollers[c->n_pollers], NULL, poller, c);
	if (rc != 0)
		c->n_pollers--; /* the one that failed */
	else
		rc = pthread_create(&c->thread, NULL, worker, c);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_create: %s", strerror(rc));
		stop_pollers(c);
		pthread_cond_destroy(&c->work);
		pthread_cond_destroy(&c->cv);
		pthread_mutex_destroy(&c->mu);
		goto fail;
	}
	return c;
fail:
	globlist_free(c->include, c->conf.n_include);
	globlist_free(c->exclude, c->conf.n_exclude);
	free(c->queue);
	free(c->e);
	free(c->uri);
	free(c);
	return NULL;
}

void agent_cache_stop(struct agent_cache *c)
{
	if (c == NULL)
		return;
	atomic_store(&c->stopping, true);
	pthread_mutex_lock(&c->mu);
	c->stop = true;
	pthread_cond_broadcast(&c->cv);
	pthread_mutex_unlock(&c->mu);
	pthread_join(c->thread, NULL);
	pthread_cond_destroy(&c->work);
	pthread_cond_destroy(&c->cv);
	pthread_mutex_destroy(&c->mu);
	globlist_free(c->include, c->conf.n_include);
	globlist_free(c->exclude, c->conf.n_exclude);
	free(c->queue);
	free(c->e);
	free(c->uri);
	free(c);
}

int agent_cache_get(struct agent_cache *c,
		    const unsigned char uuid[AGENT_UUID_LEN],
		    struct agent_result *out)
{
	struct entry *e;
	int64_t now = clock_mono_ms();
	int rc = -1;

	memset(out, 0, sizeof(*out));
	out->stale = true;
	out->age_ms = -1;
	pthread_mutex_lock(&c->mu);
	e = find(c, uuid);
	if (e != NULL) {
		*out = e->r;
		out->age_ms = e->r.has_stats ? now - e->taken_ms : -1;
		/* A failed last poll makes the values stale at once. */
		out->stale = !e->r.has_stats ||
			     out->age_ms > c->conf.stale_ms ||
			     e->r.state == AGENT_STATE_FAILING ||
			     e->dom_id != e->listed_id;
		out->next_poll_ms = e->next_ms > now ? e->next_ms - now : 0;
		rc = 0;
	}
	pthread_mutex_unlock(&c->mu);
	return rc;
}

static int hexval(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

int agent_uuid_parse(const char *text, unsigned char uuid[AGENT_UUID_LEN])
{
	int n = 0;

	for (int i = 0; i < 36; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;
		int hi, lo;

		if (dash) {
			if (text[i] != '-')
				return -1;
			continue;
		}
		hi = hexval(text[i]);
		lo = hi < 0 ? -1 : hexval(text[i + 1]);
		if (lo < 0 || i + 1 == 8 || i + 1 == 13 || i + 1 == 18 ||
		    i + 1 == 23)
			return -1;
		uuid[n++] = (unsigned char)(hi << 4 | lo);
		i++;
	}
	return text[36] == '\0' ? 0 : -1;
}

uint64_t agent_cache_rounds(struct agent_cache *c)
{
	uint64_t r;

	pthread_mutex_lock(&c->mu);
	r = c->rounds;
	pthread_mutex_unlock(&c->mu);
	return r;
}
