/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_error.h: where a policy, a MOM policy file or an evaluation case
 * is wrong: the type every loader of the core fills (policy.c, policy_cc.c,
 * policy_dir.c, momlang_*.c, evalcase.c), and its one rendering as text,
 * used by the REST answers, the logs and momd's start-up errors alike:
 * "POLICY:LINE:COLUMN: MESSAGE" when the loader knows the line, else
 * "POLICY: PATH: MESSAGE" (empty parts left out).  A header of its own so
 * that the loader's private parts need not include policy.h, the interface
 * they implement.
 */
#ifndef MOM_POLICY_ERROR_H
#define MOM_POLICY_ERROR_H

#include <stdbool.h>
#include <stddef.h>

/* Why a policy set did not load.  Filled by the loader, owned by the caller. */
struct policy_error {
	char policy[64];  /* name of the offending policy, "" if none */
	char path[256];	  /* JSON path of the offending node, e.g.
			     "$.guest[0].do[2].to[1]", "" if none */
	int line, column; /* 1-based position in the text, 0 if unknown */
	char message[256];
};

/* Write the text into buf (always NUL-terminated, cut to len); returns
   buf. */
char *policy_error_format(const struct policy_error *perr, char *buf,
			  size_t len);

/* Fill every field for "out of memory" (no policy, path or line), so a
   failure that is not the policy's leaves nothing stale or unset. */
void policy_error_oom(struct policy_error *perr);
/* The error is an allocation failure, not the policy's fault: the API
   answers 503 overloaded for it, not 400. */
bool policy_error_is_oom(const struct policy_error *perr);

#endif /* MOM_POLICY_ERROR_H */
