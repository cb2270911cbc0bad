/* SPDX-License-Identifier: Apache-2.0 */
/*
 * arena.c: the chunked allocator of arena.h.  Chunks are 16 KiB, or one
 * request's size when larger; a request never spans two chunks.
 */
#include "arena.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, size;
	max_align_t data[];
};

void *arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk *ch = a->head;
	size_t align = sizeof(max_align_t);
	void *p;

	/* A size near SIZE_MAX would round up, or add the header, past it
	   and wrap to a small chunk handed out as a large one. */
	if (size > SIZE_MAX - sizeof(*ch) - align)
		return NULL;
	size = (size + align - 1) / align * align;
	if (!ch || ch->size - ch->used < size) {
		size_t csize = size > 16384 ? size : 16384;

		ch = malloc(sizeof(*ch) + csize);
		if (!ch)
			return NULL;
		ch->next = a->head;
		ch->used = 0;
		ch->size = csize;
		a->head = ch;
	}
	p = (char *)ch->data + ch->used;
	ch->used += size;
	memset(p, 0, size);
	return p;
}

char *arena_strdup(struct arena *a, const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = arena_alloc(a, n);

	if (p)
		memcpy(p, s, n);
	return p;
}

void arena_free(struct arena *a)
{
	while (a->head) {
		struct arena_chunk *next = a->head->next;

		free(a->head);
		a->head = next;
	}
}
