/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_cc.c: the policy compiler's context (policy_cc.h): the first
 * error with its policy and JSON path, the path kept both as text (for
 * load errors) and as shared segments in the arena (for the evaluator's
 * runtime messages), the node budget, the key check of JSON objects and
 * the scope check of a set statement's control (host, guest or disk), and
 * the name indexes of defines and parameters.
 * Used by the statement compiler (policy.c) and the expression compiler
 * (policy_expr.c); it calls neither.
 */
#define MOM_POLICY_PRIV_ALLOW
#include "policy_cc.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "evstate.h"
#include "jsontext.h"

int cc_error(struct cctx *c, const char *fmt, ...)
{
	va_list ap;

	snprintf(c->err->policy, sizeof(c->err->policy), "%s",
		 c->policy ? c->policy : "");
	snprintf(c->err->path, sizeof(c->err->path), "%s", c->path);
	va_start(ap, fmt);
	vsnprintf(c->err->message, sizeof(c->err->message), fmt, ap);
	va_end(ap);
	return -1;
}

int cc_name(struct cctx *c, const char *name)
{
	if (evstate_name_valid(name))
		return 0;
	return cc_error(
	    c, "'%.64s' is not a valid name (" EVSTATE_NAME_RULE ")", name);
}

/* The text path is cut at 255 bytes; the segment path is not. */
static void cc_append(struct cctx *c, const char *s)
{
	size_t n = strlen(s);

	if (c->pathlen + n >= sizeof(c->path))
		n = sizeof(c->path) - 1 - c->pathlen;
	memcpy(c->path + c->pathlen, s, n);
	c->pathlen += n;
	c->path[c->pathlen] = '\0';
}

/*
 * A mark is the depth and the text length before a push, so cc_pop()
 * restores both.  Out of memory for a segment leaves the parent's: the
 * path of a runtime message is then shorter, nothing else changes.
 */
static size_t cc_push_seg(struct cctx *c, const char *key, size_t index)
{
	size_t mark = c->depth << 16 | c->pathlen;
	const size_t nsegs = sizeof(c->segs) / sizeof(c->segs[0]);

	if (c->depth < nsegs) {
		struct pseg *s = arena_alloc(&c->ps->arena, sizeof(*s));

		c->segs[c->depth] = c->cur;
		if (s) {
			s->up = c->cur;
			s->key = key ? arena_strdup(&c->ps->arena, key) : NULL;
			s->index = index;
			if (!key || s->key)
				c->cur = s;
		}
	}
	c->depth++;
	return mark;
}

size_t cc_push_key(struct cctx *c, const char *key)
{
	size_t mark = cc_push_seg(c, key, 0);

	cc_append(c, ".");
	cc_append(c, key);
	return mark;
}

size_t cc_push_index(struct cctx *c, size_t i)
{
	size_t mark = cc_push_seg(c, NULL, i);
	char buf[32];

	snprintf(buf, sizeof(buf), "[%zu]", i);
	cc_append(c, buf);
	return mark;
}

void cc_pop(struct cctx *c, size_t mark)
{
	const size_t nsegs = sizeof(c->segs) / sizeof(c->segs[0]);

	c->depth = mark >> 16;
	if (c->depth < nsegs)
		c->cur = c->segs[c->depth];
	c->pathlen = mark & 0xffff;
	c->path[c->pathlen] = '\0';
}

void cc_reset_path(struct cctx *c)
{
	c->path[0] = '$';
	c->path[1] = '\0';
	c->pathlen = 1;
	c->cur = NULL;
	c->depth = 0;
}

/* Count one node against POLICY_MAX_NODES. */
int cc_count_node(struct cctx *c)
{
	if (++c->nnodes <= POLICY_MAX_NODES)
		return 0;
	return cc_error(c,
			"the policies have more than %d expressions and "
			"statements",
			POLICY_MAX_NODES);
}

/* Check that object o has only the keys of allowed (NULL-terminated). */
int cc_keys(struct cctx *c, const json_t *o, const char *const *allowed)
{
	const char *key = json_unknown_key(o, allowed);
	size_t len;
	int rc;

	if (!key)
		return 0;
	len = cc_push_key(c, key);
	rc = cc_error(c, "unknown key '%s'", key);
	cc_pop(c, len);
	return rc;
}

/* The control a set statement names, checked against the rule's scope. */
int cc_set_target(struct cctx *c, const char *name, struct stmt *s)
{
	for (int i = 0; i < HOST_CONTROL_COUNT; i++) {
		if (strcmp(host_control_names[i], name) != 0)
			continue;
		if (c->guest)
			return cc_error(c,
					"'%s' is a host control; it cannot be "
					"set in a guest rule",
					name);
		s->set_kind = SET_HOST;
		s->control = i;
		return 0;
	}
	for (int i = 0; i < PLAN_SIGNAL_COUNT; i++) {
		if (strcmp(plan_signal_names[i], name) != 0)
			continue;
		if (c->guest)
			return cc_error(c,
					"'%s' is a host signal; it cannot be "
					"set in a guest rule",
					name);
		s->set_kind = SET_SIGNAL;
		s->control = i;
		return 0;
	}
	for (int i = 0; i < DISK_CONTROL_COUNT; i++) {
		if (strcmp(disk_control_names[i], name) != 0)
			continue;
		if (!c->disk)
			return cc_error(c,
					"'%s' is a disk control; it is set in "
					"a disk rule only",
					name);
		s->set_kind = SET_DISK;
		s->control = i;
		return 0;
	}
	for (int i = 0; i < GUEST_CONTROL_COUNT; i++) {
		if (strcmp(guest_control_names[i], name) != 0)
			continue;
		if (!c->guest || c->disk)
			return cc_error(c,
					"'%s' is a guest control; it cannot be "
					"set in a %s rule",
					name, c->disk ? "disk" : "host");
		s->set_kind = SET_GUEST;
		s->control = i;
		return 0;
	}
	return cc_error(c, "unknown control '%s'", name);
}

/* Index of name in the table idx maps (a jansson object: a hash with a
   per-process random seed), or -1.  Defines and parameters are looked up
   here, not by scanning, so compiling a set of n names costs O(n), not
   O(n^2): a POST /v1/evaluate of 50000 defines took 10 s in the single
   evaluation slot when each was compared with all before it, and a policy
   of 40000 lets as long.  Let bindings are indexed too. */
static long long name_index(const json_t *idx, const char *name)
{
	const json_t *v = json_object_get(idx, name);

	return v ? (long long)json_integer_value(v) : -1;
}

long long cc_define_index(const struct cctx *c, const char *name)
{
	return name_index(c->define_index, name);
}

long long cc_param_index(const struct cctx *c, const char *name)
{
	return name_index(c->ps->param_index, name);
}

/* Record that name is entry i of the table idx maps; -1 with the error
   filled when out of memory. */
int cc_name_index_add(struct cctx *c, json_t *idx, const char *name, size_t i)
{
	if (json_object_set_new(idx, name, json_integer((json_int_t)i)))
		return cc_error(c, "out of memory");
	return 0;
}

long long cc_bind_index(const struct cctx *c, const char *name)
{
	return name_index(c->bind_index, name);
}

/* Each binding leaves the index once, as it entered it once: a block's
   end costs its own bindings, not a scan of all. */
void cc_binds_pop(struct cctx *c, size_t mark)
{
	while (c->nbinds > mark)
		json_object_del(c->bind_index, c->binds[--c->nbinds].name);
}
