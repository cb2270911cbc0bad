/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_error.c: the one text of a policy loading error (policy_error.h).
 */
#include "policy_error.h"

#include <stdio.h>

char *policy_error_format(const struct policy_error *perr, char *buf,
			  size_t len)
{
	if (perr->line)
		snprintf(buf, len, "%s:%d:%d: %s", perr->policy, perr->line,
			 perr->column, perr->message);
	else
		snprintf(buf, len, "%s%s%s%s%s", perr->policy,
			 perr->policy[0] ? ": " : "", perr->path,
			 perr->path[0] ? ": " : "", perr->message);
	return buf;
}
