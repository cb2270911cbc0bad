/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval.c: runs a compiled policy set against a snapshot (eval.h).
 *
 * Program order is MOM's: policy by policy in name order; within a policy
 * its host rules, then its guest rules for each guest in snapshot order,
 * then its disk rules for each disk (issue 17) in snapshot order.
 * Values are doubles and NaN is "absent".  The semantics follow MOM's
 * Python evaluator where it defines them: an absent value in arithmetic,
 * in an ordering comparison, in min/max or abs is an error; == and !=
 * compare absent values (absent == absent); division by zero is an error;
 * "and"/"or" evaluate every operand and give 0 or 1; truth is "present and
 * non-zero".  An arithmetic result that is not a number (inf - inf) is an
 * error too, so NaN never stands for anything but "absent".
 *
 * Errors are isolated: a failing guest loses its own controls only; a
 * failing disk its own only (its guest's and the other disks' stand); a
 * failing host rule loses the host's controls and signals only.
 *
 * Purity: no I/O, no locks, no globals; the clock only for a deadline.  The
 * only allocations are the plan, one variable array per call and the text of
 * error messages.
 */
#define MOM_POLICY_PRIV_ALLOW
#include "eval.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evstate.h"
#include "glob.h"
#include "policy_priv.h"

enum ev_rc { EV_OK, EV_STOP, EV_ERR };

struct ectx {
	const struct policy_set *ps;
	const struct snapshot *snap;
	const struct snap_entity *ent;	/* the entity the rule runs for */
	const struct snap_entity *gent; /* a disk rule's guest, else NULL */
	size_t width;			/* its row width */
	const char *name;		/* its name */
	double *env;
	unsigned char *assigned; /* per slot: a let has run */
	const struct rule *rule;
	struct plan_value *ctl;	   /* the entity's controls */
	struct plan_value *signal; /* host rules only */
	char emsg[200];		   /* the failure, without context */
	const struct pseg *epath;
	const struct timespec *deadline; /* or NULL */
	unsigned long steps;		 /* nodes and samples visited */
	bool over;			 /* the deadline passed: abandon */
	/* State (evstate.h): rows of ps->nstate, the host's then each
	   guest's; `row` is the current entity's.  Reads see the last
	   cycle's (st_in), keeps write st_out. */
	size_t row;
	double *st_in, *st_out;
	/* Aggregates: each one's value, computed once per evaluation (it
	   reads nothing that changes during the evaluation). */
	double *agg;
	/* 0 not yet, 1 computed, 2 failed in a guest, 3 not finite */
	unsigned char *agg_ok;
	size_t *agg_bad; /* when failed: the guest it failed for */
};

/* Count n steps; every 4096 look at the deadline.  True when over. */
static bool ev_step(struct ectx *c, unsigned long n)
{
	struct timespec now;
	unsigned long before = c->steps;

	c->steps += n;
	if (!c->deadline || c->over || before >> 12 == c->steps >> 12)
		return c->over;
	clock_gettime(CLOCK_MONOTONIC, &now);
	c->over = now.tv_sec > c->deadline->tv_sec ||
		  (now.tv_sec == c->deadline->tv_sec &&
		   now.tv_nsec >= c->deadline->tv_nsec);
	return c->over;
}

static double hist_avg(const struct snap_entity *e, size_t width, int f)
{
	/* cost: e->len steps (ev_num counts them) */
	double sum = 0.0;
	size_t n = 0;

	for (size_t i = 0; i < e->len; i++) {
		double v = e->values[i * width + (size_t)f];

		if (field_present(v)) {
			sum += v;
			n++;
		}
	}
	return n ? sum / (double)n : 0.0;
}

__attribute__((format(printf, 3, 4))) static int
ev_fail(struct ectx *c, const struct xnode *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->emsg, sizeof(c->emsg), fmt, ap);
	va_end(ap);
	c->epath = n->path;
	return -1;
}

static int ev_num(struct ectx *c, const struct xnode *n, double *out);

/* Evaluate argument i of n, which must be present. */
static int ev_arg(struct ectx *c, const struct xnode *n, unsigned i,
		  double *out)
{
	const struct xnode *a = &n->args[i];

	if (ev_num(c, a, out))
		return -1;
	if (field_present(*out))
		return 0;
	if (a->s && a->op != XOP_STR)
		return ev_fail(c, n, "'%s' got an absent value (%s)", n->opname,
			       a->s);
	return ev_fail(c, n, "'%s' got an absent value (argument %u)",
		       n->opname, i + 1);
}

static int ev_result(struct ectx *c, const struct xnode *n, double v,
		     double *out)
{
	if (!field_present(v))
		return ev_fail(c, n, "'%s' gave a result that is not a number",
			       n->opname);
	*out = v;
	return 0;
}

static int ev_arith(struct ectx *c, const struct xnode *n, double *out)
{
	double acc, v;

	if (ev_arg(c, n, 0, &acc))
		return -1;
	if (n->op == XOP_NEG)
		return ev_result(c, n, -acc, out);
	if (n->op == XOP_ABS)
		return ev_result(c, n, fabs(acc), out);
	for (unsigned i = 1; i < n->nargs; i++) {
		if (ev_arg(c, n, i, &v))
			return -1;
		switch (n->op) {
		case XOP_ADD:
			acc = acc + v;
			break;
		case XOP_SUB:
			acc = acc - v;
			break;
		case XOP_MUL:
			acc = acc * v;
			break;
		case XOP_DIV:
			if (v == 0.0)
				return ev_fail(c, n, "division by zero");
			acc = acc / v;
			break;
		case XOP_MIN:
			if (v < acc)
				acc = v;
			break;
		default: /* XOP_MAX: the first of equal values wins */
			if (v > acc)
				acc = v;
			break;
		}
	}
	return ev_result(c, n, acc, out);
}

static int ev_compare(struct ectx *c, const struct xnode *n, double *out)
{
	double a, b;
	bool r;

	if (n->op == XOP_EQ || n->op == XOP_NE) {
		if (ev_num(c, &n->args[0], &a) || ev_num(c, &n->args[1], &b))
			return -1;
		r = (isnan(a) && isnan(b)) || a == b;
		*out = (n->op == XOP_EQ) == r;
		return 0;
	}
	if (ev_arg(c, n, 0, &a) || ev_arg(c, n, 1, &b))
		return -1;
	switch (n->op) {
	case XOP_LT:
		r = a < b;
		break;
	case XOP_LE:
		r = a <= b;
		break;
	case XOP_GT:
		r = a > b;
		break;
	default:
		r = a >= b;
		break;
	}
	*out = r;
	return 0;
}

static bool truthy(double v)
{
	return field_present(v) && v != 0.0;
}

static int ev_logic(struct ectx *c, const struct xnode *n, double *out)
{
	bool any = false, all = true;
	double v;

	for (unsigned i = 0; i < n->nargs; i++) {
		if (ev_num(c, &n->args[i], &v))
			return -1;
		any |= truthy(v);
		all &= truthy(v);
	}
	*out = n->op == XOP_AND ? all : n->op == XOP_OR ? any : !any;
	return 0;
}

static const char *ev_str(const struct ectx *c, const struct xnode *n)
{
	return n->op == XOP_NAME ? c->name : n->s;
}

static int ev_special(struct ectx *c, const struct xnode *n, double *out)
{
	double v;

	switch (n->op) {
	case XOP_IF:
		if (ev_num(c, &n->args[0], &v))
			return -1;
		return ev_num(c, &n->args[truthy(v) ? 1 : 2], out);
	case XOP_ABSENT:
	case XOP_PRESENT:
		if (ev_num(c, &n->args[0], &v))
			return -1;
		*out = field_present(v) == (n->op == XOP_PRESENT);
		return 0;
	case XOP_DEFAULT:
		if (ev_num(c, &n->args[0], out))
			return -1;
		return field_present(*out) ? 0 : ev_num(c, &n->args[1], out);
	case XOP_GLOB:
		*out = glob_match(n->s, c->name);
		return 0;
	case XOP_SEQ:
	case XOP_SNE:
		*out =
		    (strcmp(ev_str(c, &n->args[0]), ev_str(c, &n->args[1])) ==
		     0) == (n->op == XOP_SEQ);
		return 0;
	default:
		return ev_fail(c, n, "internal error: operator %d", n->op);
	}
}

/* Add args[0] of aggregate n for guests [from, to) to *acc, each in its
   guest's context; on an error *bad is the guest it failed for. */
static int agg_guests(struct ectx *c, const struct xnode *n, size_t from,
		      size_t to, double *acc, size_t *bad)
{
	const struct snap_entity *ent = c->ent;
	const char *name = c->name;
	size_t width = c->width, row = c->row;
	double v;
	int rc = 0;

	c->width = GUEST_FIELD_COUNT;
	for (size_t g = from; g < to; g++) {
		c->ent = &c->snap->guests[g];
		c->name = c->ent->name ? c->ent->name : "";
		c->row = g + 1;
		rc = ev_num(c, &n->args[0], &v);
		if (rc) {
			*bad = g;
			break;
		}
		if (n->op == XOP_GCOUNT)
			*acc += field_present(v) && v != 0.0;
		else if (field_present(v))
			*acc += v;
	}
	c->ent = ent;
	c->name = name;
	c->width = width;
	c->row = row;
	return rc;
}

/*
 * guests_sum / guests_count: args[0] in each guest's context, once per
 * evaluation.  Its inputs do not change during the evaluation, so a
 * failure is remembered too: every guest that reads the aggregate gets
 * the error again from the one guest it failed for, not from a new pass
 * over the guests before it (which made one guest without a statistic
 * cost a pass per reader, quadratic in the guests, and took a host of a
 * few thousand guests over eval_budget_ms: a cycle skipped for all).
 * The error names that guest: it is not the one whose rule reports it.
 */
static int ev_aggregate(struct ectx *c, const struct xnode *n, double *out)
{
	size_t bad = 0, ng = c->snap->nguests;
	double acc = 0.0;
	int rc;

	if (c->agg_ok[n->idx] == 1) {
		*out = c->agg[n->idx];
		return 0;
	}
	if (c->agg_ok[n->idx] == 3)
		goto not_finite;
	if (c->agg_ok[n->idx] == 2) {
		bad = c->agg_bad[n->idx];
		rc = agg_guests(c, n, bad, bad + 1, &acc, &bad);
		acc = 0.0;
		/* Failed again, as it must; otherwise compute it afresh. */
		if (!rc)
			rc = agg_guests(c, n, 0, ng, &acc, &bad);
	} else {
		rc = agg_guests(c, n, 0, ng, &acc, &bad);
	}
	if (rc) {
		size_t len = strlen(c->emsg);
		const char *gname = c->snap->guests[bad].name;

		if (!c->over) {
			c->agg_ok[n->idx] = 2;
			c->agg_bad[n->idx] = bad;
		}
		snprintf(c->emsg + len, sizeof(c->emsg) - len,
			 " for guest '%s'", gname ? gname : "");
		return -1;
	}
	if (!isfinite(acc)) {
		c->agg_ok[n->idx] = 3;
	not_finite:
		return ev_fail(c, n, "'%s' gave a result that is not finite",
			       n->opname);
	}
	c->agg[n->idx] = acc;
	c->agg_ok[n->idx] = 1;
	*out = acc;
	return 0;
}

static int ev_num(struct ectx *c, const struct xnode *n, double *out)
{
	const struct snap_entity *h = &c->snap->host;

	if (ev_step(c, n->op == XOP_AVG	    ? 1 + c->ent->len
		       : n->op == XOP_HAVG  ? 1 + h->len
		       : n->op == XOP_GUAVG ? 1 + c->gent->len
					    : 1))
		return ev_fail(c, n, "over the evaluation time budget");
	switch (n->op) {
	case XOP_CONST:
		*out = n->k;
		return 0;
	case XOP_GVAR:
		if (!c->assigned[n->idx])
			return ev_fail(
			    c, n,
			    "host variable '%s' was not computed this cycle "
			    "(its rule stopped or failed)",
			    n->s);
		/* fall through */
	case XOP_VAR:
	case XOP_PARAM:
		*out = c->env[n->idx];
		return 0;
	case XOP_STAT:
		*out = snap_latest(c->ent, c->width, n->idx);
		return 0;
	case XOP_AVG:
		*out = hist_avg(c->ent, c->width, n->idx);
		return 0;
	case XOP_HSTAT:
		*out = snap_latest(h, HOST_FIELD_COUNT, n->idx);
		return 0;
	case XOP_HAVG:
		*out = hist_avg(h, HOST_FIELD_COUNT, n->idx);
		return 0;
	case XOP_GUSTAT: /* compiled in disk rules only: gent is set */
		*out = snap_latest(c->gent, GUEST_FIELD_COUNT, n->idx);
		return 0;
	case XOP_GUAVG:
		*out = hist_avg(c->gent, GUEST_FIELD_COUNT, n->idx);
		return 0;
	case XOP_STATE:
		*out = c->st_in[c->row * c->ps->nstate + (size_t)n->idx];
		return 0;
	case XOP_OSTAT:
		*out = n->idx < 0 ? FIELD_ABSENT
				  : snap_latest(c->ent, c->width, n->idx);
		return 0;
	case XOP_GSUM:
	case XOP_GCOUNT:
		return ev_aggregate(c, n, out);
	case XOP_ADD:
	case XOP_SUB:
	case XOP_NEG:
	case XOP_MUL:
	case XOP_DIV:
	case XOP_MIN:
	case XOP_MAX:
	case XOP_ABS:
		return ev_arith(c, n, out);
	case XOP_LT:
	case XOP_LE:
	case XOP_GT:
	case XOP_GE:
	case XOP_EQ:
	case XOP_NE:
		return ev_compare(c, n, out);
	case XOP_AND:
	case XOP_OR:
	case XOP_NOT:
		return ev_logic(c, n, out);
	default:
		return ev_special(c, n, out);
	}
}

/* A reason input's value; leaves never fail, an unset variable is NaN. */
static double ev_leaf(struct ectx *c, const struct xnode *n)
{
	double v = FIELD_ABSENT;

	if (n->op == XOP_GVAR && !c->assigned[n->idx])
		return v;
	if (ev_num(c, n, &v))
		return FIELD_ABSENT;
	return v;
}

static int ex_set(struct ectx *c, const struct stmt *s)
{
	struct plan_value *pv;
	double v;

	if (ev_num(c, &s->expr, &v))
		return -1;
	if (!field_present(v) && s->expr.s && s->expr.op != XOP_STR)
		return ev_fail(c, &s->expr,
			       "control set to an absent value (%s)",
			       s->expr.s);
	if (!field_present(v))
		return ev_fail(c, &s->expr, "control set to an absent value");
	if (!isfinite(v) || v >= 9223372036854775808.0 ||
	    v < -9223372036854775808.0)
		return ev_fail(c, &s->expr, "control value %g is out of range",
			       v);
	pv = s->set_kind == SET_SIGNAL ? &c->signal[s->control]
				       : &c->ctl[s->control];
	pv->set = true;
	pv->value = (int64_t)v;
	pv->reason.policy = c->rule->policy;
	pv->reason.rule = c->rule->name;
	pv->reason.ninputs = s->ninputs;
	for (unsigned i = 0; i < s->ninputs; i++) {
		pv->reason.inputs[i].name = s->inputs[i].label;
		pv->reason.inputs[i].value = ev_leaf(c, &s->inputs[i].leaf);
	}
	return 0;
}

static enum ev_rc ex_block(struct ectx *c, const struct block *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct stmt *s = &b->s[i];
		enum ev_rc rc;
		double v;

		switch (s->op) {
		case SOP_LET:
			if (ev_num(c, &s->expr, &c->env[s->slot]))
				return EV_ERR;
			c->assigned[s->slot] = 1;
			break;
		case SOP_IF:
			if (ev_num(c, &s->expr, &v))
				return EV_ERR;
			rc = ex_block(c, truthy(v) ? &s->then_b : &s->else_b);
			if (rc != EV_OK)
				return rc;
			break;
		case SOP_SET:
			if (ex_set(c, s))
				return EV_ERR;
			break;
		case SOP_KEEP:
			if (ev_num(c, &s->expr, &v))
				return EV_ERR;
			/* State goes out as JSON, which has no infinity: a
			   value that overflowed made the plan unprintable. */
			if (field_present(v) && !isfinite(v)) {
				ev_fail(c, &s->expr,
					"state '%s' kept a value that is not "
					"finite",
					c->ps->state_names[s->control]);
				return EV_ERR;
			}
			c->st_out[c->row * c->ps->nstate + (size_t)s->control] =
			    v;
			break;
		default:
			return EV_STOP;
		}
	}
	return EV_OK;
}

/* Run one rule; on failure return a new message with its context. */
static int ex_rule(struct ectx *c, const struct rule *r, char **msg)
{
	char path[256];
	size_t len;

	c->rule = r;
	c->epath = NULL;
	if (ex_block(c, &r->body) != EV_ERR)
		return 0;
	pseg_format(c->epath, path, sizeof(path));
	len = strlen(r->policy) + strlen(r->name) + strlen(c->emsg) +
	      strlen(path) + 16;
	*msg = malloc(len);
	if (*msg)
		snprintf(*msg, len, "%s/%s: %s at %s", r->policy, r->name,
			 c->emsg, path);
	return -1;
}

/* A failed entity keeps its last cycle's state, as it loses its
   controls. */
static void state_restore(struct ectx *c, size_t row)
{
	size_t k = c->ps->nstate;

	if (k)
		memcpy(&c->st_out[row * k], &c->st_in[row * k],
		       k * sizeof(double));
}

static int ev_host(struct ectx *c, const struct cpolicy *p, struct plan *plan)
{
	c->ent = &c->snap->host;
	c->width = HOST_FIELD_COUNT;
	c->name = "host";
	c->row = 0;
	c->ctl = plan->host;
	c->signal = plan->signal;
	for (size_t i = 0; i < p->nhost; i++) {
		if (ex_rule(c, &p->host[i], &plan->host_error) == 0)
			continue;
		if (c->over)
			return -1;
		memset(plan->host, 0, sizeof(plan->host));
		memset(plan->signal, 0, sizeof(plan->signal));
		state_restore(c, 0);
		return plan->host_error ? 0 : -1;
	}
	return 0;
}

static int ev_guests(struct ectx *c, const struct cpolicy *p, struct plan *plan)
{
	c->width = GUEST_FIELD_COUNT;
	c->signal = NULL;
	for (size_t g = 0; g < plan->nguests; g++) {
		struct plan_guest *pg = &plan->guests[g];

		c->ent = &c->snap->guests[g];
		c->name = pg->name;
		c->ctl = pg->ctl;
		c->row = g + 1;
		for (size_t i = 0; i < p->nguest && !pg->error; i++) {
			if (ex_rule(c, &p->guest[i], &pg->error) == 0)
				continue;
			if (c->over)
				return -1;
			memset(pg->ctl, 0, sizeof(pg->ctl));
			state_restore(c, g + 1);
			if (!pg->error)
				return -1;
		}
	}
	return 0;
}

/* A disk rule sees the disk's fields, its guest's (gent) and the host's;
   name and glob are its guest's name. */
static int ev_disks(struct ectx *c, const struct cpolicy *p, struct plan *plan)
{
	c->width = DISK_FIELD_COUNT;
	c->signal = NULL;
	for (size_t d = 0; d < plan->ndisks && p->ndisk; d++) {
		struct plan_disk *pd = &plan->disks[d];

		c->ent = &c->snap->disks[d].e;
		c->gent = &c->snap->guests[pd->guest];
		c->name = plan->guests[pd->guest].name;
		c->ctl = pd->ctl;
		c->row = pd->guest + 1; /* no state in disk rules */
		for (size_t i = 0; i < p->ndisk && !pd->error; i++) {
			if (ex_rule(c, &p->disk[i], &pd->error) == 0)
				continue;
			if (c->over)
				return -1;
			memset(pd->ctl, 0, sizeof(pd->ctl));
			if (!pd->error)
				return -1;
		}
	}
	c->gent = NULL;
	return 0;
}

/* The disks of the plan, one per disk of the snapshot; a disk naming a
   guest the snapshot does not have is a bug of its builder. */
static int plan_disks(struct plan *plan, const struct snapshot *snap)
{
	plan->disks = calloc(snap->ndisks + 1, sizeof(*plan->disks));
	if (!plan->disks)
		return -1;
	for (size_t d = 0; d < snap->ndisks; d++) {
		const struct snap_disk *sd = &snap->disks[d];

		if (sd->guest >= snap->nguests)
			return -1;
		plan->disks[d].guest = sd->guest;
		plan->disks[d].dev = strdup(sd->e.name ? sd->e.name : "");
		if (!plan->disks[d].dev)
			return -1;
		plan->ndisks++;
	}
	return 0;
}

static struct plan *plan_new(const struct snapshot *snap)
{
	struct plan *plan = calloc(1, sizeof(*plan));

	if (!plan)
		return NULL;
	plan->guests = calloc(snap->nguests + 1, sizeof(*plan->guests));
	if (!plan->guests)
		goto fail;
	for (size_t g = 0; g < snap->nguests; g++) {
		const char *name = snap->guests[g].name;

		plan->guests[g].name = strdup(name ? name : "");
		if (!plan->guests[g].name)
			goto fail;
		plan->nguests++;
	}
	if (plan_disks(plan, snap))
		goto fail;
	return plan;
fail:
	plan_free(plan);
	return NULL;
}

static void env_init(const struct policy_set *ps, const struct snapshot *snap,
		     double *env)
{
	for (size_t i = 0; i < ps->nparams; i++) {
		env[i] = ps->params[i].def;
		for (size_t j = 0; j < snap->nparams; j++)
			if (strcmp(snap->params[j].name, ps->params[i].name) ==
			    0)
				env[i] = snap->params[j].value;
	}
}

/* State rows and aggregate caches, sized by the set and the snapshot. */
static int state_init(struct ectx *c)
{
	size_t k = c->ps->nstate, rows = c->snap->nguests + 1;

	c->agg = calloc(c->ps->naggs + 1, sizeof(*c->agg));
	c->agg_ok = calloc(c->ps->naggs + 1, 1);
	c->agg_bad = calloc(c->ps->naggs + 1, sizeof(*c->agg_bad));
	c->st_in = calloc(rows * k + 1, sizeof(*c->st_in));
	c->st_out = calloc(rows * k + 1, sizeof(*c->st_out));
	if (!c->agg || !c->agg_ok || !c->agg_bad || !c->st_in || !c->st_out)
		return -1;
	if (evstate_load_rows(c->snap->state, c->ps->state_names,
			      c->ps->state_guest, k, c->snap, c->st_in))
		return -1;
	memcpy(c->st_out, c->st_in, rows * k * sizeof(double));
	return 0;
}

static void ectx_free(struct ectx *c)
{
	free(c->env);
	free(c->assigned);
	free(c->agg);
	free(c->agg_ok);
	free(c->agg_bad);
	free(c->st_in);
	free(c->st_out);
}

struct plan *eval_run(const struct policy_set *ps, const struct snapshot *snap)
{
	return eval_run_until(ps, snap, NULL, NULL);
}

struct plan *eval_run_until(const struct policy_set *ps,
			    const struct snapshot *snap,
			    const struct timespec *deadline, bool *over)
{
	struct ectx c = {.ps = ps, .snap = snap, .deadline = deadline};
	struct plan *plan = plan_new(snap);
	bool host_ok = true;

	if (over)
		*over = false;
	c.env = calloc(ps->nslots + 1, sizeof(*c.env));
	c.assigned = calloc(ps->nslots + 1, 1);
	if (!plan || !c.env || !c.assigned || state_init(&c))
		goto fail;
	env_init(ps, snap, c.env);
	for (size_t i = 0; i < ps->npolicies; i++) {
		const struct cpolicy *p = &ps->policies[i];

		if (host_ok && ev_host(&c, p, plan))
			goto fail;
		host_ok = !plan->host_error;
		if (ev_guests(&c, p, plan) || ev_disks(&c, p, plan))
			goto fail;
	}
	if (ps->nstate) {
		plan->state = evstate_from_rows(c.st_out, ps->state_names,
						ps->nstate, snap);
		if (!plan->state)
			goto fail;
	}
	ectx_free(&c);
	return plan;
fail:
	if (over)
		*over = c.over;
	ectx_free(&c);
	plan_free(plan);
	return NULL;
}
