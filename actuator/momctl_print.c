/* SPDX-License-Identifier: Apache-2.0 */
/*
 * momctl_print.c: momctl's readable tables, one printer per kind of reply.
 * They print what they find and skip what they do not expect, so that a
 * newer server's extra fields never break an older momctl (--json shows
 * everything).  A reply whose top level is not of the documented type is
 * not the API's: -1, and momctl exits 4.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "momctl.h"

/* The string member key of o, or "" (never NULL, for printf). */
static const char *sget(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "";
}

/* A scalar as text; objects and arrays compactly. */
static void value_print(const json_t *v)
{
	char *s;

	if (json_is_string(v)) {
		fputs(json_string_value(v), stdout);
	} else if (json_is_integer(v)) {
		printf("%" JSON_INTEGER_FORMAT, json_integer_value(v));
	} else if (json_is_real(v)) {
		printf("%.15g", json_real_value(v));
	} else {
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
		fputs(s ? s : "?", stdout);
		free(s);
	}
}

static void kv_rec(const json_t *o, const char *prefix)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v)
	{
		if (json_is_object(v) && json_object_size(v)) {
			char sub[256];

			snprintf(sub, sizeof(sub), "%s%s.", prefix, key);
			kv_rec(v, sub);
			continue;
		}
		printf("%s%s: ", prefix, key);
		value_print(v);
		putchar('\n');
	}
}

int momctl_print_kv(const json_t *o)
{
	if (!json_is_object(o))
		return -1;
	kv_rec(o, "");
	return 0;
}

static void entity_rows(const char *entity, const json_t *row)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)row, key, v)
	{
		printf("%-20s %-24s ", entity, key);
		value_print(v);
		putchar('\n');
	}
}

int momctl_print_stats(const json_t *stats)
{
	const char *name;
	json_t *row;

	if (!json_is_object(stats))
		return -1;
	printf("%-20s %-24s %s\n", "ENTITY", "FIELD", "VALUE");
	entity_rows("host", json_object_get(stats, "host"));
	json_object_foreach(json_object_get(stats, "guests"), name, row)
	{
		char entity[160];

		snprintf(entity, sizeof(entity), "guest:%s", name);
		entity_rows(entity, row);
	}
	return 0;
}

int momctl_print_policies(const json_t *o)
{
	size_t i;
	json_t *p;

	if (!json_is_object(o))
		return -1;
	printf("%-32s %s\n", "NAME", "ORIGIN");
	json_array_foreach(json_object_get(o, "policies"), i, p)
	    printf("%-32s %s\n", sget(p, "name"), sget(p, "origin"));
	if (json_is_true(json_object_get(o, "replaced")))
		printf("(the set was replaced through the API: policy_dir is "
		       "ignored until \"momctl policies reset\")\n");
	return 0;
}

int momctl_print_effective(const json_t *o)
{
	size_t i;
	json_t *p;

	if (!json_is_object(o))
		return -1;
	json_array_foreach(json_object_get(o, "policies"), i, p)
	{
		char *s = json_dumps(json_object_get(p, "policy"),
				     JSON_INDENT(2) | JSON_PRESERVE_ORDER);

		printf("# %s\n%s\n", sget(p, "name"), s ? s : "null");
		free(s);
	}
	return 0;
}

static void controls_print(const char *subject, const json_t *ctl,
			   const json_t *why)
{
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)ctl, key, v)
	{
		const char *r = json_string_value(json_object_get(why, key));

		printf("%-20s %-24s %-12" JSON_INTEGER_FORMAT " %s\n", subject,
		       key, json_integer_value(v), r ? r : "");
	}
}

int momctl_print_plan(const json_t *o)
{
	const json_t *plan = json_object_get(o, "plan");
	const json_t *reasons = json_object_get(plan, "reasons");
	const json_t *errors = json_object_get(plan, "errors");
	const char *name;
	json_t *v;

	if (!json_is_object(o))
		return -1;
	printf("policies: %s, state: %s\n", sget(o, "policies"),
	       sget(o, "state"));
	printf("%-20s %-24s %-12s %s\n", "SUBJECT", "CONTROL", "VALUE",
	       "REASON");
	controls_print("host", json_object_get(plan, "host"),
		       json_object_get(reasons, "host"));
	controls_print("signal", json_object_get(plan, "signals"),
		       json_object_get(reasons, "signals"));
	json_object_foreach(json_object_get(plan, "guests"), name, v)
	{
		char subject[160];

		snprintf(subject, sizeof(subject), "guest:%s", name);
		controls_print(
		    subject, v,
		    json_object_get(json_object_get(reasons, "guests"), name));
	}
	if (json_is_string(json_object_get(errors, "host")))
		printf("error host: %s\n", sget(errors, "host"));
	json_object_foreach(json_object_get(errors, "guests"), name, v)
	    printf("error guest:%s: %s\n", name,
		   json_is_string(v) ? json_string_value(v) : "");
	return 0;
}

int momctl_print_actions(const json_t *arr)
{
	size_t i;
	json_t *a;

	if (!json_is_array(arr))
		return -1;
	printf("%-19s %-20s %-22s %12s %12s %-8s %s\n", "TIME", "SUBJECT",
	       "CONTROL", "OLD", "NEW", "RESULT", "REASON / DETAIL");
	json_array_foreach((json_t *)arr, i, a)
	{
		time_t t =
		    (time_t)(json_integer_value(json_object_get(a, "time_ms")) /
			     1000);
		const char *detail = sget(a, "detail");
		char when[32];
		struct tm tm;

		strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S",
			 localtime_r(&t, &tm));
		printf("%-19s %-20s %-22s %12" JSON_INTEGER_FORMAT
		       " %12" JSON_INTEGER_FORMAT " %-8s %s%s%s\n",
		       when, sget(a, "subject"), sget(a, "control"),
		       json_integer_value(json_object_get(a, "old")),
		       json_integer_value(json_object_get(a, "new")),
		       sget(a, "result"), sget(a, "reason"),
		       detail && detail[0] ? " / " : "", detail ? detail : "");
	}
	return 0;
}

int momctl_print_lines(const json_t *arr)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr))
		return -1;
	json_array_foreach((json_t *)arr, i, v)
	{
		value_print(v);
		putchar('\n');
	}
	return 0;
}
