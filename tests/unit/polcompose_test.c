/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polcompose_test.c: the composed policy set on a real engine (test
 * driver, files in a temporary directory): an override on top of
 * policy_dir, a change composing with policy_dir as last read (a file
 * added or broken since changes nothing until a reload), a SIGHUP-style
 * reload that keeps the overrides, a broken reload or a change that does
 * not validate keeping the set in force, and the overrides restored from
 * state_dir by a fresh composition.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "conf.h"
#include "engine.h"
#include "log.h"
#include "polcompose.h"
#include "testing.h"

static struct {
	char tmp[64], ksm[96], state[96], pol[96];
	struct conf conf;
	struct engine *engine;
} t;

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

static void names_fill(const struct policy_set *ps, void *arg)
{
	char *out = arg;

	out[0] = '\0';
	for (size_t i = 0; i < policy_set_count(ps); i++) {
		strcat(out, i ? " " : "");
		strcat(out, policy_set_name(ps, i));
	}
}

/* The names of the policies in force, space-separated, in set order. */
static const char *in_force(void)
{
	static char names[512];

	engine_with_policies(t.engine, names_fill, names);
	return names;
}

#define POLICY(param) "{\"parameters\": {\"" param "\": {\"default\": 1}}}"

static struct polcompose pc;

/* Put name's text through pc as the API does; the commit's result. */
static int commit_put(const char *name, const char *text)
{
	struct policy_error perr;
	struct polstate *next;
	char err[512];
	int rc;

	polcompose_lock(&pc);
	next = polstate_copy(polcompose_overrides(&pc));
	if (next && polstate_put(next, name, text) < 0) {
		polstate_free(next);
		next = NULL;
	}
	rc = polcompose_commit(&pc, next, name, &perr, err, sizeof(err));
	polcompose_unlock(&pc);
	return rc;
}

static void test_compose(void)
{
	struct policy_error perr;
	struct polstate *next;
	char err[512];
	int rc;

	T_EQ_INT(polcompose_init(&pc, t.engine, &t.conf, err, sizeof(err)), 0,
		 "init with no state file");
	T_EQ_STR(in_force(), "01-a", "policy_dir alone");

	polcompose_lock(&pc);
	next = polstate_copy(polcompose_overrides(&pc));
	T_OK(next && polstate_put(next, "02-b", POLICY("b")) == 0,
	     "an override built");
	rc = polcompose_commit(&pc, next, "02-b set", &perr, err, sizeof(err));
	polcompose_unlock(&pc);
	T_EQ_INT(rc, 0, "an override committed");
	T_EQ_STR(in_force(), "01-a 02-b", "the override on top of policy_dir");

	/* policy_dir is read at start and at SIGHUP only (README): a
	   change through the API composes with that copy. */
	put_file(t.pol, "03-c.json", POLICY("c"));
	T_EQ_INT(commit_put("06-f", POLICY("f")), 0, "an unrelated change");
	T_EQ_STR(in_force(), "01-a 02-b 06-f",
		 "... does not bring in a file added to policy_dir since");
	polcompose_reload(&pc);
	T_EQ_STR(in_force(), "01-a 02-b 03-c 06-f",
		 "a reload reads policy_dir again and keeps the overrides");

	put_file(t.pol, "04-d.json", "{\"parameters\": 7}");
	T_EQ_INT(commit_put("06-f", POLICY("f2")), 0,
		 "a change with a broken file in policy_dir is made");
	T_EQ_STR(in_force(), "01-a 02-b 03-c 06-f", "... without it");
	polcompose_reload(&pc);
	T_EQ_STR(in_force(), "01-a 02-b 03-c 06-f",
		 "a reload that does not validate keeps the set in force");
	polcompose_lock(&pc);
	next = polstate_copy(polcompose_overrides(&pc));
	T_OK(next && polstate_delete(next, "06-f", polcompose_dir(&pc)) == 0,
	     "a delete built");
	rc = polcompose_commit(&pc, next, "06-f deleted", &perr, err,
			       sizeof(err));
	polcompose_unlock(&pc);
	T_EQ_INT(rc, 0, "... and committed, the broken file still there");
	T_EQ_STR(in_force(), "01-a 02-b 03-c", "... from the copy");
	/* 06-f was the API's own: deleting it leaves no tombstone that
	   would hide a file of that name added to policy_dir later. */
	unlink(strcat(strcpy(err, t.pol), "/04-d.json"));
	put_file(t.pol, "06-f.json", POLICY("f3"));
	polcompose_reload(&pc);
	T_EQ_STR(in_force(), "01-a 02-b 03-c 06-f",
		 "a policy_dir file named as a deleted API policy is read");
	unlink(strcat(strcpy(err, t.pol), "/06-f.json"));
	polcompose_reload(&pc);
	put_file(t.pol, "04-d.json", "{\"parameters\": 7}");

	polcompose_lock(&pc);
	next = polstate_copy(polcompose_overrides(&pc));
	T_OK(next && polstate_put(next, "05-e", "{\"host\": 3}") == 0,
	     "a bad override built");
	rc = polcompose_commit(&pc, next, "05-e set", &perr, err, sizeof(err));
	polcompose_unlock(&pc);
	T_EQ_INT(rc, -EINVAL, "an override that does not validate is refused");
	T_EQ_STR(perr.policy, "05-e", "... naming the policy");
	T_EQ_STR(in_force(), "01-a 02-b 03-c", "... and changes nothing");

	polcompose_lock(&pc);
	rc = polcompose_commit(&pc, NULL, "nothing", &perr, err, sizeof(err));
	polcompose_unlock(&pc);
	T_EQ_INT(rc, -ENOMEM, "no next state: out of memory, nothing done");
	polcompose_release(&pc);

	/* A fresh composition (a restart) restores the saved override. */
	unlink(strcat(strcpy(err, t.pol), "/04-d.json"));
	engine_policies_swap(t.engine, policy_set_load_dir(t.pol, &perr));
	put_file(t.pol, "04-d.json", "{\"parameters\": 7}");
	T_EQ_STR(in_force(), "01-a 03-c", "policy_dir alone again");
	T_EQ_INT(polcompose_init(&pc, t.engine, &t.conf, err, sizeof(err)), 0,
		 "init with a state file");
	T_EQ_STR(in_force(), "01-a 02-b 03-c",
		 "the saved override is in force after a restart");
	put_file(t.pol, "07-g.json", POLICY("g"));
	polcompose_lock(&pc);
	rc = polcompose_commit(&pc, polstate_new(), "reset", &perr, err,
			       sizeof(err));
	polcompose_unlock(&pc);
	T_EQ_INT(rc, 0, "a reset committed, a broken file in policy_dir");
	T_EQ_STR(in_force(), "01-a 03-c",
		 "... back to policy_dir as read at start");
	unlink(strcat(strcpy(err, t.pol), "/04-d.json"));
	unlink(strcat(strcpy(err, t.pol), "/07-g.json"));
	polcompose_release(&pc);
}

int main(void)
{
	char cmd[128], err[512];

	snprintf(t.tmp, sizeof(t.tmp), "/tmp/polcompose_test.XXXXXX");
	if (!mkdtemp(t.tmp))
		abort();
	snprintf(t.ksm, sizeof(t.ksm), "%s/ksm", t.tmp);
	snprintf(t.state, sizeof(t.state), "%s/state", t.tmp);
	snprintf(t.pol, sizeof(t.pol), "%s/policies", t.tmp);
	if (mkdir(t.ksm, 0700) < 0 || mkdir(t.pol, 0700) < 0)
		abort();
	put_file(t.ksm, "run", "0\n");
	put_file(t.pol, "01-a.json", POLICY("a"));
	if (conf_init_defaults(&t.conf) < 0 || set("--policy-dir", t.pol) ||
	    set("--ksm-dir", t.ksm) || set("--state-dir", t.state) ||
	    set("--libvirt-uri", "test:///default"))
		abort();
	log_set_level(LOG_LVL_ERR);
	t.engine = engine_new(&t.conf, err, sizeof(err));
	if (!t.engine) {
		fprintf(stderr, "polcompose_test: %s\n", err);
		abort();
	}
	test_compose();
	engine_free(t.engine);
	conf_release(&t.conf);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", t.tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", t.tmp);
	return t_done();
}
