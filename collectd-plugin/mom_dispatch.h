/* SPDX-License-Identifier: Apache-2.0 */
/*
 * mom_dispatch.h: how the read plugin hands a value to collectd.
 *
 * One value list per row of the metric contract (metric_rows.h), of
 * plugin "mom", stamped with the read's time, converted to the row's wire
 * unit and data source type, and carrying the origin mark (origin.h) by
 * which write_mom knows it from value lists of the same plugin that came
 * through the network plugin or unixsock.  A row momd does not consume
 * (sent only for dashboards, or momd's own decision dispatched back) also
 * carries the unused mark, so that write_mom leaves it out.  Glue: the
 * only callers of plugin_dispatch_values().
 */
#ifndef MOM_DISPATCH_H
#define MOM_DISPATCH_H

#include "core/daemon/collectd.h"

#include "core/daemon/plugin.h"
#include "core/utils/metadata/meta_data.h"

#include <stdbool.h>
#include <stdint.h>

#include "metric.h"
#include "plugin_metrics.h"

#define MOM_PLUGIN "mom"

/* A fresh meta holding the origin mark (collectd clones it per dispatch;
   the caller destroys it).  NULL when out of memory: the values then go
   out unmarked and write_mom drops them, which is the safe side. */
meta_data_t *mom_origin_meta(void);

/* A copy of meta with the unused mark added (the caller destroys it), or
   NULL when out of memory or meta is NULL: the value list then goes to
   momd, which ignores it, as before the mark existed. */
meta_data_t *mom_unused_meta(meta_data_t *meta);

/* One value list of type and type instance tinst at time t, as given. */
void mom_dispatch_at(cdtime_t t, const char *pinst, const char *type,
		     const char *tinst, value_t *values, size_t n,
		     meta_data_t *meta);

/* Contract row id's value at t: real when is_real, else ival, converted
   per the row (the union member its data source type names). */
void mom_dispatch_metric(cdtime_t t, const char *pinst, enum metric_id id,
			 double real, int64_t ival, bool is_real,
			 meta_data_t *meta);

/* Row row's values at t with type instance tinst (a disk's
   "<dev>-<row's>"), values already converted. */
void mom_dispatch_row(cdtime_t t, const char *pinst,
		      const struct metric_def *row, const char *tinst,
		      value_t *values, size_t n, meta_data_t *meta);

/* Two counters of one value list (plugin_metrics.h), when both are read. */
void mom_dispatch_pair(cdtime_t t, const char *pinst,
		       const struct plugin_metric_pair *p, const bool *present,
		       int64_t a, int64_t b, meta_data_t *meta);

#endif /* MOM_DISPATCH_H */
