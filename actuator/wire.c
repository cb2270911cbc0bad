/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.c: what the encoder (wire_enc.c) and the decoder (wire_dec.c) of
 * collectd's write_http JSON format share: the data source type names and
 * a value's number.  The format is described in wire.h.
 *
 * Layout: wire.h is the one public header.  The write plugin links wire.c
 * and wire_enc.c only; momd links wire.c, wire_dec.c and the decoder's
 * JSON reader wire_lex.c (private header wire_lex.h).  No file calls up:
 * wire_dec.c -> wire_lex.c -> wire.c, wire_enc.c -> wire.c.
 *
 * Threading: no state outside the caller's arguments; every function is
 * reentrant.  This code runs inside collectd too, so it never logs.
 */
#include "wire.h"

#include <ctype.h>
#include <math.h>

const char *const wire_dstype_names[] = {
    [WIRE_GAUGE] = "gauge",
    [WIRE_DERIVE] = "derive",
    [WIRE_COUNTER] = "counter",
    [WIRE_ABSOLUTE] = "absolute",
};

double wire_value_as_double(const struct wire_value *v)
{
	switch (v->type) {
	case WIRE_GAUGE:
		return v->v.gauge;
	case WIRE_DERIVE:
		return (double)v->v.derive;
	case WIRE_COUNTER:
		return (double)v->v.counter;
	case WIRE_ABSOLUTE:
		return (double)v->v.absolute;
	}
	return NAN;
}

bool wire_uuid_valid(const char *s)
{
	for (int i = 0; i < WIRE_UUID_LEN; i++) {
		bool dash = i == 8 || i == 13 || i == 18 || i == 23;

		/* A NUL fails both tests, so a short string stops here. */
		if (dash ? s[i] != '-' : !isxdigit((unsigned char)s[i]))
			return false;
	}
	return s[WIRE_UUID_LEN] == '\0';
}
