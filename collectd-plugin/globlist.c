/* SPDX-License-Identifier: Apache-2.0 */
/*
 * globlist.c: the glob lists of globlist.h, for the plugin's configuration
 * (mom.c) and its guest reader (guest_mem.c).  Patterns come from the
 * administrator's collectd.conf, so fnmatch(3) is used as is.
 */
#include "globlist.h"

#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>

bool globlist_match(char *const *g, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (fnmatch(g[i], name, 0) == 0)
			return true;
	return false;
}

char **globlist_copy(char *const *g, size_t n, bool *ok)
{
	char **out;

	*ok = true;
	if (n == 0)
		return NULL;
	out = calloc(n, sizeof(*out));
	if (out == NULL) {
		*ok = false;
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		out[i] = strdup(g[i]);
		if (out[i] == NULL) {
			globlist_free(out, i);
			*ok = false;
			return NULL;
		}
	}
	return out;
}

void globlist_free(char **g, size_t n)
{
	for (size_t i = 0; i < n && g; i++)
		free(g[i]);
	free(g);
}

bool globlist_wanted(char *const *include, size_t n_include,
		     char *const *exclude, size_t n_exclude, const char *name)
{
	if (n_include > 0 && !globlist_match(include, n_include, name))
		return false;
	return !globlist_match(exclude, n_exclude, name);
}
