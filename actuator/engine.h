/* SPDX-License-Identifier: Apache-2.0 */
/*
 * engine.h: the actuator's core loop and its shared state.
 *
 * The engine owns the sample store, the policy set in force, the parameter
 * values set through the API, the controllers and the action log.  Ingest
 * and API requests arrive on libmicrohttpd's threads; the cycle runs on the
 * main thread.  One mutex guards the store, the policies and the
 * parameters; a second one guards the controllers' state, so that a slow
 * libvirt call never blocks ingest.  Evaluation runs outside both, on an
 * immutable snapshot and a reference-counted policy set.
 */
#ifndef MOM_ENGINE_H
#define MOM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "conf.h"
#include "policy.h"
#include "snapshot.h"

struct engine;

/*
 * Create the engine: open the host backends, load the policies of
 * conf->policy_dir.  conf must outlive the engine.  Returns NULL with a
 * message in err.
 */
struct engine *engine_new(const struct conf *conf, char *err, size_t len);
void engine_free(struct engine *e);

/* One cycle: expire, snapshot, evaluate, apply, record. */
void engine_cycle(struct engine *e);

/*
 * Ingest a write_http JSON body.  Returns the HTTP status; *reply gets a
 * new JSON reference (the error, or the counts).
 */
int engine_ingest(struct engine *e, const char *body, size_t len,
		  json_t **reply);

/*
 * The state as one plain view is in engine_view.h.  The action log, which
 * has a lock of its own, as JSON (a new reference).
 */
json_t *engine_actions_json(struct engine *e, size_t limit);

/* Parameters: current values (defaults merged in), and a merge-update. */
json_t *engine_params_json(struct engine *e);
/* Returns 0, or -EINVAL with a message (unknown parameter, not a number)
   or -ENOMEM. */
int engine_params_update(struct engine *e, const json_t *updates, char *err,
			 size_t len);
/*
 * The values set through the API with updates merged in, checked but not
 * in force: *out (a new reference, for engine_params_restore() once
 * persisted).  Returns 0, or -EINVAL or -ENOMEM with a message.
 */
int engine_params_merge(struct engine *e, const json_t *updates, json_t **out,
			char *err, size_t len);

/*
 * The values set through the API only (no defaults), as a new reference:
 * what persists in state_dir/parameters.json.  NULL when out of memory.
 */
json_t *engine_params_set_json(struct engine *e);
/*
 * Put values in force (takes ownership): those of engine_params_merge(),
 * or back those of engine_params_set_json().
 */
void engine_params_restore(struct engine *e, json_t *values);

/*
 * Apply the options of a reloaded configuration that change live: the
 * balloon rails (from the next cycle), the interval shown by the status
 * and, when dry_run_changed, the dry-run mode (so that a reload does not
 * undo a PUT /v1/dry-run unless the file's value changed).  next is
 * borrowed for the call only; the engine keeps pointing at the
 * configuration it was made with for everything else.
 */
void engine_reconfigure(struct engine *e, const struct conf *next,
			bool dry_run_changed);

/*
 * fn(arg) is called on an ingest thread, with no engine lock held, after
 * a request stored a fresh host memory sample (what store_host_seen()
 * dates) or, with cycle_follows_samples, made the round of the newest one
 * complete (store_round_complete()).  Set it before the HTTP server
 * starts; fn must be cheap and must not call back into the engine.
 */
void engine_on_round(struct engine *e, void (*fn)(void *arg), void *arg);

/*
 * When the host's newest memory sample arrived (monotonic ms; 0: never),
 * and in *complete whether its round has arrived whole
 * (store_round_complete() now), read together under the lock.
 */
int64_t engine_host_round(struct engine *e, bool *complete);

void engine_set_dry_run(struct engine *e, bool on);
bool engine_dry_run(struct engine *e);

/*
 * Replace the whole policy set with a validated one (takes ownership of
 * ps).  The previous set is freed once no evaluation uses it.
 */
void engine_policies_swap(struct engine *e, struct policy_set *ps);

/*
 * Evaluate without applying anything: ps (borrowed) or, when NULL, the set
 * in force; against snap (borrowed) or, when NULL, the current samples and
 * parameters.  Evaluation runs outside the engine lock.  Returns the plan
 * as a new JSON reference (plan_to_json), or NULL: *no_state is then true
 * when there was no host sample to evaluate, *over when the evaluation
 * took longer than eval_budget_ms, neither when out of memory.
 */
json_t *engine_evaluate(struct engine *e, const struct policy_set *ps,
			const struct snapshot *snap, bool *no_state,
			bool *over);

/*
 * Run f with the policy set in force (borrowed; valid during the call, under
 * the engine lock).
 */
void engine_with_policies(struct engine *e,
			  void (*f)(const struct policy_set *ps, void *arg),
			  void *arg);

#endif /* MOM_ENGINE_H */
