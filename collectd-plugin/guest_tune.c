/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_tune.c: the QoS inputs of one domain, cached between change
 * events (see guest_tune.h).
 */
#include "guest_tune.h"

#include "virt_events.h"

#include <stdlib.h>
#include <string.h>

static bool usable(const struct guest_tune_cache *tc, unsigned int dom_id,
		   unsigned long gen, const struct guest_tune_when *w)
{
	return tc->valid && w->watched && w->refresh_ns > 0 &&
	       tc->epoch == w->epoch && tc->gen == gen &&
	       tc->dom_id == dom_id && w->now_ns - tc->read_ns < w->refresh_ns;
}

bool guest_tune_get(struct guest_tune_cache *tc, virDomainPtr dom,
		    const struct guest_tune_when *w, struct guest_cpu *cpu,
		    struct guest_io *io)
{
	/* Before the read: an event during it moves the generation past
	   what is kept, and the next read reads again. */
	unsigned long gen = virt_events_tune_gen();
	unsigned int dom_id = virDomainGetID(dom);

	if (usable(tc, dom_id, gen, w)) {
		*cpu = tc->cpu;
		guest_cpu_count_read(dom, cpu);
		if (tc->io != NULL)
			*io = *tc->io;
		else
			*io = (struct guest_io){0};
		return false;
	}
	guest_tune_read(dom, cpu, io);
	tc->valid = false;
	if (io->n > 0 || io->skipped > 0 || io->malformed > 0) {
		struct guest_io *copy = tc->io ? tc->io : malloc(sizeof(*copy));

		if (copy == NULL)
			return true;
		*copy = *io;
		tc->io = copy;
	} else {
		free(tc->io);
		tc->io = NULL;
	}
	tc->cpu = *cpu;
	tc->gen = gen;
	tc->epoch = w->epoch;
	tc->dom_id = dom_id;
	tc->read_ns = w->now_ns;
	tc->valid = true;
	return true;
}

void guest_tune_clear(struct guest_tune_cache *tc)
{
	free(tc->io);
	memset(tc, 0, sizeof(*tc));
}
