/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfile.c: bounded whole-file reads (readfile.h).  One read of max + 1
 * bytes tells a file that fits from one that does not, without a stat
 * (which /proc and pipes would answer wrongly).
 */
#include "readfile.h"

#include <errno.h>
#include <stdlib.h>

int readfile_stream(FILE *f, size_t max, char **out, size_t *len)
{
	char *buf = malloc(max + 1);
	size_t n;

	*out = NULL;
	if (!buf)
		return -ENOMEM;
	n = fread(buf, 1, max + 1, f);
	if (ferror(f) || n > max) {
		free(buf);
		return ferror(f) ? -EIO : -EFBIG;
	}
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

int readfile_path(const char *path, size_t max, char **out, size_t *len)
{
	FILE *f = fopen(path, "re");
	int rc;

	*out = NULL;
	if (!f)
		return -errno;
	rc = readfile_stream(f, max, out, len);
	fclose(f);
	return rc;
}

const char *readfile_why(int rc)
{
	switch (rc) {
	case -EFBIG:
		return "too large";
	case -EIO:
		return "cannot read";
	case -ENOMEM:
		return "out of memory";
	default:
		return "cannot open";
	}
}
