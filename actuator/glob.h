/* SPDX-License-Identifier: Apache-2.0 */
/*
 * glob.h: shell-style wildcard matching in O(pattern x name) time, for the
 * policy `glob` operator.
 *
 * A naive fnmatch() backtracks over every star and is exponential in their
 * number (glibc 2.36's happens to stop at the next star; older ones and
 * other C libraries do not), so the bound is kept here, in our code.  This
 * matcher keeps only the last star (the classic greedy two-pointer
 * algorithm): a later star subsumes the choices of an earlier one, so
 * nothing is lost.
 *
 * Syntax as fnmatch(pattern, name, 0): `*` any string (also '/'), `?` any
 * one byte, `[...]` a set with ranges, classes (`[:digit:]`, ...) and `!`
 * or `^` negation (a `]` first is literal; an unclosed `[` is literal;
 * `[=x=]` and `[.x.]` are not supported), `\` quotes the next byte
 * (a trailing one matches nothing).
 * Bytes, not characters (momd runs in the C locale).
 */
#ifndef MOM_GLOB_H
#define MOM_GLOB_H

#include <stdbool.h>

/* Longest pattern a policy may use (policy_expr.c refuses longer ones). */
#define GLOB_MAX_PATTERN 256

bool glob_match(const char *pattern, const char *name);

/* Every `[` opens a closed set of supported items (policy_expr.c refuses
   other patterns: what fnmatch makes of them depends on what follows). */
bool glob_pattern_valid(const char *pattern);

#endif /* MOM_GLOB_H */
