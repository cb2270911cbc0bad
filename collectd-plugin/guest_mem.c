/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guest_mem.c: libvirt -> per-guest balloon samples (see guest_mem.h).
 *
 * DESIGN
 * - One connection, opened read-write (the stats period needs it) and, if
 *   that is refused, read-only.  Before each read an unusable connection is
 *   closed and reopened; a listing that fails because the connection broke
 *   (libvirtd restarted) reconnects and retries once in the same read.
 * - Listing uses virConnectGetAllDomainStats(BALLOON): one call for all
 *   domains, with NOWAIT (libvirt >= 4.5): a domain whose job another
 *   call holds (one stuck on a QEMU monitor that does not answer, or a
 *   step of a long operation that lets no query in) gets a record
 *   without its memory statistics instead of delaying the read, and every
 *   guest's sample, by up to libvirt's job timeout (30 s).  A daemon that
 *   refuses the flag is asked without it for the connection's life.  A
 *   record with the memory statistics is used as is.  One without them is
 *   skipped this read once the connection has shown that its bulk call
 *   returns them (the domain's job was held; asking that domain alone
 *   would wait for it), and falls back to virDomainMemoryStats before (the
 *   test driver never returns them).  A driver without the bulk call falls
 *   back to virConnectListAllDomains for the connection's life.
 * - Per-domain state (stats period set, minimum, last_update history) is
 *   keyed by the raw UUID; states of domains not seen in a successful
 *   listing are freed, so nothing leaks and renamed domains keep theirs.
 *   A domain ID other than the last one read is a new QEMU process: its
 *   stats period is set again and its staleness history starts afresh.
 * - Tags and bulk field names map to enum guest_stat in guest_stats.c.
 * - libvirt errors raised while reading are logged rate-limited
 *   (guest_errlog.c); "No such metadata" is expected and never logged.
 */
#include "guest_mem.h"

#include "domxml.h"
#include "guest_cpu.h"
#include "guest_errlog.h"
#include "guest_io.h"
#include "guest_min.h"
#include "guest_props.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

#include "clock.h"
#include "globlist.h"

#define NS_PER_S 1000000000LL

struct dom_state {
	unsigned char uuid[VIR_UUID_BUFLEN];
	char uuid_str[VIR_UUID_STRING_BUFLEN];
	char *name;
	bool seen;
	/* The domain ID of the QEMU process last read: a domain destroyed and
	   started again (on_crash=restart) between two reads keeps its UUID
	   but gets a new process, without a stats period and with its own
	   last_update (state_new_process). */
	unsigned int dom_id;
	bool min_due;	  /* re-read the minimum and props at the next read */
	bool period_done; /* the stats period is set */
	bool
	    period_failed; /* the last try failed: again after MinimumRefresh */
	int64_t period_try_ns;
	bool min_known;
	bool min_failed;  /* the last lookup got no answer from libvirt */
	bool min_bad;	  /* the last lookup found a malformed minimum */
	bool tune_failed; /* so did the last read of the tune metadata */
	enum guest_min_source min_source;
	uint64_t min_kib;
	int64_t min_read_ns;
	bool props_ok; /* the domain XML was read at the last refresh */
	struct guest_props props;
	bool have_last_update;
	uint64_t last_update;
	unsigned unchanged;
	enum guest_stats_state state;
	bool limit_malformed; /* reported once while it lasts */
	bool io_bad;	      /* ioTune metadata partly unusable, likewise */
	bool busy;	      /* skipped, its job held (NOWAIT), likewise */
};

struct guest_reader {
	struct guest_config cfg; /* strings and globs owned */
	virConnectPtr conn;
	bool conn_failed; /* the last attempt failed (log transitions only) */
	bool read_only;
	bool bulk_ok;
	bool nowait_ok;	  /* the bulk call takes NOWAIT (until refused) */
	bool bulk_proven; /* a bulk record carried memory statistics */
	struct dom_state **doms;
	size_t n_doms, cap_doms;
	struct guest_errlog errlog; /* libvirt's errors while reading */
};

/* ---- connection ----------------------------------------------------- */

static void conn_close(struct guest_reader *r)
{
	if (r->conn == NULL)
		return;
	virConnectClose(r->conn);
	r->conn = NULL;
}

/* Opens the connection if there is none or it broke.  Returns 0 or
   -ENOTCONN; logs only when the state changes. */
static int conn_ensure(struct guest_reader *r)
{
	const char *uri = r->cfg.uri ? r->cfg.uri : "(default)";

	if (r->conn != NULL && virConnectIsAlive(r->conn) == 1)
		return 0;
	if (r->conn != NULL) {
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_WARNING,
			   "connection to %s lost; reconnecting", uri);
		conn_close(r);
	}
	r->read_only = false;
	r->conn = virConnectOpen(r->cfg.uri);
	if (r->conn == NULL) {
		r->conn = virConnectOpenReadOnly(r->cfg.uri);
		r->read_only = r->conn != NULL;
	}
	if (r->conn == NULL) {
		if (!r->conn_failed)
			r->cfg.log(r->cfg.log_opaque, GUEST_LOG_ERR,
				   "cannot connect to %s; retrying at every "
				   "read",
				   uri);
		r->conn_failed = true;
		return -ENOTCONN;
	}
	guest_errlog_attach(&r->errlog, r->conn);
	/* Another daemon may be behind the new connection. */
	r->bulk_ok = true;
	r->nowait_ok = true;
	r->bulk_proven = false;
	r->cfg.log(r->cfg.log_opaque,
		   r->read_only ? GUEST_LOG_WARNING : GUEST_LOG_INFO,
		   "connected to %s%s", uri,
		   r->read_only ? " read-only: the stats period cannot be set"
				: "");
	r->conn_failed = false;
	return 0;
}

/* ---- per-domain state ----------------------------------------------- */

static void dom_state_free(struct dom_state *st)
{
	if (st == NULL)
		return;
	free(st->name);
	free(st);
}

/* Finds the state for uuid, trying index `hint` first (domains usually
   come in the same order every read).  Returns NULL if there is none. */
static struct dom_state *state_find(struct guest_reader *r,
				    const unsigned char *uuid, size_t hint)
{
	if (hint < r->n_doms &&
	    memcmp(r->doms[hint]->uuid, uuid, VIR_UUID_BUFLEN) == 0)
		return r->doms[hint];
	for (size_t i = 0; i < r->n_doms; i++)
		if (memcmp(r->doms[i]->uuid, uuid, VIR_UUID_BUFLEN) == 0)
			return r->doms[i];
	return NULL;
}

static struct dom_state *state_add(struct guest_reader *r,
				   const unsigned char *uuid, const char *name)
{
	struct dom_state *st = NULL;

	if (r->n_doms == r->cap_doms) {
		size_t ncap = r->cap_doms ? r->cap_doms * 2 : 16;
		struct dom_state **nd =
		    reallocarray(r->doms, ncap, sizeof(*nd));

		if (nd == NULL)
			return NULL;
		r->doms = nd;
		r->cap_doms = ncap;
	}
	st = calloc(1, sizeof(*st));
	if (st == NULL)
		return NULL;
	st->name = strdup(name);
	if (st->name == NULL) {
		free(st);
		return NULL;
	}
	memcpy(st->uuid, uuid, VIR_UUID_BUFLEN);
	r->doms[r->n_doms++] = st;
	return st;
}

/* A new QEMU process for a domain we knew: what belonged to the old one
   starts afresh.  The minimum known is kept (it is the domain's, and the
   policies need one) but re-read now, as is the rest of the live XML: the
   new process was built from the persistent definition, and live-only
   changes are gone with the old one. */
static void state_new_process(struct guest_reader *r, struct dom_state *st,
			      unsigned int id)
{
	r->cfg.log(r->cfg.log_opaque, GUEST_LOG_INFO,
		   "domain %s (%s) restarted (ID %u -> %u)", st->name,
		   st->uuid_str, st->dom_id, id);
	st->dom_id = id;
	st->period_done = st->period_failed = false;
	st->have_last_update = false;
	st->last_update = 0;
	st->unchanged = 0;
	st->state = GUEST_STATS_UNKNOWN;
	st->min_due = true;
}

/* Frees the states of domains not seen in this read; clears `seen`. */
static void state_sweep(struct guest_reader *r)
{
	size_t keep = 0;

	for (size_t i = 0; i < r->n_doms; i++) {
		struct dom_state *st = r->doms[i];

		if (st->seen) {
			st->seen = false;
			r->doms[keep++] = st;
			continue;
		}
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_INFO,
			   "domain %s (%s) is gone", st->name, st->uuid_str);
		dom_state_free(st);
	}
	r->n_doms = keep;
}

/* Looks up or creates dom's state; notes renames.  NULL on failure. */
static struct dom_state *state_for(struct guest_reader *r, virDomainPtr dom,
				   const char *name, size_t hint)
{
	unsigned char uuid[VIR_UUID_BUFLEN];
	unsigned int id = virDomainGetID(dom);
	struct dom_state *st;
	char *copy;

	if (virDomainGetUUID(dom, uuid) < 0)
		return NULL;
	st = state_find(r, uuid, hint);
	if (st == NULL) {
		st = state_add(r, uuid, name);
		if (st != NULL) {
			virDomainGetUUIDString(dom, st->uuid_str);
			st->dom_id = id;
		}
		return st;
	}
	if (st->dom_id != id)
		state_new_process(r, st, id);
	if (strcmp(st->name, name) != 0) {
		copy = strdup(name);
		if (copy == NULL)
			return NULL;
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_INFO,
			   "domain %s (%s) renamed to %s", st->name,
			   st->uuid_str, name);
		free(st->name);
		st->name = copy;
	}
	return st;
}

/* ---- reading one domain --------------------------------------------- */

/* A warning logged when cond starts to hold, not again while it lasts;
 *held remembers. */
__attribute__((format(printf, 4, 5))) static void
warn_while(struct guest_reader *r, bool *held, bool cond, const char *fmt, ...)
{
	char text[512];
	va_list ap;

	if (cond && !*held) {
		va_start(ap, fmt);
		vsnprintf(text, sizeof(text), fmt, ap);
		va_end(ap);
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_WARNING, "%s", text);
	}
	*held = cond;
}

/* Without a stats period the guest's statistics never move, so a failure
   (a job timeout, a broken connection; or no balloon device, which libvirt
   does not tell apart by its code) is tried again after MinimumRefresh,
   logged once while it lasts. */
static void set_period(struct guest_reader *r, virDomainPtr dom,
		       struct dom_state *st, int64_t now_ns)
{
	bool failed;

	if (st->period_done || r->cfg.stats_period_s == 0 || r->read_only ||
	    (st->period_failed && now_ns - st->period_try_ns <
				      (int64_t)r->cfg.min_refresh_s * NS_PER_S))
		return;
	st->period_try_ns = now_ns;
	failed = virDomainSetMemoryStatsPeriod(dom, (int)r->cfg.stats_period_s,
					       VIR_DOMAIN_AFFECT_LIVE) < 0;
	st->period_done = !failed;
	warn_while(r, &st->period_failed, failed,
		   "domain %s: cannot set the balloon stats period; "
		   "guest statistics may stay absent (tried again every "
		   "MinimumRefresh)",
		   st->name);
}

static void min_refresh(struct guest_reader *r, virDomainPtr dom,
			struct dom_state *st, int64_t now_ns)
{
	enum guest_min_source src;
	uint64_t kib;
	int rc;

	if ((st->min_known || st->min_bad) && !st->min_due &&
	    now_ns - st->min_read_ns < (int64_t)r->cfg.min_refresh_s * NS_PER_S)
		return;
	rc = guest_min_lookup(dom, &kib, &src);
	/* libvirt did not answer: the last minimum known stands, or, before
	   the first, none is sent (momd then leaves the guest alone); asked
	   again at the next read. */
	warn_while(r, &st->min_failed, rc == -EIO,
		   "domain %s: guaranteed minimum not read (libvirt error); %s",
		   st->name,
		   st->min_known ? "keeping the last one"
				 : "none sent until it is");
	if (rc == -EIO)
		return;
	/* A minimum configured but malformed is unknown, not 0: none is sent
	   (momd leaves the guest alone) until it is fixed, looked at again
	   at each refresh. */
	warn_while(r, &st->min_bad, rc < 0,
		   "domain %s: guaranteed minimum malformed (source: %s); "
		   "none sent until it is fixed",
		   st->name, guest_min_source_name(src));
	if (rc == 0 &&
	    (!st->min_known || src != st->min_source || kib != st->min_kib))
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_INFO,
			   "domain %s: guaranteed minimum %llu KiB (source: "
			   "%s)",
			   st->name, (unsigned long long)kib,
			   guest_min_source_name(src));
	st->min_known = rc == 0;
	st->min_source = src;
	st->min_kib = kib;
	st->min_read_ns = now_ns;
	st->min_due = false;
	/* The balloon's features and the shares change as rarely; asked
	   again at the next read when libvirt does not answer. */
	if (guest_props_refresh(dom, &st->props, &st->props_ok) < 0)
		st->min_due = true;
}

static void props_fill(const struct dom_state *st, struct guest_sample *s)
{
	s->present[GUEST_BALLOON_AUTODEFLATE] = st->props_ok;
	s->value[GUEST_BALLOON_AUTODEFLATE] = st->props.autodeflate;
	s->present[GUEST_BALLOON_FREE_PAGE_REPORTING] = st->props_ok;
	s->value[GUEST_BALLOON_FREE_PAGE_REPORTING] =
	    st->props.free_page_reporting;
	s->present[GUEST_SHARES] = st->props.have_shares;
	s->value[GUEST_SHARES] = st->props.shares;
}

/* The CPU and I/O QoS inputs into s and *io; a malformed vcpuLimit or
   ioTune is logged once while it lasts and its values left absent (the
   policies then leave the CPU, or report the disk, rather than guess), as
   is tune metadata libvirt does not answer for. */
static void cpu_fill(struct guest_reader *r, virDomainPtr dom,
		     struct dom_state *st, struct guest_sample *s,
		     struct guest_io *io)
{
	struct guest_cpu c;

	guest_tune_read(dom, &c, io);
	s->io = io;
	warn_while(r, &st->io_bad, io->malformed || io->skipped,
		   "domain %s: metadata %s qos/ioTune: %u device(s) skipped "
		   "(no target-device name, or over %d), %u value(s) not a "
		   "whole number up to 1e15",
		   st->name, GUEST_TUNE_NS, io->skipped, GUEST_IO_MAX_DISKS,
		   io->malformed);
	warn_while(r, &st->limit_malformed, c.limit_malformed,
		   "domain %s: metadata %s qos/vcpuLimit is not a whole number "
		   "in [1, 100]: CPU limit not reported",
		   st->name, GUEST_TUNE_NS);
	warn_while(r, &st->tune_failed, c.limit_unread,
		   "domain %s: metadata %s not read (libvirt error): no CPU "
		   "or disk limit reported while it lasts",
		   st->name, GUEST_TUNE_NS);
	s->present[GUEST_VCPU_COUNT] = c.have_count;
	s->value[GUEST_VCPU_COUNT] = c.count;
	s->present[GUEST_VCPU_QUOTA_US] = c.have_quota;
	s->value[GUEST_VCPU_QUOTA_US] = (uint64_t)c.quota;
	s->present[GUEST_VCPU_PERIOD_US] = c.have_period;
	s->value[GUEST_VCPU_PERIOD_US] = c.period;
	s->present[GUEST_VCPU_USER_LIMIT_PCT] = c.have_limit;
	s->value[GUEST_VCPU_USER_LIMIT_PCT] = c.limit_pct;
}

/* Classifies the stats, logs state changes, computes the age. */
static void track_staleness(struct guest_reader *r, struct dom_state *st,
			    double now_wall_s, struct guest_sample *s)
{
	enum guest_stats_state state =
	    guest_classify(s->present, s->value, st->have_last_update,
			   st->last_update, r->cfg.stale_reads, &st->unchanged);

	if (state != st->state)
		r->cfg.log(r->cfg.log_opaque,
			   state == GUEST_STATS_OK ? GUEST_LOG_INFO
						   : GUEST_LOG_WARNING,
			   "domain %s: balloon statistics %s (was %s)",
			   st->name, guest_stats_state_name(state),
			   guest_stats_state_name(st->state));
	st->state = state;
	s->state = state;
	st->have_last_update = s->present[GUEST_LAST_UPDATE_S];
	st->last_update = s->value[GUEST_LAST_UPDATE_S];
	if (s->present[GUEST_LAST_UPDATE_S] && s->value[GUEST_LAST_UPDATE_S]) {
		double age = now_wall_s - (double)s->value[GUEST_LAST_UPDATE_S];

		s->have_age = true;
		s->stats_age_s = age > 0 ? age : 0;
	}
}

struct read_args {
	int64_t now_ns;
	double now_wall_s;
	guest_sample_fn cb;
	void *opaque;
};

/* Reads one domain and reports it: from its bulk record (params, nparams;
   none when listed) or, failing that, per domain unless proven (see
   guest_bulk_use).  Returns 1 when reported, 0 when filtered out, skipped
   or failed (the failure was logged by the error handler). */
static int read_domain(struct guest_reader *r, virDomainPtr dom,
		       const virTypedParameter *params, int nparams,
		       bool proven, size_t idx, const struct read_args *a)
{
	const char *name = virDomainGetName(dom);
	struct guest_sample s = {0};
	struct guest_io io;
	struct dom_state *st;
	enum guest_bulk_use use;

	if (name == NULL || !guest_name_wanted(&r->cfg, name))
		return 0;
	st = state_for(r, dom, name, idx);
	if (st == NULL)
		return 0;
	st->seen = true;
	use = guest_bulk_use(guest_stats_bulk_memory(params, nparams), proven);
	/* Everything else this read would ask of the domain may wait for
	   the same job (the stats period, the disks' live limits): the whole
	   sample waits for the next read. */
	warn_while(r, &st->busy, use == GUEST_BULK_SKIP,
		   "domain %s: balloon statistics not available without "
		   "waiting for the domain's libvirt job (held by another "
		   "call; a QEMU that does not answer?): not sent while it "
		   "lasts",
		   st->name);
	if (use == GUEST_BULK_SKIP)
		return 0;
	set_period(r, dom, st, a->now_ns);
	if (use == GUEST_BULK_USE)
		guest_stats_from_bulk(params, nparams, &s);
	else if (guest_stats_from_domain(dom, &s) < 0)
		return 0;
	min_refresh(r, dom, st, a->now_ns);
	s.present[GUEST_MINIMUM_KIB] = st->min_known;
	s.value[GUEST_MINIMUM_KIB] = st->min_kib;
	s.min_source = st->min_source;
	cpu_fill(r, dom, st, &s, &io);
	props_fill(st, &s);
	track_staleness(r, st, a->now_wall_s, &s);
	s.name = st->name;
	s.uuid = st->uuid_str;
	a->cb(&s, a->opaque);
	return 1;
}

/* The bulk call, without waiting for any domain's job while the daemon
   takes NOWAIT.  One that refuses it (older than libvirt 4.5, or a driver
   without it: "invalid argument", not logged) is asked again without it,
   and if that works, never with it again on this connection. */
static int bulk_stats(struct guest_reader *r, virDomainStatsRecordPtr **recs)
{
	const unsigned int active = VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE;
	virErrorPtr e;
	int n;

	if (!r->nowait_ok)
		return virConnectGetAllDomainStats(
		    r->conn, VIR_DOMAIN_STATS_BALLOON, recs, active);
	r->errlog.quiet_invalid_arg = true;
	n = virConnectGetAllDomainStats(
	    r->conn, VIR_DOMAIN_STATS_BALLOON, recs,
	    active | VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT);
	r->errlog.quiet_invalid_arg = false;
	e = n < 0 ? virGetLastError() : NULL;
	if (e == NULL || e->code != VIR_ERR_INVALID_ARG)
		return n;
	n = virConnectGetAllDomainStats(r->conn, VIR_DOMAIN_STATS_BALLOON, recs,
					active);
	if (n >= 0) {
		r->nowait_ok = false;
		r->cfg.log(r->cfg.log_opaque, GUEST_LOG_WARNING,
			   "libvirt refuses to read statistics without "
			   "waiting (NOWAIT): a domain whose job is held "
			   "delays every guest's sample");
	}
	return n;
}

static int read_bulk(struct guest_reader *r, const struct read_args *a)
{
	virDomainStatsRecordPtr *recs = NULL;
	int n, done = 0;

	n = bulk_stats(r, &recs);
	if (n < 0) {
		virErrorPtr e = virGetLastError();

		if (e != NULL && e->code == VIR_ERR_NO_SUPPORT)
			r->bulk_ok = false;
		return -EIO;
	}
	/* Proven by any record of this listing too, so that a domain busy
	   at the first read after connecting is not asked alone. */
	for (int i = 0; i < n && !r->bulk_proven; i++)
		r->bulk_proven =
		    guest_stats_bulk_memory(recs[i]->params, recs[i]->nparams);
	for (int i = 0; i < n; i++)
		done +=
		    read_domain(r, recs[i]->dom, recs[i]->params,
				recs[i]->nparams, r->bulk_proven, (size_t)i, a);
	virDomainStatsRecordListFree(recs);
	return done;
}

static int read_listed(struct guest_reader *r, const struct read_args *a)
{
	virDomainPtr *doms = NULL;
	int n, done = 0;

	n = virConnectListAllDomains(r->conn, &doms,
				     VIR_CONNECT_LIST_DOMAINS_ACTIVE);
	if (n < 0)
		return -EIO;
	for (int i = 0; i < n; i++) {
		done += read_domain(r, doms[i], NULL, 0, false, (size_t)i, a);
		virDomainFree(doms[i]);
	}
	free(doms);
	return done;
}

/* One listing pass.  Returns the count, or -EIO when the listing failed. */
static int read_all(struct guest_reader *r, const struct read_args *a)
{
	int rc = -EIO;

	if (r->bulk_ok)
		rc = read_bulk(r, a);
	if (rc < 0 && !r->bulk_ok)
		rc = read_listed(r, a);
	return rc;
}

/* guest_reader_read() proper, with error attribution switched on. */
static int read_once(struct guest_reader *r, int64_t now_ns, double now_wall_s,
		     guest_sample_fn cb, void *opaque)
{
	struct read_args a = {now_ns, now_wall_s, cb, opaque};
	int rc;

	if (conn_ensure(r) < 0)
		return -ENOTCONN;
	rc = read_all(r, &a);
	if (rc < 0 && virConnectIsAlive(r->conn) != 1) {
		/* libvirtd went away since the last read: one retry. */
		for (size_t i = 0; i < r->n_doms; i++)
			r->doms[i]->seen = false;
		if (conn_ensure(r) < 0)
			return -ENOTCONN;
		rc = read_all(r, &a);
	}
	if (rc < 0) {
		for (size_t i = 0; i < r->n_doms; i++)
			r->doms[i]->seen = false;
		return rc;
	}
	state_sweep(r);
	return rc;
}

int guest_reader_read(struct guest_reader *r, int64_t now_ns, double now_wall_s,
		      guest_sample_fn cb, void *opaque)
{
	int rc;

	guest_errlog_reading(&r->errlog, true);
	rc = read_once(r, now_ns, now_wall_s, cb, opaque);
	guest_errlog_reading(&r->errlog, false);
	return rc;
}

/* ---- lifecycle ------------------------------------------------------ */

struct guest_reader *guest_reader_new(const struct guest_config *c)
{
	struct guest_reader *r = calloc(1, sizeof(*r));
	bool ok_inc, ok_exc;

	if (r == NULL)
		return NULL;
	r->cfg = *c;
	r->cfg.uri = NULL;
	r->cfg.include = globlist_copy(c->include, c->n_include, &ok_inc);
	r->cfg.exclude = globlist_copy(c->exclude, c->n_exclude, &ok_exc);
	if (!ok_inc || !ok_exc) {
		r->cfg.n_include = ok_inc ? r->cfg.n_include : 0;
		r->cfg.n_exclude = ok_exc ? r->cfg.n_exclude : 0;
		goto fail;
	}
	if (c->uri != NULL) {
		r->cfg.uri = strdup(c->uri);
		if (r->cfg.uri == NULL)
			goto fail;
	}
	if (r->cfg.stale_reads == 0)
		r->cfg.stale_reads = 1;
	if (guest_errlog_init(&r->errlog, r->cfg.log, r->cfg.log_opaque) < 0)
		goto fail;
	r->bulk_ok = true;
	domxml_init();
	guest_errlog_install(&r->errlog);
	return r;
fail:
	globlist_free(r->cfg.include, r->cfg.n_include);
	globlist_free(r->cfg.exclude, r->cfg.n_exclude);
	free((char *)r->cfg.uri);
	free(r);
	return NULL;
}

void guest_reader_free(struct guest_reader *r)
{
	if (r == NULL)
		return;
	conn_close(r);
	guest_errlog_uninstall(&r->errlog);
	for (size_t i = 0; i < r->n_doms; i++)
		dom_state_free(r->doms[i]);
	free(r->doms);
	globlist_free(r->cfg.include, r->cfg.n_include);
	globlist_free(r->cfg.exclude, r->cfg.n_exclude);
	free((char *)r->cfg.uri);
	guest_errlog_destroy(&r->errlog);
	free(r);
}
