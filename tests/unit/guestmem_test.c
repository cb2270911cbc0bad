/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guestmem_test.c: unit tests of collectd-plugin/guest_mem.c and
 * collectd-plugin/guest_min.c (actuator/domxml.c has domxml_test.c).
 *
 * The pure parts (minimum parsing, staleness, name filters) run on literal
 * text.  The reader runs against libvirt's in-process test driver with a
 * node file written here (test:///<file>): domains with the guaranteed
 * minimum from vdsm metadata (under vdsm's usual prefix and under another
 * prefix for the same namespace URI), from our metadata, from <memtune>,
 * and from nothing (including vdsm's prefix bound to another URI), one
 * whose minimum is malformed (none sent, not a later source's), plus a
 * shut-off domain that must not be listed.  The test driver's synthetic balloon
 * stats (actual = cur, unused = cur/2, ...) are asserted exactly.
 * virDomainGetMetadata is interposed (below) so that libvirt can be made
 * not to answer for one namespace, as a broken connection would;
 * virConnectGetAllDomainStats so that the bulk call's flags are seen, NOWAIT
 * can be refused as an older daemon does, and records can carry the
 * balloon fields QEMU's driver gives (all, or those it gives for a domain
 * whose job is held); virDomainMemoryStats and
 * virDomainSetMemoryStatsPeriod to count the calls made per domain.
 * Single-threaded.
 */
#include "guest_cpu.h"
#include "guest_mem.h"
#include "guest_min.h"
#include "testing.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <unistd.h>

#define NS	 1000000000LL
#define MAX_SEEN 10

struct seen {
	int n;
	struct guest_sample s[MAX_SEEN];
	char names[MAX_SEEN][64];
	char log[8192];
};

__attribute__((format(printf, 3, 4))) static void
capture_log(void *opaque, int level, const char *fmt, ...)
{
	struct seen *seen = opaque;
	size_t len = strlen(seen->log);
	va_list ap;

	(void)level;
	if (len + 2 >= sizeof(seen->log))
		return;
	va_start(ap, fmt);
	vsnprintf(seen->log + len, sizeof(seen->log) - len - 1, fmt, ap);
	va_end(ap);
	strcat(seen->log, "\n");
}

static void collect(const struct guest_sample *s, void *opaque)
{
	struct seen *seen = opaque;

	if (seen->n >= MAX_SEEN)
		return;
	seen->s[seen->n] = *s;
	snprintf(seen->names[seen->n], sizeof(seen->names[0]), "%s", s->name);
	seen->s[seen->n].name = seen->names[seen->n];
	seen->s[seen->n].uuid = NULL;
	seen->n++;
}

static const struct guest_sample *find(const struct seen *seen,
				       const char *name)
{
	for (int i = 0; i < seen->n; i++)
		if (strcmp(seen->names[i], name) == 0)
			return &seen->s[i];
	return NULL;
}

/* The texts are what virDomainGetMetadata returns: the element it selected
   by namespace URI, with the namespace removed. */
static void test_min_parsers(void)
{
	const char *vdsm = "<vm><clusterVersion>4.6</clusterVersion>"
			   "<minGuaranteedMemoryMb type=\"int\">1024"
			   "</minGuaranteedMemoryMb></vm>";
	const char *mom = "<guest><min_guarantee unit=\"MiB\">256"
			  "</min_guarantee></guest>";
	const char *dom =
	    "<domain><name>x</name><memtune><hard_limit "
	    "unit='KiB'>9</hard_limit><min_guarantee "
	    "unit='KiB'>131072</min_guarantee></memtune></domain>";
	const char *nomt = "<domain><min_guarantee>5</min_guarantee></domain>";
	uint64_t kib = 0;

	T_EQ_INT(guest_min_from_vdsm(vdsm, &kib), 0, "vdsm metadata parsed");
	T_EQ_INT(kib, 1024 * 1024, "vdsm MiB -> KiB");
	T_EQ_INT(guest_min_from_mom(mom, &kib), 0, "mom metadata parsed");
	T_EQ_INT(kib, 256 * 1024, "mom MiB -> KiB");
	T_EQ_INT(guest_min_from_domxml(dom, &kib), 0, "memtune parsed");
	T_EQ_INT(kib, 131072, "memtune KiB");
	T_EQ_INT(guest_min_from_domxml(nomt, &kib), -ENOENT,
		 "min_guarantee outside memtune ignored");
	/* libvirt's units in any case, as libvirt reads them. */
	T_EQ_INT(guest_min_from_mom("<guest><min_guarantee unit='mib'>256"
				    "</min_guarantee></guest>",
				    &kib),
		 0, "unit 'mib' read as libvirt reads it");
	T_EQ_INT(kib, 256 * 1024, "256 mib -> KiB");
	T_EQ_INT(guest_min_from_domxml("<domain><memtune><min_guarantee "
				       "unit='b'>1500</min_guarantee>"
				       "</memtune></domain>",
				       &kib),
		 0, "bytes read");
	T_EQ_INT(kib, 2, "1500 bytes: 2 KiB, rounded up");
	/* A malformed live value is not replaced by the engine's older,
	   possibly smaller one. */
	kib = 7;
	T_EQ_INT(
	    guest_min_from_vdsm("<vm><minGuaranteedMemoryMb>256"
				"</minGuaranteedMemoryMb><memGuaranteedSize>"
				"1536x</memGuaranteedSize></vm>",
				&kib),
	    -EINVAL,
	    "memGuaranteedSize malformed: -EINVAL, not "
	    "minGuaranteedMemoryMb");
	T_EQ_INT(guest_min_from_vdsm("<vm/>", &kib), -ENOENT,
		 "vdsm metadata without the element");
	T_EQ_INT(guest_min_from_vdsm("<vm><memGuaranteedSize>1", &kib), -EINVAL,
		 "text that is not XML: -EINVAL");
	T_EQ_INT(guest_min_from_mom("<guest><min_guarantee unit='parsecs'>1"
				    "</min_guarantee></guest>",
				    &kib),
		 -EINVAL, "unknown unit: -EINVAL");
	/* After memory hot-plug vdsm rewrites memGuaranteedSize; the engine's
	   minGuaranteedMemoryMb keeps the value from VM creation. */
	T_EQ_INT(guest_min_from_vdsm("<vm><minGuaranteedMemoryMb type=\"int\">"
				     "1024</minGuaranteedMemoryMb>"
				     "<memGuaranteedSize type=\"int\">1536"
				     "</memGuaranteedSize></vm>",
				     &kib),
		 0, "vdsm metadata after hot-plug parsed");
	T_EQ_INT(kib, 1536 * 1024,
		 "the live memGuaranteedSize wins over minGuaranteedMemoryMb");
}

static void test_classify(void)
{
	bool p[GUEST_STAT_NR] = {0};
	uint64_t v[GUEST_STAT_NR] = {0};
	unsigned unchanged = 0;

	p[GUEST_ACTUAL_KIB] = p[GUEST_RSS_KIB] = p[GUEST_LAST_UPDATE_S] = true;
	T_EQ_INT(guest_classify(p, v, false, 0, 3, &unchanged),
		 GUEST_STATS_ABSENT, "only actual/rss/last_update 0: absent");
	p[GUEST_UNUSED_KIB] = true;
	v[GUEST_LAST_UPDATE_S] = 100;
	T_EQ_INT(guest_classify(p, v, false, 0, 3, &unchanged), GUEST_STATS_OK,
		 "first report: ok");
	T_EQ_INT(guest_classify(p, v, true, 100, 3, &unchanged), GUEST_STATS_OK,
		 "unchanged once: still ok");
	T_EQ_INT(guest_classify(p, v, true, 100, 3, &unchanged), GUEST_STATS_OK,
		 "unchanged twice: still ok");
	T_EQ_INT(guest_classify(p, v, true, 100, 3, &unchanged),
		 GUEST_STATS_STALE, "unchanged three times: stale");
	v[GUEST_LAST_UPDATE_S] = 101;
	T_EQ_INT(guest_classify(p, v, true, 100, 3, &unchanged), GUEST_STATS_OK,
		 "moves again: ok");
	T_EQ_INT(unchanged, 0, "counter reset");
}

static void test_filter(void)
{
	char *inc[] = {"web*", "db?"};
	char *exc[] = {"*-test"};
	struct guest_config c = {
	    .include = inc, .n_include = 2, .exclude = exc, .n_exclude = 1};
	struct guest_config all = {0};

	T_OK(guest_name_wanted(&c, "web1"), "include glob matches");
	T_OK(guest_name_wanted(&c, "db1"), "second include glob");
	T_OK(!guest_name_wanted(&c, "db12"), "? is one character");
	T_OK(!guest_name_wanted(&c, "web-test"), "exclude wins");
	T_OK(!guest_name_wanted(&c, "mail"), "not included");
	T_OK(guest_name_wanted(&all, "anything"), "no globs: everything");
}

/* The test driver reports balloon stats only with a <memballoon>. */
#define BALLOON "<devices><memballoon model='virtio'/></devices>"

static const char node_xml[] =
    "<node>\n"
    "<domain type='test'><name>g-vdsm</name>"
    "<uuid>11111111-1111-1111-1111-111111111111</uuid>"
    "<metadata><ovirt-vm:vm xmlns:ovirt-vm='http://ovirt.org/vm/1.0'>"
    "<ovirt-vm:minGuaranteedMemoryMb type='int'>512"
    "</ovirt-vm:minGuaranteedMemoryMb></ovirt-vm:vm>"
    /* Shares in our metadata, which its minimum lookup never asks. */
    "<mom:guest xmlns:mom='" GUEST_MOM_NS "'><mom:shares>3000</mom:shares>"
    "</mom:guest></metadata>"
    "<memory unit='MiB'>2048</memory><currentMemory unit='MiB'>1024"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON
    "</domain>\n"
    /* The same namespace URI under another prefix: still vdsm's. */
    "<domain type='test'><name>g-prefix</name>"
    "<metadata><engine:vm xmlns:engine='http://ovirt.org/vm/1.0'>"
    "<engine:memGuaranteedSize type='int'>384"
    "</engine:memGuaranteedSize></engine:vm></metadata>"
    "<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>1024"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON
    "</domain>\n"
    /* vdsm's prefix bound to another URI: not vdsm's metadata. */
    "<domain type='test'><name>g-otherns</name>"
    "<metadata><ovirt-vm:vm xmlns:ovirt-vm='http://example.org/not-vdsm'>"
    "<ovirt-vm:memGuaranteedSize type='int'>384"
    "</ovirt-vm:memGuaranteedSize></ovirt-vm:vm></metadata>"
    "<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>1024"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON
    "</domain>\n"
    "<domain type='test'><name>g-mom</name>"
    "<metadata><mom:guest xmlns:mom='" GUEST_MOM_NS "'>"
    "<mom:min_guarantee unit='MiB'>256</mom:min_guarantee></mom:guest>"
    "</metadata>"
    "<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>768"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON
    "</domain>\n"
    "<domain type='test'><name>g-memtune</name>"
    "<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>512"
    "</currentMemory><memtune><min_guarantee unit='KiB'>131072"
    "</min_guarantee></memtune>"
    "<vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON "</domain>\n"
    /* Our metadata with a unit libvirt does not know, and a memtune
       minimum: the minimum is unknown (none sent), not memtune's. */
    "<domain type='test'><name>g-badmin</name>"
    "<metadata><mom:guest xmlns:mom='" GUEST_MOM_NS "'>"
    "<mom:min_guarantee unit='parsecs'>256</mom:min_guarantee></mom:guest>"
    "</metadata>"
    "<memory unit='MiB'>1024</memory><currentMemory unit='MiB'>512"
    "</currentMemory><memtune><min_guarantee unit='KiB'>131072"
    "</min_guarantee></memtune>"
    "<vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON "</domain>\n"
    "<domain type='test'><name>g-stale</name>"
    "<memory unit='MiB'>512</memory><currentMemory unit='MiB'>512"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os>" BALLOON
    "</domain>\n"
    "<domain type='test'><name>g-none</name>"
    "<memory unit='MiB'>512</memory><currentMemory unit='MiB'>512"
    "</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os></domain>\n"
    "<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/"
    "test/1.0'><name>g-off</name><memory unit='MiB'>512</memory>"
    "<vcpu>1</vcpu><os><type>hvm</type></os><test:runstate>5"
    "</test:runstate></domain>\n"
    "</node>\n";

static void check_domain(const struct seen *seen, const char *name,
			 uint64_t cur_kib, uint64_t max_kib, uint64_t min_kib,
			 enum guest_min_source src)
{
	const struct guest_sample *s = find(seen, name);
	char what[128];

	snprintf(what, sizeof(what), "%s reported", name);
	T_OK(s != NULL, "%s", what);
	if (s == NULL)
		return;
	T_EQ_INT(s->value[GUEST_ACTUAL_KIB], cur_kib, "actual");
	T_EQ_INT(s->value[GUEST_AVAILABLE_KIB], cur_kib, "available");
	T_EQ_INT(s->value[GUEST_UNUSED_KIB], cur_kib / 2, "unused");
	T_EQ_INT(s->value[GUEST_USABLE_KIB], cur_kib / 2, "usable");
	T_EQ_INT(s->value[GUEST_RSS_KIB], cur_kib / 2, "rss");
	T_EQ_INT(s->value[GUEST_DISK_CACHES_KIB], cur_kib / 8, "disk_caches");
	T_EQ_INT(s->value[GUEST_MAXIMUM_KIB], max_kib, "maximum");
	T_OK(s->present[GUEST_HUGETLB_PGFAIL] && s->present[GUEST_SWAP_IN_KIB],
	     "counters present");
	T_EQ_INT(s->value[GUEST_MINIMUM_KIB], min_kib, "minimum");
	T_EQ_STR(guest_min_source_name(s->min_source),
		 guest_min_source_name(src), "minimum source");
}

/* A reader of a node file of node_xml, logging into seen. */
struct node_fixture {
	char path[32], uri[64];
	struct seen *seen;
	struct guest_config c;
	struct guest_reader *r;
};

/* Writes the node file and opens a reader of it (MinimumRefresh 60 s);
   false, skipped, when that cannot be done. */
static bool node_open(struct node_fixture *f)
{
	int fd;

	*f = (struct node_fixture){.path = "/tmp/guestmem_test.XXXXXX",
				   .c = {.stats_period_s = 5,
					 .stale_reads = 2,
					 .min_refresh_s = 60,
					 .log = capture_log}};
	f->seen = calloc(1, sizeof(*f->seen));
	fd = f->seen ? mkstemp(f->path) : -1;
	if (fd < 0 || write(fd, node_xml, sizeof(node_xml) - 1) < 0) {
		T_SKIP("cannot write the node file");
		if (fd >= 0)
			close(fd);
		free(f->seen);
		return false;
	}
	close(fd);
	snprintf(f->uri, sizeof(f->uri), "test://%s", f->path);
	f->c.uri = f->uri;
	f->c.log_opaque = f->seen;
	f->r = guest_reader_new(&f->c);
	return true;
}

static void node_close(struct node_fixture *f)
{
	guest_reader_free(f->r);
	unlink(f->path);
	free(f->seen);
}

static void test_reader(void)
{
	struct node_fixture f;
	struct guest_config c;
	struct guest_reader *r;
	struct seen *seen;

	if (!node_open(&f))
		return;
	r = f.r, seen = f.seen, c = f.c;
	T_EQ_INT(guest_reader_read(r, NS, 1e9, collect, seen), 8,
		 "eight running domains read, shut-off one not");
	check_domain(seen, "g-vdsm", 1048576, 2097152, 524288, GUEST_MIN_VDSM);
	check_domain(seen, "g-prefix", 1048576, 1048576, 384 * 1024,
		     GUEST_MIN_VDSM);
	check_domain(seen, "g-otherns", 1048576, 1048576, 0, GUEST_MIN_NONE);
	check_domain(seen, "g-mom", 786432, 1048576, 262144, GUEST_MIN_MOM);
	check_domain(seen, "g-memtune", 524288, 1048576, 131072,
		     GUEST_MIN_MEMTUNE);
	check_domain(seen, "g-stale", 524288, 524288, 0, GUEST_MIN_NONE);
	T_OK(find(seen, "g-badmin") != NULL &&
		 !find(seen, "g-badmin")->present[GUEST_MINIMUM_KIB],
	     "a malformed minimum: none sent (unknown), not memtune's or 0");
	T_OK(strstr(seen->log,
		    "domain g-badmin: guaranteed minimum malformed "
		    "(source: mom); none sent until it is fixed") != NULL,
	     "malformed minimum logged");
	T_OK(find(seen, "g-off") == NULL, "shut-off domain not reported");
	T_OK(find(seen, "g-none") != NULL &&
		 find(seen, "g-none")->state == GUEST_STATS_ABSENT,
	     "no balloon device: stats absent");
	T_OK(find(seen, "g-none") != NULL &&
		 !find(seen, "g-none")->present[GUEST_ACTUAL_KIB] &&
		 !find(seen, "g-none")->present[GUEST_UNUSED_KIB] &&
		 find(seen, "g-none")->value[GUEST_MAXIMUM_KIB] == 524288,
	     "no balloon device: tags absent, maximum still known");
	T_OK(strstr(seen->log, "domain g-vdsm: guaranteed minimum 524288 KiB "
			       "(source: vdsm)") != NULL,
	     "minimum source logged");
	T_OK(strstr(seen->log, "metadata") == NULL,
	     "absent metadata is not logged as an error");
	T_OK(strstr(seen->log, "domain g-none: cannot set the balloon stats "
			       "period") != NULL,
	     "stats period failure (no balloon device) logged");
	for (int i = 0; i < 2; i++) {
		seen->n = 0;
		guest_reader_read(r, (2 + i) * NS, 2e9, collect, seen);
	}
	T_EQ_INT(find(seen, "g-stale")->state, GUEST_STATS_STALE,
		 "fixed last_update: stale after 2 unchanged reads");
	T_OK(strstr(seen->log, "domain g-stale: balloon statistics stale (was "
			       "ok)") != NULL,
	     "state change logged");
	T_OK(find(seen, "g-stale")->have_age &&
		 find(seen, "g-stale")->stats_age_s ==
		     2e9 - find(seen, "g-stale")->value[GUEST_LAST_UPDATE_S],
	     "stats age = now - last_update");
	guest_reader_free(r);
	unlink(f.path);

	memset(seen, 0, sizeof(*seen));
	c.uri = "test:///nonexistent/node.xml";
	r = guest_reader_new(&c);
	T_EQ_INT(guest_reader_read(r, NS, 1e9, collect, seen), -ENOTCONN,
		 "unreachable URI: -ENOTCONN");
	T_EQ_INT(guest_reader_read(r, 2 * NS, 1e9, collect, seen), -ENOTCONN,
		 "again, no crash");
	T_OK(strstr(seen->log, "cannot connect") != NULL &&
		 strstr(strstr(seen->log, "cannot connect") + 1,
			"cannot connect") == NULL,
	     "connection failure logged once");
	guest_reader_free(r);
	free(seen);
}

/* The namespace whose metadata libvirt "cannot" give, or NULL. */
static const char *unanswered_ns;

/* libvirt's own virDomainGetMetadata, except for unanswered_ns: then it
   fails with an error other than "no such metadata", as it does when the
   connection breaks or the daemon times out.  (libvirt has no public call
   that sets an error, so a real call is made to fail.)  The plugin's objects
   are linked into this program, so their calls come here. */
char *virDomainGetMetadata(virDomainPtr dom, int type, const char *uri,
			   unsigned int flags)
{
	static char *(*real)(virDomainPtr, int, const char *, unsigned int);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "virDomainGetMetadata");
	if (!real)
		abort();
	/* A type libvirt refuses: it fails as libvirt does, with its own
	   error (invalid argument), which is not "no such metadata". */
	if (unanswered_ns && uri && strcmp(uri, unanswered_ns) == 0)
		return real(dom, 1000, uri, flags);
	return real(dom, type, uri, flags);
}

/* One read at t seconds with libvirt not answering for namespace ns
   (NULL: answering); the sample of name, or NULL. */
static const struct guest_sample *read_with(struct guest_reader *r,
					    struct seen *seen, const char *ns,
					    int t, const char *name)
{
	unanswered_ns = ns;
	seen->n = 0;
	guest_reader_read(r, t * NS, t * 1e9, collect, seen);
	unanswered_ns = NULL;
	return find(seen, name);
}

/* Whether s was read and carries stat i with value v (v < 0: without). */
static bool has(const struct guest_sample *s, int i, long long v)
{
	if (s == NULL)
		return false;
	return v < 0 ? !s->present[i]
		     : s->present[i] && s->value[i] == (uint64_t)v;
}

/* A lookup libvirt does not answer is not "nothing configured": no
   minimum is sent before the first one known, the last one known is kept
   after it, and the CPU limit (vdsm's default 100 when the metadata is
   absent) goes unreported. */
static void test_unanswered_metadata(void)
{
	struct node_fixture f;
	const struct guest_sample *s;
	struct guest_reader *r;
	struct seen *seen;

	if (!node_open(&f))
		return;
	r = f.r, seen = f.seen;

	s = read_with(r, seen, GUEST_VDSM_NS, 1, "g-vdsm");
	T_OK(has(s, GUEST_MINIMUM_KIB, -1),
	     "unanswered before any answer: no minimum sent, not 0");
	T_OK(has(find(seen, "g-mom"), GUEST_MINIMUM_KIB, -1),
	     "... for a domain whose minimum is in a later source too");
	T_OK(strstr(seen->log, "domain g-vdsm: guaranteed minimum not read "
			       "(libvirt error); none sent until it is"),
	     "unanswered lookup logged");
	s = read_with(r, seen, NULL, 2, "g-vdsm");
	T_OK(has(s, GUEST_MINIMUM_KIB, 524288),
	     "answered at the next read: vdsm's minimum");
	s = read_with(r, seen, GUEST_VDSM_NS, 63, "g-vdsm"); /* past 60 s */
	T_OK(has(s, GUEST_MINIMUM_KIB, 524288),
	     "unanswered at the refresh: the last minimum kept");
	T_OK(strstr(seen->log, "domain g-vdsm: guaranteed minimum not read "
			       "(libvirt error); keeping the last one"),
	     "kept minimum logged");
	s = read_with(r, seen, GUEST_TUNE_NS, 64, "g-stale");
	T_OK(has(s, GUEST_VCPU_USER_LIMIT_PCT, -1),
	     "tune metadata unanswered: no CPU limit, not vdsm's default");
	T_OK(strstr(seen->log, "domain g-stale: metadata " GUEST_TUNE_NS
			       " not read (libvirt error)"),
	     "unanswered tune metadata logged");
	s = read_with(r, seen, NULL, 65, "g-stale");
	T_OK(has(s, GUEST_VCPU_USER_LIMIT_PCT, 100),
	     "answered again: no metadata is vdsm's default 100");
	T_OK(has(find(seen, "g-vdsm"), GUEST_SHARES, 3000),
	     "g-vdsm's shares from our metadata");
	/* g-vdsm's minimum (vdsm's) answers at the refresh; our metadata,
	   asked only for its shares then, does not. */
	s = read_with(r, seen, GUEST_MOM_NS, 130, "g-vdsm");
	T_OK(has(s, GUEST_SHARES, 3000),
	     "shares unanswered at the refresh: the last ones kept, not "
	     "absent (the policy's default weight)");
	T_OK(has(s, GUEST_BALLOON_AUTODEFLATE, 0),
	     "... and the balloon's features with them");
	node_close(&f);
}

/* Calls of virDomainSetMemoryStatsPeriod the plugin made (counted by the
   interposer below). */
static int period_calls;

/* What a read does with a bulk record: its fields when they include the
   memory statistics; without them, skip the domain once the connection's
   bulk call has shown it returns them (the domain's job was held), or ask
   the domain alone before (a driver that leaves them out). */
static void test_bulk_use(void)
{
	T_EQ_INT(guest_bulk_use(true, false), GUEST_BULK_USE,
		 "memory statistics in the record: used");
	T_EQ_INT(guest_bulk_use(true, true), GUEST_BULK_USE,
		 "... also once proven");
	T_EQ_INT(guest_bulk_use(false, false), GUEST_BULK_ASK,
		 "none, never seen in the bulk call: asked per domain");
	T_EQ_INT(guest_bulk_use(false, true), GUEST_BULK_SKIP,
		 "none, though the bulk call returns them: skipped, not asked");
}

/* The balloon statistics are the guest's word: a value no guest can have
   (one that would overflow int64 as bytes or as a counter on the way to
   collectd), a negative one or one that is not a number is absent, never
   0 nor negative at momd. */
static void test_bulk_values(void)
{
	virTypedParameter p[6];
	struct guest_sample s = {0};

	memset(p, 0, sizeof(p));
	snprintf(p[0].field, sizeof(p[0].field), "balloon.unused");
	p[0].type = VIR_TYPED_PARAM_ULLONG;
	p[0].value.ul = 300;
	snprintf(p[1].field, sizeof(p[1].field), "balloon.swap_in");
	p[1].type = VIR_TYPED_PARAM_ULLONG;
	p[1].value.ul = UINT64_MAX / 1024; /* 2^54 KiB: 2^64 bytes */
	snprintf(p[2].field, sizeof(p[2].field), "balloon.major_fault");
	p[2].type = VIR_TYPED_PARAM_ULLONG;
	p[2].value.ul = UINT64_MAX - 1;
	snprintf(p[3].field, sizeof(p[3].field), "balloon.minor_fault");
	p[3].type = VIR_TYPED_PARAM_ULLONG;
	p[3].value.ul = 5;
	snprintf(p[4].field, sizeof(p[4].field), "balloon.usable");
	p[4].type = VIR_TYPED_PARAM_LLONG;
	p[4].value.l = -4;
	snprintf(p[5].field, sizeof(p[5].field), "balloon.available");
	p[5].type = VIR_TYPED_PARAM_STRING;
	p[5].value.s = (char *)"1000";
	guest_stats_from_bulk(p, 6, &s);
	T_OK(s.present[GUEST_UNUSED_KIB] && s.value[GUEST_UNUSED_KIB] == 300,
	     "a plain value is taken");
	T_OK(s.present[GUEST_MINOR_FAULT] && s.value[GUEST_MINOR_FAULT] == 5,
	     "a plain counter is taken");
	T_OK(!s.present[GUEST_SWAP_IN_KIB],
	     "swap_in beyond int64 as bytes: absent, not wrapped");
	T_OK(!s.present[GUEST_MAJOR_FAULT],
	     "a counter beyond int64: absent, not negative");
	T_OK(!s.present[GUEST_USABLE_KIB], "a negative value: absent, not 0");
	T_OK(!s.present[GUEST_AVAILABLE_KIB],
	     "a value that is not a number: absent, not 0");
}

/* The bulk call as the reader makes it, and as the test makes it answer:
   the flags of the last call and the calls with NOWAIT; refuse_nowait
   makes libvirt refuse NOWAIT as a daemon older than 4.5 does ("invalid
   argument": the test driver takes it).  With script on, the records get
   the balloon fields QEMU's driver gives: all of them, or for the domain
   named busy, only balloon.current and balloon.maximum (busy_bare: none),
   as when NOWAIT found its job held.  The test driver gives none. */
static struct bulk_script {
	unsigned int last_flags;
	int nowait_calls;
	bool refuse_nowait;
	bool script;
	const char *busy;
	bool busy_bare;
} bulk;

static void add_field(virDomainStatsRecordPtr rec, int *max, const char *name,
		      unsigned long long v)
{
	if (virTypedParamsAddULLong(&rec->params, &rec->nparams, max, name, v) <
	    0)
		abort();
}

static void script_record(virDomainStatsRecordPtr rec)
{
	const char *name = virDomainGetName(rec->dom);
	bool busy = bulk.busy && name && strcmp(name, bulk.busy) == 0;
	int max = rec->nparams;

	if (busy && bulk.busy_bare)
		return;
	add_field(rec, &max, "balloon.current", 1000);
	add_field(rec, &max, "balloon.maximum", 2000);
	if (busy)
		return;
	add_field(rec, &max, "balloon.rss", 900);
	add_field(rec, &max, "balloon.unused", 300);
	add_field(rec, &max, "balloon.usable", 400);
	add_field(rec, &max, "balloon.available", 1000);
	add_field(rec, &max, "balloon.last-update", 77);
}

int virConnectGetAllDomainStats(virConnectPtr conn, unsigned int stats,
				virDomainStatsRecordPtr **ret,
				unsigned int flags)
{
	static int (*real)(virConnectPtr, unsigned int,
			   virDomainStatsRecordPtr **, unsigned int);
	int n;

	if (!real)
		*(void **)&real =
		    dlsym(RTLD_NEXT, "virConnectGetAllDomainStats");
	if (!real)
		abort();
	bulk.last_flags = flags;
	if (flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT) {
		bulk.nowait_calls++;
		/* A flag the driver does not know: refused as NOWAIT is. */
		if (bulk.refuse_nowait)
			flags |= 1U << 20;
	}
	n = real(conn, stats, ret, flags);
	for (int i = 0; bulk.script && i < n; i++)
		script_record((*ret)[i]);
	return n;
}

/* virDomainMemoryStats calls the reader made for the domain named
   memstats_of. */
static const char *memstats_of;
static int memstats_calls;

int virDomainMemoryStats(virDomainPtr dom, virDomainMemoryStatPtr stats,
			 unsigned int nr_stats, unsigned int flags)
{
	static int (*real)(virDomainPtr, virDomainMemoryStatPtr, unsigned int,
			   unsigned int);
	const char *name = virDomainGetName(dom);

	if (!real)
		*(void **)&real = dlsym(RTLD_NEXT, "virDomainMemoryStats");
	if (!real)
		abort();
	if (memstats_of && name && strcmp(name, memstats_of) == 0)
		memstats_calls++;
	return real(dom, stats, nr_stats, flags);
}

/* The read asks libvirt not to wait for any domain's job (NOWAIT); a
   daemon that refuses the flag is asked again without it, not logged as
   an error, and from then on without it. */
static void test_nowait(void)
{
	struct node_fixture f;
	struct seen *seen;

	if (!node_open(&f))
		return;
	seen = f.seen;
	bulk = (struct bulk_script){0};
	T_EQ_INT(guest_reader_read(f.r, NS, 1e9, collect, seen), 8,
		 "domains read");
	T_OK(bulk.last_flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_NOWAIT,
	     "the bulk call does not wait for domains' jobs (flags %#x)",
	     bulk.last_flags);
	T_OK(bulk.last_flags & VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE,
	     "... and lists the running domains");
	bulk.refuse_nowait = true;
	bulk.nowait_calls = 0;
	seen->n = 0;
	T_EQ_INT(guest_reader_read(f.r, 2 * NS, 2e9, collect, seen), 8,
		 "NOWAIT refused: read without it in the same read");
	T_EQ_INT(bulk.nowait_calls, 1, "asked once with NOWAIT");
	T_OK(strstr(seen->log, "unsupported flags") == NULL,
	     "the refusal is not logged as an error");
	T_OK(strstr(seen->log, "libvirt refuses to read statistics without "
			       "waiting (NOWAIT)") != NULL,
	     "what it costs is logged");
	seen->n = 0;
	T_EQ_INT(guest_reader_read(f.r, 3 * NS, 3e9, collect, seen), 8,
		 "the next read");
	T_EQ_INT(bulk.nowait_calls, 1, "... no longer asks with NOWAIT");
	bulk = (struct bulk_script){0};
	node_close(&f);
}

/* A domain whose record lacks the memory statistics, once the bulk call
   has shown it returns them, had its job held: it is not asked alone
   (virDomainMemoryStats, or the stats period, would wait for that job
   and hold every guest's sample) and gets no sample this read rather than
   one that says its statistics are absent. */
static void test_busy_domain(void)
{
	struct node_fixture f;
	const struct guest_sample *s;
	struct seen *seen;

	if (!node_open(&f))
		return;
	seen = f.seen;
	bulk = (struct bulk_script){.script = true, .busy = "g-mom"};
	memstats_of = "g-mom";
	memstats_calls = 0;
	period_calls = 0;
	T_EQ_INT(guest_reader_read(f.r, NS, 1e9, collect, seen), 7,
		 "the seven domains with statistics read");
	T_OK(find(seen, "g-mom") == NULL,
	     "the busy domain (balloon.current and .maximum only) not sent");
	s = find(seen, "g-vdsm");
	T_OK(has(s, GUEST_UNUSED_KIB, 300) && has(s, GUEST_ACTUAL_KIB, 1000) &&
		 s->state == GUEST_STATS_OK,
	     "the others from their records");
	T_EQ_INT(memstats_calls, 0, "the busy domain not asked alone");
	T_EQ_INT(period_calls, 7, "nor its stats period set");
	T_OK(strstr(seen->log, "domain g-mom: balloon statistics not "
			       "available without waiting") != NULL,
	     "logged");
	bulk.busy_bare = true;
	seen->n = 0;
	T_EQ_INT(guest_reader_read(f.r, 2 * NS, 2e9, collect, seen), 7,
		 "a record without any balloon field");
	T_OK(find(seen, "g-mom") == NULL && memstats_calls == 0,
	     "... is not asked alone either");
	bulk.busy = NULL;
	seen->n = 0;
	T_EQ_INT(guest_reader_read(f.r, 3 * NS, 3e9, collect, seen), 8,
		 "the job released: all eight");
	s = find(seen, "g-mom");
	T_OK(has(s, GUEST_UNUSED_KIB, 300) && s->state == GUEST_STATS_OK,
	     "the domain's statistics again");
	T_EQ_INT(period_calls, 8, "its stats period set now");
	bulk = (struct bulk_script){0};
	memstats_of = NULL;
	node_close(&f);
}

/* The domain whose stats period libvirt refuses with an error that may
   pass (a real call made to fail: invalid argument), and the calls made
   for the domain named period_of. */
static const char *period_fail_of, *period_of;
static int period_of_calls;

/* libvirt's own, counted. */
int virDomainSetMemoryStatsPeriod(virDomainPtr dom, int period,
				  unsigned int flags)
{
	static int (*real)(virDomainPtr, int, unsigned int);
	const char *name = virDomainGetName(dom);

	if (!real)
		*(void **)&real =
		    dlsym(RTLD_NEXT, "virDomainSetMemoryStatsPeriod");
	if (!real)
		abort();
	period_calls++;
	period_of_calls += period_of && name && strcmp(name, period_of) == 0;
	if (period_fail_of && name && strcmp(name, period_fail_of) == 0)
		return real(dom, -1, flags);
	return real(dom, period, flags);
}

/* Without a stats period a guest's statistics never move: one that failed
   is set again after MinimumRefresh (60 s here), not before, and not once
   set. */
static void test_period_retry(void)
{
	struct node_fixture f;
	int before;

	if (!node_open(&f))
		return;
	period_of = period_fail_of = "g-vdsm";
	period_of_calls = 0;
	guest_reader_read(f.r, NS, 1e9, collect, f.seen);
	T_EQ_INT(period_of_calls, 1, "stats period tried");
	T_OK(strstr(f.seen->log, "domain g-vdsm: cannot set the balloon stats "
				 "period; guest statistics may stay absent "
				 "(tried again every MinimumRefresh)") != NULL,
	     "its failure logged");
	period_fail_of = NULL;
	f.seen->n = 0;
	guest_reader_read(f.r, 2 * NS, 2e9, collect, f.seen);
	T_EQ_INT(period_of_calls, 1, "not tried again before MinimumRefresh");
	before = period_calls;
	f.seen->n = 0;
	guest_reader_read(f.r, 62 * NS, 62e9, collect, f.seen);
	T_EQ_INT(period_of_calls, 2, "tried again after MinimumRefresh");
	T_EQ_INT(period_calls - before, 2,
		 "... as is g-none's (no balloon device), the others' being "
		 "set");
	f.seen->n = 0;
	guest_reader_read(f.r, 130 * NS, 130e9, collect, f.seen);
	T_EQ_INT(period_of_calls, 2, "set now: not again");
	period_of = NULL;
	node_close(&f);
}

/* A domain destroyed and started again between two reads is a new QEMU
   process (its domain ID changes): it has no stats period, so the reader
   sets it again, and its staleness history starts afresh.  test:///default
   is one driver shared by every connection of the process, so the
   restart made on a connection of our own is what the reader sees. */
static void test_restarted_domain(void)
{
	struct seen *seen = calloc(1, sizeof(*seen));
	struct guest_config c = {.uri = "test:///default",
				 .stats_period_s = 5,
				 .stale_reads = 1,
				 .min_refresh_s = 60,
				 .log = capture_log,
				 .log_opaque = seen};
	struct guest_reader *r = guest_reader_new(&c);
	virConnectPtr conn = virConnectOpen("test:///default");
	virDomainPtr dom = conn ? virDomainLookupByName(conn, "test") : NULL;
	unsigned int id = dom ? virDomainGetID(dom) : 0;
	const struct guest_sample *s;

	if (seen == NULL || r == NULL || dom == NULL) {
		T_SKIP("test:///default not usable");
		goto out;
	}
	/* A minimum set on the running domain only: the new process, built
	   from the persistent definition, has none. */
	T_OK(virDomainSetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
				  "<guest><min_guarantee unit='MiB'>256"
				  "</min_guarantee></guest>",
				  "mom", GUEST_MOM_NS,
				  VIR_DOMAIN_AFFECT_LIVE) == 0,
	     "a live-only minimum set");
	period_calls = 0;
	T_EQ_INT(guest_reader_read(r, NS, 1e9, collect, seen), 1,
		 "test:///default's domain read");
	T_OK(has(find(seen, "test"), GUEST_MINIMUM_KIB, 262144),
	     "the live minimum read");
	seen->n = 0;
	guest_reader_read(r, 2 * NS, 2e9, collect, seen);
	s = find(seen, "test");
	T_OK(s != NULL && s->state == GUEST_STATS_STALE,
	     "last_update unchanged over a read: stale");
	T_OK(virDomainDestroy(dom) == 0 && virDomainCreate(dom) == 0,
	     "destroyed and started again");
	virDomainFree(dom);
	dom = virDomainLookupByName(conn, "test");
	T_OK(dom != NULL && virDomainGetID(dom) != id,
	     "the new process has another domain ID");
	seen->n = 0;
	guest_reader_read(r, 3 * NS, 3e9, collect, seen);
	T_EQ_INT(period_calls, 2, "stats period set again for the new process");
	s = find(seen, "test");
	T_OK(s != NULL && s->state != GUEST_STATS_STALE,
	     "the new process's first reading is not stale");
	T_OK(has(s, GUEST_MINIMUM_KIB, 0) && s->min_source == GUEST_MIN_NONE,
	     "its minimum read again at once (MinimumRefresh 60 s): none");
	T_OK(strstr(seen->log, "domain test (") != NULL &&
		 strstr(seen->log, ") restarted (ID ") != NULL,
	     "restart logged");
	seen->n = 0;
	guest_reader_read(r, 4 * NS, 4e9, collect, seen);
	T_EQ_INT(period_calls, 2, "... once");
out:
	if (dom != NULL)
		virDomainFree(dom);
	if (conn != NULL)
		virConnectClose(conn);
	guest_reader_free(r);
	free(seen);
}

static void test_filtered_reader(void)
{
	char *exc[] = {"t*"};
	struct seen *seen = calloc(1, sizeof(*seen));
	struct guest_config c = {.uri = "test:///default",
				 .stale_reads = 3,
				 .exclude = exc,
				 .n_exclude = 1,
				 .log = capture_log,
				 .log_opaque = seen};
	struct guest_reader *r = guest_reader_new(&c);

	T_EQ_INT(guest_reader_read(r, NS, 1e9, collect, seen), 0,
		 "excluded domain not read");
	guest_reader_free(r);
	free(seen);
}

int main(void)
{
	test_min_parsers();
	test_classify();
	test_filter();
	test_reader();
	test_unanswered_metadata();
	test_restarted_domain();
	test_period_retry();
	test_bulk_use();
	test_bulk_values();
	test_nowait();
	test_busy_domain();
	test_filtered_reader();
	return t_done();
}
