/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_tune.h: what the tune controllers' unit tests (cputune_test.c,
 * iotune_test.c) share of their fake libvirt backend: it counts the set
 * calls, keeps the last call's guest, and answers for one name as a
 * broken host (-EIO) and for another as libvirt refusing the values
 * (-EINVAL).  Each test keeps the values its own backend's set call
 * carries, and whether the name is the guest's or the disk's.
 */
#ifndef MOM_TEST_FAKE_TUNE_H
#define MOM_TEST_FAKE_TUNE_H

#include <stddef.h>
#include <stdint.h>

#include "actlog.h"

struct fake_tune {
	int calls;	    /* set calls so far */
	char guest[32];	    /* the last call's guest */
	const char *broken; /* this name answers -EIO */
	const char *picky;  /* this name answers -EINVAL */
};

/* One set call for guest, answered as the fake is set up to answer name
   (the guest, or the disk it names): 0, or -EIO or -EINVAL with msg. */
int fake_tune_set(struct fake_tune *f, const char *guest, const char *name,
		  char *msg, size_t len);

/* The actions log holds with result r. */
uint64_t fake_tune_total(struct actlog *log, enum act_result r);

#endif /* MOM_TEST_FAKE_TUNE_H */
