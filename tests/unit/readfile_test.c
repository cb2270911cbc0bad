/* SPDX-License-Identifier: Apache-2.0 */
/*
 * readfile_test.c: the shared helpers of issue 15's split on real files
 * and pipes: bounded whole-file reads (actuator/readfile.c: empty, exactly
 * the bound, one byte over, NUL bytes, a missing file, a directory, a pipe
 * longer than the first buffer), the rate limiter (ratelimit.c, with the
 * time passed in), the JSON text helpers (jsontext.c) and the glob lists
 * of the read plugin (collectd-plugin/globlist.c).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "globlist.h"
#include "jsontext.h"
#include "ratelimit.h"
#include "readfile.h"
#include "testing.h"

static char dir[] = "/tmp/readfile_test.XXXXXX";

static const char *put(const char *name, const char *data, size_t n)
{
	static char path[128];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	if (f) {
		fwrite(data, 1, n, f);
		fclose(f);
	}
	return path;
}

static void test_readfile(void)
{
	char *buf = NULL, big[10000];
	size_t len = 99;
	int fds[2];

	T_EQ_INT(readfile_path(put("empty", "", 0), 16, &buf, &len), 0,
		 "an empty file reads");
	T_OK(buf && buf[0] == '\0' && len == 0, "as an empty string");
	free(buf);

	T_EQ_INT(readfile_path(put("sixteen", "0123456789abcdef", 16), 16, &buf,
			       &len),
		 0, "a file of exactly the bound reads");
	T_OK(buf && len == 16 && strcmp(buf, "0123456789abcdef") == 0,
	     "whole and terminated");
	free(buf);

	T_EQ_INT(readfile_path(put("seventeen", "0123456789abcdefg", 17), 16,
			       &buf, &len),
		 -EFBIG, "one byte over the bound is -EFBIG");
	T_OK(buf == NULL, "and hands out nothing");
	T_EQ_STR(readfile_why(-EFBIG), "too large", "which reads as too large");

	T_EQ_INT(readfile_path(put("nul", "a\0b", 3), 16, &buf, &len), 0,
		 "NUL bytes are read");
	T_OK(buf && len == 3 && strlen(buf) == 1, "and counted in len");
	free(buf);

	T_EQ_INT(readfile_path("/nonexistent/readfile", 16, &buf, NULL),
		 -ENOENT, "a missing file is -ENOENT");
	T_EQ_STR(readfile_why(-ENOENT), "cannot open", "which cannot open");
	T_OK(readfile_path(dir, 16, &buf, NULL) == -EISDIR && buf == NULL,
	     "a directory cannot be read");
	T_EQ_STR(readfile_why(-EISDIR), "cannot read", "which cannot read");

	/* Longer than the first buffer, through a pipe (no size to stat). */
	memset(big, 'x', sizeof(big));
	T_OK(pipe(fds) == 0, "pipe");
	T_EQ_INT(write(fds[1], big, sizeof(big)), (long)sizeof(big),
		 "the pipe holds it all");
	close(fds[1]);
	T_EQ_INT(readfile_fd(fds[0], sizeof(big), &buf, &len), 0,
		 "a pipe longer than the first buffer reads");
	T_OK(buf && len == sizeof(big) && buf[len - 1] == 'x' && !buf[len],
	     "every byte of it");
	free(buf);
	close(fds[0]);
}

static void test_ratelimit(void)
{
	struct ratelimit rl = RATELIMIT_INIT(1000);
	unsigned n = 99;

	T_OK(ratelimit_allow(&rl, 5000, &n) && n == 0, "the first passes");
	T_OK(!ratelimit_allow(&rl, 5500, &n),
	     "a second within the interval not");
	T_OK(!ratelimit_allow(&rl, 5999, &n), "nor a third");
	T_OK(ratelimit_allow(&rl, 6000, &n), "one interval later it passes");
	T_EQ_INT(n, 2, "with the count suppressed meanwhile");
	T_OK(!ratelimit_allow_n(&rl, 6100, 5, &n) &&
		 !ratelimit_allow_n(&rl, 6200, 7, &n),
	     "occurrences of several events are suppressed too");
	T_OK(ratelimit_allow_n(&rl, 7000, 3, &n), "and pass an interval on");
	T_EQ_INT(n, 12, "counting the events suppressed, not the occurrences");
	T_OK(!ratelimit_allow_n(&rl, 7001, UINT_MAX, &n) &&
		 !ratelimit_allow_n(&rl, 7002, 2, &n) &&
		 ratelimit_allow_n(&rl, 8000, 1, &n) && n == UINT_MAX,
	     "the count saturates rather than wraps");
	T_OK(!ratelimit_allow(&rl, 6999, &n), "the window restarts there");
}

static void test_jsontext(void)
{
	static const char *const allowed[] = {"a", "b", NULL};
	json_t *o = json_pack("{s:i, s:i}", "a", 1, "b", 2);
	json_t *j;

	T_OK(json_unknown_key(o, allowed) == NULL, "allowed keys only");
	json_object_set_new(o, "c", json_true());
	T_EQ_STR(json_unknown_key(o, allowed), "c", "the other key is named");
	json_decref(o);

	j = json_text_new("caf\xc3\xa9");
	T_EQ_STR(json_string_value(j), "caf\xc3\xa9", "UTF-8 is kept");
	json_decref(j);
	j = json_text_new("cut \xc3");
	T_EQ_STR(json_string_value(j), "cut ?", "a cut character becomes '?'");
	json_decref(j);
}

static void test_globlist(void)
{
	char *src[] = {"web-*", "db?"};
	bool ok = false;
	char **g = globlist_copy(src, 2, &ok);

	T_OK(ok && g && g[0] != src[0] && strcmp(g[1], "db?") == 0,
	     "a deep copy");
	T_OK(globlist_match(g, 2, "web-1") && globlist_match(g, 2, "db2"),
	     "any glob matches");
	T_OK(!globlist_match(g, 2, "db10") && !globlist_match(g, 0, "web-1"),
	     "no glob, no match");
	globlist_free(g, 2);
	T_OK(globlist_copy(src, 0, &ok) == NULL && ok, "an empty list is NULL");
	globlist_free(NULL, 0);
}

int main(void)
{
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_readfile();
	test_ratelimit();
	test_jsontext();
	test_globlist();
	{
		const char *names[] = {"empty", "sixteen", "seventeen", "nul"};
		char path[128];

		for (size_t i = 0; i < 4; i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
	return t_done();
}
