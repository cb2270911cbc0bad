/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metric.c: the metric contract's table (expanded from metric_rows.h) and
 * its lookup and unit conversions.  Constant data, pure functions.
 */
#include "metric.h"

#include <math.h>
#include <string.h>

#include "field.h"

const struct metric_def metric_defs[METRIC_NR] = {
/* Parameter names differ from the members, which are designated. */
#define METRIC(id, k, r, f, t, ti, dsn, dst, cv, u, desc)                      \
	[METRIC_##id] = {.kind = METRIC_##k,                                   \
			 .role = METRIC_##r,                                   \
			 .field = (f),                                         \
			 .type = (t),                                          \
			 .type_instance = (ti),                                \
			 .ds = (dsn),                                          \
			 .dstype = METRIC_##dst,                               \
			 .conv = METRIC_CONV_##cv,                             \
			 .unit = (u),                                          \
			 .description = (desc)},
#include "metric_rows.h"
#undef METRIC
};

static const char *const kind_names[METRIC_KIND_NR] = {
    [METRIC_HOST] = "host",
    [METRIC_GUEST] = "guest",
    [METRIC_DISK] = "disk",
};

const char *metric_kind_name(enum metric_kind k)
{
	return (unsigned)k < METRIC_KIND_NR ? kind_names[k] : "?";
}

int metric_from_agent(const struct metric_def *d)
{
	return d >= &metric_defs[METRIC_GUEST_AGENT_PSI_SOME_AVG10] &&
	       d <= &metric_defs[METRIC_GUEST_AGENT_AGE];
}

const char *metric_field_name(const struct metric_def *d)
{
	if (d->field < 0)
		return NULL;
	switch (d->kind) {
	case METRIC_HOST:
		return d->field < HOST_FIELD_COUNT ? host_fields[d->field].name
						   : NULL;
	case METRIC_GUEST:
		return d->field < GUEST_FIELD_COUNT
			   ? guest_fields[d->field].name
			   : NULL;
	case METRIC_DISK:
		return d->field < DISK_FIELD_COUNT ? disk_fields[d->field].name
						   : NULL;
	case METRIC_KIND_NR:
		break;
	}
	return NULL;
}

static int same_ident(const struct metric_def *d, enum metric_kind k,
		      const char *type, const char *tinst)
{
	return d->kind == k && d->type != NULL && strcmp(d->type, type) == 0 &&
	       strcmp(d->type_instance, tinst) == 0;
}

const struct metric_def *metric_lookup(enum metric_kind k, const char *type,
				       const char *type_instance, size_t *n)
{
	*n = 0;
	for (size_t i = 0; i < METRIC_NR; i++) {
		if (!same_ident(&metric_defs[i], k, type, type_instance))
			continue;
		/* Rows of one identifier are adjacent (metric_rows.h). */
		while (i + *n < METRIC_NR &&
		       same_ident(&metric_defs[i + *n], k, type, type_instance))
			(*n)++;
		return &metric_defs[i];
	}
	return NULL;
}

double metric_to_wire(const struct metric_def *d, double native)
{
	switch (d->conv) {
	case METRIC_CONV_KIB:
		return native * 1024.0;
	case METRIC_CONV_MS:
	case METRIC_CONV_US:
		return native * 0.001;
	case METRIC_CONV_NONE:
		break;
	}
	return native;
}

int64_t metric_to_wire_int(const struct metric_def *d, int64_t native)
{
	switch (d->conv) {
	case METRIC_CONV_KIB:
		return native * 1024;
	case METRIC_CONV_MS:
	case METRIC_CONV_US:
		return native / 1000;
	case METRIC_CONV_NONE:
		break;
	}
	return native;
}

double metric_from_wire(const struct metric_def *d, double wire)
{
	switch (d->conv) {
	case METRIC_CONV_KIB:
		return wire / 1024.0;
	case METRIC_CONV_MS:
		return field_present(wire) ? round(wire * 1000.0) : wire;
	case METRIC_CONV_US:
		return wire * 1000.0;
	case METRIC_CONV_NONE:
		break;
	}
	return wire;
}

int metric_disk_dev_valid(const char *s)
{
	size_t n = 0;

	if (!s || !(*s >= 'a' && *s <= 'z'))
		return 0;
	for (; s[n]; n++)
		if (!((s[n] >= 'a' && s[n] <= 'z') ||
		      (s[n] >= '0' && s[n] <= '9')))
			return 0;
	return n <= 31;
}
