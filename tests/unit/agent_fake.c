/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_fake.c: the scripted qemu-guest-agent of agentread_test.c and
 * agentcache_test.c (see agent_fake.h).
 */
#include "agent_fake.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void fake_restart(struct fake *f)
{
	for (int i = 0; i < FAKE_HANDLES; i++)
		f->h[i].open = false;
}

void fake_set_text(struct fake *f, int64_t id, const char *text)
{
	for (int i = 0; i < FAKE_HANDLES; i++)
		if (f->h[i].open && f->h[i].id == id)
			f->h[i].text = text;
}

int fake_open_handles(const struct fake *f)
{
	int n = 0;

	for (int i = 0; i < FAKE_HANDLES; i++)
		n += f->h[i].open;
	return n;
}

static char *b64(const char *s, size_t n)
{
	static const char a[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	char *o = malloc(n / 3 * 4 + 5), *p = o;

	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned char)s[i] << 16;
		if (i + 1 < n)
			v |= (unsigned char)s[i + 1] << 8;
		if (i + 2 < n)
			v |= (unsigned char)s[i + 2];
		*p++ = a[v >> 18 & 63];
		*p++ = a[v >> 12 & 63];
		*p++ = i + 1 < n ? a[v >> 6 & 63] : '=';
		*p++ = i + 2 < n ? a[v & 63] : '=';
	}
	*p = '\0';
	return o;
}

static const char *text_for(const struct fake *f, const char *path)
{
	static const char *const paths[3] = {"/proc/pressure/memory",
					     "/proc/vmstat", "/proc/meminfo"};

	for (int i = 0; i < 3; i++)
		if (f->texts[i] && path && !strcmp(path, paths[i]))
			return f->texts[i];
	return f->text;
}

/* The handle slot of args' "handle", or -1 as the agent's "not found"
   (libvirt passes an agent error up as an internal error: FILE_ERROR). */
static int find_handle(struct fake *f, json_t *args, enum agent_rc *rc,
		       char *err, size_t errlen)
{
	json_int_t id = json_integer_value(json_object_get(args, "handle"));

	for (int i = 0; i < FAKE_HANDLES; i++)
		if (f->h[i].open && f->h[i].id == id)
			return i;
	*rc = AGENT_FILE_ERROR;
	snprintf(err, errlen, "handle '%lld' has not been found",
		 (long long)id);
	return -1;
}

char *fake_cmd(void *ctx, const char *json, int timeout_s, enum agent_rc *rc,
	       char *err, size_t errlen)
{
	struct fake *f = ctx;
	json_t *j = json_loads(json, 0, NULL);
	const char *ex = json_string_value(json_object_get(j, "execute"));
	json_t *args = json_object_get(j, "arguments");
	char *reply = NULL;
	int k;

	(void)timeout_s;
	f->calls++;
	if (f->mode == M_DOWN ||
	    (f->mode == M_DIE_READ && ex && !strcmp(ex, "guest-file-read") &&
	     f->reads >= 1) ||
	    ex == NULL) {
		if (ex && !strcmp(ex, "guest-file-close"))
			f->closes++; /* attempted: that is all we can do */
		*rc = AGENT_DOWN;
		snprintf(err, errlen, "agent not connected");
		json_decref(j);
		return NULL;
	}
	if (f->disabled != 0) {
		static const struct {
			const char *name;
			unsigned bit;
		} cmds[] = {{"guest-file-open", FAKE_OPEN},
			    {"guest-file-read", FAKE_READ},
			    {"guest-file-seek", FAKE_SEEK},
			    {"guest-file-close", FAKE_CLOSE}};

		for (size_t c = 0; c < sizeof(cmds) / sizeof(cmds[0]); c++) {
			if (strcmp(ex, cmds[c].name) != 0 ||
			    !(f->disabled & cmds[c].bit))
				continue;
			f->refused++;
			*rc = AGENT_DISABLED;
			snprintf(err, errlen, "Command %s has been disabled",
				 ex);
			json_decref(j);
			return NULL;
		}
	}
	if (!strcmp(ex, "guest-file-open")) {
		f->opens++;
		for (k = 0; k < FAKE_HANDLES && f->h[k].open; k++)
			;
		if (f->mode == M_OPEN_ERR || k == FAKE_HANDLES) {
			reply = strdup("{\"error\":{\"class\":\"GenericError\","
				       "\"desc\":\"No such file\"}}");
		} else {
			if (f->next_h == 0)
				f->next_h = 1000;
			f->h[k].id = f->next_h++;
			f->h[k].text = text_for(
			    f,
			    json_string_value(json_object_get(args, "path")));
			f->h[k].off = 0;
			f->h[k].open = true;
			reply = malloc(64);
			sprintf(reply, "{\"return\": %lld}",
				(long long)f->h[k].id);
		}
	} else if (!strcmp(ex, "guest-file-close")) {
		f->closes++;
		if ((k = find_handle(f, args, rc, err, errlen)) >= 0) {
			f->h[k].open = false;
			reply = strdup("{\"return\": {}}");
		}
	} else if (!strcmp(ex, "guest-file-seek")) {
		f->seeks++;
		if ((k = find_handle(f, args, rc, err, errlen)) < 0) {
			/* not found */
		} else if (f->seek_reply != NULL) {
			reply = strdup(f->seek_reply);
		} else if (json_integer_value(
			       json_object_get(args, "offset")) == 0 &&
			   !strcmp(json_string_value(
				       json_object_get(args, "whence")),
				   "set")) {
			f->h[k].off = 0;
			reply = strdup("{\"return\": {\"position\": 0, "
				       "\"eof\": false}}");
		}
	} else if (!strcmp(ex, "guest-file-read") &&
		   (k = find_handle(f, args, rc, err, errlen)) >= 0) {
		size_t count =
		    (size_t)json_integer_value(json_object_get(args, "count"));
		const char *text = f->h[k].text;
		size_t left = strlen(text) - f->h[k].off;
		size_t n = left < count ? left : count;
		char *enc;
		f->reads++;
		if (f->mode == M_TOO_MUCH)
			n = left;
		if (f->mode == M_NO_EOF)
			n = 0;
		enc = b64(text + f->h[k].off, n);
		if (f->mode == M_BAD_B64)
			enc[0] = '*';
		reply = malloc(strlen(enc) + 200);
		sprintf(reply,
			"{\"return\": {\"count\": %zu, \"buf-b64\": \"%s\", "
			"\"eof\": %s}}",
			f->mode == M_LIAR ? n + 1 : n, enc,
			f->mode != M_NO_EOF && f->h[k].off + n >= strlen(text)
			    ? "true"
			    : "false");
		f->h[k].off += n;
		free(enc);
		if (f->mode == M_HUGE_REPLY) {
			free(reply);
			reply = malloc(AGENT_REPLY_MAX + 10);
			memset(reply, ' ', AGENT_REPLY_MAX + 9);
			memcpy(reply, "{\"return\":", 10);
			reply[AGENT_REPLY_MAX + 8] = '}';
			reply[AGENT_REPLY_MAX + 9] = '\0';
		}
	}
	json_decref(j);
	return reply;
}

/* Texts each parser accepts, for the three files. */
static const char psi_text[] =
    "some avg10=1.00 avg60=0.50 avg300=0.10 total=1000\n"
    "full avg10=0.00 avg60=0.00 avg300=0.00 total=10\n";
static const char meminfo_text[] = "MemTotal:        1000 kB\n"
				   "MemAvailable:     500 kB\n";

struct fake three_files(const char *vmstat)
{
	return (struct fake){.mode = M_GOOD,
			     .texts = {psi_text, vmstat, meminfo_text}};
}

bool all_present(const struct agent_stats *st)
{
	return st->present[AGENT_PSI_SOME_TOTAL_US] &&
	       st->present[AGENT_OOM_KILL_EVENTS] &&
	       st->present[AGENT_MEM_AVAILABLE_KIB];
}
