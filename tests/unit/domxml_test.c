/* SPDX-License-Identifier: Apache-2.0 */
/*
 * domxml_test.c: unit tests of actuator/domxml.c (libvirt XML read with
 * libxml2 and XPath): parse errors say where, lookups by path, namespaces
 * bound by URI whatever the document's prefix (the same URI under two
 * prefixes, a default namespace, and a look-alike prefix bound to another
 * URI), sizes with libvirt's units, the paths issue 17's QoS metadata will
 * use, a text that is not NUL-terminated, and no entity expansion.
 */
#include "domxml.h"
#include "testing.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define VDSM_NS "http://ovirt.org/vm/1.0"

static struct domxml *parse(const char *s)
{
	return domxml_parse(s, strlen(s), NULL, 0);
}

static void test_parse_errors(void)
{
	char err[256];
	struct domxml *d;

	d = domxml_parse("<domain>\n<name>x</domain>", 25, err, sizeof(err));
	T_OK(d == NULL, "mismatched tag refused");
	T_OK(strstr(err, "line 2") != NULL, "error says where: '%s'", err);
	d = domxml_parse("", 0, err, sizeof(err));
	T_OK(d == NULL && err[0] != '\0', "empty text refused: '%s'", err);
	/* Not NUL-terminated: a buffer of exactly the document's size. */
	{
		const char text[] = "<a><b>7</b></a>";
		char *buf = malloc(sizeof(text) - 1);
		char out[8];

		memcpy(buf, text, sizeof(text) - 1);
		d = domxml_parse(buf, sizeof(text) - 1, err, sizeof(err));
		T_OK(d != NULL &&
			 domxml_text(d, "/a/b", out, sizeof(out)) == 0 &&
			 strcmp(out, "7") == 0,
		     "text without a NUL read within its length");
		domxml_free(d);
		free(buf);
	}
	domxml_free(NULL);
	T_OK(1, "domxml_free(NULL) is a no-op");
}

static void test_lookups(void)
{
	struct domxml *d =
	    parse("<domain type='kvm'><name> vm1 </name>"
		  "<devices><memballoon model='virtio'><stats period='5'/>"
		  "</memballoon><disk><target dev='vda'/></disk>"
		  "<disk><target dev='vdb'/></disk></devices></domain>");
	char buf[16];

	T_OK(d != NULL, "domain XML parsed");
	if (d == NULL)
		return;
	T_EQ_INT(domxml_text(d, "/domain/name", buf, sizeof(buf)), 0,
		 "element text");
	T_EQ_STR(buf, "vm1", "text trimmed");
	T_EQ_INT(domxml_text(d, "/domain/devices/memballoon/@model", buf,
			     sizeof(buf)),
		 0, "attribute");
	T_EQ_STR(buf, "virtio", "attribute value");
	T_EQ_INT(domxml_text(d, "/domain/devices/memballoon/stats/@period", buf,
			     sizeof(buf)),
		 0, "stats period attribute");
	T_EQ_STR(buf, "5", "stats period value");
	T_EQ_INT(domxml_count(d, "/domain/devices/disk"), 2, "two disks");
	T_EQ_INT(domxml_text(d, "/domain/devices/disk[2]/target/@dev", buf,
			     sizeof(buf)),
		 0, "second disk by position");
	T_EQ_STR(buf, "vdb", "second disk's target");
	T_EQ_INT(domxml_text(d, "/domain/memtune", buf, sizeof(buf)), -ENOENT,
		 "absent element: -ENOENT");
	T_EQ_INT(domxml_count(d, "/domain/memtune"), 0, "absent: count 0");
	T_EQ_INT(domxml_text(d, "/domain/type", buf, 2), -ENOENT,
		 "an attribute is not an element");
	T_EQ_INT(domxml_text(d, "/domain/@type", buf, 2), -ERANGE,
		 "too long for the buffer: -ERANGE");
	T_EQ_INT(domxml_text(d, "/domain/[", buf, sizeof(buf)), -EINVAL,
		 "malformed path: -EINVAL");
	T_EQ_INT(domxml_count(d, "count(/domain)"), -EINVAL,
		 "a path that is not a node set: -EINVAL");
	domxml_free(d);
}

/* The same namespace URI under two prefixes, and as the default one, reads
   the same through a prefix bound by the caller; a look-alike prefix bound
   to another URI does not. */
static void test_namespaces(void)
{
	static const char *const docs[] = {
	    "<domain><metadata><ovirt-vm:vm xmlns:ovirt-vm='" VDSM_NS "'>"
	    "<ovirt-vm:memGuaranteedSize>1536</ovirt-vm:memGuaranteedSize>"
	    "</ovirt-vm:vm></metadata></domain>",
	    "<domain><metadata><e:vm xmlns:e='" VDSM_NS "'>"
	    "<e:memGuaranteedSize>1536</e:memGuaranteedSize>"
	    "</e:vm></metadata></domain>",
	    "<domain><metadata><vm xmlns='" VDSM_NS "'>"
	    "<memGuaranteedSize>1536</memGuaranteedSize>"
	    "</vm></metadata></domain>",
	};
	const char *other = "<domain><metadata><ovirt-vm:vm "
			    "xmlns:ovirt-vm='http://example.org/x'>"
			    "<ovirt-vm:memGuaranteedSize>9"
			    "</ovirt-vm:memGuaranteedSize></ovirt-vm:vm>"
			    "</metadata></domain>";
	const char *path = "/domain/metadata/v:vm/v:memGuaranteedSize";
	struct domxml *d;
	uint64_t kib;

	for (size_t i = 0; i < sizeof(docs) / sizeof(docs[0]); i++) {
		d = parse(docs[i]);
		kib = 0;
		T_OK(d != NULL && domxml_ns(d, "v", VDSM_NS) == 0 &&
			 domxml_size_kib(d, path, "MiB", &kib) == 0 &&
			 kib == 1536 * 1024,
		     "prefix variant %zu read by namespace URI", i);
		domxml_free(d);
	}
	d = parse(other);
	T_OK(d != NULL && domxml_ns(d, "v", VDSM_NS) == 0 &&
		 domxml_size_kib(d, path, "MiB", &kib) == -ENOENT,
	     "vdsm's prefix bound to another URI is not vdsm's");
	domxml_free(d);
}

static void test_sizes(void)
{
	struct domxml *d =
	    parse("<r><a unit='MiB'> 12 </a><b>3</b><c>12x</c><e>-1</e>"
		  "<f unit='parsecs'>1</f><g unit=''>1</g><h unit='TiB'>"
		  "99999999999</h><i/></r>");
	uint64_t kib = 0;

	T_OK(d != NULL, "parsed");
	if (d == NULL)
		return;
	T_EQ_INT(domxml_size_kib(d, "/r/a", "KiB", &kib), 0, "MiB size");
	T_EQ_INT(kib, 12 * 1024, "12 MiB in KiB");
	T_EQ_INT(domxml_size_kib(d, "/r/b", "KiB", &kib), 0, "default unit");
	T_EQ_INT(kib, 3, "3 KiB");
	T_EQ_INT(domxml_size_kib(d, "/r/c", "KiB", &kib), -EINVAL,
		 "trailing garbage rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/e", "KiB", &kib), -EINVAL,
		 "negative rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/f", "KiB", &kib), -EINVAL,
		 "unknown unit rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/g", "KiB", &kib), -EINVAL,
		 "empty unit rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/h", "KiB", &kib), -EINVAL,
		 "overflow rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/i", "KiB", &kib), -EINVAL,
		 "empty element rejected");
	T_EQ_INT(domxml_size_kib(d, "/r/z", "KiB", &kib), -ENOENT,
		 "absent element: -ENOENT");
	domxml_free(d);
	T_EQ_INT(domxml_unit_kib(1, "G", "KiB", &kib), 0, "G unit");
	T_EQ_INT(kib, 1024 * 1024, "1 G = 1048576 KiB");
	T_EQ_INT(domxml_unit_kib(1000, "KB", "KiB", &kib), 0, "KB unit");
	T_EQ_INT(kib, 977, "1000 KB = 977 KiB (976.5625 rounded up)");
	T_EQ_INT(domxml_unit_kib(UINT64_MAX, "TiB", "KiB", &kib), -ERANGE,
		 "overflow detected");
}

/* libvirt's units (virScaleInteger), in any case; a minimum in bytes is
   rounded up to whole KiB, never down. */
static void test_units(void)
{
	static const struct {
		uint64_t n;
		const char *unit;
		int rc;
		uint64_t kib;
	} cases[] = {
	    {3, "mib", 0, 3 * 1024},
	    {3, "MIB", 0, 3 * 1024},
	    {3, "m", 0, 3 * 1024},
	    {2, "g", 0, 2 * 1024 * 1024},
	    {2, "gb", 0, 1953125},
	    {1, "kIb", 0, 1},
	    {1, "t", 0, 1ULL << 30},
	    {1, "PiB", 0, 1ULL << 40},
	    {1, "pb", 0, 976562500000ULL},
	    {1, "EiB", 0, 1ULL << 50},
	    {15, "e", 0, 15ULL << 50},
	    {1, "EB", 0, 976562500000000ULL},
	    /* 16384 PiB is 2^64 bytes: beyond what libvirt holds. */
	    {16383, "PiB", 0, 16383ULL << 40},
	    {16384, "PiB", -ERANGE, 0},
	    {16, "EiB", -ERANGE, 0},
	    {UINT64_MAX, "pib", -ERANGE, 0},
	    {1500, "b", 0, 2},
	    {1500, "bytes", 0, 2},
	    {1024, "Byte", 0, 1},
	    {1, "B", 0, 1},
	    {0, "b", 0, 0},
	    {UINT64_MAX, "b", 0, (UINT64_MAX >> 10) + 1},
	    {1, "KB", 0, 1},
	    {1, "kbit", -EINVAL, 0},
	    {1, "ki", -EINVAL, 0},
	    {1, "x", -EINVAL, 0},
	    {1, "zib", -EINVAL, 0},
	    {1, "bytess", -EINVAL, 0},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t kib = 0;
		int rc =
		    domxml_unit_kib(cases[i].n, cases[i].unit, "KiB", &kib);

		T_OK(rc == cases[i].rc && (rc < 0 || kib == cases[i].kib),
		     "%llu %s: %d, %llu KiB", (unsigned long long)cases[i].n,
		     cases[i].unit, rc, (unsigned long long)kib);
	}
}

/* What issue 17 reads: vdsm's tune metadata as virDomainGetMetadata returns
   it (namespace removed), per-device limits selected by attribute. */
static void test_tune_paths(void)
{
	struct domxml *d = parse(
	    "<qos><vcpuLimit>50</vcpuLimit><ioTune>"
	    "<device name='vda' path='/dev/a'><maximum>"
	    "<total_bytes_sec>1000</total_bytes_sec></maximum>"
	    "<guaranteed><total_bytes_sec>10</total_bytes_sec></guaranteed>"
	    "</device><device name='vdb' path='/dev/b'><maximum>"
	    "<read_iops_sec>7</read_iops_sec></maximum></device>"
	    "</ioTune></qos>");
	char buf[32];

	T_OK(d != NULL, "tune metadata parsed");
	if (d == NULL)
		return;
	T_EQ_INT(domxml_text(d, "/qos/vcpuLimit", buf, sizeof(buf)), 0,
		 "vcpuLimit");
	T_EQ_STR(buf, "50", "vcpuLimit value");
	T_EQ_INT(domxml_count(d, "/qos/ioTune/device"), 2, "two devices");
	T_EQ_INT(domxml_text(d,
			     "/qos/ioTune/device[@name='vdb']/maximum/"
			     "read_iops_sec",
			     buf, sizeof(buf)),
		 0, "a device's limit by name");
	T_EQ_STR(buf, "7", "vdb read_iops_sec");
	T_EQ_INT(domxml_text(d,
			     "/qos/ioTune/device[@path='/dev/a']/guaranteed/"
			     "total_bytes_sec",
			     buf, sizeof(buf)),
		 0, "a device's guarantee by path");
	T_EQ_STR(buf, "10", "vda guaranteed total_bytes_sec");
	domxml_free(d);
}

/* An internal entity is not expanded into the text (and no external one
   is ever fetched: XML_PARSE_NONET, no XML_PARSE_NOENT). */
static void test_no_entities(void)
{
	struct domxml *d =
	    parse("<!DOCTYPE r [<!ENTITY x SYSTEM 'file:///etc/passwd'>]>"
		  "<r><a>&x;</a></r>");
	char buf[64] = "";

	T_OK(d == NULL || domxml_text(d, "/r/a", buf, sizeof(buf)) != 0 ||
		 strstr(buf, "root") == NULL,
	     "external entity not read: '%s'", buf);
	domxml_free(d);
}

int main(void)
{
	domxml_init();
	test_parse_errors();
	test_lookups();
	test_namespaces();
	test_sizes();
	test_units();
	test_tune_paths();
	test_no_entities();
	return t_done();
}
