/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mom_dispatch.c: how the read plugin hands a value to collectd
 * (mom_dispatch.h).
 */
#include "mom_dispatch.h"

#include "core/utils/common/common.h"

#include "origin.h"

meta_data_t *mom_origin_meta(void)
{
	meta_data_t *m = meta_data_create();

	if (m != NULL && meta_data_add_unsigned_int(m, ORIGIN_META_KEY,
						    origin_mark()) != 0) {
		meta_data_destroy(m);
		return NULL;
	}
	return m;
}

meta_data_t *mom_unused_meta(meta_data_t *meta)
{
	meta_data_t *m = meta != NULL ? meta_data_clone(meta) : NULL;

	if (m != NULL &&
	    meta_data_add_boolean(m, ORIGIN_UNUSED_META_KEY, true) != 0) {
		meta_data_destroy(m);
		return NULL;
	}
	return m;
}

void mom_dispatch_at(cdtime_t t, const char *pinst, const char *type,
		     const char *tinst, value_t *values, size_t n,
		     meta_data_t *meta)
{
	value_list_t vl = VALUE_LIST_INIT;

	vl.values = values;
	vl.values_len = n;
	vl.time = t;
	vl.meta = meta;
	sstrncpy(vl.plugin, MOM_PLUGIN, sizeof(vl.plugin));
	sstrncpy(vl.plugin_instance, pinst, sizeof(vl.plugin_instance));
	sstrncpy(vl.type, type, sizeof(vl.type));
	sstrncpy(vl.type_instance, tinst, sizeof(vl.type_instance));
	plugin_dispatch_values(&vl);
}

void mom_dispatch_row(cdtime_t t, const char *pinst,
		      const struct metric_def *row, const char *tinst,
		      value_t *values, size_t n, meta_data_t *meta)
{
	meta_data_t *unused =
	    row->role != METRIC_CONSUMED ? mom_unused_meta(meta) : NULL;

	mom_dispatch_at(t, pinst, row->type, tinst, values, n,
			unused != NULL ? unused : meta);
	meta_data_destroy(unused);
}

void mom_dispatch_metric(cdtime_t t, const char *pinst, enum metric_id id,
			 double real, int64_t ival, bool is_real,
			 meta_data_t *meta)
{
	const struct metric_def *m = &metric_defs[id];
	value_t v;

	if (m->dstype == METRIC_DERIVE)
		v.derive = (derive_t)metric_to_wire_int(m, ival);
	else
		v.gauge = metric_to_wire(m, is_real ? real : (double)ival);
	mom_dispatch_row(t, pinst, m, m->type_instance, &v, 1, meta);
}

void mom_dispatch_pair(cdtime_t t, const char *pinst,
		       const struct plugin_metric_pair *p, const bool *present,
		       int64_t a, int64_t b, meta_data_t *meta)
{
	const struct metric_def *m = &metric_defs[p->row];
	value_t v[2];

	if (!present[p->first] || !present[p->second])
		return;
	v[0].derive = (derive_t)metric_to_wire_int(m, a);
	v[1].derive = (derive_t)metric_to_wire_int(m + 1, b);
	mom_dispatch_row(t, pinst, m, m->type_instance, v, 2, meta);
}
