/* SPDX-License-Identifier: Apache-2.0 */
/*
 * store.c: per-entity sample histories in a hash table, keyed by the
 * guest's UUID when the sender gave one ("u:<uuid>"), else by its name
 * ("n:<name>").  A name from collectd is cut at 127 bytes and may have had
 * bytes replaced, so two domains can share one; their UUIDs differ.
 *
 * The table hashes with SipHash under a random key drawn per store, so a
 * sender cannot choose names that all land in one probe chain, and it holds
 * at most max_guests guests: a value for one more is refused (-ENOSPC),
 * which ingest counts.
 *
 * Each entity keeps history + 1 samples: the extra, oldest one lets the
 * first sample of the window get a rate.  Samples are sorted by time;
 * inserting out of order shifts at most history + 1 rows, which is cheaper
 * than any cleverer structure at these sizes.
 */
#include "store.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "field.h"
#include "siphash.h"
#include "store_disk.h"
#include "store_names.h"

struct entity {
	char *key;	   /* "u:<uuid>" or "n:<name>"; NULL for the host */
	char *name;	   /* for display; NULL for the host */
	size_t width;	   /* HOST_FIELD_COUNT or GUEST_FIELD_COUNT */
	size_t len;	   /* samples held, <= cap */
	double *time;	   /* cap sample times, ascending */
	int64_t *touched;  /* cap: monotonic ms of the last value per sample */
	double *values;	   /* cap rows of width, NaN = absent */
	int64_t last_seen; /* monotonic ms of the last value, any sample */
	struct disk_table *disks; /* a guest's disks (store_disk.h), or NULL */
};

struct store {
	int history;
	size_t cap; /* history + 1 */
	int expiry_ms, settle_ms;
	int64_t stale_ms;   /* 0: no guest is left out as stale */
	int64_t host_seen;  /* monotonic ms of the host's last MemFree */
	double host_seen_t; /* ... and the sample time it was for */
	struct entity host;
	struct entity **slots; /* open addressing; NULL = empty */
	size_t nslots, nguests, max_guests;
	uint8_t seed[SIPHASH_KEY_LEN]; /* random per store */
};

static int entity_init(struct entity *e, const char *key, const char *name,
		       size_t width, size_t cap)
{
	e->key = key ? strdup(key) : NULL;
	e->name = name ? strdup(name) : NULL;
	e->width = width;
	e->len = 0;
	e->time = calloc(cap, sizeof(*e->time));
	e->touched = calloc(cap, sizeof(*e->touched));
	e->values = calloc(cap * width, sizeof(*e->values));
	if ((key && !e->key) || (name && !e->name) || !e->time || !e->touched ||
	    !e->values)
		return -ENOMEM;
	return 0;
}

static void entity_release(struct entity *e)
{
	free(e->key);
	free(e->name);
	free(e->time);
	free(e->touched);
	free(e->values);
	disk_table_free(e->disks);
}

struct store *store_new(int history, int expiry_ms, int settle_ms)
{
	struct store *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->history = history;
	st->cap = (size_t)history + 1;
	st->expiry_ms = expiry_ms;
	st->settle_ms = settle_ms;
	st->nslots = 64;
	st->max_guests = STORE_MAX_GUESTS_DEFAULT;
	st->slots = calloc(st->nslots, sizeof(*st->slots));
	if (getrandom(st->seed, sizeof(st->seed), GRND_NONBLOCK) !=
	    (ssize_t)sizeof(st->seed)) {
		/* Early boot without entropy: still differs per process. */
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		memcpy(st->seed, &ts,
		       sizeof(ts) < sizeof(st->seed) ? sizeof(ts)
						     : sizeof(st->seed));
		st->seed[0] ^= (uint8_t)(uintptr_t)st;
	}
	if (!st->slots ||
	    entity_init(&st->host, NULL, NULL, HOST_FIELD_COUNT, st->cap) < 0) {
		store_free(st);
		return NULL;
	}
	return st;
}

void store_free(struct store *st)
{
	if (!st)
		return;
	for (size_t i = 0; st->slots && i < st->nslots; i++) {
		if (st->slots[i]) {
			entity_release(st->slots[i]);
			free(st->slots[i]);
		}
	}
	free(st->slots);
	entity_release(&st->host);
	free(st);
}

void store_set_max_guests(struct store *st, size_t max_guests)
{
	st->max_guests = max_guests;
}

/* The slot holding key, or the empty slot where it would go. */
static size_t slot_find(const struct store *st, const char *key)
{
	size_t i = siphash24(st->seed, key, strlen(key)) & (st->nslots - 1);

	while (st->slots[i] && strcmp(st->slots[i]->key, key) != 0)
		i = (i + 1) & (st->nslots - 1);
	return i;
}

static int slots_grow(struct store *st)
{
	struct entity **old = st->slots;
	size_t oldn = st->nslots;

	st->slots = calloc(oldn * 2, sizeof(*st->slots));
	if (!st->slots) {
		st->slots = old;
		return -ENOMEM;
	}
	st->nslots = oldn * 2;
	for (size_t i = 0; i < oldn; i++)
		if (old[i])
			st->slots[slot_find(st, old[i]->key)] = old[i];
	free(old);
	return 0;
}

/* The guest of key, created if new; NULL with *err = -ENOSPC when that
   would exceed max_guests, or -ENOMEM. */
static struct entity *guest_get(struct store *st, const char *key,
				const char *name, int *err)
{
	size_t i = slot_find(st, key);
	struct entity *e;

	*err = -ENOMEM;
	if (st->slots[i])
		return st->slots[i];
	if (st->nguests >= st->max_guests) {
		*err = -ENOSPC;
		return NULL;
	}
	/* Keep the table at most half full so probes stay short. */
	if ((st->nguests + 1) * 2 > st->nslots) {
		if (slots_grow(st) < 0)
			return NULL;
		i = slot_find(st, key);
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return NULL;
	if (entity_init(e, key, name, GUEST_FIELD_COUNT, st->cap) < 0) {
		entity_release(e);
		free(e);
		return NULL;
	}
	st->slots[i] = e;
	st->nguests++;
	return e;
}

/* Index of the sample at time t, inserting an empty one; -1 if too old. */
static long sample_slot(struct entity *e, size_t cap, double t)
{
	size_t i, pos;

	for (i = e->len; i > 0; i--) {
		if (e->time[i - 1] == t)
			return (long)(i - 1);
		if (e->time[i - 1] < t)
			break;
	}
	pos = i;
	if (e->len == cap) {
		if (pos == 0)
			return -1; /* older than everything we keep */
		/* Drop the oldest sample to make room. */
		memmove(e->time, e->time + 1, (cap - 1) * sizeof(*e->time));
		memmove(e->touched, e->touched + 1,
			(cap - 1) * sizeof(*e->touched));
		memmove(e->values, e->values + e->width,
			(cap - 1) * e->width * sizeof(*e->values));
		e->len--;
		pos--;
	}
	memmove(e->time + pos + 1, e->time + pos,
		(e->len - pos) * sizeof(*e->time));
	memmove(e->touched + pos + 1, e->touched + pos,
		(e->len - pos) * sizeof(*e->touched));
	memmove(e->values + (pos + 1) * e->width, e->values + pos * e->width,
		(e->len - pos) * e->width * sizeof(*e->values));
	e->time[pos] = t;
	for (size_t f = 0; f < e->width; f++)
		e->values[pos * e->width + f] = FIELD_ABSENT;
	e->len++;
	return (long)pos;
}

/* The guest entity of (uuid, name), created as needed, named name. */
static struct entity *guest_for(struct store *st, const char *uuid,
				const char *name, int *err)
{
	/* "u:" + a UUID or "n:" + a name of at most 127 bytes (collectd's
	   limit), with room to spare for longer names from elsewhere.  The
	   bound holds for every guest, keyed by name or not: a snapshot's
	   unique names rely on it (store_names.h). */
	char key[2 + STORE_NAMES_MAX + 1];
	struct entity *e;

	*err = -EINVAL;
	if (strlen(name) > STORE_NAMES_MAX)
		return NULL;
	if (uuid && uuid[0])
		snprintf(key, sizeof(key), "u:%s", uuid);
	else
		snprintf(key, sizeof(key), "n:%s", name);
	e = guest_get(st, key, name, err);
	/* A domain renamed keeps its UUID: show the new name. */
	if (e && strcmp(e->name, name) != 0) {
		char *n = strdup(name);

		if (!n) {
			*err = -ENOMEM;
			return NULL;
		}
		free(e->name);
		e->name = n;
	}
	return e;
}

int store_put_guest(struct store *st, const char *uuid, const char *name,
		    double t, int f, double value, int64_t now_ms)
{
	struct entity *e = &st->host;
	int err = 0;
	long i;

	if (name)
		e = guest_for(st, uuid, name, &err);
	if (!e)
		return err;
	if (f < 0 || (size_t)f >= e->width)
		return -EINVAL;
	i = sample_slot(e, st->cap, t);
	if (i < 0)
		return 1; /* older than all the history kept */
	e->values[i * e->width + f] = value;
	e->touched[i] = now_ms;
	e->last_seen = now_ms;
	/* The host is fresh when its newest sample is (store.h). */
	if (!name && f == HF_MEM_UNUSED && field_present(value) &&
	    (size_t)i == e->len - 1) {
		st->host_seen = now_ms;
		st->host_seen_t = t;
	}
	return 0;
}

int store_put_disk(struct store *st, const char *uuid, const char *name,
		   const char *dev, double t, int f, double value,
		   int64_t now_ms)
{
	int err = 0;
	struct entity *e = guest_for(st, uuid, name, &err);

	if (!e)
		return err;
	err = disk_table_put(&e->disks, dev, t, f, value, now_ms);
	if (err == 0)
		e->last_seen = now_ms;
	return err;
}

void store_set_stale_ms(struct store *st, int64_t stale_ms)
{
	st->stale_ms = stale_ms;
}

int64_t store_host_seen(const struct store *st)
{
	return st->host_seen;
}

double store_host_seen_time(const struct store *st)
{
	return st->host_seen_t;
}

/* Silent for stale_ms, or its newest sample taken stale_ms before the
   host's newest memory (store.h): one sent late, with the host's fresh. */
static bool entity_stale(const struct store *st, const struct entity *e,
			 int64_t now_ms)
{
	return st->stale_ms > 0 &&
	       (now_ms - e->last_seen > st->stale_ms ||
		(st->host_seen > 0 && e->len > 0 &&
		 (st->host_seen_t - e->time[e->len - 1]) * 1000.0 >
		     (double)st->stale_ms));
}

static const char *entity_uuid(const struct entity *e)
{
	return e->key && strncmp(e->key, "u:", 2) == 0 ? e->key + 2 : NULL;
}

/* Call f for e, shown as name; whether e is stale. */
static bool guest_age(const struct store *st, const struct entity *e,
		      const char *name, int64_t now_ms,
		      void (*f)(const char *, int64_t, bool, void *), void *arg)
{
	bool stale = entity_stale(st, e, now_ms);

	if (f)
		f(name, now_ms - e->last_seen, stale, arg);
	return stale;
}

size_t store_guest_ages(const struct store *st, int64_t now_ms,
			void (*f)(const char *name, int64_t age_ms, bool stale,
				  void *arg),
			void *arg)
{
	/* Named as a snapshot names them, among all the store's guests:
	   two domains "x", one stale, must not both be "x" (store_names.h).
	   len holds the guest's slot. */
	struct snap_entity *g = calloc(st->nguests + 1, sizeof(*g));
	struct store_names aliases = {0};
	size_t n = 0, ng = 0;

	for (size_t i = 0; g && i < st->nslots; i++)
		if (st->slots[i])
			g[ng++] = (struct snap_entity){
			    .name = st->slots[i]->name,
			    .uuid = entity_uuid(st->slots[i]),
			    .len = i};
	if (g && store_names_unique(g, &ng, &aliases) == 0) {
		for (size_t k = 0; k < ng; k++)
			n += guest_age(st, st->slots[g[k].len], g[k].name,
				       now_ms, f, arg);
	} else {
		/* Out of memory: by their own names. */
		for (size_t i = 0; i < st->nslots; i++)
			if (st->slots[i])
				n += guest_age(st, st->slots[i],
					       st->slots[i]->name, now_ms, f,
					       arg);
	}
	store_names_free(&aliases);
	free(g);
	return n;
}

int store_put(struct store *st, const char *guest, double t, int f,
	      double value, int64_t now_ms)
{
	return store_put_guest(st, NULL, guest, t, f, value, now_ms);
}

/* Drop e's samples dated after t_max (they are its newest). */
static size_t entity_forget_after(struct entity *e, double t_max)
{
	size_t n = 0;

	while (e->len > 0 && e->time[e->len - 1] > t_max) {
		e->len--;
		n++;
	}
	return n + disk_table_forget_after(e->disks, t_max);
}

size_t store_forget_after(struct store *st, double t_max)
{
	size_t n = entity_forget_after(&st->host, t_max);

	for (size_t i = 0; i < st->nslots; i++)
		if (st->slots[i])
			n += entity_forget_after(st->slots[i], t_max);
	return n;
}

/*
 * Re-place every guest after deletions, in place.  A key is found by
 * walking from its home slot to the first empty one, so a guest placed
 * past a slot that was emptied would be lost: the next value would create
 * a second guest of its key.  Taken out and re-inserted cluster by
 * cluster from the slot after an empty one (the table is at most half
 * full), each lands at or before where it was.  Nothing is allocated: a
 * fresh table whose allocation failed left the broken chains in place.
 */
static void slots_reseat(struct store *st)
{
	size_t mask = st->nslots - 1, start = 0;

	while (st->slots[start])
		start = (start + 1) & mask;
	for (size_t k = 1; k <= st->nslots; k++) {
		size_t i = (start + k) & mask;
		struct entity *e = st->slots[i];

		if (!e)
			continue;
		st->slots[i] = NULL;
		st->slots[slot_find(st, e->key)] = e;
	}
}

size_t store_expire(struct store *st, int64_t now_ms)
{
	size_t n = 0;

	for (size_t i = 0; i < st->nslots; i++) {
		struct entity *e = st->slots[i];

		if (!e || now_ms - e->last_seen < st->expiry_ms)
			continue;
		entity_release(e);
		free(e);
		st->slots[i] = NULL;
		st->nguests--;
		n++;
	}
	if (n)
		slots_reseat(st);
	return n;
}

size_t store_guest_count(const struct store *st)
{
	return st->nguests;
}

/* How many of e's samples are settled (they are always the oldest ones). */
static size_t settled_count(const struct store *st, const struct entity *e,
			    int64_t now_ms)
{
	const double *newest, *prev;

	if (e->len == 0)
		return 0;
	if (now_ms - e->touched[e->len - 1] >= st->settle_ms)
		return e->len;
	if (e->len == 1)
		return 0;
	/* Complete when it holds every field its predecessor held, and every
	   disk that had a sample of its predecessor's time has one of its
	   time: a guest's disk values may come in a later batch than the
	   rest of its sample, and a snapshot of the sample without them
	   would lack the disk.  A disk gone (unplugged) holds the sample
	   until settle_ms, once. */
	newest = e->values + (e->len - 1) * e->width;
	prev = newest - e->width;
	for (size_t f = 0; f < e->width; f++)
		if (field_present(prev[f]) && !field_present(newest[f]))
			return e->len - 1;
	if (disk_table_newest_at(e->disks, e->time[e->len - 2]))
		return e->len - 1;
	return e->len;
}

/* Whether e has a sample of time t. */
static bool entity_has_time(const struct entity *e, double t)
{
	for (size_t i = e->len; i > 0; i--) {
		if (e->time[i - 1] == t)
			return true;
		if (e->time[i - 1] < t)
			break;
	}
	return false;
}

bool store_round_complete(const struct store *st, int64_t now_ms)
{
	const struct entity *h = &st->host;
	double newest, prev;

	if (h->len == 0)
		return true;
	if (settled_count(st, h, now_ms) < h->len)
		return false;
	if (h->len < 2)
		return true; /* no previous round to expect guests from */
	newest = h->time[h->len - 1];
	prev = h->time[h->len - 2];
	for (size_t i = 0; i < st->nslots; i++) {
		const struct entity *e = st->slots[i];
		size_t n;

		if (!e)
			continue;
		n = settled_count(st, e, now_ms);
		/* Its disks too: a disk's sample with fewer keys than its
		   last may still be coming, or show a limit removed; the
		   snapshot shows it once settled (store_disk.h). */
		if (n > 0 && e->time[n - 1] >= newest) {
			if (!disk_table_settled(e->disks, e->time[n - 1],
						now_ms, st->settle_ms))
				return false;
			continue;
		}
		if (entity_has_time(e, prev))
			return false;
	}
	return true;
}

void store_derive_host_row(double *row)
{
	if (!field_present(row[HF_MEM_FREE]))
		row[HF_MEM_FREE] = row[HF_MEM_UNUSED] + row[HF_MEM_BUFFERS] +
				   row[HF_MEM_CACHED];
	if (!field_present(row[HF_SWAP_USAGE]))
		row[HF_SWAP_USAGE] = row[HF_SWAP_TOTAL] - row[HF_SWAP_FREE];
}

void store_derive_guest_row(double *row, double sample_time)
{
	if (!field_present(row[GF_MEM_FREE]))
		row[GF_MEM_FREE] = row[GF_MEM_UNUSED] + row[GF_DISK_CACHES];
	if (!field_present(row[GF_SWAP_USAGE]))
		row[GF_SWAP_USAGE] = row[GF_SWAP_TOTAL] - row[GF_SWAP_FREE];
	/* A guest without a balloon driver reports last_update 0. */
	if (!field_present(row[GF_STATS_AGE]) && row[GF_LAST_UPDATE] > 0)
		row[GF_STATS_AGE] = sample_time - row[GF_LAST_UPDATE];
}

/*
 * Copy the newest `out_len` of the first `settled` samples of e into out,
 * turning counters into per-second rates and filling derived fields.
 */
static void entity_rows(const struct entity *e, size_t settled, size_t out_len,
			const struct field_desc *desc, double *out)
{
	size_t first = settled - out_len;

	for (size_t r = 0; r < out_len; r++) {
		size_t s = first + r;
		const double *raw = e->values + s * e->width;
		double *row = out + r * e->width;

		for (size_t f = 0; f < e->width; f++) {
			if (desc[f].kind == FIELD_GAUGE) {
				row[f] = raw[f];
				continue;
			}
			row[f] = FIELD_ABSENT;
			if (desc[f].kind != FIELD_RATE || s == 0)
				continue;
			const double *prev = raw - e->width;
			double dt = e->time[s] - e->time[s - 1];

			/* A counter that went back was reset: no rate. */
			if (dt > 0 && raw[f] >= prev[f])
				row[f] = (raw[f] - prev[f]) / dt;
		}
		/* The host is the entity without a key (not told by its
		   width: the two field counts may become equal). */
		if (e->key == NULL)
			store_derive_host_row(row);
		else
			store_derive_guest_row(row, e->time[s]);
	}
}

struct store_snapshot {
	struct snapshot snap;
	struct snap_param *params;
	struct snap_entity *guests;
	char *names; /* all names and parameter names, NUL-separated */
	struct store_names aliases; /* "name [uuid]" (store_names.h) */
	double *rows;		    /* every entity's rows */
	struct snap_disk *disks;
	char (*devs)[32]; /* the disks' names, copied */
	double *disk_rows;
};

/* The store's entity of a snapshot guest (its key from its UUID, or from
   its name, which store_names_unique() changes only for guests with a
   UUID). */
static const struct entity *entity_of(const struct store *st,
				      const struct snap_entity *g)
{
	char key[2 + STORE_NAMES_MAX + 1];

	if (g->uuid)
		snprintf(key, sizeof(key), "u:%s", g->uuid);
	else
		snprintf(key, sizeof(key), "n:%s", g->name);
	return st->slots[slot_find(st, key)];
}

/* The disks of guest g at the time of its newest settled sample. */
static size_t guest_disks(const struct store *st, const struct snap_entity *g,
			  int64_t now_ms, const char **devs,
			  const double **rows)
{
	const struct entity *e = entity_of(st, g);
	size_t settled, n;

	if (!e || !e->disks || !(settled = settled_count(st, e, now_ms)))
		return 0;
	n = disk_table_at(e->disks, e->time[settled - 1], now_ms, st->settle_ms,
			  devs, rows, SNAPSHOT_DISKS_PER_GUEST);
	return n < SNAPSHOT_DISKS_PER_GUEST ? n : SNAPSHOT_DISKS_PER_GUEST;
}

/* The snapshot's disks, after its guests are in their final order. */
static int snapshot_disks(const struct store *st, struct store_snapshot *s,
			  int64_t now_ms)
{
	const char *devs[SNAPSHOT_DISKS_PER_GUEST];
	const double *rows[SNAPSHOT_DISKS_PER_GUEST];
	size_t nd = 0, d = 0;

	for (size_t g = 0; g < s->snap.nguests; g++)
		nd += guest_disks(st, &s->guests[g], now_ms, devs, rows);
	if (!nd)
		return 0;
	s->disks = calloc(nd, sizeof(*s->disks));
	s->devs = calloc(nd, sizeof(*s->devs));
	s->disk_rows = calloc(nd * DISK_FIELD_COUNT, sizeof(*s->disk_rows));
	if (!s->disks || !s->devs || !s->disk_rows)
		return -ENOMEM;
	for (size_t g = 0; g < s->snap.nguests; g++) {
		size_t n = guest_disks(st, &s->guests[g], now_ms, devs, rows);

		for (size_t k = 0; k < n && d < nd; k++, d++) {
			double *row = s->disk_rows + d * DISK_FIELD_COUNT;

			snprintf(s->devs[d], sizeof(s->devs[d]), "%s", devs[k]);
			memcpy(row, rows[k], DISK_FIELD_COUNT * sizeof(*row));
			s->disks[d] =
			    (struct snap_disk){g, {s->devs[d], 1, row, NULL}};
		}
	}
	s->snap.disks = s->disks;
	s->snap.ndisks = d;
	return 0;
}

struct store_snapshot *store_snapshot_new(const struct store *st,
					  int64_t now_ms,
					  const struct snap_param *params,
					  size_t nparams)
{
	struct store_snapshot *s = calloc(1, sizeof(*s));
	size_t nrows = 0, names_len = 0, ng = 0, hist = (size_t)st->history;
	size_t host_settled, *settled = NULL;
	char *np;
	double *rp;

	if (!s)
		return NULL;
	settled = calloc(st->nslots, sizeof(*settled));
	if (!settled)
		goto fail;
	/* First pass: sizes. */
	host_settled = settled_count(st, &st->host, now_ms);
	nrows += (host_settled < hist ? host_settled : hist) * HOST_FIELD_COUNT;
	for (size_t i = 0; i < st->nslots; i++) {
		const struct entity *e = st->slots[i];

		if (!e || entity_stale(st, e, now_ms) ||
		    (settled[i] = settled_count(st, e, now_ms)) == 0)
			continue;
		ng++;
		nrows += (settled[i] < hist ? settled[i] : hist) * e->width;
		names_len += strlen(e->name) + 1;
		if (entity_uuid(e))
			names_len += strlen(entity_uuid(e)) + 1;
	}
	for (size_t i = 0; i < nparams; i++)
		names_len += strlen(params[i].name) + 1;

	s->params = calloc(nparams ? nparams : 1, sizeof(*s->params));
	s->guests = calloc(ng ? ng : 1, sizeof(*s->guests));
	s->names = malloc(names_len ? names_len : 1);
	s->rows = malloc((nrows ? nrows : 1) * sizeof(*s->rows));
	if (!s->params || !s->guests || !s->names || !s->rows)
		goto fail;

	/* Second pass: copy. */
	np = s->names;
	rp = s->rows;
	for (size_t i = 0; i < nparams; i++) {
		s->params[i].name = strcpy(np, params[i].name);
		np += strlen(np) + 1;
		s->params[i].value = params[i].value;
	}
	s->snap.params = s->params;
	s->snap.nparams = nparams;

	s->snap.host.name = "host";
	s->snap.host.len = host_settled < hist ? host_settled : hist;
	s->snap.host.values = rp;
	entity_rows(&st->host, host_settled, s->snap.host.len, host_fields, rp);
	rp += s->snap.host.len * HOST_FIELD_COUNT;

	ng = 0;
	for (size_t i = 0; i < st->nslots; i++) {
		const struct entity *e = st->slots[i];
		struct snap_entity *g;

		if (!e || settled[i] == 0)
			continue;
		g = &s->guests[ng++];
		g->name = strcpy(np, e->name);
		np += strlen(np) + 1;
		g->uuid = entity_uuid(e) ? strcpy(np, entity_uuid(e)) : NULL;
		if (g->uuid)
			np += strlen(np) + 1;
		g->len = settled[i] < hist ? settled[i] : hist;
		g->values = rp;
		entity_rows(e, settled[i], g->len, guest_fields, rp);
		rp += g->len * e->width;
	}
	/* Name order makes plans, logs and API answers deterministic; one
	   name per guest, as they are told by name (store_names.h). */
	if (store_names_unique(s->guests, &ng, &s->aliases) < 0)
		goto fail;
	s->snap.guests = s->guests;
	s->snap.nguests = ng;
	if (snapshot_disks(st, s, now_ms) < 0)
		goto fail;
	free(settled);
	return s;
fail:
	free(settled);
	store_snapshot_free(s);
	return NULL;
}

const struct snapshot *store_snapshot_get(const struct store_snapshot *s)
{
	return &s->snap;
}

void store_snapshot_set_latest(struct store_snapshot *s, size_t g, int f,
			       double v)
{
	const struct snap_entity *e;

	if (g >= s->snap.nguests || f < 0 || f >= GUEST_FIELD_COUNT)
		return;
	e = &s->guests[g];
	/* The rows are this snapshot's own (s->rows), const only to its
	   readers. */
	if (e->len)
		((double *)
		     e->values)[(e->len - 1) * GUEST_FIELD_COUNT + (size_t)f] =
		    v;
}

void store_snapshot_free(struct store_snapshot *s)
{
	if (!s)
		return;
	free(s->params);
	free(s->guests);
	free(s->names);
	store_names_free(&s->aliases);
	free(s->rows);
	free(s->disks);
	free(s->devs);
	free(s->disk_rows);
	free(s);
}
