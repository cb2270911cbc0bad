/* SPDX-License-Identifier: Apache-2.0 */
/*
 * wire_test.c: the write_http JSON module (actuator/wire*.c) on good input.
 *
 * The encoder is checked byte for byte against bodies captured from stock
 * collectd 5.12 write_http (tests/data/wire/write_http-*.json, produced by
 * tests/data/wire/capture.sh from the matching .putval input), and the
 * decoder must read those bodies back to the same records and bytes;
 * number text, round trips, the buffer, and every truncation of a capture
 * (each refused).  The decoder's refusal of each class of bad input is in
 * wire_dec_test.c.  Single-threaded.
 */
#include "testing.h"
#include "wire.h"

#include <errno.h>
#include <float.h>
#include <stdint.h>
#include <stdlib.h>

#define DATA_DIR "tests/data/wire/"

/* Read a whole file; NULL when it cannot be read.  The caller frees. */
static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	long n;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) >= 0 &&
	    fseek(f, 0, SEEK_SET) == 0) {
		buf = malloc((size_t)n + 1);
		if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
			free(buf);
			buf = NULL;
		} else if (buf) {
			buf[n] = '\0';
			*len = (size_t)n;
		}
	}
	fclose(f);
	return buf;
}

static void set_names(struct wire_record *r, const char *host,
		      const char *plugin, const char *pinst, const char *type,
		      const char *tinst)
{
	snprintf(r->host, sizeof(r->host), "%s", host);
	snprintf(r->plugin, sizeof(r->plugin), "%s", plugin);
	snprintf(r->plugin_instance, sizeof(r->plugin_instance), "%s", pinst);
	snprintf(r->type, sizeof(r->type), "%s", type);
	snprintf(r->type_instance, sizeof(r->type_instance), "%s", tinst);
}

/* A one-gauge record named like collectd's "value" data source. */
static struct wire_record gauge(double t, double iv, const char *host,
				const char *pinst, const char *type,
				const char *tinst, double v)
{
	struct wire_record r = {.time = t, .interval = iv, .nvalues = 1};

	set_names(&r, host, "mom", pinst, type, tinst);
	snprintf(r.values[0].dsname, WIRE_NAME_MAX, "value");
	r.values[0].type = WIRE_GAUGE;
	r.values[0].v.gauge = v;
	return r;
}

static struct wire_record one(double t, const char *type, const char *tinst,
			      enum wire_dstype dt, uint64_t bits)
{
	struct wire_record r = gauge(t, 1, "hv01", "", type, tinst, 0);

	r.values[0].type = dt;
	if (dt == WIRE_DERIVE)
		r.values[0].v.derive = (int64_t)bits;
	else
		r.values[0].v.counter = bits; /* same storage as absolute */
	return r;
}

static struct wire_record two(double t, double iv, const char *host,
			      const char *pinst, const char *type,
			      const char *ds0, int64_t v0, const char *ds1,
			      int64_t v1)
{
	struct wire_record r = {.time = t, .interval = iv, .nvalues = 2};

	set_names(&r, host, "mom", pinst, type, "");
	snprintf(r.values[0].dsname, WIRE_NAME_MAX, "%s", ds0);
	snprintf(r.values[1].dsname, WIRE_NAME_MAX, "%s", ds1);
	r.values[0].type = r.values[1].type = WIRE_DERIVE;
	r.values[0].v.derive = v0;
	r.values[1].v.derive = v1;
	return r;
}

/* The records of write_http-basic.putval, in order. */
static size_t basic_records(struct wire_record *r)
{
	size_t n = 0;

	r[n++] =
	    gauge(1732608000.25, 1, "testhost", "", "memory", "total", 1024);
	r[n++] = gauge(1732608000.25, 10, "hv01", "guest1", "memory", "actual",
		       536870912);
	r[n++] = two(1732608000.25, 10, "hv01", "guest1", "ps_pagefaults",
		     "minflt", 18231, "majflt", 4);
	r[n++] = gauge(1732608001.1, 2.5, "hv01", "", "gauge", "frac", 0.1);
	r[n++] = gauge(1732608001.001, 1, "hv01", "", "gauge", "neg", -3.5);
	r[n++] = gauge(1732608002, 1, "hv01", "", "gauge", "big", 1e20);
	r[n++] = gauge(1732608002, 1, "hv01", "", "gauge", "prec",
		       123456789.123456789);
	r[n++] = gauge(1732608002, 1, "hv01", "", "gauge", "tiny", 1.5e-300);
	r[n++] = gauge(1732608003, 1, "hv01", "", "gauge", "unknown", NAN);
	r[n++] = one(1732608003, "derive", "neg", WIRE_DERIVE, (uint64_t)-42);
	r[n++] = one(1732608003, "counter", "big", WIRE_COUNTER, UINT64_MAX);
	r[n++] = one(1732608003, "absolute", "x", WIRE_ABSOLUTE, 7);
	r[n++] = one(1732608003, "derive", "max", WIRE_DERIVE, INT64_MAX);
	r[n++] = two(1732608004, 1, "hv01", "", "if_octets", "rx", 1, "tx", 2);
	r[n++] = gauge(1732608004, 1, "h\"q", "a\\b", "gauge", "sp ace", 1);
	return n;
}

/* The records of write_http-escape.putval, in order. */
static size_t escape_records(struct wire_record *r)
{
	size_t n = 0;

	r[n++] = gauge(1732608005, 1, "hv01", "tab\there", "gauge",
		       "caf\xc3\xa9", INFINITY);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "ninf", -INFINITY);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "nan", NAN);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "negzero", -0.0);
	r[n++] = gauge(1732608005.0005, 0.001, "hv01", "", "gauge", "small",
		       0.00001);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "e15", 1e15);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "e16", 1e16);
	r[n++] = gauge(1732608005, 1, "hv01", "", "gauge", "third",
		       0.333333333333333333);
	r[n++] = gauge(1732608005, 1, "hv01", "x\x01y\x7fz", "gauge", "a_b", 1);
	return n;
}

/* Encode records as a write_http body: "[", records joined by ",", "]". */
static int encode_body(struct wire_buf *b, const struct wire_record *r,
		       size_t n)
{
	int rc = wire_buf_append(b, "[", 1);

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (i)
			rc = wire_buf_append(b, ",", 1);
		if (rc == 0)
			rc = wire_encode_record(b, &r[i]);
	}
	return rc ? rc : wire_buf_append(b, "]", 1);
}

/* Report the first differing byte, to make a fixture mismatch readable. */
static void diff_bytes(const char *got, size_t glen, const char *want,
		       size_t wlen)
{
	size_t i = 0;

	while (i < glen && i < wlen && got[i] == want[i])
		i++;
	printf("#   lengths %zu vs %zu, first difference at byte %zu\n", glen,
	       wlen, i);
	printf("#   got:  %.60s\n#   want: %.60s\n",
	       got + (i > 20 ? i - 20 : 0), want + (i > 20 ? i - 20 : 0));
}

static void test_fixture(const char *name, size_t (*make)(struct wire_record *))
{
	struct wire_record recs[32];
	struct wire_buf b = WIRE_BUF_INIT, again = WIRE_BUF_INIT;
	struct wire_batch batch;
	struct wire_error err;
	char path[256];
	size_t n = make(recs), flen = 0;
	char *fixture;
	int rc;

	snprintf(path, sizeof(path), DATA_DIR "%s", name);
	fixture = read_file(path, &flen);
	if (!T_OK(fixture != NULL, "%s: fixture readable", name))
		return;
	T_EQ_INT(encode_body(&b, recs, n), 0, "fixture: encode");
	if (!T_OK(b.len == flen && memcmp(b.data, fixture, flen) == 0,
		  "%s: encoding equals write_http's bytes", name))
		diff_bytes(b.data, b.len, fixture, flen);

	rc = wire_batch_decode(fixture, flen, 100, &batch, &err);
	if (!T_OK(rc == 0, "%s: decodes", name))
		printf("#   %s (record %ld, field %s)\n", err.message,
		       err.record, err.field);
	T_EQ_INT(batch.n, n, "fixture: record count");
	T_EQ_INT(encode_body(&again, batch.records, batch.n), 0,
		 "fixture: re-encode");
	T_OK(again.len == flen && memcmp(again.data, fixture, flen) == 0,
	     "%s: decode then encode gives the same bytes", name);
	wire_batch_free(&batch);
	wire_buf_free(&b);
	wire_buf_free(&again);
	free(fixture);
}

/* Decoded values of the basic fixture, field by field. */
static void test_decode_fields(void)
{
	struct wire_batch batch;
	struct wire_error err;
	size_t len = 0;
	char *body = read_file(DATA_DIR "write_http-basic.json", &len);

	if (!T_OK(body && wire_batch_decode(body, len, 100, &batch, &err) == 0,
		  "basic fixture decodes")) {
		free(body);
		return;
	}
	T_EQ_STR(batch.records[0].host, "testhost", "record 0 host");
	T_EQ_STR(batch.records[0].type_instance, "total", "record 0 tinst");
	T_EQ_DBL(batch.records[0].time, 1732608000.25, "record 0 time");
	T_EQ_DBL(batch.records[1].interval, 10, "record 1 interval");
	T_EQ_DBL(wire_value_as_double(&batch.records[1].values[0]), 536870912,
		 "record 1 value");
	T_EQ_INT(batch.records[2].nvalues, 2, "ps_pagefaults has 2 values");
	T_EQ_STR(batch.records[2].values[1].dsname, "majflt", "2nd dsname");
	T_EQ_INT(batch.records[2].values[0].v.derive, 18231, "minflt");
	T_OK(isnan(batch.records[8].values[0].v.gauge), "null gauge is NaN");
	T_EQ_INT(batch.records[9].values[0].v.derive, -42, "negative derive");
	T_OK(batch.records[10].values[0].v.counter == UINT64_MAX,
	     "counter 2^64-1 survives");
	T_EQ_INT(batch.records[10].values[0].type, WIRE_COUNTER,
		 "counter type");
	T_EQ_INT(batch.records[11].values[0].type, WIRE_ABSOLUTE,
		 "absolute type");
	T_EQ_INT(batch.records[12].values[0].v.derive, INT64_MAX, "derive max");
	T_EQ_STR(batch.records[14].host, "h\"q", "escaped quote decoded");
	T_EQ_STR(batch.records[14].plugin_instance, "a\\b",
		 "escaped backslash decoded");
	T_EQ_DBL(wire_value_as_double(&batch.records[10].values[0]),
		 (double)UINT64_MAX, "as_double of a counter");
	wire_batch_free(&batch);
	T_OK(batch.records == NULL && batch.n == 0, "batch_free clears");
	wire_batch_free(NULL);
	free(body);
}

/* Encode then decode records covering every type and extreme. */
static void test_round_trip(void)
{
	struct wire_record in[4] = {0};
	struct wire_buf b = WIRE_BUF_INIT;
	struct wire_batch out;
	struct wire_error err;
	char name[WIRE_NAME_MAX];
	bool same = true;

	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	in[0] = gauge(1.5, 0, "h", "", "memory", "free", 4096);
	in[1] = gauge(1e9, 60, name, name, name, name, -1.5e300);
	in[2] =
	    two(0, 1, "é", "ü", "if_octets", "rx", INT64_MIN, "tx", INT64_MAX);
	in[3] = one(2, "counter", "", WIRE_COUNTER, UINT64_MAX - 1);
	in[3].nvalues = WIRE_VALUES_MAX;
	for (size_t i = 1; i < WIRE_VALUES_MAX; i++) {
		in[3].values[i] = in[3].values[0];
		in[3].values[i].type = i % 2 ? WIRE_ABSOLUTE : WIRE_GAUGE;
		if (i % 2 == 0)
			in[3].values[i].v.gauge = 0.125 * (double)i;
		snprintf(in[3].values[i].dsname, WIRE_NAME_MAX, "ds%zu", i);
	}
	/* Non-ASCII is encoded as '?' like write_http, so round trip ASCII. */
	snprintf(in[2].host, WIRE_NAME_MAX, "e");
	snprintf(in[2].plugin_instance, WIRE_NAME_MAX, "u/\\\"x");
	T_EQ_INT(encode_body(&b, in, 4), 0, "round trip: encode");
	if (!T_OK(wire_batch_decode(b.data, b.len, 4, &out, &err) == 0,
		  "round trip: decode")) {
		printf("#   %s (record %ld field %s)\n", err.message,
		       err.record, err.field);
		wire_buf_free(&b);
		return;
	}
	for (size_t i = 0; i < 4; i++) {
		const struct wire_record *x = &in[i], *y = &out.records[i];

		same = same && x->time == y->time &&
		       x->interval == y->interval && x->nvalues == y->nvalues &&
		       !strcmp(x->host, y->host) &&
		       !strcmp(x->plugin, y->plugin) &&
		       !strcmp(x->plugin_instance, y->plugin_instance) &&
		       !strcmp(x->type, y->type) &&
		       !strcmp(x->type_instance, y->type_instance);
		for (size_t j = 0; same && j < x->nvalues; j++) {
			same =
			    x->values[j].type == y->values[j].type &&
			    !strcmp(x->values[j].dsname, y->values[j].dsname) &&
			    (x->values[j].type == WIRE_GAUGE
				 ? x->values[j].v.gauge == y->values[j].v.gauge
				 : x->values[j].v.counter ==
				       y->values[j].v.counter);
		}
	}
	T_OK(same, "round trip: every field survives");
	T_EQ_STR(out.records[1].host, name, "127-byte name survives");
	wire_batch_free(&out);
	wire_buf_free(&b);
}

/* The guest's UUID travels as meta mom:uuid, as write_http prints meta. */
static void test_uuid_meta(void)
{
	struct wire_record in = gauge(1.5, 1, "h", "g", "memory", "actual", 1);
	struct wire_buf b = WIRE_BUF_INIT;
	struct wire_batch out = {0};
	struct wire_error err;

	snprintf(in.uuid, sizeof(in.uuid), "%s",
		 "6695eb01-f6a4-8304-79aa-97f2502e193f");
	T_EQ_INT(encode_body(&b, &in, 1), 0, "uuid: encode");
	T_OK(b.data && strstr(b.data, ",\"meta\":{\"mom:uuid\":\"6695eb01-"
				      "f6a4-8304-79aa-97f2502e193f\"}}"),
	     "uuid: written as write_http writes meta, last");
	T_EQ_INT(wire_batch_decode(b.data, b.len, 1, &out, &err), 0,
		 "uuid: decode");
	T_EQ_STR(out.n ? out.records[0].uuid : NULL, in.uuid,
		 "uuid: survives the round trip");
	wire_batch_free(&out);
	wire_buf_free(&b);
}

static void test_buf(void)
{
	struct wire_buf b = WIRE_BUF_INIT;
	struct wire_record r = gauge(1, 1, "h", "", "t", "", 1);

	T_EQ_INT(wire_buf_append(&b, "ab", 2), 0, "buf append");
	T_EQ_STR(b.data, "ab", "buf is NUL-terminated");
	r.nvalues = 0;
	T_EQ_INT(wire_encode_record(&b, &r), -EINVAL, "0 values refused");
	r.nvalues = WIRE_VALUES_MAX + 1;
	T_EQ_INT(wire_encode_record(&b, &r), -EINVAL, "9 values refused");
	T_EQ_STR(b.data, "ab", "failed encode leaves the buffer unchanged");
	wire_buf_reset(&b);
	T_EQ_INT(b.len, 0, "reset empties");
	T_OK(b.data && b.data[0] == '\0', "reset keeps the memory");
	for (int i = 0; i < 1000; i++)
		wire_buf_append(&b, "0123456789", 10);
	T_EQ_INT(b.len, 10000, "buf grows");
	T_EQ_INT(strlen(b.data), 10000, "grown buf NUL-terminated");
	wire_buf_free(&b);
	T_OK(b.data == NULL && b.len == 0 && b.cap == 0, "buf_free clears");
	wire_buf_free(NULL);
}

/* The text of the first value of r's encoding ("values":[X,...). */
static void first_value(const struct wire_record *r, char *out, size_t len)
{
	struct wire_buf b = WIRE_BUF_INIT;
	const char *p;

	out[0] = '\0';
	if (wire_encode_record(&b, r) == 0 &&
	    (p = strstr(b.data, "\"values\":[")) != NULL) {
		p += strlen("\"values\":[");
		snprintf(out, len, "%.*s", (int)strcspn(p, ",]"), p);
	}
	wire_buf_free(&b);
}

/* Numbers are encoded as printf prints them (%.15g, %lld, %llu), also
   where the encoder takes its own integer path, and at its edges. */
static void test_number_text(void)
{
	static const double gauges[] = {0,
					-0.0,
					1,
					-1,
					0.5,
					-2.5,
					1e-300,
					4096,
					1e14,
					999999999999999.0,
					1e15,
					-1e15,
					1e16,
					-999999999999999.0,
					9007199254740993.0,
					1e300,
					123.456,
					536870912,
					3.0e9,
					-4503599627370496.5,
					0.1 + 0.2};
	static const int64_t derives[] = {
	    0, 1, -1, 9, 10, -10, INT64_MAX, INT64_MIN, 1234567890123LL};
	static const uint64_t counters[] = {0, 7, UINT64_MAX, 10000000000ULL};
	struct wire_record r = gauge(1, 1, "h", "", "t", "", 0);
	char got[64], want[64];
	int bad = 0;

	srand(20);
	for (size_t i = 0; i < sizeof(gauges) / sizeof(gauges[0]) + 2000; i++) {
		double g = i < sizeof(gauges) / sizeof(gauges[0])
			       ? gauges[i]
			       : (double)(rand() - RAND_MAX / 2) *
				     (i % 3 ? 1.0 : (i % 2 ? 1e6 : 1e-3));

		r.values[0].type = WIRE_GAUGE;
		r.values[0].v.gauge = g;
		first_value(&r, got, sizeof(got));
		snprintf(want, sizeof(want), "%.15g", g);
		bad += strcmp(got, want) != 0;
		if (strcmp(got, want) != 0)
			T_EQ_STR(got, want, "gauge text");
	}
	for (size_t i = 0; i < sizeof(derives) / sizeof(derives[0]); i++) {
		r.values[0].type = WIRE_DERIVE;
		r.values[0].v.derive = derives[i];
		first_value(&r, got, sizeof(got));
		snprintf(want, sizeof(want), "%lld", (long long)derives[i]);
		bad += strcmp(got, want) != 0;
	}
	for (size_t i = 0; i < sizeof(counters) / sizeof(counters[0]); i++) {
		r.values[0].type = i % 2 ? WIRE_COUNTER : WIRE_ABSOLUTE;
		r.values[0].v.counter = counters[i];
		first_value(&r, got, sizeof(got));
		snprintf(want, sizeof(want), "%llu",
			 (unsigned long long)counters[i]);
		bad += strcmp(got, want) != 0;
	}
	T_EQ_INT(bad, 0, "numbers encoded as printf prints them");
}

/* Every finite gauge decodes again, also next to DBL_MAX, where %.15g
   rounds beyond it (write_http's "1.79769313486232e+308" reads back as
   infinity, and one such record made momd refuse its whole batch); below
   that edge the text stays write_http's. */
static void test_huge_gauges(void)
{
	static const double edge[] = {DBL_MAX, 1.797693134862315e308,
				      1.7976931348623155e308,
				      1.79769313486231e308};
	struct wire_record r = gauge(1, 1, "h", "", "t", "", 0);
	int bad = 0;

	for (size_t i = 0; i < 2 * sizeof(edge) / sizeof(edge[0]); i++) {
		double g = i % 2 ? -edge[i / 2] : edge[i / 2];
		struct wire_buf b = WIRE_BUF_INIT;
		struct wire_batch out;
		struct wire_error err;

		r.values[0].v.gauge = g;
		if (encode_body(&b, &r, 1) != 0 ||
		    wire_batch_decode(b.data, b.len, 1, &out, &err) != 0) {
			printf("#   %.17g: %s\n", g, b.data ? b.data : "");
			bad++;
		} else {
			if (out.records[0].values[0].v.gauge != g) {
				printf("#   %.17g read back as %.17g\n", g,
				       out.records[0].values[0].v.gauge);
				bad++;
			}
			wire_batch_free(&out);
		}
		wire_buf_free(&b);
	}
	T_EQ_INT(bad, 0, "gauges up to +-DBL_MAX decode to the same value");
	{
		char got[64], want[64];
		double below = nextafter(1.79769313486231e308, 0);

		r.values[0].v.gauge = below;
		first_value(&r, got, sizeof(got));
		snprintf(want, sizeof(want), "%.15g", below);
		T_EQ_STR(got, want, "just below the edge: write_http's text");
	}
}

/* Every prefix of a valid body is an error; none crashes or succeeds. */
static void test_truncations(void)
{
	size_t len = 0;
	char *body = read_file(DATA_DIR "write_http-basic.json", &len);
	bool all_refused = true;

	if (!T_OK(body != NULL, "truncations: fixture readable"))
		return;
	for (size_t n = 0; n < len; n++) {
		struct wire_batch batch;
		struct wire_error err;
		char *copy = malloc(n ? n : 1);

		if (!copy)
			break;
		memcpy(copy, body, n);
		if (wire_batch_decode(copy, n, 100, &batch, &err) != -EINVAL ||
		    batch.records)
			all_refused = false;
		free(copy);
	}
	T_OK(all_refused, "every truncation of the fixture is refused");
	free(body);
}

int main(void)
{
	test_fixture("write_http-basic.json", basic_records);
	test_fixture("write_http-escape.json", escape_records);
	test_decode_fields();
	test_round_trip();
	test_uuid_meta();
	test_buf();
	test_number_text();
	test_huge_gauges();
	test_truncations();
	return t_done();
}
