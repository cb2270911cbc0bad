/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statedir.h: small files in the state directory, written atomically.
 *
 * What the REST API changes (policies, parameters) persists in
 * conf->state_dir so that it survives a restart.  A file there is either
 * its old content or its new one, never a mix: it is written to a temporary
 * file in the same directory, flushed with fsync, renamed over the old one,
 * and the directory is flushed too.  Files are created 0600 or 0644 (the
 * caller chooses), the directory 0700; nothing is world-writable.
 *
 * Temporary files are named ".NAME.tmp.XXXXXX"; statedir_clean() removes
 * those a crash left behind.
 *
 * Errors are returned (negative errno) with a message in the caller's
 * buffer; nothing here logs.  A change that is made but whose directory
 * could not be flushed returns 1 with the message: a warning to log, not a
 * failure (the file already holds the new content).  The functions keep no
 * state; callers serialise writers of the same file.
 */
#ifndef MOM_STATEDIR_H
#define MOM_STATEDIR_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Create dir (mode 0700) when it does not exist.  Returns 0 or -errno. */
int statedir_ensure(const char *dir, char *err, size_t len);

/*
 * Replace dir/name with data[0..n) atomically, with the given mode (0600 or
 * 0644).  Returns 0, 1 (done; err has a warning), or -errno with err
 * filled; on failure the old file is untouched and no temporary file is
 * left.
 */
int statedir_write(const char *dir, const char *name, const char *data,
		   size_t n, mode_t mode, char *err, size_t len);

/*
 * 0 when n bytes of name fit in max, the size its reader reads back, or
 * -EFBIG with err saying so: a file written larger would be accepted now
 * and ignored at the next start, so its writer refuses the change first.
 */
int statedir_fits(const char *name, size_t n, size_t max, char *err,
		  size_t len);

/*
 * Read dir/name (at most max bytes) into a new NUL-terminated string in
 * *out (the caller frees it).  Returns 0, -ENOENT when the file does not
 * exist (err untouched), or another -errno with err filled.
 */
int statedir_read(const char *dir, const char *name, size_t max, char **out,
		  char *err, size_t len);

/* Remove dir/name durably; a missing file is not an error.  Returns as
   statedir_write(). */
int statedir_remove(const char *dir, const char *name, char *err, size_t len);

/*
 * Rename dir/name to "name.rejected-YYYYMMDDTHHMMSSZ" (with "-N" after
 * it should that exist), so that a file momd cannot use at start is kept
 * for its owner rather than overwritten by the next change; the new name
 * goes into aside.  Returns as statedir_write().
 */
int statedir_set_aside(const char *dir, const char *name, char *aside,
		       size_t aside_len, char *err, size_t len);

/*
 * For a file momd ignores at start: when set_aside (its content is what is
 * wrong, not an I/O error), set it aside as above; note then says what
 * became of it, for the caller's log line: "; kept as DIR/NEWNAME" or
 * " (and cannot set aside ...)".  Empty otherwise.
 */
void statedir_ignore(const char *dir, const char *name, bool set_aside,
		     char *note, size_t len);

/* Remove the temporary files a crash left in dir.  Returns how many. */
int statedir_clean(const char *dir);

#endif /* MOM_STATEDIR_H */
