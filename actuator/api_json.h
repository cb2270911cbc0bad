/* SPDX-License-Identifier: Apache-2.0 */
/*
 * api_json.h: the REST bodies of the engine's state, rendered from one view
 * (engine_view.h).  Pure: no locks, no I/O.  Each returns a new reference,
 * or NULL when out of memory.
 */
#ifndef MOM_API_JSON_H
#define MOM_API_JSON_H

#include <jansson.h>

#include "engine_view.h"

/* GET /v1/status (needs ENGINE_VIEW_STATUS). */
json_t *api_json_status(const struct engine_view *v);
/* GET /v1/stats, MOM's getStatistics: the latest sample of the host and
   of each guest (ENGINE_VIEW_SAMPLES). */
json_t *api_json_stats(const struct engine_view *v);
/* GET /v1/guests, MOM's getActiveGuests (ENGINE_VIEW_SAMPLES). */
json_t *api_json_guests(const struct engine_view *v);
/* GET /v1/plan: {"plan": plan or null, "applied": {guest: {"target",
   "following"}}} (ENGINE_VIEW_PLAN). */
json_t *api_json_plan(const struct engine_view *v);

#endif /* MOM_API_JSON_H */
