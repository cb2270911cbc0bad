/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire.h: collectd's write_http JSON format, both ways.
 *
 * The write plugin encodes value lists with wire_encode_record(); the
 * actuator decodes request bodies with wire_batch_decode().  Stock
 * write_http (Format "JSON") produces the same bytes, so the actuator
 * accepts it too.  The format (version 1, collectd 5.x) is a JSON array with
 * one object per value list:
 *
 *   [{"values":[4000000],"dstypes":["gauge"],"dsnames":["value"],
 *     "time":1732608000.250,"interval":10.000,"host":"hv01",
 *     "plugin":"mom","plugin_instance":"g1","type":"memory",
 *     "type_instance":"actual","meta":{...}}]
 *
 * Gauges are printed with %.15g (%.17g next to +-DBL_MAX, where 15 digits
 * round beyond it) and non-finite gauges as null; the other types as
 * integers.  "meta" is optional; of it only "mom:uuid" (the
 * domain's UUID, which the read plugin sets on guest value lists) is kept,
 * and it is written only when a record has one.
 *
 * Files: wire.c (shared), wire_enc.c (encoder, all the write plugin
 * links), wire_dec.c and its JSON reader wire_lex.c (decoder, momd).
 *
 * This module runs inside collectd (in the write plugin), so it never logs,
 * keeps no state and uses only libc and jansson.  All functions are
 * thread-safe.
 */
#ifndef MOM_WIRE_H
#define MOM_WIRE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define WIRE_NAME_MAX                                                          \
	128		   /* bytes per identifier, with the NUL: collectd's   \
			      DATA_MAX_NAME_LEN */
#define WIRE_VALUES_MAX 8  /* data sources per record */
#define WIRE_UUID_LEN	36 /* "8-4-4-4-12" hex digits and dashes */
#define WIRE_UUID_META	"mom:uuid"

enum wire_dstype {
	WIRE_GAUGE,
	WIRE_DERIVE,
	WIRE_COUNTER,
	WIRE_ABSOLUTE,
};

struct wire_value {
	char dsname[WIRE_NAME_MAX];
	enum wire_dstype type;
	union {
		double gauge; /* NaN: unknown (null on the wire) */
		int64_t derive;
		uint64_t counter;
		uint64_t absolute;
	} v;
};

struct wire_record {
	double time;	 /* seconds since the epoch */
	double interval; /* seconds */
	char host[WIRE_NAME_MAX];
	char plugin[WIRE_NAME_MAX];
	char plugin_instance[WIRE_NAME_MAX];
	char type[WIRE_NAME_MAX];
	char type_instance[WIRE_NAME_MAX];
	char
	    uuid[WIRE_UUID_LEN + 1]; /* meta mom:uuid, lower case; "" if none */
	size_t nvalues;		     /* 1..WIRE_VALUES_MAX */
	struct wire_value values[WIRE_VALUES_MAX];
};

/*
 * The earliest time a sender may give a record.  momd refuses a batch
 * holding any time that is not positive (ingest_check()), and the encoder
 * prints three decimals, so an earlier time (e.g. a PUTVAL dated 0.0004)
 * would go out as 0.000: the write plugin leaves such a record out.
 */
#define WIRE_TIME_MIN 0.001

/* "gauge", "derive", "counter", "absolute", by enum wire_dstype. */
extern const char *const wire_dstype_names[];

/* A record's value as a double, whatever its type. */
double wire_value_as_double(const struct wire_value *v);

/*
 * Is s a UUID: WIRE_UUID_LEN bytes, "8-4-4-4-12" hex digits of either
 * case, then the NUL?  The one rule for meta mom:uuid: the decoder refuses
 * a batch with any other, so the write plugin checks a value list's with
 * the same function before it queues it.
 */
bool wire_uuid_valid(const char *s);

/* Where a body is wrong.  Filled by the decoder, owned by the caller. */
struct wire_error {
	long record;	  /* index of the offending record, -1 if none */
	char field[32];	  /* offending key, e.g. "values", "" if none */
	int line, column; /* for JSON syntax errors, else 0 */
	char message[160];
};

struct wire_batch {
	size_t n;
	struct wire_record *records; /* owned */
	size_t cap;		     /* records allocated */
};

/*
 * Decode a whole body strictly: a JSON array of objects with every key
 * above but "meta" present and of the right type, equal lengths of values,
 * dstypes and dsnames, known dstypes, finite time and interval >= 0, names
 * shorter than WIRE_NAME_MAX, no unknown key, at most max_records records,
 * meta an object whose "mom:uuid", if present, is a UUID string.
 * A gauge may be null (NaN); the other types must be integers in range.
 * The batch is decoded whole or not at all: on error nothing is returned.
 * Returns 0 and fills *batch (free with wire_batch_free()), or -EINVAL with
 * *err filled, or -ENOMEM.
 */
int wire_batch_decode(const char *body, size_t len, size_t max_records,
		      struct wire_batch *batch, struct wire_error *err);
void wire_batch_free(struct wire_batch *batch);

/*
 * The same, into a batch that may already hold records' memory from an
 * earlier decode (or be zeroed): the memory is reused and grown as needed,
 * so a caller that decodes one body after another does not allocate, copy
 * and fault in a fresh array (a record is about 1.8 KiB) every time.  On
 * error batch->n is 0 and the memory is kept.  wire_batch_free() frees it.
 */
int wire_batch_decode_into(const char *body, size_t len, size_t max_records,
			   struct wire_batch *batch, struct wire_error *err);

/*
 * A growable output buffer.  Start from WIRE_BUF_INIT; wire_buf_free()
 * releases it.  data is NUL-terminated whenever len > 0.
 */
struct wire_buf {
	char *data;
	size_t len, cap;
};
#define WIRE_BUF_INIT                                                          \
	{                                                                      \
		NULL, 0, 0                                                     \
	}
void wire_buf_free(struct wire_buf *b);
void wire_buf_reset(struct wire_buf *b); /* len = 0, keeps the memory */

/*
 * Append one record as a JSON object, byte for byte as write_http prints
 * it (with "meta":{"mom:uuid":...} when r->uuid is set).  The caller writes the
 * surrounding "[", "," and "]" with wire_buf_append().  Returns 0, or -ENOMEM
 * (b is left unchanged).
 */
int wire_encode_record(struct wire_buf *b, const struct wire_record *r);
int wire_buf_append(struct wire_buf *b, const char *s, size_t n);

#endif /* MOM_WIRE_H */
