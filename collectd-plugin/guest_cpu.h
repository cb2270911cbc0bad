/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_cpu.h: a guest's CPU QoS inputs for vdsm's 04-cputune: the live
 * vCPU count, the live scheduler parameters vcpu_quota and vcpu_period, and
 * vdsm's CPU limit (metadata GUEST_TUNE_NS, element qos/vcpuLimit, percent).
 *
 * The quota is reported as libvirt means it, with one normalisation: every
 * "unlimited" reads -1.  On cgroup v2 libvirt reports no quota as its
 * maximum, 17592186044415 (GUEST_CPU_QUOTA_MAX; 18446744073709551 before
 * libvirt 7.0), instead of -1, and a policy comparing with -1 would rewrite
 * it every cycle (MOM did).
 */
#ifndef MOM_GUEST_CPU_H
#define MOM_GUEST_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

/* vdsm's tune metadata namespace (lib/vdsm/virt/vmtune.py). */
#define GUEST_TUNE_NS "http://ovirt.org/vm/tune/1.0"

/* libvirt's largest quota, which it reports for cgroup v2's "no quota":
   2^44 - 1 us, the kernel's limit, since libvirt 7.0
   (VIR_CGROUP_CPU_QUOTA_MAX); earlier ones had 18446744073709551, which
   is above it and so also reads -1. */
#define GUEST_CPU_QUOTA_MAX 17592186044415LL

/* The CPU inputs read for one domain; absent ones have have_* false. */
struct guest_cpu {
	bool have_count, have_quota, have_period, have_limit;
	uint64_t count;
	int64_t quota; /* -1 unlimited */
	uint64_t period;
	uint64_t limit_pct;
	bool limit_malformed; /* metadata had a vcpuLimit we refuse */
	bool limit_unread;    /* libvirt did not answer for the metadata */
};

/* The quota as reported: -1 for any "unlimited" (negative, or at least
   GUEST_CPU_QUOTA_MAX).  Pure. */
int64_t guest_cpu_quota_norm(long long quota);

/* Parses the text virDomainGetMetadata returns for GUEST_TUNE_NS
   (<qos><vcpuLimit>50</vcpuLimit>...</qos>).  Returns 0 with *pct,
   -ENOENT when there is no vcpuLimit (vdsm's default 100 applies),
   -EINVAL when the text is not XML or the value is not a whole number in
   [1, 100].  Pure. */
int guest_cpu_limit_parse(const char *xml, uint64_t *pct);

/* Reads dom's inputs into *out (two calls: vCPUs, scheduler parameters)
   and the limit from meta, the text of dom's GUEST_TUNE_NS metadata the
   caller read (NULL: none; guest_io.h's guest_tune_read() reads it once
   for the CPU and the I/O inputs).  A call that fails leaves its fields
   absent. */
void guest_cpu_read(virDomainPtr dom, const char *meta, struct guest_cpu *out);

#endif /* MOM_GUEST_CPU_H */
