/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momctl.h: what momctl's source files share: the connection options, one
 * HTTP request over libcurl (momctl_http.c), and the table printers
 * (momctl_print.c).
 *
 * Exit status (documented in --help and README "REST API"):
 *   0 ok, 1 the API refused the request (HTTP 4xx), 2 usage,
 *   3 cannot connect (or timed out), 4 server error (HTTP 5xx) or a reply
 *   that is not what the API documents, 5 a local file cannot be read.
 */
#ifndef MOM_MOMCTL_H
#define MOM_MOMCTL_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

enum momctl_exit {
	MOMCTL_OK = 0,
	MOMCTL_API_ERROR = 1,
	MOMCTL_USAGE = 2,
	MOMCTL_CONNECT = 3,
	MOMCTL_SERVER = 4,
	MOMCTL_FILE = 5,
};

struct momctl_conn {
	const char *socket; /* unix socket path, or NULL with url */
	const char *url;    /* base URL for TCP, e.g. https://127.0.0.1:8080 */
	char *token;	    /* bearer token (owned), or NULL */
	const char *cacert; /* CA file for https, or NULL */
	long timeout_ms;
};

/* One reply: the HTTP status and the body (raw and, if JSON, parsed). */
struct momctl_reply {
	long status;
	char *body;   /* NUL-terminated, owned */
	json_t *json; /* parsed body or NULL, owned */
};

/*
 * Send METHOD path (e.g. "/v1/status") with an optional JSON body.
 * Returns MOMCTL_OK with *r filled (any HTTP status), or after printing
 * why to stderr MOMCTL_CONNECT (momd not reached, or timed out) or
 * MOMCTL_SERVER (what came back is not an HTTP reply, or is cut short).
 */
int momctl_request(const struct momctl_conn *c, const char *method,
		   const char *path, const char *body, struct momctl_reply *r);
void momctl_reply_release(struct momctl_reply *r);

/* Table printers: one per kind of reply, to stdout.  0, or -1 (nothing
   printed) when the reply's top level is not of the documented type. */
int momctl_print_kv(const json_t *o);	     /* key: value lines */
int momctl_print_stats(const json_t *stats); /* ENTITY FIELD VALUE */
int momctl_print_policies(const json_t *o);  /* NAME ORIGIN */
int momctl_print_effective(const json_t *o); /* per policy, pretty JSON */
int momctl_print_plan(const json_t *o);	     /* evaluation result */
int momctl_print_actions(const json_t *arr); /* one action per line */
int momctl_print_lines(const json_t *arr);   /* one string per line */

/* `momctl convert` (momctl_convert.c): offline, no connection. */
int momctl_convert(int argc, char **argv);

#endif /* MOM_MOMCTL_H */
