/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_fake.h: the scripted qemu-guest-agent that agentread_test.c
 * (agent_read.c) and agentcache_test.c (agent_cache.c) both talk to.
 *
 * A real agent needs a real guest (tests/it/guest_agent.sh); this one
 * plays the hostile cases a real one cannot be made to produce: replies
 * that lie about their count, never reach EOF, exceed the size cap, carry
 * bad base64, or fail half way.  It serves a file in chunks as the real
 * agent does, hands out handles, and counts its calls so a test can check
 * that every opened handle is closed.  fake_cmd is an agent_transport's
 * cmd with a struct fake as its ctx.
 */
#ifndef MOM_TEST_AGENT_FAKE_H
#define MOM_TEST_AGENT_FAKE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agent_read.h"

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

/* Commands the scripted agent has disabled (struct fake's disabled), as
   qemu-ga disables the file commands while the guest's filesystems are
   frozen: the transport then answers AGENT_DISABLED, as libvirt's error
   text makes agent_transport_libvirt() do. */
enum {
	FAKE_OPEN = 1,
	FAKE_READ = 2,
	FAKE_SEEK = 4,
	FAKE_CLOSE = 8,
	FAKE_FROZEN = FAKE_OPEN | FAKE_READ | FAKE_SEEK | FAKE_CLOSE,
};

/* Up to this many handles open at once in the scripted agent. */
#define FAKE_HANDLES 16

struct fake {
	enum mode mode;
	const char *text;	/* every file's text, unless texts[] is set */
	const char *texts[3];	/* pressure, vmstat, meminfo */
	const char *seek_reply; /* served for every seek instead of the real */
	unsigned disabled;	/* FAKE_* commands refused as disabled */
	int64_t next_h;		/* the next handle handed out (0: 1000) */
	struct {
		int64_t id;
		const char *text;
		size_t off;
		bool open;
	} h[FAKE_HANDLES];
	int opens, closes, reads, seeks, calls;
	int refused; /* calls refused as disabled */
};

/* One agent call (json) answered as f (ctx) is scripted to answer. */
char *fake_cmd(void *ctx, const char *json, int timeout_s, enum agent_rc *rc,
	       char *err, size_t errlen);

/* A good agent whose three files each parse, vmstat's text being
   vmstat (which must carry pgmajfault, the parser's anchor). */
struct fake three_files(const char *vmstat);

/* The handles the agent holds open. */
int fake_open_handles(const struct fake *f);

/* The agent restarted and forgot its handles. */
void fake_restart(struct fake *f);

/* The file behind handle id changes (a counter moved). */
void fake_set_text(struct fake *f, int64_t id, const char *text);

/* Whether st has a value of each of the three files (as three_files
   serves them). */
bool all_present(const struct agent_stats *st);

#endif /* MOM_TEST_AGENT_FAKE_H */
