/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_driver.c: test driver for the guest-agent reader and cache
 * (collectd-plugin/agent_read.c, agent_cache.c), used by
 * tests/it/guest_agent.sh on real QEMU guests.
 *
 *   agent_driver read URI DOMAIN PATH
 *       print the guest file PATH read through the agent (fixtures);
 *       exit 1 with the reason on stderr if it cannot be read
 *   agent_driver watch URI STATUSFILE INTERVAL_MS BACKOFF_MS TIMEOUT_S
 * DOMAIN... run the cache; every 100 ms rewrite STATUSFILE (atomically) with
 *       one line per DOMAIN:
 *         NAME found=0|1 state=unknown|ok|failing stale=0|1 age_ms=N
 *         polls=N failures=N file_errors=N <field>=<value>|- ...
 *         poll_us=<last poll> poll_calls=<its agent calls>
 *         get_us=<longest agent_cache_get so far>
 *         err=<last error>
 *       until stdin reaches EOF.
 */
#include "agent_cache.h"
#include "agent_read.h"

#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int64_t now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

static int cmd_read(const char *uri, const char *name, const char *path)
{
	virConnectPtr conn = virConnectOpen(uri);
	virDomainPtr dom;
	char err[200], *buf;
	size_t len;
	enum agent_rc rc;

	if (conn == NULL)
		return 1;
	dom = virDomainLookupByName(conn, name);
	if (dom == NULL) {
		virConnectClose(conn);
		return 1;
	}
	struct agent_transport t = agent_transport_libvirt(dom, 2);
	buf = malloc(AGENT_TEXT_MAX + 1);
	rc = buf ? agent_read_file(&t, path, buf, AGENT_TEXT_MAX, &len, err,
				   sizeof(err))
		 : AGENT_FILE_ERROR;
	if (rc == AGENT_OK)
		fwrite(buf, 1, len, stdout);
	else
		fprintf(stderr, "agent_driver: %s (rc %d)\n", err, rc);
	free(buf);
	virDomainFree(dom);
	virConnectClose(conn);
	return rc == AGENT_OK ? 0 : 1;
}

static const char *state_name(enum agent_state s)
{
	return s == AGENT_STATE_OK	  ? "ok"
	       : s == AGENT_STATE_FAILING ? "failing"
					  : "unknown";
}

static void write_status(struct agent_cache *c, const char *file, char **names,
			 unsigned char (*uuids)[AGENT_UUID_LEN],
			 const int *have_uuid, int n, int64_t *get_us)
{
	char tmp[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.tmp", file);
	f = fopen(tmp, "w");
	if (f == NULL)
		return;
	for (int i = 0; i < n; i++) {
		struct agent_result r;
		int64_t t0 = now_us();
		int found =
		    have_uuid[i] && agent_cache_get(c, uuids[i], &r) == 0;
		int64_t dt = now_us() - t0;
		if (!found)
			memset(&r, 0, sizeof(r));
		if (dt > *get_us)
			*get_us = dt;
		fprintf(f,
			"%s found=%d state=%s stale=%d age_ms=%lld polls=%llu "
			"failures=%llu file_errors=%llu",
			names[i], found, state_name(r.state),
			found ? r.stale : 1, (long long)(found ? r.age_ms : -1),
			(unsigned long long)r.polls,
			(unsigned long long)r.failures,
			(unsigned long long)r.file_errors);
		for (int k = 0; k < AGENT_FIELD_NR; k++) {
			if (found && r.has_stats && r.stats.present[k])
				fprintf(f, " %s=%llu", agent_field_name(k),
					(unsigned long long)r.stats.v[k]);
			else
				fprintf(f, " %s=-", agent_field_name(k));
		}
		/* The error text comes from libvirt and the guest: keep it on
		   one line. */
		for (char *p = r.last_error; *p; p++)
			if (*p == '\n' || *p == '\r')
				*p = ' ';
		fprintf(f, " poll_us=%lld poll_calls=%d get_us=%lld err=%s\n",
			(long long)r.poll_us, r.poll_calls, (long long)*get_us,
			r.last_error);
	}
	fclose(f);
	rename(tmp, file);
}

static int cmd_watch(int argc, char **argv)
{
	struct agent_cache_conf conf = {0};
	char err[200];
	int n = argc - 7;
	unsigned char(*uuids)[AGENT_UUID_LEN] =
	    calloc((size_t)n + 1, AGENT_UUID_LEN);
	int *have = calloc((size_t)n + 1, sizeof(int));
	int64_t get_us = 0;
	virConnectPtr conn;

	conf.uri = argv[2];
	conf.interval_ms = atoi(argv[4]);
	conf.backoff_ms = atoi(argv[5]);
	conf.timeout_s = atoi(argv[6]);
	conn = virConnectOpen(conf.uri);
	if (conn == NULL || uuids == NULL || have == NULL)
		return 1;
	struct agent_cache *c = agent_cache_start(&conf, err, sizeof(err));
	if (c == NULL) {
		fprintf(stderr, "agent_driver: %s\n", err);
		return 1;
	}
	for (;;) {
		struct pollfd p = {.fd = 0, .events = POLLIN};
		char b[64];
		for (int i = 0; i < n; i++) {
			if (have[i])
				continue;
			virDomainPtr d =
			    virDomainLookupByName(conn, argv[7 + i]);
			if (d != NULL) {
				have[i] = virDomainGetUUID(d, uuids[i]) == 0;
				virDomainFree(d);
			}
		}
		write_status(c, argv[3], argv + 7, uuids, have, n, &get_us);
		if (poll(&p, 1, 100) > 0 && read(0, b, sizeof(b)) <= 0)
			break;
	}
	agent_cache_stop(c);
	virConnectClose(conn);
	free(uuids);
	free(have);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "read") == 0)
		return cmd_read(argv[2], argv[3], argv[4]);
	if (argc >= 8 && strcmp(argv[1], "watch") == 0)
		return cmd_watch(argc, argv);
	fprintf(stderr, "usage: agent_driver read URI DOMAIN PATH\n"
			"       agent_driver watch URI STATUSFILE INTERVAL_MS "
			"BACKOFF_MS TIMEOUT_S DOMAIN...\n");
	return 2;
}
