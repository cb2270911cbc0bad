/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_curl.h: the plugins' HTTP transport on libcurl, one endpoint per
 * handle: an http:// URL, or a path asked over a unix socket
 * (CURLOPT_UNIX_SOCKET_PATH).  The write plugin's sender POSTs its batches
 * through it (one handle reused), the read plugin's momd_client GETs
 * momd's plan; both keep the connection between requests only at short
 * intervals (http_curl_keep_alive()).
 *
 * Every request is bounded: timeout_ms caps connecting and the whole
 * transfer, and an optional abort time (read atomically, so another thread
 * may set it) ends a running request within about a second of passing.
 * No redirects, http and https only, no signals.  Errors go into the
 * caller's buffer; nothing is logged.  No collectd header.
 *
 * Threading: one thread uses a handle at a time; distinct handles may be
 * used in parallel.  http_curl_global_init() must have run (it is
 * thread-safe with Debian's libcurl, which reports CURL_VERSION_THREADSAFE,
 * and counted: pair each call with http_curl_global_cleanup()).
 */
#ifndef MOM_HTTP_CURL_H
#define MOM_HTTP_CURL_H

#include <stdbool.h>
#include <stddef.h>

struct http_curl_config {
	/* The URL asked; with socket_path, its host part is only the Host
	   header ("http://localhost/v1/plan"). */
	const char *url;
	const char *socket_path; /* NULL: connect to the URL's host */
	const char *token;	 /* bearer token, or NULL */
	const char *user_agent;
	/* Reply bodies longer than this fail with -EFBIG; 0 discards the
	   body (only the status matters). */
	size_t max_reply;
	/* When not NULL and > 0, a running request is aborted once
	   CLOCK_MONOTONIC, in ms, passes *abort_at_ms. */
	const long long *abort_at_ms;
	/* Close the connection after each request instead of keeping it
	   for the handle's next one (CURLOPT_FORBID_REUSE). */
	bool no_reuse;
};

/*
 * Below this many milliseconds between a client's requests its connection
 * is kept for the next one (keep-alive).  momd cuts a connection that has
 * not sent a whole request 10 s after its last reply (http_guard.h: a kept,
 * idle connection counts as one still receiving) and logs the cut as a
 * hostile client's; half of that leaves a kept connection always reused
 * well before.  Slower clients close after each request (no_reuse).
 */
#define HTTP_CURL_KEEP_ALIVE_MAX_MS 5000

/* Keep the connection of a client that asks once every interval_ms? */
bool http_curl_keep_alive(long interval_ms);

/* One reply; body is owned by the handle, NUL-terminated, valid until the
   next request or http_curl_free(). */
struct http_curl_reply {
	long status;
	const char *body;
	size_t len;
};

struct http_curl;

/* Counted wrappers of curl_global_init()/curl_global_cleanup().  Returns 0
   or -EIO. */
int http_curl_global_init(void);
void http_curl_global_cleanup(void);

/* A handle with copies of c's strings.  NULL when out of memory. */
struct http_curl *http_curl_new(const struct http_curl_config *c);

/* Frees the handle (and closes its connection).  Accepts NULL. */
void http_curl_free(struct http_curl *h);

/*
 * One request: GET when body is NULL, else POST of len bytes of JSON.
 * Returns 0 when the server answered (any status, in out->status), or a
 * negative errno with a message in err: -ENOENT or -ECONNREFUSED (nothing
 * listens), -ETIMEDOUT, -ECANCELED (the abort time passed), -EFBIG (reply
 * over max_reply), -ENOMEM, -EIO (anything else).
 */
int http_curl_request(struct http_curl *h, const char *body, size_t len,
		      long timeout_ms, struct http_curl_reply *out, char *err,
		      size_t errlen);

/*
 * Is url plain http:// to the loopback interface (127.0.0.1, [::1] or
 * localhost), with no user name or password?  Parsed with libcurl's own
 * URL parser (curl_url()), so it judges the host that libcurl will
 * connect to, not a prefix of the text.
 */
bool http_curl_url_loopback(const char *url);

#endif /* MOM_HTTP_CURL_H */
