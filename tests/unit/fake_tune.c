/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_tune.c: the fake tune backend's shared part, for cputune_test.c
 * and iotune_test.c (see fake_tune.h).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "fake_tune.h"

int fake_tune_set(struct fake_tune *f, const char *guest, const char *name,
		  char *msg, size_t len)
{
	f->calls++;
	snprintf(f->guest, sizeof(f->guest), "%s", guest);
	if (f->broken && strcmp(name, f->broken) == 0) {
		snprintf(msg, len, "broken");
		return -EIO;
	}
	if (f->picky && strcmp(name, f->picky) == 0) {
		snprintf(msg, len, "libvirt says no");
		return -EINVAL;
	}
	if (f->busy && strcmp(name, f->busy) == 0) {
		snprintf(msg, len, "guest is migrating");
		return -EPERM;
	}
	return 0;
}

uint64_t fake_tune_total(struct actlog *log, enum act_result r)
{
	uint64_t t[4];

	actlog_totals(log, t);
	return t[r];
}

bool fake_tune_refused_once(struct actlog *log)
{
	return fake_tune_total(log, ACT_REFUSED) == 1 &&
	       fake_tune_total(log, ACT_FAILED) == 0;
}

virDomainPtr fake_tune_pause(void)
{
	virConnectPtr conn = virConnectOpen("test:///default");
	virDomainPtr dom = conn ? virDomainLookupByName(conn, "test") : NULL;

	if (dom && virDomainSuspend(dom) < 0) {
		virDomainFree(dom);
		dom = NULL;
	}
	/* The domain holds its own reference to the connection. */
	if (conn)
		virConnectClose(conn);
	return dom;
}

void fake_tune_resume(virDomainPtr dom)
{
	virDomainResume(dom);
	virDomainFree(dom);
}
