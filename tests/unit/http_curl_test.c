/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_curl_test.c: the plugins' libcurl transport (collectd-plugin/
 * http_curl.c) as the write plugin's sender uses it, against a unix socket
 * server that counts connections, requests and bearer tokens
 * (unix_http.h): keep-alive by interval, a long bearer token, and the
 * loopback check of write_mom's URL option.  (sender_test and
 * sender_fail_test cover the queue and the thread with a fake transport.)
 */
#include "testing.h"
#include "sender.h"
#include "unix_http.h"
#include "wire.h"

#include <unistd.h>

/* One value list, as the sender queues it. */
static struct wire_record one_gauge(void)
{
	struct wire_record r = {.time = 1, .interval = 1, .nvalues = 1};

	strcpy(r.host, "h");
	strcpy(r.plugin, "mom");
	strcpy(r.type, "gauge");
	strcpy(r.values[0].dsname, "value");
	r.values[0].type = WIRE_GAUGE;
	return r;
}

/* Two batches through libcurl: below a 5 s interval one kept connection
   carries both; from 5 s on each connects afresh and closes, as momd cuts
   a connection idle for 10 s (and logs it as a hostile client's). */
static void test_connection_reuse(long interval_ms, int want_conns)
{
	struct unix_http h = {.body = "{}", .want = 2};
	struct sender_config c = {
	    .batch_size = 10,
	    .queue_limit = 10,
	    .timeout_ms = 2000,
	    .interval_ms = interval_ms,
	    .backoff_max_ms = 40,
	};
	struct wire_record r = one_gauge();
	struct sender *s;
	char path[108];
	int ok = 0;

	snprintf(path, sizeof(path), "/tmp/sender_test.%d.sock", (int)getpid());
	if (!T_OK(unix_http_start(&h, path) == 0, "reuse: listen on %s", path))
		return;
	c.socket_path = path;
	s = sender_new(&c);
	if (s != NULL && sender_start(s) == 0) {
		for (int i = 0; i < 2; i++) {
			sender_enqueue(s, &r);
			ok += sender_flush(s, 5000) == 0;
		}
	}
	sender_free(s); /* closes a kept connection */
	unix_http_stop(&h, path);
	T_OK(ok == 2, "reuse (interval %ld ms): two batches delivered (%d)",
	     interval_ms, ok);
	T_OK(h.conns == want_conns,
	     "reuse (interval %ld ms): %d connection(s) for two batches, "
	     "want %d",
	     interval_ms, h.conns, want_conns);
}

/* A bearer token as long as write_mom's TokenFile takes (4096 bytes, as
   momd takes) goes out whole in its header.  The transport had a fixed
   1 KiB header line: with a longer token every POST failed as "cannot
   set up libcurl", retried forever while the queue dropped. */
static void test_long_token(void)
{
	static char token[4097];
	struct unix_http h = {.body = "{}", .want = 1, .bearer = token};
	struct sender_config c = {
	    .batch_size = 10,
	    .queue_limit = 10,
	    .timeout_ms = 2000,
	    .interval_ms = 1000,
	    .backoff_max_ms = 40,
	    .token = token,
	};
	struct wire_record r = one_gauge();
	struct sender *s;
	char path[108];
	int rc = -1;

	memset(token, 'k', sizeof(token) - 1);
	snprintf(path, sizeof(path), "/tmp/sender_test.%d.sock", (int)getpid());
	if (!T_OK(unix_http_start(&h, path) == 0, "token: listen on %s", path))
		return;
	c.socket_path = path;
	s = sender_new(&c);
	if (s != NULL && sender_start(s) == 0) {
		sender_enqueue(s, &r);
		rc = sender_flush(s, 5000);
	}
	sender_free(s);
	unix_http_stop(&h, path);
	T_EQ_INT(rc, 0, "4096-byte token: the batch is delivered");
	T_EQ_INT(h.auth_ok, 1, "... with the whole token in its header");
}

/* The URL check of write_mom's URL option: parsed by libcurl, not by
   prefix (a prefix check sent the token to http://localhost:@elsewhere/). */
static void test_url_loopback(void)
{
	static const char *const good[] = {
	    "http://127.0.0.1:8080/v1/metrics", "http://127.0.0.1/v1/metrics",
	    "http://localhost:8080/v1/metrics", "http://LOCALHOST/",
	    "http://[::1]:8080/v1/metrics",	"http://[::1]/",
	};
	static const char *const bad[] = {
	    "http://localhost:@elsewhere/v1/metrics",
	    "http://localhost:@127.0.0.2:8080/",
	    "http://127.0.0.1:8080@evil.example/",
	    "http://127.0.0.1@evil.example/",
	    "http://user:pw@127.0.0.1/",
	    "http://127.0.0.1.evil.example/",
	    "http://localhost.evil.example/",
	    "https://127.0.0.1/",
	    "ftp://127.0.0.1/",
	    "http://127.0.0.2/",
	    "http://[::2]/",
	    "http:/\\evil.example/",
	    "127.0.0.1:8080/v1/metrics",
	    "",
	};

	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		T_OK(sender_url_loopback(good[i]), "loopback URL %s accepted",
		     good[i]);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		T_OK(!sender_url_loopback(bad[i]), "URL \"%s\" refused",
		     bad[i]);
}

int main(void)
{
	test_url_loopback();
	test_connection_reuse(1000, 1);
	test_connection_reuse(10000, 2);
	test_long_token();
	return t_done();
}
