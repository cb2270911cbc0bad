/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_errlog.h: where the guest reader's libvirt errors go (guest_mem.c).
 *
 * libvirt reports errors to a handler: one set with virSetErrorFunc (the
 * process-wide one, for errors before a connection exists) and one per
 * connection (virConnSetErrorFunc).  Both are routed here, which logs each
 * (error domain, code) at most once a minute with a count of what it
 * suppressed.  "No such metadata" is expected and never logged, nor is
 * an invalid argument while quiet_invalid_arg is set (a daemon refusing
 * the bulk call's NOWAIT flag).  A domain gone between listing and
 * reading it is logged at info level.
 *
 * The process-wide handler also catches other libvirt users' errors (the
 * stock virt plugin in the same daemon): only errors raised in the thread
 * inside a read (guest_errlog_reading) are ours; the rest get libvirt's
 * default treatment (stderr), as if nothing were installed.  Its context
 * is static (the errlog is found under a lock), never the errlog itself:
 * libvirt reads the handler and its context without a lock, so another
 * thread may call it after guest_errlog_uninstall() has reset it, and a
 * freed errlog would then be used.
 */
#ifndef MOM_GUEST_ERRLOG_H
#define MOM_GUEST_ERRLOG_H

#include <pthread.h>
#include <stdbool.h>

#include <libvirt/libvirt.h>

#include "ratelimit.h"

#define GUEST_ERRLOG_SLOTS 16

/* Levels are syslog(3)'s, as guest_mem.h's GUEST_LOG_*. */
typedef void (*guest_errlog_fn)(void *opaque, int level, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

struct guest_errlog_slot {
	int domain, code;
	bool used;
	struct ratelimit rl;
};

struct guest_errlog {
	guest_errlog_fn log; /* thread-safe */
	void *log_opaque;
	bool quiet_invalid_arg; /* set by the reading thread only */
	pthread_mutex_t lock;	/* guards slot[], reading, reader */
	struct guest_errlog_slot slot[GUEST_ERRLOG_SLOTS];
	bool reading;	  /* a read is running ... */
	pthread_t reader; /* ... in this thread */
};

/* 0, or -1 when the lock cannot be made. */
int guest_errlog_init(struct guest_errlog *el, guest_errlog_fn log,
		      void *opaque);
void guest_errlog_destroy(struct guest_errlog *el);

/* Route the process-wide handler to el (one per process: the plugin's),
   and stop doing so; uninstall before destroy. */
void guest_errlog_install(struct guest_errlog *el);
void guest_errlog_uninstall(struct guest_errlog *el);

/* Route conn's errors to el. */
void guest_errlog_attach(struct guest_errlog *el, virConnectPtr conn);

/* The calling thread begins or ends a read: errors it raises meanwhile
   are ours. */
void guest_errlog_reading(struct guest_errlog *el, bool reading);

#endif /* MOM_GUEST_ERRLOG_H */
