/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_test.c: the write plugin's queue and sender thread
 * (collectd-plugin/sender.c), with a fake transport in place of libcurl.
 *
 * The fake decodes every body with wire_batch_decode(), so what it records
 * is what an actuator would have seen.  It can answer with any status,
 * fail the first N requests, refuse connections, or hang until its
 * timeout.  Waits poll a condition with a deadline; nothing sleeps for a
 * fixed time.  Producer threads exercise the queue concurrently.  The
 * real transport (libcurl) is tested in http_curl_test.
 */
#include "testing.h"
#include "sender.h"
#include "wire.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEEN 200000

struct fake {
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

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void nap_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000};

	nanosleep(&ts, NULL);
}

/* Poll cond(arg) every 2 ms until true or ms pass. */
static bool wait_for(bool (*cond)(void *), void *arg, long ms)
{
	long long end = now_ms() + ms;

	while (!cond(arg)) {
		if (now_ms() >= end)
			return false;
		nap_ms(2);
	}
	return true;
}

static int fake_post(void *ctx, const char *body, size_t len, long timeout_ms,
		     long *status)
{
	struct fake *f = ctx;
	struct wire_batch b;
	struct wire_error err;
	int rc = 0;

	pthread_mutex_lock(&f->lock);
	f->calls++;
	f->last_timeout_ms = timeout_ms;
	if (len > f->max_len)
		f->max_len = len;
	if (f->hang) {
		long long end = now_ms() + timeout_ms;

		while (f->hang && now_ms() < end) {
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
	for (size_t i = 0; i < b.n && f->nseen < MAX_SEEN; i++) {
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

static void fake_init(struct fake *f)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->status = 200;
	f->seen = calloc(MAX_SEEN, sizeof(*f->seen));
	f->producer = calloc(MAX_SEEN, sizeof(*f->producer));
}

static void fake_fini(struct fake *f)
{
	free(f->seen);
	free(f->producer);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

static struct sender_config config(struct fake *f, size_t batch, size_t limit)
{
	return (struct sender_config){
	    .socket_path = "/nonexistent/momd.sock",
	    .batch_size = batch,
	    .queue_limit = limit,
	    .timeout_ms = 2000,
	    .interval_ms = 60000,
	    .linger_ms = 1000, /* long: flushes must not wait for it */
	    .backoff_max_ms = 40,
	    .transport = {fake_post, f},
	};
}

static struct wire_record record(int producer, double value)
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

static struct sender_stats stats(struct sender *s)
{
	struct sender_stats st;

	sender_get_stats(s, &st);
	return st;
}

/* Conservation: every record accepted is accounted for exactly once. */
static bool balanced(const struct sender_stats *st)
{
	return st->enqueued == st->sent + st->rejected + st->dropped +
				   st->queued + st->in_flight;
}

static void test_config(void)
{
	struct fake f;
	struct sender_config c;

	fake_init(&f);
	c = config(&f, 0, 10);
	T_OK(sender_new(&c) == NULL, "batch_size 0 refused");
	c = config(&f, 1, 0);
	T_OK(sender_new(&c) == NULL, "queue_limit 0 refused");
	c = config(&f, 1, 1);
	c.socket_path = NULL;
	T_OK(sender_new(&c) == NULL, "no socket and no URL refused");
	T_OK(sender_new(NULL) == NULL, "NULL config refused");
	c = config(&f, 1, 1);
	c.linger_ms = -1;
	T_OK(sender_new(&c) == NULL, "negative linger refused");
	sender_free(NULL);
	fake_fini(&f);
}

/*
 * The default linger: a tenth of the interval, at least 10 ms and at most
 * 200 ms, well below momd's default settle_ms of 500 (sender.h).  At 1 s
 * it was 1000 ms from a 10 s interval on, so a guest whose values were
 * cut between two POSTs arrived in parts up to a second apart and a cycle
 * in the gap saw its later fields absent.
 */
static void test_linger(void)
{
	static const long cases[][2] = {
	    {50, 10},	 {100, 10},    {1000, 100},  {2000, 200},
	    {5000, 200}, {10000, 200}, {60000, 200},
	};
	struct fake f;
	struct sender_config c;
	struct sender *s;

	T_OK(SENDER_LINGER_MAX_MS * 2 < 500,
	     "the longest default linger is under half momd's settle_ms");
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char what[64];

		snprintf(what, sizeof(what), "default linger at %ld ms",
			 cases[i][0]);
		T_EQ_INT(sender_default_linger_ms(cases[i][0]), cases[i][1],
			 what);
	}
	fake_init(&f);
	c = config(&f, 1, 1);
	s = sender_new(&c);
	T_EQ_INT(s ? sender_linger_ms(s) : -1, 1000, "a linger given is kept");
	sender_free(s);
	c.linger_ms = 0;
	c.interval_ms = 10000;
	s = sender_new(&c);
	T_EQ_INT(s ? sender_linger_ms(s) : -1, 200,
		 "linger 0 takes the default from the interval");
	sender_free(s);
	fake_fini(&f);
}

static void test_drop_oldest(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	int drops = 0;
	bool order = true;
	struct wire_record bad = record(0, 0);

	fake_init(&f);
	c = config(&f, 4, 10);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "drop-oldest: sender_new"))
		return;
	for (int i = 0; i < 25; i++)
		drops += sender_enqueue(s, &(struct wire_record){0}) == -EINVAL;
	T_EQ_INT(drops, 25, "a record without values is refused");
	bad.nvalues = WIRE_VALUES_MAX + 1;
	T_EQ_INT(sender_enqueue(s, &bad), -EINVAL, "9 values refused");
	drops = 0;
	for (int i = 0; i < 25; i++) {
		struct wire_record r = record(0, i);

		drops += sender_enqueue(s, &r) == 1;
	}
	st = stats(s);
	T_EQ_INT(drops, 15, "enqueue reports 15 drops");
	T_EQ_INT(st.dropped, 15, "15 dropped counted");
	T_EQ_INT(st.queued, 10, "10 queued (the limit)");
	T_EQ_INT(st.enqueued, 25, "25 enqueued");
	T_EQ_INT(sender_start(s), 0, "start");
	T_EQ_INT(sender_start(s), 0, "second start is a no-op");
	T_EQ_INT(sender_flush(s, 5000), 0, "flush delivers everything");
	st = stats(s);
	T_EQ_INT(st.sent, 10, "10 sent");
	T_EQ_INT(f.nseen, 10, "receiver saw 10");
	for (size_t i = 0; i < f.nseen; i++)
		order = order && f.seen[i] == 15.0 + (double)i;
	T_OK(order, "the newest 10 survive, oldest first");
	T_EQ_INT(f.calls, 3, "10 records in batches of 4: 3 POSTs");
	T_EQ_INT(f.max_batch, 4, "no batch above BatchSize");
	T_OK(balanced(&st), "accounting balances");
	sender_stop(s, 1000);
	sender_free(s);
	fake_fini(&f);
}

struct producer {
	struct sender *s;
	int id, n, dropped_seen;
};

static void *produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->n; i++) {
		struct wire_record r = record(p->id, i);

		if (sender_enqueue(p->s, &r) == 1)
			p->dropped_seen++;
	}
	return NULL;
}

static void test_concurrent(void)
{
	enum { NPROD = 4, PER = 20000 };
	struct producer prod[NPROD];
	pthread_t th[NPROD];
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	double last[NPROD];
	bool order = true;
	int reported = 0;
	long long t0;

	fake_init(&f);
	c = config(&f, 100, 500);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "concurrent: sender_new"))
		return;
	sender_start(s);
	for (int i = 0; i < NPROD; i++) {
		prod[i] = (struct producer){s, i, PER, 0};
		pthread_create(&th[i], NULL, produce, &prod[i]);
	}
	for (int i = 0; i < NPROD; i++) {
		pthread_join(th[i], NULL);
		reported += prod[i].dropped_seen;
	}
	t0 = now_ms();
	T_EQ_INT(sender_flush(s, 10000), 0, "concurrent: flush");
	T_OK(now_ms() - t0 < 5000, "concurrent: flush is quick");
	st = stats(s);
	T_EQ_INT(st.enqueued, NPROD * PER, "every enqueue counted");
	T_EQ_INT(st.sent + st.dropped, NPROD * PER, "sent + dropped = all");
	T_EQ_INT(st.dropped, reported, "drops counted = drops reported");
	T_EQ_INT(f.nseen, st.sent, "receiver saw every sent record");
	T_OK(st.sent > 0, "concurrent: something was sent");
	for (int i = 0; i < NPROD; i++)
		last[i] = -1;
	for (size_t i = 0; i < f.nseen; i++) {
		int p = f.producer[i];

		order = order && p >= 0 && p < NPROD && f.seen[i] > last[p];
		if (p >= 0 && p < NPROD)
			last[p] = f.seen[i];
	}
	T_OK(order, "each producer's records arrive in order, once");
	T_OK(balanced(&st), "concurrent: accounting balances");
	sender_stop(s, 1000);
	sender_free(s);
	fake_fini(&f);
}

static bool idle_cond(void *arg)
{
	struct sender_stats st = stats(arg);

	return st.queued == 0 && st.in_flight == 0;
}

static void test_reject(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;

	fake_init(&f);
	f.status = 400;
	c = config(&f, 50, 100);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "reject: sender_new"))
		return;
	for (int i = 0; i < 10; i++) {
		struct wire_record r = record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	T_EQ_INT(sender_flush(s, 5000), -EIO, "flush reports the 400");
	T_OK(wait_for(idle_cond, s, 5000), "4xx batch resolved");
	st = stats(s);
	T_EQ_INT(st.rejected, 10, "4xx: 10 rejected");
	T_EQ_INT(st.requests_failed, 1, "4xx: one failed request");
	/* A retry would now deliver the rejected batch: it must not. */
	pthread_mutex_lock(&f.lock);
	f.status = 204;
	pthread_mutex_unlock(&f.lock);
	for (int i = 0; i < 3; i++) {
		struct wire_record r = record(0, 100 + i);

		sender_enqueue(s, &r);
	}
	T_EQ_INT(sender_flush(s, 5000), 0, "flush after 4xx");
	st = stats(s);
	T_EQ_INT(st.sent, 3, "only the new 3 sent (4xx batch not retried)");
	T_EQ_INT(f.calls, 2, "two POSTs in all");
	T_OK(f.nseen == 3 && f.seen[0] == 100, "receiver saw only the new 3");
	T_OK(balanced(&st), "reject: accounting balances");
	sender_free(s);
	fake_fini(&f);
}

static bool sent5(void *arg)
{
	return stats(arg).sent >= 5;
}

static void test_retry(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;

	fake_init(&f);
	f.fail_first = 3;
	c = config(&f, 50, 100);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "retry: sender_new"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	sender_flush(s, 0);
	T_OK(wait_for(sent5, s, 5000), "5xx: delivered after retries");
	st = stats(s);
	T_EQ_INT(st.requests_failed, 3, "5xx: 3 failed requests");
	T_EQ_INT(st.requests_ok, 1, "5xx: then one success");
	T_EQ_INT(f.nseen, 5, "5xx: receiver saw each record once");
	T_EQ_INT(st.dropped + st.rejected, 0, "5xx: nothing dropped");
	sender_free(s);
	fake_fini(&f);
}

/* Log lines, by kind, from the sender's log callback. */
struct logs {
	pthread_mutex_t lock;
	int fail, resumed;
};

static void count_log(void *ctx, enum sender_severity sev, const char *msg)
{
	struct logs *l = ctx;

	(void)sev;
	pthread_mutex_lock(&l->lock);
	l->fail += strstr(msg, "cannot deliver") != NULL;
	l->resumed += strstr(msg, "resumed") != NULL;
	pthread_mutex_unlock(&l->lock);
}

struct sent_at_least {
	struct sender *s;
	uint64_t n;
};

static bool sent_n(void *arg)
{
	struct sent_at_least *a = arg;

	return stats(a->s).sent >= a->n;
}

/* Delivery that flaps (a 503, then an answer, five times within a
   minute) logs one failure and one resumption, not a pair a spell. */
static void test_flapping_log(void)
{
	struct logs l = {.fail = 0};
	struct fake f;
	struct sender_config c;
	struct sent_at_least a;
	int delivered = 0;

	pthread_mutex_init(&l.lock, NULL);
	fake_init(&f);
	c = config(&f, 50, 100);
	c.log = count_log;
	c.log_ctx = &l;
	a.s = sender_new(&c);
	if (!T_OK(a.s != NULL && sender_start(a.s) == 0, "flap: start"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = record(0, i);

		pthread_mutex_lock(&f.lock);
		f.fail_first = 1;
		pthread_mutex_unlock(&f.lock);
		sender_enqueue(a.s, &r);
		sender_flush(a.s, 0); /* no linger */
		a.n = (uint64_t)i + 1;
		delivered += wait_for(sent_n, &a, 5000);
	}
	T_EQ_INT(stats(a.s).requests_failed, 5, "flap: five failed requests");
	sender_free(a.s);
	T_EQ_INT(delivered, 5, "flap: each record delivered after its 503");
	T_EQ_INT(l.fail, 1, "flap: one failure line in the minute");
	T_EQ_INT(l.resumed, 1, "flap: one resumption line");
	pthread_mutex_destroy(&l.lock);
	fake_fini(&f);
}

static bool dropped_batch(void *arg)
{
	return stats(arg).dropped >= 10;
}

/* Records queued behind a batch that keeps failing push the batch out. */
static void test_overflow_while_failing(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	bool newest = true;

	fake_init(&f);
	f.refuse = true;
	c = config(&f, 5, 5);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "overflow: sender_new"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	sender_flush(s, 2000); /* takes the batch; fails */
	for (int i = 5; i < 15; i++) {
		struct wire_record r = record(0, i);

		sender_enqueue(s, &r);
	}
	T_OK(wait_for(dropped_batch, s, 5000),
	     "overflow: the stale in-flight batch is dropped");
	pthread_mutex_lock(&f.lock);
	f.refuse = false;
	pthread_mutex_unlock(&f.lock);
	T_OK(wait_for(sent5, s, 5000), "overflow: delivery resumes");
	st = stats(s);
	for (size_t i = 0; i < f.nseen; i++)
		newest = newest && f.seen[i] == 10.0 + (double)i;
	T_OK(f.nseen == 5 && newest, "overflow: the newest 5 arrive");
	T_EQ_INT(st.dropped, 10, "overflow: 10 dropped");
	T_OK(balanced(&st), "overflow: accounting balances");
	sender_free(s);
	fake_fini(&f);
}

static bool called(void *arg)
{
	struct fake *f = arg;
	bool c;

	pthread_mutex_lock(&f->lock);
	c = f->calls > 0;
	pthread_mutex_unlock(&f->lock);
	return c;
}

static void test_bounded_stop(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	struct wire_record r = record(0, 1);
	long long t0, took;

	fake_init(&f);
	f.hang = true;
	c = config(&f, 10, 1000);
	c.timeout_ms = 500;
	s = sender_new(&c);
	if (!T_OK(s != NULL, "stop: sender_new"))
		return;
	for (int i = 0; i < 100; i++)
		sender_enqueue(s, &r);
	sender_start(s);
	sender_flush(s, 0);
	T_OK(wait_for(called, &f, 5000), "stop: a request is hanging");
	t0 = now_ms();
	sender_stop(s, 300);
	took = now_ms() - t0;
	if (!T_OK(took < 1500, "stop with a hung receiver is bounded"))
		printf("#   took %lld ms\n", took);
	st = stats(s);
	T_EQ_INT(st.dropped, 100, "stop: what was left counted as dropped");
	T_EQ_INT(st.queued + st.in_flight, 0, "stop: nothing left");
	T_EQ_INT(sender_enqueue(s, &r), -ESHUTDOWN, "enqueue after stop");
	T_OK(balanced(&st), "stop: accounting balances");
	sender_stop(s, 300); /* idempotent */
	sender_free(s);

	/* Never started: stop drops and counts the queue. */
	s = sender_new(&c);
	sender_enqueue(s, &r);
	sender_stop(s, 100);
	T_EQ_INT(stats(s).dropped, 1, "stop before start counts the queue");
	sender_free(s);
	fake_fini(&f);
}

/* Draining at stop: a healthy receiver gets everything. */
static void test_drain(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct wire_record r = record(0, 1);

	fake_init(&f);
	c = config(&f, 7, 1000);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "drain: sender_new"))
		return;
	sender_start(s);
	for (int i = 0; i < 100; i++)
		sender_enqueue(s, &r);
	sender_stop(s, 2000);
	T_EQ_INT(stats(s).sent, 100,
		 "stop drains the queue to a live receiver");
	T_EQ_INT(f.nseen, 100, "drain: receiver saw 100");
	sender_free(s);
	fake_fini(&f);
}

/* flush() must not wait for the linger time (1 s here). */
static void test_flush_wakes(void)
{
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct wire_record r = record(0, 1);
	long long t0;

	fake_init(&f);
	c = config(&f, 100, 1000);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "flush: sender_new"))
		return;
	sender_start(s);
	for (int i = 0; i < 3; i++)
		sender_enqueue(s, &r);
	t0 = now_ms();
	T_EQ_INT(sender_flush(s, 5000), 0, "flush returns 0");
	T_OK(now_ms() - t0 < 900, "flush sends before the linger time");
	T_EQ_INT(f.nseen, 3, "flush: 3 delivered");
	T_EQ_INT(sender_flush(s, 10), 0, "flush of an empty queue");
	/* Without a flush, the linger time still bounds the delay. */
	sender_enqueue(s, &r);
	T_OK(wait_for(idle_cond, s, 3000), "unflushed record goes out in time");
	T_EQ_INT(f.nseen, 4, "linger: delivered");
	sender_free(s);
	fake_fini(&f);
}

/* A log callback that holds the sender thread at its first "cannot
   deliver" line: the failed POST is counted by then and its retry waits
   behind this and the back-off, so no request runs while the gate is
   shut. */
struct gate {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	bool held, open;
};

static void gate_log(void *ctx, enum sender_severity sev, const char *msg)
{
	struct gate *g = ctx;

	(void)sev;
	if (!strstr(msg, "cannot deliver"))
		return;
	pthread_mutex_lock(&g->lock);
	g->held = true;
	while (!g->open)
		pthread_cond_wait(&g->cond, &g->lock);
	pthread_mutex_unlock(&g->lock);
}

static bool gate_held(void *arg)
{
	struct gate *g = arg;
	bool held;

	pthread_mutex_lock(&g->lock);
	held = g->held;
	pthread_mutex_unlock(&g->lock);
	return held;
}

static int fake_calls(struct fake *f)
{
	int n;

	pthread_mutex_lock(&f->lock);
	n = f->calls;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* While a failed POST's retry waits out its back-off, a flush (collectd's
   read thread) returns -EIO at once instead of its whole timeout. */
static void test_flush_in_backoff(void)
{
	struct fake f;
	struct gate g = {.held = false, .open = false};
	struct sender_config c;
	struct sender *s;
	struct wire_record r = record(0, 1);

	fake_init(&f);
	f.refuse = true;
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	c = config(&f, 100, 1000);
	c.log = gate_log;
	c.log_ctx = &g;
	s = sender_new(&c);
	if (!T_OK(s != NULL, "backoff: sender_new"))
		return;
	for (int i = 0; i < 3; i++)
		sender_enqueue(s, &r);
	sender_start(s);
	sender_flush(s, 0);
	T_OK(wait_for(gate_held, &g, 5000), "backoff: the first POST failed");
	/* Without the fix this waits for a retry that cannot come before
	   the gate opens, and ends with -ETIMEDOUT. */
	T_EQ_INT(sender_flush(s, 2000), -EIO,
		 "backoff: flush returns -EIO while the retry waits");
	T_EQ_INT(fake_calls(&f), 1, "backoff: ... without another request");
	pthread_mutex_lock(&g.lock);
	g.open = true;
	pthread_cond_broadcast(&g.cond);
	pthread_mutex_unlock(&g.lock);
	pthread_mutex_lock(&f.lock);
	f.refuse = false;
	pthread_mutex_unlock(&f.lock);
	T_OK(wait_for(idle_cond, s, 5000), "backoff: delivered once answered");
	T_EQ_INT(f.nseen, 3, "backoff: the 3 records arrive");
	T_EQ_INT(sender_flush(s, 2000), 0, "backoff: a flush after it: 0");
	sender_free(s);
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
	fake_fini(&f);
}

/* A batch whose JSON would pass SENDER_BODY_MAX goes out in several
   bodies, each under it, every record once and in order: momd refuses a
   body over its max_body whole, and the sender drops a refused batch. */
static void test_body_cap(void)
{
	enum { N = 2000 };
	struct fake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	bool in_order = true;
	int rc = -1;

	fake_init(&f);
	c = config(&f, N, N);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "cap: sender_new"))
		return;
	for (int i = 0; i < N; i++) {
		struct wire_record r = record(0, i);

		/* 127 '"', each escaped to two bytes: about 900 bytes a
		   record, 1.8 MB for the batch. */
		memset(r.host, '"', WIRE_NAME_MAX - 1);
		memset(r.type, '"', WIRE_NAME_MAX - 1);
		memset(r.type_instance, '"', WIRE_NAME_MAX - 1);
		sender_enqueue(s, &r);
	}
	if (sender_start(s) == 0)
		rc = sender_flush(s, 20000);
	st = stats(s);
	sender_free(s);
	T_EQ_INT(rc, 0, "cap: the batch is delivered");
	T_OK(f.max_len <= SENDER_BODY_MAX,
	     "cap: no body over %u bytes (longest %zu)", SENDER_BODY_MAX,
	     f.max_len);
	T_OK(f.calls >= 2, "cap: in %d POSTs", f.calls);
	for (size_t i = 0; i < f.nseen; i++)
		in_order = in_order && f.seen[i] == (double)i;
	T_OK(f.nseen == N && in_order, "cap: every record once, in order");
	T_OK(st.sent == N && st.in_flight == 0 && balanced(&st),
	     "cap: counted as sent");
	fake_fini(&f);
}

int main(void)
{
	test_config();
	test_linger();
	test_drop_oldest();
	test_concurrent();
	test_reject();
	test_retry();
	test_overflow_while_failing();
	test_bounded_stop();
	test_drain();
	test_flush_wakes();
	test_flush_in_backoff();
	test_body_cap();
	test_flapping_log();
	return t_done();
}
