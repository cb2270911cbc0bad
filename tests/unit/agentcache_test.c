/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agentcache_test.c: unit tests of collectd-plugin/agent_cache.c, the
 * worker thread that polls the guests' agents off the read path: the
 * UUID text the plugin looks entries up by, probing and backing off a
 * domain without an agent, the domain globs, the handles kept between
 * polls and closed on stop, and the worker's timing (one domain listing
 * per interval; a slow agent still rests a whole interval, and does not
 * hold up the other domains' polls).
 *
 * The worker runs against libvirt's test driver (test:///default, or a
 * node file of three domains): its domains have no agent, so the tests
 * that need one plug in the scripted agent of agent_fake.h through
 * agent_cache_conf.transport.  Real agents: tests/it/guest_agent.sh.
 */
#include "agent_cache.h"
#include "agent_fake.h"
#include "testing.h"

#include <libvirt/libvirt.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* test:///default's domain "test" has this fixed UUID. */
static const char test_uuid[] = "6695eb01-f6a4-8304-79aa-97f2502e193f";

/* The plugin finds a guest's cache entry by its canonical UUID text. */
static void test_uuid_parse(void)
{
	static const unsigned char want[AGENT_UUID_LEN] = {
	    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
	    0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f};
	static const char *bad[] = {
	    "",
	    "6695eb01-f6a4-8304-79aa-97f2502e193",   /* short */
	    "6695eb01-f6a4-8304-79aa-97f2502e193f0", /* long */
	    "6695eb01f-6a4-8304-79aa-97f2502e193f",  /* dash moved */
	    "6695eb01-f6a4-8304-79aa-97f2502e193g",  /* not hex */
	    "6695eb01-f6a4-8304-79aa 97f2502e193f",  /* no dash */
	};
	unsigned char u[AGENT_UUID_LEN];
	int wrong = 0;

	T_OK(agent_uuid_parse("6695EB01-f6a4-8304-79aa-97f2502e193f", u) == 0 &&
		 memcmp(u, want, sizeof(want)) == 0,
	     "canonical UUID text parses (either case)");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		wrong += agent_uuid_parse(bad[i], u) != -1;
	T_EQ_INT(wrong, 0, "malformed UUID texts are refused");
}

/* The cache against the test driver: a domain without an agent is probed
   once and backed off; get never blocks; stop is prompt. */
static void test_cache(void)
{
	struct agent_cache_conf conf = {
	    .uri = "test:///default", .interval_ms = 50, .backoff_ms = 60000};
	struct agent_result r;
	char err[200];
	unsigned char uuid[AGENT_UUID_LEN] = {0}, none[AGENT_UUID_LEN] = {1};
	struct agent_cache *c = agent_cache_start(&conf, err, sizeof(err));
	int k = 0;

	T_OK(c != NULL, "cache started (%s)", c ? "" : err);
	if (c == NULL)
		return;
	T_OK(agent_uuid_parse(test_uuid, uuid) == 0, "the test UUID parses");
	for (k = 0; k < 200 && agent_cache_rounds(c) < 5; k++)
		usleep(20000);
	T_OK(agent_cache_rounds(c) >= 5, "worker made %llu rounds",
	     (unsigned long long)agent_cache_rounds(c));
	T_OK(agent_cache_get(c, uuid, &r) == 0, "test domain known");
	T_OK(r.polls == 1 && r.failures == 1 &&
		 r.state == AGENT_STATE_FAILING && r.stale && !r.has_stats &&
		 r.age_ms == -1,
	     "probed once, failed, stale, no values (polls %llu: %s)",
	     (unsigned long long)r.polls, r.last_error);
	T_OK(r.next_poll_ms > 50000, "next probe after the backoff (%lld ms)",
	     (long long)r.next_poll_ms);
	T_OK(agent_cache_get(c, none, &r) == -1 && r.stale && r.polls == 0,
	     "unknown UUID: -1, stale");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	agent_cache_stop(c);
	clock_gettime(CLOCK_MONOTONIC, &b);
	T_OK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 <
		 1000,
	     "stop is prompt");
}

/* The cache's scripted agent, shared by every domain: its pollers call it
   under fake_mu (they run at once), the main thread reads it only after
   agent_cache_stop has joined them. */
static struct fake cache_fake;
static pthread_mutex_t fake_mu = PTHREAD_MUTEX_INITIALIZER;

static char *locked_fake_cmd(const char *json, int timeout_s, enum agent_rc *rc,
			     char *err, size_t errlen)
{
	char *reply;

	pthread_mutex_lock(&fake_mu);
	reply = fake_cmd(&cache_fake, json, timeout_s, rc, err, errlen);
	pthread_mutex_unlock(&fake_mu);
	return reply;
}

static char *cache_cmd(void *ctx, const char *json, int timeout_s,
		       enum agent_rc *rc, char *err, size_t errlen)
{
	(void)ctx;
	return locked_fake_cmd(json, timeout_s, rc, err, errlen);
}

static struct agent_transport cache_transport(void *dom, int timeout_s)
{
	(void)dom;
	return (struct agent_transport){
	    .cmd = cache_cmd, .ctx = NULL, .timeout_s = timeout_s};
}

/* start_polled: a cache of conf over test:///default, its agent
   answering as cache_fake with three good files, once its domain has had
   4 polls (r: the domain's entry then) or 20 s have passed: the tests'
   polls take 80 ms to 1 s, and the machine may be busy and sanitized.
   NULL, checked as not started (what: the agent), if it did not start. */
static struct agent_cache *start_polled(const struct agent_cache_conf *conf,
					const char *what,
					struct agent_result *r)
{
	unsigned char uuid[AGENT_UUID_LEN];
	char err[200];
	struct agent_cache *c;

	cache_fake = three_files("oom_kill 3\npgmajfault 1\n");
	memset(r, 0, sizeof(*r));
	c = agent_cache_start(conf, err, sizeof(err));
	T_OK(c != NULL, "cache with %s started (%s)", what, c ? "" : err);
	if (c == NULL)
		return NULL;
	agent_uuid_parse(test_uuid, uuid);
	for (int k = 0; k < 1000 && r->polls < 4; k++) {
		usleep(20000);
		agent_cache_get(c, uuid, r);
	}
	return c;
}

/* The cache keeps a domain's handles between polls and closes them on
   stop: with the test driver's running domain and a scripted agent. */
static void test_cache_keep(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 20,
					.backoff_ms = 60000,
					.transport = cache_transport};
	struct agent_result r;
	/* 20 ms polls: 4 of them take 80 ms. */
	struct agent_cache *c = start_polled(&conf, "a scripted agent", &r);

	if (c == NULL)
		return;
	T_OK(r.polls >= 4 && r.state == AGENT_STATE_OK && all_present(&r.stats),
	     "the domain was polled %llu times through the scripted agent",
	     (unsigned long long)r.polls);
	T_EQ_INT(r.poll_calls, 6, "a later poll's agent calls, as counted");
	agent_cache_stop(c);
	/* After the join: every poll read 3 files, only the first opened. */
	T_OK(cache_fake.opens == 3 && cache_fake.reads >= 12 &&
		 cache_fake.seeks == cache_fake.reads - 3,
	     "3 opens once, then seeks: %d reads, %d seeks", cache_fake.reads,
	     cache_fake.seeks);
	T_OK(cache_fake.calls == 2 * cache_fake.reads + 3,
	     "6 calls per poll after the first, plus 3 closes (%d calls)",
	     cache_fake.calls);
	T_OK(cache_fake.closes == 3 && fake_open_handles(&cache_fake) == 0,
	     "stop closed the three kept handles");
}

/* Three running domains for the test driver (test:///<file>). */
static const char three_domains_xml[] =
    "<node>\n"
    "<domain type='test'><name>a1</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000001</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "<domain type='test'><name>a2</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000002</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "<domain type='test'><name>a3</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000003</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "</node>\n";

/* three_domains: writes three_domains_xml to a new file from template
   path and its test driver URI into uri; false (a skip) if it cannot. */
static bool three_domains(char *path, char *uri, size_t urilen)
{
	int fd = mkstemp(path);

	if (fd < 0 ||
	    write(fd, three_domains_xml, sizeof(three_domains_xml) - 1) < 0) {
		T_SKIP("cannot write the node file");
		if (fd >= 0)
			close(fd);
		return false;
	}
	close(fd);
	snprintf(uri, urilen, "test://%s", path);
	return true;
}

/* start_three: a cache of conf over three_domains_xml (its node file at
   template path, for the caller to remove), the agents answering as
   cache_fake with three good files, and the domains' UUIDs in uuid.
   NULL, checked as not started (what: the cache), if it did not start. */
static struct agent_cache *start_three(struct agent_cache_conf *conf,
				       char *path,
				       unsigned char uuid[3][AGENT_UUID_LEN],
				       const char *what)
{
	char uri[128], err[200];
	struct agent_cache *c;

	if (!three_domains(path, uri, sizeof(uri)))
		return NULL;
	conf->uri = uri;
	cache_fake = three_files("oom_kill 3\npgmajfault 1\n");
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000001", uuid[0]);
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000002", uuid[1]);
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000003", uuid[2]);
	c = agent_cache_start(conf, err, sizeof(err));
	T_OK(c != NULL, "%s started (%s)", what, c ? "" : err);
	if (c == NULL)
		unlink(path);
	return c;
}

/* Slow scripted agents for the cache's timing tests.  The worker asks for
   a transport for each poll, and at stop for each domain's closes; the
   n-th it gets delays each of its calls by delay_us[n % ndelay], then
   answers as cache_fake.  The first SLOW_TIMED transports handed out
   before slow_untimed are timed: the start of their first call and the
   end of their last.  The worker thread writes this while the main thread
   reads it: every access is under slow.mu. */
#define SLOW_TIMED  16
#define SLOW_DELAYS 3
static struct {
	pthread_mutex_t mu;
	useconds_t delay_us[SLOW_DELAYS];
	int ndelay;
	bool timing;	/* transports handed out now are timed */
	int transports; /* handed out so far */
	int timed;	/* the first this many of them are timed */
	int calling;	/* calls under way now */
	int most;	/* the most under way at once */
	struct {
		int calls;		  /* made so far */
		int64_t start_us, end_us; /* first call's start, last's end */
	} t[SLOW_TIMED];
} slow = {.mu = PTHREAD_MUTEX_INITIALIZER};

/* slow_agents: the delays (1 to SLOW_DELAYS) of the polls to come, in
   turn; nothing handed out yet, and what is handed out from now on is
   timed. */
static void slow_agents(const useconds_t *delay_us, int ndelay)
{
	if (ndelay < 1 || ndelay > SLOW_DELAYS)
		abort();
	pthread_mutex_lock(&slow.mu);
	memcpy(slow.delay_us, delay_us, (size_t)ndelay * sizeof(*delay_us));
	slow.ndelay = ndelay;
	slow.timing = true;
	slow.transports = slow.timed = 0;
	slow.calling = slow.most = 0;
	memset(slow.t, 0, sizeof(slow.t));
	pthread_mutex_unlock(&slow.mu);
}

/* slow_untimed: the transports handed out from now on are not timed. */
static void slow_untimed(void)
{
	pthread_mutex_lock(&slow.mu);
	slow.timing = false;
	pthread_mutex_unlock(&slow.mu);
}

static int64_t mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

/* ctx: the transport's number. */
static char *slow_cmd(void *ctx, const char *json, int timeout_s,
		      enum agent_rc *rc, char *err, size_t errlen)
{
	int k = (int)(intptr_t)ctx;
	useconds_t delay;
	bool timed;
	char *reply;

	pthread_mutex_lock(&slow.mu);
	delay = slow.delay_us[k % slow.ndelay];
	timed = k < slow.timed;
	if (timed && slow.t[k].calls == 0)
		slow.t[k].start_us = mono_us();
	if (++slow.calling > slow.most)
		slow.most = slow.calling;
	pthread_mutex_unlock(&slow.mu);
	usleep(delay);
	reply = locked_fake_cmd(json, timeout_s, rc, err, errlen);
	pthread_mutex_lock(&slow.mu);
	slow.calling--;
	if (timed) {
		slow.t[k].calls++;
		slow.t[k].end_us = mono_us();
	}
	pthread_mutex_unlock(&slow.mu);
	return reply;
}

static struct agent_transport slow_transport(void *dom, int timeout_s)
{
	int k;

	(void)dom;
	pthread_mutex_lock(&slow.mu);
	k = slow.transports++;
	if (slow.timing && k < SLOW_TIMED)
		slow.timed = k + 1;
	pthread_mutex_unlock(&slow.mu);
	return (struct agent_transport){.cmd = slow_cmd,
					.ctx = (void *)(intptr_t)k,
					.timeout_s = timeout_s};
}

/* Domains polled in one round stay due together: with three domains whose
   polls take unequal times, the worker makes one round, and so one domain
   listing, per interval, not one per domain.  Counted, not timed: the
   rounds against the polls.  Agents that answer within the spill time
   are polled one after another, never two at once (polls overlapping on
   libvirt's one connection cost its client more CPU): the spill time is
   a minute here, so a slow, loaded machine cannot make them overlap. */
static void test_cache_rounds(void)
{
	char path[] = "/tmp/agentcache_test.XXXXXX";
	/* 300 ms: a round (0 + 18 + 36 ms of agent calls) stays well inside
	   it on a slow, sanitized machine, so every round takes all three. */
	struct agent_cache_conf conf = {.interval_ms = 300,
					.backoff_ms = 60000,
					.spill_ms = 60000,
					.transport = slow_transport};
	unsigned char uuid[3][AGENT_UUID_LEN];
	struct agent_result r[3];
	uint64_t polls = 0, rounds;
	struct agent_cache *c;
	int most;

	/* Agents of unequal speed, as real guests' are: the n-th poll's
	   calls each take (n % 3) * 3 ms, so in a round of three the later
	   polls are the slower ones. */
	slow_agents((const useconds_t[]){0, 3000, 6000}, 3);
	c = start_three(&conf, path, uuid, "cache over three domains");
	if (c == NULL)
		return;
	/* Until every domain has had 6 polls: at least 1.5 s. */
	for (int k = 0; k < 1000; k++) {
		uint64_t least = UINT64_MAX;
		for (int i = 0; i < 3; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			agent_cache_get(c, uuid[i], &r[i]);
			if (r[i].polls < least)
				least = r[i].polls;
		}
		if (least >= 6)
			break;
		usleep(20000);
	}
	/* Rounds first: a round counts after its polls, so the polls read
	   next are at least the rounds' worth. */
	rounds = agent_cache_rounds(c);
	for (int i = 0; i < 3; i++) {
		agent_cache_get(c, uuid[i], &r[i]);
		polls = r[i].polls > polls ? r[i].polls : polls;
	}
	agent_cache_stop(c);
	pthread_mutex_lock(&slow.mu);
	most = slow.most;
	pthread_mutex_unlock(&slow.mu);
	T_EQ_INT(most, 1,
		 "one agent call at a time while the agents answer "
		 "within the spill time");
	T_OK(r[0].polls >= 6 && r[1].polls >= 6 && r[2].polls >= 6,
	     "each domain polled at least 6 times (%llu, %llu, %llu)",
	     (unsigned long long)r[0].polls, (unsigned long long)r[1].polls,
	     (unsigned long long)r[2].polls);
	/* Before, each poll's end timed that domain's next poll, so the
	   three came due a few milliseconds apart: 3 rounds per interval. */
	T_OK(rounds <= polls + 1,
	     "one round per interval: %llu rounds for %llu polls per domain",
	     (unsigned long long)rounds, (unsigned long long)polls);
	unlink(path);
}

/* A poll that ends past its slot (a round longer than the interval) still
   rests a whole interval before the next: the gap from the last call of
   one poll to the first of the next is never under 100 ms.  The worker
   waits for its due time, so this holds however slow the machine.  The
   agent is slower than the interval: every call 25 ms, so a poll (6
   calls) takes 150 ms against a 100 ms interval.  Only the polls are
   timed: timing stops before the worker, so the closes it sends at stop
   are not taken for a poll. */
static void test_cache_rest(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 100,
					.backoff_ms = 60000,
					.transport = slow_transport};
	struct agent_result r;
	int64_t least = INT64_MAX;
	struct agent_cache *c;
	int polls, whole = 0;

	slow_agents((const useconds_t[]){25000}, 1);
	/* 4 polls of 150 ms with 100 ms rests: about 1 s. */
	c = start_polled(&conf, "a slow agent", &r);
	if (c == NULL)
		return;
	/* The poll under way, if any, is timed to its end: stop waits for
	   it. */
	slow_untimed();
	agent_cache_stop(c);
	pthread_mutex_lock(&slow.mu);
	polls = slow.timed;
	for (int p = 0; p < polls; p++) {
		/* Each poll is 6 calls (opens then seeks, and reads, of 3
		   files). */
		whole += slow.t[p].calls == 6;
		if (p > 0 && slow.t[p].start_us - slow.t[p - 1].end_us < least)
			least = slow.t[p].start_us - slow.t[p - 1].end_us;
	}
	pthread_mutex_unlock(&slow.mu);
	T_OK(polls >= 4 && whole == polls,
	     "the slow agent was polled %d times, %d of them 6 calls", polls,
	     whole);
	/* 2 ms for the worker's whole-millisecond clock. */
	T_OK(least >= 98000,
	     "at least an interval between polls: shortest gap %lld us",
	     (long long)least);
}

/* One slow agent among fast ones: a1's calls take 150 ms each (a poll of
   6 calls 900 ms), a2's and a3's none. */
static char *one_slow_cmd(void *ctx, const char *json, int timeout_s,
			  enum agent_rc *rc, char *err, size_t errlen)
{
	usleep((useconds_t)(intptr_t)ctx);
	return locked_fake_cmd(json, timeout_s, rc, err, errlen);
}

static struct agent_transport one_slow_transport(void *dom, int timeout_s)
{
	const char *name = virDomainGetName(dom);
	bool is_a1 = name != NULL && strcmp(name, "a1") == 0;

	return (struct agent_transport){
	    .cmd = one_slow_cmd,
	    .ctx = (void *)(intptr_t)(is_a1 ? 150000 : 0),
	    .timeout_s = timeout_s};
}

/* A slow agent holds one poller, not the others' polls: while a1's agent
   makes 3 polls of 900 ms, a2 and a3, due every 100 ms, are polled
   several times each.  Polled one after the other, as before the pool,
   they got one poll per round, and a round waited for a1's.  Counted,
   not timed: the polls against the slow agent's. */
static void test_cache_slow_alone(void)
{
	char path[] = "/tmp/agentcache_test.XXXXXX";
	struct agent_cache_conf conf = {.interval_ms = 100,
					.backoff_ms = 60000,
					.transport = one_slow_transport};
	unsigned char uuid[3][AGENT_UUID_LEN];
	struct agent_result r[3];
	struct agent_cache *c;

	c = start_three(&conf, path, uuid, "cache with one slow agent");
	if (c == NULL)
		return;
	/* Until a1 has had 3 polls: about 3 s (60 s at most). */
	memset(r, 0, sizeof(r));
	for (int k = 0; k < 3000 && r[0].polls < 3; k++) {
		usleep(20000);
		agent_cache_get(c, uuid[0], &r[0]);
	}
	agent_cache_get(c, uuid[1], &r[1]);
	agent_cache_get(c, uuid[2], &r[2]);
	agent_cache_stop(c);
	unlink(path);
	T_OK(r[0].polls >= 3 && r[0].state == AGENT_STATE_OK,
	     "the slow agent answered its polls (%llu, %lld us the last)",
	     (unsigned long long)r[0].polls, (long long)r[0].poll_us);
	T_OK(r[1].polls >= 3 * r[0].polls && r[2].polls >= 3 * r[0].polls,
	     "the fast agents were not held up: %llu and %llu polls against "
	     "the slow one's %llu",
	     (unsigned long long)r[1].polls, (unsigned long long)r[2].polls,
	     (unsigned long long)r[0].polls);
	T_OK(!r[1].stale && !r[2].stale, "their values are fresh");
}

/* An agent whose calls wait while the gate is closed: a poll that
   started cannot publish until the test opens it. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool closed;
	int held; /* calls waiting at the gate now */
} gate = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, false, 0};

static int gate_held(void)
{
	pthread_mutex_lock(&gate.mu);
	int n = gate.held;
	pthread_mutex_unlock(&gate.mu);
	return n;
}

static void gate_set(bool closed)
{
	pthread_mutex_lock(&gate.mu);
	gate.closed = closed;
	pthread_cond_broadcast(&gate.cv);
	pthread_mutex_unlock(&gate.mu);
}

static char *gated_cmd(void *ctx, const char *json, int timeout_s,
		       enum agent_rc *rc, char *err, size_t errlen)
{
	(void)ctx;
	pthread_mutex_lock(&gate.mu);
	gate.held++;
	while (gate.closed)
		pthread_cond_wait(&gate.cv, &gate.mu);
	gate.held--;
	pthread_mutex_unlock(&gate.mu);
	return locked_fake_cmd(json, timeout_s, rc, err, errlen);
}

static struct agent_transport gated_transport(void *dom, int timeout_s)
{
	(void)dom;
	return (struct agent_transport){
	    .cmd = gated_cmd, .ctx = NULL, .timeout_s = timeout_s};
}

/* A domain destroyed and started again (a new domain ID) has a new guest:
   the old one's values, however recent, are stale from the worker's
   first listing of the new ID until a poll of the new guest succeeds.
   The polls are held at the gate meanwhile, as a slow new agent would
   hold them.  test:///default is one driver shared by the connections of
   the process: the restart on ours is the worker's. */
static void test_cache_restart(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 50,
					.backoff_ms = 60000,
					.stale_ms = 600000,
					.transport = gated_transport};
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r;
	struct agent_cache *c = start_polled(&conf, "a gated agent", &r);
	virConnectPtr conn = NULL;
	virDomainPtr dom = NULL;
	uint64_t rounds, polls;

	if (c == NULL)
		return;
	agent_uuid_parse(test_uuid, uuid);
	T_OK(r.state == AGENT_STATE_OK && !r.stale, "values fresh at first");
	gate_set(true);
	conn = virConnectOpen("test:///default");
	dom = conn ? virDomainLookupByName(conn, "test") : NULL;
	T_OK(dom != NULL && virDomainDestroy(dom) == 0 &&
		 virDomainCreate(dom) == 0,
	     "the domain destroyed and started again");
	pthread_mutex_lock(&fake_mu);
	fake_restart(&cache_fake);
	pthread_mutex_unlock(&fake_mu);
	/* A round that ends after the next has started listed the new ID. */
	rounds = agent_cache_rounds(c);
	for (int k = 0; k < 1000 && agent_cache_rounds(c) < rounds + 2; k++)
		usleep(20000);
	agent_cache_get(c, uuid, &r);
	T_OK(r.has_stats && r.stale,
	     "the old guest's values are stale once the new ID is listed");
	polls = r.polls;
	gate_set(false);
	for (int k = 0; k < 1000 && (r.polls < polls + 2 || r.stale); k++) {
		usleep(20000);
		agent_cache_get(c, uuid, &r);
	}
	T_OK(r.state == AGENT_STATE_OK && !r.stale,
	     "fresh again after a poll of the new guest");
	agent_cache_stop(c);
	if (dom != NULL)
		virDomainFree(dom);
	if (conn != NULL)
		virConnectClose(conn);
}

/* A domain the read plugin's globs leave out is never probed. */
static void test_cache_filter(void)
{
	static char *const exclude[] = {"te*"};
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 50,
					.backoff_ms = 60000,
					.exclude = exclude,
					.n_exclude = 1};
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r;
	char err[200];
	struct agent_cache *c = agent_cache_start(&conf, err, sizeof(err));

	T_OK(c != NULL, "cache with ExcludeDomain started (%s)", c ? "" : err);
	if (c == NULL)
		return;
	agent_uuid_parse(test_uuid, uuid);
	for (int k = 0; k < 200 && agent_cache_rounds(c) < 3; k++)
		usleep(20000);
	T_OK(agent_cache_rounds(c) >= 3, "the worker made its rounds");
	T_OK(agent_cache_get(c, uuid, &r) == -1 && r.polls == 0,
	     "an excluded domain has no entry and was never probed");
	agent_cache_stop(c);
}

/* Four transient domains whose agents wait at the gate (names t1..t4)
   beside test:///default's "test", whose agent answers at once; every
   transport handed out for "test" is recorded with the domain ID its job
   carries. */
static struct {
	pthread_mutex_t mu;
	unsigned int ids[64];
	int n;
} test_jobs = {PTHREAD_MUTEX_INITIALIZER, {0}, 0};

static struct agent_transport four_gated_transport(void *dom, int timeout_s)
{
	const char *name = virDomainGetName(dom);

	if (name != NULL && strcmp(name, "test") == 0) {
		pthread_mutex_lock(&test_jobs.mu);
		if (test_jobs.n < 64)
			test_jobs.ids[test_jobs.n++] = virDomainGetID(dom);
		pthread_mutex_unlock(&test_jobs.mu);
		return cache_transport(dom, timeout_s);
	}
	return gated_transport(dom, timeout_s);
}

/* A poll queued before its domain was destroyed and started again is
   not made: libvirt finds the agent by UUID, so its kept handles would
   reach the new guest's agent (which may have given their numbers to
   files of its own).  "test" is polled first on its own; then four
   domains whose agents wait at the gate take every poller, "test" waits
   in the queue, is restarted, listed under its new ID, and only then are
   the pollers let go.  (Started together, the five are listed in the
   order of libvirt's hash table: "test" last, it was never polled.) */
static void test_cache_queued_restart(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 50,
					.backoff_ms = 60000,
					.transport = four_gated_transport};
	virConnectPtr conn = virConnectOpen("test:///default");
	virDomainPtr extra[4] = {NULL}, dom = NULL;
	unsigned char uuid[AGENT_UUID_LEN];
	unsigned int old_id = 0, new_id = 0;
	struct agent_result r = {0};
	struct agent_cache *c = NULL;
	char err[200];
	int stale_jobs = 0, before;
	uint64_t rounds;

	dom = conn ? virDomainLookupByName(conn, "test") : NULL;
	T_OK(dom != NULL, "test:///default's domain");
	if (dom == NULL)
		goto out;
	old_id = virDomainGetID(dom);
	cache_fake = three_files("oom_kill 3\npgmajfault 1\n");
	test_jobs.n = 0;
	gate_set(true);
	c = agent_cache_start(&conf, err, sizeof(err));
	T_OK(c != NULL, "cache with four gated agents started (%s)",
	     c ? "" : err);
	if (c == NULL)
		goto out;
	agent_uuid_parse(test_uuid, uuid);
	for (int k = 0; k < 1000 && r.polls < 1; k++) {
		usleep(20000);
		agent_cache_get(c, uuid, &r);
	}
	for (int i = 0; conn != NULL && i < 4; i++) {
		char xml[300];

		snprintf(xml, sizeof(xml),
			 "<domain type='test'><name>t%d</name>"
			 "<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
			 "<os><type>hvm</type></os></domain>",
			 i + 1);
		extra[i] = virDomainCreateXML(conn, xml, 0);
	}
	T_OK(r.polls >= 1 && extra[3] != NULL,
	     "test polled (%llu), then four more domains running",
	     (unsigned long long)r.polls);
	if (extra[3] == NULL)
		goto out;
	/* Until the four gated agents hold every poller and "test" has been
	   queued behind them: its entry then says a poll is due now. */
	for (int k = 0; k < 1000; k++) {
		agent_cache_get(c, uuid, &r);
		if (gate_held() == 4 && r.next_poll_ms == 0)
			break;
		usleep(20000);
	}
	T_OK(gate_held() == 4, "the four gated agents hold the pollers");
	rounds = agent_cache_rounds(c);
	for (int k = 0; k < 1000 && agent_cache_rounds(c) < rounds + 2; k++)
		usleep(20000);
	T_OK(virDomainDestroy(dom) == 0 && virDomainCreate(dom) == 0,
	     "test destroyed and started again while its poll is queued");
	new_id = virDomainGetID(dom);
	pthread_mutex_lock(&test_jobs.mu);
	before = test_jobs.n;
	pthread_mutex_unlock(&test_jobs.mu);
	/* The worker lists the new ID, then the pollers are let go. */
	rounds = agent_cache_rounds(c);
	for (int k = 0; k < 1000 && agent_cache_rounds(c) < rounds + 2; k++)
		usleep(20000);
	gate_set(false);
	for (int k = 0; k < 1000; k++) {
		agent_cache_get(c, uuid, &r);
		if (r.state == AGENT_STATE_OK && !r.stale)
			break;
		usleep(20000);
	}
	agent_cache_stop(c);
	pthread_mutex_lock(&test_jobs.mu);
	for (int i = before; i < test_jobs.n; i++)
		stale_jobs += test_jobs.ids[i] == old_id;
	pthread_mutex_unlock(&test_jobs.mu);
	T_OK(old_id != new_id && before >= 1,
	     "a new domain ID (%u -> %u) after %d poll(s)", old_id, new_id,
	     before);
	T_EQ_INT(stale_jobs, 0, "the poll queued under the old ID not made");
	T_OK(r.state == AGENT_STATE_OK && !r.stale,
	     "the new guest polled and fresh");
out:
	gate_set(false);
	for (int i = 0; i < 4; i++)
		if (extra[i] != NULL) {
			virDomainDestroy(extra[i]);
			virDomainFree(extra[i]);
		}
	if (dom != NULL)
		virDomainFree(dom);
	if (conn != NULL)
		virConnectClose(conn);
}

int main(void)
{
	test_uuid_parse();
	test_cache();
	test_cache_keep();
	test_cache_filter();
	test_cache_rounds();
	test_cache_rest();
	test_cache_slow_alone();
	test_cache_restart();
	test_cache_queued_restart();
	return t_done();
}
