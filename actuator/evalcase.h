/* SPDX-License-Identifier: Apache-2.0 */
/*
 * evalcase.h: the evaluation case format of the offline harness and the
 * REST dry run.
 *
 *   {"params": {"balloonEnabled": 1, ...},
 *    "host":   {"history": [ {"mem_available": 16000000, ...}, ... ]},
 *    "guests": [ {"name": "g1", "history": [ {...}, ... ],
 *                 "disks": {"vda": {"max_total_bytes_sec": 1e6, ...}}} ]},
 *    "state":  {"host": {"k": 1}, "guests": {"g1": {"k": 2}}}}
 *
 * Histories are oldest first; a field may be null or missing (absent).
 * A guest's "disks" (optional; I/O limits, 05-iotune) maps each target
 * device ("vda") to its one sample of disk fields (max_*, guar_*, cur_*):
 * disks hold settings, not series, so a disk has no history; at most
 * SNAPSHOT_DISKS_PER_GUEST disks a guest.
 * CPU limits (04-cputune) use a guest's vcpu_count, vcpu_user_limit,
 * vcpu_quota and vcpu_period and the host's cpu_count, like any field.
 * Parameter values are numbers, or true/false.  Field names are those of
 * field.h; an unknown field, parameter name type or key is an error naming
 * its JSON path.  Rate fields are given as rates and derived fields may be
 * given directly: the case is the snapshot, nothing is recomputed, except
 * that a derived field left absent is derived from the sample's other
 * fields (so mem_free may be given or left to MemFree + Buffers + Cached).
 * "state" (optional) is the policies' state from the previous cycle
 * (evstate.h), as a plan's "state" gives it for the next.
 */
#ifndef MOM_EVALCASE_H
#define MOM_EVALCASE_H

#include <jansson.h>

#include "policy.h"
#include "snapshot.h"

struct evalcase; /* owns a snapshot and everything it points to */

/* Most guests in a case (a host runs far fewer). */
#define EVALCASE_MAX_GUESTS 4096

/*
 * Parse a case.  Returns a new case, or NULL with *err filled (path, and
 * line and column for syntax errors).
 */
struct evalcase *evalcase_parse(const char *text, size_t len,
				struct policy_error *err);
/* The same from a JSON value already parsed (the REST API's body). */
struct evalcase *evalcase_from_json(const json_t *root,
				    struct policy_error *err);
void evalcase_free(struct evalcase *c);

/* The snapshot the case describes; borrowed, valid until evalcase_free(). */
const struct snapshot *evalcase_snapshot(const struct evalcase *c);

/*
 * Whether every parameter the case sets is one ps declares: a case's
 * "params" naming no declared parameter (a typo) would otherwise be
 * ignored, and the default evaluated in its place.  0, or -1 with err's
 * path ($.params.NAME) and message filled (its policy left to the
 * caller).
 */
int evalcase_check_params(const struct evalcase *c, const struct policy_set *ps,
			  struct policy_error *err);

#endif /* MOM_EVALCASE_H */
