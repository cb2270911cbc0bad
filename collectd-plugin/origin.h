/* SPDX-License-Identifier: Apache-2.0 */
/*
 * origin.h: the mark by which write_mom recognises value lists that this
 * collectd's own `mom` read plugin dispatched.
 *
 * The read plugin attaches ORIGIN_META_KEY to every value list it
 * dispatches, as an *unsigned integer* meta entry holding origin_mark();
 * write_mom forwards a value list of plugin "mom" only when that entry is
 * present with that type and value.  Neither plugin can see the other's
 * symbols (each .so exports only module_register, and collectd loads them
 * RTLD_LOCAL), so they share nothing: each derives the same mark on its
 * own from the process's AT_RANDOM bytes, 16 random bytes the kernel gives
 * every process at exec (getauxval(3)), identical in both .so files of one
 * collectd and different in every other process.  The mark is SipHash of a
 * fixed label under those bytes as key, so printing the mark (write_http
 * prints meta) reveals nothing about them (glibc also seeds its stack
 * protector from them).
 *
 * Why it cannot be forged:
 *   - collectd's network plugin carries no meta data at all: a received
 *     value list has at most network:received (a boolean) set by the
 *     receiving plugin itself;
 *   - unixsock and exec PUTVAL accept meta only as strings
 *     (meta:KEY="...");  an unsigned-integer entry cannot be expressed;
 *   - the value differs per collectd process and is not guessable (64
 *     bits from the kernel's randomness).
 * Only code running inside collectd (a configured plugin) could produce
 * it, and such code can already do anything collectd can.
 */
#ifndef MOM_ORIGIN_H
#define MOM_ORIGIN_H

#include <stdint.h>

#define ORIGIN_META_KEY "mom:origin"

/*
 * A boolean true beside the mark on a value list momd does not consume: a
 * row sent only for dashboards, or momd's own decision dispatched back
 * beside the value it acts on (metric.h's roles).  write_mom leaves such
 * value lists out: momd would only count them as ignored.  The key
 * means something only with the mark, so it cannot make write_mom
 * forward anything.
 */
#define ORIGIN_UNUSED_META_KEY "mom:unused"

/* The mark of this process; 0 only when the kernel gave no AT_RANDOM
   (then write_mom forwards nothing of plugin "mom", and says so). */
uint64_t origin_mark(void);

#endif /* MOM_ORIGIN_H */
