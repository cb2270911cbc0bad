/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_files.h: what the HTTP server reads from outside its configuration
 * at start: the bearer token files, the TLS certificate and key, and the
 * group of its unix sockets.  Kept apart from http.c so that
 * `momd --check-config` (main.c) checks them the same way a start reads
 * them, without starting a server: a configuration it passes does not
 * then stop momd at start (exit 69) on a token file group can read; a
 * socket group that does not exist gets a warning there (see
 * http_files_check()).
 */
#ifndef MOM_HTTP_FILES_H
#define MOM_HTTP_FILES_H

#include <stddef.h>
#include <sys/types.h>

#include "conf.h"

/*
 * A bearer token file's first line (a new string), or NULL with err
 * filled: not a regular file (a symlink is refused), readable or writable
 * by group or others (anyone who can read it has the level it grants),
 * over 4 KiB, or a token under 16 characters.
 */
char *http_token_load(const char *path, char *err, size_t len);

/* A whole small file (a certificate, a key) as a new string, or NULL with
   err filled. */
char *http_file_read(const char *path, char *err, size_t len);

/* The id of the named group into *gid: 0, or -ENOENT with err filled. */
int http_socket_group(const char *name, gid_t *gid, char *err, size_t len);

/*
 * Read every file of c that http_start() would read, as it would: the
 * token files and TLS files, only with `listen`, as they are used only
 * there.  0, or -1 with err naming the option and the problem.  (The
 * socket group is looked up only when momd makes its own sockets, not
 * when systemd passes them in: a caller checking a configuration looks it
 * up itself, with http_socket_group().)
 */
int http_files_check(const struct conf *c, char *err, size_t len);

#endif /* MOM_HTTP_FILES_H */
