/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momlang_read.h: the reader of MOM's policy language: text to a tree of
 * forms with their positions.  Private to the converter (momlang_*.c).
 *
 * Tokens are MOM's: ( ) [ ] { } (a {...} block is the form (eval ...)),
 * symbols [A-Za-z_][A-Za-z0-9_.-]*, "..." and '...' strings (no escapes
 * are interpreted, as in MOM), integers, floats, 0x hex, 0o octal, the
 * operators + - * / < > <= >= << >> == != and # comments to the end of the
 * line (also at the end of the text without a newline, which crashed MOM
 * 0.6.3).
 */
#ifndef MOM_MOMLANG_READ_H
#define MOM_MOMLANG_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

/* Deepest nesting of forms the reader accepts. */
#define MOMREAD_MAX_DEPTH 48

enum mkind {
	MK_LIST,  /* ( ... ) or [ ... ] */
	MK_BLOCK, /* { ... } */
	MK_SYM,	  /* symbol or operator */
	MK_STR,	  /* string, quotes removed */
	MK_NUM,
};

struct mnode {
	enum mkind kind;
	int line, col;
	bool is_int;	/* MK_NUM: an integer literal */
	bool is_op;	/* MK_SYM: an operator token */
	long long ival; /* MK_NUM, is_int */
	double num;	/* MK_NUM */
	char *text;	/* MK_SYM, MK_STR */
	size_t n;	/* MK_LIST, MK_BLOCK: children */
	struct mnode *kids;
};

/*
 * Read text[0..len) into *top (a MK_BLOCK of the top-level forms).
 * Returns 0, or -1 with err->line, column and message filled.
 */
int momread(const char *text, size_t len, struct mnode *top,
	    struct policy_error *err);

/* Free what momread() allocated under n (not n itself). */
void momread_free(struct mnode *n);

#endif /* MOM_MOMLANG_READ_H */
