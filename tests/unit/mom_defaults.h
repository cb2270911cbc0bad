/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mom_defaults.h: for the unit tests, the MOM-syntax defaults of
 * tests/data/mom/ (00-defines, 01-parameters, 02-balloon, 03-ksm)
 * converted (actuator/momlang.h) and loaded as one policy set.
 */
#ifndef MOM_TEST_MOM_DEFAULTS_H
#define MOM_TEST_MOM_DEFAULTS_H

#include <stddef.h>

#include "policy.h"

/* A whole small file (at most 64 KiB), NUL-terminated; NULL if unreadable. */
char *mom_test_slurp(const char *path, size_t *len);

/*
 * Convert and load src/tests/data/mom/{00..03}*.policy.  Returns the set,
 * or NULL with *err filled (err->policy names the file).
 */
struct policy_set *mom_test_defaults(const char *src, struct policy_error *err);

/* The same with the first n (at most 5) of 00-defines, 01-parameters,
   02-balloon, 03-ksm and 04-cputune. */
struct policy_set *mom_test_defaults_n(const char *src, size_t n,
				       struct policy_error *err);

#endif /* MOM_TEST_MOM_DEFAULTS_H */
