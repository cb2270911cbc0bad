/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_glob.c: fuzz target for the two linear-time checks of untrusted
 * text added for bounded request costs: glob_match() (compared with glibc's
 * fnmatch() on every valid pattern) and json_text_check() (which must
 * agree with jansson: a text it passes parses to a tree no deeper than
 * JSON_MAX_DEPTH).
 *
 * Input: a pattern, a NUL byte, a name (both cut to 64 bytes so fnmatch
 * stays quick); the whole input is also a JSON text.  A disagreement with
 * fnmatch or a too-deep tree aborts: that is a bug.
 */
#include <fnmatch.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "glob.h"
#include "jsonlimit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int depth_of(const json_t *v)
{
	int d = 0, k;
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_array(v)) {
		json_array_foreach(v, i, x)
		{
			k = depth_of(x);
			d = k > d ? k : d;
		}
		return d + 1;
	}
	if (json_is_object(v)) {
		json_object_foreach((json_t *)v, key, x)
		{
			k = depth_of(x);
			d = k > d ? k : d;
		}
		return d + 1;
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char pat[65], name[65], msg[128];
	const uint8_t *nul = memchr(data, 0, size);
	size_t lp = nul ? (size_t)(nul - data) : size;
	size_t ln = nul ? size - lp - 1 : 0;
	json_t *root;

	if (lp > 64)
		lp = 64;
	if (ln > 64)
		ln = 64;
	memcpy(pat, data, lp);
	pat[lp] = '\0';
	if (nul)
		memcpy(name, nul + 1, ln);
	name[ln] = '\0';
	if (glob_pattern_valid(pat) &&
	    glob_match(pat, name) != (fnmatch(pat, name, 0) == 0))
		abort();

	if (json_text_check((const char *)data, size, msg, sizeof(msg)) < 0)
		return 0;
	root = json_loadb((const char *)data, size, 0, NULL);
	if (root && depth_of(root) > JSON_MAX_DEPTH)
		abort();
	json_decref(root);
	return 0;
}
