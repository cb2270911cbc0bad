/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polstate_test.c: the API's persistence: statedir (atomic write, modes,
 * read, remove, leftovers of a crash) and polstate (overrides over a
 * policy directory, tombstones, whole-set replacement, the file's round
 * trip and refusal of a malformed file, out of memory while composing).  A
 * failing directory fsync is injected by the fsync() below, which this
 * program's objects link to.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "failalloc.h"
#include "policy.h"
#include "polstate.h"
#include "statedir.h"
#include "testing.h"

static char tmp[256];
static bool fail_dir_fsync;

/* fsync, failing with EIO on a directory while fail_dir_fsync is set. */
int fsync(int fd)
{
	struct stat st;

	if (fail_dir_fsync && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		errno = EIO;
		return -1;
	}
	return (int)syscall(SYS_fsync, fd);
}

static char *read_text(const char *dir, const char *name)
{
	char *text = NULL, err[256];

	if (statedir_read(dir, name, 4096, &text, err, sizeof(err)) < 0)
		return NULL;
	return text;
}

/*
 * Once rename() has replaced the file the change is made: a directory
 * fsync failing after it must not report the change as refused (the API
 * would answer 500 and keep the old state in memory, and the "refused"
 * change would come back at the next restart).
 */
static void test_commit_point(void)
{
	char err[256], *text;
	int rc;

	T_EQ_INT(statedir_write(tmp, "c", "old", 3, 0600, err, sizeof(err)), 0,
		 "commit: the old content is written");
	fail_dir_fsync = true;
	rc = statedir_write(tmp, "c", "new", 3, 0600, err, sizeof(err));
	fail_dir_fsync = false;
	text = read_text(tmp, "c");
	T_OK(text &&
		 (rc < 0 ? strcmp(text, "old") == 0 : strcmp(text, "new") == 0),
	     "a write whose directory fsync fails is reported as what the file "
	     "holds (rc %d, \"%s\")",
	     rc, text ? text : "(none)");
	T_OK(rc > 0 && strstr(err, "fsync"),
	     "... done, with the fsync failure as a warning (%s)", err);
	free(text);
	fail_dir_fsync = true;
	rc = statedir_remove(tmp, "c", err, sizeof(err));
	fail_dir_fsync = false;
	text = read_text(tmp, "c");
	T_OK(rc < 0 ? text != NULL : text == NULL,
	     "a removal whose directory fsync fails is reported as what the "
	     "directory holds (rc %d)",
	     rc);
	free(text);
}

static void put_file(const char *dir, const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static int mode_of(const char *dir, const char *name)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return stat(path, &st) == 0 ? (int)(st.st_mode & 07777) : -1;
}

static void test_statedir(void)
{
	char dir[300], err[256], *text = NULL;

	snprintf(dir, sizeof(dir), "%s/state", tmp);
	T_EQ_INT(statedir_read(dir, "x", 100, &text, err, sizeof(err)), -ENOENT,
		 "reading a missing file: -ENOENT");
	T_EQ_INT(statedir_write(dir, "x", "hello", 5, 0644, err, sizeof(err)),
		 0, "write creates the directory and the file");
	T_EQ_INT(mode_of(tmp, "state"), 0700, "the directory is 0700");
	T_EQ_INT(mode_of(dir, "x"), 0644, "the file has the mode asked for");
	T_EQ_INT(statedir_write(dir, "x", "bye", 3, 0600, err, sizeof(err)), 0,
		 "rewrite");
	T_EQ_INT(mode_of(dir, "x"), 0600, "the new file has the new mode");
	T_EQ_INT(statedir_read(dir, "x", 100, &text, err, sizeof(err)), 0,
		 "read");
	T_EQ_STR(text, "bye", "the new content replaced the old");
	free(text);
	T_EQ_INT(statedir_read(dir, "x", 2, &text, err, sizeof(err)), -EFBIG,
		 "a file over the limit is refused");
	put_file(dir, ".x.tmp.AbC123", "half");
	T_EQ_INT(statedir_clean(dir), 1, "a crash's temporary file is removed");
	T_EQ_INT(statedir_remove(dir, "x", err, sizeof(err)), 0, "remove");
	T_EQ_INT(statedir_remove(dir, "x", err, sizeof(err)), 0,
		 "removing a missing file is fine");
	T_EQ_INT(mode_of(dir, "x"), -1, "the file is gone");
	put_file(tmp, "notadir", "");
	snprintf(dir, sizeof(dir), "%s/notadir", tmp);
	T_OK(statedir_write(dir, "x", "a", 1, 0644, err, sizeof(err)) < 0,
	     "writing into a file that is not a directory fails: %s", err);
}

/* A state file momd cannot use at start is renamed aside, never over
   another one set aside before, and never when its content is not what
   is wrong. */
static void test_set_aside(void)
{
	char dir[300], err[256], aside[128], aside2[128], note[512],
	    *text = NULL;

	snprintf(dir, sizeof(dir), "%s/aside", tmp);
	T_EQ_INT(
	    statedir_write(dir, "p.json", "first", 5, 0644, err, sizeof(err)),
	    0, "a state file");
	T_OK(statedir_set_aside(dir, "p.json", aside, sizeof(aside), err,
				sizeof(err)) == 0,
	     "set aside: %s", aside);
	T_OK(strncmp(aside, "p.json.rejected-", 16) == 0,
	     "named after the file and 'rejected-': %s", aside);
	T_EQ_INT(mode_of(dir, "p.json"), -1, "the file is gone from its name");
	T_EQ_INT(statedir_read(dir, aside, 100, &text, err, sizeof(err)), 0,
		 "the file set aside reads back");
	T_EQ_STR(text, "first", "with its content");
	free(text);
	/* A second one within the same second gets a name of its own. */
	statedir_write(dir, "p.json", "second", 6, 0644, err, sizeof(err));
	T_OK(statedir_set_aside(dir, "p.json", aside2, sizeof(aside2), err,
				sizeof(err)) == 0,
	     "set aside again: %s", aside2);
	T_OK(strcmp(aside, aside2) != 0, "under another name (%s, %s)", aside,
	     aside2);
	T_EQ_INT(statedir_read(dir, aside, 100, &text, err, sizeof(err)), 0,
		 "the first set aside is still there");
	T_EQ_STR(text, "first", "unchanged");
	free(text);
	T_OK(statedir_set_aside(dir, "p.json", aside, sizeof(aside), err,
				sizeof(err)) == -ENOENT,
	     "a missing file: -ENOENT (%s)", err);
	T_OK(statedir_clean(dir) == 0, "files set aside are not a crash's");
	/* statedir_ignore: the note says what became of it. */
	statedir_write(dir, "q.json", "x", 1, 0644, err, sizeof(err));
	statedir_ignore(dir, "q.json", false, note, sizeof(note));
	T_EQ_STR(note, "", "not set aside: no note");
	T_EQ_INT(mode_of(dir, "q.json"), 0644, "and the file stays");
	statedir_ignore(dir, "q.json", true, note, sizeof(note));
	T_OK(strstr(note, "; kept as ") == note && strstr(note, dir) &&
		 strstr(note, "q.json.rejected-"),
	     "set aside: the note names the new path (%s)", note);
	T_EQ_INT(mode_of(dir, "q.json"), -1, "and the file is gone");
}

static const char *names_of(const struct policy_set *ps, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (size_t i = 0; ps && i < policy_set_count(ps); i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s",
					 i ? "," : "", policy_set_name(ps, i));
	return buf;
}

static void test_compose(void)
{
	char pdir[300], sdir[300], err[256], names[256];
	struct polstate *st = polstate_new(), *back = NULL;
	struct policy_error perr;
	struct policy_set *ps;
	json_t *dir;

	snprintf(pdir, sizeof(pdir), "%s/policies", tmp);
	snprintf(sdir, sizeof(sdir), "%s/state2", tmp);
	mkdir(pdir, 0755);
	put_file(pdir, "00-a.json",
		 "{\"parameters\": {\"a\": {\"default\": 1}}}");
	put_file(pdir, "03-c.json",
		 "{\"parameters\": {\"c\": {\"default\": 3}}}");
	T_OK(polstate_empty(st), "a new state is empty");
	dir = polstate_dir_texts(pdir, &perr);
	T_EQ_INT(json_object_size(dir), 2, "the policy directory read");
	ps = polstate_compose(st, dir, &perr);
	T_EQ_STR(names_of(ps, names, sizeof(names)), "00-a,03-c",
		 "an empty state is the policy directory");
	policy_set_free(ps);

	polstate_put(st, "01-b", "{\"parameters\": {\"b\": {\"default\": 2}}}");
	polstate_delete(st, "03-c", dir);
	ps = polstate_compose(st, dir, &perr);
	T_EQ_STR(names_of(ps, names, sizeof(names)), "00-a,01-b",
		 "an added policy and a tombstone");
	T_EQ_STR(polstate_origin(st, "01-b"), "api", "origin api");
	T_EQ_STR(polstate_origin(st, "00-a"), "policy_dir", "origin dir");
	policy_set_free(ps);

	T_EQ_INT(polstate_save(st, sdir, err, sizeof(err)), 0, "save");
	T_EQ_INT(polstate_load(sdir, &back, err, sizeof(err)), 0, "load");
	ps = back ? polstate_compose(back, dir, &perr) : NULL;
	T_EQ_STR(names_of(ps, names, sizeof(names)), "00-a,01-b",
		 "the loaded state composes the same set");
	policy_set_free(ps);
	polstate_free(back);

	polstate_put(st, "02-bad", "{\"parameters\": 5}");
	ps = polstate_compose(st, dir, &perr);
	T_OK(!ps && strcmp(perr.policy, "02-bad") == 0,
	     "a bad override fails the whole set, naming it");

	polstate_replace_all(st);
	polstate_put(st, "50_main_", "{}");
	ps = polstate_compose(st, dir, &perr);
	T_EQ_STR(names_of(ps, names, sizeof(names)), "50_main_",
		 "a replaced set ignores the policy directory");
	T_OK(polstate_replaced(st), "replaced");
	policy_set_free(ps);

	json_decref(dir);
	polstate_free(st);
	st = polstate_new();
	T_EQ_INT(polstate_save(st, sdir, err, sizeof(err)), 0,
		 "saving an empty state");
	T_EQ_INT(mode_of(sdir, POLSTATE_FILE), -1, "removes the file");
	polstate_free(st);
}

/*
 * Every failing jansson allocation of a composition either refuses the
 * whole set with every field of the error filled (by polstate and the
 * loader "out of memory", which the API answers 503; jansson's parser
 * says "JSON syntax: ...") or has no effect: a set is never composed without
 * a policy whose copy failed, and the error is never left as it was (the
 * API formatted an uninitialised one in replace mode).
 */
static void test_compose_oom(void)
{
	struct polstate *st = polstate_new();
	struct policy_error perr;
	struct policy_set *ps;
	unsigned k, bad = 0, oom = 0;
	bool reached = true;

	polstate_replace_all(st);
	polstate_put(st, "50_main_", "{\"defines\": {\"x\": 1}}");
	for (k = 0; reached && k < 10000; k++) {
		memset(&perr, 'x', sizeof(perr));
		perr.policy[sizeof(perr.policy) - 1] = '\0';
		perr.path[sizeof(perr.path) - 1] = '\0';
		perr.message[sizeof(perr.message) - 1] = '\0';
		failalloc_arm(k);
		ps = polstate_compose(st, NULL, &perr);
		reached = failalloc_disarm();
		if (ps ? policy_set_count(ps) != 1 ||
			     strcmp(policy_set_name(ps, 0), "50_main_") != 0
		       : perr.message[0] == 'x' || perr.policy[0] == 'x' ||
			     perr.path[0] == 'x') {
			printf("# allocation %u: %s (%.40s)\n", k,
			       ps ? "a set without the policy" : "error",
			       perr.message);
			bad++;
		}
		oom += !ps && policy_error_is_oom(&perr);
		policy_set_free(ps);
	}
	T_OK(k > 3 && !reached, "compose: %u failing allocations tried", k);
	T_EQ_INT(bad, 0,
		 "... each refused the set with the error filled, or had no "
		 "effect");
	T_OK(oom >= 3, "... %u of them said exactly \"out of memory\"", oom);
	polstate_free(st);
}

static void test_load_refuses(void)
{
	static const char *const bad[] = {
	    "{",
	    "[]",
	    "{\"version\": 2, \"replace\": false, \"policies\": {}}",
	    "{\"version\": 1, \"replace\": 0, \"policies\": {}}",
	    "{\"version\": 1, \"replace\": false, \"policies\": {\"../x\": "
	    "\"{}\"}}",
	    "{\"version\": 1, \"replace\": false, \"policies\": {\"a\": 1}}",
	    "{\"version\": 1, \"replace\": false, \"policies\": {}, \"x\": 1}",
	    "{\"version\": 1, \"version\": 1, \"replace\": false, "
	    "\"policies\": {}}",
	};
	char sdir[300], err[256];
	struct polstate *st;

	snprintf(sdir, sizeof(sdir), "%s/state3", tmp);
	mkdir(sdir, 0700);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		put_file(sdir, POLSTATE_FILE, bad[i]);
		st = (struct polstate *)1;
		T_OK(polstate_load(sdir, &st, err, sizeof(err)) < 0 && !st,
		     "malformed state file %zu refused: %s", i, err);
	}
}

/*
 * What polstate_load() reads back (64 MiB) is what polstate_save() may
 * write: a larger file would be accepted, then ignored at the next start
 * and overwritten by the next change.  Refused with -EFBIG, the file as
 * it was; a state just under the limit round-trips.
 */
static void test_save_bound(void)
{
	size_t big = 4u << 20;
	char sdir[300], err[256], name[16], *text = malloc(big + 1);
	struct polstate *st = polstate_new(), *back = NULL;
	int i, rc;

	if (!text || !st)
		abort();
	memset(text, 'x', big);
	text[big] = '\0';
	snprintf(sdir, sizeof(sdir), "%s/state4", tmp);
	mkdir(sdir, 0700);
	for (i = 0; i < 15; i++) {
		snprintf(name, sizeof(name), "p%02d", i);
		if (polstate_put(st, name, text) < 0)
			abort();
	}
	T_EQ_INT(polstate_save(st, sdir, err, sizeof(err)), 0,
		 "bound: 60 MiB of policies saved");
	rc = polstate_load(sdir, &back, err, sizeof(err));
	T_OK(rc == 0, "bound: ... and loaded back: %s", rc ? err : "ok");
	polstate_free(back);
	for (; i < 17; i++) {
		snprintf(name, sizeof(name), "p%02d", i);
		if (polstate_put(st, name, text) < 0)
			abort();
	}
	rc = polstate_save(st, sdir, err, sizeof(err));
	T_EQ_INT(rc, -EFBIG, "bound: 68 MiB of policies refused");
	T_OK(strstr(err, "policies.json") && strstr(err, "67108864"),
	     "bound: ... naming the file and the limit: %s", err);
	back = NULL;
	T_EQ_INT(polstate_load(sdir, &back, err, sizeof(err)), 0,
		 "bound: the file as it was loads");
	T_OK(back && !polstate_empty(back) &&
		 strcmp(polstate_origin(back, "p14"), "api") == 0 &&
		 strcmp(polstate_origin(back, "p15"), "api") != 0,
	     "bound: ... with the 15 policies saved before");
	polstate_free(back);
	polstate_free(st);
	free(text);
}

int main(void)
{
	char cmd[300];

	snprintf(tmp, sizeof(tmp), "/tmp/polstate_test.XXXXXX");
	if (!mkdtemp(tmp)) {
		perror("mkdtemp");
		return 1;
	}
	test_statedir();
	test_set_aside();
	test_commit_point();
	test_compose();
	test_compose_oom();
	test_load_refuses();
	test_save_bound();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	if (system(cmd) != 0)
		printf("# could not remove %s\n", tmp);
	return t_done();
}
