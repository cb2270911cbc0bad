/* SPDX-License-Identifier: Apache-2.0 */
/*
 * ctl_util.c: helpers shared by the controllers (see ctl_util.h).
 */
#include "ctl_util.h"

#include <stdio.h>
#include <string.h>

void ctl_reason_text(const struct plan_value *pv, char *buf, size_t len)
{
	if (pv->set)
		plan_reason_format(&pv->reason, buf, len);
	else
		snprintf(buf, len, "-");
}

void ctl_record(struct actlog *log, struct action *a, int64_t wall_ms)
{
	a->time_ms = wall_ms;
	actlog_add(log, a);
}

uint64_t ctl_text_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h ? h : 1;
}

bool ctl_same_domain(const char *kept, const char *uuid)
{
	return !kept || !kept[0] || !uuid || !uuid[0] ||
	       strcmp(kept, uuid) == 0;
}
