/* SPDX-License-Identifier: Apache-2.0 */
/*
 * field.h: the statistics a policy can read, with MOM's names and units.
 *
 * Every sample the actuator keeps, every snapshot the evaluator reads and
 * every statistic the REST API reports is a row of doubles indexed by these
 * enums.  NaN means "absent" (MOM's nil): a field that was not reported, or
 * that cannot be derived.  Memory is in KiB, as MOM and libvirt count it.
 *
 * Host, guest and disk fields are separate enums so that a guest's row
 * carries only guest fields: memory for 1,000 guests of history stays
 * small.
 *
 * The tables are constant data; this module has no state and no locks.
 */
#ifndef MOM_FIELD_H
#define MOM_FIELD_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>

/* The value of an absent field. */
#define FIELD_ABSENT NAN

static inline bool field_present(double v)
{
	return !isnan(v);
}

enum host_field {
	HF_MEM_AVAILABLE,	/* KiB, MemTotal (MOM's name) */
	HF_MEM_UNUSED,		/* KiB, MemFree */
	HF_MEM_FREE,		/* KiB, MemFree + Buffers + Cached (derived) */
	HF_MEM_USABLE,		/* KiB, MemAvailable (the kernel's estimate) */
	HF_MEM_BUFFERS,		/* KiB, Buffers */
	HF_MEM_CACHED,		/* KiB, Cached */
	HF_ANON_PAGES,		/* KiB, AnonPages */
	HF_SWAP_TOTAL,		/* KiB, SwapTotal */
	HF_SWAP_USAGE,		/* KiB, SwapTotal - SwapFree (derived) */
	HF_SWAP_FREE,		/* KiB, SwapFree */
	HF_SWAP_IN,		/* pages/s, rate of pswpin */
	HF_SWAP_OUT,		/* pages/s, rate of pswpout */
	HF_PSI_SOME_AVG10,	/* %, /proc/pressure/memory */
	HF_PSI_SOME_AVG60,	/* % */
	HF_PSI_FULL_AVG10,	/* % */
	HF_PSI_FULL_AVG60,	/* % */
	HF_KSM_RUN,		/* 0 stop, 1 run, 2 unmerge all */
	HF_KSM_PAGES_SHARED,	/* pages */
	HF_KSM_PAGES_SHARING,	/* pages */
	HF_KSM_PAGES_UNSHARED,	/* pages */
	HF_KSM_PAGES_VOLATILE,	/* pages */
	HF_KSM_FULL_SCANS,	/* count (cumulative) */
	HF_KSM_PAGES_TO_SCAN,	/* pages */
	HF_KSM_SLEEP_MILLISECS, /* ms */
	HF_KSM_MERGE_ACROSS_NODES, /* 0/1 */
	HF_KSM_GENERAL_PROFIT,	   /* bytes, may be negative */
	HF_KSM_ZERO_PAGES,	   /* pages */
	HF_KSM_SHAREABLE,	   /* KiB, summed size of the qemu processes */
	HF_KSMD_CPU_USAGE,	   /* % of one CPU */
	HF_CPU_COUNT,		   /* count */
	HOST_FIELD_COUNT
};

enum guest_field {
	GF_BALLOON_CUR,	    /* KiB, current balloon size (actual) */
	GF_BALLOON_MAX,	    /* KiB, maximum memory */
	GF_BALLOON_MIN,	    /* KiB, guaranteed minimum (0 when none) */
	GF_MEM_AVAILABLE,   /* KiB, balloon "available": guest MemTotal */
	GF_MEM_UNUSED,	    /* KiB, balloon "unused": guest MemFree */
	GF_MEM_USABLE,	    /* KiB, balloon "usable": guest MemAvailable */
	GF_MEM_FREE,	    /* KiB, unused + disk_caches (derived, vdsm's) */
	GF_DISK_CACHES,	    /* KiB */
	GF_RSS,		    /* KiB, the QEMU process */
	GF_SWAP_IN,	    /* KiB/s, rate */
	GF_SWAP_OUT,	    /* KiB/s, rate */
	GF_MAJOR_FAULT,	    /* faults/s, rate */
	GF_MINOR_FAULT,	    /* faults/s, rate */
	GF_HUGETLB_PGALLOC, /* count (cumulative) */
	GF_HUGETLB_PGFAIL,  /* count (cumulative) */
	GF_LAST_UPDATE,	    /* s since the epoch, when the guest last
			       reported its statistics */
	GF_STATS_AGE,	    /* s, sample time - last_update (derived) */
	/* From inside the guest, through qemu-guest-agent (issue 18); the
	   plugin sends none of these once its reading is stale. */
	GF_PSI_SOME_AVG10,	/* %, /proc/pressure/memory */
	GF_PSI_SOME_AVG60,	/* % */
	GF_PSI_FULL_AVG10,	/* % */
	GF_PSI_FULL_AVG60,	/* % */
	GF_OOM_KILL,		/* count (cumulative), vmstat oom_kill */
	GF_MAJOR_FAULT_AGENT,	/* faults/s, rate of vmstat pgmajfault */
	GF_SWAP_IN_AGENT,	/* pages/s, rate of vmstat pswpin */
	GF_SWAP_OUT_AGENT,	/* pages/s, rate of vmstat pswpout */
	GF_ALLOCSTALL,		/* 1/s, rate of vmstat allocstall_* */
	GF_MEM_AVAILABLE_AGENT, /* KiB, MemTotal (MOM's mem_available) */
	GF_MEM_USABLE_AGENT,	/* KiB, MemAvailable */
	GF_SWAP_TOTAL,		/* KiB, SwapTotal */
	GF_SWAP_FREE,		/* KiB, SwapFree */
	GF_SWAP_USAGE,		/* KiB, swap_total - swap_free (derived) */
	GF_AGENT_AGE,		/* s, age of the agent reading */
	/* CPU QoS (vdsm's 04-cputune) */
	GF_VCPU_COUNT,	    /* count, live vCPUs */
	GF_VCPU_QUOTA,	    /* us per period, -1 unlimited (libvirt live) */
	GF_VCPU_PERIOD,	    /* us (libvirt live) */
	GF_VCPU_USER_LIMIT, /* %, vdsm metadata qos/vcpuLimit, 100 if none */
	/* Issue 19: the guest's weight when host memory is divided
	   (Proxmox's "shares"; our metadata <shares>), absent when not set
	   (the adaptive policies then use their default); the balloon's
	   features from the domain XML. */
	GF_SHARES,
	GF_BALLOON_AUTODEFLATE,		/* 0/1: <memballoon autodeflate='on'> */
	GF_BALLOON_FREE_PAGE_REPORTING, /* 0/1: freePageReporting='on' */
	/* KiB, the balloon target momd last applied to the guest (the
	   balloon controller's), absent before the first; momd's own, set
	   in the newest row of each evaluation's snapshot (engine.c) */
	GF_BALLOON_TARGET,
	GUEST_FIELD_COUNT
};

/*
 * A disk of a guest (issue 17, vdsm's 05-iotune): its I/O limits.  max_*
 * and guar_* come from vdsm's metadata qos/ioTune/device (maximum and
 * guaranteed), cur_* are the live values (virDomainGetBlockIoTune).  Each
 * is a limit per second, 0 meaning "unlimited" as libvirt has it; a key
 * the metadata does not give is absent.  The six of each group are in
 * the order of enum disk_control (plan.h), so group + control indexes
 * the field.
 */
enum disk_field {
	DF_MAX_TOTAL_BYTES_SEC,
	DF_MAX_READ_BYTES_SEC,
	DF_MAX_WRITE_BYTES_SEC,
	DF_MAX_TOTAL_IOPS_SEC,
	DF_MAX_READ_IOPS_SEC,
	DF_MAX_WRITE_IOPS_SEC,
	DF_GUAR_TOTAL_BYTES_SEC,
	DF_GUAR_READ_BYTES_SEC,
	DF_GUAR_WRITE_BYTES_SEC,
	DF_GUAR_TOTAL_IOPS_SEC,
	DF_GUAR_READ_IOPS_SEC,
	DF_GUAR_WRITE_IOPS_SEC,
	DF_CUR_TOTAL_BYTES_SEC,
	DF_CUR_READ_BYTES_SEC,
	DF_CUR_WRITE_BYTES_SEC,
	DF_CUR_TOTAL_IOPS_SEC,
	DF_CUR_READ_IOPS_SEC,
	DF_CUR_WRITE_IOPS_SEC,
	DISK_FIELD_COUNT
};

/* The first field of each group of six. */
#define DF_MAX_BASE  DF_MAX_TOTAL_BYTES_SEC
#define DF_GUAR_BASE DF_GUAR_TOTAL_BYTES_SEC
#define DF_CUR_BASE  DF_CUR_TOTAL_BYTES_SEC
#define DISK_LIMITS  6

enum field_kind {
	FIELD_GAUGE,   /* kept as reported */
	FIELD_RATE,    /* reported as a counter; the snapshot holds its
			  per-second rate between consecutive samples */
	FIELD_DERIVED, /* computed by momd: from other fields of the same
			  sample, or (balloon_target) from its own state */
};

struct field_desc {
	const char *name; /* MOM's name, e.g. "mem_free" */
	const char *unit; /* "KiB", "pages", "%", ... */
	enum field_kind kind;
};

/* The descriptor tables, indexed by the enums above. */
extern const struct field_desc host_fields[HOST_FIELD_COUNT];
extern const struct field_desc guest_fields[GUEST_FIELD_COUNT];
extern const struct field_desc disk_fields[DISK_FIELD_COUNT];

/*
 * Look a field up by its name.  Returns its index, or -1 when the scope has
 * no field of that name.
 */
int host_field_lookup(const char *name);
int guest_field_lookup(const char *name);
int disk_field_lookup(const char *name);

#endif /* MOM_FIELD_H */
