/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_errlog.c: the guest reader's libvirt error handlers, rate-limited
 * into the plugin's log (see guest_errlog.h).
 */
#include "guest_errlog.h"

#include <stdint.h>
#include <syslog.h>

#include <libvirt/virterror.h>

#include "clock.h"

#define ERR_WINDOW_MS (60 * 1000)

/* When the slot last logged; an unused slot is older than any. */
static int64_t slot_age(const struct guest_errlog_slot *s)
{
	return s->used ? s->rl.last_ms : INT64_MIN;
}

/* Returns true when this (domain, code) may be logged now; *suppressed
   gets how many were dropped since the last one logged. */
static bool err_allow(struct guest_errlog *el, int domain, int code,
		      unsigned *suppressed)
{
	int64_t now = clock_mono_ms();
	struct guest_errlog_slot *slot = NULL, *oldest = &el->slot[0];
	bool allow;

	pthread_mutex_lock(&el->lock);
	/* The least recently logged slot (an unused one first) is reused. */
	for (size_t i = 0; i < GUEST_ERRLOG_SLOTS && slot == NULL; i++) {
		if (el->slot[i].used && el->slot[i].domain == domain &&
		    el->slot[i].code == code)
			slot = &el->slot[i];
		else if (slot_age(&el->slot[i]) < slot_age(oldest))
			oldest = &el->slot[i];
	}
	if (slot == NULL) {
		slot = oldest;
		*slot = (struct guest_errlog_slot){
		    domain, code, true, RATELIMIT_INIT(ERR_WINDOW_MS)};
	}
	allow = ratelimit_allow(&slot->rl, now, suppressed);
	pthread_mutex_unlock(&el->lock);
	return allow;
}

static int err_level(const virError *e)
{
	switch (e->code) {
	case VIR_ERR_NO_DOMAIN:
	case VIR_ERR_OPERATION_INVALID:
		/* A domain stopped between listing and reading it. */
		return LOG_INFO;
	default:
		return e->level == VIR_ERR_WARNING ? LOG_WARNING : LOG_ERR;
	}
}

/* True when the calling thread is inside a read. */
static bool err_is_ours(struct guest_errlog *el)
{
	bool ours;

	pthread_mutex_lock(&el->lock);
	ours = el->reading && pthread_equal(el->reader, pthread_self());
	pthread_mutex_unlock(&el->lock);
	return ours;
}

void guest_errlog_reading(struct guest_errlog *el, bool reading)
{
	pthread_mutex_lock(&el->lock);
	el->reading = reading;
	el->reader = pthread_self();
	pthread_mutex_unlock(&el->lock);
}

static void on_libvirt_error(void *opaque, virErrorPtr e)
{
	struct guest_errlog *el = opaque;
	unsigned suppressed = 0;

	if (el == NULL || e == NULL)
		return;
	if (!err_is_ours(el)) {
		virDefaultErrorFunc(e);
		return;
	}
	if (e->code == VIR_ERR_NO_DOMAIN_METADATA ||
	    (e->code == VIR_ERR_INVALID_ARG && el->quiet_invalid_arg))
		return;
	if (!err_allow(el, e->domain, e->code, &suppressed))
		return;
	if (suppressed > 0)
		el->log(el->log_opaque, err_level(e),
			"libvirt error: %s (%u similar suppressed)",
			e->message ? e->message : "(no message)", suppressed);
	else
		el->log(el->log_opaque, err_level(e), "libvirt error: %s",
			e->message ? e->message : "(no message)");
}

/* The process-wide handler's errlog. */
static pthread_mutex_t global_lock = PTHREAD_MUTEX_INITIALIZER;
static struct guest_errlog *global_errlog;

static void on_global_libvirt_error(void *opaque, virErrorPtr e)
{
	(void)opaque;
	pthread_mutex_lock(&global_lock);
	if (global_errlog != NULL)
		on_libvirt_error(global_errlog, e);
	else if (e != NULL)
		virDefaultErrorFunc(e);
	pthread_mutex_unlock(&global_lock);
}

int guest_errlog_init(struct guest_errlog *el, guest_errlog_fn log,
		      void *opaque)
{
	*el = (struct guest_errlog){.log = log, .log_opaque = opaque};
	return pthread_mutex_init(&el->lock, NULL) == 0 ? 0 : -1;
}

void guest_errlog_destroy(struct guest_errlog *el)
{
	pthread_mutex_destroy(&el->lock);
}

void guest_errlog_install(struct guest_errlog *el)
{
	pthread_mutex_lock(&global_lock);
	global_errlog = el;
	pthread_mutex_unlock(&global_lock);
	virSetErrorFunc(NULL, on_global_libvirt_error);
}

void guest_errlog_uninstall(struct guest_errlog *el)
{
	virSetErrorFunc(NULL, NULL);
	/* A call that read the handler before the reset finds no errlog. */
	pthread_mutex_lock(&global_lock);
	if (global_errlog == el)
		global_errlog = NULL;
	pthread_mutex_unlock(&global_lock);
}

void guest_errlog_attach(struct guest_errlog *el, virConnectPtr conn)
{
	virConnSetErrorFunc(conn, el, on_libvirt_error);
}
