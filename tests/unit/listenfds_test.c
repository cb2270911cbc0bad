/* SPDX-License-Identifier: Apache-2.0 */
/*
 * listenfds_test.c: the socket-activation protocol (actuator/listenfds.c)
 * on real sockets placed at descriptors 3 and 4: names taken in order,
 * fewer names than sockets, variables meant for another process, bad
 * numbers, too many sockets, and descriptors that are not listening unix
 * stream sockets.  The environment is cleared after every call.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "listenfds.h"
#include "testing.h"

static char dir[] = "/tmp/listenfds_test.XXXXXX";

/* A listening unix socket at descriptor want (dup2), or -1. */
static int listener_at(int want, const char *name)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(a.sun_path, sizeof(a.sun_path), "%s/%s", dir, name);
	if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    listen(fd, 4) < 0 || dup2(fd, want) < 0)
		return -1;
	if (fd != want)
		close(fd);
	return want;
}

static void env_set(const char *pid, const char *fds, const char *names)
{
	char self[32];

	snprintf(self, sizeof(self), "%d", (int)getpid());
	setenv("LISTEN_PID", pid ? pid : self, 1);
	setenv("LISTEN_FDS", fds, 1);
	if (names)
		setenv("LISTEN_FDNAMES", names, 1);
	else
		unsetenv("LISTEN_FDNAMES");
}

static bool env_clear(void)
{
	return !getenv("LISTEN_PID") && !getenv("LISTEN_FDS") &&
	       !getenv("LISTEN_FDNAMES");
}

int main(void)
{
	struct listenfd fds[LISTENFDS_MAX];
	char err[256] = "";
	int n;

	if (!mkdtemp(dir) || listener_at(3, "a") != 3 ||
	    listener_at(4, "b") != 4) {
		T_SKIP("cannot place listening sockets at descriptors 3 and 4");
		return t_done();
	}

	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	T_EQ_INT(listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err)), 0,
		 "no variables: no sockets");

	env_set(NULL, "2", "admin:read");
	n = listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err));
	T_EQ_INT(n, 2, "two sockets passed");
	T_OK(n == 2 && fds[0].fd == 3 && fds[1].fd == 4, "at 3 and 4");
	T_EQ_STR(n == 2 ? fds[0].name : NULL, "admin", "first name");
	T_EQ_STR(n == 2 ? fds[1].name : NULL, "read", "second name");
	T_OK(fcntl(3, F_GETFD) & FD_CLOEXEC, "FD_CLOEXEC set");
	T_OK(env_clear(), "the variables are removed");

	env_set(NULL, "2", "read");
	n = listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err));
	T_OK(n == 2 && strcmp(fds[0].name, "read") == 0 && fds[1].name[0] == 0,
	     "fewer names than sockets: the rest are unnamed");

	env_set(NULL, "1", NULL);
	n = listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err));
	T_OK(n == 1 && fds[0].name[0] == 0, "no LISTEN_FDNAMES: unnamed");

	env_set("1", "2", "admin:read");
	T_EQ_INT(listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err)), 0,
		 "LISTEN_PID of another process: ignored");
	T_OK(env_clear(), "... and removed");

	env_set(NULL, "2x", NULL);
	T_EQ_INT(listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err)), -1,
		 "LISTEN_FDS not a number: refused");
	T_OK(strstr(err, "not a number") != NULL, "... saying so: %s", err);

	env_set(NULL, "2", NULL);
	T_EQ_INT(listenfds_take(fds, 1, err, sizeof(err)), -1,
		 "more sockets than momd takes: refused");
	T_OK(strstr(err, "at most 1") != NULL, "... saying so: %s", err);

	/* Descriptor 4 becomes a datagram socket, then a pipe. */
	{
		int d = socket(AF_UNIX, SOCK_DGRAM, 0), p[2];

		dup2(d, 4);
		close(d);
		env_set(NULL, "2", NULL);
		T_EQ_INT(listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err)),
			 -1, "a datagram socket: refused");
		T_OK(strstr(err, "descriptor 4 is not a listening unix "
				 "stream socket") != NULL,
		     "... naming the descriptor: %s", err);
		if (pipe(p) == 0) {
			dup2(p[0], 4);
			close(p[0]);
			close(p[1]);
		}
		env_set(NULL, "2", NULL);
		T_EQ_INT(listenfds_take(fds, LISTENFDS_MAX, err, sizeof(err)),
			 -1, "a pipe: refused");
		T_OK(env_clear(), "the variables are removed on error too");
	}
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/a", dir);
		unlink(path);
		snprintf(path, sizeof(path), "%s/b", dir);
		unlink(path);
		rmdir(dir);
	}
	close(3);
	close(4);
	return t_done();
}
