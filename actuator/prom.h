/* SPDX-License-Identifier: Apache-2.0 */
/*
 * prom.h: the actuator's decisions and counters in the Prometheus text
 * exposition format (version 0.0.4), served by GET /metrics.
 *
 * The text is rendered from the same view of the engine as the REST
 * bodies (engine_view.h, api_json.c), so it shows exactly what the REST API
 * shows: balloon targets per guest (applied and planned), the planned KSM
 * settings, actions by result, the evaluation time and the ingest
 * counters.  Beside them, the HTTP server's counts of what it refused and
 * cut (http.h), which the handler passes in.  Metric names, types and
 * units are listed in README.md "Metrics" (section "momd's own metrics").
 *
 * prom_render() is pure (no I/O, no locks); prom_render_engine() takes the
 * view of a live engine and may be called from any thread.
 */
#ifndef MOM_PROM_H
#define MOM_PROM_H

#include "engine_view.h"
#include "http.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/*
 * Render a view (ENGINE_VIEW_STATUS, _PLAN and _SAMPLES; a part not taken
 * contributes nothing) and the HTTP server's counts h (NULL: none, their
 * families are left out).  Returns a new NUL-terminated string (free()
 * it), or NULL when out of memory.
 */
char *prom_render(const struct engine_view *v, const struct http_counts *h);

/* prom_render() of e's current views and h; NULL when out of memory. */
char *prom_render_engine(struct engine *e, const struct http_counts *h);

#endif /* MOM_PROM_H */
