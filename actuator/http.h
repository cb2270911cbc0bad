/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.h: the actuator's HTTP server (libmicrohttpd), reduced to one
 * callback per complete request.
 *
 * It listens on a unix socket (created with the configured mode and group,
 * or passed in by systemd's socket activation), optionally on a second,
 * read-level unix socket, and optionally on TCP, where every request must
 * carry the admin or the read bearer token.
 * It collects the body up to the configured limit (larger: 413), checks the
 * token (missing or wrong: 401), and hands the request to the handler,
 * which fills a response.  Connections are limited in number and time
 * (idle, receiving a request, sending its response) so that slow clients
 * cannot hold the server.
 *
 * The handler runs on libmicrohttpd's threads, several at once.
 */
#ifndef MOM_HTTP_H
#define MOM_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "conf.h"

struct http_server;

struct http_request {
	const char *method;
	const char *path; /* without the query string */
	const char *body; /* NUL-terminated; "" when none */
	size_t body_len;
	const char *content_type; /* "" when none */
	bool tcp;		  /* arrived over TCP (and was authenticated) */
	bool read_only;		  /* read and ingest only: the read socket
				     or the read token (api.c refuses the
				     rest with 403) */
	void *conn;		  /* for http_query() */
	struct http_server *server; /* for http_counts_get(); NULL when
				       the request was made up (tests) */
};

struct http_response {
	int status;
	json_t *json;		  /* the body as JSON (reference stolen), or */
	char *text;		  /* a text body (owned, freed by the server) */
	const char *content_type; /* for text; JSON sets its own */
	char allow[64];		  /* the Allow header, sent when not empty */
};

typedef void (*http_handler)(void *ctx, const struct http_request *req,
			     struct http_response *res);

/* Start listening.  Returns NULL with err filled. */
struct http_server *http_start(const struct conf *c, http_handler handler,
			       void *ctx, char *err, size_t len);
void http_stop(struct http_server *s);

/* A query-string argument of the request, or NULL. */
const char *http_query(const struct http_request *req, const char *key);

/* What the server refused or cut since it started (http_guard.h), for an
   operator under attack: /metrics shows them. */
struct http_counts {
	uint64_t bodies_refused;  /* 503: the body budget (or the read
				     level's share of it) was spent */
	uint64_t connections_cut; /* at the request or response deadline */
};

/* The counts of the server that received req into *c.  False, and *c
   zeroed, when req came from no server (a test's made-up request).
   Thread-safe. */
bool http_counts_get(const struct http_request *req, struct http_counts *c);

#endif /* MOM_HTTP_H */
