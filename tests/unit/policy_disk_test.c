/* SPDX-License-Identifier: Apache-2.0 */
/*
 * policy_disk_test.c: the per-disk rule scope (issue 17): what a disk rule
 * may read and set (load errors with their paths), what it sees when it
 * runs (its disk's fields, its guest's, the host's, host variables, the
 * guest's name), program order and last-write-wins, error isolation per
 * disk, the case's "disks" and the plan's JSON shape for disks.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "eval.h"
#include "evalcase.h"
#include "policy.h"
#include "testing.h"

/* Two guests: a (vda, vdb) and b (sda); c has no disk. */
static const char *const disk_case =
    "{\"params\": {\"ioTuneEnabled\": 1},"
    " \"host\": {\"history\": [{\"cpu_count\": 4}]},"
    " \"guests\": ["
    "  {\"name\": \"a\", \"history\": [{\"vcpu_count\": 2}, "
    "{\"vcpu_count\": 4}],"
    "   \"disks\": {\"vdb\": {\"max_read_iops_sec\": 7},"
    "               \"vda\": {\"max_read_iops_sec\": 5, "
    "\"cur_read_iops_sec\": 1}}},"
    "  {\"name\": \"b\", \"history\": [{\"vcpu_count\": 1}],"
    "   \"disks\": {\"sda\": {\"max_read_iops_sec\": null}}},"
    "  {\"name\": \"c\", \"history\": [{\"vcpu_count\": 1}]}]}";

static struct evalcase *cs;
static struct policy_set *kept[8]; /* freed at the end */
static size_t nkept;

static struct policy_set *load(const char *a, const char *b,
			       struct policy_error *err)
{
	struct policy_source src[2] = {{"10-a", a}, {"20-b", b}};

	return policy_set_load(src, b ? 2 : 1, err);
}

static void load_fails(const char *text, const char *path, const char *msg,
		       const char *what)
{
	struct policy_error err;
	struct policy_set *ps = load(text, NULL, &err);

	if (!T_OK(!ps, "%s: refused", what)) {
		policy_set_free(ps);
		return;
	}
	T_EQ_STR(err.path, path, "  ... JSON path");
	if (!T_OK(strstr(err.message, msg), "  ... message has '%s'", msg))
		printf("#   got \"%s\"\n", err.message);
}

#define DISK_DO(body) "{\"disk\": [{\"rule\": \"d\", \"do\": [" body "]}]}"

static void test_load_errors(void)
{
	load_fails(DISK_DO("{\"set\": \"balloon_target\", \"to\": 1}"),
		   "$.disk[0].do[0].set", "cannot be set in a disk rule",
		   "a guest control in a disk rule");
	load_fails("{\"guest\": [{\"rule\": \"g\", \"do\": [{\"set\": "
		   "\"read_iops_sec\", \"to\": 1}]}]}",
		   "$.guest[0].do[0].set", "is a disk control",
		   "a disk control in a guest rule");
	load_fails("{\"host\": [{\"rule\": \"h\", \"do\": [{\"set\": "
		   "\"read_iops_sec\", \"to\": 1}]}]}",
		   "$.host[0].do[0].set", "is a disk control",
		   "a disk control in a host rule");
	load_fails(DISK_DO("{\"set\": \"ksm_run\", \"to\": 1}"),
		   "$.disk[0].do[0].set", "is a host control",
		   "a host control in a disk rule");
	load_fails(DISK_DO("{\"set\": \"read_iops_sec\", \"to\": [\"stat\", "
			   "\"vcpu_count\"]}"),
		   "$.disk[0].do[0].to[1]", "unknown disk field 'vcpu_count'",
		   "stat reads the disk in a disk rule");
	load_fails(DISK_DO("{\"set\": \"read_iops_sec\", \"to\": "
			   "[\"guest_stat\", \"max_read_iops_sec\"]}"),
		   "$.disk[0].do[0].to[1]",
		   "unknown guest field 'max_read_iops_sec'",
		   "guest_stat reads the guest");
	load_fails("{\"guest\": [{\"rule\": \"g\", \"do\": [{\"set\": "
		   "\"balloon_target\", \"to\": [\"guest_stat\", "
		   "\"vcpu_count\"]}]}]}",
		   "$.guest[0].do[0].to[1]", "is for disk rules",
		   "guest_stat outside a disk rule");
	load_fails(DISK_DO("{\"set\": \"read_iops_sec\", \"to\": "
			   "[\"guests_sum\", 1]}"),
		   "$.disk[0].do[0].to", "not available in a disk rule",
		   "aggregates in a disk rule");
	load_fails(DISK_DO("{\"set\": \"read_iops_sec\", \"to\": "
			   "[\"optional_stat\", \"x\"]}"),
		   "$.disk[0].do[0].to", "not available in a disk rule",
		   "optional_stat in a disk rule");
	load_fails("{\"state\": {\"k\": {\"scope\": \"guest\"}}, "
		   "\"disk\": [{\"rule\": \"d\", \"do\": [{\"keep\": \"k\", "
		   "\"to\": 1}]}]}",
		   "$.disk[0].do[0]", "'keep' is not available in a disk rule",
		   "keep in a disk rule");
	load_fails("{\"disk\": {}}", "$.disk", "is an array of rules",
		   "disk rules are an array");
}

/* The plan's disk d, checked against its guest and device. */
static const struct plan_disk *disk(const struct plan *p, size_t d,
				    size_t guest, const char *dev)
{
	if (!p || d >= p->ndisks || p->disks[d].guest != guest ||
	    strcmp(p->disks[d].dev, dev) != 0)
		return NULL;
	return &p->disks[d];
}

static struct plan *run(const char *a, const char *b)
{
	struct policy_error err;
	struct policy_set *ps = load(a, b, &err);
	struct plan *p;

	if (!T_OK(ps, "policy loads (%s at %s)", err.message, err.path))
		return NULL;
	p = eval_run(ps, evalcase_snapshot(cs));
	/* The plan borrows reason names from the set: keep it loaded. */
	if (nkept < sizeof(kept) / sizeof(kept[0]))
		kept[nkept++] = ps;
	else
		policy_set_free(ps);
	return p;
}

static void test_eval(void)
{
	struct plan *p;
	const struct plan_disk *d;
	json_t *j;
	char *s;

	/* Disks in guest order, by device within a guest. */
	p = run("{\"defines\": {\"k\": 10},"
		" \"host\": [{\"rule\": \"h\", \"do\": [{\"let\": {\"hv\": "
		"100}}]}],"
		" \"disk\": [{\"rule\": \"d\", \"do\": [{\"set\": "
		"\"read_iops_sec\", \"to\": [\"+\", [\"stat\", "
		"\"max_read_iops_sec\"], [\"*\", \"k\", [\"guest_stat\", "
		"\"vcpu_count\"]], [\"host_stat\", \"cpu_count\"], \"hv\", "
		"[\"guest_avg\", \"vcpu_count\"]]},"
		" {\"if\": [\"glob\", \"b\"], \"then\": [{\"set\": "
		"\"write_iops_sec\", \"to\": 1}]}]}]}",
		NULL);
	T_EQ_INT(p ? p->ndisks : 0, 3, "three disks in the plan");
	d = disk(p, 0, 0, "vda");
	T_OK(d && !d->error && d->ctl[DC_READ_IOPS_SEC].set &&
		 d->ctl[DC_READ_IOPS_SEC].value == 5 + 40 + 4 + 100 + 3,
	     "a/vda reads its disk, its guest (latest, avg), the host and a "
	     "host variable");
	T_OK(d && !d->ctl[DC_WRITE_IOPS_SEC].set,
	     "glob matches the guest's name: not a's disk");
	d = disk(p, 1, 0, "vdb");
	T_OK(d && d->ctl[DC_READ_IOPS_SEC].value == 7 + 40 + 4 + 100 + 3,
	     "a/vdb sorted after vda, its own field");
	d = disk(p, 2, 1, "sda");
	T_OK(d && d->error && strstr(d->error, "'+' got an absent value") &&
		 !d->ctl[DC_READ_IOPS_SEC].set &&
		 !d->ctl[DC_WRITE_IOPS_SEC].set,
	     "b/sda fails alone and loses its controls");
	T_OK(p && !p->guests[1].error && p->nguests == 3,
	     "its guest has no error");
	j = p ? plan_to_json(p) : NULL;
	s = j ? json_dumps(json_object_get(j, "guests"), JSON_SORT_KEYS) : NULL;
	T_EQ_STR(s ? s : "",
		 "{\"a\": {\"disks\": {\"vda\": {\"read_iops_sec\": 152}, "
		 "\"vdb\": {\"read_iops_sec\": 154}}}}",
		 "plan JSON: disks under their guest");
	free(s);
	s = j ? json_dumps(
		    json_object_get(json_object_get(j, "errors"), "disks"),
		    JSON_SORT_KEYS)
	      : NULL;
	T_OK(s && strstr(s, "{\"b\": {\"sda\": \"10-a/d: '+' got an absent"),
	     "plan JSON: the disk's error under errors.disks (%s)", s ? s : "");
	free(s);
	s = j ? json_dumps(json_object_get(
			       json_object_get(
				   json_object_get(
				       json_object_get(j, "reasons"), "guests"),
				   "a"),
			       "disks"),
			   JSON_SORT_KEYS)
	      : NULL;
	T_OK(s &&
		 strstr(
		     s,
		     "\"vda\": {\"read_iops_sec\": \"10-a/d: "
		     "max_read_iops_sec=5 guest.vcpu_count=4 host.cpu_count=4"),
	     "plan JSON: the reason names disk and guest fields (%s)",
	     s ? s : "");
	free(s);
	json_decref(j);
	plan_free(p);

	/* Last write wins across policies; disk rules after guest rules. */
	p = run(DISK_DO("{\"set\": \"total_bytes_sec\", \"to\": 1}"),
		DISK_DO("{\"set\": \"total_bytes_sec\", \"to\": [\"+\", 1, "
			"[\"stat\", \"cur_read_iops_sec\"]]}"));
	d = disk(p, 0, 0, "vda");
	T_OK(d && d->ctl[DC_TOTAL_BYTES_SEC].value == 2,
	     "a later policy's disk rule overrides");
	d = disk(p, 1, 0, "vdb");
	T_OK(d && d->error && !d->ctl[DC_TOTAL_BYTES_SEC].set,
	     "a failing later rule drops the disk's earlier controls too");
	plan_free(p);
}

static void case_fails(const char *disks, const char *path, const char *msg)
{
	char text[600];
	struct policy_error err;
	struct evalcase *c;

	snprintf(text, sizeof(text),
		 "{\"host\": {\"history\": []}, \"guests\": [{\"name\": "
		 "\"g\", \"history\": [], \"disks\": %s}]}",
		 disks);
	c = evalcase_parse(text, strlen(text), &err);
	if (!T_OK(!c, "case with disks %s refused", disks)) {
		evalcase_free(c);
		return;
	}
	T_EQ_STR(err.path, path, "  ... JSON path");
	T_OK(strstr(err.message, msg), "  ... message has '%s' (%s)", msg,
	     err.message);
}

static void test_case(void)
{
	const struct snapshot *s = evalcase_snapshot(cs);

	T_EQ_INT(s->ndisks, 3, "the case has three disks");
	T_OK(s->ndisks == 3 && strcmp(s->disks[0].e.name, "vda") == 0 &&
		 s->disks[0].e.len == 1 && s->disks[0].guest == 0 &&
		 s->disks[0].e.values[DF_CUR_READ_IOPS_SEC] == 1 &&
		 isnan(s->disks[0].e.values[DF_MAX_TOTAL_BYTES_SEC]) &&
		 s->disks[2].guest == 1,
	     "disks sorted by device, one sample, absent where not given");
	case_fails("[]", "$.guests[0].disks", "is an object");
	case_fails("{\"VDA\": {}}", "$.guests[0].disks.VDA", "target device");
	case_fails("{\"vda\": {\"vcpu_count\": 1}}",
		   "$.guests[0].disks.vda.vcpu_count",
		   "unknown disk field 'vcpu_count'");
	case_fails("{\"vda\": {\"max_read_iops_sec\": \"1\"}}",
		   "$.guests[0].disks.vda.max_read_iops_sec",
		   "a number or null");
	case_fails("{\"vda\": 1}", "$.guests[0].disks.vda", "a sample");
}

int main(void)
{
	struct policy_error err;

	cs = evalcase_parse(disk_case, strlen(disk_case), &err);
	if (!T_OK(cs, "disk case parses (%s at %s)", err.message, err.path))
		return t_done();
	test_load_errors();
	test_eval();
	test_case();
	evalcase_free(cs);
	for (size_t i = 0; i < nkept; i++)
		policy_set_free(kept[i]);
	return t_done();
}
