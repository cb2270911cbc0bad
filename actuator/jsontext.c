/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsontext.c: the helpers of jsontext.h.  jansson refuses a string that is
 * not UTF-8; rather than lose a whole error message for one bad byte, the
 * ASCII is kept and the rest marked.
 */
#include "jsontext.h"

#include <stdlib.h>
#include <string.h>

json_t *json_text_new(const char *s)
{
	json_t *j = json_string(s);
	char *copy;

	if (j || !(copy = strdup(s)))
		return j;
	for (char *p = copy; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';
	j = json_string(copy);
	free(copy);
	return j;
}

const char *json_unknown_key(const json_t *o, const char *const *allowed)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		size_t i;

		for (i = 0; allowed[i]; i++)
			if (strcmp(allowed[i], key) == 0)
				break;
		if (!allowed[i])
			return key;
	}
	return NULL;
}
