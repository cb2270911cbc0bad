/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metric_doc.c: the metric contract (actuator/metric_rows.h) as README.md
 * shows it and as the integration tests list it.
 *
 *   metric_doc --table host|guest|disk   README's table of that kind's
 *                                        values (decisions excluded)
 *   metric_doc --table decisions         README's table of momd's decisions
 *   metric_doc --series [--no-agent]     one dispatched series per line:
 *                                        KIND TYPE TYPE_INSTANCE DS ("-"
 *                                        for an empty one); --no-agent
 *                                        leaves out the guest-agent rows
 *                                        (test-driver guests have none);
 *                                        a disk's TYPE_INSTANCE is its
 *                                        name without the "<dev>-"
 *
 * tests/it/metrics_doc.sh checks README's tables against --table exactly
 * (and rewrites them with REGENERATE=1); graphite_influx.sh and
 * dashboards.sh take the series to check from --series.
 */
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "metric.h"

#define GRAPHITE_HOST "collectd.hv01"
#define EXAMPLE_GUEST "g1"
#define EXAMPLE_DISK  "vda"

/* `type-type_instance` (or `type`), then the data source; a disk's type
   instance starts with its device, `<dev>-`. */
static void print_ident(const struct metric_def *d)
{
	printf("`%s%s%s%s`", d->type, d->type_instance[0] ? "-" : "",
	       d->kind == METRIC_DISK ? "<dev>-" : "", d->type_instance);
	if (d->ds != NULL)
		printf(" (DS `%s`)", d->ds);
}

static void print_graphite(const struct metric_def *d)
{
	printf("`%s.mom%s%s.%s%s%s%s%s%s`", GRAPHITE_HOST,
	       d->kind == METRIC_HOST ? "" : "-",
	       d->kind == METRIC_HOST ? "" : EXAMPLE_GUEST, d->type,
	       d->type_instance[0] ? "-" : "",
	       d->kind == METRIC_DISK ? EXAMPLE_DISK "-" : "", d->type_instance,
	       d->ds != NULL ? "." : "", d->ds != NULL ? d->ds : "");
}

static void print_first_cell(const struct metric_def *d, bool decisions)
{
	const char *name = metric_field_name(d);

	if (decisions)
		printf("| %s | ", metric_kind_name(d->kind));
	else if (d->role == METRIC_SENT_ONLY)
		printf("| — (sent only) | ");
	else
		printf("| `%s` | ", name != NULL ? name : "?");
}

static void print_row(const struct metric_def *d, bool decisions)
{
	print_first_cell(d, decisions);
	if (d->role == METRIC_DERIVED)
		printf("— (derived by momd)");
	else
		print_ident(d);
	printf(" | %s | %s | ", d->unit, d->description);
	if (d->role == METRIC_DERIVED)
		printf("—");
	else
		print_graphite(d);
	printf(" |\n");
}

static int print_table(const char *which)
{
	bool decisions = strcmp(which, "decisions") == 0;
	int kind = -1; /* an enum metric_kind once found */

	for (int k = 0; k < (int)METRIC_KIND_NR; k++)
		if (strcmp(which, metric_kind_name(k)) == 0)
			kind = k;
	if (!decisions && kind < 0) {
		fprintf(stderr, "metric_doc: no table \"%s\"\n", which);
		return 2;
	}
	printf("| %s | collectd identifier (`mom%s/…`) | unit | description "
	       "| Graphite path |\n|---|---|---|---|---|\n",
	       decisions ? "scope" : "MOM field",
	       decisions ? "[-<domain>]"
			 : (kind == METRIC_HOST ? "" : "-<domain>"));
	for (int i = 0; i < METRIC_NR; i++) {
		const struct metric_def *d = &metric_defs[i];

		if (decisions
			? d->role == METRIC_DECISION
			: (int)d->kind == kind && d->role != METRIC_DECISION)
			print_row(d, decisions);
	}
	return 0;
}

static void print_series(bool agent)
{
	for (int i = 0; i < METRIC_NR; i++) {
		const struct metric_def *d = &metric_defs[i];

		if (d->role == METRIC_DERIVED ||
		    (!agent && metric_from_agent(d)))
			continue;
		printf("%s %s %s %s\n", metric_kind_name(d->kind), d->type,
		       d->type_instance[0] ? d->type_instance : "-",
		       d->ds != NULL ? d->ds : "-");
	}
}

int main(int argc, char **argv)
{
	if ((argc == 2 || (argc == 3 && strcmp(argv[2], "--no-agent") == 0)) &&
	    strcmp(argv[1], "--series") == 0) {
		print_series(argc == 2);
		return 0;
	}
	if (argc == 3 && strcmp(argv[1], "--table") == 0)
		return print_table(argv[2]);
	fprintf(stderr, "usage: metric_doc --table host|guest|disk|decisions | "
			"--series [--no-agent]\n");
	return 2;
}
