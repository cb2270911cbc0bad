/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_sysfs.c: KSM knobs as files of one directory (/sys/kernel/mm/ksm).
 *
 * The directory is opened once; every access is openat() relative to it
 * with a name from the fixed table below and O_NOFOLLOW, and only a regular
 * file of one link is accepted (no hard link, device or FIFO), so no
 * request, no policy and no configuration can make this module write
 * anywhere else.
 * Knobs read back at every cycle stay open for reading when they are on
 * sysfs (a scratch directory of regular files is opened at every read).
 *
 * A kernel without KSM has no such directory.  That must not stop the
 * daemon (MOM died on a missing KSM file, and took ballooning with it): the
 * backend then opens the directory again at each access and every access
 * fails with ENOENT, which the controller reports and backs off from.
 */
#include "host.h"
#include "readfile.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct sysfs_ksm {
	char *dir; /* owned */
	int dirfd; /* -1 until the directory could be opened */
	/* Knobs read at every cycle, kept open when they are on sysfs (a
	   pread from offset 0 renders them afresh: one call instead of
	   openat, read and close); -1 when not open. */
	int rfd[KSM_KNOB_COUNT];
};

/* The directory's descriptor, opened on first need; -errno with msg. */
static int sysfs_dirfd(struct sysfs_ksm *s, char *msg, size_t len)
{
	int rc;

	if (s->dirfd >= 0)
		return s->dirfd;
	s->dirfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		rc = -errno;
		snprintf(msg, len, "KSM directory %s: %s", s->dir,
			 strerror(errno));
		return rc;
	}
	return s->dirfd;
}

/*
 * Opens knob k of the directory: 0 or -errno with msg.  Only a regular file
 * with one link is a knob: O_NOFOLLOW refuses a symlink, and this refuses a
 * hard link (its inode lives elsewhere, so a write would land outside the
 * directory), a device node, and a FIFO, whose open would otherwise block
 * the cycle thread (O_NONBLOCK: refused at once, not waited on).  Sysfs
 * attributes are regular files of one link.
 */
static int knob_open(int dirfd, enum ksm_knob k, int flags, char *msg,
		     size_t len)
{
	struct stat st;
	int fd = openat(dirfd, ksm_knob_names[k],
			flags | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
	int rc;

	if (fd < 0) {
		rc = -errno;
		snprintf(msg, len, "open %s: %s", ksm_knob_names[k],
			 strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) < 0) {
		rc = -errno;
		snprintf(msg, len, "stat %s: %s", ksm_knob_names[k],
			 strerror(errno));
		close(fd);
		return rc;
	}
	if (!S_ISREG(st.st_mode) || st.st_nlink != 1) {
		snprintf(msg, len,
			 "%s is not a regular file of the KSM directory (a "
			 "device, FIFO or hard link): refused",
			 ksm_knob_names[k]);
		close(fd);
		return -EPERM;
	}
	return fd;
}

static int sysfs_get(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
		     size_t len)
{
	struct sysfs_ksm *s = ctx;
	char buf[64], *end;
	ssize_t n;
	int dirfd = sysfs_dirfd(s, msg, len), fd, rc;

	if (dirfd < 0)
		return dirfd;
	n = s->rfd[k] >= 0 ? pread(s->rfd[k], buf, sizeof(buf) - 1, 0) : -1;
	if (n >= 0)
		goto parse;
	if (s->rfd[k] >= 0) {
		close(s->rfd[k]); /* failed: open it afresh */
		s->rfd[k] = -1;
	}
	fd = knob_open(dirfd, k, O_RDONLY, msg, len);
	if (fd < 0)
		return fd;
	n = read(fd, buf, sizeof(buf) - 1);
	rc = n < 0 ? -errno : 0;
	if (rc == 0 && readfile_is_sysfs(fd))
		s->rfd[k] = fd;
	else
		close(fd);
	if (rc < 0) {
		snprintf(msg, len, "read %s: %s", ksm_knob_names[k],
			 strerror(-rc));
		return rc;
	}
parse:
	buf[n] = '\0';
	errno = 0;
	*value = strtoll(buf, &end, 10);
	if (errno || end == buf || (*end && *end != '\n')) {
		snprintf(msg, len, "%s: not an integer", ksm_knob_names[k]);
		return -EINVAL;
	}
	return 0;
}

static int sysfs_set(void *ctx, enum ksm_knob k, int64_t value, char *msg,
		     size_t len)
{
	struct sysfs_ksm *s = ctx;
	char buf[32];
	int dirfd, fd, n, rc = 0;

	if (k == KSM_PAGES_SHARED) {
		snprintf(msg, len, "pages_shared is read-only");
		return -EPERM;
	}
	dirfd = sysfs_dirfd(s, msg, len);
	if (dirfd < 0)
		return dirfd;
	fd = knob_open(dirfd, k, O_WRONLY, msg, len);
	if (fd < 0)
		return fd;
	n = snprintf(buf, sizeof(buf), "%" PRId64 "\n", value);
	errno = 0;
	if (write(fd, buf, n) != n) {
		rc = errno ? -errno : -EIO;
		snprintf(msg, len, "write %s=%" PRId64 ": %s",
			 ksm_knob_names[k], value, strerror(-rc));
	}
	close(fd);
	return rc;
}

static void sysfs_free(void *ctx)
{
	struct sysfs_ksm *s = ctx;

	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	for (int k = 0; k < KSM_KNOB_COUNT; k++)
		if (s->rfd[k] >= 0)
			close(s->rfd[k]);
	free(s->dir);
	free(s);
}

int host_sysfs_ksm(const char *ksm_dir, struct ksm_backend *out, char *msg,
		   size_t len)
{
	struct sysfs_ksm *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || !(s->dir = strdup(ksm_dir))) {
		free(s);
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	s->dirfd = -1;
	for (int k = 0; k < KSM_KNOB_COUNT; k++)
		s->rfd[k] = -1;
	/* Only a missing directory is tolerated (no KSM in this kernel). */
	rc = sysfs_dirfd(s, msg, len);
	if (rc < 0 && rc != -ENOENT) {
		sysfs_free(s);
		return rc;
	}
	*out = (struct ksm_backend){.name = "sysfs",
				    .ctx = s,
				    .get = sysfs_get,
				    .set = sysfs_set,
				    .free = sysfs_free};
	return 0;
}
