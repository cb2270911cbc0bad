/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_cpu.c: a guest's CPU QoS inputs from libvirt (see guest_cpu.h).
 */
#include "guest_cpu.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "domxml.h"

int64_t guest_cpu_quota_norm(long long quota)
{
	return quota < 0 || quota >= GUEST_CPU_QUOTA_MAX ? -1 : (int64_t)quota;
}

int guest_cpu_limit_parse(const char *xml, uint64_t *pct)
{
	struct domxml *d = domxml_parse(xml, strlen(xml), NULL, 0);
	int rc;

	if (d == NULL)
		return -EINVAL;
	rc = domxml_uint(d, "/qos/vcpuLimit", 1, 100, pct);
	domxml_free(d);
	return rc;
}

static void read_sched(virDomainPtr dom, struct guest_cpu *out)
{
	/* More than QEMU's nine parameters: it fills at most n. */
	virTypedParameter params[16];
	int n = 16;

	/* The flag-less call: for the running domains read here it gives
	   the live state, and drivers that refuse the flags the newer call
	   adds (libvirt's test driver) answer too. */
	if (virDomainGetSchedulerParameters(dom, params, &n) < 0)
		return;
	for (int i = 0; i < n; i++) {
		const virTypedParameter *p = &params[i];

		if (strcmp(p->field, VIR_DOMAIN_SCHEDULER_VCPU_QUOTA) == 0 &&
		    p->type == VIR_TYPED_PARAM_LLONG) {
			out->have_quota = true;
			out->quota = guest_cpu_quota_norm(p->value.l);
		} else if (strcmp(p->field, VIR_DOMAIN_SCHEDULER_VCPU_PERIOD) ==
			       0 &&
			   p->type == VIR_TYPED_PARAM_ULLONG) {
			out->have_period = true;
			out->period = p->value.ul;
		}
	}
}

void guest_cpu_read(virDomainPtr dom, const char *meta, struct guest_cpu *out)
{
	int n = virDomainGetVcpusFlags(dom, VIR_DOMAIN_AFFECT_LIVE);
	int rc;

	*out = (struct guest_cpu){0};
	if (n > 0) {
		out->have_count = true;
		out->count = (uint64_t)n;
	}
	read_sched(dom, out);
	/* No metadata: vdsm's default applies. */
	rc = meta ? guest_cpu_limit_parse(meta, &out->limit_pct) : -ENOENT;
	if (rc == -ENOENT) {
		out->have_limit = true;
		out->limit_pct = 100;
	} else if (rc == 0) {
		out->have_limit = true;
	} else {
		out->limit_malformed = true;
	}
}
