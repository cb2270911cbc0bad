/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_http.h: for the unit tests of the plugins' libcurl clients
 * (momd_client_test, http_curl_test), a unix socket listener and a small
 * HTTP/1.1 server thread on it that answers every request 200 with one
 * JSON body, keeps each connection open until the client closes it
 * (keep-alive), and counts connections and requests, so a test can tell
 * whether a client reused its connection, and those with a given bearer
 * token.
 */
#ifndef MOM_TEST_UNIX_HTTP_H
#define MOM_TEST_UNIX_HTTP_H

#include <pthread.h>
#include <stdbool.h>

/* A unix stream socket bound to path (an old file removed first) and,
   with do_listen, listening.  The descriptor, or -1. */
int unix_listen(const char *path, bool do_listen);

/* Send all of s, ignoring errors (a test reads the outcome elsewhere). */
void unix_send_str(int fd, const char *s);

struct unix_http {
	const char *body; /* answered with 200 to every request */
	int want;	  /* the thread ends after answering this many */
	/* When set: requests are counted in auth_ok whose headers hold
	   "Authorization: Bearer <bearer>" exactly. */
	const char *bearer;
	/* The server thread's own; read them after unix_http_stop(). */
	int fd, conns, requests, auth_ok;
	pthread_t thread;
};

/* Listen on path and start the thread.  0, or -1. */
int unix_http_start(struct unix_http *h, const char *path);

/* Wake the thread if it still waits for a connection, join it, close
   the listener and remove path.  The client must have closed its
   connections first (a kept one holds the thread in recv()). */
void unix_http_stop(struct unix_http *h, const char *path);

#endif /* MOM_TEST_UNIX_HTTP_H */
