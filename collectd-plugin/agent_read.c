/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_read.c: files from inside a guest through qemu-guest-agent's
 * guest-file-* commands (see agent_read.h).  The agent is as untrusted as
 * the guest running it: each reply is bounded before jansson sees it, a
 * read that returns more than asked or never reaches EOF is refused, and
 * an open handle is either closed or, for agent_read_stats, kept for the
 * next poll (then closed as soon as it fails).
 */
#include "agent_read.h"

#include <jansson.h>
#include <libvirt/libvirt-qemu.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- pure reply decoding -------------------------------------------- */

/* load_reply: the "return" member of a bounded, well-formed reply. */
static json_t *load_reply(const char *reply, json_t **root, char *err,
			  size_t errlen)
{
	size_t n = strnlen(reply, AGENT_REPLY_MAX + 1);
	json_error_t jerr;
	json_t *ret;

	*root = NULL;
	if (n > AGENT_REPLY_MAX) {
		snprintf(err, errlen, "reply longer than %d bytes",
			 AGENT_REPLY_MAX);
		return NULL;
	}
	*root = json_loadb(reply, n, JSON_REJECT_DUPLICATES, &jerr);
	if (*root == NULL) {
		snprintf(err, errlen, "reply is not JSON (column %d: %s)",
			 jerr.column, jerr.text);
		return NULL;
	}
	ret = json_object_get(*root, "return");
	if (ret == NULL) {
		json_t *e = json_object_get(*root, "error");
		const char *d = json_string_value(json_object_get(e, "desc"));
		snprintf(err, errlen, "agent error: %.120s",
			 d ? d : "reply without \"return\"");
	}
	return ret;
}

enum agent_rc agent_reply_open(const char *reply, int64_t *handle, char *err,
			       size_t errlen)
{
	json_t *root, *ret = load_reply(reply, &root, err, errlen);
	enum agent_rc rc = AGENT_FILE_ERROR;

	if (ret != NULL) {
		if (json_is_integer(ret) && json_integer_value(ret) >= 0) {
			*handle = json_integer_value(ret);
			rc = AGENT_OK;
		} else {
			snprintf(err, errlen,
				 "guest-file-open: \"return\" "
				 "is not a handle");
		}
	}
	json_decref(root);
	return rc;
}

enum agent_rc agent_reply_read(const char *reply, size_t asked,
			       unsigned char *dst, size_t room, size_t *n,
			       int *eof, char *err, size_t errlen)
{
	json_t *root, *ret = load_reply(reply, &root, err, errlen);
	enum agent_rc rc = AGENT_FILE_ERROR;
	json_t *count, *b64, *e;
	char derr[120];

	if (ret == NULL)
		goto out;
	count = json_object_get(ret, "count");
	b64 = json_object_get(ret, "buf-b64");
	e = json_object_get(ret, "eof");
	if (!json_is_integer(count) || !json_is_string(b64) ||
	    !json_is_boolean(e)) {
		snprintf(err, errlen,
			 "guest-file-read: want count, buf-b64 "
			 "and eof");
		goto out;
	}
	if (room > asked)
		room = asked;
	if (agent_b64_decode(json_string_value(b64), json_string_length(b64),
			     dst, room, n, derr, sizeof(derr)) != 0) {
		snprintf(err, errlen, "guest-file-read: buf-b64 %s", derr);
		goto out;
	}
	if (json_integer_value(count) != (json_int_t)*n) {
		snprintf(err, errlen,
			 "guest-file-read: count %" JSON_INTEGER_FORMAT
			 " but %zu bytes",
			 json_integer_value(count), *n);
		goto out;
	}
	*eof = json_is_true(e);
	rc = AGENT_OK;
out:
	json_decref(root);
	return rc;
}

enum agent_rc agent_reply_seek(const char *reply, char *err, size_t errlen)
{
	json_t *root, *ret = load_reply(reply, &root, err, errlen);
	enum agent_rc rc = AGENT_FILE_ERROR;
	json_t *pos, *e;

	if (ret == NULL)
		goto out;
	pos = json_object_get(ret, "position");
	e = json_object_get(ret, "eof");
	if (!json_is_object(ret) || !json_is_integer(pos) ||
	    !json_is_boolean(e)) {
		snprintf(err, errlen, "guest-file-seek: want position and eof");
		goto out;
	}
	/* We only ever seek to 0: anything else is a broken or lying agent,
	   and reading on would not give the file from its start. */
	if (json_integer_value(pos) != 0) {
		snprintf(err, errlen,
			 "guest-file-seek: position %" JSON_INTEGER_FORMAT
			 " after a seek to 0",
			 json_integer_value(pos));
		goto out;
	}
	rc = AGENT_OK;
out:
	json_decref(root);
	return rc;
}

/* ---- the libvirt transport ------------------------------------------ */

/* VIR_ERR_AGENT_COMMAND_FAILED, 113 in libvirt's virterror.h since 11.2.0
   (Debian 13 has 11.3); Debian 12's 9.0 ends at 110, so it cannot be
   named when building there, and a plugin built there may run beside a
   newer libvirt. */
#define AGENT_VIR_ERR_COMMAND_FAILED 113

enum agent_rc agent_rc_of_virerror(int code, const char *message)
{
	/* The agent itself refusing a command (no such file, a stale handle)
	   means only that file is missing; everything else (not connected,
	   timed out, domain gone, connection lost) means there is no agent
	   to talk to right now.  Taking a refusal for "down" on a newer
	   libvirt would back a guest off for a missing /proc file, and keep
	   a stale handle from being reopened. */
	if (code != VIR_ERR_INTERNAL_ERROR &&
	    code != AGENT_VIR_ERR_COMMAND_FAILED)
		return AGENT_DOWN;
	/* But a command the agent has disabled ("Command guest-file-seek has
	   been disabled": qemu-ga disables the guest-file-* commands while
	   the guest's filesystems are frozen, as for a backup snapshot, or
	   for good with --block-rpcs) is told apart: taken for a bad handle,
	   the handle would be closed (refused too), forgotten and left open
	   in the agent, three per guest and freeze (stat_file()).  The text
	   after libvirt's prefix is qemu-ga's own, never translated; a
	   guest that forges it only makes itself look down. */
	if (message != NULL && strstr(message, "has been disabled") != NULL)
		return AGENT_DISABLED;
	return AGENT_FILE_ERROR;
}

static char *libvirt_cmd(void *ctx, const char *json, int timeout_s,
			 enum agent_rc *rc, char *err, size_t errlen)
{
	char *reply = virDomainQemuAgentCommand(ctx, json, timeout_s, 0);
	virErrorPtr e;

	if (reply != NULL)
		return reply;
	e = virGetLastError();
	*rc = e ? agent_rc_of_virerror(e->code, e->message) : AGENT_DOWN;
	snprintf(err, errlen, "%.200s",
		 e && e->message ? e->message : "agent command failed");
	return NULL;
}

struct agent_transport agent_transport_libvirt(void *dom, int timeout_s)
{
	struct agent_transport t = {
	    .cmd = libvirt_cmd,
	    .ctx = dom,
	    .timeout_s = timeout_s < 1 ? 1 : timeout_s,
	};
	return t;
}

/* ---- reading a file ------------------------------------------------- */

static void close_handle(const struct agent_transport *t, int64_t h,
			 enum agent_rc *rc_out)
{
	char cmd[128], err[64], *reply;
	enum agent_rc rc = AGENT_OK;

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-close\",\"arguments\":"
		 "{\"handle\":%lld}}",
		 (long long)h);
	reply = t->cmd(t->ctx, cmd, t->timeout_s, &rc, err, sizeof(err));
	free(reply);
	if (rc_out != NULL)
		*rc_out = reply != NULL ? AGENT_OK : rc;
}

/* open_file: guest-file-open path read-only; *h the agent's handle. */
static enum agent_rc open_file(const struct agent_transport *t,
			       const char *path, int64_t *h, char *err,
			       size_t errlen)
{
	enum agent_rc rc = AGENT_FILE_ERROR;
	char cmd[512], *reply, *q;
	json_t *jpath;

	/* The path is ours, but encode it properly anyway. */
	jpath = json_string(path);
	q = jpath ? json_dumps(jpath, JSON_ENCODE_ANY) : NULL;
	json_decref(jpath);
	if (q == NULL || strlen(q) > 256) {
		free(q);
		snprintf(err, errlen, "bad path");
		return AGENT_FILE_ERROR;
	}
	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-open\",\"arguments\":"
		 "{\"path\":%s,\"mode\":\"r\"}}",
		 q);
	free(q);
	reply = t->cmd(t->ctx, cmd, t->timeout_s, &rc, err, errlen);
	if (reply == NULL)
		return rc;
	rc = agent_reply_open(reply, h, err, errlen);
	free(reply);
	return rc;
}

/* seek_start: guest-file-seek h to offset 0. */
static enum agent_rc seek_start(const struct agent_transport *t, int64_t h,
				char *err, size_t errlen)
{
	enum agent_rc rc = AGENT_FILE_ERROR;
	char cmd[160], *reply;

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-seek\",\"arguments\":"
		 "{\"handle\":%lld,\"offset\":0,\"whence\":\"set\"}}",
		 (long long)h);
	reply = t->cmd(t->ctx, cmd, t->timeout_s, &rc, err, errlen);
	if (reply == NULL)
		return rc;
	rc = agent_reply_seek(reply, err, errlen);
	free(reply);
	return rc;
}

/* read_all: read h from where it stands to EOF into buf (cap bytes at
   most).  *len is 0 unless AGENT_OK. */
static enum agent_rc read_all(const struct agent_transport *t, int64_t h,
			      const char *path, char *buf, size_t cap,
			      size_t *len, char *err, size_t errlen)
{
	enum agent_rc rc = AGENT_FILE_ERROR;
	char cmd[160], *reply;
	size_t n;
	int eof = 0;

	*len = 0;
	/* A file of cap bytes needs cap / CHUNK + 1 reads, the last one
	   seeing EOF; an agent that never says EOF is stopped there. */
	for (size_t reads = 0; !eof; reads++) {
		unsigned char chunk[AGENT_READ_CHUNK];
		if (reads > cap / AGENT_READ_CHUNK + 1) {
			snprintf(err, errlen, "%s: no EOF after %zu reads",
				 path, reads);
			rc = AGENT_FILE_ERROR;
			break;
		}
		snprintf(cmd, sizeof(cmd),
			 "{\"execute\":\"guest-file-read\",\"arguments\":"
			 "{\"handle\":%lld,\"count\":%d}}",
			 (long long)h, AGENT_READ_CHUNK);
		reply = t->cmd(t->ctx, cmd, t->timeout_s, &rc, err, errlen);
		if (reply == NULL)
			break;
		rc = agent_reply_read(reply, sizeof(chunk), chunk,
				      sizeof(chunk), &n, &eof, err, errlen);
		free(reply);
		if (rc != AGENT_OK)
			break;
		if (n > cap - *len) {
			snprintf(err, errlen, "%s: larger than %zu bytes", path,
				 cap);
			rc = AGENT_FILE_ERROR;
			break;
		}
		memcpy(buf + *len, chunk, n);
		*len += n;
	}
	if (rc != AGENT_OK)
		*len = 0;
	return rc;
}

/* What this file's callers see of rc: a command the agent has disabled
   is an agent they cannot use now (agent_read.h). */
static enum agent_rc outward(enum agent_rc rc)
{
	return rc == AGENT_DISABLED ? AGENT_DOWN : rc;
}

enum agent_rc agent_read_file(const struct agent_transport *t, const char *path,
			      char *buf, size_t cap, size_t *len, char *err,
			      size_t errlen)
{
	enum agent_rc rc;
	int64_t h;

	*len = 0;
	rc = open_file(t, path, &h, err, errlen);
	if (rc != AGENT_OK)
		return outward(rc);
	rc = read_all(t, h, path, buf, cap, len, err, errlen);
	/* Close even after a timeout: if the agent is gone this fails fast
	   (libvirt knows it is disconnected); if it recovers, the handle
	   does not leak in the guest. */
	close_handle(t, h, NULL);
	return outward(rc);
}

typedef int (*parse_fn)(const char *, size_t, struct agent_stats *, char *,
			size_t);

/* fresh_file: open, read and parse path; keep the handle in *kh (and set
   *kept) if it parsed, close it otherwise.  A read without an agent (timed
   out: slow, or gone) or one the agent has disabled (its filesystems
   frozen since the open) keeps the handle too: the close would have to
   wait for the same agent (after a timeout libvirt first re-syncs with it,
   and sends nothing if that fails) or be refused, and the handle would be
   forgotten while the agent still holds it open.  Kept, the next poll
   seeks and reads it, or closes it when that fails (stat_file). */
static enum agent_rc fresh_file(const struct agent_transport *t,
				const char *path, parse_fn parse, char *buf,
				int64_t *kh, bool *kept, struct agent_stats *st,
				char *err, size_t errlen)
{
	enum agent_rc rc;
	size_t len;
	int64_t h;

	*kept = false;
	rc = open_file(t, path, &h, err, errlen);
	if (rc != AGENT_OK)
		return rc;
	rc = read_all(t, h, path, buf, AGENT_TEXT_MAX, &len, err, errlen);
	if (rc == AGENT_OK && parse(buf, len, st, err, errlen) != 0)
		rc = AGENT_FILE_ERROR;
	if (rc == AGENT_OK || rc == AGENT_DOWN || rc == AGENT_DISABLED) {
		*kh = h;
		*kept = true;
		return rc;
	}
	close_handle(t, h, NULL);
	return rc;
}

/* Close a kept handle that failed, and forget it, unless the close was
   refused for want of an agent (down, or the command disabled: the
   filesystems frozen, or an allow-list without guest-file-close): then
   the handle is still open in the agent and stays kept, to be closed or
   used later, and nothing is opened in its place.  false then. */
static bool drop_kept(const struct agent_transport *t,
		      struct agent_handles *keep, size_t i)
{
	enum agent_rc rc = AGENT_OK;

	close_handle(t, keep->h[i], &rc);
	if (rc == AGENT_DOWN || rc == AGENT_DISABLED)
		return false;
	/* Closed, or the agent does not know it (gone with a restart). */
	keep->open[i] = false;
	keep->h[i] = 0;
	return true;
}

/* stat_file: file i of agent_read_stats, through its kept handle if there
   is one, else (or if that fails) afresh.  Never AGENT_DISABLED: a command
   the agent has disabled makes it AGENT_DOWN for this poll. */
static enum agent_rc stat_file(const struct agent_transport *t,
			       struct agent_handles *keep, size_t i,
			       const char *path, parse_fn parse, char *buf,
			       struct agent_stats *st, char *err, size_t errlen)
{
	enum agent_rc rc;
	size_t len;
	bool kept;

	if (keep->open[i]) {
		bool seek_refused;

		rc = seek_start(t, keep->h[i], err, errlen);
		seek_refused = rc == AGENT_DISABLED;
		if (rc == AGENT_OK)
			rc = read_all(t, keep->h[i], path, buf, AGENT_TEXT_MAX,
				      &len, err, errlen);
		if (rc == AGENT_OK && parse(buf, len, st, err, errlen) == 0)
			return AGENT_OK;
		/* No agent (slow, frozen, restarting), or a read it has
		   disabled (frozen since the seek): keep the handle, and open
		   nothing new; the next poll tries it again and a restarted
		   agent will have forgotten it. */
		if (rc == AGENT_DOWN || (rc == AGENT_DISABLED && !seek_refused))
			return AGENT_DOWN;
		/* The handle failed: the agent restarted or the guest
		   rebooted (gone, or after a reboot maybe reused for a file
		   someone else opened: qemu-ga persists its handle counter
		   in its state file, so a restarted agent does not reuse one,
		   but one booted with an empty /run counts from 1000 again).
		   We only ever seek and read, so such a handle costs its
		   owner at most its file position, and this close its
		   handle; what we read from it goes through the same strict
		   parser as any other guest text and is refused unless it
		   is the file we want (the guest can lie to us anyway).  Or
		   its seek is disabled: the filesystems are frozen (the
		   close is refused too) or an allow-list lacks
		   guest-file-seek (each poll then closes the handle and
		   opens the file afresh).  Close it and read the file afresh
		   now, so that this poll keeps its values, unless the close
		   was refused: the handle then stays kept, never forgotten
		   while the agent holds it open. */
		if (!drop_kept(t, keep, i))
			return AGENT_DOWN;
	}
	rc = fresh_file(t, path, parse, buf, &keep->h[i], &kept, st, err,
			errlen);
	if (kept)
		keep->open[i] = true;
	return outward(rc);
}

enum agent_rc agent_read_stats(const struct agent_transport *t,
			       struct agent_handles *keep,
			       struct agent_stats *st, char *err, size_t errlen)
{
	static const struct {
		const char *path;
		parse_fn parse;
	} files[AGENT_STAT_FILES] = {
	    {"/proc/pressure/memory", agent_parse_pressure},
	    {"/proc/vmstat", agent_parse_vmstat},
	    {"/proc/meminfo", agent_parse_meminfo},
	};
	char *buf = malloc(AGENT_TEXT_MAX + 1);
	char ferr[200];
	int parsed = 0;
	enum agent_rc rc = AGENT_FILE_ERROR;

	memset(st, 0, sizeof(*st));
	if (errlen > 0)
		err[0] = '\0';
	if (buf == NULL) {
		snprintf(err, errlen, "out of memory");
		return AGENT_FILE_ERROR;
	}
	for (size_t i = 0; i < AGENT_STAT_FILES; i++) {
		ferr[0] = '\0';
		rc = stat_file(t, keep, i, files[i].path, files[i].parse, buf,
			       st, ferr, sizeof(ferr));
		if (rc == AGENT_DOWN) {
			snprintf(err, errlen, "%s", ferr);
			break;
		}
		if (rc == AGENT_OK) {
			parsed++;
			continue;
		}
		if (errlen > 0 && err[0] == '\0')
			snprintf(err, errlen, "%s: %s", files[i].path, ferr);
	}
	free(buf);
	if (rc == AGENT_DOWN) {
		memset(st, 0, sizeof(*st));
		return AGENT_DOWN;
	}
	return parsed > 0 ? AGENT_OK : AGENT_FILE_ERROR;
}

void agent_handles_close(const struct agent_transport *t,
			 struct agent_handles *keep)
{
	enum agent_rc rc = AGENT_OK;

	for (size_t i = 0; i < AGENT_STAT_FILES; i++) {
		if (keep->open[i] && rc != AGENT_DOWN)
			close_handle(t, keep->h[i], &rc);
		keep->open[i] = false;
		keep->h[i] = 0;
	}
}
