/* SPDX-License-Identifier: Apache-2.0 */
/*
 * metric_rows.h: the metric contract, one row per value on the wire.
 *
 * This is the single source of the naming contract between the `mom` read
 * plugin, momd's ingest and README.md "Metrics" (whose tables are printed
 * from it by build/tests/metric_doc and checked exactly by
 * tests/it/metrics_doc.sh).  It has no include guard on purpose: metric.h
 * expands it into enum metric_id, metric.c into the table metric_defs[].
 * Add a value by adding one row; the reader that produces it and, when
 * momd consumes it, the field it lands in come with it:
 *
 *   1. the reader fills a native slot (host_mem.h, guest_mem.h, ...), and
 *      collectd-plugin/plugin_metrics.c names this row's id for that slot;
 *   2. a value momd consumes gets its field in field.h and field.c (name,
 *      MOM unit, evaluation kind); a sent-only one uses METRIC_NO_FIELD;
 *   3. REGENERATE=1 make test TESTS=it/metrics_doc rewrites README's table.
 *
 * metric_test then checks that every field is fed or derived by exactly
 * one row, plugin_metrics_test that every row is sent by exactly one slot.
 * A new entity kind (disks) adds its rows with kind DISK, its field table
 * to metric_field_name(), its classification to ingest.c's record_kind()
 * and a README table marker "<!-- metric_doc --table disk ... -->".
 *
 * METRIC(id, kind, role, field, type, type_instance, ds, dstype, conv,
 *        unit, description)
 *
 *   id      METRIC_<id> in enum metric_id; the plugin names rows by it
 *   kind    HOST, GUEST or DISK (enum metric_kind): whose value it is
 *   role    CONSUMED   momd stores it in `field`
 *           SENT_ONLY  dispatched for dashboards; momd ignores it on purpose
 *           DECISION   momd's plan dispatched back; momd ignores it
 *           DERIVED    never on the wire: momd computes `field`
 *   field   the kind's field (field.h), or METRIC_NO_FIELD
 *   type, type_instance, ds
 *           the collectd identifier under plugin "mom"; ds names the data
 *           source of a multi-value type (NULL: the only one)
 *   dstype  GAUGE or DERIVE (collectd's types.db)
 *   conv    native/MOM unit -> dispatched unit: NONE, KIB (KiB -> bytes),
 *           MS (ms -> s), US (us -> ms)
 *   unit    the dispatched unit, as README shows it
 *
 * Rows of one identifier (several data sources) are adjacent, and the order
 * is README's.  metric_test checks both, and that no identifier repeats.
 */

/* clang-format off */

/* ---- host (empty plugin instance) ---------------------------------- */
METRIC(HOST_MEM_TOTAL, HOST, CONSUMED, HF_MEM_AVAILABLE,
       "memory", "total", NULL, GAUGE, KIB,
       "bytes", "MemTotal")
METRIC(HOST_MEM_FREE, HOST, CONSUMED, HF_MEM_UNUSED,
       "memory", "free", NULL, GAUGE, KIB,
       "bytes", "MemFree")
METRIC(HOST_MEM_AVAILABLE, HOST, CONSUMED, HF_MEM_USABLE,
       "memory", "available", NULL, GAUGE, KIB,
       "bytes", "MemAvailable, the kernel's estimate")
METRIC(HOST_MEM_BUFFERS, HOST, CONSUMED, HF_MEM_BUFFERS,
       "memory", "buffers", NULL, GAUGE, KIB,
       "bytes", "Buffers")
METRIC(HOST_MEM_CACHED, HOST, CONSUMED, HF_MEM_CACHED,
       "memory", "cached", NULL, GAUGE, KIB,
       "bytes", "Cached")
METRIC(HOST_MEM_FREE_DERIVED, HOST, DERIVED, HF_MEM_FREE,
       NULL, NULL, NULL, GAUGE, NONE,
       "KiB", "mem_unused + mem_buffers + mem_cached")
METRIC(HOST_MEM_ANON, HOST, CONSUMED, HF_ANON_PAGES,
       "memory", "anon", NULL, GAUGE, KIB,
       "bytes", "AnonPages")
METRIC(HOST_SWAP_TOTAL, HOST, CONSUMED, HF_SWAP_TOTAL,
       "memory", "swap_total", NULL, GAUGE, KIB,
       "bytes", "SwapTotal")
METRIC(HOST_SWAP_FREE, HOST, CONSUMED, HF_SWAP_FREE,
       "memory", "swap_free", NULL, GAUGE, KIB,
       "bytes", "SwapFree")
METRIC(HOST_SWAP_USAGE, HOST, DERIVED, HF_SWAP_USAGE,
       NULL, NULL, NULL, GAUGE, NONE,
       "KiB", "swap_total - swap_free")
METRIC(HOST_SWAP_IN, HOST, CONSUMED, HF_SWAP_IN,
       "vmpage_io", "swap", "in", DERIVE, NONE,
       "pages (counter)", "pswpin of /proc/vmstat; momd keeps its rate per second; sent only together with pswpout")
METRIC(HOST_SWAP_OUT, HOST, CONSUMED, HF_SWAP_OUT,
       "vmpage_io", "swap", "out", DERIVE, NONE,
       "pages (counter)", "pswpout of /proc/vmstat; momd keeps its rate per second")
METRIC(HOST_PSI_SOME_AVG10, HOST, CONSUMED, HF_PSI_SOME_AVG10,
       "percent", "pressure_some_avg10", NULL, GAUGE, NONE,
       "%", "/proc/pressure/memory, some avg10")
METRIC(HOST_PSI_SOME_AVG60, HOST, CONSUMED, HF_PSI_SOME_AVG60,
       "percent", "pressure_some_avg60", NULL, GAUGE, NONE,
       "%", "/proc/pressure/memory, some avg60")
METRIC(HOST_PSI_FULL_AVG10, HOST, CONSUMED, HF_PSI_FULL_AVG10,
       "percent", "pressure_full_avg10", NULL, GAUGE, NONE,
       "%", "/proc/pressure/memory, full avg10")
METRIC(HOST_PSI_FULL_AVG60, HOST, CONSUMED, HF_PSI_FULL_AVG60,
       "percent", "pressure_full_avg60", NULL, GAUGE, NONE,
       "%", "/proc/pressure/memory, full avg60")
METRIC(HOST_PSI_SOME_TOTAL, HOST, SENT_ONLY, METRIC_NO_FIELD,
       "total_time_in_ms", "pressure_some", NULL, DERIVE, US,
       "ms (counter)", "/proc/pressure/memory some total, the kernel's µs ÷ 1000; for dashboards (policies read the averages)")
METRIC(HOST_PSI_FULL_TOTAL, HOST, SENT_ONLY, METRIC_NO_FIELD,
       "total_time_in_ms", "pressure_full", NULL, DERIVE, US,
       "ms (counter)", "/proc/pressure/memory full total, the kernel's µs ÷ 1000; for dashboards")
METRIC(HOST_KSM_RUN, HOST, CONSUMED, HF_KSM_RUN,
       "gauge", "ksm_run", NULL, GAUGE, NONE,
       "0/1/2", "KSM run: 0 stop, 1 run, 2 unmerge all")
METRIC(HOST_KSM_SHARED, HOST, CONSUMED, HF_KSM_PAGES_SHARED,
       "vmpage_number", "ksm_shared", NULL, GAUGE, NONE,
       "pages", "KSM pages_shared")
METRIC(HOST_KSM_SHARING, HOST, CONSUMED, HF_KSM_PAGES_SHARING,
       "vmpage_number", "ksm_sharing", NULL, GAUGE, NONE,
       "pages", "KSM pages_sharing")
METRIC(HOST_KSM_UNSHARED, HOST, CONSUMED, HF_KSM_PAGES_UNSHARED,
       "vmpage_number", "ksm_unshared", NULL, GAUGE, NONE,
       "pages", "KSM pages_unshared")
METRIC(HOST_KSM_VOLATILE, HOST, CONSUMED, HF_KSM_PAGES_VOLATILE,
       "vmpage_number", "ksm_volatile", NULL, GAUGE, NONE,
       "pages", "KSM pages_volatile")
METRIC(HOST_KSM_ZERO_PAGES, HOST, CONSUMED, HF_KSM_ZERO_PAGES,
       "vmpage_number", "ksm_zero_pages", NULL, GAUGE, NONE,
       "pages", "KSM ksm_zero_pages")
METRIC(HOST_KSM_PAGES_TO_SCAN, HOST, CONSUMED, HF_KSM_PAGES_TO_SCAN,
       "vmpage_number", "ksm_pages_to_scan", NULL, GAUGE, NONE,
       "pages", "KSM pages_to_scan")
METRIC(HOST_KSM_FULL_SCANS, HOST, CONSUMED, HF_KSM_FULL_SCANS,
       "total_operations", "ksm_full_scans", NULL, DERIVE, NONE,
       "count (counter)", "KSM full_scans")
METRIC(HOST_KSM_SLEEP, HOST, CONSUMED, HF_KSM_SLEEP_MILLISECS,
       "duration", "ksm_sleep", NULL, GAUGE, MS,
       "seconds", "KSM sleep_millisecs / 1000")
METRIC(HOST_KSM_MERGE_ACROSS_NODES, HOST, CONSUMED, HF_KSM_MERGE_ACROSS_NODES,
       "gauge", "ksm_merge_across_nodes", NULL, GAUGE, NONE,
       "0/1", "KSM merge_across_nodes")
METRIC(HOST_KSM_GENERAL_PROFIT, HOST, CONSUMED, HF_KSM_GENERAL_PROFIT,
       "gauge", "ksm_general_profit", NULL, GAUGE, NONE,
       "bytes", "KSM general_profit; may be negative")
METRIC(HOST_KSM_ADVISOR_MODE, HOST, SENT_ONLY, METRIC_NO_FIELD,
       "gauge", "ksm_advisor_mode", NULL, GAUGE, NONE,
       "0/1", "KSM advisor_mode: 0 none, 1 scan-time; for dashboards (no MOM field)")
METRIC(HOST_KSMD_CPU, HOST, CONSUMED, HF_KSMD_CPU_USAGE,
       "percent", "ksmd_cpu", NULL, GAUGE, NONE,
       "%", "CPU of the kernel thread ksmd (PF_KTHREAD, found once, then re-checked), in % of one CPU over the time between two reads (MOM divided by the configured interval); absent on the first read")
METRIC(HOST_KSM_SHAREABLE, HOST, CONSUMED, HF_KSM_SHAREABLE,
       "memory", "ksm_shareable", NULL, GAUGE, KIB,
       "bytes", "summed VmSize of the QEMU processes libvirt started: the pids of its DOMAIN.pid files under QemuPidDir that have a DOMAIN.xml status file beside them; 0 if none (a process merely named qemu does not count)")
METRIC(HOST_CPU_COUNT, HOST, CONSUMED, HF_CPU_COUNT,
       "count", "cpus", NULL, GAUGE, NONE,
       "count", "processor lines of /proc/cpuinfo")

/* ---- guests (plugin instance: the domain name) ---------------------- */
METRIC(GUEST_ACTUAL, GUEST, CONSUMED, GF_BALLOON_CUR,
       "memory", "actual", NULL, GAUGE, KIB,
       "bytes", "current balloon size")
METRIC(GUEST_MAXIMUM, GUEST, CONSUMED, GF_BALLOON_MAX,
       "memory", "maximum", NULL, GAUGE, KIB,
       "bytes", "maximum memory")
METRIC(GUEST_MINIMUM, GUEST, CONSUMED, GF_BALLOON_MIN,
       "memory", "minimum", NULL, GAUGE, KIB,
       "bytes", "guaranteed minimum, 0 if none; meta mom:min_source = vdsm, mom, memtune or none")
METRIC(GUEST_AVAILABLE, GUEST, CONSUMED, GF_MEM_AVAILABLE,
       "memory", "available", NULL, GAUGE, KIB,
       "bytes", "guest MemTotal (balloon available)")
METRIC(GUEST_UNUSED, GUEST, CONSUMED, GF_MEM_UNUSED,
       "memory", "unused", NULL, GAUGE, KIB,
       "bytes", "guest MemFree (balloon unused)")
METRIC(GUEST_USABLE, GUEST, CONSUMED, GF_MEM_USABLE,
       "memory", "usable", NULL, GAUGE, KIB,
       "bytes", "guest MemAvailable (balloon usable)")
METRIC(GUEST_MEM_FREE_DERIVED, GUEST, DERIVED, GF_MEM_FREE,
       NULL, NULL, NULL, GAUGE, NONE,
       "KiB", "mem_unused + disk_caches (vdsm's)")
METRIC(GUEST_DISK_CACHES, GUEST, CONSUMED, GF_DISK_CACHES,
       "memory", "disk_caches", NULL, GAUGE, KIB,
       "bytes", "guest page cache")
METRIC(GUEST_RSS, GUEST, CONSUMED, GF_RSS,
       "memory", "rss", NULL, GAUGE, KIB,
       "bytes", "resident size of the QEMU process")
METRIC(GUEST_SWAP_IN, GUEST, CONSUMED, GF_SWAP_IN,
       "swap_io", "in", NULL, DERIVE, KIB,
       "bytes (counter)", "guest swap in; momd keeps its rate per second")
METRIC(GUEST_SWAP_OUT, GUEST, CONSUMED, GF_SWAP_OUT,
       "swap_io", "out", NULL, DERIVE, KIB,
       "bytes (counter)", "guest swap out; momd keeps its rate per second")
METRIC(GUEST_MINOR_FAULT, GUEST, CONSUMED, GF_MINOR_FAULT,
       "ps_pagefaults", "", "minflt", DERIVE, NONE,
       "count (counter)", "minor page faults; momd keeps the rate; sent only together with majflt")
METRIC(GUEST_MAJOR_FAULT, GUEST, CONSUMED, GF_MAJOR_FAULT,
       "ps_pagefaults", "", "majflt", DERIVE, NONE,
       "count (counter)", "major page faults; momd keeps the rate")
METRIC(GUEST_HUGETLB_PGALLOC, GUEST, CONSUMED, GF_HUGETLB_PGALLOC,
       "total_operations", "hugetlb_pgalloc", NULL, DERIVE, NONE,
       "count (counter)", "huge page allocations")
METRIC(GUEST_HUGETLB_PGFAIL, GUEST, CONSUMED, GF_HUGETLB_PGFAIL,
       "total_operations", "hugetlb_pgfail", NULL, DERIVE, NONE,
       "count (counter)", "failed huge page allocations")
METRIC(GUEST_LAST_UPDATE, GUEST, CONSUMED, GF_LAST_UPDATE,
       "gauge", "last_update", NULL, GAUGE, NONE,
       "seconds since the epoch", "when the guest last reported its statistics (QEMU stamps it with host time); 0 without a balloon driver")
METRIC(GUEST_STATS_AGE_DERIVED, GUEST, DERIVED, GF_STATS_AGE,
       NULL, NULL, NULL, GAUGE, NONE,
       "s", "sample time - last_update, when last_update > 0: the staleness momd acts on (rail_stale_ms)")
METRIC(GUEST_STATS_AGE, GUEST, SENT_ONLY, METRIC_NO_FIELD,
       "duration", "stats_age", NULL, GAUGE, NONE,
       "seconds", "host time now - last_update, when last_update > 0; meta mom:stats_state = ok, stale or absent; for dashboards and the plugin's log (momd derives stats_age itself)")
METRIC(GUEST_BALLOON_TARGET_DERIVED, GUEST, DERIVED, GF_BALLOON_TARGET,
       NULL, NULL, NULL, GAUGE, NONE,
       "KiB", "the balloon target momd last applied to the guest (its balloon controller's, after the rails), in the newest sample a policy sees; absent before the first, unchanged by a dry run")
METRIC(GUEST_BALLOON_AUTODEFLATE, GUEST, CONSUMED, GF_BALLOON_AUTODEFLATE,
       "gauge", "balloon_autodeflate", NULL, GAUGE, NONE,
       "0/1", "1 when the domain XML's memballoon has autodeflate='on' (the guest deflates the balloon itself before an OOM kill)")
METRIC(GUEST_BALLOON_FREE_PAGE_REPORTING, GUEST, CONSUMED, GF_BALLOON_FREE_PAGE_REPORTING,
       "gauge", "balloon_free_page_reporting", NULL, GAUGE, NONE,
       "0/1", "1 when the domain XML's memballoon has freePageReporting='on' (free guest pages go back to the host without a balloon change)")
METRIC(GUEST_SHARES, GUEST, CONSUMED, GF_SHARES,
       "gauge", "shares", NULL, GAUGE, NONE,
       "", "the guest's weight when host memory is divided (element shares of our metadata); absent when not set")

/* ---- guests: from inside the guest, through qemu-guest-agent --------
   (issue 18; README "Guest-agent statistics").  The plugin sends these
   only while its agent reading is fresh (AgentStale), so a stale or
   missing agent leaves them absent in momd, never 0. */
METRIC(GUEST_AGENT_PSI_SOME_AVG10, GUEST, CONSUMED, GF_PSI_SOME_AVG10,
       "percent", "pressure_some_avg10", NULL, GAUGE, NONE,
       "%", "guest /proc/pressure/memory, some avg10 (agent)")
METRIC(GUEST_AGENT_PSI_SOME_AVG60, GUEST, CONSUMED, GF_PSI_SOME_AVG60,
       "percent", "pressure_some_avg60", NULL, GAUGE, NONE,
       "%", "guest /proc/pressure/memory, some avg60 (agent)")
METRIC(GUEST_AGENT_PSI_FULL_AVG10, GUEST, CONSUMED, GF_PSI_FULL_AVG10,
       "percent", "pressure_full_avg10", NULL, GAUGE, NONE,
       "%", "guest /proc/pressure/memory, full avg10 (agent)")
METRIC(GUEST_AGENT_PSI_FULL_AVG60, GUEST, CONSUMED, GF_PSI_FULL_AVG60,
       "percent", "pressure_full_avg60", NULL, GAUGE, NONE,
       "%", "guest /proc/pressure/memory, full avg60 (agent)")
METRIC(GUEST_AGENT_PSI_SOME_TOTAL, GUEST, SENT_ONLY, METRIC_NO_FIELD,
       "total_time_in_ms", "pressure_some", NULL, DERIVE, US,
       "ms (counter)", "guest /proc/pressure/memory some total, µs ÷ 1000 (agent); for dashboards")
METRIC(GUEST_AGENT_PSI_FULL_TOTAL, GUEST, SENT_ONLY, METRIC_NO_FIELD,
       "total_time_in_ms", "pressure_full", NULL, DERIVE, US,
       "ms (counter)", "guest /proc/pressure/memory full total, µs ÷ 1000 (agent); for dashboards")
METRIC(GUEST_AGENT_OOM_KILL, GUEST, CONSUMED, GF_OOM_KILL,
       "total_operations", "oom_kill", NULL, DERIVE, NONE,
       "count (counter)", "oom_kill of the guest's /proc/vmstat (agent): processes its kernel killed since boot; momd keeps the count (the OOM rail watches it rise)")
METRIC(GUEST_AGENT_MAJOR_FAULT, GUEST, CONSUMED, GF_MAJOR_FAULT_AGENT,
       "total_operations", "pgmajfault", NULL, DERIVE, NONE,
       "count (counter)", "pgmajfault of the guest's /proc/vmstat (agent); momd keeps the rate")
METRIC(GUEST_AGENT_SWAP_IN, GUEST, CONSUMED, GF_SWAP_IN_AGENT,
       "vmpage_io", "swap", "in", DERIVE, NONE,
       "pages (counter)", "pswpin of the guest's /proc/vmstat (agent); momd keeps the rate; sent only together with pswpout")
METRIC(GUEST_AGENT_SWAP_OUT, GUEST, CONSUMED, GF_SWAP_OUT_AGENT,
       "vmpage_io", "swap", "out", DERIVE, NONE,
       "pages (counter)", "pswpout of the guest's /proc/vmstat (agent); momd keeps the rate")
METRIC(GUEST_AGENT_ALLOCSTALL, GUEST, CONSUMED, GF_ALLOCSTALL,
       "total_operations", "allocstall", NULL, DERIVE, NONE,
       "count (counter)", "sum of the allocstall_* lines of the guest's /proc/vmstat (agent): direct reclaims; momd keeps the rate")
METRIC(GUEST_AGENT_MEM_TOTAL, GUEST, CONSUMED, GF_MEM_AVAILABLE_AGENT,
       "memory", "agent_total", NULL, GAUGE, KIB,
       "bytes", "guest MemTotal (agent)")
METRIC(GUEST_AGENT_MEM_AVAILABLE, GUEST, CONSUMED, GF_MEM_USABLE_AGENT,
       "memory", "agent_available", NULL, GAUGE, KIB,
       "bytes", "guest MemAvailable (agent)")
METRIC(GUEST_AGENT_SWAP_TOTAL, GUEST, CONSUMED, GF_SWAP_TOTAL,
       "memory", "swap_total", NULL, GAUGE, KIB,
       "bytes", "guest SwapTotal (agent)")
METRIC(GUEST_AGENT_SWAP_FREE, GUEST, CONSUMED, GF_SWAP_FREE,
       "memory", "swap_free", NULL, GAUGE, KIB,
       "bytes", "guest SwapFree (agent)")
METRIC(GUEST_SWAP_USAGE_DERIVED, GUEST, DERIVED, GF_SWAP_USAGE,
       NULL, NULL, NULL, GAUGE, NONE,
       "KiB", "swap_total - swap_free (MOM's swap_usage)")
METRIC(GUEST_AGENT_AGE, GUEST, CONSUMED, GF_AGENT_AGE,
       "duration", "agent_age", NULL, GAUGE, NONE,
       "seconds", "age of the plugin's last agent reading; sent whenever there is one, also once it is stale (then the agent values above are not sent)")
/* ---- QoS: CPU (vdsm's 04-cputune; guests, plugin instance the domain) - */
METRIC(GUEST_VCPU_COUNT, GUEST, CONSUMED, GF_VCPU_COUNT,
       "count", "vcpus", NULL, GAUGE, NONE,
       "count", "live vCPUs (virDomainGetVcpusFlags, live)")
METRIC(GUEST_VCPU_QUOTA, GUEST, CONSUMED, GF_VCPU_QUOTA,
       "gauge", "vcpu_quota", NULL, GAUGE, NONE,
       "µs per period", "live scheduler parameter vcpu_quota; -1 unlimited (also when libvirt reports cgroup v2's 17592186044415, or anything above it such as the 18446744073709551 of libvirt before 7.0); absent when the driver has none")
METRIC(GUEST_VCPU_PERIOD, GUEST, CONSUMED, GF_VCPU_PERIOD,
       "gauge", "vcpu_period", NULL, GAUGE, NONE,
       "µs", "live scheduler parameter vcpu_period")
METRIC(GUEST_VCPU_USER_LIMIT, GUEST, CONSUMED, GF_VCPU_USER_LIMIT,
       "percent", "vcpu_user_limit", NULL, GAUGE, NONE,
       "%", "vdsm's CPU limit: metadata http://ovirt.org/vm/tune/1.0 qos/vcpuLimit, 100 when absent; not sent when malformed (logged)")
METRIC(GUEST_VCPU_QUOTA_TARGET, GUEST, DECISION, METRIC_NO_FIELD,
       "gauge", "vcpu_quota_target", NULL, GAUGE, NONE,
       "µs per period", "vcpu_quota of the last plan (before the CpuTune rail; the action log has what was written), beside vcpu_quota; -1 unlimited")
METRIC(GUEST_VCPU_PERIOD_TARGET, GUEST, DECISION, METRIC_NO_FIELD,
       "gauge", "vcpu_period_target", NULL, GAUGE, NONE,
       "µs", "vcpu_period of the last plan, beside vcpu_period")

/* ---- disks (plugin instance: the domain; type instance "<dev>-<name>",
   e.g. "vda-max_total_bytes_sec"; issue 17, vdsm's 05-iotune).  Sent only
   for the disks vdsm's ioTune metadata names. */
METRIC(DISK_MAX_TOTAL_BYTES_SEC, DISK, CONSUMED, DF_MAX_TOTAL_BYTES_SEC,
       "gauge", "max_total_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device maximum/total_bytes_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_MAX_READ_BYTES_SEC, DISK, CONSUMED, DF_MAX_READ_BYTES_SEC,
       "gauge", "max_read_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device maximum/read_bytes_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_MAX_WRITE_BYTES_SEC, DISK, CONSUMED, DF_MAX_WRITE_BYTES_SEC,
       "gauge", "max_write_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device maximum/write_bytes_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_MAX_TOTAL_IOPS_SEC, DISK, CONSUMED, DF_MAX_TOTAL_IOPS_SEC,
       "operations_per_second", "max_total_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device maximum/total_iops_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_MAX_READ_IOPS_SEC, DISK, CONSUMED, DF_MAX_READ_IOPS_SEC,
       "operations_per_second", "max_read_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device maximum/read_iops_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_MAX_WRITE_IOPS_SEC, DISK, CONSUMED, DF_MAX_WRITE_IOPS_SEC,
       "operations_per_second", "max_write_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device maximum/write_iops_sec (http://ovirt.org/vm/tune/1.0); not sent when the metadata lacks the key")
METRIC(DISK_GUAR_TOTAL_BYTES_SEC, DISK, CONSUMED, DF_GUAR_TOTAL_BYTES_SEC,
       "gauge", "guar_total_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device guaranteed/total_bytes_sec; read, unused by 05-iotune")
METRIC(DISK_GUAR_READ_BYTES_SEC, DISK, CONSUMED, DF_GUAR_READ_BYTES_SEC,
       "gauge", "guar_read_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device guaranteed/read_bytes_sec; read, unused by 05-iotune")
METRIC(DISK_GUAR_WRITE_BYTES_SEC, DISK, CONSUMED, DF_GUAR_WRITE_BYTES_SEC,
       "gauge", "guar_write_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "vdsm's metadata qos/ioTune/device guaranteed/write_bytes_sec; read, unused by 05-iotune")
METRIC(DISK_GUAR_TOTAL_IOPS_SEC, DISK, CONSUMED, DF_GUAR_TOTAL_IOPS_SEC,
       "operations_per_second", "guar_total_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device guaranteed/total_iops_sec; read, unused by 05-iotune")
METRIC(DISK_GUAR_READ_IOPS_SEC, DISK, CONSUMED, DF_GUAR_READ_IOPS_SEC,
       "operations_per_second", "guar_read_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device guaranteed/read_iops_sec; read, unused by 05-iotune")
METRIC(DISK_GUAR_WRITE_IOPS_SEC, DISK, CONSUMED, DF_GUAR_WRITE_IOPS_SEC,
       "operations_per_second", "guar_write_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "vdsm's metadata qos/ioTune/device guaranteed/write_iops_sec; read, unused by 05-iotune")
METRIC(DISK_CUR_TOTAL_BYTES_SEC, DISK, CONSUMED, DF_CUR_TOTAL_BYTES_SEC,
       "gauge", "cur_total_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "live limit total_bytes_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")
METRIC(DISK_CUR_READ_BYTES_SEC, DISK, CONSUMED, DF_CUR_READ_BYTES_SEC,
       "gauge", "cur_read_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "live limit read_bytes_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")
METRIC(DISK_CUR_WRITE_BYTES_SEC, DISK, CONSUMED, DF_CUR_WRITE_BYTES_SEC,
       "gauge", "cur_write_bytes_sec", NULL, GAUGE, NONE,
       "bytes/s", "live limit write_bytes_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")
METRIC(DISK_CUR_TOTAL_IOPS_SEC, DISK, CONSUMED, DF_CUR_TOTAL_IOPS_SEC,
       "operations_per_second", "cur_total_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "live limit total_iops_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")
METRIC(DISK_CUR_READ_IOPS_SEC, DISK, CONSUMED, DF_CUR_READ_IOPS_SEC,
       "operations_per_second", "cur_read_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "live limit read_iops_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")
METRIC(DISK_CUR_WRITE_IOPS_SEC, DISK, CONSUMED, DF_CUR_WRITE_IOPS_SEC,
       "operations_per_second", "cur_write_iops_sec", NULL, GAUGE, NONE,
       "operations/s", "live limit write_iops_sec (virDomainGetBlockIoTune, live), read only for disks the metadata names; 0 unlimited")

/* ---- momd's decisions, dispatched back by the plugin ----------------- */
METRIC(GUEST_TARGET, GUEST, DECISION, METRIC_NO_FIELD,
       "memory", "target", NULL, GAUGE, KIB,
       "bytes", "the balloon target momd applied (after the safety rails); only for guests momd has set")
METRIC(HOST_KSM_RUN_TARGET, HOST, DECISION, METRIC_NO_FIELD,
       "gauge", "ksm_run_target", NULL, GAUGE, NONE,
       "0/1/2", "KSM run of the last plan")
METRIC(HOST_KSM_PAGES_TO_SCAN_TARGET, HOST, DECISION, METRIC_NO_FIELD,
       "vmpage_number", "ksm_pages_to_scan_target", NULL, GAUGE, NONE,
       "pages", "KSM pages_to_scan of the last plan")
METRIC(HOST_KSM_SLEEP_TARGET, HOST, DECISION, METRIC_NO_FIELD,
       "duration", "ksm_sleep_target", NULL, GAUGE, MS,
       "seconds", "KSM sleep of the last plan")

METRIC(DISK_TOTAL_BYTES_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "gauge", "total_bytes_sec_target", NULL, GAUGE, NONE,
       "bytes/s", "total_bytes_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_total_bytes_sec; 0 unlimited")
METRIC(DISK_READ_BYTES_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "gauge", "read_bytes_sec_target", NULL, GAUGE, NONE,
       "bytes/s", "read_bytes_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_read_bytes_sec; 0 unlimited")
METRIC(DISK_WRITE_BYTES_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "gauge", "write_bytes_sec_target", NULL, GAUGE, NONE,
       "bytes/s", "write_bytes_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_write_bytes_sec; 0 unlimited")
METRIC(DISK_TOTAL_IOPS_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "operations_per_second", "total_iops_sec_target", NULL, GAUGE, NONE,
       "operations/s", "total_iops_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_total_iops_sec; 0 unlimited")
METRIC(DISK_READ_IOPS_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "operations_per_second", "read_iops_sec_target", NULL, GAUGE, NONE,
       "operations/s", "read_iops_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_read_iops_sec; 0 unlimited")
METRIC(DISK_WRITE_IOPS_SEC_TARGET, DISK, DECISION, METRIC_NO_FIELD,
       "operations_per_second", "write_iops_sec_target", NULL, GAUGE, NONE,
       "operations/s", "write_iops_sec of the last plan for the disk (before the IoTune rail; the action log has what was written), beside cur_write_iops_sec; 0 unlimited")

/* clang-format on */
