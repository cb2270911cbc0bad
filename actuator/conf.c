/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf.c: the option table, the JSON configuration file and the
 * command-line overrides.
 *
 * Every option is one row of conf_options[]: its name (the JSON key, and
 * --name on the command line), its type, where it lives in struct conf, its
 * default and its bounds.  Nothing else in the daemon parses configuration.
 */
#include "conf.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum opt_type { OPT_STR, OPT_INT, OPT_SIZE, OPT_BOOL, OPT_MODE };

struct conf_option {
	const char *name;
	enum opt_type type;
	size_t offset;
	const char *def; /* default, as text */
	long long min, max;
	const char *help;
};

#define O(field) offsetof(struct conf, field)

static const struct conf_option conf_options[] = {
    {"socket", OPT_STR, O(socket), "/run/mom/momd.sock", 0, 0,
     "unix socket of the REST API and ingest"},
    {"socket_mode", OPT_MODE, O(socket_mode), "0660", 0, 0777,
     "permissions of the unix socket (octal)"},
    {"socket_group", OPT_STR, O(socket_group), "", 0, 0,
     "group owning the unix socket (empty: unchanged)"},
    {"read_socket", OPT_STR, O(read_socket), "", 0, 0,
     "second unix socket for reading and ingest only (empty: off)"},
    {"listen", OPT_STR, O(listen), "", 0, 0,
     "also listen on TCP host:port (empty: off); needs a token file"},
    {"token_file", OPT_STR, O(token_file), "", 0, 0,
     "file holding the admin bearer token on TCP (mode 0600)"},
    {"read_token_file", OPT_STR, O(read_token_file), "", 0, 0,
     "file holding the read-and-ingest bearer token on TCP (mode 0600)"},
    {"tls_cert", OPT_STR, O(tls_cert), "", 0, 0, "PEM certificate for TLS"},
    {"tls_key", OPT_STR, O(tls_key), "", 0, 0, "PEM private key for TLS"},
    {"policy_dir", OPT_STR, O(policy_dir), MOM_POLICY_DIR, 0, 0,
     "directory of *.json policies"},
    {"state_dir", OPT_STR, O(state_dir), "/var/lib/mom", 0, 0,
     "where policies and parameters set through the API persist"},
    {"libvirt_uri", OPT_STR, O(libvirt_uri), "qemu:///system", 0, 0,
     "libvirt connection used to set balloons"},
    {"ksm_dir", OPT_STR, O(ksm_dir), "/sys/kernel/mm/ksm", 0, 0,
     "KSM sysfs directory; nothing outside it is ever written"},
    {"ksm_backend", OPT_STR, O(ksm_backend), "sysfs", 0, 0,
     "sysfs or libvirt (virNodeSetMemoryParameters; run stays in sysfs)"},
    {"hostname", OPT_STR, O(hostname), "", 0, 0,
     "take samples of this collectd host only; other hosts' are skipped "
     "and counted (empty: any)"},
    {"accept_plugins", OPT_STR, O(accept_plugins), "mom", 0, 0,
     "comma-separated collectd plugins that ingest takes, other plugins' "
     "records are skipped and counted; \"*\": any (for stock write_http, "
     "which forwards every plugin)"},
    {"interval_ms", OPT_INT, O(interval_ms), "10000", 100, 3600000,
     "policy evaluation interval"},
    {"cycle_follows_samples", OPT_BOOL, O(cycle_follows_samples), "false", 0, 0,
     "run each cycle as a fresh host sample and its guests' arrive, 3/4 "
     "to 5/4 of interval_ms after the last one, instead of on a fixed "
     "timer"},
    {"history", OPT_INT, O(history), "10", 1, 64,
     "samples kept per host and guest (MOM: 10)"},
    {"expiry_ms", OPT_INT, O(expiry_ms), "60000", 1000, 86400000,
     "forget a guest that has not reported for this long"},
    {"settle_ms", OPT_INT, O(settle_ms), "500", 0, 60000,
     "how long an incomplete newest sample (host, guest or disk) waits "
     "for its other values"},
    {"samples_stale_ms", OPT_INT, O(samples_stale_ms), "0", 0, 86400000,
     "hold balloons and KSM while the host's newest sample is older than "
     "this, and leave out a guest whose samples are (0: 1.5 x the longer "
     "of interval_ms and collectd's interval)"},
    {"max_body", OPT_SIZE, O(max_body), "4194304", 1024, 1 << 30,
     "largest request body accepted, bytes"},
    {"max_records", OPT_INT, O(max_records), "20000", 1, 10000000,
     "most records in one ingest body"},
    {"max_guests", OPT_INT, O(max_guests), "1024", 1, 1000000,
     "most guests the sample store holds; values for more are refused "
     "and counted"},
    {"dry_run", OPT_BOOL, O(dry_run), "false", 0, 0,
     "decide and record, but change nothing on the host"},
    {"log_level", OPT_STR, O(log_level), "info", 0, 0,
     "error, warning, info or debug"},
    {"rail_max_shrink_pct", OPT_INT, O(rail_max_shrink_pct), "10", 1, 100,
     "a balloon shrinks at most this % of the guest's maximum per cycle"},
    {"rail_max_grow_pct", OPT_INT, O(rail_max_grow_pct), "100", 1, 100,
     "a balloon grows at most this % of the guest's maximum per cycle"},
    {"rail_used_margin_pct", OPT_INT, O(rail_used_margin_pct), "5", 0, 100,
     "outside an emergency, never below what the guest uses plus this %"},
    {"rail_stale_ms", OPT_INT, O(rail_stale_ms), "30000", 0, 86400000,
     "leave a guest alone when its statistics are older than this "
     "(0: off, for libvirt's test driver, whose statistics never move)"},
    {"rail_min_size_mib", OPT_INT, O(rail_min_size_mib), "128", 0, 1048576,
     "no balloon below this size (or the guest's maximum, if smaller), "
     "even in an emergency: a starved guest kernel deadlocks"},
    {"rail_oom_cooldown_ms", OPT_INT, O(rail_oom_cooldown_ms), "600000", 0,
     86400000,
     "OOM rail: a guest whose oom_kill rose after a shrink is grown back "
     "and not shrunk again for this long (0: the rail is off)"},
    {"rail_stuck_cycles", OPT_INT, O(rail_stuck_cycles), "3", 1, 1000,
     "cycles without movement before a guest counts as not following"},
    {"action_log_size", OPT_INT, O(action_log_size), "1000", 1, 1000000,
     "recent actions kept in memory for the API"},
    {"eval_budget_ms", OPT_INT, O(eval_budget_ms), "2000", 10, 600000,
     "most time one evaluation may take: over it a cycle is skipped and "
     "POST /v1/evaluate answers 503"},
};

#define NOPTIONS (sizeof(conf_options) / sizeof(conf_options[0]))

static const struct conf_option *option_find(const char *name)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (strcmp(conf_options[i].name, name) == 0)
			return &conf_options[i];
	return NULL;
}

/* Set one option from text.  Returns 0, or -1 with err filled. */
static int option_set_text(struct conf *c, const struct conf_option *o,
			   const char *text, char *err, size_t len)
{
	char *p = (char *)c + o->offset;
	char *end;
	long long v;

	switch (o->type) {
	case OPT_STR: {
		char *copy = strdup(text);

		if (!copy) {
			snprintf(err, len, "out of memory");
			return -1;
		}
		free(*(char **)p);
		*(char **)p = copy;
		return 0;
	}
	case OPT_BOOL:
		if (strcmp(text, "true") == 0 || strcmp(text, "1") == 0)
			*(bool *)p = true;
		else if (strcmp(text, "false") == 0 || strcmp(text, "0") == 0)
			*(bool *)p = false;
		else
			goto bad;
		return 0;
	case OPT_INT:
	case OPT_SIZE:
	case OPT_MODE:
		/* Digits only: strtoll() also skips leading blanks and takes
		   a sign, so " 100", "+100" and a mode "-0" went through. */
		if (!isdigit((unsigned char)text[0]) &&
		    !(text[0] == '-' && o->type != OPT_MODE &&
		      isdigit((unsigned char)text[1])))
			goto bad;
		errno = 0;
		v = strtoll(text, &end, o->type == OPT_MODE ? 8 : 10);
		if (errno || end == text || *end || v < o->min || v > o->max)
			goto bad;
		if (o->type == OPT_SIZE)
			*(size_t *)p = (size_t)v;
		else
			*(int *)p = (int)v;
		return 0;
	}
bad:
	if (o->type == OPT_BOOL)
		snprintf(err, len, "%s: \"%s\" is not true or false", o->name,
			 text);
	else if (o->type == OPT_MODE)
		snprintf(err, len,
			 "%s: \"%s\" is not an octal mode in [%#llo, %#llo]",
			 o->name, text, o->min, o->max);
	else
		snprintf(err, len,
			 "%s: \"%s\" is not an integer in [%lld, %lld]",
			 o->name, text, o->min, o->max);
	return -1;
}

int conf_init_defaults(struct conf *c)
{
	char err[128];

	memset(c, 0, sizeof(*c));
	for (size_t i = 0; i < NOPTIONS; i++)
		if (option_set_text(c, &conf_options[i], conf_options[i].def,
				    err, sizeof(err)) < 0)
			return -ENOMEM;
	return 0;
}

/* Set one option from a JSON value of the right type. */
static int option_set_json(struct conf *c, const struct conf_option *o,
			   json_t *v, char *err, size_t len)
{
	char num[32];

	switch (o->type) {
	case OPT_STR:
		if (!json_is_string(v))
			break;
		return option_set_text(c, o, json_string_value(v), err, len);
	case OPT_BOOL:
		if (!json_is_boolean(v))
			break;
		return option_set_text(c, o, json_is_true(v) ? "true" : "false",
				       err, len);
	case OPT_MODE:
		/* A mode is written as a string ("0660"): JSON has no octal. */
		if (!json_is_string(v))
			break;
		return option_set_text(c, o, json_string_value(v), err, len);
	case OPT_INT:
	case OPT_SIZE:
		if (!json_is_integer(v))
			break;
		snprintf(num, sizeof(num), "%" JSON_INTEGER_FORMAT,
			 json_integer_value(v));
		return option_set_text(c, o, num, err, len);
	}
	snprintf(err, len, "%s: expected %s", o->name,
		 o->type == OPT_STR || o->type == OPT_MODE ? "a string"
		 : o->type == OPT_BOOL			   ? "true or false"
							   : "an integer");
	return -1;
}

/* Merge a parsed configuration object; path names it in messages. */
static int conf_load_json(struct conf *c, json_t *root, const char *path,
			  char *err, size_t len)
{
	const char *key;
	json_t *v;
	char detail[256];

	if (!json_is_object(root)) {
		snprintf(err, len, "%s: the configuration is not a JSON object",
			 path);
		return -1;
	}
	json_object_foreach(root, key, v)
	{
		const struct conf_option *o = option_find(key);

		if (!o) {
			snprintf(err, len, "%s: unknown option \"%s\"", path,
				 key);
			return -1;
		}
		if (option_set_json(c, o, v, detail, sizeof(detail)) < 0) {
			snprintf(err, len, "%s: %s", path, detail);
			return -1;
		}
	}
	return 0;
}

int conf_load_file(struct conf *c, const char *path, char *err, size_t len)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, len, "%s:%d:%d: %s", path, jerr.line, jerr.column,
			 jerr.text);
		return -1;
	}
	rc = conf_load_json(c, root, path, err, len);
	json_decref(root);
	return rc;
}

int conf_load_text(struct conf *c, const char *name, const char *text,
		   size_t text_len, char *err, size_t len)
{
	json_error_t jerr;
	json_t *root;
	int rc;

	root = json_loadb(text, text_len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, len, "%s:%d:%d: %s", name, jerr.line, jerr.column,
			 jerr.text);
		return -1;
	}
	rc = conf_load_json(c, root, name, err, len);
	json_decref(root);
	return rc;
}

int conf_apply_arg(struct conf *c, int argc, char **argv, int *consumed,
		   char *err, size_t len)
{
	const struct conf_option *o;
	const char *arg = argv[0];

	if (strncmp(arg, "--", 2) != 0)
		return 1;
	/* Flags spell options with dashes: --policy-dir for policy_dir. */
	char name[64];
	size_t n = strlen(arg + 2);

	if (n >= sizeof(name))
		return 1;
	for (size_t i = 0; i <= n; i++)
		name[i] = arg[2 + i] == '-' ? '_' : arg[2 + i];
	o = option_find(name);
	if (!o)
		return 1;
	if (o->type == OPT_BOOL) {
		*consumed = 1;
		return option_set_text(c, o, "true", err, len);
	}
	if (argc < 2) {
		snprintf(err, len, "%s needs a value", arg);
		return -1;
	}
	*consumed = 2;
	return option_set_text(c, o, argv[1], err, len);
}

/*
 * A directory option may not be empty: ksm_dir "" failed to open with
 * ENOENT, which momd reads as a kernel without KSM, and state_dir "" made
 * every path "/NAME", read from the root directory at start.  ksm_dir, the
 * one place momd writes to on the host, must also be absolute (not
 * wherever momd happens to start) and may not climb out with "..".
 */
static int dir_check(const char *name, const char *v, bool strict, char *err,
		     size_t len)
{
	if (v[0] == '\0' || (strict && v[0] != '/')) {
		snprintf(err, len, "%s: \"%s\" is not %s", name, v,
			 strict ? "an absolute path" : "a directory");
		return -1;
	}
	for (const char *p = v; strict && (p = strstr(p, "/..")); p += 3)
		if (p[3] == '/' || p[3] == '\0') {
			snprintf(err, len,
				 "%s: \"%s\" has a \"..\" component; give the "
				 "directory itself",
				 name, v);
			return -1;
		}
	return 0;
}

/*
 * listen is a numeric host and a port in [1, 65535]: "127.0.0.1:8095" or
 * "[::1]:8095".  The port went to getaddrinfo(), which takes any number
 * and keeps its low 16 bits: "99999" listened on 34463 and "65536" on a
 * port the kernel picked, while the log said 99999.  Checked here so that
 * --check-config refuses what momd would then fail on or get wrong.
 */
static int listen_check(const char *v, char *err, size_t len)
{
	const char *colon = strrchr(v, ':');
	char host[64], buf[16];
	size_t hl = colon ? (size_t)(colon - v) : 0;
	long port = 0;
	const char *p;

	if (colon)
		for (p = colon + 1; isdigit((unsigned char)*p) && port < 65536;
		     p++)
			port = port * 10 + (*p - '0');
	if (!colon || colon[1] == '\0' || *p || port < 1 || port > 65535) {
		snprintf(err, len,
			 "listen: \"%s\" is not HOST:PORT with a port in "
			 "[1, 65535]",
			 v);
		return -1;
	}
	if (hl >= 2 && v[0] == '[' && v[hl - 1] == ']') {
		v++;
		hl -= 2;
	}
	if (hl == 0 || hl >= sizeof(host)) {
		snprintf(err, len, "listen: no host before the port");
		return -1;
	}
	memcpy(host, v, hl);
	host[hl] = '\0';
	if (inet_pton(AF_INET, host, buf) != 1 &&
	    inet_pton(AF_INET6, host, buf) != 1) {
		snprintf(err, len,
			 "listen: \"%s\" is not a numeric IPv4 or IPv6 "
			 "address (IPv6 in brackets)",
			 host);
		return -1;
	}
	return 0;
}

/*
 * accept_plugins is "*" or names separated by single commas.  An empty
 * list, an empty entry or a blank beside a comma ("mom, virt") matched no
 * plugin: every record of it was skipped at ingest, counted and logged
 * once a minute, but the configuration was taken.
 */
static int plugins_check(const char *v, char *err, size_t len)
{
	bool bad = v[0] == '\0' || v[0] == ',' || v[strlen(v) - 1] == ',' ||
		   strstr(v, ",,");

	for (const char *p = v; !bad && *p; p++)
		bad = isspace((unsigned char)*p) ||
		      (*p == '*' && strcmp(v, "*") != 0);
	if (bad) {
		snprintf(err, len,
			 "accept_plugins: \"%s\" is not \"*\" or plugin "
			 "names separated by commas, without blanks",
			 v);
		return -1;
	}
	return 0;
}

int conf_validate(const struct conf *c, char *err, size_t len)
{
	if (plugins_check(c->accept_plugins, err, len) < 0)
		return -1;
	if (c->listen[0] && listen_check(c->listen, err, len) < 0)
		return -1;
	if (dir_check("policy_dir", c->policy_dir, false, err, len) < 0 ||
	    dir_check("state_dir", c->state_dir, false, err, len) < 0 ||
	    dir_check("ksm_dir", c->ksm_dir, true, err, len) < 0)
		return -1;
	if (c->socket[0] == '\0' && c->listen[0] == '\0') {
		snprintf(err, len, "neither socket nor listen is set");
		return -1;
	}
	if (strlen(c->socket) >= 108) {
		snprintf(err, len, "socket: path longer than 107 bytes");
		return -1;
	}
	if (c->read_socket[0] && strcmp(c->read_socket, c->socket) == 0) {
		snprintf(err, len,
			 "read_socket: \"%s\" is also socket; the read-only "
			 "socket needs a path of its own",
			 c->read_socket);
		return -1;
	}
	if (strlen(c->read_socket) >= 108) {
		snprintf(err, len, "read_socket: path longer than 107 bytes");
		return -1;
	}
	if (c->listen[0] && c->token_file[0] == '\0' &&
	    c->read_token_file[0] == '\0') {
		snprintf(err, len,
			 "listen requires token_file or "
			 "read_token_file: TCP clients must "
			 "authenticate");
		return -1;
	}
	if (!!c->tls_cert[0] != !!c->tls_key[0]) {
		snprintf(err, len, "tls_cert and tls_key go together");
		return -1;
	}
	if (strcmp(c->ksm_backend, "sysfs") != 0 &&
	    strcmp(c->ksm_backend, "libvirt") != 0) {
		snprintf(err, len,
			 "ksm_backend: \"%s\" is not sysfs or libvirt",
			 c->ksm_backend);
		return -1;
	}
	return 0;
}

/* Does option o have the same value in a and b? */
static bool option_equal(const struct conf *a, const struct conf *b,
			 const struct conf_option *o)
{
	const char *pa = (const char *)a + o->offset;
	const char *pb = (const char *)b + o->offset;

	switch (o->type) {
	case OPT_STR:
		return strcmp(*(char *const *)pa, *(char *const *)pb) == 0;
	case OPT_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case OPT_SIZE:
		return *(const size_t *)pa == *(const size_t *)pb;
	case OPT_INT:
	case OPT_MODE:
		break;
	}
	return *(const int *)pa == *(const int *)pb;
}

size_t conf_changes(const struct conf *a, const struct conf *b,
		    const char **names, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < NOPTIONS; i++)
		if (!option_equal(a, b, &conf_options[i]) && n < max)
			names[n++] = conf_options[i].name;
	return n;
}

void conf_release(struct conf *c)
{
	for (size_t i = 0; i < NOPTIONS; i++)
		if (conf_options[i].type == OPT_STR)
			free(*(char **)((char *)c + conf_options[i].offset));
	memset(c, 0, sizeof(*c));
}

void conf_print_options(void)
{
	for (size_t i = 0; i < NOPTIONS; i++) {
		char flag[64];
		size_t j;

		for (j = 0; conf_options[i].name[j] && j < sizeof(flag) - 1;
		     j++)
			flag[j] = conf_options[i].name[j] == '_'
				      ? '-'
				      : conf_options[i].name[j];
		flag[j] = '\0';
		printf("  --%-22s %s (default: %s)\n", flag,
		       conf_options[i].help,
		       conf_options[i].def[0] ? conf_options[i].def : "\"\"");
	}
}
