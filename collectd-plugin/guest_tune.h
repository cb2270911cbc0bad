/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_tune.h: one domain's QoS inputs (vdsm's tune metadata, the
 * scheduler parameters, the live disk limits: guest_io.h's
 * guest_tune_read()), kept between reads while nothing says they changed.
 *
 * They are read afresh when there is no copy yet, when the connection is
 * not watched for change events (virt_events.h: no event loop, or the
 * driver refuses), when a QoS change event arrived since the copy was
 * read, when the connection was reopened or the domain restarted (a new
 * domain ID) since, and when the copy is older than the refresh period:
 * a change made around libvirt (a cgroup written by hand) sends no event.
 * The vCPU count is read at every read (guest_cpu_count_read()).  So, with
 * events, a read costs one libvirt call for the QoS inputs instead of two
 * plus two per tuned disk, and a change is seen at the next read.
 */
#ifndef MOM_GUEST_TUNE_H
#define MOM_GUEST_TUNE_H

#include <stdbool.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "guest_cpu.h"
#include "guest_io.h"

struct guest_tune_cache {
	bool valid;
	unsigned long gen;   /* virt_events_tune_gen() before the read */
	unsigned long epoch; /* the connection's (see guest_tune_get) */
	unsigned int dom_id;
	int64_t read_ns;
	struct guest_cpu cpu;
	struct guest_io *io; /* NULL: no disk, nothing skipped */
};

/* When the cached copy may be used: the connection is watched for events
   (watched), it is the connection of this epoch (the reader counts its
   connections), and copies are good for refresh_ns at most (0: read at
   every read). */
struct guest_tune_when {
	bool watched;
	unsigned long epoch;
	int64_t now_ns, refresh_ns;
};

/* Fills *cpu and *io for dom, from tc or afresh (then kept in tc).
   Returns true when read afresh, false when from tc or out of memory for
   the copy (then read afresh too, and not kept). */
bool guest_tune_get(struct guest_tune_cache *tc, virDomainPtr dom,
		    const struct guest_tune_when *w, struct guest_cpu *cpu,
		    struct guest_io *io);

/* Frees what tc holds; tc is then empty. */
void guest_tune_clear(struct guest_tune_cache *tc);

#endif /* MOM_GUEST_TUNE_H */
