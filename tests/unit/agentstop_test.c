/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agentstop_test.c: unit tests of how collectd-plugin/agent_cache.c stops
 * behind hung or stalling agents (agentcache_test.c tests the rest): no
 * close is sent to an agent whose last poll failed, and a stop waits for
 * the agent call in progress, not for the rest of its poll.  The worker
 * runs over libvirt's test:///default, its one domain's agent the
 * scripted one of agent_fake.h.
 */
#include "agent_cache.h"
#include "agent_fake.h"
#include "testing.h"

#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* test:///default's domain "test" has this fixed UUID. */
static const char test_uuid[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";

/* The scripted agent: the pollers call it under agent_mu; stall_us, set
   before the cache starts, delays each of its calls but the closes (a
   slow agent; what closes cost at stop is test_stop_down's subject). */
static struct fake agent;
static pthread_mutex_t agent_mu = PTHREAD_MUTEX_INITIALIZER;
static useconds_t stall_us;

static char *agent_cmd(void *ctx, const char *json, int timeout_s,
		       enum agent_rc *rc, char *err, size_t errlen)
{
	char *reply;

	(void)ctx;
	if (stall_us > 0 && strstr(json, "guest-file-close") == NULL)
		usleep(stall_us);
	pthread_mutex_lock(&agent_mu);
	reply = fake_cmd(&agent, json, timeout_s, rc, err, errlen);
	pthread_mutex_unlock(&agent_mu);
	return reply;
}

static struct agent_transport agent_transport(void *dom, int timeout_s)
{
	(void)dom;
	return (struct agent_transport){
	    .cmd = agent_cmd, .ctx = NULL, .timeout_s = timeout_s};
}

static int agent_calls(void)
{
	int n;

	pthread_mutex_lock(&agent_mu);
	n = agent.calls;
	pthread_mutex_unlock(&agent_mu);
	return n;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* start: a cache polling test:///default every 20 ms through an agent
   playing f, each call stalled by stall; NULL (checked) if it failed. */
static struct agent_cache *start(const char *what, struct fake f,
				 useconds_t stall)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 20,
					.backoff_ms = 60000,
					.transport = agent_transport};
	char err[200];
	struct agent_cache *c;

	agent = f;
	stall_us = stall;
	c = agent_cache_start(&conf, err, sizeof(err));
	T_OK(c != NULL, "cache with %s started (%s)", what, c ? "" : err);
	return c;
}

/* At stop, an agent whose last poll failed (down: a hung guest) is sent
   no close: each would cost a timeout and libvirt's re-sync, one guest
   after another. */
static void test_stop_down(void)
{
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r = {0};
	struct agent_cache *c =
	    start("an agent to hang", three_files("oom_kill 3\n"), 0);
	int calls;

	if (c == NULL)
		return;
	agent_uuid_parse(test_uuid, uuid);
	/* Until 2 polls kept the handles (20 s at most), then until a poll
	   of the hung agent has failed: backed off a minute after that. */
	for (int k = 0; k < 1000 && r.polls < 2; k++) {
		usleep(20000);
		agent_cache_get(c, uuid, &r);
	}
	T_OK(r.polls >= 2 && r.state == AGENT_STATE_OK,
	     "polled %llu times, handles kept", (unsigned long long)r.polls);
	pthread_mutex_lock(&agent_mu);
	agent.mode = M_DOWN;
	pthread_mutex_unlock(&agent_mu);
	for (int k = 0; k < 1000 && r.state != AGENT_STATE_FAILING; k++) {
		usleep(20000);
		agent_cache_get(c, uuid, &r);
	}
	T_OK(r.state == AGENT_STATE_FAILING, "the agent's last poll failed");
	calls = agent_calls();
	agent_cache_stop(c);
	T_OK(agent.calls == calls,
	     "stop sent nothing to the down agent (%d calls after, %d closes "
	     "in all)",
	     agent.calls - calls, agent.closes);
}

/* Stop waits for the agent call in progress, not for the rest of the
   poll: with every call stalling STALL_MS, a poll that never sees EOF
   would make 24 calls (about 10 s); stop takes under 3 of them.  A
   behaviour bound, measured on CLOCK_MONOTONIC. */
#define STALL_MS 400
static void test_stop_mid_poll(void)
{
	struct fake f = three_files("oom_kill 3\n");
	struct agent_cache *c;
	int calls = 0;
	int64_t t0, took_ms;

	f.mode = M_NO_EOF;
	c = start("a stalling agent", f, STALL_MS * 1000);
	if (c == NULL)
		return;
	/* Until the poll has made 2 calls (20 s at most): under way, with
	   more than 20 to go. */
	for (int k = 0; k < 1000 && calls < 2; k++) {
		usleep(20000);
		calls = agent_calls();
	}
	T_OK(calls >= 2, "the poll is under way (%d calls)", calls);
	t0 = mono_ms();
	agent_cache_stop(c);
	took_ms = mono_ms() - t0;
	T_OK(took_ms < 3 * STALL_MS,
	     "stop took %lld ms, under 3 calls of %d ms (%d calls in all)",
	     (long long)took_ms, STALL_MS, agent.calls);
	T_OK(agent.closes >= 1 && fake_open_handles(&agent) == 0,
	     "the answering agent's handles closed at stop (%d closes)",
	     agent.closes);
}

int main(void)
{
	test_stop_down();
	test_stop_mid_poll();
	return t_done();
}
