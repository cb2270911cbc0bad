/* SPDX-License-Identifier: Apache-2.0 */
/*
 * agent_parse.h: strict parsers for the guest text the read plugin gets
 * through qemu-guest-agent: /proc/pressure/memory, /proc/vmstat and
 * /proc/meminfo of a guest that may be hostile.
 *
 * Pure functions, no I/O, no allocation, no logging.  Each takes the text
 * with its length (it need not be NUL-terminated; a NUL byte in it is an
 * error), refuses more than AGENT_TEXT_MAX bytes, validates every line it
 * reads and every value it keeps, and on success sets only its own fields
 * of a struct agent_stats.  A field the text does not carry stays absent
 * (present[f] false); it never becomes 0.  A text without its file's
 * anchor line (pressure "some", vmstat "pgmajfault", meminfo "MemTotal"),
 * empty text included, is refused: it is not that file (an empty file or
 * another file behind a kept handle), and taking it would drop every field
 * silently.  On error it returns -1, leaves the struct untouched and
 * writes "line L, column C: what" into err (L one past the last line for
 * a missing anchor).
 */
#ifndef MOM_AGENT_PARSE_H
#define MOM_AGENT_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Largest text accepted per file: a Debian 12 guest's vmstat is ~4 KiB,
   its meminfo ~1.5 KiB. */
#define AGENT_TEXT_MAX 65536

/* Units are in the names: _CPCT hundredths of a percent (PSI averages are
   printed with two decimals, so they are exact), _US microseconds, _KIB
   KiB; _PAGES and _EVENTS are cumulative counters since guest boot. */
enum agent_field {
	/* /proc/pressure/memory */
	AGENT_PSI_SOME_AVG10_CPCT,
	AGENT_PSI_SOME_AVG60_CPCT,
	AGENT_PSI_SOME_TOTAL_US,
	AGENT_PSI_FULL_AVG10_CPCT,
	AGENT_PSI_FULL_AVG60_CPCT,
	AGENT_PSI_FULL_TOTAL_US,
	/* /proc/vmstat */
	AGENT_OOM_KILL_EVENTS,
	AGENT_PGMAJFAULT_EVENTS,
	AGENT_PSWPIN_PAGES,
	AGENT_PSWPOUT_PAGES,
	AGENT_ALLOCSTALL_EVENTS, /* sum of every allocstall_* zone line */
	/* /proc/meminfo */
	AGENT_MEM_TOTAL_KIB,
	AGENT_MEM_AVAILABLE_KIB,
	AGENT_SWAP_TOTAL_KIB,
	AGENT_SWAP_FREE_KIB,
	AGENT_FIELD_NR
};

struct agent_stats {
	bool present[AGENT_FIELD_NR];
	uint64_t v[AGENT_FIELD_NR];
};

/* The field's short name ("psi_some_avg10", "oom_kill", ...), for messages
   and tests; NULL for an out-of-range value. */
const char *agent_field_name(enum agent_field f);

/* "some" and "full" lines, each "avg10=A avg60=A avg300=A total=N" in that
   order; averages 0.00 to 100.00.  A text without a "some" line (empty
   text too) is not this file: an error. */
int agent_parse_pressure(const char *text, size_t len, struct agent_stats *out,
			 char *err, size_t errlen);

/* "name value" lines; unknown names are checked and skipped, a known name
   twice is an error, and so is a text without "pgmajfault" (empty text
   too): it is not /proc/vmstat.  Every Linux since 2.6 prints pgmajfault
   (oom_kill only since 4.13), unless built without VM event counters,
   when the file has none of the fields read here either. */
int agent_parse_vmstat(const char *text, size_t len, struct agent_stats *out,
		       char *err, size_t errlen);

/* "Name:   value[ kB]" lines; the four kept values must carry " kB";
   MemAvailable <= MemTotal and SwapFree <= SwapTotal when both are there.
   A text without MemTotal (empty text too) is not this file: an error. */
int agent_parse_meminfo(const char *text, size_t len, struct agent_stats *out,
			char *err, size_t errlen);

/* Strict standard base64 (RFC 4648 section 4, '=' padding, no line
   breaks or spaces), as qemu-guest-agent encodes guest-file-read's
   "buf-b64".  Decodes src[0..n) into dst (room bytes); *out_len is the
   decoded length.  -1 with err ("offset O: what") on a bad character, bad
   padding, or output that would not fit. */
int agent_b64_decode(const char *src, size_t n, unsigned char *dst, size_t room,
		     size_t *out_len, char *err, size_t errlen);

#endif
