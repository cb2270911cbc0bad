/* SPDX-License-Identifier: Apache-2.0 */
/*
 * http.c: libmicrohttpd glue; the only file that includes microhttpd.h.
 *
 * Three daemons at most: the unix socket (trusted by its file mode, as
 * MOM's socket was for vdsm; administration), the read socket (read and
 * ingest only) and TCP (a bearer token required; the admin token or the
 * read token decides the level).  The unix sockets are momd's own, or
 * passed in by systemd (momd.socket; listenfds.c), which then owns their
 * mode, group and path.  Each runs an internal epoll thread pool.  Per
 * connection we keep a small struct that accumulates the body; the
 * handler sees only complete requests.
 * Against hostile clients: at most HTTP_CONN_LIMIT connections on each
 * unix socket, HTTP_TCP_CONN_LIMIT on TCP and HTTP_PER_IP_LIMIT per client
 * address there (two hostile addresses leave room), an idle timeout, 64
 * KiB of headers, and (http_guard.c) a deadline for a whole request, one
 * for sending its response, and a budget for the bodies held across
 * connections.
 */
#include "http.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <microhttpd.h>

#include "http_files.h"
#include "http_guard.h"
#include "listenfds.h"
#include "log.h"
#include "readfile.h"

#define HTTP_THREADS		 2
#define HTTP_CONN_LIMIT		 128 /* the unix socket's */
#define HTTP_TCP_CONN_LIMIT	 256 /* TCP's: four clients' worth */
#define HTTP_PER_IP_LIMIT	 64  /* per client address on TCP */
#define HTTP_CONN_TIMEOUT_S	 10
#define HTTP_REQUEST_DEADLINE_MS 10000 /* headers and body, from the start */
/* From a request's receipt until its response is sent: generous, as the
   slowest handler (a dry-run evaluation) is budgeted 2 s and a loopback
   scrape of a large /metrics takes milliseconds; what it stops is a client
   that reads a large response a byte at a time, which libmicrohttpd's idle
   timeout (refreshed by every partial send) never cuts. */
#define HTTP_RESPONSE_DEADLINE_MS 30000
#define HTTP_BODY_BUDGET_MIN	  ((size_t)16 << 20)

struct http_server;

/* One listening daemon: what reaches it and at which level. */
struct listener {
	struct http_server *s;
	struct MHD_Daemon *d;
	int fd;		/* a unix socket not yet handed to MHD, or -1 */
	char *path;	/* a unix socket momd created (unlinked at stop) */
	bool tcp;	/* the token decides the level */
	bool read_only; /* unix: read and ingest only */
	bool activated; /* passed in by systemd: never shut down */
};

enum { L_UNIX, L_READ, L_TCP, L_COUNT };

struct http_server {
	struct listener l[L_COUNT];
	char *token;	  /* admin token on TCP, NULL if none */
	char *read_token; /* read-and-ingest token on TCP, NULL if none */
	char *tls_cert, *tls_key;
	size_t max_body;
	struct http_guard *guard;
	http_handler handler;
	void *ctx;
};

struct conn_state {
	char *body;
	size_t len, cap; /* cap is taken from the guard's body budget */
	bool too_large;
	bool overloaded; /* the body budget is spent: 503 */
	bool read_only;	 /* the level this request was let in at */
};

static enum MHD_Result send_response(struct MHD_Connection *conn,
				     struct http_response *res)
{
	struct MHD_Response *r;
	enum MHD_Result ret;
	char *text = res->text;
	const char *ctype =
	    res->content_type ? res->content_type : "text/plain; charset=utf-8";

	if (res->json) {
		text = json_dumps(res->json, JSON_COMPACT | JSON_ENSURE_ASCII);
		json_decref(res->json);
		res->json = NULL;
		ctype = "application/json";
		if (!text) {
			text = strdup("{\"error\":\"internal\"}");
			res->status = 500;
		}
		free(res->text);
	}
	if (!text)
		text = strdup("");
	if (!text)
		return MHD_NO;
	r = MHD_create_response_from_buffer(strlen(text), text,
					    MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(text);
		return MHD_NO;
	}
	MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, ctype);
	if (res->allow[0])
		MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, res->allow);
	ret = MHD_queue_response(conn, (unsigned)res->status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result send_error(struct MHD_Connection *conn, int status,
				  const char *code, const char *message)
{
	struct http_response res = {
	    .status = status,
	    .json = json_pack("{s:s, s:s}", "error", code, "message", message),
	};

	return send_response(conn, &res);
}

/* Constant-time comparison, so the token cannot be guessed by timing. */
static bool token_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	unsigned char d = la != lb;

	for (size_t i = 0; i < la; i++)
		d |= (unsigned char)a[i] ^ (unsigned char)b[i % (lb ? lb : 1)];
	return d == 0;
}

/*
 * The level a TCP request's token grants: 2 admin, 1 read and ingest, 0
 * none.  Both tokens are compared, so the time taken does not say which
 * one a guess was close to.
 */
static int token_level(struct http_server *s, struct MHD_Connection *conn)
{
	const char *h = MHD_lookup_connection_value(
	    conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_AUTHORIZATION);
	bool admin, rd;

	if (!h || strncmp(h, "Bearer ", 7) != 0)
		return 0;
	admin = s->token && token_equal(h + 7, s->token);
	rd = s->read_token && token_equal(h + 7, s->read_token);
	return admin ? 2 : rd ? 1 : 0;
}

static int body_append(struct http_server *s, struct conn_state *cs,
		       const char *data, size_t n, size_t max)
{
	if (cs->too_large || cs->overloaded)
		return 0;
	if (cs->len + n > max) {
		cs->too_large = true;
		return 0;
	}
	if (cs->len + n + 1 > cs->cap) {
		size_t cap = cs->cap ? cs->cap : 4096;
		char *p;

		/* Doubling, but never past the largest body taken and its
		   terminator: the budget is charged what is allocated, and a
		   body of max bytes took 2 x max of it, so that two stalled
		   ones spent the whole budget of four bodies. */
		while (cap < cs->len + n + 1)
			cap *= 2;
		if (cap > max + 1)
			cap = max + 1;
		if (!http_guard_reserve(s->guard, cap - cs->cap,
					!cs->read_only)) {
			cs->overloaded = true;
			return 0;
		}
		p = realloc(cs->body, cap);
		if (!p) {
			http_guard_release(s->guard, cap - cs->cap);
			return -ENOMEM;
		}
		cs->body = p;
		cs->cap = cap;
	}
	memcpy(cs->body + cs->len, data, n);
	cs->len += n;
	cs->body[cs->len] = '\0';
	return 0;
}

/* The guard's record of a connection (NULL if it could not be made). */
static struct guard_conn *conn_guard(struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci =
	    MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);

	return ci ? ci->socket_context : NULL;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn,
				  const char *url, const char *method,
				  const char *version, const char *upload_data,
				  size_t *upload_data_size, void **con_cls)
{
	struct listener *l = cls;
	struct http_server *s = l->s;
	struct conn_state *cs = *con_cls;
	struct http_request req;
	struct http_response res = {.status = 500};
	const char *ctype;

	(void)version;
	if (!cs) {
		/* First call: headers only.  Refuse early what we can. */
		int level = l->tcp ? token_level(s, conn) : 0;

		if (l->tcp && level == 0) {
			http_guard_received(s->guard, conn_guard(conn));
			return send_error(conn, 401, "unauthorized",
					  "a valid bearer token is required");
		}
		cs = calloc(1, sizeof(*cs));
		if (!cs)
			return MHD_NO;
		cs->read_only = l->tcp ? level < 2 : l->read_only;
		*con_cls = cs;
		return MHD_YES;
	}
	if (*upload_data_size) {
		if (body_append(s, cs, upload_data, *upload_data_size,
				s->max_body) < 0)
			return MHD_NO;
		*upload_data_size = 0;
		return MHD_YES;
	}
	http_guard_received(s->guard, conn_guard(conn));
	if (cs->overloaded)
		return send_error(conn, 503, "overloaded",
				  "too many request bodies in flight; retry "
				  "later");
	if (cs->too_large)
		return send_error(conn, 413, "too_large",
				  "request body exceeds max_body");
	ctype = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
					    MHD_HTTP_HEADER_CONTENT_TYPE);
	req = (struct http_request){
	    .method = method,
	    .path = url,
	    .body = cs->body ? cs->body : "",
	    .body_len = cs->len,
	    .content_type = ctype ? ctype : "",
	    .tcp = l->tcp,
	    .read_only = cs->read_only,
	    .conn = conn,
	    .server = s,
	};
	s->handler(s->ctx, &req, &res);
	return send_response(conn, &res);
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct http_server *s = cls;
	struct conn_state *cs = *con_cls;

	(void)toe;
	if (cs) {
		http_guard_release(s->guard, cs->cap);
		free(cs->body);
		free(cs);
		*con_cls = NULL;
	}
	/* A keep-alive connection's next request starts now. */
	http_guard_next(s->guard, conn_guard(conn));
}

/* Connections enter the guard when they open and leave it before their
   socket is closed. */
static void on_connection(void *cls, struct MHD_Connection *conn,
			  void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	struct http_server *s = cls;
	const union MHD_ConnectionInfo *ci;

	if (toe == MHD_CONNECTION_NOTIFY_STARTED) {
		ci = MHD_get_connection_info(conn,
					     MHD_CONNECTION_INFO_CONNECTION_FD);
		*socket_context =
		    ci ? http_guard_open(s->guard, ci->connect_fd) : NULL;
	} else if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		http_guard_close(s->guard, *socket_context);
		*socket_context = NULL;
	}
}

static int hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/*
 * Decode %HH in the path and query in place, as MHD's default does, except
 * %00: MHD's would cut the string there, so that PUT /v1/policies/a%00b
 * acted on policy "a".  %00 is left as it is (and then fails the
 * handler's own checks, e.g. a policy name's characters).
 */
static size_t unescape(void *cls, struct MHD_Connection *conn, char *s)
{
	char *r = s, *w = s;

	(void)cls, (void)conn;
	while (*r) {
		int hi = r[0] == '%' ? hex_digit(r[1]) : -1;
		int lo = hi >= 0 ? hex_digit(r[2]) : -1;

		if (lo >= 0 && (hi | lo) != 0) {
			*w++ = (char)(hi << 4 | lo);
			r += 3;
		} else {
			*w++ = *r++;
		}
	}
	*w = '\0';
	return (size_t)(w - s);
}

const char *http_query(const struct http_request *req, const char *key)
{
	return MHD_lookup_connection_value(req->conn, MHD_GET_ARGUMENT_KIND,
					   key);
}

bool http_counts_get(const struct http_request *req, struct http_counts *c)
{
	*c = (struct http_counts){0};
	if (!req->server)
		return false;
	c->bodies_refused = http_guard_refused(req->server->guard);
	c->connections_cut = http_guard_cut(req->server->guard);
	return true;
}

/*
 * Does a process accept connections on the socket at addr?  One left by a
 * run that ended refuses them (ECONNREFUSED): ours to replace.  A live one
 * is another momd's, and replacing it left that daemon acting on the host
 * with its API cut off (and two daemons deciding for the same guests).
 * Non-blocking: a full backlog (EAGAIN) is live too, without a wait.
 */
static bool socket_live(const struct sockaddr_un *addr)
{
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	bool live;

	if (fd < 0)
		return false;
	live = connect(fd, (const struct sockaddr *)addr, sizeof(*addr)) == 0 ||
	       errno == EAGAIN;
	close(fd);
	return live;
}

/*
 * Create, bind and listen on a unix socket with the configured access.
 * Without socket activation, chmod and chown follow bind: until then the
 * socket has the mode the umask gives it (0750 under the unit's UMask).
 * Socket activation (momd.socket) has no such window.
 */
static int unix_listen(struct listener *l, const char *path,
		       const struct conf *c, char *err, size_t len)
{
	struct sockaddr_un addr = {.sun_family = AF_UNIX};
	struct stat st;
	int fd;

	if (strlen(path) >= sizeof(addr.sun_path)) {
		snprintf(err, len, "%s: path longer than %zu bytes", path,
			 sizeof(addr.sun_path) - 1);
		return -EINVAL;
	}
	snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", path);
	/* A socket left by a previous run is ours to replace; a live one or
	   anything else at that path is not. */
	if (lstat(path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			snprintf(err, len, "%s exists and is not a socket",
				 path);
			return -EEXIST;
		}
		if (socket_live(&addr)) {
			snprintf(err, len,
				 "%s: a process already listens on it (another "
				 "momd?); not replacing it",
				 path);
			return -EADDRINUSE;
		}
		unlink(path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		goto fail;
	if (bind(fd, (struct sockaddr *)&addr, sizeof(addr)) < 0)
		goto fail;
	if (chmod(path, (mode_t)c->socket_mode) < 0)
		goto fail;
	if (c->socket_group[0]) {
		gid_t gid;

		if (http_socket_group(c->socket_group, &gid, err, len) < 0) {
			close(fd);
			return -ENOENT;
		}
		if (chown(path, (uid_t)-1, gid) < 0)
			goto fail;
	}
	if (listen(fd, 64) < 0)
		goto fail;
	l->fd = fd;
	l->path = strdup(path);
	if (!l->path) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	return 0;
fail:
	snprintf(err, len, "unix socket %s: %s", path, strerror(errno));
	if (fd >= 0)
		close(fd);
	return -errno;
}

/* Parse "host:port" (host may be [v6]) into a socket address. */
static int tcp_addr(const char *listen, struct sockaddr_storage *ss, char *err,
		    size_t len)
{
	char host[256];
	const char *colon = strrchr(listen, ':');
	struct addrinfo hints = {.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV,
				 .ai_socktype = SOCK_STREAM};
	struct addrinfo *ai;
	size_t hl;

	if (!colon || colon == listen) {
		snprintf(err, len, "listen: \"%s\" is not host:port", listen);
		return -EINVAL;
	}
	hl = (size_t)(colon - listen);
	if (listen[0] == '[' && hl > 2 && listen[hl - 1] == ']') {
		listen++;
		hl -= 2;
	}
	if (hl >= sizeof(host)) {
		snprintf(err, len, "listen: host too long");
		return -EINVAL;
	}
	memcpy(host, listen, hl);
	host[hl] = '\0';
	if (getaddrinfo(host, colon + 1, &hints, &ai) != 0) {
		snprintf(err, len,
			 "listen: \"%s\" is not a numeric address and port",
			 listen);
		return -EINVAL;
	}
	memcpy(ss, ai->ai_addr, ai->ai_addrlen);
	freeaddrinfo(ai);
	return 0;
}

static struct MHD_Daemon *daemon_start(struct listener *l,
				       const struct sockaddr_storage *addr)
{
	struct http_server *s = l->s;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_ERROR_LOG | MHD_USE_ITC;
	bool tls = l->tcp && s->tls_cert;
	/*
	 * What differs between listeners goes in an option array, whose
	 * fields have declared types.  MHD reads each vararg as its option's
	 * type (LISTEN_SOCKET an MHD_socket, an int; SOCK_ADDR a pointer):
	 * one argument that was a pointer for TCP and a socket cast to a
	 * pointer for unix was read as an int, undefined behaviour.
	 */
	struct MHD_OptionItem where[] = {
	    l->tcp
		? (struct MHD_OptionItem){MHD_OPTION_SOCK_ADDR, 0, (void *)addr}
		: (struct MHD_OptionItem){MHD_OPTION_LISTEN_SOCKET,
					  (MHD_socket)l->fd, NULL},
	    {tls ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, 0, s->tls_cert},
	    {MHD_OPTION_HTTPS_MEM_KEY, 0, s->tls_key},
	    {MHD_OPTION_END, 0, NULL},
	};
	struct MHD_Daemon *d;

	if (l->tcp && addr->ss_family == AF_INET6)
		flags |= MHD_USE_IPv6;
	if (tls)
		flags |= MHD_USE_TLS;
	/* The logger first: MHD may log while it reads the options after. */
	d = MHD_start_daemon(
	    flags, 0, NULL, NULL, on_request, l, MHD_OPTION_EXTERNAL_LOGGER,
	    http_guard_log, (void *)s->guard, MHD_OPTION_NOTIFY_COMPLETED,
	    on_completed, s, MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
	    MHD_OPTION_PER_IP_CONNECTION_LIMIT,
	    (unsigned)(l->tcp ? HTTP_PER_IP_LIMIT : 0),
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)HTTP_THREADS,
	    MHD_OPTION_CONNECTION_LIMIT,
	    (unsigned)(l->tcp ? HTTP_TCP_CONN_LIMIT : HTTP_CONN_LIMIT),
	    MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)HTTP_CONN_TIMEOUT_S,
	    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
	    MHD_OPTION_UNESCAPE_CALLBACK, unescape, (void *)NULL,
	    MHD_OPTION_ARRAY, where, MHD_OPTION_END);
	/*
	 * The socket is MHD's from here on, started or not: it closes it
	 * when it stops, and on most of its failure paths too.  Closing it
	 * again in http_stop() would close a number some other thread may
	 * have been given since.  The paths that leave it open leak one
	 * descriptor in a momd that then exits.
	 */
	l->fd = -1;
	return d;
}

/*
 * Serve the sockets systemd passed in: the one named "read"
 * (FileDescriptorName=read) at the read level, any other one as the admin
 * socket.  Returns how many were passed, or -1 with err filled.
 */
static int take_activated(struct http_server *s, char *err, size_t len)
{
	struct listenfd fds[LISTENFDS_MAX];
	int n = listenfds_take(fds, LISTENFDS_MAX, err, len);

	for (int i = 0; i < n; i++) {
		int which = strcmp(fds[i].name, "read") == 0 ? L_READ : L_UNIX;

		if (s->l[which].fd >= 0) {
			snprintf(err, len,
				 "LISTEN_FDS: two sockets for the %s level; "
				 "name the read one FileDescriptorName=read",
				 which == L_READ ? "read" : "admin");
			for (int j = i; j < n; j++)
				close(fds[j].fd);
			return -1;
		}
		s->l[which].fd = fds[i].fd;
		s->l[which].activated = true;
	}
	return n;
}

/* Four maximal bodies at once, at least HTTP_BODY_BUDGET_MIN; where
   size_t has 32 bits, 4 x max_body (up to 1 GiB) would wrap to less. */
static size_t body_budget(size_t max_body)
{
	if (max_body > SIZE_MAX / 4)
		return SIZE_MAX;
	return max_body * 4 > HTTP_BODY_BUDGET_MIN ? max_body * 4
						   : HTTP_BODY_BUDGET_MIN;
}

/*
 * The share of the budget that only administration may take: one maximal
 * body (max_body + 1, body_append()'s cap), so that one always fits while
 * read-level clients hold all they may.  The read socket is open to a
 * group and a read token may be held by any collectd; without the share,
 * four of them stalling with maximal bodies spent the whole budget and
 * vdsm's PUT /v1/policies and PATCH /v1/parameters got 503 until the
 * request deadline cut them.  Kept from wrapping as body_budget() is; the
 * guard clamps it to the budget (at least 4 x max_body, or SIZE_MAX).
 */
static size_t body_admin_reserve(size_t max_body)
{
	return max_body < SIZE_MAX ? max_body + 1 : SIZE_MAX;
}

struct http_server *http_start(const struct conf *c, http_handler handler,
			       void *ctx, char *err, size_t len)
{
	struct http_server *s = calloc(1, sizeof(*s));
	struct sockaddr_storage addr;
	int activated;

	if (!s) {
		snprintf(err, len, "out of memory");
		return NULL;
	}
	for (int i = 0; i < L_COUNT; i++)
		s->l[i] = (struct listener){.s = s, .fd = -1};
	s->l[L_READ].read_only = true;
	s->l[L_TCP].tcp = true;
	s->handler = handler;
	s->ctx = ctx;
	s->max_body = c->max_body;
	s->guard = http_guard_new(
	    HTTP_REQUEST_DEADLINE_MS, HTTP_RESPONSE_DEADLINE_MS,
	    body_budget(c->max_body), body_admin_reserve(c->max_body));
	if (!s->guard) {
		snprintf(err, len, "out of memory");
		goto fail;
	}
	activated = take_activated(s, err, len);
	if (activated < 0)
		goto fail;
	if (activated > 0) {
		log_info("socket activation: %d socket(s) passed in (%s%s%s); "
			 "socket and read_socket are not created",
			 activated, s->l[L_UNIX].fd >= 0 ? "admin" : "",
			 s->l[L_UNIX].fd >= 0 && s->l[L_READ].fd >= 0 ? ", "
								      : "",
			 s->l[L_READ].fd >= 0 ? "read" : "");
	} else {
		if (c->socket[0] &&
		    unix_listen(&s->l[L_UNIX], c->socket, c, err, len) < 0)
			goto fail;
		if (c->read_socket[0] &&
		    unix_listen(&s->l[L_READ], c->read_socket, c, err, len) < 0)
			goto fail;
	}
	for (int i = L_UNIX; i <= L_READ; i++) {
		if (s->l[i].fd < 0)
			continue;
		s->l[i].d = daemon_start(&s->l[i], NULL);
		if (!s->l[i].d) {
			snprintf(err, len, "cannot serve the %s unix socket",
				 i == L_READ ? "read" : "admin");
			goto fail;
		}
	}
	if (c->listen[0]) {
		if (tcp_addr(c->listen, &addr, err, len) < 0)
			goto fail;
		if (c->token_file[0]) {
			s->token = http_token_load(c->token_file, err, len);
			if (!s->token)
				goto fail;
		}
		if (c->read_token_file[0]) {
			s->read_token =
			    http_token_load(c->read_token_file, err, len);
			if (!s->read_token)
				goto fail;
		}
		if (c->tls_cert[0]) {
			s->tls_cert = http_file_read(c->tls_cert, err, len);
			s->tls_key = s->tls_cert
					 ? http_file_read(c->tls_key, err, len)
					 : NULL;
			if (!s->tls_key)
				goto fail;
		}
		s->l[L_TCP].d = daemon_start(&s->l[L_TCP], &addr);
		if (!s->l[L_TCP].d) {
			snprintf(err, len, "cannot listen on %s", c->listen);
			goto fail;
		}
	}
	return s;
fail:
	http_stop(s);
	return NULL;
}

void http_stop(struct http_server *s)
{
	if (!s)
		return;
	for (int i = 0; i < L_COUNT; i++) {
		struct listener *l = &s->l[i];

		/*
		 * MHD_stop_daemon() shuts the listening socket down, which
		 * would break systemd's copy of an activated one (the socket
		 * unit fails and no longer starts momd).  Quiesced first, MHD
		 * hands it back and we only close our descriptor.
		 */
		if (l->d && l->activated) {
			MHD_socket fd = MHD_quiesce_daemon(l->d);

			MHD_stop_daemon(l->d);
			if (fd != MHD_INVALID_SOCKET)
				close(fd);
		} else if (l->d) {
			MHD_stop_daemon(l->d);
		}
		if (l->fd >= 0)
			close(l->fd);
		/* Only what momd created: systemd owns activated sockets. */
		if (l->path)
			unlink(l->path);
		free(l->path);
	}
	http_guard_free(s->guard);
	free(s->token);
	free(s->read_token);
	free(s->tls_cert);
	free(s->tls_key);
	free(s);
}
