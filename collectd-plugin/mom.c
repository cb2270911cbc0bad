/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mom.c: the collectd glue of the `mom` read plugin: configuration,
 * registration, and dispatch of what host_mem.c and guest_mem.c read.
 * With conf_table.c (the option-table parser both plugins share), it is
 * the only file of the plugin that includes collectd headers.
 *
 * Naming: every value goes out under plugin "mom"; host values have an
 * empty plugin instance, guest values the domain name.  The identifiers,
 * types and units are the metric contract (actuator/metric_rows.h, which
 * README.md "Metrics" is printed from); plugin_metrics.c names the row of
 * each native reading.  All values of one read carry the same time stamp
 * (the actuator groups a sample by time).
 *
 * Lifecycle and state: collectd's config, init and shutdown callbacks take
 * no user data, so the parsed <Plugin mom> block waits in one static slot
 * (`pending`) between the config callback and init.  Init moves it into a
 * struct mom_ctx that becomes the read callback's user_data; from then on
 * no static is touched, and collectd frees the context (mom_ctx_free) once
 * its read threads have stopped (collectd 5.12's plugin_shutdown_all:
 * before the write threads stop and before the shutdown callbacks).
 * Shutdown only frees a configuration that never reached init.  The read
 * callback never runs concurrently with itself.
 *
 * The read callback returns non-zero only when no group produced a value
 * and guests are not collected: an unreachable libvirtd must not make
 * collectd back off exponentially, since we reconnect at every read.
 *
 * Origin: every value list carries the unsigned-integer meta entry
 * ORIGIN_META_KEY = origin_mark() (origin.h), by which write_mom tells our
 * samples from value lists of plugin "mom" that arrived through the
 * network plugin or unixsock PUTVAL, and one momd does not consume also
 * the unused mark (mom_dispatch.h, which dispatches them all).  Guest value
 * lists also carry the domain's UUID (mom:uuid), which momd keys guests by: the
 * plugin instance (the name) is cut at 127 bytes and may have had bytes
 * replaced.
 *
 * With CollectAgent (on by default), guest-agent statistics come from a
 * worker thread (agent_cache.h) started at init and stopped when collectd
 * frees the context; the read callback only copies its table, so an agent
 * never delays a read.  Their staleness is the plugin's (dispatch_agent).
 *
 * With ActuatorSocket, a second read callback ("mom_actuator") asks momd
 * for its last plan (momd_client.c) and dispatches the balloon target of
 * each guest (memory-target) and the planned KSM settings (*_target), so
 * that dashboards show the decision beside the value it acts on.  It is a
 * callback of its own so that a slow momd never delays the libvirt reads;
 * it always returns 0 (momd being down is logged once, not backed off).
 */
#include "core/daemon/collectd.h"

#include "core/daemon/plugin.h"
#include "core/utils/common/common.h"
#include "core/utils/metadata/meta_data.h"

#include "agent_cache.h"
#include "clock.h"
#include "conf_table.h"
#include "globlist.h"
#include "guest_mem.h"
#include "host_mem.h"
#include "http_curl.h"
#include "mom_dispatch.h"
#include "momd_client.h"
#include "plugin_metrics.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#define MOM_LOG(level, ...) plugin_log(level, "mom plugin: " __VA_ARGS__)

struct mom_conf {
	char *uri;
	char *root;
	bool collect_host;
	bool collect_ksm;
	bool collect_guests;
	int stats_period_s; /* -1: the read interval */
	int stale_reads;
	int min_refresh_s;
	char *actuator_socket; /* "" = do not ask momd for its plan */
	char *qemu_pid_dir;    /* "" = from the connection URI */
	int actuator_timeout_ms;
	bool collect_agent;
	int agent_interval_s; /* 0: the read interval */
	int agent_timeout_s;
	int agent_backoff_s;
	char **include;
	size_t n_include;
	char **exclude;
	size_t n_exclude;
};

struct mom_actuator {
	char *socket;
	int timeout_ms;
	bool failing;		    /* the last fetch failed (logged once) */
	struct momd_client *client; /* made at the first read */
};

struct mom_ctx {
	struct mom_conf conf;
	struct host_reader *host;
	struct guest_reader *guest;
	struct agent_cache *agent; /* NULL without CollectAgent */
	cdtime_t now;		   /* the time stamp of the current read */
};

/* The one static: a parsed configuration on its way from the config
   callback to init (see the file comment). */
static struct mom_conf *pending;

/* ---- logging -------------------------------------------------------- */

__attribute__((format(printf, 3, 4))) static void
mom_log_hook(void *opaque, int level, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	(void)opaque;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	MOM_LOG(level, "%s", buf);
}

/* ---- configuration -------------------------------------------------- */

static void mom_conf_free(struct mom_conf *c)
{
	if (c == NULL)
		return;
	free(c->uri);
	free(c->root);
	free(c->actuator_socket);
	free(c->qemu_pid_dir);
	globlist_free(c->include, c->n_include);
	globlist_free(c->exclude, c->n_exclude);
	free(c);
}

static struct mom_conf *mom_conf_new(void)
{
	struct mom_conf *c = calloc(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->uri = strdup("qemu:///system");
	c->root = strdup("/");
	c->actuator_socket = strdup("");
	c->qemu_pid_dir = strdup("");
	if (c->uri == NULL || c->root == NULL || c->actuator_socket == NULL ||
	    c->qemu_pid_dir == NULL) {
		mom_conf_free(c);
		return NULL;
	}
	c->collect_host = c->collect_ksm = c->collect_guests = true;
	c->stats_period_s = -1;
	c->stale_reads = 3;
	c->min_refresh_s = 60;
	c->actuator_timeout_ms = 1000;
	/* README "Guest-agent statistics" says why it is on. */
	c->collect_agent = true;
	c->agent_timeout_s = 1;
	c->agent_backoff_s = 60;
	return c;
}

/* Appends every string value of ci to a glob list. */
static int conf_globs(const oconfig_item_t *ci, char ***list, size_t *n)
{
	char **nl;

	if (ci->values_num < 1) {
		MOM_LOG(LOG_ERR, "%s needs at least one glob", ci->key);
		return -1;
	}
	nl = reallocarray(*list, *n + (size_t)ci->values_num, sizeof(*nl));
	if (nl == NULL)
		return -1;
	*list = nl;
	for (int i = 0; i < ci->values_num; i++) {
		if (ci->values[i].type != OCONFIG_TYPE_STRING) {
			MOM_LOG(LOG_ERR, "%s takes strings (globs)", ci->key);
			return -1;
		}
		nl[*n] = strdup(ci->values[i].value.string);
		if (nl[*n] == NULL)
			return -1;
		(*n)++;
	}
	return 0;
}

static int conf_include(void *conf, const oconfig_item_t *ci)
{
	struct mom_conf *c = conf;

	return conf_globs(ci, &c->include, &c->n_include);
}

static int conf_exclude(void *conf, const oconfig_item_t *ci)
{
	struct mom_conf *c = conf;

	return conf_globs(ci, &c->exclude, &c->n_exclude);
}

/* <Plugin mom>: README "Read plugin configuration". */
static const struct conf_option mom_options[] = {
    CONF_OPT_STRING("Connection", struct mom_conf, uri),
    CONF_OPT_STRING("Root", struct mom_conf, root),
    CONF_OPT_BOOL("CollectHost", struct mom_conf, collect_host),
    CONF_OPT_BOOL("CollectKSM", struct mom_conf, collect_ksm),
    CONF_OPT_BOOL("CollectGuests", struct mom_conf, collect_guests),
    CONF_OPT_CUSTOM("IncludeDomain", conf_include),
    CONF_OPT_CUSTOM("ExcludeDomain", conf_exclude),
    CONF_OPT_INT("StatsPeriod", struct mom_conf, stats_period_s, 0, INT_MAX),
    CONF_OPT_INT("StaleReads", struct mom_conf, stale_reads, 1, INT_MAX),
    CONF_OPT_INT("MinimumRefresh", struct mom_conf, min_refresh_s, 0, INT_MAX),
    CONF_OPT_STRING("ActuatorSocket", struct mom_conf, actuator_socket),
    CONF_OPT_INT("ActuatorTimeout", struct mom_conf, actuator_timeout_ms, 1,
		 INT_MAX),
    CONF_OPT_STRING("QemuPidDir", struct mom_conf, qemu_pid_dir),
    CONF_OPT_BOOL("CollectAgent", struct mom_conf, collect_agent),
    CONF_OPT_INT("AgentInterval", struct mom_conf, agent_interval_s, 0, 86400),
    CONF_OPT_INT("AgentTimeout", struct mom_conf, agent_timeout_s, 1, 60),
    CONF_OPT_INT("AgentBackoff", struct mom_conf, agent_backoff_s, 1, 86400),
};

static int mom_config(oconfig_item_t *ci)
{
	struct mom_conf *c;

	if (pending != NULL) {
		MOM_LOG(LOG_ERR, "only one <Plugin mom> block is supported");
		return -1;
	}
	c = mom_conf_new();
	if (c == NULL)
		return -1;
	if (conf_table_parse(MOM_PLUGIN, mom_options,
			     STATIC_ARRAY_SIZE(mom_options), c, ci) != 0) {
		mom_conf_free(c);
		return -1;
	}
	pending = c;
	return 0;
}

/* ---- dispatch ------------------------------------------------------- */

static void dispatch_host(const struct mom_ctx *ctx,
			  const struct host_sample *s)
{
	const struct plugin_metric_pair *sw = &plugin_host_swap_pair;
	meta_data_t *om = mom_origin_meta();

	for (int f = 0; f < HOST_FIELD_NR; f++) {
		if (!s->present[f] || plugin_host_metric[f] == METRIC_NR)
			continue;
		mom_dispatch_metric(ctx->now, "", plugin_host_metric[f],
				    s->rval[f], s->ival[f],
				    host_field_is_real(f), om);
	}
	mom_dispatch_pair(ctx->now, "", sw, s->present, s->ival[sw->first],
			  s->ival[sw->second], om);
	meta_data_destroy(om);
}

/* A meta with the origin mark and the domain's UUID, plus one optional
   extra string. */
static meta_data_t *guest_meta(const struct guest_sample *s, const char *key,
			       const char *val)
{
	meta_data_t *m = mom_origin_meta();

	if (m == NULL)
		return NULL;
	if (meta_data_add_string(m, "mom:uuid", s->uuid) != 0 ||
	    (key != NULL && meta_data_add_string(m, key, val) != 0)) {
		meta_data_destroy(m);
		return NULL;
	}
	return m;
}

static void dispatch_guest_extras(const struct mom_ctx *ctx,
				  const struct guest_sample *s, meta_data_t *m)
{
	const struct plugin_metric_pair *pf = &plugin_guest_fault_pair;

	mom_dispatch_pair(ctx->now, s->name, pf, s->present,
			  (int64_t)s->value[pf->first],
			  (int64_t)s->value[pf->second], m);
	if (s->have_age) {
		meta_data_t *sm = guest_meta(s, "mom:stats_state",
					     guest_stats_state_name(s->state));

		mom_dispatch_metric(ctx->now, s->name, METRIC_GUEST_STATS_AGE,
				    s->stats_age_s, 0, true, sm);
		meta_data_destroy(sm);
	}
}

/* The guest's agent values from the cache (never an agent call here).
   Staleness is the plugin's: values are sent only while the reading is
   fresh (agent_cache.h); agent_age goes out whenever there is a reading,
   so that a stale agent shows as an old age with no values. */
static void dispatch_agent(const struct mom_ctx *ctx,
			   const struct guest_sample *s, meta_data_t *m)
{
	const struct plugin_metric_pair *sw = &plugin_agent_swap_pair;
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r;
	const struct agent_stats *st = &r.stats;
	bool sendable[AGENT_FIELD_NR];

	if (ctx->agent == NULL || s->uuid == NULL ||
	    agent_uuid_parse(s->uuid, uuid) != 0 ||
	    agent_cache_get(ctx->agent, uuid, &r) != 0 || !r.has_stats)
		return;
	mom_dispatch_metric(ctx->now, s->name, METRIC_GUEST_AGENT_AGE,
			    (double)r.age_ms / 1000.0, 0, true, m);
	if (r.stale)
		return;
	/* The parser takes any uint64; one beyond int64 (a hostile guest)
	   would go out negative, so it is not sent. */
	for (int f = 0; f < AGENT_FIELD_NR; f++)
		sendable[f] = st->present[f] && st->v[f] <= INT64_MAX;
	for (int f = 0; f < AGENT_FIELD_NR; f++) {
		if (!sendable[f] || plugin_agent_metric[f] == METRIC_NR)
			continue;
		mom_dispatch_metric(ctx->now, s->name, plugin_agent_metric[f],
				    (double)st->v[f] * plugin_agent_scale[f],
				    (int64_t)st->v[f],
				    plugin_agent_scale[f] != 1, m);
	}
	mom_dispatch_pair(ctx->now, s->name, sw, sendable,
			  (int64_t)st->v[sw->first], (int64_t)st->v[sw->second],
			  m);
}

/* A disk's values: type instance "<dev>-<row's>" under the guest's
   instance (metric_rows.h), with the guest's meta (origin and UUID). */
static void dispatch_disks(const struct mom_ctx *ctx,
			   const struct guest_sample *s, meta_data_t *meta)
{
	for (unsigned d = 0; s->io && d < s->io->n; d++) {
		const struct guest_disk *disk = &s->io->disk[d];

		for (int i = 0; i < GUEST_IO_NR; i++) {
			const struct metric_def *m =
			    &metric_defs[plugin_disk_metric[i]];
			char tinst[DATA_MAX_NAME_LEN];
			value_t v;

			if (!disk->present[i])
				continue;
			snprintf(tinst, sizeof(tinst), "%s-%s", disk->dev,
				 m->type_instance);
			v.gauge = metric_to_wire(m, (double)disk->value[i]);
			mom_dispatch_row(ctx->now, s->name, m, tinst, &v, 1,
					 meta);
		}
	}
}

/* Every value list carries the origin mark and the UUID (write_mom drops
   unmarked ones, momd keys guests by UUID); the extras ride on
   memory-minimum and duration-stats_age only. */
static void dispatch_guest(const struct guest_sample *s, void *opaque)
{
	const struct mom_ctx *ctx = opaque;
	meta_data_t *m = guest_meta(s, NULL, NULL);
	meta_data_t *mm = guest_meta(s, "mom:min_source",
				     guest_min_source_name(s->min_source));

	for (int i = 0; i < GUEST_STAT_NR; i++) {
		meta_data_t *meta = i == GUEST_MINIMUM_KIB ? mm : m;

		if (!s->present[i] || plugin_guest_metric[i] == METRIC_NR)
			continue;
		mom_dispatch_metric(ctx->now, s->name, plugin_guest_metric[i],
				    0, (int64_t)s->value[i], false, meta);
	}
	dispatch_guest_extras(ctx, s, m);
	dispatch_disks(ctx, s, m);
	dispatch_agent(ctx, s, m);
	meta_data_destroy(mm);
	meta_data_destroy(m);
}

/* ---- callbacks ------------------------------------------------------ */

static int mom_read(user_data_t *ud)
{
	struct mom_ctx *ctx = ud->data;
	unsigned groups = (ctx->conf.collect_host ? HOST_GROUP_MEM : 0) |
			  (ctx->conf.collect_ksm ? HOST_GROUP_KSM : 0);
	int64_t now_ns = clock_mono_ns();
	int got = 0;

	ctx->now = cdtime();
	if (groups != 0) {
		struct host_sample s;

		got += host_reader_read(ctx->host, groups, now_ns, &s);
		dispatch_host(ctx, &s);
	}
	if (ctx->guest != NULL) {
		guest_reader_read(ctx->guest, now_ns,
				  CDTIME_T_TO_DOUBLE(ctx->now), dispatch_guest,
				  ctx);
		return 0;
	}
	return got > 0 ? 0 : -1;
}

/* The plan's per-guest QoS controls (plugin_guest_target_metric), beside
   the values the guests report. */
static void dispatch_plan_guests(const struct momd_plan *plan, cdtime_t now,
				 meta_data_t *om)
{
	for (size_t i = 0; i < plan->nctls; i++) {
		const struct momd_guest_ctl *c = &plan->ctls[i];

		for (int k = 0; k < MOMD_GUEST_NR; k++) {
			const struct metric_def *m =
			    &metric_defs[plugin_guest_target_metric[k]];
			value_t v = {.gauge = metric_to_wire(m, c->value[k])};

			if (c->present[k])
				mom_dispatch_at(now, c->name, m->type,
						m->type_instance, &v, 1, om);
		}
	}
}

/* The plan's disk limits (plugin_disk_target_metric), type instance
   "<dev>-<name>_target" beside the disk's live values. */
static void dispatch_plan_disks(const struct momd_plan *plan, cdtime_t now,
				meta_data_t *om)
{
	for (size_t i = 0; i < plan->ndisks; i++) {
		const struct momd_disk_ctl *c = &plan->disks[i];

		for (int k = 0; k < MOMD_DISK_NR; k++) {
			const struct metric_def *m =
			    &metric_defs[plugin_disk_target_metric[k]];
			value_t v = {.gauge = metric_to_wire(m, c->value[k])};
			char tinst[DATA_MAX_NAME_LEN];

			if (!c->present[k])
				continue;
			snprintf(tinst, sizeof(tinst), "%s-%s", c->dev,
				 m->type_instance);
			mom_dispatch_at(now, c->guest, m->type, tinst, &v, 1,
					om);
		}
	}
}

/* The plan's balloon targets and KSM settings, as their contract rows
   (plugin_ksm_target_metric) say: sleep in seconds like the measured one. */
static void dispatch_plan(const struct momd_plan *plan)
{
	const struct metric_def *tm = &metric_defs[METRIC_GUEST_TARGET];
	cdtime_t now = cdtime();
	meta_data_t *mark = mom_origin_meta();
	/* Decisions all: momd made them and does not take them back. */
	meta_data_t *um = mom_unused_meta(mark);
	meta_data_t *om = um != NULL ? um : mark;

	for (size_t i = 0; i < plan->nguests; i++) {
		value_t v = {.gauge = metric_to_wire(
				 tm, (double)plan->guests[i].target_kib)};

		mom_dispatch_at(now, plan->guests[i].name, tm->type,
				tm->type_instance, &v, 1, om);
	}
	for (int k = 0; k < MOMD_KSM_NR; k++) {
		const struct metric_def *m =
		    &metric_defs[plugin_ksm_target_metric[k]];
		value_t v = {.gauge = metric_to_wire(m, plan->ksm[k])};

		if (plan->ksm_present[k])
			mom_dispatch_at(now, "", m->type, m->type_instance, &v,
					1, om);
	}
	dispatch_plan_guests(plan, now, om);
	dispatch_plan_disks(plan, now, om);
	meta_data_destroy(um);
	meta_data_destroy(mark);
}

static int mom_actuator_read(user_data_t *ud)
{
	struct mom_actuator *a = ud->data;
	struct momd_plan plan;
	char err[256];
	int rc = -ENOMEM;

	/* The interval is known only inside a read callback.  The
	   connection is kept between reads only at short intervals. */
	if (a->client == NULL)
		a->client = momd_client_new(
		    a->socket, http_curl_keep_alive((long)CDTIME_T_TO_MS(
				   plugin_get_interval())));
	if (a->client != NULL) {
		rc = momd_client_fetch(a->client, a->timeout_ms, &plan, err,
				       sizeof(err));
	} else {
		memset(&plan, 0, sizeof(plan));
		snprintf(err, sizeof(err), "cannot set up libcurl");
	}
	if (rc < 0) {
		if (!a->failing)
			MOM_LOG(LOG_WARNING,
				"no plan from the actuator: %s (logged again "
				"only after it answers)",
				err);
		a->failing = true;
	} else {
		if (a->failing)
			MOM_LOG(LOG_INFO, "the actuator at %s answers again",
				a->socket);
		a->failing = false;
		dispatch_plan(&plan);
	}
	momd_plan_release(&plan);
	return 0;
}

static void mom_actuator_free(void *p)
{
	struct mom_actuator *a = p;

	if (a == NULL)
		return;
	momd_client_free(a->client);
	free(a->socket);
	free(a);
}

/* Register the "mom_actuator" read callback when ActuatorSocket is set. */
static int actuator_register(const struct mom_conf *c)
{
	struct mom_actuator *a;

	if (c->actuator_socket[0] == '\0')
		return 0;
	a = calloc(1, sizeof(*a));
	if (a == NULL || (a->socket = strdup(c->actuator_socket)) == NULL) {
		free(a);
		return -1;
	}
	a->timeout_ms = c->actuator_timeout_ms;
	MOM_LOG(LOG_INFO, "balloon and KSM targets from the actuator at %s",
		a->socket);
	/* On failure collectd itself calls mom_actuator_free. */
	return plugin_register_complex_read(
	    NULL, "mom_actuator", mom_actuator_read, 0,
	    &(user_data_t){.data = a, .free_func = mom_actuator_free});
}

static void mom_ctx_free(void *p)
{
	struct mom_ctx *ctx = p;

	if (ctx == NULL)
		return;
	/* collectd frees the context once its read threads have stopped:
	   the agent worker and its pollers stop here (within about one
	   agent call timeout). */
	agent_cache_stop(ctx->agent);
	guest_reader_free(ctx->guest);
	host_reader_free(ctx->host);
	free(ctx->conf.uri);
	free(ctx->conf.root);
	free(ctx->conf.actuator_socket);
	free(ctx->conf.qemu_pid_dir);
	globlist_free(ctx->conf.include, ctx->conf.n_include);
	globlist_free(ctx->conf.exclude, ctx->conf.n_exclude);
	free(ctx);
}

/* The stats period and how many unchanged reads mean "stale": at least
   StaleReads, and enough to cover two stats periods. */
static void guest_timing(const struct mom_conf *c, unsigned *period,
			 unsigned *stale)
{
	double interval_s = CDTIME_T_TO_DOUBLE(plugin_get_interval());
	unsigned need;

	if (interval_s <= 0)
		interval_s = 10;
	*period = c->stats_period_s >= 0 ? (unsigned)c->stats_period_s
					 : (unsigned)ceil(interval_s);
	need = (unsigned)ceil(2.0 * *period / interval_s);
	*stale =
	    (unsigned)c->stale_reads > need ? (unsigned)c->stale_reads : need;
}

static struct guest_reader *guest_new(const struct mom_conf *c)
{
	struct guest_config gc = {
	    .uri = c->uri,
	    .min_refresh_s = (unsigned)c->min_refresh_s,
	    .include = c->include,
	    .n_include = c->n_include,
	    .exclude = c->exclude,
	    .n_exclude = c->n_exclude,
	    .log = mom_log_hook,
	};

	guest_timing(c, &gc.stats_period_s, &gc.stale_reads);
	MOM_LOG(LOG_INFO,
		"guests from %s, stats period %u s, stale after %u reads",
		c->uri, gc.stats_period_s, gc.stale_reads);
	return guest_reader_new(&gc);
}

/* The guest-agent worker (agent_cache.h): off the read path, with its own
   libvirt connection.  Failing to start it only loses the agent values. */
static struct agent_cache *agent_new(const struct mom_conf *c)
{
	double interval_s = CDTIME_T_TO_DOUBLE(plugin_get_interval());
	struct agent_cache_conf ac = {
	    .uri = c->uri,
	    .timeout_s = c->agent_timeout_s,
	    .backoff_ms = c->agent_backoff_s * 1000,
	    .include = c->include,
	    .n_include = c->n_include,
	    .exclude = c->exclude,
	    .n_exclude = c->n_exclude,
	};
	struct agent_cache *a;
	char err[256];

	if (interval_s <= 0)
		interval_s = 10;
	ac.interval_ms = c->agent_interval_s > 0 ? c->agent_interval_s * 1000
						 : (int)ceil(interval_s * 1000);
	agent_cache_conf_defaults(&ac);
	a = agent_cache_start(&ac, err, sizeof(err));
	if (a == NULL)
		MOM_LOG(LOG_ERR, "guest agents are not read: %s", err);
	else
		MOM_LOG(LOG_INFO,
			"guest agents every %d ms (call timeout %d s, "
			"backoff %d ms, stale after %d ms)",
			ac.interval_ms, ac.timeout_s, ac.backoff_ms,
			ac.stale_ms);
	return a;
}

/* Where libvirt keeps the QEMU pid files that ksm_shareable counts: the
   QemuPidDir option, else the place of the connection's daemon. */
static int qemu_dir_set(struct host_reader *h, const struct mom_conf *c)
{
	char buf[PATH_MAX];
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (c->qemu_pid_dir[0] != '\0')
		return host_reader_set_qemu_dir(h, c->qemu_pid_dir);
	if (strncmp(c->uri, "qemu:///session", 15) != 0)
		return 0; /* the default: qemu:///system's /run/libvirt/qemu */
	if (xdg != NULL && xdg[0] == '/')
		snprintf(buf, sizeof(buf), "%s/libvirt/qemu/run", xdg);
	else
		snprintf(buf, sizeof(buf), "/run/user/%u/libvirt/qemu/run",
			 (unsigned)getuid());
	return host_reader_set_qemu_dir(h, buf);
}

static int mom_init(void)
{
	struct mom_conf *c = pending != NULL ? pending : mom_conf_new();
	struct mom_ctx *ctx = NULL;

	pending = NULL;
	if (c == NULL)
		return -1;
	ctx = calloc(1, sizeof(*ctx));
	if (ctx == NULL) {
		mom_conf_free(c);
		return -1;
	}
	ctx->conf = *c;
	free(c); /* the strings now belong to ctx->conf */
	ctx->host = host_reader_new(ctx->conf.root, sysconf(_SC_CLK_TCK));
	if (ctx->host == NULL || qemu_dir_set(ctx->host, &ctx->conf) != 0)
		goto fail;
	if (ctx->conf.collect_guests) {
		ctx->guest = guest_new(&ctx->conf);
		if (ctx->guest == NULL)
			goto fail;
		if (ctx->conf.collect_agent)
			ctx->agent = agent_new(&ctx->conf);
	}
	if (actuator_register(&ctx->conf) != 0) {
		MOM_LOG(LOG_ERR, "cannot register the actuator read");
		goto fail;
	}
	/* On failure collectd itself calls mom_ctx_free. */
	return plugin_register_complex_read(
	    NULL, MOM_PLUGIN, mom_read, 0,
	    &(user_data_t){.data = ctx, .free_func = mom_ctx_free});
fail:
	MOM_LOG(LOG_ERR, "out of memory during init");
	mom_ctx_free(ctx);
	return -1;
}

static int mom_shutdown(void)
{
	mom_conf_free(pending);
	pending = NULL;
	return 0;
}

__attribute__((visibility("default"))) void module_register(void)
{
	plugin_register_complex_config(MOM_PLUGIN, mom_config);
	plugin_register_init(MOM_PLUGIN, mom_init);
	plugin_register_shutdown(MOM_PLUGIN, mom_shutdown);
}
