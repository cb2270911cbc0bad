/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listenfds.c: systemd's socket-activation protocol (sd_listen_fds(3)),
 * written from its documented contract: the launcher sets LISTEN_PID to
 * our pid, LISTEN_FDS to the number of sockets, which start at descriptor
 * 3, and optionally LISTEN_FDNAMES, their names separated by ':'.  A
 * LISTEN_PID that is not ours means the variables were meant for another
 * process (inherited): they are ignored.
 */
#include "listenfds.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define FIRST_FD 3

static void env_clear(void)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	unsetenv("LISTEN_FDNAMES");
}

/* A whole decimal number in [0, max], or -1. */
static long long number(const char *s, long long max)
{
	char *end;
	long long v;

	if (!s || !*s)
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno || *end || v < 0 || v > max)
		return -1;
	return v;
}

/* The i-th ':'-separated name of names (NULL: none) into out. */
static void name_at(const char *names, size_t i, char *out, size_t len)
{
	const char *p = names;

	out[0] = '\0';
	for (; p && i; i--) {
		p = strchr(p, ':');
		if (p)
			p++;
	}
	if (p) {
		size_t n = strcspn(p, ":");

		if (n >= len)
			n = len - 1;
		memcpy(out, p, n);
		out[n] = '\0';
	}
}

/* Is fd a listening unix stream socket?  0, or -1 with err filled. */
static int check_socket(int fd, char *err, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int type = 0, acc = 0;
	socklen_t ol = sizeof(int);

	if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
	    ss.ss_family != AF_UNIX ||
	    getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &ol) < 0 ||
	    type != SOCK_STREAM ||
	    getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &acc, &ol) < 0 || !acc) {
		snprintf(err, len,
			 "LISTEN_FDS: descriptor %d is not a listening unix "
			 "stream socket (ListenStream=/path in momd.socket)",
			 fd);
		return -1;
	}
	return 0;
}

int listenfds_take(struct listenfd *out, size_t max, char *err, size_t len)
{
	const char *pid = getenv("LISTEN_PID");
	const char *fds = getenv("LISTEN_FDS");
	const char *names = getenv("LISTEN_FDNAMES");
	long long p = number(pid, 1LL << 31), n = number(fds, 1LL << 20);
	int ret = 0;

	if (!pid && !fds) {
		env_clear();
		return 0;
	}
	if (p != (long long)getpid()) {
		env_clear(); /* inherited from a parent: not for us */
		return 0;
	}
	if (n < 0) {
		snprintf(err, len, "LISTEN_FDS: \"%s\" is not a number",
			 fds ? fds : "");
		ret = -1;
	} else if ((size_t)n > max) {
		snprintf(err, len, "LISTEN_FDS: %lld sockets, at most %zu", n,
			 max);
		ret = -1;
	}
	for (long long i = 0; ret == 0 && i < n; i++) {
		int fd = FIRST_FD + (int)i;

		if (check_socket(fd, err, len) < 0) {
			ret = -1;
			break;
		}
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0) {
			snprintf(err, len, "LISTEN_FDS: %d: %s", fd,
				 strerror(errno));
			ret = -1;
			break;
		}
		out[i].fd = fd;
		name_at(names, (size_t)i, out[i].name, sizeof(out[i].name));
	}
	env_clear();
	return ret < 0 ? -1 : (int)n;
}
