/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momctl.c: the command-line client of momd's REST API (see usage()).
 * A thin main over momctl_http.c (the request) and momctl_print.c (tables):
 * parse the options, map a command to one request, print the reply as a
 * table or, with --json, as JSON, and exit with a status scripts can test
 * (momctl.h).
 */
#include <dirent.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include "momctl.h"
#include "readfile.h"

#define MOMCTL_DEFAULT_SOCKET "/run/mom/momd.sock"

struct ctl {
	struct momctl_conn conn;
	bool json;
};

/* 0, or -1 when the reply is not what the API documents (exit 4). */
typedef int (*printer_fn)(const json_t *body);

static void usage(FILE *f)
{
	fprintf(
	    f,
	    "usage: momctl [--socket PATH | --url URL [--token-file FILE] "
	    "[--cacert FILE]]\n"
	    "              [--timeout SECONDS] [--json] COMMAND [ARGS]\n"
	    "\n"
	    "commands:\n"
	    "  ping                          is momd answering\n"
	    "  status                        daemon status and counters\n"
	    "  stats                         latest host and guest statistics\n"
	    "  guests                        active guests\n"
	    "  plan                          the last plan and what was "
	    "applied\n"
	    "  policies [list]               policies in force and their "
	    "origin\n"
	    "  policies get NAME             one policy's text\n"
	    "  policies set FILE [NAME]      add or replace a policy (NAME: "
	    "the\n"
	    "                                file name without .json)\n"
	    "  policies delete NAME          delete a policy\n"
	    "  policies replace FILE...      replace the whole set\n"
	    "  policies reset                back to the policy directory\n"
	    "  policies effective            the combined set, in name order\n"
	    "  parameters [get]              parameter values\n"
	    "  parameters set K=V...         merge-update (V: number, true, "
	    "false)\n"
	    "  evaluate [CASE.json] [--policy-dir DIR]\n"
	    "                                dry-run evaluation; changes "
	    "nothing\n"
	    "  actions [--limit N]           recent actions, oldest first\n"
	    "  log-level [LEVEL]             show or set (error, warning, "
	    "info,\n"
	    "                                debug or MOM's 1..5)\n"
	    "  dry-run [on|off]              show or set dry-run mode\n"
	    "  convert FILE.policy... [-o DIR]\n"
	    "                                MOM policy language to JSON "
	    "policies,\n"
	    "                                offline (no daemon)\n"
	    "\n"
	    "default socket: %s (or $MOMCTL_SOCKET)\n"
	    "\n"
	    "exit status: 0 ok, 1 the API refused the request (HTTP 4xx)\n"
	    "  or convert refused a file,\n"
	    "  2 usage, 3 cannot connect, 4 server error (HTTP 5xx) or a bad\n"
	    "  reply, 5 a local file cannot be read\n",
	    MOMCTL_DEFAULT_SOCKET);
}

static int usage_error(const char *msg)
{
	fprintf(stderr, "momctl: %s\n", msg);
	usage(stderr);
	return MOMCTL_USAGE;
}

/* The most momctl reads from one file: above momd's largest max_body. */
#define MOMCTL_MAX_FILE (1u << 30)

/*
 * Read a whole file into a new string; NULL after a message.  getdelim()
 * with '\0' as the delimiter stopped at a NUL byte and sent the part
 * before it as if it were the file, and for an empty file left the
 * buffer it allocated unwritten, which went out as the body.
 */
static char *file_slurp(const char *path)
{
	char *buf;
	size_t len;
	int rc = readfile_path(path, MOMCTL_MAX_FILE, &buf, &len);

	if (rc < 0) {
		fprintf(stderr, "momctl: %s: %s\n", path, strerror(-rc));
		return NULL;
	}
	if (strlen(buf) != len) {
		fprintf(stderr,
			"momctl: %s: holds a NUL byte at offset %zu: not a "
			"text file\n",
			path, strlen(buf));
		free(buf);
		return NULL;
	}
	return buf;
}

/* Send one request and print the reply; the exit status. */
static int call(struct ctl *c, const char *method, const char *path,
		const char *body, printer_fn print)
{
	struct momctl_reply r;
	int rc = momctl_request(&c->conn, method, path, body, &r);

	if (rc != MOMCTL_OK)
		return rc;
	if (r.status >= 400) {
		const char *code =
		    json_string_value(json_object_get(r.json, "error"));
		const char *msg =
		    json_string_value(json_object_get(r.json, "message"));

		fprintf(stderr, "momctl: %s %s: HTTP %ld %s: %s\n", method,
			path, r.status, code ? code : "?", msg ? msg : r.body);
		rc = r.status >= 500 ? MOMCTL_SERVER : MOMCTL_API_ERROR;
	} else if (!r.json) {
		fprintf(stderr, "momctl: %s %s: the reply is not JSON\n",
			method, path);
		rc = MOMCTL_SERVER;
	} else if (c->json || !print) {
		char *s =
		    json_dumps(r.json, JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("%s\n", s ? s : r.body);
		free(s);
	} else if (print(r.json) < 0) {
		fprintf(stderr,
			"momctl: %s %s: the reply is not what the API "
			"documents: %.200s\n",
			method, path, r.body);
		rc = MOMCTL_SERVER;
	}
	momctl_reply_release(&r);
	return rc;
}

/* Call with a JSON body built by the caller (taken). */
static int call_json(struct ctl *c, const char *method, const char *path,
		     json_t *body, printer_fn print)
{
	char *text = body ? json_dumps(body, JSON_COMPACT) : NULL;
	int rc;

	json_decref(body);
	if (!text) {
		fprintf(stderr, "momctl: out of memory\n");
		return MOMCTL_FILE;
	}
	rc = call(c, method, path, text, print);
	free(text);
	return rc;
}

/* A boolean member as one of two words; -1 when it is missing. */
static int print_flag(const json_t *o, const char *member, const char *yes,
		      const char *no)
{
	const json_t *v = json_object_get(o, member);

	if (!json_is_boolean(v))
		return -1;
	puts(json_is_true(v) ? yes : no);
	return 0;
}

static int print_ping(const json_t *o)
{
	return print_flag(o, "ok", "active", "inactive");
}

/* A reply without its level crashed puts(NULL). */
static int print_level(const json_t *o)
{
	const char *level = json_string_value(json_object_get(o, "level"));

	if (!level)
		return -1;
	puts(level);
	return 0;
}

static int print_dry_run(const json_t *o)
{
	return print_flag(o, "enabled", "on", "off");
}

/* The policy name of a file: its base name without ".json". */
static void name_from_file(const char *path, char *name, size_t len)
{
	const char *base = strrchr(path, '/');
	size_t n;

	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	snprintf(name, len, "%.*s", (int)n, base);
}

/*
 * "/v1/policies/NAME" with every byte of NAME outside [A-Za-z0-9_.-]
 * percent-escaped: a name is one path segment, whatever it holds, so
 * "../policies" reaches the server (which refuses it) instead of becoming
 * DELETE /v1/policies.
 */
static void policy_path(char *path, size_t len, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t n = (size_t)snprintf(path, len, "/v1/policies/");

	for (const unsigned char *p = (const unsigned char *)name;
	     *p && n + 4 < len; p++) {
		if (isalnum(*p) || strchr("_.-", *p)) {
			path[n++] = (char)*p;
		} else {
			path[n++] = '%';
			path[n++] = hex[*p >> 4];
			path[n++] = hex[*p & 15];
		}
	}
	path[n] = '\0';
}

static int policy_set(struct ctl *c, const char *file, const char *name_arg)
{
	char name[256], path[512];
	char *text = file_slurp(file);
	int rc;

	if (!text)
		return MOMCTL_FILE;
	if (name_arg)
		snprintf(name, sizeof(name), "%s", name_arg);
	else
		name_from_file(file, name, sizeof(name));
	policy_path(path, sizeof(path), name);
	rc = call(c, "PUT", path, text, momctl_print_policies);
	free(text);
	return rc;
}

/* Add FILE's text to obj under its policy name; 0 or MOMCTL_FILE. */
static int policies_add_file(json_t *obj, const char *file)
{
	char name[256];
	char *text = file_slurp(file);
	int rc;

	if (!text)
		return MOMCTL_FILE;
	name_from_file(file, name, sizeof(name));
	rc = json_object_set_new(obj, name, json_string(text)) < 0 ? MOMCTL_FILE
								   : 0;
	free(text);
	return rc;
}

/* {name: text} of every *.json in dir; NULL after a message. */
static json_t *policies_from_dir(const char *dir)
{
	DIR *d = opendir(dir);
	json_t *obj = json_object();
	struct dirent *de;
	char path[4096];

	if (!d || !obj) {
		fprintf(stderr, "momctl: %s: %s\n", dir, strerror(errno));
		goto fail;
	}
	while ((de = readdir(d))) {
		size_t n = strlen(de->d_name);

		if (de->d_name[0] == '.' || n <= 5 ||
		    strcmp(de->d_name + n - 5, ".json") != 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (policies_add_file(obj, path) != 0)
			goto fail;
	}
	closedir(d);
	return obj;
fail:
	if (d)
		closedir(d);
	json_decref(obj);
	return NULL;
}

static int cmd_policies_replace(struct ctl *c, int argc, char **argv)
{
	json_t *obj = json_object();

	if (argc < 1) {
		json_decref(obj);
		return usage_error("policies replace needs FILE...");
	}
	for (int i = 0; obj && i < argc; i++) {
		if (policies_add_file(obj, argv[i]) != 0) {
			json_decref(obj);
			return MOMCTL_FILE;
		}
	}
	return call_json(c, "PUT", "/v1/policies",
			 json_pack("{s:o}", "policies", obj),
			 momctl_print_policies);
}

static int cmd_policies(struct ctl *c, int argc, char **argv)
{
	const char *sub = argc > 0 ? argv[0] : "list";
	char path[512];

	if (strcmp(sub, "list") == 0 && argc <= 1)
		return call(c, "GET", "/v1/policies", NULL,
			    momctl_print_policies);
	if (strcmp(sub, "get") == 0 && argc == 2) {
		policy_path(path, sizeof(path), argv[1]);
		return call(c, "GET", path, NULL, NULL);
	}
	if (strcmp(sub, "set") == 0 && (argc == 2 || argc == 3))
		return policy_set(c, argv[1], argc == 3 ? argv[2] : NULL);
	if (strcmp(sub, "delete") == 0 && argc == 2) {
		policy_path(path, sizeof(path), argv[1]);
		return call(c, "DELETE", path, NULL, momctl_print_policies);
	}
	if (strcmp(sub, "replace") == 0)
		return cmd_policies_replace(c, argc - 1, argv + 1);
	if (strcmp(sub, "reset") == 0 && argc == 1)
		return call(c, "DELETE", "/v1/policies", NULL,
			    momctl_print_policies);
	if (strcmp(sub, "effective") == 0 && argc == 1)
		return call(c, "GET", "/v1/effective-policy", NULL,
			    momctl_print_effective);
	return usage_error("policies: unknown sub-command or arguments");
}

/* K=V into obj: V is true, false or a number.  0 or MOMCTL_USAGE. */
static int param_parse(json_t *obj, const char *arg)
{
	const char *eq = strchr(arg, '=');
	char key[128], *end;
	double x;

	if (!eq || eq == arg || (size_t)(eq - arg) >= sizeof(key))
		return usage_error("parameters set: expected K=V");
	snprintf(key, sizeof(key), "%.*s", (int)(eq - arg), arg);
	if (strcmp(eq + 1, "true") == 0 || strcmp(eq + 1, "false") == 0) {
		json_object_set_new(obj, key, json_boolean(eq[1] == 't'));
		return 0;
	}
	errno = 0;
	x = strtod(eq + 1, &end);
	/* strtod takes "nan" and "inf", which JSON cannot carry: json_real()
	   refuses them and the key would be dropped from the request,
	   answered 200 with nothing changed. */
	if (eq[1] == '\0' || *end || errno || !isfinite(x))
		return usage_error("parameters set: V must be a finite number, "
				   "true or false");
	if (json_object_set_new(obj, key, json_real(x)) < 0) {
		fprintf(stderr, "momctl: out of memory\n");
		return MOMCTL_FILE;
	}
	return 0;
}

static int cmd_parameters(struct ctl *c, int argc, char **argv)
{
	json_t *obj;

	if (argc == 0 || (strcmp(argv[0], "get") == 0 && argc == 1))
		return call(c, "GET", "/v1/parameters", NULL, momctl_print_kv);
	if (strcmp(argv[0], "set") != 0 || argc < 2)
		return usage_error("parameters: get, or set K=V...");
	obj = json_object();
	for (int i = 1; obj && i < argc; i++) {
		if (param_parse(obj, argv[i]) != 0) {
			json_decref(obj);
			return MOMCTL_USAGE;
		}
	}
	return call_json(c, "PATCH", "/v1/parameters", obj, momctl_print_kv);
}

static int cmd_evaluate(struct ctl *c, int argc, char **argv)
{
	const char *case_file = NULL, *dir = NULL;
	json_t *body = json_object(), *v;
	json_error_t jerr;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--policy-dir") == 0 && i + 1 < argc)
			dir = argv[++i];
		else if (argv[i][0] != '-' && !case_file)
			case_file = argv[i];
		else {
			json_decref(body);
			return usage_error("evaluate [CASE.json] "
					   "[--policy-dir DIR]");
		}
	}
	if (case_file) {
		v = json_load_file(case_file, JSON_REJECT_DUPLICATES, &jerr);
		if (!v) {
			fprintf(stderr, "momctl: %s:%d:%d: %s\n", case_file,
				jerr.line, jerr.column, jerr.text);
			json_decref(body);
			return MOMCTL_FILE;
		}
		json_object_set_new(body, "case", v);
	}
	if (dir) {
		v = policies_from_dir(dir);
		if (!v) {
			json_decref(body);
			return MOMCTL_FILE;
		}
		json_object_set_new(body, "policies", v);
	}
	return call_json(c, "POST", "/v1/evaluate", body, momctl_print_plan);
}

static int cmd_actions(struct ctl *c, int argc, char **argv)
{
	char path[64], *end;
	long limit = 100;

	if (argc == 2 && strcmp(argv[0], "--limit") == 0) {
		limit = strtol(argv[1], &end, 10);
		if (*argv[1] == '\0' || *end || limit < 1)
			return usage_error("actions: --limit N, N >= 1");
	} else if (argc != 0) {
		return usage_error("actions [--limit N]");
	}
	snprintf(path, sizeof(path), "/v1/actions?limit=%ld", limit);
	return call(c, "GET", path, NULL, momctl_print_actions);
}

static int cmd_log_level(struct ctl *c, int argc, char **argv)
{
	if (argc == 0)
		return call(c, "GET", "/v1/log-level", NULL, print_level);
	if (argc != 1)
		return usage_error("log-level [LEVEL]");
	return call_json(c, "PUT", "/v1/log-level",
			 json_pack("{s:s}", "level", argv[0]), print_level);
}

static int cmd_dry_run(struct ctl *c, int argc, char **argv)
{
	if (argc == 0)
		return call(c, "GET", "/v1/dry-run", NULL, print_dry_run);
	if (argc != 1 || (strcmp(argv[0], "on") && strcmp(argv[0], "off")))
		return usage_error("dry-run [on|off]");
	return call_json(
	    c, "PUT", "/v1/dry-run",
	    json_pack("{s:b}", "enabled", strcmp(argv[0], "on") == 0),
	    print_dry_run);
}

/* Commands that are one GET and a printer. */
static int cmd_simple(struct ctl *c, const char *cmd)
{
	static const struct {
		const char *name, *path;
		printer_fn print;
	} simple[] = {
	    {"ping", "/v1/ping", print_ping},
	    {"status", "/v1/status", momctl_print_kv},
	    {"stats", "/v1/stats", momctl_print_stats},
	    {"guests", "/v1/guests", momctl_print_lines},
	    {"plan", "/v1/plan", momctl_print_kv},
	};

	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++)
		if (strcmp(cmd, simple[i].name) == 0)
			return call(c, "GET", simple[i].path, NULL,
				    simple[i].print);
	return -1;
}

static int dispatch(struct ctl *c, int argc, char **argv)
{
	const char *cmd = argv[0];
	int rc;

	argc--, argv++;
	if (argc == 0 && (rc = cmd_simple(c, cmd)) >= 0)
		return rc;
	if (strcmp(cmd, "policies") == 0)
		return cmd_policies(c, argc, argv);
	if (strcmp(cmd, "parameters") == 0)
		return cmd_parameters(c, argc, argv);
	if (strcmp(cmd, "evaluate") == 0)
		return cmd_evaluate(c, argc, argv);
	if (strcmp(cmd, "actions") == 0)
		return cmd_actions(c, argc, argv);
	if (strcmp(cmd, "log-level") == 0)
		return cmd_log_level(c, argc, argv);
	if (strcmp(cmd, "dry-run") == 0)
		return cmd_dry_run(c, argc, argv);
	if (strcmp(cmd, "convert") == 0)
		return momctl_convert(argc, argv);
	return usage_error("unknown command or arguments");
}

static int token_load(struct ctl *c, const char *file)
{
	char *t = file_slurp(file);

	if (!t)
		return MOMCTL_FILE;
	t[strcspn(t, "\r\n")] = '\0';
	c->conn.token = t;
	return 0;
}

/*
 * --timeout SECONDS into c: 0, or -1.  atof() read "abc", "" and "-1" as 0,
 * which then meant the default of 10 s without a word, and "5s" as 5.
 */
static int timeout_parse(struct ctl *c, const char *v)
{
	char *end;
	double s;

	errno = 0;
	s = strtod(v, &end);
	if (end == v || *end || errno || !(s > 0) || s > 86400 || s * 1000 < 1)
		return -1;
	c->conn.timeout_ms = (long)(s * 1000);
	return 0;
}

/* Global options; *first gets the command's index.  0 or an exit status. */
static int parse_options(struct ctl *c, int argc, char **argv, int *first)
{
	int i;

	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		const char *o = argv[i];
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (strcmp(o, "--help") == 0 || strcmp(o, "-h") == 0) {
			usage(stdout);
			exit(0);
		}
		if (strcmp(o, "--json") == 0) {
			c->json = true;
			continue;
		}
		if (!v)
			return usage_error("an option needs a value");
		if (strcmp(o, "--socket") == 0)
			c->conn.socket = v;
		else if (strcmp(o, "--url") == 0) {
			if (strncmp(v, "http://", 7) != 0 &&
			    strncmp(v, "https://", 8) != 0)
				return usage_error("--url: http://HOST:PORT or "
						   "https://HOST:PORT");
			c->conn.url = v;
		} else if (strcmp(o, "--cacert") == 0)
			c->conn.cacert = v;
		else if (strcmp(o, "--timeout") == 0) {
			if (timeout_parse(c, v) != 0)
				return usage_error("--timeout: a number of "
						   "seconds, over 0 and at "
						   "most 86400");
		} else if (strcmp(o, "--token-file") == 0) {
			if (token_load(c, v) != 0)
				return MOMCTL_FILE;
		} else
			return usage_error("unknown option");
		i++;
	}
	if (i >= argc)
		return usage_error("no command");
	if (c->conn.url && c->conn.socket)
		return usage_error("--socket and --url exclude each other");
	*first = i;
	return 0;
}

/* --json may also follow the command; take it out of argv. */
static int json_flag_strip(struct ctl *c, int argc, char **argv)
{
	int n = 0;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--json") == 0)
			c->json = true;
		else
			argv[n++] = argv[i];
	}
	return n;
}

int main(int argc, char **argv)
{
	struct ctl c = {.conn = {.timeout_ms = 10000}};
	const char *env = getenv("MOMCTL_SOCKET");
	int first = 0, rc;

	rc = parse_options(&c, argc, argv, &first);
	if (rc != 0)
		goto out;
	if (!c.conn.url && !c.conn.socket)
		c.conn.socket = env && env[0] ? env : MOMCTL_DEFAULT_SOCKET;
	argc = first + json_flag_strip(&c, argc - first, argv + first);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		fprintf(stderr, "momctl: cannot initialise libcurl\n");
		rc = MOMCTL_CONNECT;
		goto out;
	}
	rc = dispatch(&c, argc - first, argv + first);
	curl_global_cleanup();
out:
	free(c.conn.token);
	return rc;
}
