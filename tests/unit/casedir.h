/* SPDX-License-Identifier: Apache-2.0 */
/*
 * casedir.h: runs every evaluation case of a directory (DIR/<case>/
 * case.json against expected.json) through a policy set, for the tests of
 * the language extensions and of the adaptive policies.  expected.json
 * holds "host", "guests" and optionally "state" (compared exactly; a
 * missing key means empty) and "errors" as in eval_test.c (each message
 * must contain the given text).  Header-only: each test includes it once.
 */
#ifndef MOM_CASEDIR_H
#define MOM_CASEDIR_H

#include <dirent.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "evalcase.h"
#include "testing.h"

static const char *cd_srcdir(void)
{
	const char *d = getenv("MOM_SRCDIR");

	return d ? d : ".";
}

static json_t *cd_get(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_object();
}

static bool cd_errors_match(json_t *want, json_t *got)
{
	json_t *wg = json_object_get(want, "guests");
	json_t *gg = json_object_get(got, "guests");
	const char *wh = json_string_value(json_object_get(want, "host"));
	const char *gh = json_string_value(json_object_get(got, "host"));
	const char *key;
	json_t *v;

	if (!wh != !gh || (wh && !strstr(gh, wh)) ||
	    json_object_size(wg) != json_object_size(gg))
		return false;
	json_object_foreach(wg, key, v)
	{
		const char *m = json_string_value(json_object_get(gg, key));

		if (!m || !strstr(m, json_string_value(v)))
			return false;
	}
	return true;
}

/* Evaluate DIR/name/case.json; the plan's JSON, or NULL. */
static json_t *cd_eval(const struct policy_set *ps, const char *path)
{
	struct policy_error err;
	json_error_t jerr;
	json_t *c = json_load_file(path, 0, &jerr), *got = NULL;
	struct evalcase *ec = c ? evalcase_from_json(c, &err) : NULL;
	struct plan *plan = ec ? eval_run(ps, evalcase_snapshot(ec)) : NULL;

	if (!ec)
		printf("#   %s: %s %s\n", path, c ? err.path : "",
		       c ? err.message : jerr.text);
	got = plan ? plan_to_json(plan) : NULL;
	plan_free(plan);
	evalcase_free(ec);
	json_decref(c);
	return got;
}

static void cd_check(const struct policy_set *ps, const char *dir,
		     const char *name)
{
	static const char *const keys[] = {"host", "guests", "state"};
	char path[1200];
	json_error_t jerr;
	json_t *want, *got, *w, *g;

	snprintf(path, sizeof(path), "%s/%s/case.json", dir, name);
	got = cd_eval(ps, path);
	snprintf(path, sizeof(path), "%s/%s/expected.json", dir, name);
	want = json_load_file(path, 0, &jerr);
	if (!T_OK(want && got, "%s: evaluated", name))
		goto out;
	for (size_t i = 0; i < 3; i++) {
		w = cd_get(want, keys[i]);
		g = cd_get(got, keys[i]);
		if (!T_OK(json_equal(w, g), "%s: %s as expected", name,
			  keys[i])) {
			char *ws = json_dumps(w, JSON_SORT_KEYS);
			char *gs = json_dumps(g, JSON_SORT_KEYS);
			char *all = json_dumps(got, JSON_SORT_KEYS);

			printf("#   want %s\n#   got  %s\n#   plan %s\n", ws,
			       gs, all);
			free(ws);
			free(gs);
			free(all);
		}
		json_decref(w);
		json_decref(g);
	}
	w = cd_get(want, "errors");
	g = cd_get(got, "errors");
	T_OK(cd_errors_match(w, g), "%s: errors as expected", name);
	json_decref(w);
	json_decref(g);
out:
	json_decref(want);
	json_decref(got);
}

static int cd_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Every case directory of dir (names without a dot, but "policies");
   returns how many ran. */
static size_t cd_run_dir(const struct policy_set *ps, const char *dir)
{
	char *names[256];
	size_t n = 0;
	struct dirent *de;
	DIR *d = opendir(dir);

	if (!T_OK(d, "open %s", dir))
		return 0;
	while ((de = readdir(d)) && n < 256)
		if (de->d_name[0] != '.' && !strchr(de->d_name, '.') &&
		    strcmp(de->d_name, "policies") != 0)
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), cd_name_cmp);
	for (size_t i = 0; i < n; i++) {
		cd_check(ps, dir, names[i]);
		free(names[i]);
	}
	return n;
}

#endif /* MOM_CASEDIR_H */
