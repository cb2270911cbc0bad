/* SPDX-License-Identifier: Apache-2.0 */
/*
 * host_mem.c: parsers and readers for host memory, PSI and KSM (see
 * host_mem.h for the contract).
 *
 * DESIGN: every file is read whole into memory (they are small) and handed
 * to a pure parser, so the unit tests drive the parsers with fixture text
 * and the readers with a fixture root.  Name-to-field maps are tables with
 * designated initialisers; nothing depends on the order of lines in a file.
 *
 * ksmd CPU: MOM divided ksmd's tick growth by the *configured* monitor
 * interval, which over- or under-states usage whenever a read is late.  We
 * divide by the monotonic time actually elapsed between the two stat reads.
 *
 * Which processes count (issue 21): any local user can start a process
 * named "qemu..." or "ksmd" and map terabytes, which used to force KSM on.
 * ksmd is now a *kernel thread* named ksmd (PF_KTHREAD in the flags of
 * /proc/<pid>/stat, which no user process can set); it is found once by a
 * pass over /proc and then only re-checked, with a new pass at most every
 * KSMD_RESCAN_S while none is known.  The QEMU processes are those libvirt
 * started: the pid files it keeps in its QEMU state directory
 * (/run/libvirt/qemu/<domain>.pid, writable by root only), counted only
 * when the domain's status file <domain>.xml is there too (libvirt keeps
 * both while the domain runs and removes both when it stops; helper
 * processes such as virtiofsd have pid files without one).  Why pid files:
 * virDomainGetInfo() gives no pid, the QEMU monitor needs a read-write
 * connection and taints the domain, and the status XML that holds the pid
 * too is readable by root only.  Neither step scans /proc on every read,
 * which was the read plugin's main CPU cost.
 *
 * Threading: the parsers are reentrant; a host_reader is used by one thread
 * at a time.
 */
#include "host_mem.h"

#include "attr_file.h"
#include "readfile.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define HOST_FILE_MAX (1024 * 1024)
#define HOST_KSM_FILES_NR                                                      \
	12 /* ksm_files and advisor_mode (checked in read_ksm_files) */
#define PF_KTHREAD    0x00200000UL /* include/linux/sched.h */
#define KSMD_RESCAN_S 60
#define QEMU_PIDS_MAX 4096 /* pid files looked at per read */

struct host_reader {
	char *root;
	long clk_tck;
	char *qemu_dir; /* libvirt's QEMU state directory, below root */
	pid_t ksmd_pid; /* pid of the previous ticks sample, 0 if none */
	uint64_t ksmd_ticks;
	int64_t ksmd_ns;
	pid_t ksmd_known;     /* the kernel thread found last, 0 if none */
	int64_t ksmd_scan_ns; /* when /proc was last scanned for it */
	bool ksmd_scanned;
	/* The KSM files (ksm_files, then advisor_mode), kept open on sysfs. */
	struct attr_file ksm[HOST_KSM_FILES_NR];
};

struct name_field {
	const char *name;
	enum host_field field;
};

static const struct name_field meminfo_keys[] = {
    {"MemTotal", HOST_MEM_TOTAL_KIB},	      {"MemFree", HOST_MEM_FREE_KIB},
    {"MemAvailable", HOST_MEM_AVAILABLE_KIB}, {"Buffers", HOST_MEM_BUFFERS_KIB},
    {"Cached", HOST_MEM_CACHED_KIB},	      {"AnonPages", HOST_MEM_ANON_KIB},
    {"SwapTotal", HOST_SWAP_TOTAL_KIB},	      {"SwapFree", HOST_SWAP_FREE_KIB},
};

static const struct name_field vmstat_keys[] = {
    {"pswpin", HOST_PSWPIN_PAGES},
    {"pswpout", HOST_PSWPOUT_PAGES},
};

/* The plain-integer KSM files; advisor_mode is parsed apart. */
static const struct name_field ksm_files[] = {
    {"run", HOST_KSM_RUN},
    {"pages_shared", HOST_KSM_PAGES_SHARED},
    {"pages_sharing", HOST_KSM_PAGES_SHARING},
    {"pages_unshared", HOST_KSM_PAGES_UNSHARED},
    {"pages_volatile", HOST_KSM_PAGES_VOLATILE},
    {"full_scans", HOST_KSM_FULL_SCANS},
    {"pages_to_scan", HOST_KSM_PAGES_TO_SCAN},
    {"sleep_millisecs", HOST_KSM_SLEEP_MS},
    {"merge_across_nodes", HOST_KSM_MERGE_ACROSS_NODES},
    {"general_profit", HOST_KSM_GENERAL_PROFIT_BYTES},
    {"ksm_zero_pages", HOST_KSM_ZERO_PAGES},
};

static const char *const advisor_modes[] = {
    [0] = "none",
    [1] = "scan-time",
};

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

bool host_field_is_real(enum host_field f)
{
	switch (f) {
	case HOST_PSI_SOME_AVG10_PCT:
	case HOST_PSI_SOME_AVG60_PCT:
	case HOST_PSI_FULL_AVG10_PCT:
	case HOST_PSI_FULL_AVG60_PCT:
	case HOST_KSMD_CPU_PCT:
		return true;
	default:
		return false;
	}
}

static void set_int(struct host_sample *s, enum host_field f, int64_t v)
{
	s->present[f] = true;
	s->ival[f] = v;
}

static void set_real(struct host_sample *s, enum host_field f, double v)
{
	s->present[f] = true;
	s->rval[f] = v;
}

/* Parses a decimal integer at *p (leading blanks allowed) and advances *p
   past it.  Returns false when there are no digits or it overflows. */
static bool scan_i64(const char **p, int64_t *out)
{
	const char *s = *p;
	char *end = NULL;
	long long v;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!isdigit((unsigned char)*s) && *s != '-')
		return false;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || end == s)
		return false;
	*out = v;
	*p = end;
	return true;
}

/* True when only whitespace remains at p. */
static bool only_space(const char *p)
{
	while (*p != '\0' && isspace((unsigned char)*p))
		p++;
	return *p == '\0';
}

/* Finds `name` in a table; returns its index or -1. */
static int find_key(const struct name_field *t, size_t n, const char *name,
		    size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (strlen(t[i].name) == len &&
		    memcmp(t[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

/* Parses "Key<sep>value..." lines against a table.  sep is ':' for
   meminfo, ' ' for vmstat.  A line whose value does not parse is skipped;
   negative values are rejected (none of these fields can be negative). */
static int parse_keyed(const char *text, char sep, const struct name_field *t,
		       size_t n, struct host_sample *s)
{
	int set = 0;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');
		const char *k_end = strchr(line, sep);
		int64_t v;
		int i;

		if (k_end != NULL && (nl == NULL || k_end < nl)) {
			const char *p = k_end + 1;

			i = find_key(t, n, line, (size_t)(k_end - line));
			if (i >= 0 && scan_i64(&p, &v) && v >= 0) {
				set_int(s, t[i].field, v);
				set++;
			}
		}
		line = nl != NULL ? nl + 1 : NULL;
	}
	return set;
}

int host_parse_meminfo(const char *text, struct host_sample *s)
{
	return parse_keyed(text, ':', meminfo_keys, ARRAY_LEN(meminfo_keys), s);
}

int host_parse_vmstat(const char *text, struct host_sample *s)
{
	return parse_keyed(text, ' ', vmstat_keys, ARRAY_LEN(vmstat_keys), s);
}

/* Parses one PSI line, "some avg10=0.00 avg60=0.00 avg300=0.00 total=0". */
static int parse_pressure_line(const char *line, struct host_sample *s)
{
	char kind[8];
	double a10, a60, a300;
	unsigned long long total;
	bool some;

	if (sscanf(line, "%7s avg10=%lf avg60=%lf avg300=%lf total=%llu", kind,
		   &a10, &a60, &a300, &total) != 5)
		return 0;
	if (strcmp(kind, "some") == 0)
		some = true;
	else if (strcmp(kind, "full") == 0)
		some = false;
	else
		return 0;
	if (!(a10 >= 0 && a60 >= 0) || total > INT64_MAX)
		return 0;
	set_real(s, some ? HOST_PSI_SOME_AVG10_PCT : HOST_PSI_FULL_AVG10_PCT,
		 a10);
	set_real(s, some ? HOST_PSI_SOME_AVG60_PCT : HOST_PSI_FULL_AVG60_PCT,
		 a60);
	set_int(s, some ? HOST_PSI_SOME_TOTAL_US : HOST_PSI_FULL_TOTAL_US,
		(int64_t)total);
	return 3;
}

int host_parse_pressure(const char *text, struct host_sample *s)
{
	int set = 0;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');

		set += parse_pressure_line(line, s);
		line = nl != NULL ? nl + 1 : NULL;
	}
	return set;
}

/* Does this /proc/cpuinfo line open a processor's block? */
static bool is_processor_line(const char *line)
{
	return strncmp(line, "processor", 9) == 0 &&
	       (line[9] == ' ' || line[9] == '\t' || line[9] == ':');
}

static int set_cpu_count(int64_t n, struct host_sample *s)
{
	if (n == 0)
		return 0;
	set_int(s, HOST_CPU_COUNT, n);
	return 1;
}

int host_parse_cpuinfo(const char *text, struct host_sample *s)
{
	int64_t n = 0;

	for (const char *line = text; line != NULL && *line != '\0';) {
		const char *nl = strchr(line, '\n');

		n += is_processor_line(line);
		line = nl != NULL ? nl + 1 : NULL;
	}
	return set_cpu_count(n, s);
}

/* /proc/cpuinfo line by line: about 1.2 KiB per CPU on x86, so a host with
   a thousand CPUs has more than HOST_FILE_MAX of it, and reading it whole
   would leave cpu_count absent exactly where cputune needs it most. */
static int read_cpuinfo(const char *root, struct host_sample *s)
{
	size_t rlen = strlen(root);
	const char *slash = (rlen > 0 && root[rlen - 1] == '/') ? "" : "/";
	char path[PATH_MAX];
	char *line = NULL;
	size_t cap = 0;
	int64_t n = 0;
	FILE *f;

	if ((size_t)snprintf(path, sizeof(path), "%s%sproc/cpuinfo", root,
			     slash) >= sizeof(path))
		return 0;
	f = fopen(path, "re");
	if (f == NULL)
		return 0;
	while (getline(&line, &cap, f) >= 0)
		n += is_processor_line(line);
	/* A read error midway is not a count. */
	if (ferror(f))
		n = 0;
	free(line);
	fclose(f);
	return set_cpu_count(n, s);
}

/* "[none] scan-time" -> 0: the bracketed word names the active mode. */
static int parse_advisor_mode(const char *text, struct host_sample *s)
{
	const char *open = strchr(text, '[');
	const char *close = open != NULL ? strchr(open, ']') : NULL;

	if (close == NULL)
		return 0;
	for (size_t i = 0; i < ARRAY_LEN(advisor_modes); i++) {
		size_t len = strlen(advisor_modes[i]);

		if ((size_t)(close - open - 1) == len &&
		    memcmp(open + 1, advisor_modes[i], len) == 0) {
			set_int(s, HOST_KSM_ADVISOR_MODE, (int64_t)i);
			return 1;
		}
	}
	return 0;
}

int host_parse_ksm(const char *name, const char *text, struct host_sample *s)
{
	const char *p = text;
	int64_t v;
	int i;

	if (strcmp(name, "advisor_mode") == 0)
		return parse_advisor_mode(text, s);
	i = find_key(ksm_files, ARRAY_LEN(ksm_files), name, strlen(name));
	if (i < 0 || !scan_i64(&p, &v) || !only_space(p))
		return 0;
	if (v < 0 && ksm_files[i].field != HOST_KSM_GENERAL_PROFIT_BYTES)
		return 0;
	set_int(s, ksm_files[i].field, v);
	return 1;
}

int host_parse_pid_stat(const char *text, uint64_t *ticks)
{
	/* Fields after comm: 3 state, ..., 14 utime, 15 stime.  comm is
	   enclosed in parentheses and may contain anything, so start after
	   the last ')'. */
	const char *p = strrchr(text, ')');
	unsigned long long utime, stime;

	if (p == NULL)
		return -EINVAL;
	p++;
	if (sscanf(p, " %*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		   &utime, &stime) != 2)
		return -EINVAL;
	*ticks = utime + stime;
	return 0;
}

int host_parse_pid_ident(const char *text, char *comm, size_t len,
			 unsigned long *flags)
{
	/* "pid (comm) state ppid pgrp session tty tpgid flags ..." */
	const char *open = strchr(text, '('), *close = strrchr(text, ')');
	size_t n;

	if (open == NULL || close == NULL || close < open)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= len)
		return -EINVAL;
	if (sscanf(close + 1, " %*c %*d %*d %*d %*d %*d %lu", flags) != 1)
		return -EINVAL;
	memcpy(comm, open + 1, n);
	comm[n] = '\0';
	return 0;
}

int host_parse_status_vmsize(const char *text, uint64_t *kib)
{
	const char *line = strstr(text, "VmSize:");
	int64_t v;

	if (line == NULL)
		return -ENOENT;
	if (line != text && line[-1] != '\n')
		return -EINVAL;
	line += strlen("VmSize:");
	if (!scan_i64(&line, &v) || v < 0)
		return -EINVAL;
	*kib = (uint64_t)v;
	return 0;
}

char *host_read_file(const char *root, const char *rel)
{
	char path[PATH_MAX];
	size_t rlen = strlen(root);
	const char *slash = (rlen > 0 && root[rlen - 1] == '/') ? "" : "/";
	char *buf;
	int rc;

	if ((size_t)snprintf(path, sizeof(path), "%s%s%s", root, slash, rel) >=
	    sizeof(path)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	rc = readfile_path(path, HOST_FILE_MAX, &buf, NULL);
	if (rc < 0)
		errno = -rc;
	return buf;
}

/* Reads <root>/<rel> and feeds it to parse; a missing file sets nothing. */
static int read_parse(const char *root, const char *rel,
		      int (*parse)(const char *, struct host_sample *),
		      struct host_sample *s)
{
	char *text = host_read_file(root, rel);
	int n;

	if (text == NULL)
		return 0;
	n = parse(text, s);
	free(text);
	return n;
}

static int read_ksm_files(struct host_reader *r, struct host_sample *s)
{
	static const char *const extra[] = {"advisor_mode"};
	_Static_assert(ARRAY_LEN(ksm_files) + ARRAY_LEN(extra) ==
			   HOST_KSM_FILES_NR,
		       "one kept descriptor per KSM file");
	size_t rlen = strlen(r->root);
	const char *slash = (rlen > 0 && r->root[rlen - 1] == '/') ? "" : "/";
	char path[PATH_MAX];
	int n = 0;

	for (size_t i = 0; i < HOST_KSM_FILES_NR; i++) {
		const char *name = i < ARRAY_LEN(ksm_files)
				       ? ksm_files[i].name
				       : extra[i - ARRAY_LEN(ksm_files)];
		char *text;

		if ((size_t)snprintf(path, sizeof(path),
				     "%s%ssys/kernel/mm/ksm/%s", r->root, slash,
				     name) >= sizeof(path))
			continue;
		text = attr_file_read(&r->ksm[i], path, HOST_FILE_MAX);
		if (text == NULL)
			continue;
		n += host_parse_ksm(name, text, s);
		free(text);
	}
	return n;
}

/* Reads <root>/proc/<pid>/<what> (pid given as its directory name). */
static char *read_pid_file(const char *root, const char *pid, const char *what)
{
	char rel[64];

	if ((size_t)snprintf(rel, sizeof(rel), "proc/%s/%s", pid, what) >=
	    sizeof(rel))
		return NULL;
	return host_read_file(root, rel);
}

static bool all_digits(const char *s)
{
	if (*s == '\0')
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s))
			return false;
	return true;
}

/* Is text (a /proc/<pid>/stat) the kernel's ksmd thread's? */
static bool stat_is_ksmd(const char *text)
{
	char comm[32];
	unsigned long flags = 0;

	return text != NULL &&
	       host_parse_pid_ident(text, comm, sizeof(comm), &flags) == 0 &&
	       strcmp(comm, "ksmd") == 0 && (flags & PF_KTHREAD) != 0;
}

/* Is pid the kernel's ksmd thread? */
static bool is_ksmd(const char *root, const char *pid)
{
	char *text = read_pid_file(root, pid, "stat");
	bool yes = stat_is_ksmd(text);

	free(text);
	return yes;
}

/* One pass over <root>/proc for the ksmd kernel thread; 0 if none. */
static pid_t scan_ksmd(const char *root)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	pid_t found = 0;

	if ((size_t)snprintf(path, sizeof(path), "%s/proc", root) >=
	    sizeof(path))
		return 0;
	d = opendir(path);
	if (d == NULL)
		return 0;
	while (found == 0 && (de = readdir(d)) != NULL)
		if (all_digits(de->d_name) && is_ksmd(root, de->d_name))
			found = (pid_t)atol(de->d_name);
	closedir(d);
	return found;
}

/* ksmd's pid: the one known if it still is ksmd, else a new pass over
   /proc (at most every KSMD_RESCAN_S while none is found).  When the known
   one is confirmed, *stat is the stat text that confirmed it (the caller
   frees it), so that its CPU is read from the same text and not from a
   second read of the file; otherwise NULL. */
static pid_t ksmd_find(struct host_reader *r, int64_t now_ns, char **stat)
{
	char buf[32];

	*stat = NULL;
	if (r->ksmd_known != 0) {
		char *text;

		snprintf(buf, sizeof(buf), "%ld", (long)r->ksmd_known);
		text = read_pid_file(r->root, buf, "stat");
		if (stat_is_ksmd(text)) {
			*stat = text;
			return r->ksmd_known;
		}
		free(text);
		r->ksmd_known = 0;
		r->ksmd_scanned = false; /* it just went: look again now */
	}
	if (r->ksmd_scanned &&
	    now_ns - r->ksmd_scan_ns < (int64_t)KSMD_RESCAN_S * 1000000000)
		return 0;
	r->ksmd_scanned = true;
	r->ksmd_scan_ns = now_ns;
	r->ksmd_known = scan_ksmd(r->root);
	return r->ksmd_known;
}

/* The VmSize of the QEMU process of one pid file name ("dom.pid") in the
   state directory dir (relative to root); 0 when it does not count. */
static uint64_t qemu_one(const char *root, const char *dir, const char *file)
{
	size_t n = strlen(file);
	char rel[PATH_MAX], pid[24];
	char *text;
	uint64_t kib = 0;
	long v;

	if (n <= 4 || strcmp(file + n - 4, ".pid") != 0)
		return 0;
	/* The domain's status file: libvirt's, while the domain runs. */
	if ((size_t)snprintf(rel, sizeof(rel), "%s/%s/%.*s.xml", root, dir,
			     (int)(n - 4), file) >= sizeof(rel) ||
	    access(rel, F_OK) != 0)
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, file);
	text = host_read_file(root, rel);
	if (text == NULL)
		return 0;
	text[strcspn(text, "\n")] = '\0';
	v = all_digits(text) && strlen(text) < 12 ? atol(text) : 0;
	free(text);
	if (v <= 0)
		return 0;
	snprintf(pid, sizeof(pid), "%ld", v);
	text = read_pid_file(root, pid, "status");
	if (text == NULL || host_parse_status_vmsize(text, &kib) != 0)
		kib = 0;
	free(text);
	return kib;
}

/* The summed VmSize of libvirt's QEMU processes.  A missing directory
   means no running domain (0); another error leaves the field absent. */
static int qemu_vmsize(const struct host_reader *r, uint64_t *total)
{
	char path[PATH_MAX];
	DIR *d;
	struct dirent *de;
	size_t seen = 0;

	*total = 0;
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", r->root,
			     r->qemu_dir) >= sizeof(path))
		return -ENAMETOOLONG;
	d = opendir(path);
	if (d == NULL && errno == ENOENT) {
		/* No libvirt state: no running domain, on a readable host. */
		snprintf(path, sizeof(path), "%s/proc", r->root);
		return access(path, F_OK) == 0 ? 0 : -ENOENT;
	}
	if (d == NULL)
		return -errno;
	while ((de = readdir(d)) != NULL && seen++ < QEMU_PIDS_MAX)
		*total += qemu_one(r->root, r->qemu_dir, de->d_name);
	closedir(d);
	return 0;
}

/* Computes ksmd's CPU share since the previous read, and remembers this
   one.  Leaves the field absent on the first read or after a pid change.
   text is pid's stat as ksmd_find() read it, or NULL to read it here;
   freed either way. */
static void ksmd_cpu(struct host_reader *r, pid_t pid, int64_t now_ns,
		     struct host_sample *s, char *text)
{
	char buf[32];
	uint64_t ticks;

	if (text == NULL) {
		snprintf(buf, sizeof(buf), "%ld", (long)pid);
		text = read_pid_file(r->root, buf, "stat");
	}
	if (text == NULL || host_parse_pid_stat(text, &ticks) != 0) {
		free(text);
		r->ksmd_pid = 0;
		return;
	}
	free(text);
	if (r->ksmd_pid == pid && now_ns > r->ksmd_ns &&
	    ticks >= r->ksmd_ticks && r->clk_tck > 0) {
		double cpu_s = (double)(ticks - r->ksmd_ticks) / r->clk_tck;
		double wall_s = (double)(now_ns - r->ksmd_ns) / 1e9;
		double pct = 100.0 * cpu_s / wall_s;

		/* ksmd is one thread: above 100 is tick-rounding jitter. */
		set_real(s, HOST_KSMD_CPU_PCT, pct > 100.0 ? 100.0 : pct);
	}
	r->ksmd_pid = pid;
	r->ksmd_ticks = ticks;
	r->ksmd_ns = now_ns;
}

static void read_ksm_group(struct host_reader *r, int64_t now_ns,
			   struct host_sample *s)
{
	uint64_t qemu_kib;
	pid_t ksmd;
	char *stat;

	read_ksm_files(r, s);
	if (qemu_vmsize(r, &qemu_kib) == 0)
		set_int(s, HOST_KSM_SHAREABLE_KIB, (int64_t)qemu_kib);
	ksmd = ksmd_find(r, now_ns, &stat);
	if (ksmd != 0)
		ksmd_cpu(r, ksmd, now_ns, s, stat);
	else
		r->ksmd_pid = 0;
}

struct host_reader *host_reader_new(const char *root, long clk_tck)
{
	struct host_reader *r = calloc(1, sizeof(*r));

	if (r == NULL)
		return NULL;
	for (size_t i = 0; i < HOST_KSM_FILES_NR; i++)
		r->ksm[i] = (struct attr_file)ATTR_FILE_INIT;
	r->root = strdup(root);
	r->qemu_dir = strdup(HOST_QEMU_DIR_DEFAULT);
	if (r->root == NULL || r->qemu_dir == NULL) {
		host_reader_free(r);
		return NULL;
	}
	r->clk_tck = clk_tck;
	return r;
}

void host_reader_free(struct host_reader *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < HOST_KSM_FILES_NR; i++)
		attr_file_close(&r->ksm[i]);
	free(r->root);
	free(r->qemu_dir);
	free(r);
}

int host_reader_set_qemu_dir(struct host_reader *r, const char *dir)
{
	char *d;

	while (*dir == '/')
		dir++; /* below root either way */
	d = strdup(dir);
	if (d == NULL)
		return -ENOMEM;
	free(r->qemu_dir);
	r->qemu_dir = d;
	return 0;
}

int host_reader_read(struct host_reader *r, unsigned groups, int64_t now_ns,
		     struct host_sample *s)
{
	int n = 0;

	memset(s, 0, sizeof(*s));
	if (groups & HOST_GROUP_MEM) {
		read_parse(r->root, "proc/meminfo", host_parse_meminfo, s);
		read_parse(r->root, "proc/vmstat", host_parse_vmstat, s);
		read_parse(r->root, "proc/pressure/memory", host_parse_pressure,
			   s);
		read_cpuinfo(r->root, s);
	}
	if (groups & HOST_GROUP_KSM)
		read_ksm_group(r, now_ns, s);
	for (int f = 0; f < HOST_FIELD_NR; f++)
		n += s->present[f];
	return n;
}
