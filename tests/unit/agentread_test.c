/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agentread_test.c: unit tests of collectd-plugin/agent_read.c, reading
 * guest files through qemu-guest-agent: the chunked reads and the hostile
 * replies a real agent cannot be made to produce, the handles kept
 * between polls, and the reply parsers and base64 decoder on their own.
 * The agent is the scripted one of agent_fake.h; agent_cache.c's worker
 * is tested in agentcache_test.c.
 */
#include "agent_fake.h"
#include "agent_read.h"
#include "testing.h"

#include <libvirt/virterror.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	struct agent_handles hs = {0};
	struct agent_stats st;
	char err[200];

	/* The same text for all three files: vmstat parses, the other two
	   refuse it; the stats keep vmstat's values only. */
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "one file of three parsed is OK");
	T_OK(st.present[AGENT_OOM_KILL_EVENTS] &&
		 st.v[AGENT_OOM_KILL_EVENTS] == 3 &&
		 !st.present[AGENT_PSI_SOME_AVG10_CPCT] &&
		 !st.present[AGENT_MEM_TOTAL_KIB],
	     "vmstat values present, the refused files' absent");
	T_OK(strstr(err, "/proc/pressure/memory: line 1, column 1") != NULL,
	     "first failure named: %s", err);
	T_OK(f.opens == 3 && f.closes == 2 && !hs.open[0] && hs.open[1] &&
		 !hs.open[2],
	     "three opens; the two refused files closed, vmstat's kept");
	agent_handles_close(&t, &hs);
	T_OK(f.closes == 3 && !hs.open[1], "and closed with the others");

	f = (struct fake){.mode = M_DOWN, .text = ""};
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "no agent: DOWN at the first file");
	T_OK(!st.present[AGENT_OOM_KILL_EVENTS], "and nothing present");
}

/* Handles kept between polls: the first poll opens and keeps (6 calls),
   later ones seek and read (6 calls instead of open/read/close's 9); a
   handle the agent forgot is closed and the file reopened in the same
   poll; a hostile seek reply makes the poll reopen, never read on. */
static void test_keep(void)
{
	struct fake f = three_files("oom_kill 3\npgmajfault 1\n");
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
	f.texts[1] = "oom_kill 5\npgmajfault 1\n";
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
	f.texts[1] = "oom_kill x\npgmajfault 1\n";
	fake_set_text(&f, hs.h[1], f.texts[1]);
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "a poll where vmstat no longer parses");
	T_OK(!hs.open[1] && hs.open[0] && hs.open[2] &&
		 fake_open_handles(&f) == 2 &&
		 strstr(err, "/proc/vmstat: line 1") != NULL,
	     "vmstat's handle closed, the others kept (%s)", err);
	f.texts[1] = "oom_kill 6\npgmajfault 1\n";

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

/* A transport in front of the scripted agent that stalls: from the
   stall_at'th read on, every call times out (AGENT_DOWN) without reaching
   the agent, which keeps what it has open, as a slow qemu-ga does (libvirt
   then re-syncs before the next command and sends nothing if that fails
   too).  It notes the most handles the agent ever held. */
struct stall {
	struct fake *f;
	int stall_at, reads, stalled_calls, most_open;
	bool stalled;
};

static char *stall_cmd(void *ctx, const char *json, int timeout_s,
		       enum agent_rc *rc, char *err, size_t errlen)
{
	struct stall *s = ctx;
	char *reply;

	if (strstr(json, "guest-file-read") != NULL &&
	    ++s->reads == s->stall_at)
		s->stalled = true;
	if (s->stalled) {
		s->stalled_calls++;
		*rc = AGENT_DOWN;
		snprintf(err, errlen, "Guest agent not available for now");
		return NULL;
	}
	reply = fake_cmd(s->f, json, timeout_s, rc, err, errlen);
	if (fake_open_handles(s->f) > s->most_open)
		s->most_open = fake_open_handles(s->f);
	return reply;
}

static int kept(const struct agent_handles *hs)
{
	return hs->open[0] + hs->open[1] + hs->open[2];
}

/* A fresh file whose read times out keeps its handle (a close would find
   no agent either, and the agent would hold the file open for good), and
   the next poll seeks and reads it: the agent never holds a handle the
   plugin has forgotten, nor more than three. */
static void test_read_timeout(void)
{
	struct fake f = three_files("oom_kill 0\npgmajfault 1\n");
	struct stall s = {.f = &f, .stall_at = 1};
	struct agent_transport t = {
	    .cmd = stall_cmd, .ctx = &s, .timeout_s = 1};
	struct agent_handles hs = {{0}};
	struct agent_stats st;
	char err[200];
	int64_t h0;

	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "timeout: a first read that times out is down");
	T_OK(hs.open[0] && kept(&hs) == 1 && fake_open_handles(&f) == 1,
	     "... its handle is kept, the only one the agent holds (%d)",
	     fake_open_handles(&f));
	T_EQ_INT(
	    s.stalled_calls, 1,
	    "... no close sent to the stalled agent (one timeout, not two)");
	h0 = hs.h[0];
	s.stalled = false;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "timeout: the agent back, the next poll reads");
	T_OK(all_present(&st) && hs.h[0] == h0 && f.seeks == 1 && f.opens == 3,
	     "... the kept handle seeked and reused, two files opened");
	T_OK(fake_open_handles(&f) == 3 && kept(&hs) == 3,
	     "... the agent holds three, all kept: none leaked (%d held)",
	     fake_open_handles(&f));

	/* Stalls at every read in turn, over many polls: the agent never
	   holds more than three handles nor one the plugin forgot. */
	for (int poll = 0; poll < 12; poll++) {
		s.stall_at = poll % 2 == 0 ? s.reads + 1 + poll / 2 % 3 : 0;
		agent_read_stats(&t, &hs, &st, err, sizeof(err));
		s.stalled = false;
	}
	T_OK(s.most_open <= 3 && fake_open_handles(&f) == kept(&hs),
	     "timeout: stalls over 12 polls, at most %d held, %d held and "
	     "%d kept",
	     s.most_open, fake_open_handles(&f), kept(&hs));

	/* A handle kept from a timed-out read that the agent then forgot
	   (it restarted) is dropped and the file opened afresh. */
	agent_handles_close(&t, &hs);
	s.stall_at = s.reads + 2;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "timeout: vmstat's first read times out");
	T_OK(hs.open[0] && hs.open[1] && fake_open_handles(&f) == 2,
	     "... pressure's and vmstat's handles kept");
	h0 = hs.h[1];
	s.stalled = false;
	fake_restart(&f);
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "timeout: the agent restarted meanwhile");
	T_OK(all_present(&st) && fake_open_handles(&f) == 3 && kept(&hs) == 3 &&
		 hs.h[1] != h0,
	     "... the forgotten handles dropped, the files reopened, 3 held");
	agent_handles_close(&t, &hs);
	T_EQ_INT(fake_open_handles(&f), 0, "timeout: all closed at the end");
}

/* A kept handle that now reads an empty file (after a reboot the agent's
   handle numbers restart, so it may name another client's file) fails as
   a malformed file does: the handle is closed and the file reopened in the
   same poll (whose values then come as after any stale handle), never
   seeked and read poll after poll with the file's fields silently absent.
   A file that is itself empty is a file error, recorded, and keeps no
   handle. */
static void test_empty_file(void)
{
	static const char *const path[AGENT_STAT_FILES] = {
	    "/proc/pressure/memory", "/proc/vmstat", "/proc/meminfo"};
	struct fake f = three_files("oom_kill 3\npgmajfault 1\n");
	struct agent_transport t = {.cmd = fake_cmd, .ctx = &f, .timeout_s = 1};
	struct agent_handles hs = {{0}};
	struct agent_stats st;
	char err[200];

	agent_read_stats(&t, &hs, &st, err, sizeof(err));
	for (size_t i = 0; i < AGENT_STAT_FILES; i++) {
		int64_t old = hs.h[i];
		int cl0 = f.closes, o0 = f.opens;

		fake_set_text(&f, old, "");
		T_OK(agent_read_stats(&t, &hs, &st, err, sizeof(err)) ==
			 AGENT_OK,
		     "empty: %s's kept handle reads nothing", path[i]);
		T_OK(f.closes - cl0 == 1 && f.opens - o0 == 1 &&
			 hs.h[i] != old && all_present(&st) &&
			 fake_open_handles(&f) == 3,
		     "... that handle closed, the file reopened, all values");
	}

	/* The file itself empty: a file error each poll, no handle kept. */
	f.texts[0] = "";
	fake_set_text(&f, hs.h[0], "");
	for (int poll = 0; poll < 2; poll++) {
		int s0 = f.seeks;
		T_OK(agent_read_stats(&t, &hs, &st, err, sizeof(err)) ==
			 AGENT_OK,
		     "empty: the pressure file empty, poll %d", poll);
		T_OK(!hs.open[0] && hs.open[1] && hs.open[2] &&
			 fake_open_handles(&f) == 2 &&
			 f.seeks - s0 == (poll == 0 ? 3 : 2) &&
			 !st.present[AGENT_PSI_SOME_AVG10_CPCT] &&
			 strstr(err, "/proc/pressure/memory: line 1, column 1: "
				     "empty text") != NULL,
		     "... a file error (%s), its handle not kept", err);
	}
	agent_handles_close(&t, &hs);
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

/* libvirt's error codes: the agent answering a command with an error
   (INTERNAL_ERROR before libvirt 11.2.0, AGENT_COMMAND_FAILED, 113, since)
   is this file's error; anything else is an agent to back off from. */
static void test_virerror(void)
{
	/* What libvirt says when qemu-ga does not know a kept handle. */
	static const char refused[] =
	    "internal error: unable to execute QEMU agent command "
	    "'guest-file-seek': handle '1000' has not been found";

	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_INTERNAL_ERROR, refused),
		 AGENT_FILE_ERROR, "internal error: the agent refused");
	T_EQ_INT(agent_rc_of_virerror(113, refused), AGENT_FILE_ERROR,
		 "agent command failed (libvirt 11.2.0 on): the agent refused");
	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_AGENT_UNRESPONSIVE, refused),
		 AGENT_DOWN, "agent unresponsive: down");
	T_EQ_INT(agent_rc_of_virerror(112, refused), AGENT_DOWN,
		 "agent command timeout (libvirt 11.2.0 on): down");
	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_OPERATION_INVALID, refused),
		 AGENT_DOWN, "domain not running: down");
	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_NO_DOMAIN, refused), AGENT_DOWN,
		 "domain gone: down");
	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_RPC, refused), AGENT_DOWN,
		 "connection lost: down");
	T_EQ_INT(agent_rc_of_virerror(VIR_ERR_INTERNAL_ERROR, NULL),
		 AGENT_FILE_ERROR, "a refusal without a message");
	/* libvirt's text around qemu-ga's error while the guest's
	   filesystems are frozen. */
	T_EQ_INT(agent_rc_of_virerror(
		     VIR_ERR_INTERNAL_ERROR,
		     "internal error: unable to execute QEMU agent command "
		     "'guest-file-seek': Command guest-file-seek has been "
		     "disabled: the command is not allowed"),
		 AGENT_DISABLED,
		 "a command the agent has disabled (fsfreeze): told apart "
		 "from a bad handle");
	T_EQ_INT(agent_rc_of_virerror(113, "guest agent command failed: "
					   "unable to execute QEMU agent "
					   "command 'guest-file-open': Command "
					   "guest-file-open has been disabled"),
		 AGENT_DISABLED, "... also as libvirt 11.2.0 on reports it");
	T_EQ_INT(agent_rc_of_virerror(
		     VIR_ERR_INTERNAL_ERROR,
		     "internal error: unable to execute QEMU agent command "
		     "'guest-file-open': failed to open file "
		     "'/proc/pressure/memory' (flags=r): No such file or "
		     "directory"),
		 AGENT_FILE_ERROR, "a file the guest lacks: a file error");
}

/* The guest's filesystems frozen (a backup snapshot): qemu-ga disables
   every file command, close included.  The kept handles are kept, never
   closed and forgotten (the close is refused, so the agent would keep
   them open for good), and serve again after the thaw. */
static void test_frozen(void)
{
	struct fake f = three_files("oom_kill 3\npgmajfault 1\n");
	struct agent_transport t = {.cmd = fake_cmd, .ctx = &f, .timeout_s = 1};
	struct agent_handles hs = {{0}};
	struct agent_stats st;
	char err[200];
	int64_t h0[AGENT_STAT_FILES];
	int o0;

	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "frozen: a first poll keeps three handles");
	memcpy(h0, hs.h, sizeof(h0));
	f.disabled = FAKE_FROZEN;
	o0 = f.opens;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "while frozen: down (backed off), not a file error");
	T_OK(hs.open[0] && hs.open[1] && hs.open[2] &&
		 !memcmp(h0, hs.h, sizeof(h0)),
	     "... the three handles still kept");
	T_OK(f.opens == o0 && f.closes == 0 && fake_open_handles(&f) == 3,
	     "... none closed, none opened: the agent holds three (%d)",
	     fake_open_handles(&f));
	T_OK(f.refused == 2,
	     "... the first file's seek and close refused (%d), then down",
	     f.refused);
	f.disabled = 0;
	o0 = f.opens;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "thawed: the kept handles serve again");
	T_OK(all_present(&st) && f.opens == o0 && fake_open_handles(&f) == 3,
	     "... all values, no open, three held");

	/* Frozen between a fresh open and its read: the handle is kept
	   (its close would be refused), then used after the thaw. */
	agent_handles_close(&t, &hs);
	f.disabled = FAKE_READ | FAKE_SEEK | FAKE_CLOSE;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_DOWN,
		 "reads disabled after an open: down");
	T_OK(hs.open[0] && fake_open_handles(&f) == 1,
	     "... the opened handle is kept, the only one the agent holds");
	f.disabled = 0;
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "thawed: values again");
	T_OK(all_present(&st) && fake_open_handles(&f) == 3,
	     "... and the agent holds three handles, none leaked (%d)",
	     fake_open_handles(&f));
	agent_handles_close(&t, &hs);
	T_EQ_INT(fake_open_handles(&f), 0, "closed at the end");

	/* An agent that refuses seek and close but serves open and read:
	   a kept handle it will not close stays kept (down), and no file is
	   opened beside it, poll after poll: nothing leaks. */
	f = three_files("oom_kill 3\npgmajfault 1\n");
	hs = (struct agent_handles){{0}};
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "seek and close disabled: the first poll opens");
	f.disabled = FAKE_SEEK | FAKE_CLOSE;
	o0 = f.opens;
	for (int poll = 0; poll < 3; poll++)
		T_OK(agent_read_stats(&t, &hs, &st, err, sizeof(err)) ==
			 AGENT_DOWN,
		     "seek and close disabled: poll %d down", poll);
	T_OK(f.opens == o0 && fake_open_handles(&f) == 3 && hs.open[0],
	     "... nothing opened, the agent holds three (%d), all kept",
	     fake_open_handles(&f));
	f.disabled = 0;
	agent_handles_close(&t, &hs);

	/* An allow-list without guest-file-seek: each poll closes the
	   handle and opens the file anew, so values keep coming and nothing
	   leaks. */
	f = three_files("oom_kill 3\npgmajfault 1\n");
	hs = (struct agent_handles){{0}};
	T_EQ_INT(agent_read_stats(&t, &hs, &st, err, sizeof(err)), AGENT_OK,
		 "seek disabled: the first poll opens");
	f.disabled = FAKE_SEEK;
	for (int poll = 0; poll < 3; poll++)
		T_OK(agent_read_stats(&t, &hs, &st, err, sizeof(err)) ==
			 AGENT_OK,
		     "seek disabled: poll %d reads afresh", poll);
	T_OK(all_present(&st) && fake_open_handles(&f) == 3 && f.opens == 12,
	     "... all values, 3 opens a poll, three held (%d)",
	     fake_open_handles(&f));
	agent_handles_close(&t, &hs);
}

int main(void)
{
	test_virerror();
	test_read_file();
	test_read_stats();
	test_keep();
	test_frozen();
	test_read_timeout();
	test_empty_file();
	test_replies();
	return t_done();
}
