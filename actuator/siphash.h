/* SPDX-License-Identifier: Apache-2.0 */
/*
 * siphash.h: SipHash-2-4, a keyed pseudo-random function (Aumasson and
 * Bernstein, 2012).
 *
 * Two uses: the sample store's hash table (store.c) seeds it with a random
 * key per process, so that guest names chosen by a sender cannot be made
 * to collide; and the plugins derive their origin mark from it
 * (collectd-plugin/origin.c), where its one-wayness keeps the key secret
 * even though the mark itself may be printed by other write plugins.
 * Pure libc, no state, thread-safe.
 */
#ifndef MOM_SIPHASH_H
#define MOM_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

#define SIPHASH_KEY_LEN 16

uint64_t siphash24(const uint8_t key[SIPHASH_KEY_LEN], const void *data,
		   size_t len);

#endif /* MOM_SIPHASH_H */
