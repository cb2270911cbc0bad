/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_host_mem.c: fuzz target for the read plugin's /proc and sysfs text
 * parsers (host_mem.c).
 *
 * The first byte of the input picks the parser (meminfo, vmstat, pressure,
 * cpuinfo, one of the KSM files, /proc/<pid>/stat (ticks, comm and flags)
 * or /proc/<pid>/status);
 * the rest, NUL-terminated as the reader hands it over, is the file's text.
 * The sample is then read whole so that no parsed value is dead code.  Any
 * crash or sanitizer report is a bug; text that does not parse is an
 * expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host_mem.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char *const ksm_names[] = {
    "run",
    "pages_shared",
    "pages_sharing",
    "pages_unshared",
    "pages_volatile",
    "full_scans",
    "pages_to_scan",
    "sleep_millisecs",
    "merge_across_nodes",
    "general_profit",
    "ksm_zero_pages",
    "advisor_mode",
    "max_page_sharing",
};
#define NKSM (sizeof(ksm_names) / sizeof(ksm_names[0]))

static void sample_read(const struct host_sample *s)
{
	volatile double sum = 0;

	for (int f = 0; f < HOST_FIELD_NR; f++)
		if (s->present[f])
			sum += host_field_is_real(f) ? s->rval[f]
						     : (double)s->ival[f];
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct host_sample s;
	volatile uint64_t out = 0;
	uint64_t v;
	char *text;
	unsigned which;

	if (size < 1)
		return 0;
	which = data[0];
	text = malloc(size);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	text[size - 1] = '\0';
	memset(&s, 0, sizeof(s));
	switch (which % 7) {
	case 0:
		host_parse_meminfo(text, &s);
		break;
	case 1:
		host_parse_vmstat(text, &s);
		break;
	case 2:
		host_parse_pressure(text, &s);
		break;
	case 3:
		host_parse_cpuinfo(text, &s);
		break;
	case 4:
		host_parse_ksm(ksm_names[(which / 7) % NKSM], text, &s);
		break;
	case 5: {
		char comm[32];
		unsigned long flags;

		if (host_parse_pid_stat(text, &v) == 0)
			out += v;
		if (host_parse_pid_ident(text, comm, sizeof(comm), &flags) == 0)
			out += flags + strlen(comm);
		break;
	}
	case 6:
		if (host_parse_status_vmsize(text, &v) == 0)
			out += v;
		break;
	}
	sample_read(&s);
	free(text);
	return 0;
}
