/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_libvirt.c: balloon targets through libvirt, optionally the KSM
 * knobs through libvirt's node memory parameters, and the QoS controllers'
 * writes (vCPU bandwidth, a disk's I/O limits).
 *
 * One read-write connection, opened lazily and reopened after it breaks
 * (libvirtd restarted), so a libvirt outage costs one failed cycle, not the
 * daemon.  libvirt's own error printing is silenced: errors come back to the
 * caller as messages and the engine logs them, rate-limited.
 */
#include "domxml.h"
#include "host.h"
#include "vdsm_dom.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>

struct lv_host {
	char *uri;
	virConnectPtr conn;
	struct ksm_backend sysfs; /* run and pages_shared stay in sysfs */
};

static void lv_silence(void *opaque, virErrorPtr err)
{
	(void)opaque;
	(void)err;
}

static const char *lv_last_error(void)
{
	const char *m = virGetLastErrorMessage();

	return m ? m : "unknown libvirt error";
}

/* The connection, (re)opened when needed; NULL with msg filled. */
static virConnectPtr lv_conn(struct lv_host *h, char *msg, size_t len)
{
	if (h->conn && virConnectIsAlive(h->conn) == 1)
		return h->conn;
	if (h->conn) {
		virConnectClose(h->conn);
		h->conn = NULL;
	}
	h->conn = virConnectOpen(h->uri);
	if (!h->conn)
		snprintf(msg, len, "libvirt %s: %s", h->uri, lv_last_error());
	return h->conn;
}

/*
 * The async jobs libvirt's QEMU driver runs these under let no other
 * change in (their job mask has no MODIFY): a balloon, scheduler or I/O
 * limit change would wait 30 s for the job and then fail, on the cycle
 * thread.  During migration, save and restore vdsm did not show the VM to
 * MOM as Up either.  A backup lets changes through (its mask has MODIFY).
 */
const char *host_libvirt_job_blocks(int operation)
{
	switch (operation) {
	case VIR_DOMAIN_JOB_OPERATION_START:
		return "starting";
	case VIR_DOMAIN_JOB_OPERATION_MIGRATION_OUT:
	case VIR_DOMAIN_JOB_OPERATION_MIGRATION_IN:
		return "migrating";
	case VIR_DOMAIN_JOB_OPERATION_SAVE:
	case VIR_DOMAIN_JOB_OPERATION_RESTORE:
		return "being saved or restored";
	case VIR_DOMAIN_JOB_OPERATION_SNAPSHOT:
#if LIBVIR_CHECK_VERSION(9, 0, 0)
	case VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_DELETE:
#endif
		return "in a snapshot job";
	case VIR_DOMAIN_JOB_OPERATION_SNAPSHOT_REVERT:
		return "being reverted to a snapshot";
	case VIR_DOMAIN_JOB_OPERATION_DUMP:
		return "being dumped";
	default:
		return NULL;
	}
}

/* True, with what filled, while the domain is in such a job. */
static bool lv_job_blocks(virDomainPtr dom, char *what, size_t len)
{
	virTypedParameterPtr params = NULL;
	int type, n = 0, op = 0;
	const char *doing = NULL;

	/* Drivers without job statistics (libvirt's test driver) have no
	   such jobs either. */
	if (virDomainGetJobStats(dom, &type, &params, &n, 0) < 0)
		return false;
	if (type != VIR_DOMAIN_JOB_NONE &&
	    virTypedParamsGetInt(params, n, VIR_DOMAIN_JOB_OPERATION, &op) == 1)
		doing = host_libvirt_job_blocks(op);
	if (doing)
		snprintf(what, len, "%s", doing);
	virTypedParamsFree(params, n);
	return doing != NULL;
}

/*
 * May this domain be changed now?  Only a running domain (not paused,
 * starting, or in a job that holds changes: lv_job_blocks); what says
 * what would change, for the message.  Checked right before each change,
 * so a domain paused since the last sample is still left alone.  0, or
 * -EPERM (or -EIO when libvirt does not answer) with the reason.
 */
static int lv_change_allowed(virDomainPtr dom, const char *guest,
			     const char *what, char *msg, size_t len)
{
	int state = 0, reason = 0;
	char doing[40];

	if (virDomainGetState(dom, &state, &reason, 0) < 0) {
		snprintf(msg, len, "state of %s: %s", guest, lv_last_error());
		return -EIO;
	}
	if (state != VIR_DOMAIN_RUNNING && state != VIR_DOMAIN_BLOCKED) {
		snprintf(msg, len,
			 "guest %s is not running (libvirt state %d, reason "
			 "%d): %s change only on running guests",
			 guest, state, reason, what);
		return -EPERM;
	}
	if (lv_job_blocks(dom, doing, sizeof(doing))) {
		snprintf(msg, len,
			 "guest %s is %s: left alone until it is done", guest,
			 doing);
		return -EPERM;
	}
	return 0;
}

/*
 * May this domain be ballooned now?  What vdsm's VM.setBalloonTarget and
 * its listing of Up VMs decided for MOM: only a domain lv_change_allowed
 * lets be changed, with a balloon device (memballoon model not "none"),
 * whose vdsm metadata does not disable ballooning.  0, or -EPERM with the
 * reason.
 */
static int lv_balloon_allowed(virDomainPtr dom, const char *guest, char *msg,
			      size_t len)
{
	const char *why;
	char *text;
	bool off;
	int rc = lv_change_allowed(dom, guest, "balloons", msg, len);

	if (rc < 0)
		return rc;
	text = virDomainGetXMLDesc(dom, 0);
	off = vdsm_dom_balloon_none(text);
	free(text);
	why = "has no balloon device (memballoon model none)";
	if (!off) {
		text = virDomainGetMetadata(dom, VIR_DOMAIN_METADATA_ELEMENT,
					    VDSM_DOM_NS, 0);
		off = vdsm_dom_ballooning_disabled(text);
		free(text);
		why = "has ballooning disabled in vdsm's metadata "
		      "(ballooningEnabled false)";
	}
	if (off) {
		snprintf(msg, len, "guest %s %s", guest, why);
		return -EPERM;
	}
	return 0;
}

/* The domain by UUID (when known) or name: 0, or -ECONNREFUSED, -ENOENT
   (gone), -EIO with msg filled. */
static int lv_lookup(struct lv_host *h, const char *guest, const char *uuid,
		     virDomainPtr *out, char *msg, size_t len)
{
	virConnectPtr conn = lv_conn(h, msg, len);

	if (!conn)
		return -ECONNREFUSED;
	*out = uuid[0] ? virDomainLookupByUUIDString(conn, uuid)
		       : virDomainLookupByName(conn, guest);
	if (!*out) {
		virErrorPtr e = virGetLastError();

		if (e && e->code == VIR_ERR_NO_DOMAIN) {
			snprintf(msg, len, "guest %s is gone", guest);
			return -ENOENT;
		}
		snprintf(msg, len, "lookup %s: %s", guest, lv_last_error());
		return -EIO;
	}
	return 0;
}

static int lv_balloon_set(void *ctx, const char *guest, const char *uuid,
			  uint64_t kib, char *msg, size_t len)
{
	virDomainPtr dom;
	int rc = lv_lookup(ctx, guest, uuid, &dom, msg, len);

	if (rc < 0)
		return rc;
	rc = lv_balloon_allowed(dom, guest, msg, len);
	if (rc < 0) {
		virDomainFree(dom);
		return rc;
	}
	if (virDomainSetMemoryFlags(dom, kib, VIR_DOMAIN_AFFECT_LIVE) < 0) {
		virErrorPtr e = virGetLastError();

		rc = e && e->code == VIR_ERR_OPERATION_INVALID ? -ENOENT : -EIO;
		snprintf(msg, len, "set %s to %llu KiB: %s", guest,
			 (unsigned long long)kib, lv_last_error());
	}
	virDomainFree(dom);
	return rc;
}

static void lv_free(void *ctx)
{
	struct lv_host *h = ctx;

	if (!h)
		return;
	if (h->conn)
		virConnectClose(h->conn);
	ksm_backend_release(&h->sysfs);
	free(h->uri);
	free(h);
}

static struct lv_host *lv_host_new(const char *uri)
{
	struct lv_host *h = calloc(1, sizeof(*h));

	if (!h)
		return NULL;
	h->uri = strdup(uri);
	if (!h->uri) {
		free(h);
		return NULL;
	}
	virSetErrorFunc(NULL, lv_silence);
	/* Here, at start-up in the main thread: libxml2 before any thread
	   parses a domain XML (vdsm_dom.c). */
	domxml_init();
	return h;
}

int host_libvirt_balloon(const char *uri, struct balloon_backend *out,
			 char *msg, size_t len)
{
	struct lv_host *h = lv_host_new(uri);

	if (!h) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	*out = (struct balloon_backend){.name = "libvirt",
					.ctx = h,
					.set = lv_balloon_set,
					.free = lv_free};
	return 0;
}

static const char *const lv_param_names[KSM_KNOB_COUNT] = {
    [KSM_PAGES_TO_SCAN] = VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN,
    [KSM_SLEEP_MILLISECS] = VIR_NODE_MEMORY_SHARED_SLEEP_MILLISECS,
    [KSM_MERGE_ACROSS_NODES] = VIR_NODE_MEMORY_SHARED_MERGE_ACROSS_NODES,
};

static int lv_ksm_get(void *ctx, enum ksm_knob k, int64_t *value, char *msg,
		      size_t len)
{
	struct lv_host *h = ctx;

	/* Reading is the same whichever backend writes: sysfs is the truth. */
	return h->sysfs.get(h->sysfs.ctx, k, value, msg, len);
}

static int lv_ksm_set(void *ctx, enum ksm_knob k, int64_t value, char *msg,
		      size_t len)
{
	struct lv_host *h = ctx;
	virConnectPtr conn;
	virTypedParameter p;

	if (!lv_param_names[k]) /* run: libvirt has no knob for it */
		return h->sysfs.set(h->sysfs.ctx, k, value, msg, len);
	conn = lv_conn(h, msg, len);
	if (!conn)
		return -ECONNREFUSED;
	memset(&p, 0, sizeof(p));
	snprintf(p.field, sizeof(p.field), "%s", lv_param_names[k]);
	p.type = VIR_TYPED_PARAM_UINT;
	p.value.ui = (unsigned int)value;
	if (virNodeSetMemoryParameters(conn, &p, 1, 0) < 0) {
		snprintf(msg, len, "set %s: %s", ksm_knob_names[k],
			 lv_last_error());
		return -EIO;
	}
	return 0;
}

int host_libvirt_ksm(const char *uri, const char *ksm_dir,
		     struct ksm_backend *out, char *msg, size_t len)
{
	struct lv_host *h = lv_host_new(uri);
	int rc;

	if (!h) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	rc = host_sysfs_ksm(ksm_dir, &h->sysfs, msg, len);
	if (rc < 0) {
		lv_free(h);
		return rc;
	}
	*out = (struct ksm_backend){.name = "libvirt",
				    .ctx = h,
				    .get = lv_ksm_get,
				    .set = lv_ksm_set,
				    .free = lv_free};
	return 0;
}

/* Both values in one call, live: libvirt checks the pair, and a guest never
   runs with a new quota under the old period.  Only on a domain
   lv_change_allowed lets be changed: the call takes a libvirt job. */
static int lv_sched_set(void *ctx, const char *guest, const char *uuid,
			int64_t quota, uint64_t period, char *msg, size_t len)
{
	virTypedParameter p[2];
	virDomainPtr dom;
	int rc = lv_lookup(ctx, guest, uuid, &dom, msg, len);

	if (rc < 0)
		return rc;
	rc = lv_change_allowed(dom, guest, "CPU limits", msg, len);
	if (rc < 0) {
		virDomainFree(dom);
		return rc;
	}
	memset(p, 0, sizeof(p));
	snprintf(p[0].field, sizeof(p[0].field), "%s",
		 VIR_DOMAIN_SCHEDULER_VCPU_QUOTA);
	p[0].type = VIR_TYPED_PARAM_LLONG;
	p[0].value.l = quota;
	snprintf(p[1].field, sizeof(p[1].field), "%s",
		 VIR_DOMAIN_SCHEDULER_VCPU_PERIOD);
	p[1].type = VIR_TYPED_PARAM_ULLONG;
	p[1].value.ul = period;
	if (virDomainSetSchedulerParametersFlags(dom, p, 2,
						 VIR_DOMAIN_AFFECT_LIVE) < 0) {
		virErrorPtr e = virGetLastError();

		rc = e && e->code == VIR_ERR_OPERATION_INVALID ? -ENOENT
		     : e && e->code == VIR_ERR_INVALID_ARG     ? -EINVAL
							       : -EIO;
		snprintf(msg, len,
			 "set %s vcpu_quota %lld vcpu_period %llu: %s", guest,
			 (long long)quota, (unsigned long long)period,
			 lv_last_error());
	}
	virDomainFree(dom);
	return rc;
}

int host_libvirt_sched(const char *uri, struct sched_backend *out, char *msg,
		       size_t len)
{
	struct lv_host *h = lv_host_new(uri);

	if (!h) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	*out = (struct sched_backend){
	    .name = "libvirt", .ctx = h, .set = lv_sched_set, .free = lv_free};
	return 0;
}

/* libvirt's names of the six limits, in the order of enum disk_control. */
static const char *const lv_iotune_names[IOTUNE_LIMITS] = {
    VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC,
    VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC,
    VIR_DOMAIN_BLOCK_IOTUNE_WRITE_BYTES_SEC,
    VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC,
    VIR_DOMAIN_BLOCK_IOTUNE_READ_IOPS_SEC,
    VIR_DOMAIN_BLOCK_IOTUNE_WRITE_IOPS_SEC,
};

/* The six in one call, live: libvirt merges them with the disk's other
   settings (burst maxima, group), which it keeps as they are, and checks
   the whole.  Only on a domain lv_change_allowed lets be changed: the call
   takes a libvirt job. */
static int lv_iotune_set(void *ctx, const char *guest, const char *uuid,
			 const char *dev, const uint64_t limits[IOTUNE_LIMITS],
			 char *msg, size_t len)
{
	virTypedParameter p[IOTUNE_LIMITS];
	virDomainPtr dom;
	int rc = lv_lookup(ctx, guest, uuid, &dom, msg, len);

	if (rc < 0)
		return rc;
	rc = lv_change_allowed(dom, guest, "I/O limits", msg, len);
	if (rc < 0) {
		virDomainFree(dom);
		return rc;
	}
	memset(p, 0, sizeof(p));
	for (int i = 0; i < IOTUNE_LIMITS; i++) {
		snprintf(p[i].field, sizeof(p[i].field), "%s",
			 lv_iotune_names[i]);
		p[i].type = VIR_TYPED_PARAM_ULLONG;
		p[i].value.ul = limits[i];
	}
	if (virDomainSetBlockIoTune(dom, dev, p, IOTUNE_LIMITS,
				    VIR_DOMAIN_AFFECT_LIVE) < 0) {
		virErrorPtr e = virGetLastError();

		rc = e && e->code == VIR_ERR_OPERATION_INVALID ? -ENOENT
		     : e && (e->code == VIR_ERR_INVALID_ARG ||
			     e->code == VIR_ERR_CONFIG_UNSUPPORTED)
			 ? -EINVAL
			 : -EIO;
		snprintf(msg, len, "set %s disk %s I/O limits: %s", guest, dev,
			 lv_last_error());
	}
	virDomainFree(dom);
	return rc;
}

int host_libvirt_iotune(const char *uri, struct iotune_backend *out, char *msg,
			size_t len)
{
	struct lv_host *h = lv_host_new(uri);

	if (!h) {
		snprintf(msg, len, "out of memory");
		return -ENOMEM;
	}
	*out = (struct iotune_backend){
	    .name = "libvirt", .ctx = h, .set = lv_iotune_set, .free = lv_free};
	return 0;
}
