/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_agent_parse.c: fuzz target for the guest-agent text parsers
 * (collectd-plugin/agent_parse.c), which read text from guests that may be
 * hostile.
 *
 * The first byte picks the parser (0 pressure, 1 vmstat, 2 meminfo, 3 the
 * base64 decoder, 4 the guest-file-read reply decoder of agent_read.c,
 * 5 its guest-file-open and guest-file-seek reply decoders, which see the
 * agent's JSON); the rest is the
 * text, handed over with its length and no terminating NUL as the agent
 * reader does (NUL-terminated for the JSON decoders, as libvirt hands
 * replies over).  Beyond crashes and sanitizer reports the
 * target checks what the parsers promise: a refused text leaves the stats
 * untouched and says where ("line L, column C: ..." or the size limit),
 * accepted averages are at most 100.00 %, and parsing is deterministic.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent_parse.h"
#include "agent_read.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

typedef int (*parse_fn)(const char *, size_t, struct agent_stats *, char *,
			size_t);

/* other: the base64 and reply decoders; decoded bytes never exceed the
   room given, a reply never yields more than asked. */
static int other(int which, const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), err[200];
	unsigned char out[64];
	size_t n = 0;
	int eof = 0;
	int64_t h;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (which == 3) {
		if (agent_b64_decode(text, size, out, sizeof(out), &n, err,
				     sizeof(err)) == 0 &&
		    (n > sizeof(out) ||
		     n != size / 4 * 3 - (size && text[size - 1] == '=') -
			      (size > 1 && text[size - 2] == '=')))
			abort();
	} else if (which == 4) {
		if (agent_reply_read(text, 48, out, sizeof(out), &n, &eof, err,
				     sizeof(err)) == AGENT_OK &&
		    n > 48)
			abort();
	} else {
		enum agent_rc open_rc =
		    agent_reply_open(text, &h, err, sizeof(err));
		if (open_rc == AGENT_OK && h < 0)
			abort();
		/* "return" is an integer for one and an object for the
		   other: no reply passes both. */
		if (agent_reply_seek(text, err, sizeof(err)) == AGENT_OK &&
		    open_rc == AGENT_OK)
			abort();
	}
	free(text);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const parse_fn fns[] = {agent_parse_pressure, agent_parse_vmstat,
				       agent_parse_meminfo};
	struct agent_stats st, before, again;
	char err[200], err2[200];
	char *text;
	int rc;

	if (size < 1)
		return 0;
	if (data[0] % 6 >= 3)
		return other(data[0] % 6, data + 1, size - 1);
	parse_fn fn = fns[data[0] % 3];
	/* An exact-size copy, so ASan sees any read past the end. */
	text = malloc(size - 1 ? size - 1 : 1);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	memset(&st, 0, sizeof(st));
	st.present[AGENT_SWAP_FREE_KIB] = true; /* a previous reading */
	st.v[AGENT_SWAP_FREE_KIB] = 42;
	st.present[AGENT_OOM_KILL_EVENTS] = true;
	st.v[AGENT_OOM_KILL_EVENTS] = 43;
	before = st;
	again = st;
	rc = fn(text, size - 1, &st, err, sizeof(err));
	if (rc != 0) {
		if (memcmp(&st, &before, sizeof(st)) != 0)
			abort(); /* a refused text changed the stats */
		if (strncmp(err, "line ", 5) != 0 &&
		    strncmp(err, "text of ", 8) != 0 && !strstr(err, "exceeds"))
			abort(); /* an error that does not say where */
	} else {
		for (int f = AGENT_PSI_SOME_AVG10_CPCT;
		     f <= AGENT_PSI_FULL_AVG60_CPCT; f++)
			if (f != AGENT_PSI_SOME_TOTAL_US && st.present[f] &&
			    st.v[f] > 10000)
				abort(); /* an average above 100 % */
		if (st.present[AGENT_MEM_AVAILABLE_KIB] &&
		    st.present[AGENT_MEM_TOTAL_KIB] &&
		    st.v[AGENT_MEM_AVAILABLE_KIB] > st.v[AGENT_MEM_TOTAL_KIB])
			abort();
	}
	if (fn(text, size - 1, &again, err2, sizeof(err2)) != rc ||
	    memcmp(&st, &again, sizeof(st)) != 0 ||
	    (rc != 0 && strcmp(err, err2) != 0))
		abort(); /* not deterministic */
	free(text);
	return 0;
}
