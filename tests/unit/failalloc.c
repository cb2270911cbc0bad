/* SPDX-License-Identifier: Apache-2.0 */
/*
 * failalloc.c: a jansson allocator failing one chosen allocation
 * (failalloc.h).  Frees go to free(): every block, before or after the
 * switch, comes from malloc().
 */
#include "failalloc.h"

#include <stdlib.h>

#include <jansson.h>

static long countdown = -1;
static bool fired;

/* malloc, except the armed allocation: NULL, as when memory runs out. */
static void *failing_malloc(size_t n)
{
	if (countdown == 0) {
		countdown = -1;
		fired = true;
		return NULL;
	}
	if (countdown > 0)
		countdown--;
	return malloc(n);
}

void failalloc_arm(unsigned n)
{
	countdown = n;
	fired = false;
	json_set_alloc_funcs(failing_malloc, free);
}

bool failalloc_disarm(void)
{
	countdown = -1;
	json_set_alloc_funcs(malloc, free);
	return fired;
}
