/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.h: the recent samples of the host and of each guest.
 *
 * Values arrive one field at a time (collectd dispatches each metric on its
 * own, through several write threads, in any order).  The store groups them
 * into samples by their collectd timestamp, keeps each entity's samples
 * sorted by time in a bounded history, and turns the whole into an
 * immutable snapshot for the evaluator.
 *
 * A sample is "settled" when a newer one exists, when it holds every field
 * that the sample before it held and a guest's has a value of each disk
 * that had one in the sample before (store_disk.h), or when no value has
 * arrived for it for settle_ms.  Only settled samples reach a snapshot, so the
 * policy never sees a half-delivered sample.  An entity without a settled
 * sample is left out, as MOM left out guests that were not ready.
 *
 * The store is not thread-safe: the engine's lock guards it.  Snapshots are
 * independent copies and may be read without the lock.
 */
#ifndef MOM_STORE_H
#define MOM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "snapshot.h"

struct store;

/* history: samples per entity given to policies (1..SNAPSHOT_HISTORY_MAX). */
struct store *store_new(int history, int expiry_ms, int settle_ms);
void store_free(struct store *st);

/* Guests a store holds at most unless store_set_max_guests() says else. */
#define STORE_MAX_GUESTS_DEFAULT 1024

/* A value for a guest beyond max_guests is refused with -ENOSPC. */
void store_set_max_guests(struct store *st, size_t max_guests);

/*
 * Record field f = value of the host (name == NULL) or of a guest, for the
 * sample taken at t (seconds since the epoch).  A guest is keyed by its
 * UUID when uuid is non-empty, else by its name; name is what snapshots
 * show.  Rate fields take the raw counter.  now_ms is the monotonic clock.
 * Returns 0, 1 (not stored: the entity's history is full and t is older
 * than all of it), -ENOSPC (a new guest beyond max_guests), -EINVAL (a
 * name over 255 bytes) or -ENOMEM.
 */
int store_put_guest(struct store *st, const char *uuid, const char *name,
		    double t, int f, double value, int64_t now_ms);
/*
 * Record disk field f = value of disk dev (a target device, "vda") of a
 * guest, keyed as store_put_guest() keys it (store_disk.h says how disks
 * are kept).  Snapshots carry a guest's disks whose sample has the time of
 * the guest's newest settled sample.  Returns 0, -ENOSPC (a new guest
 * beyond max_guests), -EMLINK (a new disk beyond SNAPSHOT_DISKS_PER_GUEST,
 * store_disk.h), -EINVAL (a bad device, field or name) or -ENOMEM.
 */
int store_put_disk(struct store *st, const char *uuid, const char *name,
		   const char *dev, double t, int f, double value,
		   int64_t now_ms);
/* store_put_guest() without a UUID: the guest is keyed by its name. */
int store_put(struct store *st, const char *guest, double t, int f,
	      double value, int64_t now_ms);

/*
 * Forget every sample dated after t_max (seconds since the epoch), the
 * host's, the guests' and their disks': samples stamped before the wall
 * clock was stepped back (NTP), which would otherwise stay each entity's
 * newest, hiding the samples that arrive after the step, for as long as
 * the step.  Returns how many samples were forgotten.
 */
size_t store_forget_after(struct store *st, double t_max);

/* Forget guests that have reported nothing for expiry_ms.  Returns how many. */
size_t store_expire(struct store *st, int64_t now_ms);

size_t store_guest_count(const struct store *st);

/*
 * Freshness.  A guest whose newest value arrived more than stale_ms ago
 * (monotonic), or whose newest sample was taken more than stale_ms before
 * the host's newest memory sample (sample times, one clock: the write
 * plugin's queue delivers old samples after a restart of momd), is left
 * out of snapshots until its values return (0: never; it is still
 * forgotten after expiry_ms).  The host's freshness is when
 * its memory (MemFree) last arrived: the other host values (KSM, vmstat)
 * keep coming when only /proc/meminfo fails to parse, and policies decide
 * on memory.  Only a MemFree of the host's newest sample counts: one for
 * an older sample (the wall clock stepped back less than the ingest window
 * lets store_forget_after() see) shows nothing newer to decide on.
 * store_host_seen() returns that monotonic ms, or 0 if never;
 * store_host_seen_time() the sample's own time (seconds since the epoch,
 * as collectd dated it), or 0 if never: a sample that arrives now may have
 * been taken long ago (sent late from the write plugin's queue).
 */
void store_set_stale_ms(struct store *st, int64_t stale_ms);
int64_t store_host_seen(const struct store *st);
double store_host_seen_time(const struct store *st);

/*
 * Whether the round of the host's newest sample has arrived whole, as a
 * snapshot at now_ms would show it: the host's newest sample is settled,
 * and every guest of the previous round (one with a sample at the time of
 * the host's sample before the newest: collectd's read plugin stamps a
 * read's values, the host's and every guest's, with one time) has a
 * settled sample at least as new as the host's newest, its disks' samples
 * of that time settled too (store_disk.h).  A guest new this round, or
 * one that was missing from the last, is not waited for; one that has
 * gone is, until the caller's bound.  True with no host sample.
 * O(guests x (fields + disks x disk fields)).
 */
bool store_round_complete(const struct store *st, int64_t now_ms);

/*
 * Call f(name, age_ms, stale, arg) for every guest (f may be NULL), in
 * name order: the time since its last value, and whether it is left out
 * as stale at now_ms.  name is unique among all the store's guests, as
 * snapshots make it (store_names.h): a stale guest does not share its
 * name with another guest, stale or not.  Returns how many are stale.
 */
size_t store_guest_ages(const struct store *st, int64_t now_ms,
			void (*f)(const char *name, int64_t age_ms, bool stale,
				  void *arg),
			void *arg);

struct store_snapshot;

/*
 * Build a snapshot of the settled samples, with rates and derived fields
 * computed.  params are copied.  Returns NULL when out of memory.
 */
struct store_snapshot *store_snapshot_new(const struct store *st,
					  int64_t now_ms,
					  const struct snap_param *params,
					  size_t nparams);
const struct snapshot *store_snapshot_get(const struct store_snapshot *s);
void store_snapshot_free(struct store_snapshot *s);

/*
 * Set field f of guest g's newest row (a field momd derives from its own
 * state, not from the samples: balloon_target).  Nothing for a guest
 * without samples or an index out of range.
 */
void store_snapshot_set_latest(struct store_snapshot *s, size_t g, int f,
			       double v);

/*
 * Compute the derived fields of one row in place (used by the store and by
 * the evaluation-case reader, so both derive alike).  Only absent derived
 * fields are filled.
 */
void store_derive_host_row(double *row);
void store_derive_guest_row(double *row, double sample_time);

#endif /* MOM_STORE_H */
