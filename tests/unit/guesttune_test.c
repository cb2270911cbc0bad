/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guesttune_test.c: the read plugin keeps a guest's QoS inputs between
 * reads and reads them again on libvirt's change event (guest_tune.h,
 * virt_events.h), against libvirt's real test driver and its real event
 * loop.  test:///default's state is shared by every connection of one
 * process, so a second connection changes vdsm's tune metadata as vdsm
 * would, and the reader's connection gets the event.  The real QEMU
 * driver's events (metadata and TUNABLE) are exercised on real guests by
 * tests/it/vdsm_cputune.sh and vdsm_iotune.sh, which run the plugin with
 * TuneRefresh 3600 so that only an event can explain what they see.
 */
#include "guest_cpu.h"
#include "guest_mem.h"
#include "testing.h"
#include "virt_events.h"

#include <libvirt/libvirt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define NS 1000000000LL

/* What the last read reported for domain "test". */
struct last {
	bool seen, fresh, have_limit;
	uint64_t limit;
	char log[4096];
};

__attribute__((format(printf, 3, 4))) static void
capture_log(void *opaque, int level, const char *fmt, ...)
{
	struct last *l = opaque;
	size_t len = strlen(l->log);
	va_list ap;

	(void)level;
	if (len + 2 >= sizeof(l->log))
		return;
	va_start(ap, fmt);
	vsnprintf(l->log + len, sizeof(l->log) - len - 1, fmt, ap);
	va_end(ap);
	strcat(l->log, "\n");
}

static void collect(const struct guest_sample *s, void *opaque)
{
	struct last *l = opaque;

	if (strcmp(s->name, "test") != 0)
		return;
	l->seen = true;
	l->fresh = s->tune_fresh;
	l->have_limit = s->present[GUEST_VCPU_USER_LIMIT_PCT];
	l->limit = s->value[GUEST_VCPU_USER_LIMIT_PCT];
}

/* One read at monotonic time t seconds. */
static int read_at(struct guest_reader *r, int t, struct last *l)
{
	l->seen = false;
	return guest_reader_read(r, (int64_t)t * NS, 1e9 + t, collect, l);
}

static int set_limit(virDomainPtr dom, const char *ns, const char *xml)
{
	return virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT, xml,
				    "ovirt-tune", ns, VIR_DOMAIN_AFFECT_LIVE);
}

static void test_kept_until_event(void)
{
	struct last *l = calloc(1, sizeof(*l));
	struct guest_config c = {.uri = "test:///default",
				 .stale_reads = 2,
				 .min_refresh_s = 60,
				 .tune_refresh_s = 3600,
				 .log = capture_log};
	struct guest_reader *r;
	virConnectPtr other;
	virDomainPtr dom;
	char err[256];
	int t = 1;

	c.log_opaque = l;
	T_OK(virt_events_start(err, sizeof(err)) == 0,
	     "event loop started (%s)", err);
	T_OK(virt_events_alive(), "the loop thread runs");
	r = guest_reader_new(&c);
	other = virConnectOpen("test:///default");
	dom = other ? virDomainLookupByName(other, "test") : NULL;
	if (r == NULL || dom == NULL) {
		T_OK(0, "reader and a second connection to test:///default");
		goto out;
	}
	T_OK(read_at(r, t++, l) == 1 && l->seen && l->fresh && l->have_limit &&
		 l->limit == 100,
	     "first read: read afresh, no metadata: vdsm's 100 %%");
	T_OK(strstr(l->log, "QoS inputs read on change events") != NULL,
	     "the reader says it watches for events");
	T_OK(read_at(r, t++, l) == 1 && l->seen && !l->fresh && l->limit == 100,
	     "second read: kept, not read");

	/* The engine limits the VM, as vdsm's updateVmPolicy writes it. */
	T_OK(set_limit(dom, GUEST_TUNE_NS,
		       "<qos><vcpuLimit>40</vcpuLimit></qos>") == 0,
	     "vdsm's tune metadata set through the second connection");
	/* The event travels through the loop thread: a few reads at most. */
	for (int k = 0; k < 500 && !(l->seen && l->limit == 40); k++) {
		read_at(r, t++, l);
		if (!(l->seen && l->limit == 40))
			usleep(10000);
	}
	T_OK(l->seen && l->limit == 40 && l->fresh,
	     "the change event made the next read read it: limit %llu",
	     (unsigned long long)l->limit);
	T_OK(read_at(r, t++, l) == 1 && !l->fresh && l->limit == 40,
	     "and the read after keeps it again");

	/* Past TuneRefresh a copy is read again even without an event. */
	T_OK(read_at(r, t + 3600, l) == 1 && l->fresh && l->limit == 40,
	     "older than TuneRefresh: read afresh");
	t += 3601;

	/* Without the loop no event arrives: read at every read. */
	virt_events_stop();
	T_OK(!virt_events_alive(), "the loop thread ended");
	T_OK(read_at(r, t++, l) == 1 && l->fresh && read_at(r, t++, l) == 1 &&
		 l->fresh,
	     "without the loop every read reads the QoS inputs");
	set_limit(dom, GUEST_TUNE_NS, "<qos><vcpuLimit>30</vcpuLimit></qos>");
	T_OK(read_at(r, t++, l) == 1 && l->limit == 30,
	     "and sees a change at once");
out:
	if (dom)
		virDomainFree(dom);
	if (other)
		virConnectClose(other);
	guest_reader_free(r);
	free(l);
}

/* TuneRefresh 0: no caching, with or without the loop. */
static void test_refresh_off(void)
{
	struct last *l = calloc(1, sizeof(*l));
	struct guest_config c = {.uri = "test:///default",
				 .stale_reads = 2,
				 .tune_refresh_s = 0,
				 .log = capture_log};
	struct guest_reader *r;
	char err[256];

	c.log_opaque = l;
	T_OK(virt_events_start(err, sizeof(err)) == 0,
	     "event loop started again (%s)", err);
	r = guest_reader_new(&c);
	T_OK(r && read_at(r, 1, l) == 1 && l->fresh && read_at(r, 2, l) == 1 &&
		 l->fresh,
	     "TuneRefresh 0: read at every read");
	T_OK(strstr(l->log, "QoS inputs read at every read") != NULL,
	     "and the reader says so");
	guest_reader_free(r);
	virt_events_stop();
	free(l);
}

int main(void)
{
	test_kept_until_event();
	test_refresh_off();
	return t_done();
}
