/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_test.c: the order of a change's effects, through api_handle() on a
 * real engine (libvirt's test:///default driver, scratch directories).
 * A change is persisted before anything acts on it, and its answer says
 * what the state file holds:
 *  - PATCH /v1/parameters: at the moment the file is flushed, the engine
 *    still shows the old values (a cycle never acts on values that a
 *    failed write then rolls back); a failed write answers 500 and
 *    changes nothing;
 *  - PUT /v1/policies/{name} whose directory flush fails after the rename
 *    answers 200 with the policy in force (it is in the file: a 500 would
 *    have come back to life at the next restart).
 * Out of memory refuses a parameter update whole (failalloc.h).  The read
 * level gets 403 for every PUT, PATCH and DELETE, also on a path without it.
 * Faults are injected by the fsync() below, which momd's objects in this
 * program link to.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "api.h"
#include "api_reply.h"
#include "clock.h"
#include "conf.h"
#include "engine.h"
#include "failalloc.h"
#include "log.h"
#include "momlang.h"
#include "statedir.h"
#include "testing.h"

static struct {
	char tmp[64], ksm[96], state[96], pol[96];
	struct conf conf;
	struct engine *engine;
	struct polcompose policies;
	struct api api;
} t;

/* fsync hooks: what to fail, and what the engine showed meanwhile. */
static bool fail_file_fsync, fail_dir_fsync, watch;
static double seen_zz = -1;

static double param_zz(void)
{
	json_t *o = engine_params_json(t.engine);
	double v = json_number_value(json_object_get(o, "zz"));

	json_decref(o);
	return v;
}

int fsync(int fd)
{
	struct stat st;
	bool dir = fstat(fd, &st) == 0 && S_ISDIR(st.st_mode);

	if (watch && !dir)
		seen_zz = param_zz();
	if ((dir && fail_dir_fsync) || (!dir && fail_file_fsync)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static bool read_level; /* calls come from the read level */

static int call_as(const char *ctype, const char *method, const char *path,
		   const char *body, json_t **out)
{
	struct http_request req = {
	    .method = method,
	    .path = path,
	    .body = body ? body : "",
	    .body_len = body ? strlen(body) : 0,
	    .content_type = ctype,
	    .read_only = read_level,
	};
	struct http_response res = {.status = 500};

	api_handle(&t.api, &req, &res);
	if (out)
		*out = res.json;
	else
		json_decref(res.json);
	free(res.text);
	return res.status;
}

static int call(const char *method, const char *path, const char *body,
		json_t **out)
{
	return call_as("application/json", method, path, body, out);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f)
		abort();
	fputs(text, f);
	fclose(f);
}

static int set(const char *name, const char *value)
{
	char *argv[] = {(char *)name, (char *)value};
	char err[256];
	int used;

	return conf_apply_arg(&t.conf, 2, argv, &used, err, sizeof(err));
}

static void setup(void)
{
	char err[512];

	snprintf(t.tmp, sizeof(t.tmp), "/tmp/api_test.XXXXXX");
	if (!mkdtemp(t.tmp))
		abort();
	snprintf(t.ksm, sizeof(t.ksm), "%s/ksm", t.tmp);
	snprintf(t.state, sizeof(t.state), "%s/state", t.tmp);
	snprintf(t.pol, sizeof(t.pol), "%s/policies", t.tmp);
	if (mkdir(t.ksm, 0700) < 0 || mkdir(t.pol, 0700) < 0)
		abort();
	put_file(t.ksm, "run", "0\n");
	put_file(t.pol, "01-p.json",
		 "{\"parameters\": {\"zz\": {\"default\": 1}}}");
	if (conf_init_defaults(&t.conf) < 0 || set("--policy-dir", t.pol) ||
	    set("--ksm-dir", t.ksm) || set("--state-dir", t.state) ||
	    set("--libvirt-uri", "test:///default"))
		abort();
	log_set_level(LOG_LVL_ERR);
	t.engine = engine_new(&t.conf, err, sizeof(err));
	if (!t.engine ||
	    polcompose_init(&t.policies, t.engine, &t.conf, err, sizeof(err)) <
		0 ||
	    api_init(&t.api, t.engine, &t.policies, &t.conf, err, sizeof(err)) <
		0) {
		fprintf(stderr, "api_test: %s\n", err);
		abort();
	}
}

static void test_params_persist_first(void)
{
	int status;

	watch = true;
	status = call("PATCH", "/v1/parameters", "{\"zz\": 5}", NULL);
	watch = false;
	T_EQ_INT(status, 200, "PATCH /v1/parameters {zz: 5} answers 200");
	T_EQ_DBL(seen_zz, 1,
		 "... while its file was flushed, the engine "
		 "still showed the old value");
	T_EQ_DBL(param_zz(), 5, "... and shows the new one after");

	fail_file_fsync = true;
	watch = true;
	seen_zz = -1;
	status = call("PATCH", "/v1/parameters", "{\"zz\": 9}", NULL);
	watch = false;
	fail_file_fsync = false;
	T_EQ_INT(status, 500,
		 "a PATCH whose file cannot be written answers "
		 "500");
	T_EQ_DBL(seen_zz, 5, "... the engine never showed the refused value");
	T_EQ_DBL(param_zz(), 5, "... nor after");
}

static void test_policy_commit_point(void)
{
	char *text = NULL, err[256];
	json_t *body = NULL;
	int status;

	fail_dir_fsync = true;
	status = call("PUT", "/v1/policies/50-new", "{\"description\": \"n\"}",
		      NULL);
	fail_dir_fsync = false;
	statedir_read(t.state, "policies.json", 1 << 20, &text, err,
		      sizeof(err));
	T_OK(text && strstr(text, "50-new"),
	     "PUT /v1/policies/50-new with a failing directory flush: the "
	     "state file has it");
	T_EQ_INT(status, 200, "... so the answer is 200, not a refusal");
	T_EQ_INT(call("GET", "/v1/policies/50-new", NULL, &body), 200,
		 "... and the policy is in force");
	json_decref(body);
	free(text);
}

/* A second thread holds the evaluation slot, as a long evaluation on
   another listener thread would, until told to let go or for 10 s at
   most: an evaluation that waited for the slot would then get it. */
static struct {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool held, release;
} slot;

static void *slot_holder(void *arg)
{
	struct timespec until = clock_after(CLOCK_REALTIME, 10000);

	(void)arg;
	pthread_mutex_lock(&t.api.eval_slot);
	pthread_mutex_lock(&slot.mu);
	slot.held = true;
	pthread_cond_broadcast(&slot.cv);
	while (!slot.release &&
	       pthread_cond_timedwait(&slot.cv, &slot.mu, &until) != ETIMEDOUT)
		;
	pthread_mutex_unlock(&slot.mu);
	pthread_mutex_unlock(&t.api.eval_slot);
	return NULL;
}

static const char *error_of(json_t *o)
{
	const char *e = json_string_value(json_object_get(o, "error"));

	return e ? e : "";
}

/* One evaluation at a time, whatever form its policies come in: while
   another holds the slot, a MOM policy text is answered 503 busy like a
   JSON body, at once.  It used to wait for the slot up to eval_budget_ms
   (a minute here, longer than the holder keeps it), holding a listener
   thread meanwhile, and then got it: 409. */
static void test_evaluate_slot(void)
{
	static const char mom[] = "(defvar x 1)\n";
	pthread_t th;
	json_t *o = NULL;

	set("--eval-budget-ms", "60000");
	/* Evaluated: compiled, then refused for the state, which this engine
	   has not had a sample of. */
	T_EQ_INT(call_as(MOMLANG_MEDIA_TYPE, "POST", "/v1/evaluate", mom, &o),
		 409, "MOM text evaluated while the slot is free");
	T_EQ_STR(error_of(o), "no_state", "... against the current state");
	json_decref(o);
	pthread_mutex_init(&slot.mu, NULL);
	pthread_cond_init(&slot.cv, NULL);
	if (pthread_create(&th, NULL, slot_holder, NULL) != 0)
		abort();
	pthread_mutex_lock(&slot.mu);
	while (!slot.held)
		pthread_cond_wait(&slot.cv, &slot.mu);
	pthread_mutex_unlock(&slot.mu);

	o = NULL;
	T_EQ_INT(call_as(MOMLANG_MEDIA_TYPE, "POST", "/v1/evaluate", mom, &o),
		 503, "MOM text while another evaluation holds the slot: 503");
	T_EQ_STR(error_of(o), "busy", "... busy");
	json_decref(o);
	/* The conversion is work of the evaluation too: a text that would
	   be refused is not read without the slot. */
	o = NULL;
	T_EQ_INT(call_as(MOMLANG_MEDIA_TYPE, "POST", "/v1/evaluate",
			 "(defvar x", &o),
		 503, "a broken MOM text needs the slot too: 503");
	T_EQ_STR(error_of(o), "busy", "... busy");
	json_decref(o);
	o = NULL;
	T_EQ_INT(call("POST", "/v1/evaluate", "{}", &o), 503,
		 "JSON while another evaluation holds the slot: 503");
	T_EQ_STR(error_of(o), "busy", "... busy");
	json_decref(o);

	pthread_mutex_lock(&slot.mu);
	slot.release = true;
	pthread_cond_broadcast(&slot.cv);
	pthread_mutex_unlock(&slot.mu);
	pthread_join(th, NULL);
	o = NULL;
	T_EQ_INT(call_as(MOMLANG_MEDIA_TYPE, "POST", "/v1/evaluate", mom, &o),
		 409, "MOM text evaluated once the slot is free again");
	T_EQ_STR(error_of(o), "no_state", "... against the current state");
	json_decref(o);
}

/*
 * Out of memory: every failing jansson allocation of a parameter update
 * either refuses it (-ENOMEM, answered 503) or makes it whole; the value
 * of a failed json_real was dropped and the update answered 200.  An
 * error that the policy loader filled as out of memory answers 503
 * overloaded, not 400 invalid_policy.
 */
static void test_out_of_memory(void)
{
	json_t *upd = json_pack("{s:i}", "zz", 7), *next, *o;
	struct http_response res = {.status = 500};
	struct policy_error perr;
	unsigned k, bad = 0;
	bool reached = true;
	char err[256];
	int rc;

	for (k = 0; upd && reached && k < 10000; k++) {
		next = NULL;
		failalloc_arm(k);
		rc =
		    engine_params_merge(t.engine, upd, &next, err, sizeof(err));
		reached = failalloc_disarm();
		if (rc == 0
			? json_number_value(json_object_get(next, "zz")) != 7
			: rc != -ENOMEM) {
			printf("# allocation %u: rc %d, zz %g\n", k, rc,
			       json_number_value(json_object_get(next, "zz")));
			bad++;
		}
		json_decref(next);
	}
	T_OK(k > 1 && !reached, "params: %u failing allocations tried", k);
	T_EQ_INT(bad, 0, "... each refused the update or made it whole");
	json_decref(upd);

	policy_error_oom(&perr);
	api_reply_policy_error(&res, "invalid_policy", &perr);
	o = res.json;
	T_EQ_INT(res.status, 503, "a loader out of memory answers 503");
	T_EQ_STR(error_of(o), "overloaded", "... overloaded");
	json_decref(o);
}

/*
 * The read level gets 403 for PUT, PATCH and DELETE on every known path,
 * also one without that method (it answered 405 there); admin gets 405
 * with the Allow header, an unknown path 404 either way, and a read
 * method the path lacks 405.
 */
static void test_read_level(void)
{
	static const char *const refused[][2] = {
	    {"PATCH", "/v1/dry-run"},	 {"DELETE", "/v1/dry-run"},
	    {"PUT", "/v1/parameters"},	 {"DELETE", "/v1/log-level"},
	    {"PATCH", "/v1/policies/x"}, {"PUT", "/v1/status"},
	    {"PUT", "/v1/evaluate"},	 {"PATCH", "/metrics"},
	    {"PATCH", "/v1/parameters"},
	};
	json_t *o = NULL;

	read_level = true;
	for (size_t i = 0; i < sizeof(refused) / sizeof(refused[0]); i++) {
		int status = call(refused[i][0], refused[i][1], "{}", &o);

		T_OK(status == 403 && strcmp(error_of(o), "forbidden") == 0,
		     "read level: %s %s answers 403 forbidden (%d)",
		     refused[i][0], refused[i][1], status);
		json_decref(o);
		o = NULL;
	}
	T_EQ_INT(call("PATCH", "/v1/nowhere", "{}", NULL), 404,
		 "read level: PATCH on an unknown path answers 404");
	T_EQ_INT(call("POST", "/v1/status", "{}", NULL), 405,
		 "read level: POST on a path without it answers 405");
	read_level = false;
	T_EQ_INT(call("PATCH", "/v1/dry-run", "{}", NULL), 405,
		 "admin: PATCH /v1/dry-run answers 405");
}

int main(void)
{
	char cmd[128];

	setup();
	test_params_persist_first();
	test_policy_commit_point();
	test_evaluate_slot();
	test_out_of_memory();
	test_read_level();
	api_release(&t.api);
	polcompose_release(&t.policies);
	engine_free(t.engine);
	conf_release(&t.conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t.tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", t.tmp);
	return t_done();
}
