/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momd_client.c: GET /v1/plan over momd's unix socket (see momd_client.h).
 *
 * A tiny HTTP/1.0 client: one request with "Connection: close", the reply
 * read until EOF (at most MAX_REPLY bytes), the status line checked, the
 * JSON body after the blank line decoded with jansson.  HTTP/1.0 keeps
 * libmicrohttpd from chunking the body.  Every wait is bounded by poll()
 * against one deadline, so a hung momd cannot hold collectd's read thread
 * longer than the timeout.
 */
#include "momd_client.h"

#include <errno.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define MAX_REPLY (8u << 20)

static const char *const ksm_keys[MOMD_KSM_NR] = {
    [MOMD_KSM_RUN] = "ksm_run",
    [MOMD_KSM_PAGES_TO_SCAN] = "ksm_pages_to_scan",
    [MOMD_KSM_SLEEP_MS] = "ksm_sleep_millisecs",
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Wait until fd is ready for `events` or the deadline passes. */
static int wait_fd(int fd, short events, int64_t deadline)
{
	struct pollfd p = {.fd = fd, .events = events};
	int64_t left = deadline - now_ms();
	int rc;

	if (left <= 0)
		return -ETIMEDOUT;
	rc = poll(&p, 1, (int)left);
	if (rc < 0)
		return -errno;
	return rc == 0 ? -ETIMEDOUT : 0;
}

static int connect_unix(const char *path, int64_t deadline, char *err,
			size_t len)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd, rc;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		snprintf(err, len, "%s: socket path too long", path);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0)
		return fd;
	if (errno != EINPROGRESS && errno != EAGAIN)
		goto fail;
	rc = wait_fd(fd, POLLOUT, deadline);
	if (rc < 0) {
		errno = -rc;
		goto fail;
	}
	return fd;
fail:
	rc = -errno;
	snprintf(err, len, "connect %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return rc;
}

static int send_all(int fd, const char *buf, size_t n, int64_t deadline)
{
	while (n > 0) {
		ssize_t w = send(fd, buf, n, MSG_NOSIGNAL);
		int rc;

		if (w > 0) {
			buf += w;
			n -= (size_t)w;
			continue;
		}
		if (w < 0 && errno != EAGAIN && errno != EINTR)
			return -errno;
		rc = wait_fd(fd, POLLOUT, deadline);
		if (rc < 0)
			return rc;
	}
	return 0;
}

/* Read until EOF into a new NUL-terminated buffer. */
static int recv_all(int fd, int64_t deadline, char **out, size_t *outlen)
{
	size_t cap = 16384, n = 0;
	char *buf = malloc(cap), *nb;
	int rc;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t r;

		if (cap - n < 2) {
			if (cap >= MAX_REPLY) {
				rc = -EFBIG;
				goto fail;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				rc = -ENOMEM;
				goto fail;
			}
			buf = nb;
			cap *= 2;
		}
		r = recv(fd, buf + n, cap - n - 1, 0);
		if (r > 0) {
			n += (size_t)r;
			continue;
		}
		if (r == 0)
			break;
		if (errno != EAGAIN && errno != EINTR) {
			rc = -errno;
			goto fail;
		}
		rc = wait_fd(fd, POLLIN, deadline);
		if (rc < 0)
			goto fail;
	}
	buf[n] = '\0';
	*out = buf;
	*outlen = n;
	return 0;
fail:
	free(buf);
	return rc;
}

static int plan_from_json(json_t *root, struct momd_plan *out, char *err,
			  size_t len)
{
	json_t *applied = json_object_get(root, "applied");
	json_t *host = json_object_get(json_object_get(root, "plan"), "host");
	const char *name;
	json_t *g;

	if (!json_is_object(applied)) {
		snprintf(err, len, "GET /v1/plan: no \"applied\" object");
		return -EPROTO;
	}
	out->guests =
	    calloc(json_object_size(applied) + 1, sizeof(*out->guests));
	if (!out->guests)
		return -ENOMEM;
	json_object_foreach(applied, name, g)
	{
		json_t *t = json_object_get(g, "target");
		struct momd_target *mt = &out->guests[out->nguests];

		if (!json_is_integer(t) || json_integer_value(t) <= 0)
			continue;
		mt->name = strdup(name);
		if (!mt->name)
			return -ENOMEM;
		mt->target_kib = (uint64_t)json_integer_value(t);
		out->nguests++;
	}
	for (int k = 0; k < MOMD_KSM_NR && json_is_object(host); k++) {
		json_t *v = json_object_get(host, ksm_keys[k]);

		if (json_is_number(v)) {
			out->ksm_present[k] = true;
			out->ksm[k] = json_number_value(v);
		}
	}
	return 0;
}

/* Check the status line and decode the body. */
static int parse_reply(const char *reply, size_t n, struct momd_plan *out,
		       char *err, size_t len)
{
	const char *body = strstr(reply, "\r\n\r\n");
	json_error_t jerr;
	json_t *root;
	int status = 0, rc;

	if (sscanf(reply, "HTTP/1.%*d %d", &status) != 1 || status != 200 ||
	    !body) {
		snprintf(err, len, "GET /v1/plan: HTTP status %d", status);
		return -EPROTO;
	}
	body += 4;
	root = json_loadb(body, n - (size_t)(body - reply), 0, &jerr);
	if (!root) {
		snprintf(err, len, "GET /v1/plan: %s", jerr.text);
		return -EPROTO;
	}
	rc = plan_from_json(root, out, err, len);
	json_decref(root);
	return rc;
}

int momd_plan_fetch(const char *path, int timeout_ms, struct momd_plan *out,
		    char *err, size_t len)
{
	static const char req[] = "GET /v1/plan HTTP/1.0\r\n"
				  "Host: localhost\r\n"
				  "Accept: application/json\r\n"
				  "Connection: close\r\n\r\n";
	int64_t deadline = now_ms() + timeout_ms;
	char *reply = NULL;
	size_t n = 0;
	int fd, rc;

	memset(out, 0, sizeof(*out));
	fd = connect_unix(path, deadline, err, len);
	if (fd < 0)
		return fd;
	rc = send_all(fd, req, sizeof(req) - 1, deadline);
	if (rc == 0)
		rc = recv_all(fd, deadline, &reply, &n);
	close(fd);
	if (rc < 0) {
		snprintf(err, len, "GET /v1/plan on %s: %s", path,
			 strerror(-rc));
		return rc;
	}
	rc = parse_reply(reply, n, out, err, len);
	free(reply);
	return rc;
}

void momd_plan_release(struct momd_plan *p)
{
	for (size_t i = 0; p->guests && i < p->nguests; i++)
		free(p->guests[i].name);
	free(p->guests);
	memset(p, 0, sizeof(*p));
}
