/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_api.c: fuzz target for the REST API's request bodies, through
 * api_handle() as libmicrohttpd would call it, against a real engine.
 *
 * The engine is made once: libvirt's in-process test driver
 * (test:///default), a scratch KSM directory and state directory under
 * $TMPDIR (removed at exit), and the shipped policies (FUZZ_POLICY_DIR, set
 * by the Makefile).  Input format: the first byte picks the route that
 * takes a body (its low 3 bits) and, when its high bit is set, a content
 * type other than application/json; for PUT /v1/policies/{name} the policy
 * name is the text up to the first newline; the rest is the body.  After
 * each input the policy overrides are reset (DELETE /v1/policies) and the
 * log level put back, so inputs do not accumulate state beyond the
 * parameters; every 16th input runs one engine cycle over what was
 * ingested.  Any crash, leak or sanitizer report is a bug; a 4xx answer is
 * an expected outcome, a 5xx other than persist_failed is reported.
 */
#include <ftw.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "api.h"
#include "conf.h"
#include "engine.h"
#include "log.h"

#ifndef FUZZ_POLICY_DIR
#define FUZZ_POLICY_DIR "policies"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct route_body {
	const char *method, *path;
};

static const struct route_body routes[8] = {
    {"POST", "/v1/metrics"},  {"PATCH", "/v1/parameters"},
    {"PUT", "/v1/policies"},  {"PUT", "/v1/policies/"},
    {"POST", "/v1/evaluate"}, {"PUT", "/v1/log-level"},
    {"PUT", "/v1/dry-run"},   {"DELETE", "/v1/policies/"},
};

static struct fuzz_api {
	char tmp[64];
	char ksm[96], state[96];
	struct conf conf;
	struct engine *engine;
	struct polcompose policies;
	struct api api;
	unsigned long runs;
} fa;

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

static void fuzz_api_fini(void)
{
	api_release(&fa.api);
	polcompose_release(&fa.policies);
	engine_free(fa.engine);
	conf_release(&fa.conf);
	nftw(fa.tmp, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static int set(const char *name, const char *value)
{
	char *argv[] = {(char *)name, (char *)value};
	char err[256];
	int used;

	return conf_apply_arg(&fa.conf, 2, argv, &used, err, sizeof(err));
}

static void ksm_file(const char *name, const char *value)
{
	char path[160];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fa.ksm, name);
	f = fopen(path, "w");
	if (f) {
		fputs(value, f);
		fclose(f);
	}
}

static void fuzz_api_init(void)
{
	const char *tmpdir = getenv("TMPDIR");
	char err[512];

	snprintf(fa.tmp, sizeof(fa.tmp), "%s/fuzz_api.XXXXXX",
		 tmpdir ? tmpdir : "/tmp");
	if (!mkdtemp(fa.tmp))
		abort();
	snprintf(fa.ksm, sizeof(fa.ksm), "%s/ksm", fa.tmp);
	snprintf(fa.state, sizeof(fa.state), "%s/state", fa.tmp);
	if (mkdir(fa.ksm, 0700) < 0)
		abort();
	ksm_file("run", "0\n");
	ksm_file("pages_to_scan", "100\n");
	ksm_file("sleep_millisecs", "20\n");
	ksm_file("merge_across_nodes", "1\n");
	if (conf_init_defaults(&fa.conf) < 0 ||
	    set("--policy-dir", FUZZ_POLICY_DIR) || set("--ksm-dir", fa.ksm) ||
	    set("--state-dir", fa.state) ||
	    set("--libvirt-uri", "test:///default") ||
	    set("--rail-stale-ms", "0") || set("--max-records", "64"))
		abort();
	log_set_level(LOG_LVL_ERR);
	fa.engine = engine_new(&fa.conf, err, sizeof(err));
	if (!fa.engine ||
	    polcompose_init(&fa.policies, fa.engine, &fa.conf, err,
			    sizeof(err)) < 0 ||
	    api_init(&fa.api, fa.engine, &fa.policies, &fa.conf, err,
		     sizeof(err)) < 0) {
		fprintf(stderr, "fuzz_api: %s\n", err);
		abort();
	}
	atexit(fuzz_api_fini);
}

static int call(const char *method, const char *path, const char *ctype,
		const char *body, size_t len)
{
	struct http_request req = {
	    .method = method,
	    .path = path,
	    .body = body,
	    .body_len = len,
	    .content_type = ctype,
	};
	struct http_response res = {.status = 500};

	api_handle(&fa.api, &req, &res);
	json_decref(res.json);
	free(res.text);
	return res.status;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct route_body *r;
	char path[160], *body;
	const char *ctype, *nl;
	size_t off = 1;
	int status;

	if (!fa.engine)
		fuzz_api_init();
	if (size < 1)
		return 0;
	r = &routes[data[0] & 7];
	ctype = data[0] & 0x80 ? "text/plain" : "application/json";
	snprintf(path, sizeof(path), "%s", r->path);
	if (path[strlen(path) - 1] == '/') {
		nl = memchr(data + 1, '\n', size - 1);
		off = nl ? (size_t)(nl - (const char *)data) + 1 : size;
		snprintf(path + strlen(path), sizeof(path) - strlen(path),
			 "%.*s", (int)(off - 1 > 100 ? 100 : off - 1),
			 (const char *)data + 1);
	}
	/* The server hands bodies over NUL-terminated. */
	body = malloc(size - off + 1);
	if (!body)
		return 0;
	memcpy(body, data + off, size - off);
	body[size - off] = '\0';
	status = call(r->method, path, ctype, body, size - off);
	free(body);
	/* 503 means out of memory, which fuzzing never is: the handler
	   failed to build its answer. */
	if (status > 500) {
		fprintf(stderr, "fuzz_api: %s %s answered %d\n", r->method,
			path, status);
		abort();
	}
	call("DELETE", "/v1/policies", "", "", 0);
	log_set_level(LOG_LVL_ERR);
	if (++fa.runs % 16 == 0)
		engine_cycle(fa.engine);
	return 0;
}
