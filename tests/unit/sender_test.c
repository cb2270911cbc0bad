/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_test.c: the write plugin's queue and sender thread
 * (collectd-plugin/sender.c) against a receiver that answers: the
 * configuration and default linger, drop-oldest at the queue limit,
 * concurrent producers, flush and linger, stop (bounded with a hung
 * receiver, draining with a live one) and the cap on a body's size.
 *
 * The fake transport is in sender_fake.h; how the sender handles a
 * receiver that refuses, fails or flaps is in sender_fail_test.c, the
 * real transport (libcurl) in http_curl_test.c.  Producer threads
 * exercise the queue concurrently.
 */
#include "sender_fake.h"

#include <errno.h>
#include <pthread.h>

static void test_config(void)
{
	struct sfake f;
	struct sender_config c;

	sfake_init(&f);
	c = sfake_config(&f, 0, 10);
	T_OK(sender_new(&c) == NULL, "batch_size 0 refused");
	c = sfake_config(&f, 1, 0);
	T_OK(sender_new(&c) == NULL, "queue_limit 0 refused");
	c = sfake_config(&f, 1, 1);
	c.socket_path = NULL;
	T_OK(sender_new(&c) == NULL, "no socket and no URL refused");
	T_OK(sender_new(NULL) == NULL, "NULL config refused");
	c = sfake_config(&f, 1, 1);
	c.linger_ms = -1;
	T_OK(sender_new(&c) == NULL, "negative linger refused");
	sender_free(NULL);
	sfake_fini(&f);
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
	struct sfake f;
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
	sfake_init(&f);
	c = sfake_config(&f, 1, 1);
	s = sender_new(&c);
	T_EQ_INT(s ? sender_linger_ms(s) : -1, 1000, "a linger given is kept");
	sender_free(s);
	c.linger_ms = 0;
	c.interval_ms = 10000;
	s = sender_new(&c);
	T_EQ_INT(s ? sender_linger_ms(s) : -1, 200,
		 "linger 0 takes the default from the interval");
	sender_free(s);
	sfake_fini(&f);
}

static void test_drop_oldest(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	int drops = 0;
	bool order = true;
	struct wire_record bad = sfake_record(0, 0);

	sfake_init(&f);
	c = sfake_config(&f, 4, 10);
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
		struct wire_record r = sfake_record(0, i);

		drops += sender_enqueue(s, &r) == 1;
	}
	st = sfake_stats(s);
	T_EQ_INT(drops, 15, "enqueue reports 15 drops");
	T_EQ_INT(st.dropped, 15, "15 dropped counted");
	T_EQ_INT(st.queued, 10, "10 queued (the limit)");
	T_EQ_INT(st.enqueued, 25, "25 enqueued");
	T_EQ_INT(sender_start(s), 0, "start");
	T_EQ_INT(sender_start(s), 0, "second start is a no-op");
	T_EQ_INT(sender_flush(s, 5000), 0, "flush delivers everything");
	st = sfake_stats(s);
	T_EQ_INT(st.sent, 10, "10 sent");
	T_EQ_INT(f.nseen, 10, "receiver saw 10");
	for (size_t i = 0; i < f.nseen; i++)
		order = order && f.seen[i] == 15.0 + (double)i;
	T_OK(order, "the newest 10 survive, oldest first");
	T_EQ_INT(f.calls, 3, "10 records in batches of 4: 3 POSTs");
	T_EQ_INT(f.max_batch, 4, "no batch above BatchSize");
	T_OK(sfake_balanced(&st), "accounting balances");
	sender_stop(s, 1000);
	sender_free(s);
	sfake_fini(&f);
}

struct producer {
	struct sender *s;
	int id, n, dropped_seen;
};

static void *produce(void *arg)
{
	struct producer *p = arg;

	for (int i = 0; i < p->n; i++) {
		struct wire_record r = sfake_record(p->id, i);

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
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	double last[NPROD];
	bool order = true;
	int reported = 0;
	long long t0;

	sfake_init(&f);
	c = sfake_config(&f, 100, 500);
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
	t0 = sfake_now_ms();
	T_EQ_INT(sender_flush(s, 10000), 0, "concurrent: flush");
	T_OK(sfake_now_ms() - t0 < 5000, "concurrent: flush is quick");
	st = sfake_stats(s);
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
	T_OK(sfake_balanced(&st), "concurrent: accounting balances");
	sender_stop(s, 1000);
	sender_free(s);
	sfake_fini(&f);
}

static bool called(void *arg)
{
	struct sfake *f = arg;
	bool c;

	pthread_mutex_lock(&f->lock);
	c = f->calls > 0;
	pthread_mutex_unlock(&f->lock);
	return c;
}

static void test_bounded_stop(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	struct wire_record r = sfake_record(0, 1);
	long long t0, took;

	sfake_init(&f);
	f.hang = true;
	c = sfake_config(&f, 10, 1000);
	c.timeout_ms = 500;
	s = sender_new(&c);
	if (!T_OK(s != NULL, "stop: sender_new"))
		return;
	for (int i = 0; i < 100; i++)
		sender_enqueue(s, &r);
	sender_start(s);
	sender_flush(s, 0);
	T_OK(sfake_wait_for(called, &f, 5000), "stop: a request is hanging");
	t0 = sfake_now_ms();
	sender_stop(s, 300);
	took = sfake_now_ms() - t0;
	if (!T_OK(took < 1500, "stop with a hung receiver is bounded"))
		printf("#   took %lld ms\n", took);
	st = sfake_stats(s);
	T_EQ_INT(st.dropped, 100, "stop: what was left counted as dropped");
	T_EQ_INT(st.queued + st.in_flight, 0, "stop: nothing left");
	T_EQ_INT(sender_enqueue(s, &r), -ESHUTDOWN, "enqueue after stop");
	T_OK(sfake_balanced(&st), "stop: accounting balances");
	sender_stop(s, 300); /* idempotent */
	sender_free(s);

	/* Never started: stop drops and counts the queue. */
	s = sender_new(&c);
	sender_enqueue(s, &r);
	sender_stop(s, 100);
	T_EQ_INT(sfake_stats(s).dropped, 1,
		 "stop before start counts the queue");
	sender_free(s);
	sfake_fini(&f);
}

/* Draining at stop: a healthy receiver gets everything. */
static void test_drain(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct wire_record r = sfake_record(0, 1);

	sfake_init(&f);
	c = sfake_config(&f, 7, 1000);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "drain: sender_new"))
		return;
	sender_start(s);
	for (int i = 0; i < 100; i++)
		sender_enqueue(s, &r);
	sender_stop(s, 2000);
	T_EQ_INT(sfake_stats(s).sent, 100,
		 "stop drains the queue to a live receiver");
	T_EQ_INT(f.nseen, 100, "drain: receiver saw 100");
	sender_free(s);
	sfake_fini(&f);
}

/* flush() must not wait for the linger time (1 s here). */
static void test_flush_wakes(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct wire_record r = sfake_record(0, 1);
	long long t0;

	sfake_init(&f);
	c = sfake_config(&f, 100, 1000);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "flush: sender_new"))
		return;
	sender_start(s);
	for (int i = 0; i < 3; i++)
		sender_enqueue(s, &r);
	t0 = sfake_now_ms();
	T_EQ_INT(sender_flush(s, 5000), 0, "flush returns 0");
	T_OK(sfake_now_ms() - t0 < 900, "flush sends before the linger time");
	T_EQ_INT(f.nseen, 3, "flush: 3 delivered");
	T_EQ_INT(sender_flush(s, 10), 0, "flush of an empty queue");
	/* Without a flush, the linger time still bounds the delay. */
	sender_enqueue(s, &r);
	T_OK(sfake_wait_for(sfake_idle, s, 3000),
	     "unflushed record goes out in time");
	T_EQ_INT(f.nseen, 4, "linger: delivered");
	sender_free(s);
	sfake_fini(&f);
}

/* A batch whose JSON would pass SENDER_BODY_MAX goes out in several
   bodies, each under it, every record once and in order: momd refuses a
   body over its max_body whole, and the sender drops a refused batch. */
static void test_body_cap(void)
{
	enum { N = 2000 };
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	bool in_order = true;
	int rc = -1;

	sfake_init(&f);
	c = sfake_config(&f, N, N);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "cap: sender_new"))
		return;
	for (int i = 0; i < N; i++) {
		struct wire_record r = sfake_record(0, i);

		/* 127 '"', each escaped to two bytes: about 900 bytes a
		   record, 1.8 MB for the batch. */
		memset(r.host, '"', WIRE_NAME_MAX - 1);
		memset(r.type, '"', WIRE_NAME_MAX - 1);
		memset(r.type_instance, '"', WIRE_NAME_MAX - 1);
		sender_enqueue(s, &r);
	}
	if (sender_start(s) == 0)
		rc = sender_flush(s, 20000);
	st = sfake_stats(s);
	sender_free(s);
	T_EQ_INT(rc, 0, "cap: the batch is delivered");
	T_OK(f.max_len <= SENDER_BODY_MAX,
	     "cap: no body over %u bytes (longest %zu)", SENDER_BODY_MAX,
	     f.max_len);
	T_OK(f.calls >= 2, "cap: in %d POSTs", f.calls);
	for (size_t i = 0; i < f.nseen; i++)
		in_order = in_order && f.seen[i] == (double)i;
	T_OK(f.nseen == N && in_order, "cap: every record once, in order");
	T_OK(st.sent == N && st.in_flight == 0 && sfake_balanced(&st),
	     "cap: counted as sent");
	sfake_fini(&f);
}

int main(void)
{
	test_config();
	test_linger();
	test_drop_oldest();
	test_concurrent();
	test_bounded_stop();
	test_drain();
	test_flush_wakes();
	test_body_cap();
	return t_done();
}
