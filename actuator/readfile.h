/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfile.h: reads a whole small file (a policy, a case, a token, a
 * certificate, a state file) into memory, bounded.  The one place the
 * daemon side does this; the caller decides what an error means to it.
 */
#ifndef MOM_READFILE_H
#define MOM_READFILE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Read at most max bytes of f into *out (malloc'd, NUL-terminated, the
 * caller frees), the count in *len (may be NULL).  Returns 0, or a negative
 * errno with *out NULL: -EFBIG when f holds more than max bytes, -EIO on a
 * read error, -ENOMEM.  The text may hold NUL bytes: compare strlen(*out)
 * with *len where that matters.  f is not closed.
 */
int readfile_stream(FILE *f, size_t max, char **out, size_t *len);

/* The same for the file at path (opened close-on-exec); -errno of
   fopen(3) (e.g. -ENOENT) when it cannot be opened. */
int readfile_path(const char *path, size_t max, char **out, size_t *len);

/* Words for readfile's errors: "cannot open", "cannot read", "too large",
   "out of memory". */
const char *readfile_why(int rc);

#endif /* MOM_READFILE_H */
