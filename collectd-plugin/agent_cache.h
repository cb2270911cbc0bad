/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_cache.h: guest-agent statistics kept off the read path.
 *
 * A worker thread with its own libvirt connection lists the running
 * domains every interval and hands each one due to a pool of poller
 * threads, which poll its agent (agent_read.h) and publish the last parsed
 * result per domain UUID with the time it was taken.  The read
 * plugin only copies from this table (a mutex held for a memcpy), so a
 * slow, frozen or dead agent never delays it or the balloon statistics.
 *
 * A domain whose agent does not answer (no channel, not connected, timed
 * out) is re-probed only after a backoff that doubles from backoff_ms up
 * to backoff_max_ms, and keeps its last good values, marked stale; one
 * that answers is polled every interval_ms.  A domain has at most one
 * poll queued or running, so a slow or frozen agent holds one poller and
 * the others' polls go on (unless as many such agents hold every poller).
 * Entries of domains that stopped running are
 * dropped, and so are domains the include/exclude globs leave out.  No
 * logging: failures are in each entry (last_error).
 *
 * Each domain keeps its three files' agent handles open between polls
 * (agent_read_stats with struct agent_handles): 6 agent calls per poll
 * instead of 9.  They are closed best-effort, each close bounded by
 * timeout_s, when a read on them fails and when the cache stops; they are
 * forgotten without a call when the domain stops running or its domain ID
 * changes (a new QEMU process: the old agent and its handles are gone).
 */
#ifndef MOM_AGENT_CACHE_H
#define MOM_AGENT_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "agent_parse.h"
#include "agent_read.h"

#define AGENT_UUID_LEN 16 /* VIR_UUID_BUFLEN */

struct agent_cache_conf {
	const char *uri;    /* libvirt URI, e.g. "qemu:///system" */
	int interval_ms;    /* poll period of a responding agent */
	int timeout_s;	    /* per agent call (libvirt: whole seconds) */
	int backoff_ms;	    /* first re-probe delay after a failure */
	int backoff_max_ms; /* cap of the doubling backoff */
	int stale_ms;	    /* values older than this are stale (0: 3 x
			       interval + timeout) */
	int max_domains;    /* entries kept at most (0: 1024) */
	int spill_ms;	    /* a queued poll waits this long for the one
			       under way before another poller takes it
			       (0: 100; see agent_cache.c) */
	/* The read plugin's IncludeDomain/ExcludeDomain globs (copied at
	   start): other domains' agents are never called. */
	char *const *include;
	size_t n_include;
	char *const *exclude;
	size_t n_exclude;
	/* The agent transport of a domain (a virDomainPtr); NULL for
	   agent_transport_libvirt.  Tests plug in a scripted agent. */
	struct agent_transport (*transport)(void *dom, int timeout_s);
};

/* Defaults for each 0 field of a conf (uri NULL: qemu:///system). */
void agent_cache_conf_defaults(struct agent_cache_conf *c);

enum agent_state {
	AGENT_STATE_UNKNOWN, /* not polled yet */
	AGENT_STATE_OK,	     /* last poll parsed at least one file */
	AGENT_STATE_FAILING, /* last poll failed: backing off */
};

struct agent_result {
	enum agent_state state;
	bool has_stats;		  /* stats hold a successful reading */
	bool stale;		  /* no reading, the last poll failed, older
				     than stale_ms, or taken under another
				     domain ID than the worker last listed
				     (the domain started anew) */
	struct agent_stats stats; /* the last successful reading */
	int64_t age_ms;		  /* since that reading (-1: none) */
	int64_t next_poll_ms;	  /* until the next attempt (0: due now) */
	uint64_t polls;		  /* attempts (probes included) */
	uint64_t failures;	  /* attempts that found no agent */
	uint64_t file_errors;	  /* files refused (read or parse) */
	int64_t poll_us;      /* wall time of the last attempt (three files) */
	int poll_calls;	      /* agent calls the last attempt made (6 through
				 kept handles, 9 when all three reopen) */
	char last_error[200]; /* the latest failure, "" if none */
};

struct agent_cache;

/* Start the worker (it connects to conf->uri itself, retrying every
   backoff_ms).  NULL with err on a bad conf or thread failure. */
struct agent_cache *agent_cache_start(const struct agent_cache_conf *conf,
				      char *err, size_t errlen);

/* Stop the worker and its pollers and free.  Waits for the polls under
   way (each at most about one call timeout more than a poll), then closes the
   handles kept in each running domain (per domain at most one call timeout
   more: the closes stop at the first one that finds no agent). */
void agent_cache_stop(struct agent_cache *c);

/* Copy the entry of the domain with this raw UUID.  0 if the worker has
   seen that domain running, -1 if not (out cleared, stale true).  Never
   blocks on an agent. */
int agent_cache_get(struct agent_cache *c,
		    const unsigned char uuid[AGENT_UUID_LEN],
		    struct agent_result *out);

/* The raw UUID of its canonical text form (36 characters, hex digits and
   dashes at 8, 13, 18, 23), as libvirt prints it.  0, or -1 on any other
   text. */
int agent_uuid_parse(const char *text, unsigned char uuid[AGENT_UUID_LEN]);

/* Completed poll rounds over all domains (for tests). */
uint64_t agent_cache_rounds(struct agent_cache *c);

#endif
