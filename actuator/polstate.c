/* SPDX-License-Identifier: Apache-2.0 */
/*
 * polstate.c: API policy overrides over policy_dir, and their file (see
 * polstate.h).  The overrides are a JSON object name -> text (string) or
 * null (deleted); composing copies policy_dir's texts (the caller's copy)
 * into a name -> text object, applies the overrides and hands the result
 * to the loader, which validates the whole set.
 */
#include "polstate.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "statedir.h"

/* What polstate_load() reads back, and so what polstate_save() writes:
   a file over it would be ignored at the next start. */
#define POLSTATE_MAX_BYTES (64u << 20)

struct polstate {
	bool replace;
	json_t *entries; /* name -> string (text) or null (deleted) */
};

struct polstate *polstate_new(void)
{
	struct polstate *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->entries = json_object();
	if (!st->entries) {
		free(st);
		return NULL;
	}
	return st;
}

struct polstate *polstate_copy(const struct polstate *st)
{
	struct polstate *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->replace = st->replace;
	c->entries = json_deep_copy(st->entries);
	if (!c->entries) {
		free(c);
		return NULL;
	}
	return c;
}

void polstate_free(struct polstate *st)
{
	if (!st)
		return;
	json_decref(st->entries);
	free(st);
}

bool polstate_replaced(const struct polstate *st)
{
	return st->replace;
}

bool polstate_empty(const struct polstate *st)
{
	return !st->replace && json_object_size(st->entries) == 0;
}

int polstate_put(struct polstate *st, const char *name, const char *text)
{
	json_t *s = json_string(text);

	if (!s || json_object_set_new(st->entries, name, s) < 0)
		return -ENOMEM;
	return 0;
}

int polstate_delete(struct polstate *st, const char *name, const json_t *dir)
{
	/* Under "replace" policy_dir is ignored: no tombstone is needed. */
	if (st->replace || !json_object_get(dir, name)) {
		json_object_del(st->entries, name);
		return 0;
	}
	if (json_object_set_new(st->entries, name, json_null()) < 0)
		return -ENOMEM;
	return 0;
}

int polstate_replace_all(struct polstate *st)
{
	st->replace = true;
	return json_object_clear(st->entries) < 0 ? -ENOMEM : 0;
}

const char *polstate_origin(const struct polstate *st, const char *name)
{
	return json_is_string(json_object_get(st->entries, name))
		   ? "api"
		   : "policy_dir";
}

json_t *polstate_set_texts(const struct policy_set *ps)
{
	json_t *o = json_object();

	for (size_t i = 0; o && i < policy_set_count(ps); i++) {
		if (json_object_set_new(o, policy_set_name(ps, i),
					json_string(policy_set_text(ps, i))) <
		    0) {
			json_decref(o);
			o = NULL;
		}
	}
	return o;
}

json_t *polstate_dir_texts(const char *policy_dir, struct policy_error *err)
{
	struct policy_set *ps = policy_set_load_dir(policy_dir, err);
	json_t *o;

	if (!ps)
		return NULL;
	o = polstate_set_texts(ps);
	policy_set_free(ps);
	if (!o)
		policy_error_oom(err);
	return o;
}

static struct policy_set *load_texts(json_t *texts, struct policy_error *err)
{
	size_t n = json_object_size(texts), i = 0;
	struct policy_source *src = calloc(n ? n : 1, sizeof(*src));
	struct policy_set *ps;
	const char *name;
	json_t *v;

	if (!src) {
		policy_error_oom(err);
		return NULL;
	}
	json_object_foreach(texts, name, v)
	{
		src[i].name = name;
		src[i].text = json_string_value(v);
		i++;
	}
	ps = policy_set_load(src, n, err);
	free(src);
	return ps;
}

struct policy_set *polstate_compose(const struct polstate *st,
				    const json_t *dir, struct policy_error *err)
{
	json_t *texts =
	    st->replace || !dir ? json_object() : json_copy((json_t *)dir);
	struct policy_set *ps = NULL;
	const char *name;
	json_t *v;

	if (!texts) {
		policy_error_oom(err);
		return NULL;
	}
	json_object_foreach(st->entries, name, v)
	{
		if (!json_is_string(v)) {
			json_object_del(texts, name); /* absent is fine */
		} else if (json_object_set(texts, name, v) < 0) {
			/* Not a set without this policy: refused whole. */
			json_decref(texts);
			policy_error_oom(err);
			return NULL;
		}
	}
	ps = load_texts(texts, err);
	json_decref(texts);
	return ps;
}

/* Check the parsed file's shape; fills st.  0 or -EINVAL with err. */
static int state_from_json(json_t *root, struct polstate *st, char *err,
			   size_t len)
{
	json_t *pol = json_object_get(root, "policies");
	json_t *rep = json_object_get(root, "replace");
	const char *name;
	json_t *v;

	if (!json_is_object(root) ||
	    json_integer_value(json_object_get(root, "version")) != 1 ||
	    !json_is_boolean(rep) || !json_is_object(pol) ||
	    json_object_size(root) != 3) {
		snprintf(err, len,
			 "%s: expected {\"version\": 1, \"replace\": "
			 "bool, \"policies\": {...}}",
			 POLSTATE_FILE);
		return -EINVAL;
	}
	json_object_foreach(pol, name, v)
	{
		if (!policy_name_valid(name) ||
		    !(json_is_string(v) || json_is_null(v))) {
			snprintf(err, len, "%s: bad entry \"%.64s\"",
				 POLSTATE_FILE, name);
			return -EINVAL;
		}
	}
	st->replace = json_is_true(rep);
	json_decref(st->entries);
	st->entries = json_incref(pol);
	return 0;
}

int polstate_load(const char *state_dir, struct polstate **out, char *err,
		  size_t len)
{
	struct polstate *st = polstate_new();
	json_error_t jerr;
	json_t *root = NULL;
	char *text = NULL;
	int rc;

	*out = NULL;
	if (!st)
		return -ENOMEM;
	rc = statedir_read(state_dir, POLSTATE_FILE, POLSTATE_MAX_BYTES, &text,
			   err, len);
	if (rc == -ENOENT) {
		*out = st;
		return 0;
	}
	if (rc < 0)
		goto out;
	root = json_loads(text, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		snprintf(err, len, "%s: line %d, column %d: %s", POLSTATE_FILE,
			 jerr.line, jerr.column, jerr.text);
		rc = -EINVAL;
		goto out;
	}
	rc = state_from_json(root, st, err, len);
	if (rc == 0) {
		*out = st;
		st = NULL;
	}
out:
	json_decref(root);
	free(text);
	polstate_free(st);
	return rc;
}

int polstate_save(const struct polstate *st, const char *state_dir, char *err,
		  size_t len)
{
	json_t *root;
	char *text;
	int rc;

	if (polstate_empty(st))
		return statedir_remove(state_dir, POLSTATE_FILE, err, len);
	root = json_pack("{s:i, s:b, s:O}", "version", 1, "replace",
			 st->replace, "policies", st->entries);
	text = root ? json_dumps(root, JSON_INDENT(2) | JSON_SORT_KEYS) : NULL;
	json_decref(root);
	if (!text) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	/* Refused before the write: accepted now and ignored at the next
	   start would lose every change the file holds. */
	rc = statedir_fits(POLSTATE_FILE, strlen(text), POLSTATE_MAX_BYTES, err,
			   len);
	if (rc == 0)
		rc = statedir_write(state_dir, POLSTATE_FILE, text,
				    strlen(text), 0644, err, len);
	free(text);
	return rc;
}
