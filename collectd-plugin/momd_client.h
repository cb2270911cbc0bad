/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momd_client.h: fetch the actuator's last decisions (GET /v1/plan on
 * momd's unix socket) so that the read plugin can dispatch them beside the
 * values they act on: the balloon target momd applied to each guest, the
 * KSM settings, the guests' CPU limits and the disks' I/O limits of the
 * last plan.
 *
 * No collectd headers, no logging: errors go into a caller-owned buffer.
 * The request is blocking, bounded by a timeout.  Not thread-safe per
 * struct momd_plan; different structs may be used in parallel.
 */
#ifndef MOM_MOMD_CLIENT_H
#define MOM_MOMD_CLIENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct momd_target {
	char *name;	     /* the domain name, owned */
	uint64_t target_kib; /* the balloon target momd applied */
};

enum momd_ksm_control {
	MOMD_KSM_RUN,		/* 0, 1 or 2 */
	MOMD_KSM_PAGES_TO_SCAN, /* pages */
	MOMD_KSM_SLEEP_MS,	/* milliseconds */
	MOMD_KSM_NR,
};

/* Per-guest QoS controls of the plan (the CPU limits of 04-cputune). */
enum momd_guest_control {
	MOMD_VCPU_QUOTA,  /* us per period, -1 unlimited */
	MOMD_VCPU_PERIOD, /* us */
	MOMD_GUEST_NR,
};

struct momd_guest_ctl {
	char *name; /* the domain name, owned */
	bool present[MOMD_GUEST_NR];
	double value[MOMD_GUEST_NR];
};

/* A disk's I/O limits in the plan (05-iotune): "plan": {"guests": {g:
   {"disks": {dev: {"total_bytes_sec": ...}}}}}, in the order of
   momd's disk controls (total, read, write bytes; total, read, write
   operations per second). */
#define MOMD_DISK_NR 6
extern const char *const momd_disk_keys[MOMD_DISK_NR];
struct momd_disk_ctl {
	char *guest; /* the domain name, owned */
	char dev[32];
	bool present[MOMD_DISK_NR];
	double value[MOMD_DISK_NR];
};

struct momd_plan {
	struct momd_target *guests; /* owned, nguests entries */
	size_t nguests;
	struct momd_guest_ctl *ctls; /* owned, nctls entries: guests whose
					plan sets a QoS control */
	size_t nctls;
	struct momd_disk_ctl *disks; /* owned, ndisks entries */
	size_t ndisks;
	bool ksm_present[MOMD_KSM_NR]; /* false: the plan did not set it */
	double ksm[MOMD_KSM_NR];
};

/*
 * Ask momd at the unix socket `path` for its plan (GET /v1/plan)
 * and fill *out (release it with momd_plan_release, also after a failure).
 * timeout_ms bounds the whole exchange.  A daemon that has not yet
 * evaluated gives an empty plan.  Returns 0, or a negative errno with a
 * message in err: -ECONNREFUSED/-ENOENT (momd is not running),
 * -ETIMEDOUT, -EFBIG (a reply over 8 MiB), -EPROTO (not HTTP 200, or not
 * the expected JSON).
 */
int momd_plan_fetch(const char *path, int timeout_ms, struct momd_plan *out,
		    char *err, size_t len);

/*
 * The same through a client kept between fetches: its libcurl handle is
 * set up once and, with keep_alive, its connection is reused by the next
 * fetch (no connect, accept and close on either side each time).  A
 * caller that fetches less often than momd keeps an idle connection (it
 * cuts one after 10 s) passes keep_alive false: each fetch then connects
 * afresh and closes.  One thread at a time per client.  NULL when out of
 * memory or libcurl cannot be initialised.
 */
struct momd_client;
struct momd_client *momd_client_new(const char *path, bool keep_alive);
int momd_client_fetch(struct momd_client *c, int timeout_ms,
		      struct momd_plan *out, char *err, size_t len);
void momd_client_free(struct momd_client *c); /* accepts NULL */

void momd_plan_release(struct momd_plan *p);

#endif /* MOM_MOMD_CLIENT_H */
