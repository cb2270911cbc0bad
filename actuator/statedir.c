/* SPDX-License-Identifier: Apache-2.0 */
/*
 * statedir.c: atomic small-file persistence in the state directory (see
 * statedir.h).  The sequence for a write is: mkstemp in the same
 * directory, write everything, fchmod, fsync, rename over the target,
 * fsync the directory.  Any failure before the rename unlinks the
 * temporary file, so the target keeps its previous content.  The rename is
 * the commit point: the directory is opened before it, and a failure to
 * flush it after it is a warning (1), never a refusal, since the new
 * content is already what a reader, or a restart, sees.
 */
#include "statedir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "readfile.h"

#define STATEDIR_TMP_TAG ".tmp."

static int fail(char *err, size_t len, int e, const char *what,
		const char *path)
{
	snprintf(err, len, "%s %s: %s", what, path, strerror(e));
	return -e;
}

int statedir_ensure(const char *dir, char *err, size_t len)
{
	struct stat st;

	if (mkdir(dir, 0700) == 0 || errno == EEXIST) {
		if (stat(dir, &st) == 0 && S_ISDIR(st.st_mode))
			return 0;
		return fail(err, len, ENOTDIR, "state directory", dir);
	}
	return fail(err, len, errno, "cannot create state directory", dir);
}

/* The directory, opened before a change so that failing to open it
   refuses the change; a new descriptor or -errno with err filled. */
static int dir_open(const char *dir, char *err, size_t len)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? fail(err, len, errno, "cannot open", dir) : fd;
}

/* Flush and close dfd after a committed change: 0, or 1 (a warning) with
   err filled. */
static int dir_sync(int dfd, const char *dir, char *err, size_t len)
{
	int rc = 0;

	if (fsync(dfd) < 0) {
		fail(err, len, errno, "done, but cannot fsync", dir);
		rc = 1;
	}
	close(dfd);
	return rc;
}

static int write_all(int fd, const char *data, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, data, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		data += w;
		n -= (size_t)w;
	}
	return 0;
}

int statedir_write(const char *dir, const char *name, const char *data,
		   size_t n, mode_t mode, char *err, size_t len)
{
	char tmp[4096], path[4096];
	int fd = -1, dfd, rc;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
		sizeof(path) ||
	    (size_t)snprintf(tmp, sizeof(tmp),
			     "%s/.%s" STATEDIR_TMP_TAG "XXXXXX", dir,
			     name) >= sizeof(tmp))
		return fail(err, len, ENAMETOOLONG, "path too long", dir);
	rc = statedir_ensure(dir, err, len);
	if (rc < 0)
		return rc;
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0)
		return fail(err, len, errno, "cannot create a file in", dir);
	rc = write_all(fd, data, n);
	if (rc == 0 && fchmod(fd, mode) < 0)
		rc = -errno;
	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc < 0) {
		fail(err, len, -rc, "cannot write", tmp);
		goto out_unlink;
	}
	dfd = dir_open(dir, err, len);
	if (dfd < 0) {
		rc = dfd;
		goto out_unlink;
	}
	if (rename(tmp, path) < 0) {
		rc = fail(err, len, errno, "cannot rename to", path);
		close(dfd);
		goto out_unlink;
	}
	return dir_sync(dfd, dir, err, len);
out_unlink:
	unlink(tmp);
	return rc;
}

int statedir_fits(const char *name, size_t n, size_t max, char *err, size_t len)
{
	if (n <= max)
		return 0;
	snprintf(err, len,
		 "%s would be %zu bytes, over the %zu that momd reads back at "
		 "start; nothing changed",
		 name, n, max);
	return -EFBIG;
}

int statedir_read(const char *dir, const char *name, size_t max, char **out,
		  char *err, size_t len)
{
	char path[4096];
	int rc;

	*out = NULL;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return fail(err, len, ENAMETOOLONG, "path too long", dir);
	rc = readfile_path(path, max, out, NULL);
	if (rc == -ENOENT)
		return rc;
	if (rc == -EFBIG)
		return fail(err, len, EFBIG, "too large:", path);
	if (rc < 0)
		return fail(err, len, -rc,
			    rc == -EIO || rc == -ENOMEM ? "cannot read"
							: "cannot open",
			    path);
	return 0;
}

int statedir_remove(const char *dir, const char *name, char *err, size_t len)
{
	char path[4096];
	int dfd;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path))
		return fail(err, len, ENAMETOOLONG, "path too long", dir);
	if (access(path, F_OK) < 0 && errno == ENOENT)
		return 0;
	dfd = dir_open(dir, err, len);
	if (dfd < 0)
		return dfd;
	if (unlink(path) < 0) {
		int e = errno;

		close(dfd);
		return e == ENOENT ? 0
				   : fail(err, len, e, "cannot remove", path);
	}
	return dir_sync(dfd, dir, err, len);
}

int statedir_set_aside(const char *dir, const char *name, char *aside,
		       size_t aside_len, char *err, size_t len)
{
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int dfd, rc = -EEXIST;

	if (!gmtime_r(&now, &tm) ||
	    strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(stamp, sizeof(stamp), "%lld", (long long)now);
	dfd = dir_open(dir, err, len);
	if (dfd < 0)
		return dfd;
	/* RENAME_NOREPLACE: a file set aside earlier in the same second
	   is never the one lost. */
	for (int n = 0; n < 100 && rc == -EEXIST; n++) {
		int w = n == 0 ? snprintf(aside, aside_len, "%s.rejected-%s",
					  name, stamp)
			       : snprintf(aside, aside_len, "%s.rejected-%s-%d",
					  name, stamp, n);
		if (w < 0 || (size_t)w >= aside_len) {
			close(dfd);
			return fail(err, len, ENAMETOOLONG,
				    "name too long:", name);
		}
		rc = renameat2(dfd, name, dfd, aside, RENAME_NOREPLACE) == 0
			 ? 0
			 : -errno;
	}
	if (rc < 0) {
		close(dfd);
		return fail(err, len, -rc, "cannot set aside", name);
	}
	return dir_sync(dfd, dir, err, len);
}

void statedir_ignore(const char *dir, const char *name, bool set_aside,
		     char *note, size_t len)
{
	char aside[256], err[512];

	if (len > 0)
		note[0] = '\0';
	if (!set_aside)
		return;
	if (statedir_set_aside(dir, name, aside, sizeof(aside), err,
			       sizeof(err)) < 0)
		snprintf(note, len, " (and %s)", err);
	else
		snprintf(note, len, "; kept as %s/%s", dir, aside);
}

int statedir_clean(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (de->d_name[0] != '.' ||
		    !strstr(de->d_name, STATEDIR_TMP_TAG))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) == 0)
			n++;
	}
	closedir(d);
	return n;
}
