/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena_test.c: the chunked allocator (arena.h): zeroed, aligned memory
 * from shared and dedicated chunks, and sizes too large to allocate
 * refused rather than wrapped to a small chunk.
 */
#include <stdalign.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "testing.h"

static bool zeroed(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_alloc(void)
{
	struct arena a = {0};
	unsigned char *p = arena_alloc(&a, 3), *q = arena_alloc(&a, 5);
	unsigned char *big = arena_alloc(&a, 100000);
	char *s = arena_strdup(&a, "vda");

	T_OK(p && q && big && s, "small, large and string allocations");
	if (p && q && big && s) {
		T_OK((uintptr_t)q % alignof(max_align_t) == 0,
		     "aligned to max_align_t");
		T_OK(q >= p + 3, "two allocations do not overlap");
		T_OK(zeroed(p, 3) && zeroed(q, 5) && zeroed(big, 100000),
		     "zeroed");
		memset(big, 0xff, 100000);
		T_OK(strcmp(s, "vda") == 0, "the copy is whole");
	}
	arena_free(&a);
	T_OK(a.head == NULL, "empty after arena_free()");
}

/* A size the rounding or the chunk header would wrap past SIZE_MAX. */
static void test_huge(void)
{
	struct arena a = {0};
	static const size_t sizes[] = {SIZE_MAX, SIZE_MAX - 3,
				       SIZE_MAX - sizeof(max_align_t)};

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++)
		T_OK(arena_alloc(&a, sizes[i]) == NULL,
		     "SIZE_MAX - %zu is refused, not wrapped",
		     SIZE_MAX - sizes[i]);
	T_OK(arena_alloc(&a, 8) != NULL, "the arena still works after");
	arena_free(&a);
}

int main(void)
{
	test_alloc();
	test_huge();
	return t_done();
}
