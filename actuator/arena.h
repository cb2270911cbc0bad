/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.h: zeroed memory handed out in chunks and freed all at once.
 *
 * A compiled policy set keeps its whole tree in one arena, so loading
 * allocates without a free per node and policy_set_free() is one walk over
 * the chunks.  Not thread-safe: one owner at a time.
 */
#ifndef MOM_ARENA_H
#define MOM_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
};

/* Zeroed, max_align_t-aligned memory; NULL when out of memory (also when
   size is too large to round up and allocate, near SIZE_MAX). */
void *arena_alloc(struct arena *a, size_t size);
/* A copy of s in the arena; NULL when out of memory. */
char *arena_strdup(struct arena *a, const char *s);
/* Frees every chunk; the arena is empty (and reusable) afterwards. */
void arena_free(struct arena *a);

#endif /* MOM_ARENA_H */
