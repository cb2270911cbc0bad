/* SPDX-License-Identifier: Apache-2.0 */
/*
 * memhog: the guest's memory-pressure tool.  Statically linked into the test
 * guest's initramfs (tests/guest/build.sh); the control loop (init.sh) runs
 * it for "hog N" and for the guest.sched= workload.
 *
 *   memhog MIB [FILL]   allocate MIB MiB of anonymous memory in 1 MiB chunks,
 *                       touch every byte (memset with FILL, default 0x5a),
 *                       then sleep until killed.
 *
 * Every page holds the same byte, so KSM can merge them (also within one
 * guest); pass a different FILL per guest to avoid that.  Exits 1 on bad
 * arguments; a failed malloc stops the allocation (a message on stderr) but
 * the process keeps what it got and still sleeps.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	char *end;
	unsigned long mb, i;
	long fill = 0x5a;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: memhog MIB [FILL]\n");
		return 1;
	}
	errno = 0;
	mb = strtoul(argv[1], &end, 10);
	if (errno || *end || end == argv[1]) {
		fprintf(stderr, "memhog: bad size '%s'\n", argv[1]);
		return 1;
	}
	if (argc == 3) {
		fill = strtol(argv[2], &end, 0);
		if (*end || end == argv[2] || fill < 0 || fill > 255) {
			fprintf(stderr, "memhog: bad fill '%s'\n", argv[2]);
			return 1;
		}
	}
	for (i = 0; i < mb; i++) {
		char *p = malloc(1 << 20);

		if (!p) {
			fprintf(stderr, "memhog: malloc failed at %lu MiB\n",
				i);
			break;
		}
		memset(p, (int)fill, 1 << 20);
	}
	for (;;)
		pause();
}
