/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_error.c: the one text of a policy loading error (policy_error.h),
 * and the error of an allocation failure.
 */
#include "policy_error.h"

#include <stdio.h>
#include <string.h>

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

void policy_error_oom(struct policy_error *perr)
{
	memset(perr, 0, sizeof(*perr));
	snprintf(perr->message, sizeof(perr->message), "out of memory");
}

/* Every loader says exactly "out of memory" when an allocation fails;
   no message about a policy is that alone. */
bool policy_error_is_oom(const struct policy_error *perr)
{
	return strcmp(perr->message, "out of memory") == 0;
}
