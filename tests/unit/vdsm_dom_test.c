/* SPDX-License-Identifier: Apache-2.0 */
/*
 * vdsm_dom_test.c: unit tests of actuator/vdsm_dom.c (may a domain be
 * ballooned, from its XML and vdsm's metadata) and of the libvirt balloon
 * backend's refusals (actuator/host_libvirt.c) against libvirt's
 * in-process test driver with a node file written here: a running domain
 * is ballooned; a paused one, one with memballoon model none and one whose
 * vdsm metadata disables ballooning (under vdsm's usual prefix or another
 * one for the same namespace URI) are refused with -EPERM and keep their
 * size; vdsm's prefix bound to another URI is not vdsm's metadata.  And
 * which libvirt job operations hold a change (host_libvirt_job_blocks):
 * the backends refuse balloon, CPU and I/O changes during them.
 */
#include "host.h"
#include "testing.h"
#include "vdsm_dom.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include <libvirt/libvirt.h>

static void test_balloon_none(void)
{
	T_OK(vdsm_dom_balloon_none("<domain><devices><memballoon model='none'/>"
				   "</devices></domain>"),
	     "memballoon model='none'");
	T_OK(vdsm_dom_balloon_none("<domain><devices>\n  <memballoon "
				   "model=\"none\">\n</memballoon></devices>"
				   "</domain>"),
	     "memballoon model=\"none\" with a body");
	T_OK(!vdsm_dom_balloon_none("<domain><devices><memballoon "
				    "model='virtio'><stats period='5'/>"
				    "</memballoon></devices></domain>"),
	     "model virtio is a balloon");
	T_OK(!vdsm_dom_balloon_none("<domain><devices/></domain>"),
	     "no memballoon element: not 'none'");
	T_OK(!vdsm_dom_balloon_none("<domain><memballoonx model='none'/>"),
	     "another element's name is not matched");
	T_OK(!vdsm_dom_balloon_none("<domain><memballoon model='none"),
	     "an unterminated tag is not read past the string");
	T_OK(!vdsm_dom_balloon_none("<domain><metadata><memballoon "
				    "model='none'/></metadata><devices>"
				    "<memballoon model='virtio'/></devices>"
				    "</domain>"),
	     "only the device counts, not a look-alike elsewhere");
	T_OK(!vdsm_dom_balloon_none(NULL), "NULL XML");
}

/* The texts are what virDomainGetMetadata(VDSM_DOM_NS) returns: vdsm's
   element, selected by namespace URI, with the namespace removed. */
static void test_ballooning_disabled(void)
{
	char buf[512];
	static const struct {
		const char *elem;
		bool off;
	} cases[] = {
	    {"<ballooningEnabled>false</ballooningEnabled>", true},
	    {"<ballooningEnabled type='bool'>False</ballooningEnabled>", true},
	    {"<ballooningEnabled> 0 </ballooningEnabled>", true},
	    {"<ballooningEnabled>no</ballooningEnabled>", true},
	    {"<ballooningEnabled>true</ballooningEnabled>", false},
	    {"<ballooningEnabled type='bool'>True</ballooningEnabled>", false},
	    {"<ballooningEnabled/>", false},
	    {"<minGuaranteedMemoryMb>512</minGuaranteedMemoryMb>", false},
	    {"<ballooningEnabledX>false</ballooningEnabledX>", false},
	    {"<x><ballooningEnabled>false</ballooningEnabled></x>", false},
	    /* Not XML: says nothing, as libvirt never returns it. */
	    {"<ballooningEnabled>false", false},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(buf, sizeof(buf), "<vm>%s</vm>", cases[i].elem);
		T_OK(vdsm_dom_ballooning_disabled(buf) == cases[i].off,
		     "%s -> %s", cases[i].elem,
		     cases[i].off ? "disabled" : "enabled");
	}
	T_OK(!vdsm_dom_ballooning_disabled(NULL), "no metadata: enabled");
	T_OK(!vdsm_dom_ballooning_disabled("<ballooningEnabled>false"),
	     "text that runs to the end of the string is not read past it");
	T_OK(
	    !vdsm_dom_ballooning_disabled(
		"<ovirt-vm:vm xmlns:ovirt-vm='" VDSM_DOM_NS "'>"
		"<ovirt-vm:ballooningEnabled>false</ovirt-vm:ballooningEnabled>"
		"</ovirt-vm:vm>"),
	    "a namespaced element is not libvirt's metadata output");
}

#define DOM_HEAD(name)                                                         \
	"<domain type='test' xmlns:test='http://libvirt.org/schemas/domain/"   \
	"test/1.0'><name>" name "</name><memory unit='MiB'>1024</memory>"      \
	"<currentMemory unit='MiB'>1024</currentMemory><vcpu>1</vcpu>"         \
	"<os><type>hvm</type></os>"

#define BALLOON "<devices><memballoon model='virtio'/></devices>"

/* One domain per line reads better than clang-format's reflow. */
/* clang-format off */
static const char node_xml[] =
    "<node>\n"
    DOM_HEAD("g-ok") BALLOON "</domain>\n"
    DOM_HEAD("g-paused") BALLOON "<test:runstate>3</test:runstate></domain>\n"
    DOM_HEAD("g-none") "<devices><memballoon model='none'/></devices></domain>\n"
    DOM_HEAD("g-off")
	"<metadata><ovirt-vm:vm xmlns:ovirt-vm='" VDSM_DOM_NS "'>"
	"<ovirt-vm:ballooningEnabled>false</ovirt-vm:ballooningEnabled>"
	"</ovirt-vm:vm></metadata>" BALLOON "</domain>\n"
    /* vdsm's namespace URI under another prefix: still vdsm's metadata. */
    DOM_HEAD("g-off-prefix")
	"<metadata><engine:vm xmlns:engine='" VDSM_DOM_NS "'>"
	"<engine:ballooningEnabled>false</engine:ballooningEnabled>"
	"</engine:vm></metadata>" BALLOON "</domain>\n"
    /* vdsm's prefix bound to another URI: not vdsm's metadata. */
    DOM_HEAD("g-otherns")
	"<metadata><ovirt-vm:vm xmlns:ovirt-vm='http://example.org/other'>"
	"<ovirt-vm:ballooningEnabled>false</ovirt-vm:ballooningEnabled>"
	"</ovirt-vm:vm></metadata>" BALLOON "</domain>\n"
    "</node>\n";
/* clang-format on */

static void test_backend(void)
{
	char path[] = "/tmp/vdsm_dom_test.XXXXXX";
	char uri[128], msg[256];
	struct balloon_backend b;
	static const struct {
		const char *name;
		int rc;
		const char *why;
	} cases[] = {
	    {"g-ok", 0, ""},
	    {"g-paused", -EPERM, "not running"},
	    {"g-none", -EPERM, "memballoon model none"},
	    {"g-off", -EPERM, "ballooningEnabled false"},
	    {"g-off-prefix", -EPERM, "ballooningEnabled false"},
	    {"g-otherns", 0, ""},
	};
	int fd = mkstemp(path);

	if (fd < 0 || write(fd, node_xml, sizeof(node_xml) - 1) < 0) {
		T_SKIP("cannot write the node file");
		return;
	}
	close(fd);
	snprintf(uri, sizeof(uri), "test://%s", path);
	if (host_libvirt_balloon(uri, &b, msg, sizeof(msg)) < 0) {
		T_SKIP("no libvirt balloon backend");
		unlink(path);
		return;
	}
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc;

		msg[0] = '\0';
		rc = b.set(b.ctx, cases[i].name, "", 524288, msg, sizeof(msg));
		T_EQ_INT(rc, cases[i].rc, cases[i].name);
		T_OK(strstr(msg, cases[i].why) != NULL, "%s: message '%s'",
		     cases[i].name, msg);
	}
	msg[0] = '\0';
	T_EQ_INT(b.set(b.ctx, "g-gone", "", 524288, msg, sizeof(msg)), -ENOENT,
		 "a guest that does not exist is gone, not refused");
	balloon_backend_release(&b);
	unlink(path);
}

static void test_job_blocks(void)
{
	static const struct {
		int op;
		const char *what; /* NULL: changes go through */
	} cases[] = {
		{VIR_DOMAIN_JOB_OPERATION_UNKNOWN, NULL},
		{VIR_DOMAIN_JOB_OPERATION_START, "starting"},
		{VIR_DOMAIN_JOB_OPERATION_SAVE, "saved"},
		{VIR_DOMAIN_JOB_OPERATION_RESTORE, "restored"},
		{VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN, "migrating"},
		{VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT, "migrating"},
		{VIR_DOMAIN_JOB_OPERATION_SNAPSHOT, "snapshot"},
		{VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT, "reverted"},
		{VIR_DOMAIN_JOB_OPERATION_DUMP, "dumped"},
		/* libvirt lets modify jobs run during a backup. */
		{VIR_DOMAIN_JOB_OPERATION_BACKUP, NULL},
#if LIBVIR_CHECK_VERSION(9, 0, 0)
		{VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE, "snapshot"},
#endif
		{-1, NULL},
		{1000, NULL},
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const char *got = host_libvirt_job_blocks(cases[i].op);

		T_OK(cases[i].what ? got && strstr(got, cases[i].what)
				   : got == NULL,
		     "job operation %d: %s", cases[i].op,
		     got ? got : "changes go through");
	}
}

int main(void)
{
	test_balloon_none();
	test_ballooning_disabled();
	test_backend();
	test_job_blocks();
	return t_done();
}
