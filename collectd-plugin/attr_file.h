/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr_file.h: a small file read at every collectd read, kept open between
 * reads when it is a sysfs attribute.
 *
 * The KSM group reads a dozen files of /sys/kernel/mm/ksm every interval;
 * opening, reading to end-of-file and closing each one was most of the
 * read plugin's host cost.  A sysfs attribute renders afresh on every read
 * from offset 0, and its path names the same kernel object for as long as
 * the kernel runs, so one pread() of the open descriptor gives what a fresh
 * open would.  A file anywhere else (a test's fixture, which may be
 * replaced by rename) is opened at every read, as before.
 *
 * Not thread-safe per struct; no logging.
 */
#ifndef MOM_ATTR_FILE_H
#define MOM_ATTR_FILE_H

#include <stddef.h>

struct attr_file {
	int fd; /* open sysfs attribute, or -1 */
};
#define ATTR_FILE_INIT                                                         \
	{                                                                      \
		-1                                                             \
	}

/*
 * The text of the file at path (f's, from the second call on when it is a
 * sysfs attribute: path is then not looked at again), NUL-terminated, to
 * be freed; NULL with errno set when it cannot be read or holds more than
 * max bytes.  A failed read of a kept descriptor closes it and opens path
 * again.
 */
char *attr_file_read(struct attr_file *f, const char *path, size_t max);

/* Closes a kept descriptor; f can be read again (it reopens). */
void attr_file_close(struct attr_file *f);

#endif /* MOM_ATTR_FILE_H */
