/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momctl_http.c: momctl's one HTTP request, over libcurl: the unix socket
 * (CURLOPT_UNIX_SOCKET_PATH) or a TCP URL with a bearer token and, for
 * https, an optional CA file.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "momctl.h"

#define MOMCTL_MAX_REPLY (64u << 20)

struct buf {
	char *p;
	size_t len;
	bool too_large;
};

static size_t on_data(char *data, size_t size, size_t n, void *arg)
{
	struct buf *b = arg;
	size_t add = size * n;
	char *p;

	if (b->len + add > MOMCTL_MAX_REPLY) {
		b->too_large = true;
		return 0;
	}
	p = realloc(b->p, b->len + add + 1);
	if (!p)
		return 0;
	memcpy(p + b->len, data, add);
	b->p = p;
	b->len += add;
	p[b->len] = '\0';
	return add;
}

static struct curl_slist *headers_new(const struct momctl_conn *c,
				      bool has_body)
{
	struct curl_slist *h = NULL, *t;
	char auth[600];

	if (has_body) {
		h = curl_slist_append(h, "Content-Type: application/json");
		if (!h)
			return NULL;
	}
	if (c->token) {
		snprintf(auth, sizeof(auth), "Authorization: Bearer %s",
			 c->token);
		t = curl_slist_append(h, auth);
		if (!t) {
			curl_slist_free_all(h);
			return NULL;
		}
		h = t;
	}
	return h;
}

/*
 * Did curl fail on what the server sent, rather than on reaching it?  A
 * reply that is not HTTP (curl refuses HTTP/0.9: "unsupported protocol";
 * main() lets only http and https URLs through, so it cannot come from the
 * URL), a malformed one, or one cut short is a bad reply, exit 4: a script
 * must not take a broken momd for one that is down (3).
 */
static bool bad_reply(CURLcode cc)
{
	return cc == CURLE_UNSUPPORTED_PROTOCOL ||
	       cc == CURLE_WEIRD_SERVER_REPLY || cc == CURLE_PARTIAL_FILE ||
	       cc == CURLE_BAD_CONTENT_ENCODING || cc == CURLE_GOT_NOTHING;
}

/* Configure the handle for one request; 0 or -1. */
static int setup(CURL *k, const struct momctl_conn *c, const char *method,
		 const char *url, const char *body, struct buf *b)
{
	int bad = 0;

	bad |= curl_easy_setopt(k, CURLOPT_URL, url) != CURLE_OK;
	/* The path goes out as built: no "/../" squashing into another
	   route (momctl_policy_path() escapes what a name holds). */
	bad |= curl_easy_setopt(k, CURLOPT_PATH_AS_IS, 1L) != CURLE_OK;
	if (c->socket)
		bad |= curl_easy_setopt(k, CURLOPT_UNIX_SOCKET_PATH,
					c->socket) != CURLE_OK;
	if (c->cacert)
		bad |=
		    curl_easy_setopt(k, CURLOPT_CAINFO, c->cacert) != CURLE_OK;
	bad |= curl_easy_setopt(k, CURLOPT_CUSTOMREQUEST, method) != CURLE_OK;
	if (body) {
		bad |=
		    curl_easy_setopt(k, CURLOPT_POSTFIELDS, body) != CURLE_OK;
		bad |= curl_easy_setopt(k, CURLOPT_POSTFIELDSIZE,
					(long)strlen(body)) != CURLE_OK;
	}
	bad |=
	    curl_easy_setopt(k, CURLOPT_TIMEOUT_MS, c->timeout_ms) != CURLE_OK;
	bad |= curl_easy_setopt(k, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(k, CURLOPT_WRITEFUNCTION, on_data) != CURLE_OK;
	bad |= curl_easy_setopt(k, CURLOPT_WRITEDATA, b) != CURLE_OK;
	return bad ? -1 : 0;
}

int momctl_request(const struct momctl_conn *c, const char *method,
		   const char *path, const char *body, struct momctl_reply *r)
{
	struct buf b = {0};
	struct curl_slist *h = NULL;
	char url[2048], why[CURL_ERROR_SIZE] = "";
	CURL *k = curl_easy_init();
	CURLcode cc = CURLE_OUT_OF_MEMORY;
	int rc = MOMCTL_CONNECT;

	memset(r, 0, sizeof(*r));
	snprintf(url, sizeof(url), "%s%s", c->url ? c->url : "http://momd",
		 path);
	h = headers_new(c, body != NULL);
	if (!k || (!h && (body || c->token)) ||
	    setup(k, c, method, url, body, &b) < 0 ||
	    curl_easy_setopt(k, CURLOPT_ERRORBUFFER, why) != CURLE_OK ||
	    curl_easy_setopt(k, CURLOPT_HTTPHEADER, h) != CURLE_OK)
		goto out;
	cc = curl_easy_perform(k);
	if (cc != CURLE_OK) {
		if (b.too_large || bad_reply(cc))
			rc = MOMCTL_SERVER;
		goto out;
	}
	curl_easy_getinfo(k, CURLINFO_RESPONSE_CODE, &r->status);
	r->body = b.p ? b.p : strdup("");
	b.p = NULL;
	if (r->body)
		r->json = json_loads(r->body, JSON_REJECT_DUPLICATES, NULL);
	rc = r->body ? MOMCTL_OK : MOMCTL_CONNECT;
out:
	if (rc != MOMCTL_OK)
		fprintf(stderr, "momctl: %s: %s%s\n",
			c->socket ? c->socket : url,
			rc == MOMCTL_SERVER ? "bad reply: " : "",
			b.too_large ? "reply too large"
			: why[0]    ? why
				    : curl_easy_strerror(cc));
	free(b.p);
	curl_slist_free_all(h);
	if (k)
		curl_easy_cleanup(k);
	return rc;
}

void momctl_reply_release(struct momctl_reply *r)
{
	free(r->body);
	json_decref(r->json);
	memset(r, 0, sizeof(*r));
}
