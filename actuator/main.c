/* SPDX-License-Identifier: Apache-2.0 */
/*
 * main.c: momd, the actuator daemon.
 *
 *   momd [--config FILE] [--OPTION VALUE ...] [--dry-run]
 *   momd --check-config [--config FILE] [...]
 *   momd --evaluate CASE.json [--policy-dir DIR]
 *
 * Start-up runs in a fixed order: configuration (file, then flags), policy
 * set, engine (host backends), what the API saved in state_dir (policy
 * overrides, parameters; ignored with a warning, and set aside, when they
 * no longer validate), HTTP server, then the cycle loop.  Anything
 * wrong before the loop is fatal with a message; nothing is changed on the
 * host before everything has validated.  The daemon stays in the
 * foreground (systemd supervises it) and writes no pid file.
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * loop with sigtimedwait(): SIGTERM and SIGINT stop within one wait, SIGHUP
 * reloads the configuration (the options that can change live: log_level,
 * interval_ms, cycle_follows_samples, dry_run, eval_budget_ms and the
 * rails; the others are named as needing a restart) and the policies,
 * all or nothing: a configuration or a policy set that does not validate
 * leaves both as they were.
 *
 * Cycles run on a fixed timer every interval_ms or, with
 * cycle_follows_samples, as fresh host samples and the rest of their
 * rounds arrive (cadence.h): the ingest thread that stored a fresh host
 * sample, or the batch that completed its round, wakes the main thread
 * with WAKE_SIGNAL, taken by the same sigtimedwait().
 *
 * Exit status (sysexits): 0 ok, 64 usage, 65 bad policy or case, 66 a file
 * cannot be read, 69 a backend is unavailable, 78 bad configuration.
 */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "api.h"
#include "cadence.h"
#include "clock.h"
#include "conf.h"
#include "engine.h"
#include "evaluate_cli.h"
#include "http.h"
#include "http_files.h"
#include "log.h"
#include "polcompose.h"
#include "policy.h"
#include "policy_error.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: momd [--config FILE] [--OPTION VALUE ...]\n"
		   "       momd --check-config [--config FILE] [...]\n"
		   "       momd --evaluate CASE.json [--policy-dir DIR]\n"
		   "\noptions (also keys of the JSON configuration file):\n");
	if (f == stdout)
		conf_print_options();
}

/*
 * Merge the --config file, then the flags of argv, into c (the defaults)
 * and validate the result.  Returns 0, or an exit status with err filled.
 * Used at start-up and again for a reload (SIGHUP).
 */
static int conf_from_args(struct conf *c, int argc, char **argv, bool *check,
			  char *err, size_t len)
{
	int i;

	/* The file first, so that flags override it wherever they stand. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") != 0)
			continue;
		if (i + 1 >= argc) {
			snprintf(err, len, "--config needs a file");
			return EX_USAGE;
		}
		if (conf_load_file(c, argv[i + 1], err, len) < 0)
			return EX_CONFIG;
	}
	for (i = 1; i < argc;) {
		int used = 1, rc;

		if (strcmp(argv[i], "--config") == 0) {
			i += 2;
			continue;
		}
		if (strcmp(argv[i], "--check-config") == 0) {
			*check = true;
			i++;
			continue;
		}
		if (strcmp(argv[i], "--help") == 0 ||
		    strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		rc = conf_apply_arg(c, argc - i, argv + i, &used, err, len);
		if (rc == 1) {
			snprintf(err, len, "unknown option %s", argv[i]);
			return EX_USAGE;
		}
		if (rc < 0)
			return EX_CONFIG;
		i += used;
	}
	if (conf_validate(c, err, len) < 0)
		return EX_CONFIG;
	return 0;
}

/* Parse argv into c; returns 0, or an exit status. */
static int parse_args(struct conf *c, int argc, char **argv, bool *check)
{
	char err[512];
	int rc = conf_from_args(c, argc, argv, check, err, sizeof(err));

	if (rc) {
		fprintf(stderr, "momd: %s\n", err);
		if (rc == EX_USAGE)
			usage(stderr);
	}
	return rc;
}

/*
 * The wake-up of the main thread by ingest when cycles follow the samples.
 * The main thread already sleeps in sigtimedwait() with every signal it
 * takes blocked in all threads, so a signal is the wake-up that needs no
 * second mechanism: sent to the main thread itself (pthread_kill), it
 * stays pending while a cycle runs and ends the next wait at once, so none
 * is lost.  A real-time signal, not SIGUSR1: nothing else sends it.
 * pending keeps at most one in flight however fast samples come (a real-
 * time signal queues each one sent): an ingest thread sends only when it
 * sets pending, the main thread clears it before it reads the arrival
 * time and the round's completeness back (engine_host_round()), so an
 * arrival or a completion after that read sends again.  Ingest decides to
 * send under the engine lock that read takes, and sends after releasing
 * it: a read either sees the news or comes before the send.
 */
#define WAKE_SIGNAL SIGRTMIN
static struct {
	pthread_t main;
	atomic_bool follow;  /* cycle_follows_samples in force */
	atomic_bool pending; /* a WAKE_SIGNAL is on its way */
} wake;

/* engine_on_round(): on an ingest thread. */
static void wake_main(void *arg)
{
	(void)arg;
	if (atomic_load(&wake.follow) && !atomic_exchange(&wake.pending, true))
		pthread_kill(wake.main, WAKE_SIGNAL);
}

static struct timespec timespec_of_ms(int64_t ms)
{
	return (struct timespec){.tv_sec = ms / 1000,
				 .tv_nsec = (long)(ms % 1000) * 1000000L};
}

/* The options a reload applies without a restart. */
static const char *const live_options[] = {
    "log_level",
    "interval_ms",
    "cycle_follows_samples",
    "dry_run",
    "rail_max_shrink_pct",
    "rail_max_grow_pct",
    "rail_used_margin_pct",
    "rail_stale_ms",
    "rail_stuck_cycles",
    "rail_min_size_mib",
    "samples_stale_ms",
    "eval_budget_ms",
    "rail_oom_cooldown_ms",
};

static bool option_is_live(const char *name)
{
	for (size_t i = 0; i < sizeof(live_options) / sizeof(live_options[0]);
	     i++)
		if (strcmp(live_options[i], name) == 0)
			return true;
	return false;
}

/*
 * SIGHUP, first half: read the configuration again (file, then the same
 * flags) into *next, which the caller releases, and check it.  0, or -1
 * after logging why: then nothing of the reload is applied.
 */
static int reload_prepare(struct conf *next, enum log_level *level, int argc,
			  char **argv)
{
	bool check = false;
	char err[512];

	if (conf_init_defaults(next) < 0) {
		log_err("reload refused, the configuration and the policies in "
			"force stay: out of memory");
		return -1;
	}
	if (conf_from_args(next, argc, argv, &check, err, sizeof(err))) {
		log_err("configuration not reloaded, the one in force stays "
			"and the policies are not reloaded either: %s",
			err);
		return -1;
	}
	if (log_level_parse(next->log_level, level) < 0) {
		log_err("configuration not reloaded, the one in force stays "
			"and the policies are not reloaded either: log_level: "
			"\"%s\" is not a level",
			next->log_level);
		return -1;
	}
	return 0;
}

/*
 * SIGHUP, second half, once the configuration and the policies have both
 * validated: the live options of next are copied into *c and applied; each
 * other option that changed is named in a warning: it needs a restart.
 * Only the main thread reads the fields copied here once the engine runs
 * (the engine keeps its own copies of what it uses).
 */
static void reload_apply(struct conf *c, struct engine *e, struct conf *next,
			 enum log_level level)
{
	const char *changed[64];
	bool dry_run_changed = false, level_changed = false;
	char *tmp;
	size_t n;

	n = conf_changes(c, next, changed, 64);
	for (size_t i = 0; i < n; i++) {
		if (!option_is_live(changed[i]))
			log_warn("configuration: %s changed; it takes effect "
				 "at the next restart",
				 changed[i]);
		else if (strcmp(changed[i], "dry_run") == 0)
			dry_run_changed = true;
		else if (strcmp(changed[i], "log_level") == 0)
			level_changed = true;
	}
	c->interval_ms = next->interval_ms;
	c->cycle_follows_samples = next->cycle_follows_samples;
	atomic_store(&wake.follow, c->cycle_follows_samples);
	c->dry_run = next->dry_run;
	c->rail_max_shrink_pct = next->rail_max_shrink_pct;
	c->rail_max_grow_pct = next->rail_max_grow_pct;
	c->rail_used_margin_pct = next->rail_used_margin_pct;
	c->rail_stale_ms = next->rail_stale_ms;
	c->rail_stuck_cycles = next->rail_stuck_cycles;
	c->rail_min_size_mib = next->rail_min_size_mib;
	c->rail_oom_cooldown_ms = next->rail_oom_cooldown_ms;
	c->samples_stale_ms = next->samples_stale_ms;
	c->eval_budget_ms = next->eval_budget_ms;
	tmp = c->log_level;
	c->log_level = next->log_level;
	next->log_level = tmp;
	/* Like dry_run: a value set through the API stays unless the
	   file's value changed. */
	if (level_changed)
		log_set_level(level);
	engine_reconfigure(e, c, dry_run_changed);
	log_info("configuration reloaded: %zu option(s) changed", n);
}

/*
 * SIGHUP: the configuration and policy_dir again, all or nothing.  A
 * configuration that does not validate leaves the policies alone too, and
 * a policy set that does not validate the configuration: the log says
 * "refused" once and nothing of the reload is in force.  Cycles run on
 * this thread, so none sees half of it.
 */
static void reload(struct conf *c, struct engine *e, struct polcompose *pc,
		   int argc, char **argv)
{
	struct conf next;
	enum log_level level;

	if (reload_prepare(&next, &level, argc, argv) == 0) {
		if (polcompose_reload(pc) == 0)
			reload_apply(c, e, &next, level);
		else
			log_err("configuration not reloaded either: the "
				"policies did not validate");
	}
	conf_release(&next);
}

static int check_config(const struct conf *c)
{
	struct policy_error perr;
	struct policy_set *ps;
	char msg[700];

	gid_t gid;

	/* What a start would refuse (exit 69) is refused here too.  The
	   socket group only when momd makes its sockets: with systemd's
	   (momd.socket) it is not used, and the group may exist only where
	   momd runs (sysusers), so it is a warning. */
	if (http_files_check(c, msg, sizeof(msg)) < 0) {
		fprintf(stderr, "momd: %s\n", msg);
		return EX_CONFIG;
	}
	if (c->socket_group[0] &&
	    http_socket_group(c->socket_group, &gid, msg, sizeof(msg)) < 0)
		fprintf(stderr,
			"momd: warning: %s: a start that makes its own "
			"sockets (not passed by systemd) will fail\n",
			msg);
	ps = policy_set_load_dir(c->policy_dir, &perr);
	if (!ps) {
		fprintf(stderr, "momd: policy %s\n",
			policy_error_format(&perr, msg, sizeof(msg)));
		return EX_DATAERR;
	}
	printf("configuration OK: %zu policies, %zu parameters\n",
	       policy_set_count(ps), policy_set_param_count(ps));
	policy_set_free(ps);
	return 0;
}

/*
 * Run cycles every interval (or following the samples) until SIGTERM or
 * SIGINT.
 */
static void main_loop(struct engine *e, struct polcompose *pc, struct conf *c,
		      const sigset_t *sigs, int argc, char **argv)
{
	struct timespec next, now, wait;
	struct timespec due; /* when the last cycle was due (fixed timer) */
	int64_t last_ms;     /* when the last cycle began, monotonic */
	int64_t seen_ms;     /* when the newest host sample arrived */
	bool complete;	     /* ... and whether its round has */
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &next);
	last_ms = clock_mono_ms();
	for (;;) {
		due = next;
		next = clock_ts_add(due, c->interval_ms);
		for (;;) {
			/* Read again after every wake-up: a sample, the
			   end of its round or a reload moves the deadline. */
			if (c->cycle_follows_samples) {
				seen_ms = engine_host_round(e, &complete);
				next = timespec_of_ms(
				    cadence_follow_due(last_ms, c->interval_ms,
						       seen_ms, complete));
			}
			clock_gettime(CLOCK_MONOTONIC, &now);
			wait.tv_sec = next.tv_sec - now.tv_sec;
			wait.tv_nsec = next.tv_nsec - now.tv_nsec;
			if (wait.tv_nsec < 0) {
				wait.tv_sec--;
				wait.tv_nsec += 1000000000L;
			}
			if (wait.tv_sec < 0)
				break;
			sig = sigtimedwait(sigs, NULL, &wait);
			if (sig == WAKE_SIGNAL)
				atomic_store(&wake.pending, false);
			if (sig == SIGTERM || sig == SIGINT) {
				log_info("stopping on signal %d", sig);
				return;
			}
			if (sig == SIGHUP) {
				log_info("SIGHUP: reloading the configuration "
					 "and the policies");
				reload(c, e, pc, argc, argv);
				/* A new interval applies at once, to the
				   cycle being waited for too: kept, an hour's
				   wait went on after a reload to 1 s. */
				next = clock_ts_add(due, c->interval_ms);
			}
		}
		/* A cycle that overran the interval does not queue up more. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec + 1 || c->cycle_follows_samples)
			next = now; /* following: the timer restarts here
				       should a reload turn it off */
		last_ms = clock_mono_ms();
		engine_cycle(e);
		/* Following the samples, the next cycle counts from the
		   end of one that took longer than the interval. */
		if (clock_mono_ms() - last_ms > c->interval_ms)
			last_ms = clock_mono_ms();
	}
}

int main(int argc, char **argv)
{
	struct conf conf;
	struct engine *engine = NULL;
	struct http_server *http = NULL;
	struct polcompose policies = {0};
	struct api api = {0};
	enum log_level level;
	sigset_t sigs;
	bool check = false;
	char err[512];
	int rc;

	if (conf_init_defaults(&conf) < 0)
		log_fatal("out of memory");
	/* Hidden: the route table, for tests/it/openapi.sh. */
	if (argc == 2 && strcmp(argv[1], "--list-routes") == 0) {
		api_routes_print(stdout);
		conf_release(&conf);
		return 0;
	}
	if (argc > 1 && strcmp(argv[1], "--evaluate") == 0) {
		rc = evaluate_cli_main(argc - 1, argv + 1, conf.policy_dir);
		conf_release(&conf);
		return rc;
	}
	rc = parse_args(&conf, argc, argv, &check);
	if (rc)
		goto out;
	if (log_level_parse(conf.log_level, &level) < 0) {
		fprintf(stderr, "momd: log_level: \"%s\" is not a level\n",
			conf.log_level);
		rc = EX_CONFIG;
		goto out;
	}
	log_set_level(level);
	if (check) {
		rc = check_config(&conf);
		goto out;
	}

	/* Memory goes back to the kernel when it is freed.  A cycle's
	   snapshot and plan and a large request body are big, short-lived
	   blocks: with glibc's defaults each HTTP thread keeps an arena of
	   its own and freed blocks stay in the heap, so resident memory grew
	   with the guests far beyond what is live.  Two arenas, and blocks of
	   128 KiB and more from mmap (returned at free), keep it to the live
	   set; the cost is an mmap per large block, a few per cycle. */
	mallopt(M_ARENA_MAX, 2);
	mallopt(M_MMAP_THRESHOLD, 128 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);

	/* Block the signals before any thread starts, so all inherit it.
	   A disposition inherited as "ignore" would discard them: reset it. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(WAKE_SIGNAL, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigaddset(&sigs, WAKE_SIGNAL);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	wake.main = pthread_self();
	atomic_store(&wake.follow, conf.cycle_follows_samples);
	signal(SIGPIPE, SIG_IGN);

	engine = engine_new(&conf, err, sizeof(err));
	if (!engine) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (polcompose_init(&policies, engine, &conf, err, sizeof(err)) < 0 ||
	    api_init(&api, engine, &policies, &conf, err, sizeof(err)) < 0) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	engine_on_round(engine, wake_main, NULL);
	http = http_start(&conf, api_handle, &api, err, sizeof(err));
	if (!http) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	log_info(
	    "started: socket %s%s%s, policies %s, libvirt %s, KSM %s, "
	    "every %d ms%s%s",
	    conf.socket, conf.listen[0] ? ", tcp " : "", conf.listen,
	    conf.policy_dir, conf.libvirt_uri, conf.ksm_dir, conf.interval_ms,
	    conf.cycle_follows_samples ? " following the host's samples" : "",
	    conf.dry_run ? ", dry run" : "");
	main_loop(engine, &policies, &conf, &sigs, argc, argv);
	rc = 0;
out:
	http_stop(http);
	api_release(&api);
	polcompose_release(&policies);
	engine_free(engine);
	conf_release(&conf);
	return rc;
}
