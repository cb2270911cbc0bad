/* SPDX-License-Identifier: Apache-2.0 */
/*
 * workload: the scripted workloads of the scenario benchmark
 * (tests/bench/scenario.sh), run inside the tiny test guest.  init.sh starts
 * it for the control command "wl MODE ARGS..." with stdout on the guest's
 * console, which the host reads back from the console log file.
 *
 *   workload cache MIB RATE             write a MIB MiB file in /dev/shm, then
 *                                       read it over and over, at most RATE
 *                                       MiB/s; ops = MiB read
 *   workload service BASE AT PEAK RATE [GROW]
 *                                       hold BASE MiB and touch all of it at
 *                                       RATE MiB/s; AT s after start grow to
 *                                       PEAK MiB at GROW MiB/s (default RATE;
 *                                       0 = as fast as the guest can touch)
 *                                       in 16 MiB mmaps, each touched as it
 *                                       is mapped; ops = MiB touched
 *   workload batch MIB PERIOD HOLD      every PERIOD s allocate and touch MIB
 *                                       MiB, hold it HOLD s, free it; ops =
 *                                       MiB allocated and touched
 *
 * Every second it prints one progress line on stdout:
 *   WL <mode> el=<ms since start> up=<guest uptime, s> ops=<cumulative>
 *      held=<MiB held> refused=<allocations refused so far>
 * (up is CLOCK_MONOTONIC, the clock of the kernel's console timestamps, so
 * the host can place OOM-kill lines on its own time line.)  The service
 * also prints "WL service ramp-start el=.. up=.. held=.." just before its
 * first chunk is mapped (the onset: memory in use starts rising there) and
 * "WL service ramp-done el=.. up=.. held=.. refused=.." when it holds PEAK.
 *
 * Why the ramp is chunked: a service's heap grows by many mappings, each
 * used as soon as it is mapped, so the growth is memory in use that a
 * balloon policy can see and answer.  A single PEAK - BASE mmap instead
 * asks the guest kernel's overcommit heuristic for all of it at once, and
 * a guest the balloon has shrunk below that refuses it outright: the ramp
 * never happened and nothing showed it (issue 19's first adaptive run).
 * A refused mmap (ENOMEM) is counted in refused= and reported on stderr
 * (the console); the service retries it on the next tick, a batch burst is
 * skipped.  The host counts refusals as harm, beside OOM kills.
 * Work is paced in 100 ms ticks toward a fixed rate, so an unharmed guest
 * reaches the same ops whatever the host's load, and a guest slowed by
 * reclaim, faults or an OOM kill falls behind: the host divides each arm's
 * ops by the unmanaged arm's.  Exits 1 on bad arguments; runs until killed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define MIB	(1024UL * 1024UL)
#define TICK_MS 100
/* The service's ramp grows by mappings of this size (a heap's arena step,
   small next to any guest, so the overcommit heuristic never refuses one
   that memory in use could not also hold). */
#define RAMP_CHUNK_MIB 16UL

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static unsigned long arg_ul(const char *s, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || *end || end == s) {
		fprintf(stderr, "workload: bad %s '%s'\n", what, s);
		exit(1);
	}
	return v;
}

struct meter {
	const char *mode;
	double t0, next_report;
	unsigned long ops, held, refused;
};

/* Anonymous memory that is touched at once: map + memset, no malloc arena.
   A refusal is counted: it is harm the host must see. */
static char *grab(struct meter *m, unsigned long mib)
{
	char *p;

	if (!mib)
		return NULL;
	p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		m->refused++;
		fprintf(stderr, "workload: mmap %lu MiB failed: %s\n", mib,
			strerror(errno));
		return NULL;
	}
	memset(p, 0x3c, mib * MIB);
	return p;
}

static void report(struct meter *m, double t)
{
	if (t < m->next_report)
		return;
	printf("WL %s el=%.0f up=%.3f ops=%lu held=%lu refused=%lu\n", m->mode,
	       t - m->t0, t / 1e3, m->ops, m->held, m->refused);
	fflush(stdout);
	m->next_report += 1000;
}

/* Sleep to the next tick boundary after t (no catching up: a late tick is
 * lost work, which is the point of pacing). */
static double tick(double t)
{
	double next = (double)((long)(t / TICK_MS) + 1) * TICK_MS;
	double d = next - now_ms();

	if (d > 0)
		usleep((useconds_t)(d * 1000));
	return now_ms();
}

static int run_cache(struct meter *m, unsigned long mib, unsigned long rate)
{
	char buf[64 * 1024];
	unsigned long per_tick = rate * MIB / (1000 / TICK_MS), done;
	int fd = open("/dev/shm/wl.cache", O_RDWR | O_CREAT | O_TRUNC, 0600);
	double t;

	if (fd < 0) {
		perror("workload: /dev/shm/wl.cache");
		return 1;
	}
	memset(buf, 0x6b, sizeof(buf));
	for (unsigned long i = 0; i < mib * MIB / sizeof(buf); i++)
		if (write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf)) {
			perror("workload: write");
			return 1;
		}
	m->held = mib;
	for (t = now_ms();; t = tick(t)) {
		for (done = 0; done < per_tick;) {
			ssize_t n = read(fd, buf, sizeof(buf));

			if (n <= 0) {
				lseek(fd, 0, SEEK_SET);
				continue;
			}
			done += (unsigned long)n;
		}
		m->ops += done / MIB;
		report(m, now_ms());
	}
}

/* The service's memory: BASE MiB in one mapping, then the ramp's chunks. */
struct heap {
	char *base_p;
	unsigned long base;
	char *chunk[64];
	unsigned long nchunks;
};

/* Address of MiB number off of the heap (off < base + mapped chunks). */
static char *heap_at(const struct heap *h, unsigned long off)
{
	if (off < h->base)
		return h->base_p ? h->base_p + off * MIB : NULL;
	off -= h->base;
	return h->chunk[off / RAMP_CHUNK_MIB] + (off % RAMP_CHUNK_MIB) * MIB;
}

/* One tick of the ramp: map (and touch) chunks until the heap holds what
   GROW MiB/s since the ramp's start calls for, at most PEAK.  A refused
   chunk ends the tick; it is asked for again on the next one. */
static void ramp_tick(struct meter *m, struct heap *h, double since_ms,
		      unsigned long peak, unsigned long grow)
{
	unsigned long want = peak;

	if (grow && since_ms * grow / 1000.0 < (double)(peak - h->base))
		want = h->base + (unsigned long)(since_ms * grow / 1000.0) + 1;
	if (want > peak)
		want = peak;
	while (m->held < want &&
	       h->nchunks < sizeof(h->chunk) / sizeof(*h->chunk)) {
		unsigned long n = peak - m->held < RAMP_CHUNK_MIB
				      ? peak - m->held
				      : RAMP_CHUNK_MIB;
		char *c = grab(m, n);

		if (!c)
			return;
		h->chunk[h->nchunks++] = c;
		m->held += n;
	}
}

static int run_service(struct meter *m, unsigned long base, unsigned long at,
		       unsigned long peak, unsigned long rate,
		       unsigned long grow)
{
	struct heap h = {.base_p = grab(m, base), .base = base};
	unsigned long off = 0, per_tick = rate / (1000 / TICK_MS);
	double t, ramp_t0 = -1;

	m->held = base;
	if (!per_tick)
		per_tick = 1;
	if (peak >
	    base + RAMP_CHUNK_MIB * (sizeof(h.chunk) / sizeof(*h.chunk))) {
		fprintf(stderr, "workload: PEAK - BASE above %lu MiB\n",
			RAMP_CHUNK_MIB * (sizeof(h.chunk) / sizeof(*h.chunk)));
		return 1;
	}
	for (t = now_ms();; t = tick(t)) {
		if (ramp_t0 < 0 && peak > base && t - m->t0 >= at * 1000.0) {
			ramp_t0 = now_ms();
			printf("WL %s ramp-start el=%.0f up=%.3f held=%lu\n",
			       m->mode, ramp_t0 - m->t0, ramp_t0 / 1e3,
			       m->held);
		}
		if (ramp_t0 >= 0 && m->held < peak) {
			ramp_tick(m, &h, now_ms() - ramp_t0, peak, grow);
			if (m->held >= peak)
				printf(
				    "WL %s ramp-done el=%.0f up=%.3f held=%lu "
				    "refused=%lu\n",
				    m->mode, now_ms() - m->t0, now_ms() / 1e3,
				    m->held, m->refused);
		}
		for (unsigned long i = 0; m->held && i < per_tick; i++) {
			char *where = heap_at(&h, off);

			if (where)
				memset(where, (int)(m->ops & 0xff), MIB);
			off = (off + 1) % m->held;
			m->ops++;
		}
		report(m, now_ms());
	}
	return 0;
}

static int run_batch(struct meter *m, unsigned long mib, unsigned long period,
		     unsigned long hold)
{
	unsigned long burst = 0;
	char *p = NULL;
	double t, held_since = 0;

	for (t = now_ms();; t = tick(t)) {
		if (p && t - held_since >= hold * 1000.0) {
			munmap(p, mib * MIB);
			p = NULL;
			m->held = 0;
		}
		if (!p && t - m->t0 >= burst * period * 1000.0) {
			burst++;
			if ((p = grab(m, mib))) {
				held_since = now_ms();
				m->held = mib;
				m->ops += mib;
			}
		}
		report(m, now_ms());
	}
	return 0;
}

int main(int argc, char **argv)
{
	struct meter m = {0};

	m.t0 = now_ms();
	m.next_report = m.t0 + 1000;
	m.mode = argc > 1 ? argv[1] : "";
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc == 4 && !strcmp(m.mode, "cache"))
		return run_cache(&m, arg_ul(argv[2], "size"),
				 arg_ul(argv[3], "rate"));
	if ((argc == 6 || argc == 7) && !strcmp(m.mode, "service")) {
		unsigned long rate = arg_ul(argv[5], "rate");

		return run_service(&m, arg_ul(argv[2], "base"),
				   arg_ul(argv[3], "time"),
				   arg_ul(argv[4], "peak"), rate,
				   argc == 7 ? arg_ul(argv[6], "grow") : rate);
	}
	if (argc == 5 && !strcmp(m.mode, "batch"))
		return run_batch(&m, arg_ul(argv[2], "size"),
				 arg_ul(argv[3], "period"),
				 arg_ul(argv[4], "hold"));
	fprintf(stderr, "usage: workload cache MIB RATE | service BASE AT PEAK "
			"RATE [GROW] | "
			"batch MIB PERIOD HOLD\n");
	return 1;
}
