/* SPDX-License-Identifier: Apache-2.0 */
/*
 * jsonlimit.h: checks the shape of untrusted JSON text before it is parsed.
 *
 * jansson builds a tree of about a hundred bytes per value and accepts
 * nesting 2048 deep; anything that then walks the tree recursively (or
 * pretty-prints it, which is quadratic in the depth) pays for that.  One
 * linear pass over the raw bytes bounds both the depth and the number of
 * values first, so a hostile body costs what its size costs and no more.
 * Every body of the REST API and every policy text goes through it.
 */
#ifndef MOM_JSONLIMIT_H
#define MOM_JSONLIMIT_H

#include <stddef.h>

/* Deeper than any valid policy or evaluation case (policy_priv.h bounds
   a policy's statements and expressions to 64 levels together). */
#define JSON_MAX_DEPTH 128
/* Values (containers and scalars) in one text: far more than a policy or
   a case needs, a few tens of MiB of jansson tree at most. */
#define JSON_MAX_VALUES 262144

/*
 * Check text[0..len): nesting at most JSON_MAX_DEPTH, at most
 * JSON_MAX_VALUES values.  Returns 0, or -1 with a message naming the byte
 * offset in msg.  Syntax is not checked (the parser does that).
 */
int json_text_check(const char *text, size_t len, char *msg, size_t msglen);

#endif /* MOM_JSONLIMIT_H */
