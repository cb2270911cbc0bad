/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virt_events.h: libvirt's event loop for the read plugin, and the change
 * notices of a guest's QoS inputs.
 *
 * vdsm's tune metadata, the scheduler parameters and the live disk limits
 * change only when someone changes them through libvirt (the engine via
 * vdsm, momd's CpuTune and IoTune controllers), and libvirt says so with
 * an event: METADATA_CHANGE (naming the namespace) and TUNABLE
 * (cputune.*, blkdeviotune.*).  So the read plugin need not ask for them
 * at every read: it keeps what it read, and reads again when the
 * generation below has moved since (guest_tune.h).  Events need an event
 * loop registered before the connection is opened and a thread running
 * it; this module owns both, for the whole process.
 *
 * The event loop implementation, once registered, cannot be unregistered
 * (libvirt has no call for it); stopping only ends our thread.  Another
 * plugin in the same collectd (the stock virt plugin with its
 * notifications) may run the same default loop in its own thread: libvirt
 * then dispatches in either, which is harmless.  While our thread is not
 * running, virt_events_alive() is false and readers ask at every read.
 */
#ifndef MOM_VIRT_EVENTS_H
#define MOM_VIRT_EVENTS_H

#include <stdbool.h>
#include <stddef.h>

#include <libvirt/libvirt.h>

/* Registers libvirt's default event loop implementation and starts the
   thread that runs it (counted: each start needs a stop).  0, or -1 with
   err.  Connections opened before the first start get no events. */
int virt_events_start(char *err, size_t errlen);

/* Drops one start; the last one ends the thread (within one loop
   iteration: it is woken). */
void virt_events_stop(void);

/* Whether the loop thread is running, so that watched connections get
   their events. */
bool virt_events_alive(void);

/* The callbacks registered on one connection. */
struct virt_tune_watch {
	int metadata_id, tunable_id; /* -1: not registered */
};

/* Registers the QoS change callbacks on conn.  0, or -1 (nothing left
   registered) when the loop is not running or the driver refuses. */
int virt_events_watch_tune(virConnectPtr conn, struct virt_tune_watch *w);

/* Deregisters what virt_events_watch_tune() registered.  Call before
   closing conn. */
void virt_events_unwatch_tune(virConnectPtr conn, struct virt_tune_watch *w);

/* Moves on every QoS change event of any watched connection: a change to
   vdsm's tune metadata (GUEST_TUNE_NS) or any TUNABLE event.  Read it
   before reading the inputs, so that a change during the read is never
   missed. */
unsigned long virt_events_tune_gen(void);

#endif /* MOM_VIRT_EVENTS_H */
