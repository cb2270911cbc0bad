/* SPDX-License-Identifier: Apache-2.0 */
/*
 * failalloc.h: jansson's allocations with one of them failing, for tests
 * of out-of-memory paths: arm it for the n-th allocation, run the code,
 * and see whether that allocation was reached; n = 0, 1, 2, ... until it
 * is not reaches every allocation of the code once.
 */
#ifndef MOM_FAILALLOC_H
#define MOM_FAILALLOC_H

#include <stdbool.h>

/* Fail the n-th jansson allocation from now (0: the next), once. */
void failalloc_arm(unsigned n);
/* Stop failing; true if the armed allocation was reached (and failed). */
bool failalloc_disarm(void);

#endif /* MOM_FAILALLOC_H */
