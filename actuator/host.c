/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host.c: what the host backends (host_libvirt.c, host_sysfs.c) and their
 * callers share: the KSM knob names and the release of a backend.  Kept
 * apart so that neither backend owns what the other and the engine use.
 */
#include "host.h"

#include <string.h>

const char *const ksm_knob_names[KSM_KNOB_COUNT] = {
    [KSM_RUN] = "run",
    [KSM_PAGES_TO_SCAN] = "pages_to_scan",
    [KSM_SLEEP_MILLISECS] = "sleep_millisecs",
    [KSM_MERGE_ACROSS_NODES] = "merge_across_nodes",
    [KSM_PAGES_SHARED] = "pages_shared",
};

void ksm_backend_release(struct ksm_backend *k)
{
	if (k->free)
		k->free(k->ctx);
	memset(k, 0, sizeof(*k));
}

void balloon_backend_release(struct balloon_backend *b)
{
	if (b->free)
		b->free(b->ctx);
	memset(b, 0, sizeof(*b));
}

void sched_backend_release(struct sched_backend *s)
{
	if (s->free)
		s->free(s->ctx);
	memset(s, 0, sizeof(*s));
}

void iotune_backend_release(struct iotune_backend *b)
{
	if (b->free)
		b->free(b->ctx);
	memset(b, 0, sizeof(*b));
}
