/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf_table.c: <Plugin> blocks parsed through option tables (see
 * conf_table.h).
 */
#include "conf_table.h"

#include "core/utils/common/common.h"

#include <stdbool.h>

static const struct conf_option *find(const struct conf_option *opts, size_t n,
				      const char *key)
{
	for (size_t i = 0; i < n; i++)
		if (strcasecmp(key, opts[i].name) == 0)
			return &opts[i];
	return NULL;
}

static int apply(const char *plugin, const struct conf_option *o, void *conf,
		 const oconfig_item_t *ci)
{
	char *field = (char *)conf + o->offset;
	double d;
	int v;

	switch (o->kind) {
	case CONF_STRING:
		free(*(char **)field);
		*(char **)field = NULL;
		return cf_util_get_string(ci, (char **)field);
	case CONF_BOOL:
		return cf_util_get_boolean(ci, (bool *)field);
	case CONF_INT:
		if (cf_util_get_int(ci, &v) != 0)
			return -1;
		/* cf_util_get_int() casts the number: 2.5 would be 2, and one
		   beyond int anything at all.  The number itself is checked. */
		d = ci->values[0].value.number;
		if (!(d >= o->min && d <= o->max) || d != (double)(int)d) {
			plugin_log(LOG_ERR,
				   "%s plugin: %s must be a whole number "
				   "between %d and %d (got %g)",
				   plugin, ci->key, o->min, o->max, d);
			return -1;
		}
		*(int *)field = (int)d;
		return 0;
	case CONF_CUSTOM:
		return o->parse(conf, ci);
	}
	return -1;
}

/* Is the option of child i given by an earlier child too?  Blocks are a
   few lines: quadratic is fine. */
static bool given_before(const oconfig_item_t *block, int i)
{
	for (int j = 0; j < i; j++)
		if (strcasecmp(block->children[j].key,
			       block->children[i].key) == 0)
			return true;
	return false;
}

int conf_table_parse(const char *plugin, const struct conf_option *opts,
		     size_t nopts, void *conf, const oconfig_item_t *block)
{
	for (int i = 0; i < block->children_num; i++) {
		const oconfig_item_t *ci = &block->children[i];
		const struct conf_option *o = find(opts, nopts, ci->key);

		if (o == NULL) {
			plugin_log(LOG_ERR,
				   "%s plugin: unknown option \"%s\" in "
				   "<Plugin %s>",
				   plugin, ci->key, plugin);
			return -1;
		}
		/* The last one would win silently: two snippets, or a
		   leftover line, that disagree are an error, as in momd's
		   configuration.  A list option (CONF_CUSTOM) repeats. */
		if (o->kind != CONF_CUSTOM && given_before(block, i)) {
			plugin_log(LOG_ERR,
				   "%s plugin: option \"%s\" given twice in "
				   "<Plugin %s>",
				   plugin, ci->key, plugin);
			return -1;
		}
		if (apply(plugin, o, conf, ci) != 0)
			return -1;
	}
	return 0;
}
