/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momctl_convert.c: `momctl convert FILE.policy... [-o DIR]`, offline:
 * MOM policy-language files to JSON policies (actuator/momlang.h), with no
 * daemon.  Every file is converted before anything is written, so a
 * refused file leaves DIR unchanged.
 */
#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "momctl.h"
#include "momlang.h"

/* The whole file (NUL-terminated) and its length; NULL after a message. */
static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t cap = 0, n = 0;

	if (!f) {
		fprintf(stderr, "momctl: %s: %s\n", path, strerror(errno));
		return NULL;
	}
	for (;;) {
		if (cap - n < 4096) {
			char *nb;

			cap = cap ? 2 * cap : 8192;
			nb = cap > MOMLANG_MAX_TEXT + 8192 ? NULL
							   : realloc(buf, cap);
			if (!nb) {
				fprintf(stderr,
					"momctl: %s: larger than %d bytes\n",
					path, MOMLANG_MAX_TEXT);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
		}
		size_t r = fread(buf + n, 1, cap - n - 1, f);

		n += r;
		if (r == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "momctl: %s: read error\n", path);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The policy name of a file: its base name without .policy/.rules. */
static void policy_name_of(const char *path, char *out, size_t size)
{
	char *copy = strdup(path), *dot;

	snprintf(out, size, "%s", copy ? basename(copy) : path);
	free(copy);
	dot = strrchr(out, '.');
	if (dot && (strcmp(dot, ".policy") == 0 || strcmp(dot, ".rules") == 0))
		*dot = '\0';
}

int momctl_convert(int argc, char **argv)
{
	const char *outdir = NULL;
	json_t *all = json_object();
	int nfiles = 0, rc = MOMCTL_OK;
	const char *key;
	json_t *doc;

	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "-o") == 0) {
			if (i + 1 >= argc) {
				fprintf(
				    stderr,
				    "momctl: convert: -o needs a directory\n");
				json_decref(all);
				return MOMCTL_USAGE;
			}
			outdir = argv[++i];
		}
	}
	for (int i = 0; i < argc && rc == MOMCTL_OK; i++) {
		struct policy_error err;
		char name[256];
		size_t len;
		char *text;

		if (strcmp(argv[i], "-o") == 0) {
			i++;
			continue;
		}
		nfiles++;
		policy_name_of(argv[i], name, sizeof(name));
		if (!policy_name_valid(name)) {
			fprintf(stderr,
				"momctl: %s: \"%s\" is not a valid policy name "
				"([A-Za-z0-9_.-], at most 63)\n",
				argv[i], name);
			rc = MOMCTL_USAGE;
			break;
		}
		if (json_object_get(all, name)) {
			fprintf(stderr,
				"momctl: %s: a second policy named \"%s\"\n",
				argv[i], name);
			rc = MOMCTL_USAGE;
			break;
		}
		text = slurp(argv[i], &len);
		if (!text) {
			rc = MOMCTL_FILE;
			break;
		}
		doc = momlang_convert(text, len, name,
				      MOMLANG_MAX_OUTPUT_DEFAULT, &err);
		free(text);
		if (!doc) {
			fprintf(stderr, "momctl: %s:%d:%d: %s\n", argv[i],
				err.line, err.column, err.message);
			rc = MOMCTL_API_ERROR;
			break;
		}
		json_object_set_new(all, name, doc);
	}
	if (rc == MOMCTL_OK && nfiles == 0) {
		fprintf(stderr, "momctl: convert needs FILE...\n");
		rc = MOMCTL_USAGE;
	}
	if (rc != MOMCTL_OK) {
		json_decref(all);
		return rc;
	}
	if (!outdir) {
		/* One file: its policy; several: the body of PUT /v1/policies.
		 */
		json_t *out = nfiles == 1 ? json_incref(json_object_iter_value(
						json_object_iter(all)))
					  : json_pack("{s:O}", "policies", all);

		if (json_dumpf(out, stdout,
			       JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0 ||
		    fputc('\n', stdout) == EOF || fflush(stdout) == EOF)
			rc = MOMCTL_FILE;
		json_decref(out);
		json_decref(all);
		return rc;
	}
	json_object_foreach(all, key, doc)
	{
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s.json", outdir, key);
		if (json_dump_file(doc, path,
				   JSON_INDENT(2) | JSON_PRESERVE_ORDER) < 0) {
			fprintf(stderr, "momctl: cannot write %s: %s\n", path,
				strerror(errno));
			rc = MOMCTL_FILE;
			break;
		}
		printf("%s\n", path);
	}
	json_decref(all);
	return rc;
}
