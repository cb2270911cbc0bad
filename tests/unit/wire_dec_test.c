/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_dec_test.c: the write_http JSON decoder (actuator/wire.c) on bad
 * and unusual input.
 *
 * Every class of bad body must name the right record and field (and, for
 * a syntax error, line and column) and must refuse the whole batch; names
 * at and over their limit, keys in another order, the record limit, and
 * decoding into a batch that already holds records.  The encoder and the
 * byte-for-byte checks against write_http's captures are in wire_test.c.
 * Single-threaded.
 */
#include "testing.h"
#include "wire.h"

#include <errno.h>

/* A valid record with one key replaced: KEY is spliced in as given. */
#define REC(values, dstypes, dsnames, time, interval, rest)                    \
	"{\"values\":" values ",\"dstypes\":" dstypes ",\"dsnames\":" dsnames  \
	",\"time\":" time ",\"interval\":" interval                            \
	",\"host\":\"h\",\"plugin\":\"p\",\"plugin_instance\":\"\","           \
	"\"type\":\"t\",\"type_instance\":\"\"" rest "}"
#define GOOD REC("[1]", "[\"gauge\"]", "[\"value\"]", "1.000", "1.000", "")

struct bad_case {
	const char *what;
	const char *body;
	long record;
	const char *field;
	int line, column; /* 0: not a syntax error */
};

static const struct bad_case bad_cases[] = {
    {"empty body", "", -1, "", 1, 1},
    {"not an array", "{}", -1, "", 0, 0},
    {"a bare number", "42", -1, "", 1, 1},
    {"record not an object", "[" GOOD ",[1]]", 1, "", 0, 0},
    {"record is a string", "[\"x\"]", 0, "", 0, 0},
    {"syntax error line/column", "[" GOOD ",\n  {\"values\" [1]}]", 1, "values",
     2, 13},
    {"trailing garbage", "[" GOOD "] x", -1, "", 1, (int)sizeof("[" GOOD "] ")},
    {"unterminated array", "[" GOOD, -1, "", 1, (int)sizeof("[" GOOD)},
    {"collectd empty meta",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1.000", "1.000",
	     ",\"meta\":") "]",
     0, "meta", 1,
     (int)sizeof("[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1.000", "1.000",
			 ",\"meta\":")) -
	 1},
    {"meta not an object",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1.000", "1.000",
	     ",\"meta\":[]") "]",
     0, "meta", 0, 0},
    {"missing host",
     "[" GOOD ",{\"values\":[1],\"dstypes\":[\"gauge\"],"
     "\"dsnames\":[\"value\"],\"time\":1,\"interval\":1,"
     "\"plugin\":\"p\",\"plugin_instance\":\"\","
     "\"type\":\"t\",\"type_instance\":\"\"}]",
     1, "host", 0, 0},
    {"empty object", "[" GOOD "," GOOD ",{}]", 2, "values", 0, 0},
    {"unknown key",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1", "1",
	     ",\"colour\":\"red\"") "]",
     0, "colour", 0, 0},
    {"duplicate key",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1", "1",
	     ",\"host\":\"h2\"") "]",
     0, "host", 0, 0},
    {"values not an array",
     "[" REC("1", "[\"gauge\"]", "[\"value\"]", "1", "1", "") "]", 0, "values",
     0, 0},
    {"value is a string",
     "[" REC("[\"1\"]", "[\"gauge\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"values empty", "[" REC("[]", "[]", "[]", "1", "1", "") "]", 0, "values",
     0, 0},
    {"too many values",
     "[" REC("[1,2,3,4,5,6,7,8,9]", "[\"gauge\"]", "[\"value\"]", "1", "1",
	     "") "]",
     0, "values", 0, 0},
    {"fewer dstypes",
     "[" REC("[1,2]", "[\"gauge\"]", "[\"a\",\"b\"]", "1", "1", "") "]", 0,
     "dstypes", 0, 0},
    {"more dsnames",
     "[" REC("[1]", "[\"gauge\"]", "[\"a\",\"b\"]", "1", "1", "") "]", 0,
     "dsnames", 0, 0},
    {"unknown dstype",
     "[" GOOD "," REC("[1]", "[\"gauges\"]", "[\"value\"]", "1", "1", "") "]",
     1, "dstypes", 0, 0},
    {"dstype not a string",
     "[" REC("[1]", "[1]", "[\"value\"]", "1", "1", "") "]", 0, "dstypes", 0,
     0},
    {"dsname not a string",
     "[" REC("[1]", "[\"gauge\"]", "[null]", "1", "1", "") "]", 0, "dsnames", 0,
     0},
    {"null derive",
     "[" REC("[null]", "[\"derive\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"fractional derive",
     "[" REC("[1.5]", "[\"derive\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"derive out of range",
     "[" REC("[9223372036854775808]", "[\"derive\"]", "[\"value\"]", "1", "1",
	     "") "]",
     0, "values", 0, 0},
    {"counter out of range",
     "[" REC("[18446744073709551616]", "[\"counter\"]", "[\"value\"]", "1", "1",
	     "") "]",
     0, "values", 0, 0},
    {"negative counter",
     "[" REC("[-1]", "[\"counter\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"negative absolute",
     "[" REC("[-0]", "[\"absolute\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"infinite gauge",
     "[" REC("[1e999]", "[\"gauge\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 0, 0},
    {"NaN literal",
     "[" REC("[NaN]", "[\"gauge\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 1, (int)sizeof("[{\"values\":[")},
    {"infinite time",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1e400", "1", "") "]", 0,
     "time", 0, 0},
    {"time is a string",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "\"1\"", "1", "") "]", 0,
     "time", 0, 0},
    {"null time",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "null", "1", "") "]", 0,
     "time", 0, 0},
    {"negative interval",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1", "-1", "") "]", 0,
     "interval", 0, 0},
    {"host is a number", "[{\"host\":1}]", 0, "host", 0, 0},
    {"leading zero",
     "[" REC("[01]", "[\"gauge\"]", "[\"value\"]", "1", "1", "") "]", 0,
     "values", 1, (int)sizeof("[{\"values\":[0")},
    {"raw control character", "[{\"host\":\"a\tb\"}]", 0, "host", 1, 12},
    {"bad escape", "[{\"host\":\"a\\qb\"}]", 0, "host", 1, 13},
    {"\\u0000", "[{\"host\":\"a\\u0000\"}]", 0, "host", 1, 18},
    {"lone surrogate", "[{\"host\":\"\\ud800x\"}]", 0, "host", 1, 17},
    {"invalid UTF-8", "[{\"host\":\"\xc3\x28\"}]", 0, "host", 1, 11},
    {"overlong UTF-8", "[{\"host\":\"\xc0\xaf\"}]", 0, "host", 1, 11},
    {"deep meta",
     "[" REC("[1]", "[\"gauge\"]", "[\"value\"]", "1", "1",
	     ",\"meta\":{\"a\":[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]"
	     "]]]]]]]]]]}") "]",
     0, "meta", 1, 0 /* any column */},
    {"deep body",
     "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]", 0, "", 1,
     0},
};

static void long_name_case(void)
{
	char body[1024], name[WIRE_NAME_MAX + 1];
	struct wire_batch batch;
	struct wire_error err;
	int rc;

	memset(name, 'x', WIRE_NAME_MAX);
	name[WIRE_NAME_MAX] = '\0'; /* 128 bytes: one too many */
	/* Replace the second record's type with the long name. */
	snprintf(body, sizeof(body),
		 "[" GOOD ",{\"values\":[1],\"dstypes\":[\"gauge\"],"
		 "\"dsnames\":[\"value\"],\"time\":1,\"interval\":1,"
		 "\"host\":\"h\",\"plugin\":\"p\",\"plugin_instance\":\"\","
		 "\"type\":\"%s\",\"type_instance\":\"\"}]",
		 name);
	rc = wire_batch_decode(body, strlen(body), 10, &batch, &err);
	T_EQ_INT(rc, -EINVAL, "128-byte type refused");
	T_EQ_INT(err.record, 1, "128-byte type: record 1");
	T_EQ_STR(err.field, "type", "128-byte type: field");
	T_OK(batch.records == NULL && batch.n == 0, "128-byte type: no batch");

	/* A 2-byte UTF-8 character that would cross the limit. */
	memset(name, 'x', WIRE_NAME_MAX - 2);
	memcpy(name + WIRE_NAME_MAX - 2, "\xc3\xa9", 3); /* 128 bytes */
	snprintf(body, sizeof(body),
		 "[{\"values\":[1],\"dstypes\":[\"gauge\"],"
		 "\"dsnames\":[\"%s\"],\"time\":1,\"interval\":1,"
		 "\"host\":\"h\",\"plugin\":\"p\",\"plugin_instance\":\"\","
		 "\"type\":\"t\",\"type_instance\":\"\"}]",
		 name);
	rc = wire_batch_decode(body, strlen(body), 10, &batch, &err);
	T_EQ_INT(rc, -EINVAL, "128-byte dsname refused");
	T_EQ_STR(err.field, "dsnames", "128-byte dsname: field");
}

/* Names are copied a run of plain ASCII at a time: the run ends at the
   buffer's limit exactly, and escapes and UTF-8 between runs come out as
   they did one character at a time.  Keys in an order other than
   write_http's are still found. */
static void plain_runs_case(void)
{
	char body[1024], name[WIRE_NAME_MAX];
	struct wire_batch batch;
	struct wire_error err;
	int rc;

	memset(name, 'y', WIRE_NAME_MAX - 1);
	name[WIRE_NAME_MAX - 1] = '\0'; /* 127 bytes: the most that fits */
	snprintf(body, sizeof(body),
		 "[{\"type_instance\":\"ab\\\"c\\\\d\\u00e9e\xc3\xa9"
		 "f/g\","
		 "\"type\":\"%s\",\"plugin_instance\":\"\",\"plugin\":\"p\","
		 "\"host\":\"h\",\"interval\":1,\"time\":1,"
		 "\"dsnames\":[\"value\"],\"dstypes\":[\"gauge\"],"
		 "\"values\":[1]}]",
		 name);
	rc = wire_batch_decode(body, strlen(body), 10, &batch, &err);
	T_EQ_INT(rc, 0, "127-byte type, keys in reverse order: accepted");
	if (rc == 0) {
		T_EQ_STR(batch.records[0].type, name, "127-byte type whole");
		T_EQ_STR(batch.records[0].type_instance,
			 "ab\"c\\d\xc3\xa9"
			 "e\xc3\xa9"
			 "f/g",
			 "runs between escapes and UTF-8 kept in order");
		T_EQ_STR(batch.records[0].plugin_instance, "",
			 "empty string stays empty");
	} else {
		T_OK(0, "127-byte type: %s", err.message);
	}
	wire_batch_free(&batch);

	/* A data source type whose plain run overflows its small buffer is
	   named cut short, not accepted by its first bytes. */
	snprintf(body, sizeof(body),
		 "[" REC("[1]", "[\"gaugegaugegaugegauge\"]", "[\"value\"]",
			 "1", "1", "") "]");
	rc = wire_batch_decode(body, strlen(body), 10, &batch, &err);
	T_EQ_INT(rc, -EINVAL, "over-long data source type refused");
	T_OK(strstr(err.message, "\"gaugegaugegauge...\"") != NULL,
	     "over-long data source type named cut short: %s", err.message);
}

static void too_many_records(void)
{
	const char *body = "[" GOOD "," GOOD "," GOOD "]";
	struct wire_batch batch;
	struct wire_error err;

	T_EQ_INT(wire_batch_decode(body, strlen(body), 3, &batch, &err), 0,
		 "3 records within max 3");
	T_EQ_INT(batch.n, 3, "3 records decoded");
	wire_batch_free(&batch);
	T_EQ_INT(wire_batch_decode(body, strlen(body), 2, &batch, &err),
		 -EINVAL, "3 records over max 2");
	T_EQ_INT(err.record, 2, "too many records: index of the first extra");
	T_OK(batch.records == NULL && batch.n == 0, "too many: nothing kept");
	T_EQ_INT(wire_batch_decode("[]", 2, 2, &batch, &err), 0,
		 "empty array accepted");
	T_EQ_INT(batch.n, 0, "empty array: no records");
	T_EQ_INT(wire_batch_decode(" \n[ " GOOD " ]\n", strlen(GOOD) + 7, 2,
				   &batch, &err),
		 0, "whitespace around tokens accepted");
	wire_batch_free(&batch);
	T_EQ_INT(wire_batch_decode(NULL, 0, 2, &batch, &err), -EINVAL,
		 "NULL body refused");
}

/* Decoding into a batch that holds an earlier body's records: the memory
   is reused, the result is the same as a fresh decode, and a refused body
   leaves no record (n 0) but keeps the memory for the next one. */
static void decode_into_reuse(void)
{
	const char *two = "[" GOOD "," GOOD "]";
	const char *one = "[{\"values\":[7],\"dstypes\":[\"derive\"],"
			  "\"dsnames\":[\"d\"],\"time\":2,\"interval\":1,"
			  "\"host\":\"h2\",\"plugin\":\"p\","
			  "\"plugin_instance\":\"\",\"type\":\"t\","
			  "\"type_instance\":\"\"}]";
	struct wire_batch b = {0, NULL, 0}, fresh;
	struct wire_error err;
	struct wire_record *mem;

	T_EQ_INT(wire_batch_decode_into(two, strlen(two), 10, &b, &err), 0,
		 "into an empty batch");
	T_EQ_INT(b.n, 2, "into: 2 records");
	mem = b.records;
	T_EQ_INT(wire_batch_decode_into(one, strlen(one), 10, &b, &err), 0,
		 "into a used batch");
	T_EQ_INT(b.n, 1, "into again: 1 record");
	T_OK(b.records == mem, "into again: the memory is reused");
	T_EQ_INT(wire_batch_decode(one, strlen(one), 10, &fresh, &err), 0,
		 "fresh decode of the same body");
	T_OK(fresh.n == 1 && memcmp(&fresh.records[0], &b.records[0],
				    sizeof(b.records[0])) == 0,
	     "into a used batch: the record equals a fresh decode's, byte for "
	     "byte (nothing of the earlier body left)");
	wire_batch_free(&fresh);
	T_EQ_INT(wire_batch_decode_into("[" GOOD ",", strlen(GOOD) + 2, 10, &b,
					&err),
		 -EINVAL, "into: a broken body is refused");
	T_OK(b.n == 0 && b.records == mem, "refused: no record, memory kept");
	T_EQ_INT(wire_batch_decode_into(two, strlen(two), 10, &b, &err), 0,
		 "into after a refusal");
	T_EQ_INT(b.n, 2, "into after a refusal: 2 records");
	wire_batch_free(&b);
	T_OK(b.records == NULL && b.n == 0 && b.cap == 0, "freed");
}

static void test_bad(void)
{
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct wire_batch batch = {99, (struct wire_record *)&batch};
		struct wire_error err;
		int rc;

		rc = wire_batch_decode(c->body, strlen(c->body), 10, &batch,
				       &err);
		if (!T_OK(rc == -EINVAL && err.record == c->record &&
			      strcmp(err.field, c->field) == 0,
			  "bad: %s -> record %ld field \"%s\"", c->what,
			  c->record, c->field))
			printf("#   rc %d record %ld field \"%s\": %s\n", rc,
			       err.record, err.field, err.message);
		T_OK(batch.n == 0 && batch.records == NULL,
		     "bad: %s: batch refused whole", c->what);
		if (c->line &&
		    !T_OK(err.line == c->line &&
			      (!c->column || err.column == c->column),
			  "bad: %s: at line %d column %d", c->what, c->line,
			  c->column))
			printf("#   got line %d column %d: %s\n", err.line,
			       err.column, err.message);
		if (!c->line)
			T_OK(err.line == 0 && err.message[0] != '\0',
			     "bad: %s: not a syntax error, has a message",
			     c->what);
	}
}

int main(void)
{
	test_bad();
	long_name_case();
	plain_runs_case();
	too_many_records();
	decode_into_reuse();
	return t_done();
}
