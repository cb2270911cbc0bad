/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_conf.c: fuzz target for the actuator's configuration file.
 *
 * The input is one configuration text.  It is merged over the defaults
 * with conf_load_text() (the parser behind conf_load_file()), checked with
 * conf_validate(), its options are printed back as a command line and
 * re-applied with conf_apply_arg() to a second configuration, and both are
 * released.  Any crash, leak or sanitizer report is a bug; a refused
 * configuration is an expected outcome.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "conf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Re-apply a few string options through the command-line path. */
static void reapply(const struct conf *c)
{
	char mode[16], interval[16];
	char *argv[] = {"--socket",  c->socket,	      "--socket-mode",
			mode,	     "--interval-ms", interval,
			"--ksm-dir", c->ksm_dir,      "--dry-run",
			"--listen",  c->listen};
	int argc = (int)(sizeof(argv) / sizeof(argv[0]));
	struct conf d;
	char err[256];

	snprintf(mode, sizeof(mode), "%o", (unsigned)c->socket_mode);
	snprintf(interval, sizeof(interval), "%d", c->interval_ms);
	if (conf_init_defaults(&d) < 0)
		return;
	for (int i = 0; i < argc;) {
		int used = 1;

		if (conf_apply_arg(&d, argc - i, argv + i, &used, err,
				   sizeof(err)) < 0)
			break;
		i += used;
	}
	conf_validate(&d, err, sizeof(err));
	conf_release(&d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	char err[512];

	if (conf_init_defaults(&c) < 0)
		return 0;
	if (conf_load_text(&c, "fuzz.json", (const char *)data, size, err,
			   sizeof(err)) == 0 &&
	    conf_validate(&c, err, sizeof(err)) == 0)
		reapply(&c);
	conf_release(&c);
	return 0;
}
