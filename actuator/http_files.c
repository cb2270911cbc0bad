/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_files.c: the token, TLS and group look-ups of the HTTP server's
 * start, shared with `momd --check-config` (see http_files.h).
 */
#include "http_files.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "readfile.h"

char *http_file_read(const char *path, char *err, size_t len)
{
	char *buf;
	int rc = readfile_path(path, 65536, &buf, NULL);

	if (rc < 0)
		snprintf(err, len, "%s: %s", path, strerror(-rc));
	return buf;
}

char *http_token_load(const char *path, char *err, size_t len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	struct stat st;
	char *tok = NULL;
	int rc;

	if (fd < 0) {
		snprintf(err, len, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, len, "%s: not a regular file", path);
		goto out;
	}
	if (st.st_mode & 077) {
		snprintf(err, len,
			 "%s: group or others may read it (mode %04o); a "
			 "token file must be 0600 or 0400 (chmod 600 %s)",
			 path, (unsigned)(st.st_mode & 07777), path);
		goto out;
	}
	rc = readfile_fd(fd, 4096, &tok, NULL);
	if (rc < 0) {
		snprintf(err, len, "%s: %s", path, strerror(-rc));
		goto out;
	}
	tok[strcspn(tok, "\r\n")] = '\0';
	if (strlen(tok) < 16) {
		snprintf(err, len,
			 "%s: the token must be at least 16 characters", path);
		free(tok);
		tok = NULL;
	}
out:
	close(fd);
	return tok;
}

int http_socket_group(const char *name, gid_t *gid, char *err, size_t len)
{
	struct group *g = getgrnam(name);

	if (!g) {
		snprintf(err, len, "socket_group %s: no such group", name);
		return -ENOENT;
	}
	*gid = g->gr_gid;
	return 0;
}

/* Read path with read (http_token_load or http_file_read) and forget
   it; 0, or -1 with err naming the option. */
static int check_one(const char *option, const char *path,
		     char *(*read)(const char *, char *, size_t), char *err,
		     size_t len)
{
	char why[512];
	char *text;

	if (!path[0])
		return 0;
	text = read(path, why, sizeof(why));
	if (!text) {
		snprintf(err, len, "%s: %s", option, why);
		return -1;
	}
	free(text);
	return 0;
}

int http_files_check(const struct conf *c, char *err, size_t len)
{
	if (!c->listen[0])
		return 0;
	if (check_one("token_file", c->token_file, http_token_load, err, len) <
		0 ||
	    check_one("read_token_file", c->read_token_file, http_token_load,
		      err, len) < 0 ||
	    check_one("tls_cert", c->tls_cert, http_file_read, err, len) < 0 ||
	    check_one("tls_key", c->tls_key, http_file_read, err, len) < 0)
		return -1;
	return 0;
}
