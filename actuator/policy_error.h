/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_error.h: the one rendering of a struct policy_error (policy.h) as
 * text, used by the REST answers, the logs and momd's start-up errors
 * alike: "POLICY:LINE:COLUMN: MESSAGE" when the loader knows the line,
 * else "POLICY: PATH: MESSAGE" (empty parts left out).
 */
#ifndef MOM_POLICY_ERROR_H
#define MOM_POLICY_ERROR_H

#include <stddef.h>

#include "policy.h"

/* Write the text into buf (always NUL-terminated, cut to len); returns
   buf. */
char *policy_error_format(const struct policy_error *perr, char *buf,
			  size_t len);

#endif /* MOM_POLICY_ERROR_H */
