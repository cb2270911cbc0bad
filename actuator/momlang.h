/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang.h: MOM's policy language (the s-expressions of oVirt's mom.d
 * files), read and converted into this project's JSON policy.
 *
 * The reader (momlang_read.c) turns the text into a tree of forms, each
 * with its line and column.  The translator (momlang_conv.c, with
 * momlang_emit.c and momlang_ops.c) runs the program symbolically once:
 * variables become `let` bindings (a new one per assignment), functions are
 * expanded where they are called, MOM's `if` becomes guarded bindings and
 * statements,
 * `(with Guests g ...)` becomes a guest rule, top-level constants become
 * parameters.  What has no equivalent is refused with the line, column and
 * the construct's name.  policies/README.md ("MOM's policy language")
 * describes the mapping.
 *
 * Pure: no I/O, no global state.  Thread-safe.
 */
#ifndef MOM_MOMLANG_H
#define MOM_MOMLANG_H

#include <stddef.h>

#include <jansson.h>

#include "policy.h"

/* The media type of a MOM policy text in the REST API. */
#define MOMLANG_MEDIA_TYPE "text/x-mom-policy"

/* Largest text accepted (the JSON loader's limit too). */
#define MOMLANG_MAX_TEXT (1024 * 1024)

/*
 * The bound on the converted policy (compact JSON) for `momctl convert`:
 * momd's default max_body, so that what it writes can be sent back in one
 * request.  Functions are expanded where they are called, so a few
 * hundred bytes of MOM text can otherwise double into megabytes.
 */
#define MOMLANG_MAX_OUTPUT_DEFAULT (4 * 1024 * 1024)

/*
 * Convert the MOM policy text[0..len) into a JSON policy document (a new
 * reference).  name is the policy's name (used in err->policy and to make
 * the names of generated bindings unique across policies); it may be NULL.
 * max_out bounds the document's compact JSON in bytes: a text that would
 * expand beyond it is refused at the statement that crosses it.
 * Returns NULL with *err filled (line and column 1-based) when the text
 * cannot be converted.
 */
json_t *momlang_convert(const char *text, size_t len, const char *name,
			size_t max_out, struct policy_error *err);

/* The same, answering the JSON text (a new string, compact: momd stores
   it as it is, and it is at most max_out bytes). */
char *momlang_convert_text(const char *text, size_t len, const char *name,
			   size_t max_out, struct policy_error *err);

#endif /* MOM_MOMLANG_H */
