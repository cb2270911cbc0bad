/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http_guard.h: limits that hold off hostile HTTP clients, beside what
 * libmicrohttpd offers (connection counts, idle timeout, header memory).
 *
 * - A deadline for receiving one request, headers and body together: a
 *   client that trickles a byte every few seconds never trips an idle
 *   timeout, so a watchdog thread shuts down (shutdown(2), not close) the
 *   socket of any connection still receiving its request past the
 *   deadline.  The server then sees end-of-file and closes it as usual.
 * - A deadline for sending one response, from the request's receipt until
 *   the response is sent: a client that asks for a large response and
 *   reads it a byte every few seconds never trips the idle timeout either,
 *   and would hold a connection slot and the response's buffer for good.
 *   The watchdog cuts it the same way.
 * - A budget for request bodies held in memory across all connections, so
 *   that many connections each sending up to max_body cannot make momd
 *   allocate connections x max_body.  A share of it is kept for
 *   administration: read-level clients (the read socket is open to a
 *   group, a read token may be widely held) must not be able to spend it
 *   all and lock vdsm out of its PUT and PATCH requests.
 * - libmicrohttpd's messages, which come one per event a client makes,
 *   into momd's log at most once a minute for each kind.
 *
 * The guard knows sockets, not HTTP: http.c tells it when a connection
 * opens, when its request is complete, when the next request starts and
 * when the connection closes.  A connection is removed (under the guard's
 * lock) before its socket is closed, so the watchdog never touches a
 * descriptor that was reused.  Thread-safe.
 */
#ifndef MOM_HTTP_GUARD_H
#define MOM_HTTP_GUARD_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct http_guard;
struct guard_conn;

/*
 * deadline_ms: most time between the start of a request and its last
 * byte; response_ms: most time between a request's last byte and its
 * response sent whole (the handler's time included); budget: bytes of
 * request bodies held at once; admin_reserve: the part of budget (at most
 * all of it) that only administration requests may take.  Starts the
 * watchdog.  NULL when out of memory or no thread could be started.
 */
struct http_guard *http_guard_new(int64_t deadline_ms, int64_t response_ms,
				  size_t budget, size_t admin_reserve);
void http_guard_free(struct http_guard *g);

/* A connection opened on fd: its first request starts now.  NULL: no
   memory (the connection then goes unguarded by the deadline). */
struct guard_conn *http_guard_open(struct http_guard *g, int fd);
/* Its request was received whole: the response deadline starts now. */
void http_guard_received(struct http_guard *g, struct guard_conn *c);
/* A response was sent; the next request on this connection starts now. */
void http_guard_next(struct http_guard *g, struct guard_conn *c);
/* The connection is closing: forget it (before its socket is closed). */
void http_guard_close(struct http_guard *g, struct guard_conn *c);

/* Take n more bytes of the body budget for a request at the administration
   level (admin) or the read level: false, and counted as refused, when
   the level's limit would be exceeded (the whole budget for
   administration, the budget less the admin reserve for read).  Refusals
   are logged at most once a minute, with how many there were. */
bool http_guard_reserve(struct http_guard *g, size_t n, bool admin);
void http_guard_release(struct http_guard *g, size_t n);

/*
 * libmicrohttpd's logger (MHD_OPTION_EXTERNAL_LOGGER, with the guard as
 * its closure).  It logs once per event, and a client makes the events (a
 * connection refused over a limit, a malformed request): each message
 * kind (its format) is logged at most once a minute, with how many were
 * not.
 */
__attribute__((format(printf, 2, 0))) void
http_guard_log(void *guard, const char *fmt, va_list ap);

/* Connections cut at either deadline, and bodies refused for the
   budget, since g was made (GET /metrics shows them). */
uint64_t http_guard_cut(const struct http_guard *g);
uint64_t http_guard_refused(const struct http_guard *g);

#endif /* MOM_HTTP_GUARD_H */
