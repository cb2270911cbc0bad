/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listenfds.h: take the listening sockets that systemd (or any launcher
 * speaking its socket-activation protocol) passed in: LISTEN_PID,
 * LISTEN_FDS and LISTEN_FDNAMES, descriptors from 3 on.  Our own few lines
 * rather than libsystemd: momd needs nothing else from it.
 */
#ifndef MOM_LISTENFDS_H
#define MOM_LISTENFDS_H

#include <stddef.h>

#define LISTENFDS_MAX	   8
#define LISTENFDS_NAME_MAX 64

struct listenfd {
	int fd;
	char name[LISTENFDS_NAME_MAX]; /* FileDescriptorName=, "" if none */
};

/*
 * Take the passed sockets, at most LISTENFDS_MAX.  Returns how many (0
 * when none were passed to this process), or -1 with err filled when the
 * environment names sockets that are not listening unix stream sockets.
 * The variables are removed from the environment either way, so nothing
 * momd starts inherits them; the descriptors get FD_CLOEXEC.
 */
int listenfds_take(struct listenfd *out, size_t max, char *err, size_t len);

#endif /* MOM_LISTENFDS_H */
