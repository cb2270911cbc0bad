/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libvirt_rpc_bench.c: the client CPU of one libvirt RPC, with or without
 * an event loop registered in the process.  Measures and prints; asserts
 * nothing about time.
 *
 *   libvirt_rpc_bench [--events] [--uri URI] [CALLS]
 *
 * Opens URI (default qemu:///system) and makes CALLS (default 3000)
 * virConnectNumOfDomains calls, about the cheapest call the daemon
 * answers, after 200 warm-up calls; prints the process's CPU (user +
 * system, all threads) and the wall time per call.  With --events it first
 * registers libvirt's default event loop and runs it in a thread, as a
 * client must to receive domain events (METADATA_CHANGE, TUNABLE).  An
 * event loop, once registered, cannot be unregistered, hence one process
 * per mode; libvirt_rpc.sh alternates them and prints medians.
 *
 * Why it is here: receiving the QoS change events would spare the read
 * plugin two or three calls per guest per read (README "Benchmarks"), but
 * only if the event loop does not make every other call dearer.
 */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static void *run_loop(void *arg)
{
	(void)arg;
	for (;;)
		if (virEventRunDefaultImpl() < 0)
			return NULL;
}

static double cpu_s(void)
{
	struct rusage r;

	getrusage(RUSAGE_SELF, &r);
	return (double)(r.ru_utime.tv_sec + r.ru_stime.tv_sec) +
	       (double)(r.ru_utime.tv_usec + r.ru_stime.tv_usec) / 1e6;
}

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	const char *uri = "qemu:///system";
	bool events = false;
	long calls = 3000;
	char *end;
	virConnectPtr conn;
	pthread_t loop;
	double c0, w0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--events") == 0)
			events = true;
		else if (strcmp(argv[i], "--uri") == 0 && i + 1 < argc)
			uri = argv[++i];
		else if ((calls = strtol(argv[i], &end, 10)) <= 0 ||
			 *end != '\0') {
			fprintf(stderr,
				"usage: %s [--events] [--uri URI] "
				"[CALLS]\n",
				argv[0]);
			return 2;
		}
	}
	if (events && (virEventRegisterDefaultImpl() < 0 ||
		       pthread_create(&loop, NULL, run_loop, NULL) != 0)) {
		fprintf(stderr, "cannot start libvirt's event loop\n");
		return 1;
	}
	conn = virConnectOpenReadOnly(uri);
	if (conn == NULL) {
		virErrorPtr e = virGetLastError();
		fprintf(stderr, "cannot open %s: %s\n", uri,
			e && e->message ? e->message : "?");
		return 1;
	}
	for (int i = 0; i < 200; i++)
		virConnectNumOfDomains(conn);
	c0 = cpu_s();
	w0 = wall_s();
	for (long i = 0; i < calls; i++)
		if (virConnectNumOfDomains(conn) < 0) {
			fprintf(stderr, "call %ld failed\n", i);
			return 1;
		}
	printf("%s %.1f %.1f\n", events ? "events" : "plain",
	       (cpu_s() - c0) / (double)calls * 1e6,
	       (wall_s() - w0) / (double)calls * 1e6);
	virConnectClose(conn);
	return 0;
}
