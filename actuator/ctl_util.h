/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_util.h: small helpers every controller uses the same way, so that
 * their action-log lines read alike: a plan value's reason as text, an
 * action stamped and recorded, and a refusal's hash (a controller keeps a
 * hash per guest, not a copy, to record a refusal once while it holds),
 * and whether a guest's kept state is still its domain's (by UUID).
 */
#ifndef MOM_CTL_UTIL_H
#define MOM_CTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "actlog.h"
#include "plan.h"

/* The reason of a set value, or "-". */
void ctl_reason_text(const struct plan_value *pv, char *buf, size_t len);

/* Stamp a with wall_ms and add it to log. */
void ctl_record(struct actlog *log, struct action *a, int64_t wall_ms);

/* FNV-1a of s, never 0 (0 means "no refusal"). */
uint64_t ctl_text_hash(const char *s);

/* Room for a UUID as text, as a controller keeps it per guest. */
#define CTL_UUID_LEN 37

/* Whether state kept for UUID kept belongs to the domain of UUID uuid
   (either may be unknown: "" or NULL): a new domain under an old name has
   another UUID and starts afresh. */
bool ctl_same_domain(const char *kept, const char *uuid);

#endif /* MOM_CTL_UTIL_H */
