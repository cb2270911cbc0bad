/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsontext.h: small jansson helpers every JSON producer and checker of
 * momd shares: text of unknown encoding as a JSON string, and the check
 * of an object's keys against the allowed ones.
 */
#ifndef MOM_JSONTEXT_H
#define MOM_JSONTEXT_H

#include <jansson.h>

/*
 * A new JSON string of s.  Bytes that do not make UTF-8 (client text, or a
 * multi-byte character cut by a bounded message buffer) become '?' when
 * s is not valid UTF-8, so a message always reaches the client.  NULL only
 * when out of memory.
 */
json_t *json_text_new(const char *s);

/* The first key of object o that is not in allowed (NULL-terminated), or
   NULL when there is none. */
const char *json_unknown_key(const json_t *o, const char *const *allowed);

#endif /* MOM_JSONTEXT_H */
