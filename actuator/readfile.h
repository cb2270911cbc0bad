/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfile.h: reads a whole small file (a policy, a case, a certificate, a
 * state file, a /proc or sysfs file) into memory, bounded.  The one place
 * momd and the read plugin do this (libc only, compiled into both); the
 * caller decides what an error means to it.
 */
#ifndef MOM_READFILE_H
#define MOM_READFILE_H

#include <stdbool.h>
#include <stddef.h>

/*
 * Read fd to its end, at most max bytes, into *out (malloc'd,
 * NUL-terminated, the caller frees), the count in *len (may be NULL).
 * Returns 0, or a negative errno with *out NULL: -EFBIG when there is more
 * than max bytes, -ENOMEM, or read(2)'s error.  The text may hold NUL
 * bytes: compare strlen(*out) with *len where that matters.  fd is not
 * closed.
 */
int readfile_fd(int fd, size_t max, char **out, size_t *len);

/* The same for the file at path (opened read-only, close-on-exec);
   -errno of open(2) (e.g. -ENOENT) when it cannot be opened. */
int readfile_path(const char *path, size_t max, char **out, size_t *len);

/* Is fd a sysfs file?  Its attributes render afresh on every read from
   offset 0, so a caller may keep one open and pread() it at each interval
   instead of opening it again (attr_file.c, host_sysfs.c). */
bool readfile_is_sysfs(int fd);

/* Words for readfile's errors: "cannot open", "cannot read", "too large",
   "out of memory". */
const char *readfile_why(int rc);

#endif /* MOM_READFILE_H */
