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
 * overrides, parameters; ignored with a warning when they no longer
 * validate), HTTP server, then the cycle loop.  Anything
 * wrong before the loop is fatal with a message; nothing is changed on the
 * host before everything has validated.  The daemon stays in the
 * foreground (systemd supervises it) and writes no pid file.
 *
 * Signals are blocked in every thread and taken synchronously by the main
 * loop with sigtimedwait(): SIGTERM and SIGINT stop within one wait, SIGHUP
 * reloads the policies (keeping the old set when the new one does not
 * validate).
 *
 * Exit status (sysexits): 0 ok, 64 usage, 65 bad policy or case, 66 a file
 * cannot be read, 69 a backend is unavailable, 78 bad configuration.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "api.h"
#include "conf.h"
#include "engine.h"
#include "evaluate_cli.h"
#include "http.h"
#include "log.h"
#include "policy.h"

static void usage(FILE *f)
{
	fprintf(f, "usage: momd [--config FILE] [--OPTION VALUE ...]\n"
		   "       momd --check-config [--config FILE] [...]\n"
		   "       momd --evaluate CASE.json [--policy-dir DIR]\n"
		   "\noptions (also keys of the JSON configuration file):\n");
	if (f == stdout)
		conf_print_options();
}

/* Parse argv into c; returns 0, or an exit status. */
static int parse_args(struct conf *c, int argc, char **argv, bool *check)
{
	char err[512];
	int i;

	/* The file first, so that flags override it wherever they stand. */
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--config") != 0)
			continue;
		if (i + 1 >= argc) {
			fprintf(stderr, "momd: --config needs a file\n");
			return EX_USAGE;
		}
		if (conf_load_file(c, argv[i + 1], err, sizeof(err)) < 0) {
			fprintf(stderr, "momd: %s\n", err);
			return EX_CONFIG;
		}
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
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		rc = conf_apply_arg(c, argc - i, argv + i, &used, err,
				    sizeof(err));
		if (rc == 1) {
			fprintf(stderr, "momd: unknown option %s\n", argv[i]);
			usage(stderr);
			return EX_USAGE;
		}
		if (rc < 0) {
			fprintf(stderr, "momd: %s\n", err);
			return EX_CONFIG;
		}
		i += used;
	}
	if (conf_validate(c, err, sizeof(err)) < 0) {
		fprintf(stderr, "momd: %s\n", err);
		return EX_CONFIG;
	}
	return 0;
}

static int check_config(const struct conf *c)
{
	struct policy_error perr;
	struct policy_set *ps = policy_set_load_dir(c->policy_dir, &perr);

	if (!ps) {
		fprintf(stderr, "momd: policy %s: %s%s%s\n", perr.policy,
			perr.path, perr.path[0] ? ": " : "", perr.message);
		return EX_DATAERR;
	}
	printf("configuration OK: %zu policies, %zu parameters\n",
	       policy_set_count(ps), policy_set_param_count(ps));
	policy_set_free(ps);
	return 0;
}

/* Run cycles every interval until SIGTERM or SIGINT. */
static void main_loop(struct engine *e, struct api *api,
		      const struct conf *c, const sigset_t *sigs)
{
	struct timespec next, now, wait;
	int sig;

	clock_gettime(CLOCK_MONOTONIC, &next);
	for (;;) {
		next.tv_sec += c->interval_ms / 1000;
		next.tv_nsec += (long)(c->interval_ms % 1000) * 1000000L;
		if (next.tv_nsec >= 1000000000L) {
			next.tv_sec++;
			next.tv_nsec -= 1000000000L;
		}
		for (;;) {
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
			if (sig == SIGTERM || sig == SIGINT) {
				log_info("stopping on signal %d", sig);
				return;
			}
			if (sig == SIGHUP)
				api_reload_policies(api);
		}
		/* A cycle that overran the interval does not queue up more. */
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec > next.tv_sec + 1)
			next = now;
		engine_cycle(e);
	}
}

int main(int argc, char **argv)
{
	struct conf conf;
	struct engine *engine = NULL;
	struct http_server *http = NULL;
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

	/* Block the signals before any thread starts, so all inherit it.
	   A disposition inherited as "ignore" would discard them: reset it. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	signal(SIGPIPE, SIG_IGN);

	engine = engine_new(&conf, err, sizeof(err));
	if (!engine) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	if (api_init(&api, engine, &conf, err, sizeof(err)) < 0) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	http = http_start(&conf, api_handle, &api, err, sizeof(err));
	if (!http) {
		log_err("%s", err);
		rc = EX_UNAVAILABLE;
		goto out;
	}
	log_info("started: socket %s%s%s, policies %s, libvirt %s, KSM %s, "
		 "every %d ms%s",
		 conf.socket, conf.listen[0] ? ", tcp " : "", conf.listen,
		 conf.policy_dir, conf.libvirt_uri, conf.ksm_dir,
		 conf.interval_ms, conf.dry_run ? ", dry run" : "");
	main_loop(engine, &api, &conf, &sigs);
	rc = 0;
out:
	http_stop(http);
	api_release(&api);
	engine_free(engine);
	conf_release(&conf);
	return rc;
}
