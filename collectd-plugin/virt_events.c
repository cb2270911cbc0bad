/* SPDX-License-Identifier: Apache-2.0 */
/*
 * virt_events.c: libvirt's event loop thread and the QoS change notices
 * (see virt_events.h).
 *
 * The callbacks touch nothing but an atomic counter, and get no opaque
 * pointer: a callback already dispatched when a reader deregisters and
 * frees itself can then never reach freed memory.
 */
#include "virt_events.h"

#include "guest_cpu.h"

#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static unsigned users;	  /* starts not yet stopped; under lock */
static pthread_t thread;  /* valid while users > 0; under lock */
static atomic_bool stop;  /* asks the thread to end */
static atomic_bool alive; /* the thread is in its loop */
static atomic_ulong tune_gen;

static void *loop(void *arg)
{
	(void)arg;
	while (!atomic_load(&stop))
		if (virEventRunDefaultImpl() < 0)
			break; /* readers see !alive and poll */
	atomic_store(&alive, false);
	return NULL;
}

int virt_events_start(char *err, size_t errlen)
{
	int rc = 0;

	pthread_mutex_lock(&lock);
	if (users > 0) {
		users++;
		goto out;
	}
	if (virEventRegisterDefaultImpl() < 0) {
		virErrorPtr e = virGetLastError();
		snprintf(err, errlen,
			 "cannot register libvirt's event loop: %s",
			 e && e->message ? e->message : "unknown error");
		rc = -1;
		goto out;
	}
	atomic_store(&stop, false);
	atomic_store(&alive, true);
	if (pthread_create(&thread, NULL, loop, NULL) != 0) {
		atomic_store(&alive, false);
		snprintf(err, errlen, "cannot start the event loop thread");
		rc = -1;
		goto out;
	}
	users = 1;
out:
	pthread_mutex_unlock(&lock);
	return rc;
}

/* A one-shot timer whose only job is to make the loop iterate. */
static void wake(int timer, void *opaque)
{
	(void)opaque;
	virEventRemoveTimeout(timer);
}

void virt_events_stop(void)
{
	pthread_mutex_lock(&lock);
	if (users == 0 || --users > 0) {
		pthread_mutex_unlock(&lock);
		return;
	}
	atomic_store(&stop, true);
	/* A loop blocked in poll() with nothing due wakes for this timer;
	   if it cannot be added the loop has already failed and ended. */
	if (atomic_load(&alive))
		virEventAddTimeout(0, wake, NULL, NULL);
	pthread_join(thread, NULL);
	pthread_mutex_unlock(&lock);
}

bool virt_events_alive(void)
{
	return atomic_load(&alive);
}

static void on_metadata(virConnectPtr conn, virDomainPtr dom, int type,
			const char *nsuri, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)opaque;
	/* vdsm writes its own ovirt-vm metadata often; only the tune
	   namespace (and the description/title, which we do not read, but
	   an unknown type costs one read) moves the generation. */
	if (type == VIR_DOMAIN_METADATA_ELEMENT && nsuri != NULL &&
	    strcmp(nsuri, GUEST_TUNE_NS) != 0)
		return;
	atomic_fetch_add(&tune_gen, 1);
}

static void on_tunable(virConnectPtr conn, virDomainPtr dom,
		       virTypedParameterPtr params, int nparams, void *opaque)
{
	(void)conn;
	(void)dom;
	(void)params;
	(void)nparams;
	(void)opaque;
	atomic_fetch_add(&tune_gen, 1);
}

int virt_events_watch_tune(virConnectPtr conn, struct virt_tune_watch *w)
{
	w->metadata_id = w->tunable_id = -1;
	if (!virt_events_alive())
		return -1;
	w->metadata_id = virConnectDomainEventRegisterAny(
	    conn, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_metadata), NULL, NULL);
	w->tunable_id = virConnectDomainEventRegisterAny(
	    conn, NULL, VIR_DOMAIN_EVENT_ID_TUNABLE,
	    VIR_DOMAIN_EVENT_CALLBACK(on_tunable), NULL, NULL);
	if (w->metadata_id < 0 || w->tunable_id < 0) {
		virt_events_unwatch_tune(conn, w);
		return -1;
	}
	return 0;
}

void virt_events_unwatch_tune(virConnectPtr conn, struct virt_tune_watch *w)
{
	if (w->metadata_id >= 0)
		virConnectDomainEventDeregisterAny(conn, w->metadata_id);
	if (w->tunable_id >= 0)
		virConnectDomainEventDeregisterAny(conn, w->tunable_id);
	w->metadata_id = w->tunable_id = -1;
}

unsigned long virt_events_tune_gen(void)
{
	return atomic_load(&tune_gen);
}
