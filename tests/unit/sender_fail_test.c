/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sender_fail_test.c: the write plugin's sender thread
 * (collectd-plugin/sender.c) when delivery fails: a 4xx batch is dropped
 * and not retried, a 5xx one is retried with back-off, a flapping
 * receiver logs one failure and one resumption, records queued behind a
 * failing batch push it out, and a flush during the back-off returns at
 * once.
 *
 * The fake transport is in sender_fake.h; the queue, flush, stop and the
 * body cap against a receiver that answers are in sender_test.c.
 */
#include "sender_fake.h"

#include <errno.h>
#include <pthread.h>

static void test_reject(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;

	sfake_init(&f);
	f.status = 400;
	c = sfake_config(&f, 50, 100);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "reject: sender_new"))
		return;
	for (int i = 0; i < 10; i++) {
		struct wire_record r = sfake_record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	T_EQ_INT(sender_flush(s, 5000), -EIO, "flush reports the 400");
	T_OK(sfake_wait_for(sfake_idle, s, 5000), "4xx batch resolved");
	st = sfake_stats(s);
	T_EQ_INT(st.rejected, 10, "4xx: 10 rejected");
	T_EQ_INT(st.requests_failed, 1, "4xx: one failed request");
	/* A retry would now deliver the rejected batch: it must not. */
	pthread_mutex_lock(&f.lock);
	f.status = 204;
	pthread_mutex_unlock(&f.lock);
	for (int i = 0; i < 3; i++) {
		struct wire_record r = sfake_record(0, 100 + i);

		sender_enqueue(s, &r);
	}
	T_EQ_INT(sender_flush(s, 5000), 0, "flush after 4xx");
	st = sfake_stats(s);
	T_EQ_INT(st.sent, 3, "only the new 3 sent (4xx batch not retried)");
	T_EQ_INT(f.calls, 2, "two POSTs in all");
	T_OK(f.nseen == 3 && f.seen[0] == 100, "receiver saw only the new 3");
	T_OK(sfake_balanced(&st), "reject: accounting balances");
	sender_free(s);
	sfake_fini(&f);
}

static bool sent5(void *arg)
{
	return sfake_stats(arg).sent >= 5;
}

static void test_retry(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;

	sfake_init(&f);
	f.fail_first = 3;
	c = sfake_config(&f, 50, 100);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "retry: sender_new"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = sfake_record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	sender_flush(s, 0);
	T_OK(sfake_wait_for(sent5, s, 5000), "5xx: delivered after retries");
	st = sfake_stats(s);
	T_EQ_INT(st.requests_failed, 3, "5xx: 3 failed requests");
	T_EQ_INT(st.requests_ok, 1, "5xx: then one success");
	T_EQ_INT(f.nseen, 5, "5xx: receiver saw each record once");
	T_EQ_INT(st.dropped + st.rejected, 0, "5xx: nothing dropped");
	sender_free(s);
	sfake_fini(&f);
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

	return sfake_stats(a->s).sent >= a->n;
}

/* Delivery that flaps (a 503, then an answer, five times within a
   minute) logs one failure and one resumption, not a pair a spell. */
static void test_flapping_log(void)
{
	struct logs l = {.fail = 0};
	struct sfake f;
	struct sender_config c;
	struct sent_at_least a;
	int delivered = 0;

	pthread_mutex_init(&l.lock, NULL);
	sfake_init(&f);
	c = sfake_config(&f, 50, 100);
	c.log = count_log;
	c.log_ctx = &l;
	a.s = sender_new(&c);
	if (!T_OK(a.s != NULL && sender_start(a.s) == 0, "flap: start"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = sfake_record(0, i);

		pthread_mutex_lock(&f.lock);
		f.fail_first = 1;
		pthread_mutex_unlock(&f.lock);
		sender_enqueue(a.s, &r);
		sender_flush(a.s, 0); /* no linger */
		a.n = (uint64_t)i + 1;
		delivered += sfake_wait_for(sent_n, &a, 5000);
	}
	T_EQ_INT(sfake_stats(a.s).requests_failed, 5,
		 "flap: five failed requests");
	sender_free(a.s);
	T_EQ_INT(delivered, 5, "flap: each record delivered after its 503");
	T_EQ_INT(l.fail, 1, "flap: one failure line in the minute");
	T_EQ_INT(l.resumed, 1, "flap: one resumption line");
	pthread_mutex_destroy(&l.lock);
	sfake_fini(&f);
}

static bool dropped_batch(void *arg)
{
	return sfake_stats(arg).dropped >= 10;
}

/* Records queued behind a batch that keeps failing push the batch out. */
static void test_overflow_while_failing(void)
{
	struct sfake f;
	struct sender_config c;
	struct sender *s;
	struct sender_stats st;
	bool newest = true;

	sfake_init(&f);
	f.refuse = true;
	c = sfake_config(&f, 5, 5);
	s = sender_new(&c);
	if (!T_OK(s != NULL, "overflow: sender_new"))
		return;
	for (int i = 0; i < 5; i++) {
		struct wire_record r = sfake_record(0, i);

		sender_enqueue(s, &r);
	}
	sender_start(s);
	sender_flush(s, 2000); /* takes the batch; fails */
	for (int i = 5; i < 15; i++) {
		struct wire_record r = sfake_record(0, i);

		sender_enqueue(s, &r);
	}
	T_OK(sfake_wait_for(dropped_batch, s, 5000),
	     "overflow: the stale in-flight batch is dropped");
	pthread_mutex_lock(&f.lock);
	f.refuse = false;
	pthread_mutex_unlock(&f.lock);
	T_OK(sfake_wait_for(sent5, s, 5000), "overflow: delivery resumes");
	st = sfake_stats(s);
	for (size_t i = 0; i < f.nseen; i++)
		newest = newest && f.seen[i] == 10.0 + (double)i;
	T_OK(f.nseen == 5 && newest, "overflow: the newest 5 arrive");
	T_EQ_INT(st.dropped, 10, "overflow: 10 dropped");
	T_OK(sfake_balanced(&st), "overflow: accounting balances");
	sender_free(s);
	sfake_fini(&f);
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

static int fake_calls(struct sfake *f)
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
	struct sfake f;
	struct gate g = {.held = false, .open = false};
	struct sender_config c;
	struct sender *s;
	struct wire_record r = sfake_record(0, 1);

	sfake_init(&f);
	f.refuse = true;
	pthread_mutex_init(&g.lock, NULL);
	pthread_cond_init(&g.cond, NULL);
	c = sfake_config(&f, 100, 1000);
	c.log = gate_log;
	c.log_ctx = &g;
	s = sender_new(&c);
	if (!T_OK(s != NULL, "backoff: sender_new"))
		return;
	for (int i = 0; i < 3; i++)
		sender_enqueue(s, &r);
	sender_start(s);
	sender_flush(s, 0);
	T_OK(sfake_wait_for(gate_held, &g, 5000),
	     "backoff: the first POST failed");
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
	T_OK(sfake_wait_for(sfake_idle, s, 5000),
	     "backoff: delivered once answered");
	T_EQ_INT(f.nseen, 3, "backoff: the 3 records arrive");
	T_EQ_INT(sender_flush(s, 2000), 0, "backoff: a flush after it: 0");
	sender_free(s);
	pthread_cond_destroy(&g.cond);
	pthread_mutex_destroy(&g.lock);
	sfake_fini(&f);
}

int main(void)
{
	test_reject();
	test_retry();
	test_overflow_while_failing();
	test_flush_in_backoff();
	test_flapping_log();
	return t_done();
}
