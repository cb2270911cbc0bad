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
 * Convert the MOM policy text[0..len) into a JSON policy document (a new
 * reference).  name is the policy's name (used in err->policy and to make
 * the names of generated bindings unique across policies); it may be NULL.
 * Returns NULL with *err filled (line and column 1-based) when the text
 * cannot be converted.
 */
json_t *momlang_convert(const char *text, size_t len, const char *name,
			struct policy_error *err);

/* The same, answering the JSON text (a new string, indented). */
char *momlang_convert_text(const char *text, size_t len, const char *name,
			   struct policy_error *err);

#endif /* MOM_MOMLANG_H */
