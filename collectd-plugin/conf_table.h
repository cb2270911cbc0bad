/* SPDX-License-Identifier: Apache-2.0 */
/*
 * conf_table.h: both plugins parse their <Plugin> block the same way,
 * through a table of option descriptors (name, kind, where the value goes,
 * range) instead of an if/else chain.  Options are matched without regard
 * to case, as collectd's own plugins do; an unknown option, a value of the
 * wrong type or out of range, or an option given twice (but a list one,
 * CONF_CUSTOM, which repeats) is an error that names the option, logged
 * once, and stops the parse.
 *
 * This is glue: it includes collectd's headers (oconfig_item_t, cf_util_*)
 * and logs through plugin_log, like the plugins' two glue files mom.c and
 * write_mom.c, its only users.
 */
#ifndef MOM_CONF_TABLE_H
#define MOM_CONF_TABLE_H

#include "core/daemon/collectd.h"

#include "core/daemon/plugin.h"

#include <stddef.h>

enum conf_kind {
	CONF_STRING, /* char *, replaced (the old value freed) */
	CONF_BOOL,   /* bool */
	CONF_INT,    /* int within [min, max] */
	CONF_CUSTOM, /* parse(conf, ci) does it and logs its own errors */
};

struct conf_option {
	const char *name;
	enum conf_kind kind;
	size_t offset; /* of the field in the plugin's configuration struct */
	int min, max;  /* CONF_INT */
	int (*parse)(void *conf, const oconfig_item_t *ci); /* CONF_CUSTOM */
};

/* Descriptor helpers: T is the configuration struct, F its field. */
#define CONF_OPT_STRING(N, T, F)                                               \
	{                                                                      \
		N, CONF_STRING, offsetof(T, F), 0, 0, NULL                     \
	}
#define CONF_OPT_BOOL(N, T, F)                                                 \
	{                                                                      \
		N, CONF_BOOL, offsetof(T, F), 0, 0, NULL                       \
	}
#define CONF_OPT_INT(N, T, F, MIN, MAX)                                        \
	{                                                                      \
		N, CONF_INT, offsetof(T, F), MIN, MAX, NULL                    \
	}
#define CONF_OPT_CUSTOM(N, FN)                                                 \
	{                                                                      \
		N, CONF_CUSTOM, 0, 0, 0, FN                                    \
	}

/* Applies every child of block to conf through opts.  plugin names the
   plugin in messages ("mom", "write_mom").  Returns 0 or -1 (logged). */
int conf_table_parse(const char *plugin, const struct conf_option *opts,
		     size_t nopts, void *conf, const oconfig_item_t *block);

#endif /* MOM_CONF_TABLE_H */
