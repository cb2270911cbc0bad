/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_curl.c: the plugins' libcurl transport (see http_curl.h).  One easy
 * handle per struct http_curl, set up once and reused, so a client at a
 * short interval keeps its connection alive between requests and libcurl
 * reconnects by itself after momd restarts.
 */
#include "http_curl.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "clock.h"

struct http_curl {
	CURL *curl;
	struct curl_slist *headers;
	const long long *abort_at_ms;
	size_t max_reply;
	char *buf; /* the reply body, NUL-terminated */
	size_t len, cap;
	bool too_big;
	char curl_err[CURL_ERROR_SIZE];
};

int http_curl_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_ALL) == CURLE_OK ? 0 : -EIO;
}

void http_curl_global_cleanup(void)
{
	curl_global_cleanup();
}

bool http_curl_keep_alive(long interval_ms)
{
	return interval_ms < HTTP_CURL_KEEP_ALIVE_MAX_MS;
}

/* Keeps up to max_reply bytes of the body; more ends the transfer. */
static size_t on_body(char *p, size_t size, size_t n, void *ud)
{
	struct http_curl *h = ud;
	size_t add = size * n;

	if (h->max_reply == 0)
		return add;
	if (add > h->max_reply - h->len) {
		h->too_big = true;
		return 0;
	}
	if (h->len + add + 1 > h->cap) {
		size_t cap = h->cap ? h->cap : 16384;
		char *nb;

		while (cap < h->len + add + 1)
			cap *= 2;
		nb = realloc(h->buf, cap);
		if (nb == NULL)
			return 0;
		h->buf = nb;
		h->cap = cap;
	}
	memcpy(h->buf + h->len, p, add);
	h->len += add;
	h->buf[h->len] = '\0';
	return add;
}

/* Aborts a transfer in progress once the abort time passed. */
static int on_progress(void *ud, curl_off_t dltotal, curl_off_t dlnow,
		       curl_off_t ultotal, curl_off_t ulnow)
{
	struct http_curl *h = ud;
	long long at = h->abort_at_ms != NULL
			   ? __atomic_load_n(h->abort_at_ms, __ATOMIC_RELAXED)
			   : 0;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return at > 0 && clock_mono_ms() >= at;
}

static int add_header(struct http_curl *h, const char *line)
{
	struct curl_slist *l = curl_slist_append(h->headers, line);

	if (l == NULL)
		return -ENOMEM;
	h->headers = l;
	return 0;
}

/* The header is sized to the token: write_mom's TokenFile takes up to
   4096 bytes, as momd does, and a fixed 1 KiB line made every POST with a
   longer token fail as "cannot set up libcurl". */
static int set_headers(struct http_curl *h, const char *token)
{
	static const char prefix[] = "Authorization: Bearer ";
	size_t len;
	char *auth;
	int rc;

	if (add_header(h, "Content-Type: application/json") < 0 ||
	    add_header(h, "Accept: application/json") < 0 ||
	    add_header(h, "Expect:") < 0)
		return -ENOMEM;
	if (token == NULL)
		return 0;
	len = sizeof(prefix) + strlen(token);
	auth = malloc(len);
	if (auth == NULL)
		return -ENOMEM;
	snprintf(auth, len, "%s%s", prefix, token);
	rc = add_header(h, auth);
	explicit_bzero(auth, len);
	free(auth);
	return rc;
}

struct http_curl *http_curl_new(const struct http_curl_config *c)
{
	struct http_curl *h = calloc(1, sizeof(*h));
	CURL *e;

	if (h == NULL)
		return NULL;
	h->abort_at_ms = c->abort_at_ms;
	h->max_reply = c->max_reply;
	h->curl = e = curl_easy_init();
	if (e == NULL || set_headers(h, c->token) < 0)
		goto fail;
	/* libcurl copies every string option. */
	if (curl_easy_setopt(e, CURLOPT_URL, c->url) != CURLE_OK)
		goto fail;
	if (c->socket_path != NULL &&
	    curl_easy_setopt(e, CURLOPT_UNIX_SOCKET_PATH, c->socket_path) !=
		CURLE_OK)
		goto fail;
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, h->headers);
	curl_easy_setopt(e, CURLOPT_USERAGENT, c->user_agent);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, h->curl_err);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(e, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(e, CURLOPT_FORBID_REUSE, c->no_reuse ? 1L : 0L);
	return h;
fail:
	http_curl_free(h);
	return NULL;
}

void http_curl_free(struct http_curl *h)
{
	if (h == NULL)
		return;
	if (h->curl != NULL)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->buf);
	free(h);
}

/* A failed transfer as a negative errno. */
static int failure(struct http_curl *h, CURLcode rc)
{
	long os = 0;

	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_ABORTED_BY_CALLBACK:
		return -ECANCELED;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	case CURLE_WRITE_ERROR:
		return h->too_big ? -EFBIG : -ENOMEM;
	case CURLE_COULDNT_CONNECT:
		/* The socket's errno says which: no file, or nobody
		   listening. */
		curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &os);
		return os == ENOENT ? -ENOENT : -ECONNREFUSED;
	default:
		return -EIO;
	}
}

int http_curl_request(struct http_curl *h, const char *body, size_t len,
		      long timeout_ms, struct http_curl_reply *out, char *err,
		      size_t errlen)
{
	CURLcode rc;

	*out = (struct http_curl_reply){0, "", 0};
	h->len = 0;
	h->too_big = false;
	h->curl_err[0] = '\0';
	if (h->buf != NULL)
		h->buf[0] = '\0';
	if (body != NULL) {
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
		curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE,
				 (curl_off_t)len);
	} else {
		curl_easy_setopt(h->curl, CURLOPT_HTTPGET, 1L);
	}
	curl_easy_setopt(h->curl, CURLOPT_TIMEOUT_MS, timeout_ms);
	curl_easy_setopt(h->curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms);
	rc = curl_easy_perform(h->curl);
	if (rc != CURLE_OK) {
		int e = failure(h, rc);

		if (e == -EFBIG)
			snprintf(err, errlen, "reply longer than %zu bytes",
				 h->max_reply);
		else if (e == -ENOENT || e == -ECONNREFUSED)
			/* libcurl would name "localhost port 80" even for
			   a unix socket. */
			snprintf(err, errlen, "cannot connect: %s",
				 strerror(-e));
		else
			snprintf(err, errlen, "%s",
				 h->curl_err[0] ? h->curl_err
						: curl_easy_strerror(rc));
		return e;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &out->status);
	out->body = h->buf != NULL ? h->buf : "";
	out->len = h->len;
	return 0;
}

bool http_curl_url_loopback(const char *url)
{
	static const char *const hosts[] = {"127.0.0.1", "localhost", "[::1]"};
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *user = NULL, *pw = NULL;
	bool ok = false;

	if (!u || curl_url_set(u, CURLUPART_URL, url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK)
		goto out;
	/* Any user part ("localhost:@elsewhere") means the text and the
	   connection disagree about the host: refused, not guessed. */
	if (curl_url_get(u, CURLUPART_USER, &user, 0) != CURLUE_NO_USER ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pw, 0) != CURLUE_NO_PASSWORD)
		goto out;
	if (strcmp(scheme, "http") != 0)
		goto out;
	for (size_t i = 0; i < sizeof(hosts) / sizeof(hosts[0]); i++)
		if (strcasecmp(host, hosts[i]) == 0)
			ok = true;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(user);
	curl_free(pw);
	curl_url_cleanup(u);
	return ok;
}
