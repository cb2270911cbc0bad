/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momd_client_test.c: unit tests of collectd-plugin/momd_client.c (GET
 * /v1/plan over a unix socket, on libcurl through http_curl.c) against a
 * real unix-socket server thread written here that answers one request per
 * case: a plan, an empty plan, HTTP 500, a body that is not JSON, a reply
 * over the 8 MiB bound, and a server that never answers (the fetch must
 * return within its timeout).  Also: no socket file (-ENOENT) and a socket
 * nobody listens on (-ECONNREFUSED).
 */
#include "momd_client.h"
#include "testing.h"
#include "unix_http.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

enum mode { PLAN, EMPTY, STATUS_500, NOT_JSON, HUGE, SILENT };

struct server {
	int fd;
	enum mode mode;
	char request[1024];
};

static const char plan_json[] =
    "{\"applied\":{\"vm1\":{\"target\":524288},\"vm2\":{\"target\":0},"
    "\"vm3\":{\"target\":1048576}},\"plan\":{\"host\":{\"ksm_run\":1,"
    "\"ksm_pages_to_scan\":64,\"ksm_sleep_millisecs\":20},"
    "\"guests\":{\"vm1\":{\"balloon_target\":524288},"
    "\"vm3\":{\"vcpu_quota\":-1,\"vcpu_period\":100000,"
    "\"disks\":{\"vda\":{\"read_iops_sec\":200,\"total_bytes_sec\":0},"
    "\"vdb\":{}}}}}}";

static void reply(int c, const char *status, const char *body)
{
	char head[256];

	snprintf(head, sizeof(head),
		 "HTTP/1.1 %s\r\nContent-Type: application/json\r\n"
		 "Content-Length: %zu\r\nConnection: close\r\n\r\n",
		 status, strlen(body));
	unix_send_str(c, head);
	unix_send_str(c, body);
}

/* Serves one connection as s->mode says. */
static void *serve(void *arg)
{
	struct server *s = arg;
	int c = accept(s->fd, NULL, NULL);
	size_t n = 0;

	if (c < 0)
		return NULL;
	while (n < sizeof(s->request) - 1 &&
	       strstr(s->request, "\r\n\r\n") == NULL) {
		ssize_t r =
		    recv(c, s->request + n, sizeof(s->request) - 1 - n, 0);

		if (r <= 0)
			break;
		n += (size_t)r;
		s->request[n] = '\0';
	}
	switch (s->mode) {
	case PLAN:
		reply(c, "200 OK", plan_json);
		break;
	case EMPTY:
		reply(c, "200 OK", "{\"applied\":{},\"plan\":null}");
		break;
	case STATUS_500:
		reply(c, "500 Internal Server Error", "{}");
		break;
	case NOT_JSON:
		reply(c, "200 OK", "<html>");
		break;
	case HUGE: {
		size_t len = (9u << 20);
		char *big = malloc(len + 1);

		if (big != NULL) {
			memset(big, ' ', len);
			big[len] = '\0';
			reply(c, "200 OK", big);
			free(big);
		}
		break;
	}
	case SILENT: {
		char b;

		/* Wait for the client to give up (it closes). */
		while (recv(c, &b, 1, 0) > 0)
			;
		break;
	}
	}
	close(c);
	return NULL;
}

/* Two fetches through one client: with keep_alive one connection serves
   both, without it each fetch connects afresh. */
static void client_reuse(const char *path, bool keep_alive)
{
	struct unix_http h = {.body = plan_json, .want = 2};
	struct momd_client *c = NULL;
	struct momd_plan p;
	char err[512];
	int ok = 0;

	if (unix_http_start(&h, path) < 0) {
		T_OK(false, "cannot listen on %s", path);
		return;
	}
	c = momd_client_new(path, keep_alive);
	for (int i = 0; c != NULL && i < 2; i++) {
		ok += momd_client_fetch(c, 2000, &p, err, sizeof(err)) == 0 &&
		      p.nguests == 2;
		momd_plan_release(&p);
	}
	momd_client_free(c);
	unix_http_stop(&h, path);
	T_OK(ok == 2, "client (keep_alive %d): two plans fetched (%d)",
	     keep_alive, ok);
	T_OK(h.conns == (keep_alive ? 1 : 2),
	     "client (keep_alive %d): %d connection(s) for two fetches",
	     keep_alive, h.conns);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Runs one fetch against a server in `mode`; returns its result. */
static int fetch(const char *path, enum mode mode, int timeout_ms,
		 struct momd_plan *plan, char *err, size_t len, char *request,
		 size_t reqlen)
{
	struct server s = {.mode = mode};
	pthread_t t;
	int rc;

	s.fd = unix_listen(path, true);
	if (s.fd < 0 || pthread_create(&t, NULL, serve, &s) != 0) {
		snprintf(err, len, "cannot listen on %s", path);
		return -EAGAIN;
	}
	rc = momd_plan_fetch(path, timeout_ms, plan, err, len);
	shutdown(s.fd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(s.fd);
	unlink(path);
	if (request != NULL)
		snprintf(request, reqlen, "%s", s.request);
	return rc;
}

int main(void)
{
	char path[108], err[512], request[1024];
	struct momd_plan p;
	double t0;
	int fd, rc;

	snprintf(path, sizeof(path), "/tmp/momd_client_test.%d.sock",
		 (int)getpid());

	rc = fetch(path, PLAN, 2000, &p, err, sizeof(err), request,
		   sizeof(request));
	T_OK(rc == 0, "a plan is fetched (%d %s)", rc, rc ? err : "ok");
	T_OK(strncmp(request, "GET /v1/plan HTTP/1.", 20) == 0,
	     "the request is GET /v1/plan");
	T_EQ_INT(p.nguests, 2, "two guests with a positive target");
	T_OK(p.nguests == 2 && ((strcmp(p.guests[0].name, "vm1") == 0 &&
				 p.guests[0].target_kib == 524288) ||
				(strcmp(p.guests[1].name, "vm1") == 0 &&
				 p.guests[1].target_kib == 524288)),
	     "vm1's target read");
	T_OK(p.ksm_present[MOMD_KSM_RUN] && p.ksm[MOMD_KSM_RUN] == 1 &&
		 p.ksm_present[MOMD_KSM_PAGES_TO_SCAN] &&
		 p.ksm[MOMD_KSM_PAGES_TO_SCAN] == 64 &&
		 p.ksm_present[MOMD_KSM_SLEEP_MS] &&
		 p.ksm[MOMD_KSM_SLEEP_MS] == 20,
	     "KSM settings read");
	T_OK(p.nctls == 1 && strcmp(p.ctls[0].name, "vm3") == 0 &&
		 p.ctls[0].present[MOMD_VCPU_QUOTA] &&
		 p.ctls[0].value[MOMD_VCPU_QUOTA] == -1 &&
		 p.ctls[0].present[MOMD_VCPU_PERIOD] &&
		 p.ctls[0].value[MOMD_VCPU_PERIOD] == 100000,
	     "vm3's CPU limits read; vm1 (balloon only) has none");
	T_OK(p.ndisks == 1 && strcmp(p.disks[0].guest, "vm3") == 0 &&
		 strcmp(p.disks[0].dev, "vda") == 0 && p.disks[0].present[4] &&
		 p.disks[0].value[4] == 200 && p.disks[0].present[0] &&
		 p.disks[0].value[0] == 0 && !p.disks[0].present[1],
	     "vm3's disk limits read (vda; vdb without limits left out)");
	momd_plan_release(&p);

	rc = fetch(path, EMPTY, 2000, &p, err, sizeof(err), NULL, 0);
	T_OK(rc == 0 && p.nguests == 0 && !p.ksm_present[MOMD_KSM_RUN],
	     "a daemon that has not evaluated yet: an empty plan");
	momd_plan_release(&p);

	rc = fetch(path, STATUS_500, 2000, &p, err, sizeof(err), NULL, 0);
	T_EQ_INT(rc, -EPROTO, "HTTP 500: -EPROTO");
	T_OK(strstr(err, "500") != NULL, "the message names the status: %s",
	     err);
	momd_plan_release(&p);

	rc = fetch(path, NOT_JSON, 2000, &p, err, sizeof(err), NULL, 0);
	T_EQ_INT(rc, -EPROTO, "a body that is not JSON: -EPROTO");
	momd_plan_release(&p);

	rc = fetch(path, HUGE, 5000, &p, err, sizeof(err), NULL, 0);
	T_OK(rc == -EFBIG, "a reply over 8 MiB: -EFBIG (%d %s)", rc, err);
	momd_plan_release(&p);

	t0 = now_s();
	rc = fetch(path, SILENT, 300, &p, err, sizeof(err), NULL, 0);
	T_EQ_INT(rc, -ETIMEDOUT, "a server that never answers: -ETIMEDOUT");
	T_OK(now_s() - t0 < 2.0, "bounded by the timeout (%.2f s for 0.3 s)",
	     now_s() - t0);
	momd_plan_release(&p);

	client_reuse(path, true);
	client_reuse(path, false);

	unlink(path);
	rc = momd_plan_fetch(path, 1000, &p, err, sizeof(err));
	T_OK(rc == -ENOENT, "no socket file: -ENOENT (%d %s)", rc, err);
	T_OK(strstr(err, path) != NULL, "the message names the socket");
	momd_plan_release(&p);

	fd = unix_listen(path, false);
	rc = momd_plan_fetch(path, 1000, &p, err, sizeof(err));
	T_OK(rc == -ECONNREFUSED, "nobody listening: -ECONNREFUSED (%d %s)", rc,
	     err);
	momd_plan_release(&p);
	if (fd >= 0)
		close(fd);
	unlink(path);
	return t_done();
}
