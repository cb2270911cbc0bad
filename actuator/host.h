/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.h: the only ways the actuator changes the host.
 *
 * Small interfaces, each with interchangeable backends:
 *   - balloons: libvirt (virDomainSetMemoryFlags, live, KiB);
 *   - KSM knobs: sysfs (files of one directory, never anything outside it)
 *     or libvirt's node memory parameters (all knobs but run);
 *   - vCPU bandwidth: libvirt (virDomainSetSchedulerParametersFlags, live).
 * Dry run is not a backend: the controllers skip the set calls (and still
 * read the real state), so it can be switched at run time.
 *
 * Every function returns 0 or a negative errno, with a one-line message in
 * msg on failure; -ENOENT from balloon_set means the guest is gone, -EPERM
 * that it may not be ballooned now (not running, in a migration, save,
 * restore, snapshot or dump, no balloon device, ballooning disabled by
 * vdsm: msg says which).  The
 * engine calls them from its cycle thread only; they need no locking.
 */
#ifndef MOM_HOST_H
#define MOM_HOST_H

#include <stddef.h>
#include <stdint.h>

enum ksm_knob {
	KSM_RUN,
	KSM_PAGES_TO_SCAN,
	KSM_SLEEP_MILLISECS,
	KSM_MERGE_ACROSS_NODES,
	KSM_PAGES_SHARED, /* read-only: guards the merge_across_nodes write */
	KSM_KNOB_COUNT
};

extern const char *const ksm_knob_names[KSM_KNOB_COUNT];

struct balloon_backend {
	const char *name;
	void *ctx;
	/* uuid: the guest's UUID, "" when unknown; the domain is looked up
	   by it when given (its name may have been cut or mangled). */
	int (*set)(void *ctx, const char *guest, const char *uuid, uint64_t kib,
		   char *msg, size_t len);
	void (*free)(void *ctx);
};

struct ksm_backend {
	const char *name;
	void *ctx;
	int (*get)(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
		   size_t len);
	int (*set)(void *ctx, enum ksm_knob k, int64_t value, char *msg,
		   size_t len);
	void (*free)(void *ctx);
};

/* CPU bandwidth of a guest's vCPUs (CpuTune): vcpu_quota in us per period,
   -1 unlimited, and vcpu_period in us, set together and live.  -EINVAL:
   libvirt refused the values; -EPERM: the guest may not be changed now
   (not running, or in a job that would hold the call: msg says which). */
struct sched_backend {
	const char *name;
	void *ctx;
	int (*set)(void *ctx, const char *guest, const char *uuid,
		   int64_t quota, uint64_t period, char *msg, size_t len);
	void (*free)(void *ctx);
};

/* I/O limits of one disk of a guest (IoTune): the six limits per second
   in the order of enum disk_control (plan.h), 0 unlimited, set together
   and live.  -EINVAL: libvirt refused the values; -ENOENT: no such guest
   or disk; -EPERM: the guest may not be changed now (as for sched). */
#define IOTUNE_LIMITS 6
struct iotune_backend {
	const char *name;
	void *ctx;
	int (*set)(void *ctx, const char *guest, const char *uuid,
		   const char *dev, const uint64_t limits[IOTUNE_LIMITS],
		   char *msg, size_t len);
	void (*free)(void *ctx);
};

/*
 * Backends.  Each returns 0 or -errno with msg filled.  The KSM backends
 * accept a KSM directory that does not exist (a kernel without KSM): every
 * access then fails with -ENOENT, so only KSM is lost, not the daemon.
 */
int host_libvirt_balloon(const char *uri, struct balloon_backend *out,
			 char *msg, size_t len);
int host_libvirt_ksm(const char *uri, const char *ksm_dir,
		     struct ksm_backend *out, char *msg, size_t len);
int host_libvirt_sched(const char *uri, struct sched_backend *out, char *msg,
		       size_t len);
int host_libvirt_iotune(const char *uri, struct iotune_backend *out, char *msg,
			size_t len);

/* What a domain is doing in a libvirt job of this operation (enum
   virDomainJobOperation, as virDomainGetJobStats reports it) when libvirt
   would hold a change to it until the job ends (up to 30 s, then fail):
   "migrating", "being dumped"...; NULL when changes go through.  The
   libvirt backends refuse a change then (-EPERM).  Pure. */
const char *host_libvirt_job_blocks(int operation);
int host_sysfs_ksm(const char *ksm_dir, struct ksm_backend *out, char *msg,
		   size_t len);

void balloon_backend_release(struct balloon_backend *b);
void ksm_backend_release(struct ksm_backend *k);
void sched_backend_release(struct sched_backend *s);
void iotune_backend_release(struct iotune_backend *b);

#endif /* MOM_HOST_H */
