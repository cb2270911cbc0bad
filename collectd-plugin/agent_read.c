/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_read.c: files from inside a guest through qemu-guest-agent's
 * guest-file-* commands (see agent_read.h).  The agent is as untrusted as
 * the guest running it: each reply is bounded before jansson sees it, a
 * read that returns more than asked or never reaches EOF is refused, and
 * the open handle is closed on every path.
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

/* ---- the libvirt transport ------------------------------------------ */

static char *libvirt_cmd(void *ctx, const char *json, int timeout_s,
			 enum agent_rc *rc, char *err, size_t errlen)
{
	char *reply = virDomainQemuAgentCommand(ctx, json, timeout_s, 0);
	virErrorPtr e;

	if (reply != NULL)
		return reply;
	e = virGetLastError();
	/* The agent itself refusing a command (no such file ...) is an
	   internal error in libvirt's terms; everything else means there is
	   no agent to talk to right now. */
	*rc = e && e->code == VIR_ERR_INTERNAL_ERROR ? AGENT_FILE_ERROR
						     : AGENT_DOWN;
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

static void close_handle(const struct agent_transport *t, int64_t h)
{
	char cmd[128], err[64];
	enum agent_rc rc;

	snprintf(cmd, sizeof(cmd),
		 "{\"execute\":\"guest-file-close\",\"arguments\":"
		 "{\"handle\":%lld}}",
		 (long long)h);
	free(t->cmd(t->ctx, cmd, t->timeout_s, &rc, err, sizeof(err)));
}

enum agent_rc agent_read_file(const struct agent_transport *t, const char *path,
			      char *buf, size_t cap, size_t *len, char *err,
			      size_t errlen)
{
	enum agent_rc rc = AGENT_FILE_ERROR;
	char cmd[512], *reply, *q;
	json_t *jpath;
	int64_t h;
	size_t n;
	int eof = 0;

	*len = 0;
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
	rc = agent_reply_open(reply, &h, err, errlen);
	free(reply);
	if (rc != AGENT_OK)
		return rc;

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
	/* Close even after a timeout: if the agent is gone this fails fast
	   (libvirt knows it is disconnected); if it recovers, the handle
	   does not leak in the guest. */
	close_handle(t, h);
	if (rc != AGENT_OK)
		*len = 0;
	return rc;
}

enum agent_rc agent_read_stats(const struct agent_transport *t,
			       struct agent_stats *st, char *err, size_t errlen)
{
	static const struct {
		const char *path;
		int (*parse)(const char *, size_t, struct agent_stats *, char *,
			     size_t);
	} files[] = {
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
	for (size_t i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		size_t len;
		ferr[0] = '\0';
		rc = agent_read_file(t, files[i].path, buf, AGENT_TEXT_MAX,
				     &len, ferr, sizeof(ferr));
		if (rc == AGENT_DOWN) {
			snprintf(err, errlen, "%s", ferr);
			break;
		}
		if (rc == AGENT_OK &&
		    files[i].parse(buf, len, st, ferr, sizeof(ferr)) == 0) {
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
