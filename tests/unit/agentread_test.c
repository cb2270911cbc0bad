/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agentread_test.c: unit tests of collectd-plugin/agent_read.c (reading
 * guest files through qemu-guest-agent) and of agent_cache.c's parts that
 * need no guest.
 *
 * A real agent needs a real guest (tests/it/guest_agent.sh); here a
 * scripted agent plays the hostile cases a real one cannot be made to
 * produce: replies that lie about their count, never reach EOF, exceed
 * the size cap, carry bad base64, or fail half way.  It serves a file in
 * chunks as the real agent does and checks that every opened handle is
 * closed.  The cache runs against libvirt's test driver (test:///default,
 * no agent there): its domain is probed once and then backed off.
 */
#include "agent_cache.h"
#include "agent_read.h"
#include "testing.h"

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* The scripted agent's behaviour. */
enum mode {
	M_GOOD,	      /* serves text in chunks of at most `count` */
	M_NO_EOF,     /* never says EOF, sends 0 bytes */
	M_LIAR,	      /* count field disagrees with the data */
	M_TOO_MUCH,   /* sends more than asked */
	M_BAD_B64,    /* invalid base64 */
	M_DIE_READ,   /* agent goes away at the second read */
	M_OPEN_ERR,   /* open answers with an error */
	M_DOWN,	      /* no agent at all */
	M_HUGE_REPLY, /* a reply longer than AGENT_REPLY_MAX */
};

/* Up to this many handles open at once in the scripted agent. */
#define FAKE_HANDLES 16

struct fake {
	enum mode mode;
	const char *text;	/* every file's text, unless texts[] is set */
	const char *texts[3];	/* pressure, vmstat, meminfo */
	const char *seek_reply; /* served for every seek instead of the real */
	int64_t next_h;		/* the next handle handed out (0: 1000) */
	struct {
		int64_t id;
		const char *text;
		size_t off;
		bool open;
	} h[FAKE_HANDLES];
	int opens, closes, reads, seeks, calls;
};

/* fake_restart: the agent restarted and forgot its handles. */
static void fake_restart(struct fake *f)
{
	for (int i = 0; i < FAKE_HANDLES; i++)
		f->h[i].open = false;
}

/* fake_set_text: the file behind handle id changes (a counter moved). */
static void fake_set_text(struct fake *f, int64_t id, const char *text)
{
	for (int i = 0; i < FAKE_HANDLES; i++)
		if (f->h[i].open && f->h[i].id == id)
			f->h[i].text = text;
}

static int fake_open_handles(const struct fake *f)
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

static char *fake_cmd(void *ctx, const char *json, int timeout_s,
		      enum agent_rc *rc, char *err, size_t errlen)
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

/* big_text: n bytes of "pgmajfault 1\n"-like valid vmstat lines. */
static char *big_text(size_t n)
{
	char *t = malloc(n + 1);
	size_t len = 0;

	while (len + 20 < n)
		len += (size_t)sprintf(t + len, "nr_c%09zu 1\n", len);
	t[len] = '\0';
	return t;
}

static enum agent_rc run(struct fake *f, char *buf, size_t cap, size_t *len,
			 char *err)
{
	struct agent_transport t = {.cmd = fake_cmd, .ctx = f, .timeout_s = 1};
	return agent_read_file(&t, "/proc/vmstat", buf, cap, len, err, 200);
}

static void test_read_file(void)
{
	char *text = big_text(40000);
	char *buf = malloc(AGENT_TEXT_MAX + 1), err[200];
	size_t len = 0;
	struct fake f = {.mode = M_GOOD, .text = text};

	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_OK,
		 "40 kB file in chunks");
	T_OK(len == strlen(text) && memcmp(buf, text, len) == 0,
	     "content intact (%zu bytes, %d reads)", len, f.reads);
	T_OK(f.reads == 3 && f.opens == 1 && f.closes == 1,
	     "3 chunked reads, handle closed");

	f = (struct fake){.mode = M_GOOD, .text = text};
	T_EQ_INT(run(&f, buf, 30000, &len, err), AGENT_FILE_ERROR,
		 "a file larger than the cap is refused");
	T_OK(strstr(err, "larger than 30000") && f.closes == 1 && len == 0,
	     "says so (%s), closes, returns nothing", err);

	f = (struct fake){.mode = M_NO_EOF, .text = text};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "an agent that never says EOF is stopped");
	T_OK(strstr(err, "no EOF") &&
		 f.reads <= AGENT_TEXT_MAX / AGENT_READ_CHUNK + 2 &&
		 f.closes == 1,
	     "after %d reads (%s), handle closed", f.reads, err);

	f = (struct fake){.mode = M_LIAR, .text = "oom_kill 1\n"};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "a count that disagrees with the data is refused");
	T_OK(strstr(err, "count 12 but 11 bytes") && f.closes == 1, "%s", err);

	char *mid = big_text(16700);
	f = (struct fake){.mode = M_TOO_MUCH, .text = mid};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "more bytes than asked are refused");
	T_OK(strstr(err, "exceeds 16384 bytes") && f.closes == 1, "%s", err);
	free(mid);

	f = (struct fake){.mode = M_BAD_B64, .text = "oom_kill 1\n"};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "bad base64 is refused");
	T_OK(strstr(err, "offset 0: bad base64 character 0x2a") &&
		 f.closes == 1,
	     "%s", err);

	f = (struct fake){.mode = M_DIE_READ, .text = text};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_DOWN,
		 "an agent gone half way is DOWN");
	T_OK(f.closes == 1 && len == 0, "close still attempted, nothing kept");

	f = (struct fake){.mode = M_OPEN_ERR, .text = text};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "an open refused by the agent is a file error");
	T_OK(strstr(err, "agent error: No such file") && f.closes == 0,
	     "%s; nothing to close", err);

	f = (struct fake){.mode = M_HUGE_REPLY, .text = text};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_FILE_ERROR,
		 "an oversized reply is refused before parsing");
	T_OK(strstr(err, "reply longer than") && f.closes == 1, "%s", err);

	f = (struct fake){.mode = M_DOWN, .text = text};
	T_EQ_INT(run(&f, buf, AGENT_TEXT_MAX, &len, err), AGENT_DOWN,
		 "no agent: DOWN");
	free(text);
	free(buf);
}

static void test_read_stats(void)
{
	struct fake f = {.mode = M_GOOD, .text = "oom_kill 3\npgmajfault 4\n"};
	struct agent_transport t = {.cmd = fake_cmd, .ctx = &f, .timeout_s = 1};
	struct agent_stats st;
	char err[200];

	/* The same text for all three files: vmstat parses, the other two
	   refuse it; the stats keep vmstat's values only. */
	T_EQ_INT(agent_read_stats(&t, NULL, &st, err, sizeof(err)), AGENT_OK,
		 "one file of three parsed is OK");
	T_OK(st.present[AGENT_OOM_KILL_EVENTS] &&
		 st.v[AGENT_OOM_KILL_EVENTS] == 3 &&
		 !st.present[AGENT_PSI_SOME_AVG10_CPCT] &&
		 !st.present[AGENT_MEM_TOTAL_KIB],
	     "vmstat values present, the refused files' absent");
	T_OK(strstr(err, "/proc/pressure/memory: line 1, column 1") != NULL,
	     "first failure named: %s", err);
	T_OK(f.opens == 3 && f.closes == 3, "three opens, three closes");

	f = (struct fake){.mode = M_DOWN, .text = ""};
	T_EQ_INT(agent_read_stats(&t, NULL, &st, err, sizeof(err)), AGENT_DOWN,
		 "no agent: DOWN at the first file");
	T_OK(!st.present[AGENT_OOM_KILL_EVENTS], "and nothing present");
}

/* Texts each parser accepts, for the three files. */
static const char psi_text[] =
    "some avg10=1.00 avg60=0.50 avg300=0.10 total=1000\n"
    "full avg10=0.00 avg60=0.00 avg300=0.00 total=10\n";
static const char meminfo_text[] = "MemTotal:        1000 kB\n"
				   "MemAvailable:     500 kB\n";

static struct fake three_files(const char *vmstat)
{
	return (struct fake){.mode = M_GOOD,
			     .texts = {psi_text, vmstat, meminfo_text}};
}

static bool all_present(const struct agent_stats *st)
{
	return st->present[AGENT_PSI_SOME_TOTAL_US] &&
	       st->present[AGENT_OOM_KILL_EVENTS] &&
	       st->present[AGENT_MEM_AVAILABLE_KIB];
}

/* Handles kept between polls: the first poll opens and keeps (6 calls),
   later ones seek and read (6 calls instead of open/read/close's 9); a
   handle the agent forgot is closed and the file reopened in the same
   poll; a hostile seek reply makes the poll reopen, never read on. */
static void test_keep(void)
{
	struct fake f = three_files("oom_kill 3\n");
	struct agent_transport t = {.cmd = fake_cmd, .ctx = &f, .timeout_s = 1};
	struct agent_handles hs = {{0}};
	struct agent_stats st;
	char err[200];
	int c0;

	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "first poll with handles kept");
	T_OK(all_present(&st) && err[0] == '\0', "all three files parsed (%s)",
	     err);
	T_OK(f.calls == 6 && f.opens == 3 && f.reads == 3 && f.closes == 0,
	     "first poll: 3 opens + 3 reads = %d calls, no close", f.calls);
	T_OK(hs.open[0] && hs.open[1] && hs.open[2] &&
		 fake_open_handles(&f) == 3,
	     "three handles kept, the agent holds three");

	/* The guest's counter moves: the seek to 0 reads the file anew. */
	f.texts[1] = "oom_kill 5\n";
	fake_set_text(&f, hs.h[1], f.texts[1]);
	c0 = f.calls;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "second poll through the kept handles");
	T_OK(f.calls - c0 == 6 && f.seeks == 3 && f.opens == 3 &&
		 f.closes == 0 && f.reads == 6,
	     "second poll: 3 seeks + 3 reads = %d calls (9 without keeping)",
	     f.calls - c0);
	T_OK(all_present(&st) && st.v[AGENT_OOM_KILL_EVENTS] == 5,
	     "values read from the start again (oom_kill %llu)",
	     (unsigned long long)st.v[AGENT_OOM_KILL_EVENTS]);

	/* The agent restarted: every kept handle is gone. */
	fake_restart(&f);
	c0 = f.calls;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "a poll after the agent forgot the handles");
	T_OK(all_present(&st), "values still come in that same poll");
	T_OK(f.calls - c0 == 12 && f.opens == 6 && fake_open_handles(&f) == 3,
	     "3 x (failed seek, close, open, read) = %d calls; three open",
	     f.calls - c0);
	T_OK(hs.open[0] && hs.open[1] && hs.open[2] && hs.h[0] >= 1003,
	     "the new handles are kept (%lld ...)", (long long)hs.h[0]);

	/* Hostile seek replies: the handle is closed, the file reopened. */
	static const char *const bad_seek[] = {
	    "seek",
	    "{\"return\": {\"position\": \"0\", \"eof\": false}}",
	    "{\"return\": {\"position\": 0, \"eof\": 0}}",
	    "{\"return\": {\"position\": 4096, \"eof\": false}}",
	    "{\"return\": [0, false]}",
	    "{\"return\": {\"position\": 0, \"position\": 0, \"eof\": false}}",
	};
	for (size_t i = 0; i < sizeof(bad_seek) / sizeof(bad_seek[0]); i++) {
		int o0 = f.opens, cl0 = f.closes;
		f.seek_reply = bad_seek[i];
		T_OK(agent_read_stats(&t, &hs, &st, err, sizeof(err)) ==
			 AGENT_OK,
		     "seek reply %zu refused, file reopened", i);
		T_OK(all_present(&st) && f.opens - o0 == 3 &&
			 f.closes - cl0 == 3 && fake_open_handles(&f) == 3,
		     "values kept, 3 closed and 3 reopened, 3 open");
	}
	f.seek_reply = NULL;

	/* A kept file that stops parsing is closed; its reopened text is
	   refused too, so nothing of it is kept. */
	f.texts[1] = "oom_kill x\n";
	fake_set_text(&f, hs.h[1], f.texts[1]);
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "a poll where vmstat no longer parses");
	T_OK(!hs.open[1] && hs.open[0] && hs.open[2] &&
		 fake_open_handles(&f) == 2 &&
		 strstr(err, "/proc/vmstat: line 1") != NULL,
	     "vmstat's handle closed, the others kept (%s)", err);
	f.texts[1] = "oom_kill 6\n";

	/* No agent: the handles stay kept, nothing new is opened, so a
	   backed-off agent never holds more than three. */
	f.mode = M_DOWN;
	int o0 = f.opens;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "agent down with handles kept");
	T_OK(hs.open[0] && hs.open[2] && f.opens == o0,
	     "handles still kept, no open sent");
	f.mode = M_GOOD;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "agent back");
	T_OK(f.opens == o0 + 1 && fake_open_handles(&f) == 3 &&
		 st.v[AGENT_OOM_KILL_EVENTS] == 6,
	     "the kept handles served again, only vmstat reopened");

	/* Closing: every kept handle, once. */
	int cl0 = f.closes;
	agent_handles_close(&t, &hs);
	T_OK(f.closes - cl0 == 3 && fake_open_handles(&f) == 0 && !hs.open[0] &&
		 !hs.open[1] && !hs.open[2],
	     "agent_handles_close closed all three");
	agent_read_stats(&t, &hs, &st, err, sizeof(err));
	f.mode = M_DOWN;
	cl0 = f.closes;
	agent_handles_close(&t, &hs);
	T_OK(f.closes - cl0 == 1 && !hs.open[0] && !hs.open[1] && !hs.open[2],
	     "with no agent, one close tried (%d), then all forgotten",
	     f.closes - cl0);
}

static void test_replies(void)
{
	unsigned char out[32];
	size_t n;
	int eof;
	int64_t h;
	char err[200];

	T_EQ_INT(agent_reply_open("{\"return\": -1}", &h, err, sizeof(err)),
		 AGENT_FILE_ERROR, "negative handle refused");
	T_EQ_INT(agent_reply_open("{\"return\": 1, \"return\": 2}", &h, err,
				  sizeof(err)),
		 AGENT_FILE_ERROR, "duplicate keys refused");
	T_EQ_INT(agent_reply_open("[1,2", &h, err, sizeof(err)),
		 AGENT_FILE_ERROR, "not JSON refused");
	T_EQ_INT(agent_reply_read("{\"return\": {\"count\": 3, \"buf-b64\": "
				  "\"YWJj\", \"eof\": \"yes\"}}",
				  16, out, sizeof(out), &n, &eof, err,
				  sizeof(err)),
		 AGENT_FILE_ERROR, "eof must be a boolean");
	T_EQ_INT(agent_reply_read("{\"return\": {\"count\": 3, \"buf-b64\": "
				  "\"YWJj\", \"eof\": true}}",
				  2, out, sizeof(out), &n, &eof, err,
				  sizeof(err)),
		 AGENT_FILE_ERROR, "3 bytes when 2 were asked refused");
	T_EQ_INT(agent_reply_read("{\"return\": {\"count\": 3, \"buf-b64\": "
				  "\"YWJj\", \"eof\": true}}",
				  16, out, sizeof(out), &n, &eof, err,
				  sizeof(err)),
		 AGENT_OK, "good read reply");
	T_OK(n == 3 && eof == 1 && memcmp(out, "abc", 3) == 0, "decoded");
	T_EQ_INT(agent_reply_seek("{\"return\": {\"position\": 0, \"eof\": "
				  "false}}",
				  err, sizeof(err)),
		 AGENT_OK, "good seek reply");
	T_EQ_INT(agent_reply_seek("{\"return\": {\"position\": -1, "
				  "\"eof\": false}}",
				  err, sizeof(err)),
		 AGENT_FILE_ERROR, "seek reply at another position refused");
	T_OK(strstr(err, "position -1 after a seek to 0") != NULL, "%s", err);
	T_EQ_INT(agent_reply_seek("{\"return\": {\"position\": 0}}", err,
				  sizeof(err)),
		 AGENT_FILE_ERROR, "seek reply without eof refused");
	T_EQ_INT(agent_reply_seek("{\"error\": {\"desc\": \"handle '1' has "
				  "not been found\"}}",
				  err, sizeof(err)),
		 AGENT_FILE_ERROR, "seek error reply");
	T_OK(strstr(err, "has not been found") != NULL, "says so: %s", err);
	char *huge = malloc(AGENT_REPLY_MAX + 64);
	memset(huge, ' ', AGENT_REPLY_MAX + 63);
	static const char good[] =
	    "{\"return\": {\"position\": 0, \"eof\": false}}";
	memcpy(huge, good, strlen(good));
	huge[AGENT_REPLY_MAX + 63] = '\0';
	T_EQ_INT(agent_reply_seek(huge, err, sizeof(err)), AGENT_FILE_ERROR,
		 "oversized seek reply refused");
	T_OK(strstr(err, "reply longer than") != NULL, "%s", err);
	free(huge);

	/* base64 edge cases */
	T_OK(agent_b64_decode("", 0, out, sizeof(out), &n, err, sizeof(err)) ==
		     0 &&
		 n == 0,
	     "empty base64");
	T_OK(agent_b64_decode("YQ==", 4, out, sizeof(out), &n, err,
			      sizeof(err)) == 0 &&
		 n == 1 && out[0] == 'a',
	     "two pad characters");
	T_OK(agent_b64_decode("YR==", 4, out, sizeof(out), &n, err,
			      sizeof(err)) == -1 &&
		 strstr(err, "non-zero bits"),
	     "non-canonical padding refused");
	T_OK(agent_b64_decode("Y===", 4, out, sizeof(out), &n, err,
			      sizeof(err)) == -1,
	     "three pad characters refused");
	T_OK(agent_b64_decode("YQ==YQ==", 8, out, sizeof(out), &n, err,
			      sizeof(err)) == -1 &&
		 strstr(err, "offset 2"),
	     "padding in the middle refused (%s)", err);
	T_OK(agent_b64_decode("YWJ", 3, out, sizeof(out), &n, err,
			      sizeof(err)) == -1 &&
		 strstr(err, "multiple of 4"),
	     "length not a multiple of 4");
	T_OK(agent_b64_decode("YW Jj", 5, out, sizeof(out), &n, err,
			      sizeof(err)) == -1,
	     "space refused");
	T_OK(agent_b64_decode("YWJjZA==", 8, out, 3, &n, err, sizeof(err)) ==
		     -1 &&
		 strstr(err, "exceeds 3"),
	     "output room enforced");
}

/* The cache against the test driver: a domain without an agent is probed
   once and backed off; get never blocks; stop is prompt. */
static void test_cache(void)
{
	struct agent_cache_conf conf = {
	    .uri = "test:///default", .interval_ms = 50, .backoff_ms = 60000};
	struct agent_result r;
	char err[200];
	unsigned char uuid[AGENT_UUID_LEN] = {0}, none[AGENT_UUID_LEN] = {1};
	struct agent_cache *c = agent_cache_start(&conf, err, sizeof(err));
	/* test:///default's domain "test" has this fixed UUID. */
	static const char *uuid_str = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	int k = 0;

	T_OK(c != NULL, "cache started (%s)", c ? "" : err);
	if (c == NULL)
		return;
	T_OK(agent_uuid_parse(uuid_str, uuid) == 0, "the test UUID parses");
	for (k = 0; k < 200 && agent_cache_rounds(c) < 5; k++)
		usleep(20000);
	T_OK(agent_cache_rounds(c) >= 5, "worker made %llu rounds",
	     (unsigned long long)agent_cache_rounds(c));
	T_OK(agent_cache_get(c, uuid, &r) == 0, "test domain known");
	T_OK(r.polls == 1 && r.failures == 1 &&
		 r.state == AGENT_STATE_FAILING && r.stale && !r.has_stats &&
		 r.age_ms == -1,
	     "probed once, failed, stale, no values (polls %llu: %s)",
	     (unsigned long long)r.polls, r.last_error);
	T_OK(r.next_poll_ms > 50000, "next probe after the backoff (%lld ms)",
	     (long long)r.next_poll_ms);
	T_OK(agent_cache_get(c, none, &r) == -1 && r.stale && r.polls == 0,
	     "unknown UUID: -1, stale");
	struct timespec a, b;
	clock_gettime(CLOCK_MONOTONIC, &a);
	agent_cache_stop(c);
	clock_gettime(CLOCK_MONOTONIC, &b);
	T_OK((b.tv_sec - a.tv_sec) * 1000 + (b.tv_nsec - a.tv_nsec) / 1000000 <
		 1000,
	     "stop is prompt");
}

/* The cache's scripted agent: touched by the worker thread only until
   agent_cache_stop has joined it. */
static struct fake cache_fake;

static struct agent_transport cache_transport(void *dom, int timeout_s)
{
	(void)dom;
	return (struct agent_transport){
	    .cmd = fake_cmd, .ctx = &cache_fake, .timeout_s = timeout_s};
}

/* The cache keeps a domain's handles between polls and closes them on
   stop: with the test driver's running domain and a scripted agent. */
static void test_cache_keep(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 20,
					.backoff_ms = 60000,
					.transport = cache_transport};
	static const char *uuid_str = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r = {0};
	char err[200];
	struct agent_cache *c;

	cache_fake = three_files("oom_kill 3\n");
	c = agent_cache_start(&conf, err, sizeof(err));
	T_OK(c != NULL, "cache with a scripted agent started (%s)",
	     c ? "" : err);
	if (c == NULL)
		return;
	agent_uuid_parse(uuid_str, uuid);
	/* 20 ms polls: 4 of them take 80 ms; 10 s leaves room for a busy,
	   sanitized machine. */
	for (int k = 0; k < 500 && r.polls < 4; k++) {
		usleep(20000);
		agent_cache_get(c, uuid, &r);
	}
	T_OK(r.polls >= 4 && r.state == AGENT_STATE_OK && all_present(&r.stats),
	     "the domain was polled %llu times through the scripted agent",
	     (unsigned long long)r.polls);
	T_EQ_INT(r.poll_calls, 6, "a later poll's agent calls, as counted");
	agent_cache_stop(c);
	/* After the join: every poll read 3 files, only the first opened. */
	T_OK(cache_fake.opens == 3 && cache_fake.reads >= 12 &&
		 cache_fake.seeks == cache_fake.reads - 3,
	     "3 opens once, then seeks: %d reads, %d seeks", cache_fake.reads,
	     cache_fake.seeks);
	T_OK(cache_fake.calls == 2 * cache_fake.reads + 3,
	     "6 calls per poll after the first, plus 3 closes (%d calls)",
	     cache_fake.calls);
	T_OK(cache_fake.closes == 3 && fake_open_handles(&cache_fake) == 0,
	     "stop closed the three kept handles");
}

/* Three running domains for the test driver (test:///<file>). */
static const char three_domains_xml[] =
    "<node>\n"
    "<domain type='test'><name>a1</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000001</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "<domain type='test'><name>a2</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000002</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "<domain type='test'><name>a3</name>"
    "<uuid>aaaaaaaa-0000-0000-0000-000000000003</uuid>"
    "<memory unit='MiB'>512</memory><vcpu>1</vcpu>"
    "<os><type>hvm</type></os></domain>\n"
    "</node>\n";

/* Slow scripted agents for the cache's timing tests: the n-th transport
   the worker asks for (one a poll, and one a domain for the closes at
   stop) delays each of its calls by delay_us[n % ndelay], then answers as
   cache_fake.  The worker's clock times the first SLOW_CALLS calls.  The
   worker thread alone writes this until agent_cache_stop has joined it. */
#define SLOW_CALLS  48
#define SLOW_DELAYS 3
static struct {
	useconds_t delay_us[SLOW_DELAYS];
	int ndelay;
	int transports; /* handed out so far */
	int n;		/* calls timed so far */
	int64_t start_us[SLOW_CALLS], end_us[SLOW_CALLS];
} slow;

/* slow_agents: the delays (1 to SLOW_DELAYS) of the polls to come, in
   turn; nothing handed out or timed yet. */
static void slow_agents(const useconds_t *delay_us, int ndelay)
{
	if (ndelay < 1 || ndelay > SLOW_DELAYS)
		abort();
	memset(&slow, 0, sizeof(slow));
	memcpy(slow.delay_us, delay_us, (size_t)ndelay * sizeof(*delay_us));
	slow.ndelay = ndelay;
}

static int64_t mono_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static char *slow_cmd(void *ctx, const char *json, int timeout_s,
		      enum agent_rc *rc, char *err, size_t errlen)
{
	int i = slow.n;
	char *reply;

	if (i < SLOW_CALLS)
		slow.start_us[i] = mono_us();
	usleep((useconds_t)(intptr_t)ctx);
	reply = fake_cmd(&cache_fake, json, timeout_s, rc, err, errlen);
	if (i < SLOW_CALLS) {
		slow.end_us[i] = mono_us();
		slow.n++;
	}
	return reply;
}

static struct agent_transport slow_transport(void *dom, int timeout_s)
{
	useconds_t delay = slow.delay_us[slow.transports++ % slow.ndelay];

	(void)dom;
	return (struct agent_transport){.cmd = slow_cmd,
					.ctx = (void *)(intptr_t)delay,
					.timeout_s = timeout_s};
}

/* Domains polled in one round stay due together: with three domains whose
   polls take unequal times, the worker makes one round, and so one domain
   listing, per interval, not one per domain.  Counted, not timed: the
   rounds against the polls. */
static void test_cache_rounds(void)
{
	char path[] = "/tmp/agentread_test.XXXXXX", uri[128];
	/* 300 ms: a round (0 + 18 + 36 ms of agent calls) stays well inside
	   it on a slow, sanitized machine, so every round takes all three. */
	struct agent_cache_conf conf = {.interval_ms = 300,
					.backoff_ms = 60000,
					.transport = slow_transport};
	unsigned char uuid[3][AGENT_UUID_LEN];
	struct agent_result r[3];
	uint64_t polls = 0, rounds;
	char err[200];
	struct agent_cache *c;
	int fd = mkstemp(path);

	if (fd < 0 ||
	    write(fd, three_domains_xml, sizeof(three_domains_xml) - 1) < 0) {
		T_SKIP("cannot write the node file");
		if (fd >= 0)
			close(fd);
		return;
	}
	close(fd);
	snprintf(uri, sizeof(uri), "test://%s", path);
	conf.uri = uri;
	cache_fake = three_files("oom_kill 3\n");
	/* Agents of unequal speed, as real guests' are: the n-th poll's
	   calls each take (n % 3) * 3 ms, so in a round of three the later
	   polls are the slower ones. */
	slow_agents((const useconds_t[]){0, 3000, 6000}, 3);
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000001", uuid[0]);
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000002", uuid[1]);
	agent_uuid_parse("aaaaaaaa-0000-0000-0000-000000000003", uuid[2]);
	c = agent_cache_start(&conf, err, sizeof(err));
	T_OK(c != NULL, "cache over three domains started (%s)", c ? "" : err);
	if (c == NULL) {
		unlink(path);
		return;
	}
	/* Until every domain has had 6 polls: at least 1.5 s. */
	for (int k = 0; k < 1000; k++) {
		uint64_t least = UINT64_MAX;
		for (int i = 0; i < 3; i++) {
			memset(&r[i], 0, sizeof(r[i]));
			agent_cache_get(c, uuid[i], &r[i]);
			if (r[i].polls < least)
				least = r[i].polls;
		}
		if (least >= 6)
			break;
		usleep(20000);
	}
	/* Rounds first: a round counts after its polls, so the polls read
	   next are at least the rounds' worth. */
	rounds = agent_cache_rounds(c);
	for (int i = 0; i < 3; i++) {
		agent_cache_get(c, uuid[i], &r[i]);
		polls = r[i].polls > polls ? r[i].polls : polls;
	}
	agent_cache_stop(c);
	T_OK(r[0].polls >= 6 && r[1].polls >= 6 && r[2].polls >= 6,
	     "each domain polled at least 6 times (%llu, %llu, %llu)",
	     (unsigned long long)r[0].polls, (unsigned long long)r[1].polls,
	     (unsigned long long)r[2].polls);
	/* Before, each poll's end timed that domain's next poll, so the
	   three came due a few milliseconds apart: 3 rounds per interval. */
	T_OK(rounds <= polls + 1,
	     "one round per interval: %llu rounds for %llu polls per domain",
	     (unsigned long long)rounds, (unsigned long long)polls);
	unlink(path);
}

/* A poll that ends past its slot (a round longer than the interval) still
   rests a whole interval before the next: the gap from the last call of
   one poll to the first of the next is never under 100 ms.  The worker
   waits for its due time, so this holds however slow the machine.  The
   agent is slower than the interval: every call 25 ms, so a poll (6
   calls) takes 150 ms against a 100 ms interval. */
static void test_cache_rest(void)
{
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 100,
					.backoff_ms = 60000,
					.transport = slow_transport};
	int64_t least = INT64_MAX;
	char err[200];
	struct agent_cache *c;
	int polls;

	cache_fake = three_files("oom_kill 3\n");
	slow_agents((const useconds_t[]){25000}, 1);
	c = agent_cache_start(&conf, err, sizeof(err));
	T_OK(c != NULL, "cache with a slow agent started (%s)", c ? "" : err);
	if (c == NULL)
		return;
	/* 4 polls of 6 calls: about 1 s. */
	for (int k = 0; k < 1000 && slow.n < 24; k++)
		usleep(20000);
	agent_cache_stop(c);
	polls = slow.n / 6;
	T_OK(polls >= 4, "the slow agent was polled %d times", polls);
	/* Each poll is 6 calls (opens then seeks, and reads, of 3 files). */
	for (int p = 1; p < polls; p++) {
		int64_t gap = slow.start_us[6 * p] - slow.end_us[6 * p - 1];
		if (gap < least)
			least = gap;
	}
	/* 2 ms for the worker's whole-millisecond clock. */
	T_OK(least >= 98000,
	     "at least an interval between polls: shortest gap %lld us",
	     (long long)least);
}

/* The plugin finds a guest's cache entry by its canonical UUID text. */
static void test_uuid_parse(void)
{
	static const unsigned char want[AGENT_UUID_LEN] = {
	    0x66, 0x95, 0xeb, 0x01, 0xf6, 0xa4, 0x83, 0x04,
	    0x79, 0xaa, 0x97, 0xf2, 0x50, 0x2e, 0x19, 0x3f};
	static const char *bad[] = {
	    "",
	    "6695eb01-f6a4-8304-79aa-97f2502e193",   /* short */
	    "6695eb01-f6a4-8304-79aa-97f2502e193f0", /* long */
	    "6695eb01f-6a4-8304-79aa-97f2502e193f",  /* dash moved */
	    "6695eb01-f6a4-8304-79aa-97f2502e193g",  /* not hex */
	    "6695eb01-f6a4-8304-79aa 97f2502e193f",  /* no dash */
	};
	unsigned char u[AGENT_UUID_LEN];
	int wrong = 0;

	T_OK(agent_uuid_parse("6695EB01-f6a4-8304-79aa-97f2502e193f", u) == 0 &&
		 memcmp(u, want, sizeof(want)) == 0,
	     "canonical UUID text parses (either case)");
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		wrong += agent_uuid_parse(bad[i], u) != -1;
	T_EQ_INT(wrong, 0, "malformed UUID texts are refused");
}

/* A domain the read plugin's globs leave out is never probed. */
static void test_cache_filter(void)
{
	static char *const exclude[] = {"te*"};
	struct agent_cache_conf conf = {.uri = "test:///default",
					.interval_ms = 50,
					.backoff_ms = 60000,
					.exclude = exclude,
					.n_exclude = 1};
	static const char *uuid_str = "6695eb01-f6a4-8304-79aa-97f2502e193f";
	unsigned char uuid[AGENT_UUID_LEN];
	struct agent_result r;
	char err[200];
	struct agent_cache *c = agent_cache_start(&conf, err, sizeof(err));

	T_OK(c != NULL, "cache with ExcludeDomain started (%s)", c ? "" : err);
	if (c == NULL)
		return;
	agent_uuid_parse(uuid_str, uuid);
	for (int k = 0; k < 200 && agent_cache_rounds(c) < 3; k++)
		usleep(20000);
	T_OK(agent_cache_rounds(c) >= 3, "the worker made its rounds");
	T_OK(agent_cache_get(c, uuid, &r) == -1 && r.polls == 0,
	     "an excluded domain has no entry and was never probed");
	agent_cache_stop(c);
}

int main(void)
{
	test_uuid_parse();
	test_read_file();
	test_read_stats();
	test_keep();
	test_replies();
	test_cache();
	test_cache_keep();
	test_cache_filter();
	test_cache_rounds();
	test_cache_rest();
	return t_done();
}
