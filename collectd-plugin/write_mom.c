/* SPDX-License-Identifier: Apache-2.0 */
/*
 * write_mom.c: collectd glue of the write plugin "write_mom", which
 * forwards value lists to the actuator (momd) in write_http JSON.
 *
 * This is the plugin's only file that includes collectd headers (with
 * conf_table.c, shared with mom.c), in the same order as mom.c.  It
 * parses <Plugin write_mom> through an option table, builds one context
 * (struct wm_ctx) and registers, all with that context as user_data:
 *
 *   write  "write_mom"  copy a wanted value list into the sender's queue;
 *                       the only registration carrying the free function
 *   flush  "write_mom"  wake the sender, wait a bounded time
 *   read   "write_mom"  start the sender thread (first call), dispatch the
 *                       plugin's own counters
 *
 * Threading: the write callback runs in every collectd write thread at
 * once; it only filters, converts and calls sender_enqueue() (a short
 * mutex, no I/O, never blocking).  The sender thread is started by the
 * first read or flush callback, after collectd has daemonized (threads
 * started while reading the configuration would not survive the fork).
 * Shutdown: collectd stops the write threads, flushes (our flush waits a
 * bounded time), runs shutdown callbacks (which get no user_data, so we
 * have none) and finally destroys the write callback, whose free function
 * stops the sender with DrainTimeout to send what is left, then frees
 * everything.  The context is immutable after configuration, except for
 * what the sender guards with its own lock and the two value counters.
 *
 * Origin: a value list of plugin "mom" is forwarded only when it carries
 * the origin mark of this process (origin.h), i.e. when this collectd's
 * own read plugin dispatched it.  Value lists of plugin "mom" received by
 * the network plugin or written through unixsock/exec PUTVAL lack it and
 * are dropped, counted (total_values-foreign) and logged at most once a
 * minute.  The host name is not looked at: any sender can choose it.
 * Our own value lists that the read plugin marked as not consumed by momd
 * (its decisions and sent-only rows) are left out on purpose and counted
 * (total_values-unused), so an operator sees them leave.
 *
 * Invalid: momd decodes a batch whole or refuses it whole (a 400, which
 * the sender drops, never retried), so a value list it would refuse is
 * not queued but dropped, counted (total_values-invalid) and logged at
 * most once a minute: one with a meta mom:uuid string that is not a
 * UUID, or with more data sources than the wire carries.  A forwarded
 * plugin's value list can carry such meta (unixsock/exec PUTVAL sets
 * string meta), and with it the read plugin's samples in the same batch
 * would be lost.  The same goes for a time before WIRE_TIME_MIN (PUTVAL
 * takes any time, e.g. 0.0004), which the encoder prints as 0.000 and
 * momd refuses.  No other meta reaches momd: the encoder writes mom:uuid
 * only.
 */
#include "core/daemon/collectd.h"

#include "core/daemon/plugin.h"
#include "core/utils/common/common.h"
#include "core/utils/metadata/meta_data.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_table.h"
#include "origin.h"
#include "sender.h"
#include "wire.h"

#define WM_NAME		  "write_mom"
#define WM_DEFAULT_SOCKET "/run/mom/momd.sock"
#define WM_NAMES_MAX	  64	/* Plugin and Type options, each */
#define WM_TOKEN_MAX	  4096	/* bytes in a TokenFile */
#define WM_READ_PLUGIN	  "mom" /* whose value lists need the mark */
#define WM_DROP_LOG_S	  60	/* at most one line per reason per */

/* Configuration as parsed, before the sender exists. */
struct wm_conf {
	char *socket_path, *url, *token;
	char *plugins[WM_NAMES_MAX], *types[WM_NAMES_MAX];
	size_t nplugins, ntypes;
	bool forward_all, report_stats;
	int batch_size, queue_limit, timeout_ms, backoff_max_ms, drain_ms;
};

/* One reason's rate-limited log line (wm_log_due()). */
struct wm_droplog {
	cdtime_t logged; /* when the last line was logged; 0: never */
	uint64_t at_log; /* the count then */
};

/* The plugin's one context, shared by the write, flush and read calls. */
struct wm_ctx {
	struct wm_conf conf;
	struct sender *sender;
	long flush_ms;		      /* how long a flush waits */
	uint64_t mark;		      /* origin_mark() of this process */
	atomic_uint_fast64_t foreign; /* "mom" value lists without the mark */
	atomic_uint_fast64_t unused;  /* ours, marked as not for momd */
	atomic_uint_fast64_t invalid; /* what momd would refuse */
	pthread_mutex_t log_lock;     /* guards the two logs below */
	struct wm_droplog foreign_log, invalid_log;
};

static void wm_conf_clear(struct wm_conf *c)
{
	for (size_t i = 0; i < c->nplugins; i++)
		free(c->plugins[i]);
	for (size_t i = 0; i < c->ntypes; i++)
		free(c->types[i]);
	free(c->socket_path);
	free(c->url);
	if (c->token)
		explicit_bzero(c->token, strlen(c->token));
	free(c->token);
	memset(c, 0, sizeof(*c));
}

static void wm_ctx_free(void *p)
{
	struct wm_ctx *ctx = p;

	if (!ctx)
		return;
	if (ctx->sender) {
		sender_stop(ctx->sender, ctx->conf.drain_ms);
		sender_free(ctx->sender);
	}
	wm_conf_clear(&ctx->conf);
	pthread_mutex_destroy(&ctx->log_lock);
	free(ctx);
}

/* ------------------------------------------------------------------ */
/* Configuration                                                       */

/* The URL must be plain http on the loopback interface (the token goes
   with every request): parsed, as libcurl will (sender_url_loopback). */
static int wm_opt_url(void *conf, const oconfig_item_t *ci)
{
	struct wm_conf *c = conf;

	free(c->url);
	c->url = NULL;
	if (cf_util_get_string(ci, &c->url) != 0)
		return -1;
	if (sender_url_loopback(c->url))
		return 0;
	ERROR(WM_NAME " plugin: URL \"%s\" is not an http:// URL on the "
		      "loopback interface (127.0.0.1, [::1] or localhost)",
	      c->url);
	return -1;
}

/* Read the bearer token: one line, trailing whitespace removed. */
static int wm_opt_token_file(void *conf, const oconfig_item_t *ci)
{
	struct wm_conf *c = conf;
	char *path = NULL, buf[WM_TOKEN_MAX + 1];
	size_t n = 0;
	FILE *f = NULL;
	int rc = -1;

	if (cf_util_get_string(ci, &path) != 0)
		return -1;
	f = fopen(path, "re");
	if (!f) {
		ERROR(WM_NAME " plugin: TokenFile \"%s\": %s", path, STRERRNO);
		goto out;
	}
	n = fread(buf, 1, sizeof(buf), f);
	while (n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == '\r' ||
			 buf[n - 1] == ' ' || buf[n - 1] == '\t'))
		n--;
	buf[n] = '\0';
	if (n == 0 || n > WM_TOKEN_MAX || strlen(buf) != n) {
		ERROR(WM_NAME " plugin: TokenFile \"%s\" must hold one token "
			      "of 1 to %d bytes",
		      path, WM_TOKEN_MAX);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		if ((unsigned char)buf[i] <= ' ' || buf[i] == 0x7f) {
			ERROR(WM_NAME " plugin: TokenFile \"%s\": the token "
				      "contains a blank or control character",
			      path);
			goto out;
		}
	}
	free(c->token);
	c->token = strdup(buf);
	if (!c->token)
		ERROR(WM_NAME " plugin: out of memory");
	rc = c->token ? 0 : -1;
out:
	explicit_bzero(buf, sizeof(buf));
	if (f)
		fclose(f);
	free(path);
	return rc;
}

static int wm_opt_name(const oconfig_item_t *ci, char **list, size_t *n)
{
	if (*n >= WM_NAMES_MAX) {
		ERROR(WM_NAME " plugin: at most %d %s options", WM_NAMES_MAX,
		      ci->key);
		return -1;
	}
	list[*n] = NULL;
	if (cf_util_get_string(ci, &list[*n]) != 0)
		return -1;
	(*n)++;
	return 0;
}

static int wm_opt_plugin(void *conf, const oconfig_item_t *ci)
{
	struct wm_conf *c = conf;

	return wm_opt_name(ci, c->plugins, &c->nplugins);
}

static int wm_opt_type(void *conf, const oconfig_item_t *ci)
{
	struct wm_conf *c = conf;

	return wm_opt_name(ci, c->types, &c->ntypes);
}

/* <Plugin write_mom>: README "Write plugin configuration". */
static const struct conf_option wm_options[] = {
    CONF_OPT_STRING("Socket", struct wm_conf, socket_path),
    CONF_OPT_CUSTOM("URL", wm_opt_url),
    CONF_OPT_CUSTOM("TokenFile", wm_opt_token_file),
    CONF_OPT_CUSTOM("Plugin", wm_opt_plugin),
    CONF_OPT_CUSTOM("Type", wm_opt_type),
    CONF_OPT_BOOL("ForwardAll", struct wm_conf, forward_all),
    CONF_OPT_BOOL("ReportStats", struct wm_conf, report_stats),
    /* At most what momd's default max_records (20000) takes: a larger
       batch would be refused whole, and a refused batch is not sent
       again.  Its body is cut at SENDER_BODY_MAX (sender.h), under
       momd's default max_body (4 MiB). */
    CONF_OPT_INT("BatchSize", struct wm_conf, batch_size, 1, 10000),
    CONF_OPT_INT("QueueLimit", struct wm_conf, queue_limit, 1, 10000000),
    CONF_OPT_INT("Timeout", struct wm_conf, timeout_ms, 1, 600000),
    CONF_OPT_INT("MaxBackoff", struct wm_conf, backoff_max_ms, 1, 3600000),
    CONF_OPT_INT("DrainTimeout", struct wm_conf, drain_ms, 1, 600000),
};

static int wm_conf_parse(struct wm_conf *c, const oconfig_item_t *ci)
{
	*c = (struct wm_conf){
	    .report_stats = true,
	    .batch_size = 500,
	    .queue_limit = 8192,
	    .timeout_ms = 2000,
	    .backoff_max_ms = 5000,
	    .drain_ms = 2000,
	};
	if (conf_table_parse(WM_NAME, wm_options, STATIC_ARRAY_SIZE(wm_options),
			     c, ci) != 0)
		return -1;
	if (c->url && c->socket_path) {
		ERROR(WM_NAME " plugin: Socket and URL are mutually exclusive");
		return -1;
	}
	if (!c->url && !c->socket_path) {
		c->socket_path = strdup(WM_DEFAULT_SOCKET);
		if (!c->socket_path)
			return -1;
	}
	if (c->nplugins == 0 && !c->forward_all) {
		c->plugins[0] = strdup("mom");
		if (!c->plugins[0])
			return -1;
		c->nplugins = 1;
	}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Callbacks                                                           */

static bool wm_listed(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++) {
		if (strcmp(list[i], name) == 0)
			return true;
	}
	return false;
}

/* Forward this value list?  Our own metrics only when listed by name. */
static bool wm_wanted(const struct wm_conf *c, const value_list_t *vl)
{
	bool listed = wm_listed(c->plugins, c->nplugins, vl->plugin);

	if (!listed && (!c->forward_all || strcmp(vl->plugin, WM_NAME) == 0))
		return false;
	return c->ntypes == 0 || wm_listed(c->types, c->ntypes, vl->type);
}

/* value_list_t + data_set_t -> wire_record; NULL, or why momd would
   refuse it (the header's "Invalid"), which wm_write counts and logs. */
static const char *wm_convert(const data_set_t *ds, const value_list_t *vl,
			      struct wire_record *r)
{
	if (vl->values_len == 0 || vl->values_len > WIRE_VALUES_MAX ||
	    ds->ds_num != vl->values_len)
		return "a number of values the wire does not carry";
	r->time = CDTIME_T_TO_DOUBLE(vl->time);
	if (!(r->time >= WIRE_TIME_MIN))
		return "a time before 0.001 s, sent as 0.000"; /* wire.h */
	r->interval = CDTIME_T_TO_DOUBLE(vl->interval);
	sstrncpy(r->host, vl->host, sizeof(r->host));
	sstrncpy(r->plugin, vl->plugin, sizeof(r->plugin));
	sstrncpy(r->plugin_instance, vl->plugin_instance,
		 sizeof(r->plugin_instance));
	sstrncpy(r->type, vl->type, sizeof(r->type));
	sstrncpy(r->type_instance, vl->type_instance, sizeof(r->type_instance));
	r->uuid[0] = '\0';
	if (vl->meta != NULL &&
	    meta_data_type(vl->meta, WIRE_UUID_META) == MD_TYPE_STRING) {
		char *u = NULL;
		bool ok;

		/* The read plugin's are always UUIDs; a forwarded plugin's
		   meta comes from whoever wrote the PUTVAL.  The decoder's
		   own rule, as one bad record refuses the whole batch. */
		/* Out of memory: sent without, as before this check. */
		if (meta_data_get_string(vl->meta, WIRE_UUID_META, &u) != 0)
			u = NULL;
		ok = u == NULL || wire_uuid_valid(u);
		if (u != NULL && ok)
			memcpy(r->uuid, u, WIRE_UUID_LEN + 1);
		free(u);
		if (!ok)
			return "a meta mom:uuid that is not a UUID";
	}
	r->nvalues = vl->values_len;
	for (size_t i = 0; i < vl->values_len; i++) {
		struct wire_value *w = &r->values[i];

		sstrncpy(w->dsname, ds->ds[i].name, sizeof(w->dsname));
		switch (ds->ds[i].type) {
		case DS_TYPE_GAUGE:
			w->type = WIRE_GAUGE;
			w->v.gauge = vl->values[i].gauge;
			break;
		case DS_TYPE_DERIVE:
			w->type = WIRE_DERIVE;
			w->v.derive = vl->values[i].derive;
			break;
		case DS_TYPE_COUNTER:
			w->type = WIRE_COUNTER;
			w->v.counter = vl->values[i].counter;
			break;
		case DS_TYPE_ABSOLUTE:
			w->type = WIRE_ABSOLUTE;
			w->v.absolute = vl->values[i].absolute;
			break;
		default:
			return "an unknown data source type";
		}
	}
	return NULL;
}

/* Did this collectd's own read plugin dispatch vl?  The type is checked
   first: meta_data_get_unsigned_int() logs an error on a type mismatch,
   which a sender could otherwise use to flood the log. */
static bool wm_own_sample(const struct wm_ctx *ctx, const value_list_t *vl)
{
	uint64_t mark = 0;

	if (ctx->mark == 0 || vl->meta == NULL ||
	    meta_data_type(vl->meta, ORIGIN_META_KEY) != MD_TYPE_UNSIGNED_INT)
		return false;
	if (meta_data_get_unsigned_int(vl->meta, ORIGIN_META_KEY, &mark) != 0)
		return false;
	return mark == ctx->mark;
}

/* Whether our read plugin marked vl as one momd does not consume. */
static bool wm_unused(const value_list_t *vl)
{
	bool unused = false;

	return meta_data_type(vl->meta, ORIGIN_UNUSED_META_KEY) ==
		   MD_TYPE_BOOLEAN &&
	       meta_data_get_boolean(vl->meta, ORIGIN_UNUSED_META_KEY,
				     &unused) == 0 &&
	       unused;
}

/* A name from a value list as it may be logged: at most 64 bytes, every
   byte outside printable ASCII as '?' (a network packet may carry a
   newline, which would forge a log line). */
static void wm_log_safe(char *out, size_t len, const char *in)
{
	size_t i = 0;

	for (; in[i] != '\0' && i + 1 < len && i < 64; i++)
		out[i] = (in[i] >= 0x20 && in[i] < 0x7f) ? in[i] : '?';
	out[i] = '\0';
}

/* Is a line about d due (the first, then at most one a minute)?  If so,
   the count of the n that came since the last line goes to since. */
static bool wm_log_due(struct wm_ctx *ctx, struct wm_droplog *d, uint64_t n,
		       uint64_t *since)
{
	cdtime_t now = cdtime();
	bool due;

	pthread_mutex_lock(&ctx->log_lock);
	due = d->logged == 0 ||
	      now - d->logged >= TIME_T_TO_CDTIME_T(WM_DROP_LOG_S);
	if (due) {
		*since = n - d->at_log;
		d->logged = now;
		d->at_log = n;
	}
	pthread_mutex_unlock(&ctx->log_lock);
	return due;
}

/* Count a foreign value list; log the first one, then at most one line a
   minute with how many came meanwhile. */
static void wm_foreign(struct wm_ctx *ctx, const value_list_t *vl)
{
	uint64_t n = atomic_fetch_add(&ctx->foreign, 1) + 1, since = 0;

	if (wm_log_due(ctx, &ctx->foreign_log, n, &since)) {
		char type[65], host[65];

		wm_log_safe(type, sizeof(type), vl->type);
		wm_log_safe(host, sizeof(host), vl->host);
		WARNING(WM_NAME
			" plugin: dropped %" PRIu64
			" value list(s) of plugin \"" WM_READ_PLUGIN
			"\" that this collectd's read plugin did not dispatch "
			"(network or PUTVAL?), e.g. type \"%s\" from host "
			"\"%s\"; %" PRIu64 " in all",
			since, type, host, n);
	}
}

/* Count a value list momd would refuse; logged like a foreign one, so
   that whoever sends it learns why it never arrives. */
static void wm_invalid(struct wm_ctx *ctx, const value_list_t *vl,
		       const char *why)
{
	uint64_t n = atomic_fetch_add(&ctx->invalid, 1) + 1, since = 0;

	if (wm_log_due(ctx, &ctx->invalid_log, n, &since)) {
		char plugin[65], type[65], host[65];

		wm_log_safe(plugin, sizeof(plugin), vl->plugin);
		wm_log_safe(type, sizeof(type), vl->type);
		wm_log_safe(host, sizeof(host), vl->host);
		WARNING(WM_NAME " plugin: left out %" PRIu64
				" value list(s) that momd would refuse with "
				"their whole batch, e.g. plugin \"%s\" type "
				"\"%s\" from host \"%s\" with %s; %" PRIu64
				" in all",
			since, plugin, type, host, why, n);
	}
}

static int wm_write(const data_set_t *ds, const value_list_t *vl,
		    user_data_t *ud)
{
	struct wm_ctx *ctx = ud->data;
	struct wire_record r;
	const char *why;

	if (!wm_wanted(&ctx->conf, vl))
		return 0;
	if (strcmp(vl->plugin, WM_READ_PLUGIN) == 0) {
		if (!wm_own_sample(ctx, vl)) {
			wm_foreign(ctx, vl);
			return 0;
		}
		if (wm_unused(vl)) {
			/* momd would ignore it (origin.h) */
			atomic_fetch_add(&ctx->unused, 1);
			return 0;
		}
	}
	why = wm_convert(ds, vl, &r);
	if (why != NULL) {
		/* momd would refuse it and every value list batched with it */
		wm_invalid(ctx, vl, why);
		return 0;
	}
	/* A full queue drops the oldest value and counts it; not an error
	   of this value list. */
	return sender_enqueue(ctx->sender, &r) < 0 ? -1 : 0;
}

static int wm_flush(cdtime_t timeout, const char *identifier, user_data_t *ud)
{
	struct wm_ctx *ctx = ud->data;

	(void)timeout;
	(void)identifier;
	if (sender_start(ctx->sender) < 0)
		return -1;
	/* Failures are logged (rate-limited) by the sender thread. */
	sender_flush(ctx->sender, ctx->flush_ms);
	return 0;
}

static void wm_dispatch(const char *type, const char *tinst, value_t v)
{
	value_list_t vl = VALUE_LIST_INIT;

	vl.values = &v;
	vl.values_len = 1;
	sstrncpy(vl.plugin, WM_NAME, sizeof(vl.plugin));
	sstrncpy(vl.type, type, sizeof(vl.type));
	sstrncpy(vl.type_instance, tinst, sizeof(vl.type_instance));
	plugin_dispatch_values(&vl);
}

static int wm_read(user_data_t *ud)
{
	struct wm_ctx *ctx = ud->data;
	struct sender_stats st;
	int rc = sender_start(ctx->sender);

	if (rc < 0) {
		ERROR(WM_NAME " plugin: cannot start the sender thread: %s",
		      strerror(-rc));
		return -1;
	}
	if (!ctx->conf.report_stats)
		return 0;
	sender_get_stats(ctx->sender, &st);
	wm_dispatch("total_values", "dropped",
		    (value_t){.derive = (derive_t)st.dropped});
	wm_dispatch("total_values", "sent",
		    (value_t){.derive = (derive_t)st.sent});
	wm_dispatch("total_values", "rejected",
		    (value_t){.derive = (derive_t)st.rejected});
	wm_dispatch("total_values", "foreign",
		    (value_t){.derive = (derive_t)atomic_load(&ctx->foreign)});
	wm_dispatch("total_values", "unused",
		    (value_t){.derive = (derive_t)atomic_load(&ctx->unused)});
	wm_dispatch("total_values", "invalid",
		    (value_t){.derive = (derive_t)atomic_load(&ctx->invalid)});
	wm_dispatch("total_requests", "failed",
		    (value_t){.derive = (derive_t)st.requests_failed});
	wm_dispatch("total_requests", "ok",
		    (value_t){.derive = (derive_t)st.requests_ok});
	wm_dispatch("queue_length", "",
		    (value_t){.gauge = (gauge_t)(st.queued + st.in_flight)});
	return 0;
}

static void wm_log(void *log_ctx, enum sender_severity sev, const char *msg)
{
	static const int level[] = {
	    [SENDER_LOG_ERR] = LOG_ERR,
	    [SENDER_LOG_WARNING] = LOG_WARNING,
	    [SENDER_LOG_INFO] = LOG_INFO,
	};

	(void)log_ctx;
	plugin_log(level[sev], "%s", msg);
}

static struct sender *wm_sender_new(const struct wm_conf *c)
{
	long interval_ms = (long)CDTIME_T_TO_MS(plugin_get_interval());
	struct sender_config sc = {
	    .url = c->url,
	    .socket_path = c->socket_path,
	    .token = c->token,
	    .batch_size = (size_t)c->batch_size,
	    .queue_limit = (size_t)c->queue_limit,
	    .timeout_ms = c->timeout_ms,
	    .interval_ms = interval_ms > 0 ? interval_ms : 10000,
	    .linger_ms = 0, /* the default, under momd's settle_ms */
	    .backoff_max_ms = c->backoff_max_ms,
	    .log = wm_log,
	};

	return sender_new(&sc);
}

/* <Plugin write_mom>: parse, build the context, register callbacks. */
static int wm_config(oconfig_item_t *ci)
{
	struct wm_ctx *ctx = calloc(1, sizeof(*ctx));
	long interval_ms = (long)CDTIME_T_TO_MS(plugin_get_interval());
	int rc;

	if (!ctx) {
		ERROR(WM_NAME " plugin: out of memory");
		return -1;
	}
	pthread_mutex_init(&ctx->log_lock, NULL);
	atomic_init(&ctx->foreign, 0);
	atomic_init(&ctx->unused, 0);
	atomic_init(&ctx->invalid, 0);
	ctx->mark = origin_mark();
	if (ctx->mark == 0)
		WARNING(WM_NAME
			" plugin: the kernel gave no AT_RANDOM; no value "
			"list of plugin \"" WM_READ_PLUGIN "\" can be trusted "
			"and none will be forwarded");
	if (wm_conf_parse(&ctx->conf, ci) != 0)
		goto fail;
	ctx->sender = wm_sender_new(&ctx->conf);
	if (!ctx->sender) {
		ERROR(WM_NAME
		      " plugin: cannot create the sender (out of memory?)");
		goto fail;
	}
	ctx->flush_ms = ctx->conf.timeout_ms;
	if (interval_ms > 0 && interval_ms < ctx->flush_ms)
		ctx->flush_ms = interval_ms;

	/* The write registration owns ctx from here on, even on failure. */
	rc = plugin_register_write(
	    WM_NAME, wm_write,
	    &(user_data_t){.data = ctx, .free_func = wm_ctx_free});
	if (rc != 0)
		return -1;
	rc = plugin_register_flush(WM_NAME, wm_flush,
				   &(user_data_t){.data = ctx});
	if (rc == 0)
		rc = plugin_register_complex_read(NULL, WM_NAME, wm_read, 0,
						  &(user_data_t){.data = ctx});
	return rc == 0 ? 0 : -1;
fail:
	wm_ctx_free(ctx);
	return -1;
}

__attribute__((visibility("default"))) void module_register(void)
{
	plugin_register_complex_config(WM_NAME, wm_config);
}
