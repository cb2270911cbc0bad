/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_dir.c: loads a policy set from a directory, one policy per
 * "<name>.json" file (dot files ignored), through policy_set_load().  The
 * policy loader's only I/O, kept apart so that policy.c stays pure.
 */
#include "policy.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "readfile.h"

#define POLICY_MAX_FILE (1024 * 1024)

static void dir_error(struct policy_error *err, const char *policy,
		      const char *what, const char *file)
{
	memset(err, 0, sizeof(*err));
	snprintf(err->policy, sizeof(err->policy), "%s", policy);
	snprintf(err->message, sizeof(err->message), "%s: %.200s", what, file);
}

/* A policy's text, or NULL with *why saying what is wrong with the file. */
static char *read_file(const char *path, const char **why)
{
	char *buf;
	size_t n;
	int rc = readfile_path(path, POLICY_MAX_FILE, &buf, &n);

	*why = rc == -EFBIG ? "larger than 1 MiB" : readfile_why(rc);
	if (rc < 0)
		return NULL;
	if (strlen(buf) != n) {
		*why = "contains a NUL byte";
		free(buf);
		return NULL;
	}
	return buf;
}

struct dir_list {
	size_t n, cap;
	struct policy_source *v;
};

static void dir_list_free(struct dir_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free((char *)l->v[i].name);
		free((char *)l->v[i].text);
	}
	free(l->v);
}

static int dir_add(struct dir_list *l, const char *dir, const char *file,
		   struct policy_error *err)
{
	size_t len = strlen(file) - 5;
	char path[4096], *name, *text;
	const char *why;

	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct policy_source *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return dir_error(err, "", "out of memory", file), -1;
		l->v = v;
		l->cap = cap;
	}
	name = strndup(file, len);
	if (!name)
		return dir_error(err, "", "out of memory", file), -1;
	if (!policy_name_valid(name)) {
		dir_error(err, "", "invalid policy file name", file);
		free(name);
		return -1;
	}
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = read_file(path, &why);
	if (!text) {
		dir_error(err, name, why, path);
		free(name);
		return -1;
	}
	l->v[l->n].name = name;
	l->v[l->n++].text = text;
	return 0;
}

struct policy_set *policy_set_load_dir(const char *dir,
				       struct policy_error *err)
{
	struct dir_list l = {0};
	struct policy_set *ps = NULL;
	DIR *d = opendir(dir);
	struct dirent *de;

	if (!d) {
		dir_error(err, "", "cannot open policy directory", dir);
		return NULL;
	}
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (de->d_name[0] == '.' || len <= 5 ||
		    strcmp(de->d_name + len - 5, ".json") != 0)
			continue;
		if (dir_add(&l, dir, de->d_name, err))
			goto out;
	}
	ps = policy_set_load(l.v, l.n, err);
out:
	closedir(d);
	dir_list_free(&l);
	return ps;
}
