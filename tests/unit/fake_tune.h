/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fake_tune.h: what the tune controllers' unit tests (cputune_test.c,
 * iotune_test.c) share of their fake libvirt backend: it counts the set
 * calls, keeps the last call's guest, and answers for one name as a
 * broken host (-EIO), for another as libvirt refusing the values
 * (-EINVAL), for a third as a guest that may not be changed now (-EPERM).  Each
 * test keeps the values its own backend's set call carries, and whether the
 * name is the guest's or the disk's.
 */
#ifndef MOM_TEST_FAKE_TUNE_H
#define MOM_TEST_FAKE_TUNE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libvirt/libvirt.h>

#include "actlog.h"

struct fake_tune {
	int calls;	    /* set calls so far */
	char guest[32];	    /* the last call's guest */
	const char *broken; /* this name answers -EIO */
	const char *picky;  /* this name answers -EINVAL */
	const char *busy; /* this name answers -EPERM (not running, in a job) */
};

/* One set call for guest, answered as the fake is set up to answer name
   (the guest, or the disk it names): 0, or -EIO, -EINVAL or -EPERM with
   msg. */
int fake_tune_set(struct fake_tune *f, const char *guest, const char *name,
		  char *msg, size_t len);

/* The actions log holds with result r. */
uint64_t fake_tune_total(struct actlog *log, enum act_result r);

/* After cycles in which the backend answered -EPERM (f->busy): true when
   the log holds the refusal once and nothing failed.  (The caller checks
   it: testing.h's counters are each test file's own.) */
bool fake_tune_refused_once(struct actlog *log);

/* Pauses the domain "test" of libvirt's test:///default, whose state is
   one per process, so that a backend's own connection sees it paused.
   Returns the domain to pass to fake_tune_resume, or NULL (then nothing
   is paused). */
virDomainPtr fake_tune_pause(void);
void fake_tune_resume(virDomainPtr dom);

#endif /* MOM_TEST_FAKE_TUNE_H */
