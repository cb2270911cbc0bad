/* SPDX-License-Identifier: Apache-2.0 */
/*
 * origin.c: the per-process origin mark shared by the `mom` read plugin and
 * write_mom without any shared symbol (see origin.h for the reasoning).
 */
#include "origin.h"

#include <sys/auxv.h>

#include "siphash.h"

uint64_t origin_mark(void)
{
	static const char label[] = "mom read plugin origin v1";
	const uint8_t *key = (const uint8_t *)getauxval(AT_RANDOM);
	uint64_t m;

	if (key == NULL)
		return 0;
	m = siphash24(key, label, sizeof(label) - 1);
	return m != 0 ? m : 1; /* 0 means "no mark" */
}
