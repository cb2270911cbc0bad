/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonlimit.c: depth and value count of JSON text in one linear pass
 * (jsonlimit.h).  Only brackets, commas and strings matter: a value is
 * counted at each container opening, and at each comma (the element or
 * member after it), plus the first scalar of a container; over-counting
 * object keys is fine for a bound.
 */
#include "jsonlimit.h"

#include <stdbool.h>
#include <stdio.h>

int json_text_check(const char *text, size_t len, char *msg, size_t msglen)
{
	size_t depth = 0, values = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char ch = text[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (ch == '\\')
				esc = true;
			else if (ch == '"')
				in_str = false;
			continue;
		}
		switch (ch) {
		case '"':
			in_str = true;
			break;
		case '[':
		case '{':
			if (++depth > JSON_MAX_DEPTH) {
				snprintf(msg, msglen,
					 "nesting deeper than %d levels at "
					 "byte %zu",
					 JSON_MAX_DEPTH, i);
				return -1;
			}
			/* fall through - a container is a value */
		case ',':
			if (++values > JSON_MAX_VALUES) {
				snprintf(msg, msglen,
					 "more than %d values (at byte %zu)",
					 JSON_MAX_VALUES, i);
				return -1;
			}
			break;
		case ']':
		case '}':
			if (depth)
				depth--;
			break;
		default:
			break;
		}
	}
	return 0;
}
