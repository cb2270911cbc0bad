/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_mem.h: host memory, PSI and KSM readings for the `mom` read plugin.
 *
 * Everything is read below a configurable root directory ("/" in
 * production, a fixture tree in tests): <root>/proc/meminfo,
 * <root>/proc/vmstat, <root>/proc/pressure/memory, <root>/proc/cpuinfo,
 * <root>/sys/kernel/mm/ksm/<file>, <root>/proc/<pid>/{stat,status} and
 * libvirt's QEMU pid files (<root>/run/libvirt/qemu/<domain>.pid).
 *
 * A reading is a struct host_sample: one slot per enum host_field, each
 * either present (with a value in the field's native unit, named in the
 * enum) or absent.  A file the kernel does not have, or content that does
 * not parse, leaves its fields absent; it never produces 0 and never makes
 * the other fields fail.
 *
 * This module includes no collectd header and never logs; the plugin glue
 * (mom.c) converts units and dispatches.  The parsers are pure functions
 * over a NUL-terminated text.  A struct host_reader is used by one thread
 * at a time (collectd never runs a read callback concurrently with itself).
 */
#ifndef MOM_HOST_MEM_H
#define MOM_HOST_MEM_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Field units are in the names: _KIB KiB, _MS milliseconds, _US
   microseconds, _PCT percent, _PAGES pages; counters are cumulative. */
enum host_field {
	/* /proc/meminfo */
	HOST_MEM_TOTAL_KIB,
	HOST_MEM_FREE_KIB,
	HOST_MEM_AVAILABLE_KIB,
	HOST_MEM_BUFFERS_KIB,
	HOST_MEM_CACHED_KIB,
	HOST_MEM_ANON_KIB,
	HOST_SWAP_TOTAL_KIB,
	HOST_SWAP_FREE_KIB,
	/* /proc/vmstat (counters, pages) */
	HOST_PSWPIN_PAGES,
	HOST_PSWPOUT_PAGES,
	/* /proc/pressure/memory */
	HOST_PSI_SOME_AVG10_PCT,
	HOST_PSI_SOME_AVG60_PCT,
	HOST_PSI_FULL_AVG10_PCT,
	HOST_PSI_FULL_AVG60_PCT,
	HOST_PSI_SOME_TOTAL_US, /* counter */
	HOST_PSI_FULL_TOTAL_US, /* counter */
	/* /proc/cpuinfo */
	HOST_CPU_COUNT,
	/* /sys/kernel/mm/ksm */
	HOST_KSM_RUN,
	HOST_KSM_PAGES_SHARED,
	HOST_KSM_PAGES_SHARING,
	HOST_KSM_PAGES_UNSHARED,
	HOST_KSM_PAGES_VOLATILE,
	HOST_KSM_FULL_SCANS, /* counter */
	HOST_KSM_PAGES_TO_SCAN,
	HOST_KSM_SLEEP_MS,
	HOST_KSM_MERGE_ACROSS_NODES,
	HOST_KSM_GENERAL_PROFIT_BYTES, /* may be negative */
	HOST_KSM_ZERO_PAGES,
	HOST_KSM_ADVISOR_MODE, /* 0 none, 1 scan-time */
	/* /proc/<pid>/... */
	HOST_KSMD_CPU_PCT,	/* percent of one CPU, real-valued */
	HOST_KSM_SHAREABLE_KIB, /* summed VmSize of libvirt's QEMUs */
	HOST_FIELD_NR
};

/* One reading.  Integer fields live in ival[], the real-valued ones
   (host_field_is_real()) in rval[]; present[f] says whether f was read. */
struct host_sample {
	bool present[HOST_FIELD_NR];
	int64_t ival[HOST_FIELD_NR];
	double rval[HOST_FIELD_NR];
};

/* Which groups host_reader_read() collects. */
enum host_group {
	HOST_GROUP_MEM = 1 << 0, /* meminfo, vmstat, pressure, cpuinfo */
	HOST_GROUP_KSM = 1 << 1, /* ksm files, ksmd CPU, ksm_shareable */
};

/* True for the fields kept in rval[] (PSI averages, ksmd CPU). */
bool host_field_is_real(enum host_field f);

/* Pure parsers: each reads a whole file's text and sets the fields it finds
   in *s, leaving the others untouched.  They return the number of fields
   set (0 when nothing parsed). */
int host_parse_meminfo(const char *text, struct host_sample *s);
int host_parse_vmstat(const char *text, struct host_sample *s);
int host_parse_pressure(const char *text, struct host_sample *s);
int host_parse_cpuinfo(const char *text, struct host_sample *s);

/* Parses one KSM sysfs file's text; name is the file name ("run",
   "advisor_mode", ...).  Returns 1 when the field was set, 0 for an unknown
   name or content that does not parse. */
int host_parse_ksm(const char *name, const char *text, struct host_sample *s);

/* Parses /proc/<pid>/stat: *ticks = utime + stime (fields 14 and 15, clock
   ticks).  The comm field may hold spaces and parentheses.  Returns 0, or
   -EINVAL on malformed text. */
int host_parse_pid_stat(const char *text, uint64_t *ticks);

/* Parses /proc/<pid>/stat: comm (into a buffer of len bytes) and the
   flags (field 9; PF_KTHREAD marks a kernel thread).  Returns 0, or -EINVAL
   on malformed text or a comm that does not fit. */
int host_parse_pid_ident(const char *text, char *comm, size_t len,
			 unsigned long *flags);

/* Parses VmSize (KiB) from /proc/<pid>/status.  Returns 0, or -ENOENT when
   the line is absent (kernel threads), -EINVAL when malformed. */
int host_parse_status_vmsize(const char *text, uint64_t *kib);

/* The reader keeps the root and what ksmd's CPU usage needs between reads.
   host_reader_new() copies root; returns NULL on allocation failure.
   clk_tck is the kernel's USER_HZ (sysconf(_SC_CLK_TCK)). */
struct host_reader;
struct host_reader *host_reader_new(const char *root, long clk_tck);
void host_reader_free(struct host_reader *r);

/* libvirt's QEMU state directory (below root), whose <domain>.pid files
   name the processes ksm_shareable counts.  qemu:///system keeps them in
   /run/libvirt/qemu (the default); qemu:///session in
   $XDG_RUNTIME_DIR/libvirt/qemu/run.  Returns 0 or -ENOMEM. */
#define HOST_QEMU_DIR_DEFAULT "run/libvirt/qemu"
int host_reader_set_qemu_dir(struct host_reader *r, const char *dir);

/* Reads every field of the groups in `groups` (enum host_group bits) into
   *s, which it clears first.  now_ns is a monotonic time stamp; ksmd's CPU
   usage is its utime+stime growth over the time elapsed since the previous
   read (so the first read, or the first after ksmd's pid changed, leaves it
   absent).  Returns the number of fields present. */
int host_reader_read(struct host_reader *r, unsigned groups, int64_t now_ns,
		     struct host_sample *s);

/* Reads <root>/<rel> into a fresh NUL-terminated buffer (caller frees), at
   most 1 MiB.  Returns NULL and sets errno on failure.  Exposed for tests
   and for guest-side helpers. */
char *host_read_file(const char *root, const char *rel);

#endif /* MOM_HOST_MEM_H */
