/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfile.c: bounded whole-file reads (readfile.h).  The size is not
 * taken from stat(2): /proc and sysfs files report 0 and pipes have none.
 * The buffer starts small and doubles, so reading a 100-byte sysfs file
 * every interval costs 4 KiB, not the bound.
 */
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/statfs.h>
#include <unistd.h>

#define READFILE_FIRST	     4096
#define READFILE_SYSFS_MAGIC 0x62656572 /* linux/magic.h's SYSFS_MAGIC */

int readfile_fd(int fd, size_t max, char **out, size_t *len)
{
	char *buf = NULL;
	size_t n = 0, cap = 0;
	int rc = 0;

	*out = NULL;
	for (;;) {
		ssize_t got;

		/* Room for one byte past max, to tell "fits" from "too large".
		 */
		if (cap - n < 2) {
			size_t ncap = cap ? cap * 2 : READFILE_FIRST;
			char *nbuf;

			if (ncap > max + 2)
				ncap = max + 2;
			if (ncap <= cap) {
				rc = -EFBIG;
				break;
			}
			nbuf = realloc(buf, ncap);
			if (!nbuf) {
				rc = -ENOMEM;
				break;
			}
			buf = nbuf;
			cap = ncap;
		}
		got = read(fd, buf + n, cap - n - 1);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0) {
			rc = -errno;
			break;
		}
		if (got == 0)
			break;
		n += (size_t)got;
		if (n > max) {
			rc = -EFBIG;
			break;
		}
	}
	if (rc < 0) {
		free(buf);
		return rc;
	}
	if (!buf && !(buf = malloc(1)))
		return -ENOMEM;
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int readfile_path(const char *path, size_t max, char **out, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int rc;

	*out = NULL;
	if (fd < 0)
		return -errno;
	rc = readfile_fd(fd, max, out, len);
	close(fd);
	return rc;
}

const char *readfile_why(int rc)
{
	switch (rc) {
	case -EFBIG:
		return "too large";
	case -ENOMEM:
		return "out of memory";
	case -ENOENT:
	case -EACCES:
	case -EPERM:
	case -ENOTDIR:
	case -ELOOP:
	case -ENAMETOOLONG:
		return "cannot open";
	default:
		return "cannot read";
	}
}

bool readfile_is_sysfs(int fd)
{
	struct statfs sf;

	return fstatfs(fd, &sf) == 0 && sf.f_type == READFILE_SYSFS_MAGIC;
}
