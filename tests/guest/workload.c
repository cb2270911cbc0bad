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
 *   workload service BASE AT PEAK RATE  hold BASE MiB and touch all of it at
 *                                       RATE MiB/s; AT s after start grow to
 *                                       PEAK MiB at once (one memset); ops =
 *                                       MiB touched
 *   workload batch MIB PERIOD HOLD      every PERIOD s allocate and touch MIB
 *                                       MiB, hold it HOLD s, free it; ops =
 *                                       MiB allocated and touched
 *
 * Every second it prints one progress line on stdout:
 *   WL <mode> el=<ms since start> up=<guest uptime, s> ops=<cumulative>
 *      held=<MiB held>
 * (up is CLOCK_MONOTONIC, the clock of the kernel's console timestamps, so
 * the host can place OOM-kill lines on its own time line.)
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

/* Anonymous memory that is touched at once: map + memset, no malloc arena. */
static char *grab(unsigned long mib)
{
	char *p;

	if (!mib)
		return NULL;
	p = mmap(NULL, mib * MIB, PROT_READ | PROT_WRITE,
		 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		fprintf(stderr, "workload: mmap %lu MiB failed\n", mib);
		return NULL;
	}
	memset(p, 0x3c, mib * MIB);
	return p;
}

struct meter {
	const char *mode;
	double t0, next_report;
	unsigned long ops, held;
};

static void report(struct meter *m, double t)
{
	if (t < m->next_report)
		return;
	printf("WL %s el=%.0f up=%.3f ops=%lu held=%lu\n", m->mode, t - m->t0,
	       t / 1e3, m->ops, m->held);
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

static int run_service(struct meter *m, unsigned long base, unsigned long at,
		       unsigned long peak, unsigned long rate)
{
	char *p = grab(base), *q = NULL;
	unsigned long off = 0, per_tick = rate / (1000 / TICK_MS);
	int ramped = 0;
	double t;

	m->held = base;
	if (!per_tick)
		per_tick = 1;
	for (t = now_ms();; t = tick(t)) {
		if (!ramped && t - m->t0 >= at * 1000.0) {
			/* The ramp: the whole increase in one go, as a service
			 * taking load would. */
			ramped = 1;
			if (peak > base && (q = grab(peak - base)))
				m->held = peak;
			printf("WL %s ramp el=%.0f held=%lu\n", m->mode,
			       now_ms() - m->t0, m->held);
		}
		for (unsigned long i = 0; i < per_tick; i++) {
			char *where =
			    off < base ? p + off * MIB : q + (off - base) * MIB;

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
			if ((p = grab(mib))) {
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
	if (argc == 6 && !strcmp(m.mode, "service"))
		return run_service(
		    &m, arg_ul(argv[2], "base"), arg_ul(argv[3], "time"),
		    arg_ul(argv[4], "peak"), arg_ul(argv[5], "rate"));
	if (argc == 5 && !strcmp(m.mode, "batch"))
		return run_batch(&m, arg_ul(argv[2], "size"),
				 arg_ul(argv[3], "period"),
				 arg_ul(argv[4], "hold"));
	fprintf(stderr,
		"usage: workload cache MIB RATE | service BASE AT PEAK RATE | "
		"batch MIB PERIOD HOLD\n");
	return 1;
}
