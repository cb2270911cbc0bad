/* SPDX-License-Identifier: Apache-2.0 */
/*
 * globlist.h: lists of shell globs (the read plugin's IncludeGuest and
 * ExcludeGuest), as an array of owned strings and a count.  No collectd
 * headers, no state.
 */
#ifndef MOM_GLOBLIST_H
#define MOM_GLOBLIST_H

#include <stdbool.h>
#include <stddef.h>

/* True when name matches one of the n globs (fnmatch(3), no flags). */
bool globlist_match(char *const *g, size_t n, const char *name);

/* The read plugin's domain filter: no include list or a match in it, and
   no match in the exclude list. */
bool globlist_wanted(char *const *include, size_t n_include,
		     char *const *exclude, size_t n_exclude, const char *name);

/* A deep copy of n globs; NULL with *ok true when n is 0, NULL with *ok
   false when out of memory. */
char **globlist_copy(char *const *g, size_t n, bool *ok);

/* Frees the n strings and the array; g may be NULL. */
void globlist_free(char **g, size_t n);

#endif /* MOM_GLOBLIST_H */
