/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_sysfs.c: KSM knobs as files of one directory (/sys/kernel/mm/ksm).
 *
 * The directory is opened once; every access is openat() relative to it
 * with a name from the fixed table below and O_NOFOLLOW, so no request, no
 * policy and no configuration can make this module write anywhere else.
 */
#include "host.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *const ksm_knob_names[KSM_KNOB_COUNT] = {
	[KSM_RUN] = "run",
	[KSM_PAGES_TO_SCAN] = "pages_to_scan",
	[KSM_SLEEP_MILLISECS] = "sleep_millisecs",
	[KSM_MERGE_ACROSS_NODES] = "merge_across_nodes",
	[KSM_PAGES_SHARED] = "pages_shared",
};

struct sysfs_ksm {
	int dirfd;
};

static int sysfs_get(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
		     size_t len)
{
	struct sysfs_ksm *s = ctx;
	char buf[64], *end;
	ssize_t n;
	int fd, rc;

	fd = openat(s->dirfd, ksm_knob_names[k], O_RDONLY | O_NOFOLLOW |
						      O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(msg, len, "open %s: %s", ksm_knob_names[k],
			 strerror(errno));
		return rc;
	}
	n = read(fd, buf, sizeof(buf) - 1);
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc < 0) {
		snprintf(msg, len, "read %s: %s", ksm_knob_names[k],
			 strerror(-rc));
		return rc;
	}
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
	int fd, n, rc = 0;

	if (k == KSM_PAGES_SHARED) {
		snprintf(msg, len, "pages_shared is read-only");
		return -EPERM;
	}
	fd = openat(s->dirfd, ksm_knob_names[k],
		    O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		snprintf(msg, len, "open %s: %s", ksm_knob_names[k],
			 strerror(errno));
		return rc;
	}
	n = snprintf(buf, sizeof(buf), "%" PRId64 "\n", value);
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

	if (s && s->dirfd >= 0)
		close(s->dirfd);
	free(s);
}

int host_sysfs_ksm(const char *ksm_dir, struct ksm_backend *out, char *msg,
		   size_t len)
{
	struct sysfs_ksm *s = calloc(1, sizeof(*s));
	int rc;

	if (!s)
		return -ENOMEM;
	s->dirfd = open(ksm_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		rc = -errno;
		snprintf(msg, len, "KSM directory %s: %s", ksm_dir,
			 strerror(errno));
		free(s);
		return rc;
	}
	*out = (struct ksm_backend){.name = "sysfs",
				    .ctx = s,
				    .get = sysfs_get,
				    .set = sysfs_set,
				    .free = sysfs_free};
	return 0;
}

void ksm_backend_release(struct ksm_backend *k)
{
	if (k->free)
		k->free(k->ctx);
	memset(k, 0, sizeof(*k));
}

void balloon_backend_release(struct balloon_backend *b)
{
	if (b->free)
		b->free(b->ctx);
	memset(b, 0, sizeof(*b));
}
