/* SPDX-License-Identifier: Apache-2.0 */
/*
 * eval_test.c: the shipped policies against the golden cases of
 * tests/data/eval/<case>/ (MOM reference section 3, B1..B22 and K1..K19),
 * plus reasons, purity (same plan twice), the examples, and a rough cost
 * measurement (printed as a TAP comment, never asserted).
 *
 * A golden expected.json holds "host", "guests" and optionally "signals"
 * (compared exactly with the plan's JSON) and "errors" (each expected
 * message, of a guest, the host or a disk, must contain the given text;
 * no other error may appear).  D1..D3 are 05-iotune's (disks).
 * The source tree is $MOM_SRCDIR, or the current directory.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "eval.h"
#include "evalcase.h"
#include "policy.h"
#include "testing.h"

static const char *srcdir(void)
{
	const char *d = getenv("MOM_SRCDIR");

	return d ? d : ".";
}

static json_t *obj_or_empty(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	return v ? json_incref(v) : json_object();
}

/* Every expected disk error {"g": {"vda": text}} is there and contains
   its text, and no other disk failed. */
static bool disk_errors_match(const json_t *want, const json_t *got)
{
	size_t nw = 0, ng = 0;
	const char *g, *dev;
	json_t *v, *m;

	json_object_foreach((json_t *)want, g, v)
	{
		json_object_foreach(v, dev, m)
		{
			const char *t = json_string_value(
			    json_object_get(json_object_get(got, g), dev));

			if (!t || !strstr(t, json_string_value(m)))
				return false;
			nw++;
		}
	}
	json_object_foreach((json_t *)got, g, v) ng += json_object_size(v);
	return nw == ng;
}

static bool errors_match(const json_t *want, const json_t *got)
{
	const json_t *wg = json_object_get(want, "guests");
	const json_t *gg = json_object_get(got, "guests");
	const json_t *wh = json_object_get(want, "host");
	const json_t *gh = json_object_get(got, "host");
	const char *key;
	json_t *v;

	if (!wh != !gh || json_object_size(wg) != json_object_size(gg) ||
	    !disk_errors_match(json_object_get(want, "disks"),
			       json_object_get(got, "disks")))
		return false;
	if (wh && !strstr(json_string_value(gh), json_string_value(wh)))
		return false;
	json_object_foreach((json_t *)wg, key, v)
	{
		const char *m = json_string_value(json_object_get(gg, key));

		if (!m || !strstr(m, json_string_value(v)))
			return false;
	}
	return true;
}

static void check_case(const struct policy_set *ps, const char *dir,
		       const char *name)
{
	char path[1200];
	struct policy_error err;
	json_error_t jerr;
	json_t *want = NULL, *got = NULL, *c = NULL;
	struct evalcase *ec = NULL;
	struct plan *plan = NULL;
	char *text = NULL;
	static const char *const keys[] = {"host", "guests", "signals"};

	snprintf(path, sizeof(path), "%s/%s/case.json", dir, name);
	c = json_load_file(path, 0, &jerr);
	text = c ? json_dumps(c, 0) : NULL;
	ec = text ? evalcase_parse(text, strlen(text), &err) : NULL;
	if (!T_OK(ec, "%s: case parses", name)) {
		printf("#   %s %s\n", path, ec ? "" : err.message);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/%s/expected.json", dir, name);
	want = json_load_file(path, 0, &jerr);
	plan = eval_run(ps, evalcase_snapshot(ec));
	got = plan ? plan_to_json(plan) : NULL;
	if (!T_OK(want && got, "%s: evaluated", name))
		goto out;
	for (size_t i = 0; i < 3; i++) {
		json_t *w = obj_or_empty(want, keys[i]);
		json_t *g = obj_or_empty(got, keys[i]);

		if (!T_OK(json_equal(w, g), "%s: %s as expected", name,
			  keys[i])) {
			char *ws = json_dumps(w, JSON_SORT_KEYS);
			char *gs = json_dumps(g, JSON_SORT_KEYS);

			printf("#   want %s\n#   got  %s\n", ws, gs);
			free(ws);
			free(gs);
		}
		json_decref(w);
		json_decref(g);
	}
	{
		json_t *w = obj_or_empty(want, "errors");
		json_t *g = obj_or_empty(got, "errors");

		if (!T_OK(errors_match(w, g), "%s: errors as expected", name)) {
			char *gs = json_dumps(g, 0);

			printf("#   got %s\n", gs);
			free(gs);
		}
		json_decref(w);
		json_decref(g);
	}
out:
	json_decref(c);
	json_decref(want);
	json_decref(got);
	free(text);
	plan_free(plan);
	evalcase_free(ec);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void golden_cases(const struct policy_set *ps)
{
	char dir[512], *names[256];
	size_t n = 0;
	struct dirent *de;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/data/eval", srcdir());
	d = opendir(dir);
	if (!T_OK(d, "open %s", dir))
		return;
	while ((de = readdir(d)) && n < 256)
		if (de->d_name[0] != '.' && !strchr(de->d_name, '.'))
			names[n++] = strdup(de->d_name);
	closedir(d);
	qsort(names, n, sizeof(*names), name_cmp);
	T_OK(n >= 43, "at least 43 golden cases (found %zu)", n);
	for (size_t i = 0; i < n; i++) {
		check_case(ps, dir, names[i]);
		free(names[i]);
	}
}

/* A snapshot built in code: one host sample, nguests guests of hlen. */
struct bench {
	double host[HOST_FIELD_COUNT * 10];
	double *rows;
	struct snap_entity *guests;
	struct snapshot snap;
};

static void bench_init(struct bench *b, size_t nguests)
{
	static const struct snap_param params[] = {{"balloonEnabled", 1}};

	b->rows = calloc(nguests * 10 * GUEST_FIELD_COUNT, sizeof(double));
	b->guests = calloc(nguests, sizeof(*b->guests));
	for (size_t i = 0; i < 10; i++) {
		double *h = &b->host[i * HOST_FIELD_COUNT];

		for (size_t f = 0; f < HOST_FIELD_COUNT; f++)
			h[f] = FIELD_ABSENT;
		h[HF_MEM_AVAILABLE] = 16000000;
		h[HF_MEM_FREE] = 1500000 + (double)i * 10000;
		h[HF_KSM_PAGES_SHARED] = 0;
		h[HF_KSM_MERGE_ACROSS_NODES] = 1;
		h[HF_KSM_PAGES_TO_SCAN] = 100;
		h[HF_KSM_SHAREABLE] = 0;
	}
	for (size_t g = 0; g < nguests; g++) {
		for (size_t i = 0; i < 10; i++) {
			double *r = &b->rows[(g * 10 + i) * GUEST_FIELD_COUNT];

			for (size_t f = 0; f < GUEST_FIELD_COUNT; f++)
				r[f] = FIELD_ABSENT;
			r[GF_BALLOON_CUR] = 4000000;
			r[GF_BALLOON_MAX] = 4000000;
			r[GF_BALLOON_MIN] = 1000000;
			r[GF_MEM_UNUSED] = 2000000 + (double)(g + i);
		}
		b->guests[g].name = "guest";
		b->guests[g].len = 10;
		b->guests[g].values = &b->rows[g * 10 * GUEST_FIELD_COUNT];
	}
	b->snap = (struct snapshot){
	    params, 1, {"host", 10, b->host}, b->guests, nguests};
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void cost(const struct policy_set *ps)
{
	struct bench b;
	const size_t nguests = 1000, rounds = 200;
	double t0, t1;
	bool ok = true;

	bench_init(&b, nguests);
	t0 = now_s();
	for (size_t r = 0; r < rounds; r++) {
		struct plan *p = eval_run(ps, &b.snap);

		ok &= p && p->guests[nguests - 1].ctl[GC_BALLOON_TARGET].set;
		plan_free(p);
	}
	t1 = now_s();
	T_OK(ok, "1000-guest snapshot evaluates, every guest gets a target");
	printf("# cost: %.3f us per guest per cycle (1000 guests, 10 samples, "
	       "%zu rounds, plan allocation included)\n",
	       (t1 - t0) * 1e6 / (double)(nguests * rounds), rounds);
	free(b.rows);
	free(b.guests);
}

static void purity(const struct policy_set *ps)
{
	struct bench b;
	struct plan *p1, *p2;
	json_t *j1, *j2;
	char buf[256];

	bench_init(&b, 3);
	p1 = eval_run(ps, &b.snap);
	p2 = eval_run(ps, &b.snap);
	j1 = plan_to_json(p1);
	j2 = plan_to_json(p2);
	T_OK(j1 && j2 && json_equal(j1, j2),
	     "the same snapshot gives the same plan");
	plan_reason_format(&p1->guests[0].ctl[GC_BALLOON_TARGET].reason, buf,
			   sizeof(buf));
	T_OK(strncmp(buf, "02-balloon/balloon: shrunk=", 27) == 0 &&
		 strstr(buf, " hfp=") && strstr(buf, " floor="),
	     "balloon reason names the rule and its inputs: %s", buf);
	plan_reason_format(&p1->host[HC_KSM_PAGES_TO_SCAN].reason, buf,
			   sizeof(buf));
	T_OK(strstr(buf, "03-ksm/ksm:") && strstr(buf, "ksm_pages_to_scan=100"),
	     "ksm reason: %s", buf);
	T_EQ_INT(plan_reason_format(&p1->host[HC_KSM_RUN].reason, buf, 4),
		 plan_reason_format(&p1->host[HC_KSM_RUN].reason, NULL, 0),
		 "plan_reason_format returns the full length when truncating");
	json_decref(j1);
	json_decref(j2);
	plan_free(p1);
	plan_free(p2);
	free(b.rows);
	free(b.guests);
}

int main(void)
{
	struct policy_error err;
	char dir[512];
	struct policy_set *ps;

	snprintf(dir, sizeof(dir), "%s/policies", srcdir());
	ps = policy_set_load_dir(dir, &err);
	if (!T_OK(ps, "shipped policies load")) {
		printf("#   %s %s: %s\n", err.policy, err.path, err.message);
		return t_done();
	}
	T_EQ_INT(policy_set_count(ps), 5, "five shipped policies");
	T_EQ_STR(policy_set_name(ps, 0), "00-defines", "name order");
	T_EQ_DBL(policy_set_param_default(
		     ps, (size_t)policy_set_param_index(ps, "balloonEnabled")),
		 0, "balloonEnabled defaults to 0");
	T_EQ_DBL(policy_set_param_default(
		     ps, (size_t)policy_set_param_index(ps, "ksmEnabled")),
		 1, "ksmEnabled defaults to 1");
	T_EQ_DBL(policy_set_param_default(ps, (size_t)policy_set_param_index(
						  ps, "ksmMergeAcrossNodes")),
		 1, "ksmMergeAcrossNodes defaults to 1");
	golden_cases(ps);
	purity(ps);
	cost(ps);
	policy_set_free(ps);
	return t_done();
}
