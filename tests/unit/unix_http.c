/* SPDX-License-Identifier: Apache-2.0 */
/*
 * unix_http.c: the unit tests' keep-alive HTTP server on a unix socket
 * (unix_http.h).  A request is its headers and, when they say so, a body
 * of Content-Length bytes (the sender's POSTs); several may follow one
 * another on a connection.
 */
#include "unix_http.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

int unix_listen(const char *path, bool do_listen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    (do_listen && listen(fd, 4) < 0)) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void unix_send_str(int fd, const char *s)
{
	size_t n = strlen(s);

	while (n > 0) {
		ssize_t w = send(fd, s, n, MSG_NOSIGNAL);

		if (w <= 0)
			return;
		s += w;
		n -= (size_t)w;
	}
}

/* The length of the first whole request in buf (headers and body), or 0
   while it is incomplete. */
static size_t request_len(const char *buf, size_t n)
{
	const char *end = strstr(buf, "\r\n\r\n");
	size_t head, body = 0;

	if (end == NULL)
		return 0;
	head = (size_t)(end - buf) + 4;
	for (const char *p = buf; p < end; p++) {
		if (strncasecmp(p, "\r\nContent-Length:", 17) == 0) {
			body = strtoul(p + 17, NULL, 10);
			break;
		}
	}
	return n >= head + body ? head + body : 0;
}

/* Does the request's head (the first len bytes of buf) carry the bearer
   token h->bearer, whole? */
static bool has_bearer(const struct unix_http *h, const char *buf, size_t len)
{
	static const char name[] = "\r\nAuthorization: Bearer ";
	size_t n = strlen(h->bearer);
	const char *p = memmem(buf, len, name, sizeof(name) - 1);

	if (p == NULL)
		return false;
	p += sizeof(name) - 1;
	return (size_t)(buf + len - p) >= n + 2 &&
	       memcmp(p, h->bearer, n) == 0 && memcmp(p + n, "\r\n", 2) == 0;
}

/* Answer requests on connection c until h->want are answered or the
   client closes. */
static void serve_conn(struct unix_http *h, int c, const char *head)
{
	char buf[8192];
	size_t n = 0, len;

	while (h->requests < h->want) {
		ssize_t r = recv(c, buf + n, sizeof(buf) - 1 - n, 0);

		if (r <= 0)
			return; /* the client closed: next connection */
		n += (size_t)r;
		buf[n] = '\0';
		while (h->requests < h->want && (len = request_len(buf, n))) {
			h->requests++;
			if (h->bearer != NULL && has_bearer(h, buf, len))
				h->auth_ok++;
			unix_send_str(c, head);
			unix_send_str(c, h->body);
			memmove(buf, buf + len, n - len + 1);
			n -= len;
		}
		if (n == sizeof(buf) - 1)
			return; /* too large for this server */
	}
}

static void *serve(void *arg)
{
	struct unix_http *h = arg;
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\n\r\n",
		 strlen(h->body));
	while (h->requests < h->want) {
		int c = accept(h->fd, NULL, NULL);

		if (c < 0)
			return NULL;
		h->conns++;
		serve_conn(h, c, head);
		close(c);
	}
	return NULL;
}

int unix_http_start(struct unix_http *h, const char *path)
{
	h->conns = h->requests = h->auth_ok = 0;
	h->fd = unix_listen(path, true);
	if (h->fd < 0)
		return -1;
	if (pthread_create(&h->thread, NULL, serve, h) != 0) {
		close(h->fd);
		unlink(path);
		return -1;
	}
	return 0;
}

void unix_http_stop(struct unix_http *h, const char *path)
{
	shutdown(h->fd, SHUT_RDWR); /* ends a waiting accept() */
	pthread_join(h->thread, NULL);
	close(h->fd);
	unlink(path);
}
