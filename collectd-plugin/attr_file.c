/* SPDX-License-Identifier: Apache-2.0 */
/*
 * attr_file.c: sysfs attributes kept open and re-read from offset 0 (see
 * attr_file.h).
 */
#include "attr_file.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "readfile.h"

#define ATTR_PAGE 4096 /* an attribute shows at most a page */

/* One pread of the kept descriptor; NULL (and the descriptor closed) when
   it fails or the text does not fit in one page. */
static char *reread(struct attr_file *f, size_t max)
{
	char buf[ATTR_PAGE + 1];
	ssize_t n = pread(f->fd, buf, ATTR_PAGE, 0);
	char *text;

	if (n < 0 || n >= ATTR_PAGE || (size_t)n > max) {
		attr_file_close(f);
		return NULL;
	}
	text = malloc((size_t)n + 1);
	if (text != NULL) {
		memcpy(text, buf, (size_t)n);
		text[n] = '\0';
	}
	return text;
}

char *attr_file_read(struct attr_file *f, const char *path, size_t max)
{
	char *text;
	int fd, rc;

	if (f->fd >= 0) {
		text = reread(f, max);
		if (text != NULL || f->fd >= 0)
			return text; /* out of memory: kept, errno set */
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	rc = readfile_fd(fd, max, &text, NULL);
	if (rc < 0) {
		close(fd);
		errno = -rc;
		return NULL;
	}
	if (readfile_is_sysfs(fd))
		f->fd = fd;
	else
		close(fd);
	return text;
}

void attr_file_close(struct attr_file *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
}
