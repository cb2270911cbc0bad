/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_read.h: read a file from inside a guest through qemu-guest-agent
 * (guest-file-open, guest-file-read in bounded base64 chunks until EOF,
 * guest-file-close), and the three files the read plugin wants, parsed
 * into a struct agent_stats (agent_parse.h).
 *
 * Every agent command goes through a struct agent_transport: in production
 * agent_transport_libvirt() (virDomainQemuAgentCommand from libvirt-qemu,
 * with a per-call timeout); tests plug in a scripted agent.  The agent is
 * untrusted: replies are size-checked before they are parsed, counts are
 * checked against what was asked, the loop ends at EOF, at the size cap or
 * after a bounded number of reads, and an opened handle is closed, except
 * agent_read_stats' (kept, and closed as soon as it fails).
 * Calls block for at most the timeout each: run them off the read path
 * (agent_cache.h does).  No logging; errors come back as text.
 *
 * agent_read_stats keeps each file's handle open between polls (struct
 * agent_handles): a later poll seeks it to 0 and reads again (a /proc
 * seq_file regenerates on a read after lseek 0; qemu-ga reads through
 * a FILE*, but glibc hands reads as large as our 16 KiB straight to
 * read(2), so no start of the file is left in its buffer for fseek to
 * reuse), two calls per file instead of three.  A kept handle that fails in any
 * way is closed best-effort and the file is opened afresh within the same poll.
 */
#ifndef MOM_AGENT_READ_H
#define MOM_AGENT_READ_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent_parse.h"

/* Outcome of an agent exchange. */
enum agent_rc {
	AGENT_OK = 0,
	/* The agent answered, but this file could not be read or its reply
	   was bad: only this file's values are missing. */
	AGENT_FILE_ERROR = -1,
	/* No agent to talk to: no channel, not connected, timed out, domain
	   gone.  The caller should back off. */
	AGENT_DOWN = -2,
	/* The agent has this command disabled: the guest's filesystems are
	   frozen (a backup snapshot) or its allow-list lacks it.  Only a
	   transport's cmd gives it; agent_read_file() and agent_read_stats()
	   answer AGENT_DOWN then, having kept what handles they can. */
	AGENT_DISABLED = -3,
};

/* cmd sends one JSON command and returns the agent's reply text (malloc'd,
   the caller frees it), or NULL with *rc set to AGENT_FILE_ERROR,
   AGENT_DOWN or AGENT_DISABLED and err filled. */
struct agent_transport {
	char *(*cmd)(void *ctx, const char *json, int timeout_s,
		     enum agent_rc *rc, char *err, size_t errlen);
	void *ctx;
	int timeout_s; /* per call, >= 1 (libvirt counts in seconds) */
};

/* Bytes asked per guest-file-read; the reply must carry no more. */
#define AGENT_READ_CHUNK 16384
/* Largest reply text accepted for one command (base64 of a chunk plus the
   JSON around it). */
#define AGENT_REPLY_MAX (AGENT_READ_CHUNK / 3 * 4 + 1024)

/* A transport over virDomainQemuAgentCommand for dom (a virDomainPtr;
   void * here so that this header needs no libvirt header).  The
   transport borrows dom. */
struct agent_transport agent_transport_libvirt(void *dom, int timeout_s);

/* What a failed virDomainQemuAgentCommand means, from libvirt's error code
   (virErrorNumber) and message: AGENT_FILE_ERROR when the agent itself
   answered the command with an error (no such file, a handle it does not
   know), which libvirt before 11.2.0 reports as VIR_ERR_INTERNAL_ERROR and
   later ones as VIR_ERR_AGENT_COMMAND_FAILED, or AGENT_DISABLED when that
   error says the command has been disabled; AGENT_DOWN otherwise. */
enum agent_rc agent_rc_of_virerror(int code, const char *message);

/* Read path (absolute, in the guest) whole into buf (cap bytes at most;
   more is an AGENT_FILE_ERROR); *len is its length.  Uses about
   AGENT_READ_CHUNK bytes of stack.  The handle is closed on every path
   once opened; a close the agent refuses (its filesystems frozen between
   the open and the close) leaves it open in the agent, as nothing here
   keeps it: a one-shot read for tools (tests/tools/agent_driver), not for
   polls, which agent_read_stats serves. */
enum agent_rc agent_read_file(const struct agent_transport *t, const char *path,
			      char *buf, size_t cap, size_t *len, char *err,
			      size_t errlen);

/* The files agent_read_stats reads. */
#define AGENT_STAT_FILES 3

/* Handles kept open between polls, one per file of agent_read_stats, as
   the agent returned them from guest-file-open (never a value taken from
   any other reply).  All zero: nothing kept. */
struct agent_handles {
	bool open[AGENT_STAT_FILES];
	int64_t h[AGENT_STAT_FILES];
};

/* Read and parse /proc/pressure/memory, /proc/vmstat and /proc/meminfo
   into *st (cleared first; fields of a file that fails stay absent).
   AGENT_OK if at least one file parsed; AGENT_DOWN as soon as the agent is
   unreachable; AGENT_FILE_ERROR if it answered but no file parsed.  err
   names the first failure (file and reason) even on AGENT_OK.

   A file that parsed keeps its handle in *keep (never NULL), and a
   later call seeks and reads it (6 calls; 9 to open, read and close).  A
   kept handle whose seek, read or parse fails is closed and the file
   opened again in the same call, unless the agent refuses the close for
   want of an agent (down, or the command disabled: frozen filesystems):
   then it stays kept and the call answers AGENT_DOWN.  A file that fails
   afresh keeps nothing, but a handle whose read found no agent right
   after its open (timed out: its close would find none either, and the
   agent would keep the file open) or was disabled (a freeze begun) is
   kept, for the next call to seek and read.  On AGENT_DOWN the handles
   stay kept (the agent may only be slow): none is opened while one is
   kept, so a domain never holds more than AGENT_STAT_FILES. */
enum agent_rc agent_read_stats(const struct agent_transport *t,
			       struct agent_handles *keep,
			       struct agent_stats *st, char *err,
			       size_t errlen);

/* Close every kept handle best-effort (each call bounded by the
   transport's timeout) and clear *keep.  Stops sending at the first close
   that finds no agent: the rest would only wait for their timeouts. */
void agent_handles_close(const struct agent_transport *t,
			 struct agent_handles *keep);

/* Pure reply decoders, exposed for tests.  A reply is {"return": ...};
   {"error": ...} and anything else are AGENT_FILE_ERROR. */
enum agent_rc agent_reply_open(const char *reply, int64_t *handle, char *err,
			       size_t errlen);
/* guest-file-read's {"return": {"count": N, "buf-b64": "...", "eof": B}}:
   decodes into dst (room bytes, and never more than asked bytes). */
enum agent_rc agent_reply_read(const char *reply, size_t asked,
			       unsigned char *dst, size_t room, size_t *n,
			       int *eof, char *err, size_t errlen);
/* guest-file-seek's {"return": {"position": 0, "eof": B}} after a seek to
   0: any other position, shape or type is AGENT_FILE_ERROR. */
enum agent_rc agent_reply_seek(const char *reply, char *err, size_t errlen);

#endif
