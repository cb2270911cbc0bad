/* SPDX-License-Identifier: Apache-2.0 */
/*
 * field.c: the names, units and kinds of the host, guest and disk fields.
 *
 * Designated initialisers tie each name to its enum constant, so the order
 * of the enum can change without silently renaming a field.
 */
#include "field.h"

#include <string.h>

const struct field_desc host_fields[HOST_FIELD_COUNT] = {
    [HF_MEM_AVAILABLE] = {"mem_available", "KiB", FIELD_GAUGE},
    [HF_MEM_UNUSED] = {"mem_unused", "KiB", FIELD_GAUGE},
    [HF_MEM_FREE] = {"mem_free", "KiB", FIELD_DERIVED},
    [HF_MEM_USABLE] = {"mem_usable", "KiB", FIELD_GAUGE},
    [HF_MEM_BUFFERS] = {"mem_buffers", "KiB", FIELD_GAUGE},
    [HF_MEM_CACHED] = {"mem_cached", "KiB", FIELD_GAUGE},
    [HF_ANON_PAGES] = {"anon_pages", "KiB", FIELD_GAUGE},
    [HF_SWAP_TOTAL] = {"swap_total", "KiB", FIELD_GAUGE},
    [HF_SWAP_USAGE] = {"swap_usage", "KiB", FIELD_DERIVED},
    [HF_SWAP_FREE] = {"swap_free", "KiB", FIELD_GAUGE},
    [HF_SWAP_IN] = {"swap_in", "pages/s", FIELD_RATE},
    [HF_SWAP_OUT] = {"swap_out", "pages/s", FIELD_RATE},
    [HF_PSI_SOME_AVG10] = {"psi_some_avg10", "%", FIELD_GAUGE},
    [HF_PSI_SOME_AVG60] = {"psi_some_avg60", "%", FIELD_GAUGE},
    [HF_PSI_FULL_AVG10] = {"psi_full_avg10", "%", FIELD_GAUGE},
    [HF_PSI_FULL_AVG60] = {"psi_full_avg60", "%", FIELD_GAUGE},
    [HF_KSM_RUN] = {"ksm_run", "", FIELD_GAUGE},
    [HF_KSM_PAGES_SHARED] = {"ksm_pages_shared", "pages", FIELD_GAUGE},
    [HF_KSM_PAGES_SHARING] = {"ksm_pages_sharing", "pages", FIELD_GAUGE},
    [HF_KSM_PAGES_UNSHARED] = {"ksm_pages_unshared", "pages", FIELD_GAUGE},
    [HF_KSM_PAGES_VOLATILE] = {"ksm_pages_volatile", "pages", FIELD_GAUGE},
    [HF_KSM_FULL_SCANS] = {"ksm_full_scans", "", FIELD_GAUGE},
    [HF_KSM_PAGES_TO_SCAN] = {"ksm_pages_to_scan", "pages", FIELD_GAUGE},
    [HF_KSM_SLEEP_MILLISECS] = {"ksm_sleep_millisecs", "ms", FIELD_GAUGE},
    [HF_KSM_MERGE_ACROSS_NODES] = {"ksm_merge_across_nodes", "", FIELD_GAUGE},
    [HF_KSM_GENERAL_PROFIT] = {"ksm_general_profit", "bytes", FIELD_GAUGE},
    [HF_KSM_ZERO_PAGES] = {"ksm_zero_pages", "pages", FIELD_GAUGE},
    [HF_KSM_SHAREABLE] = {"ksm_shareable", "KiB", FIELD_GAUGE},
    [HF_KSMD_CPU_USAGE] = {"ksmd_cpu_usage", "%", FIELD_GAUGE},
    [HF_CPU_COUNT] = {"cpu_count", "", FIELD_GAUGE},
};

const struct field_desc guest_fields[GUEST_FIELD_COUNT] = {
    [GF_BALLOON_CUR] = {"balloon_cur", "KiB", FIELD_GAUGE},
    [GF_BALLOON_MAX] = {"balloon_max", "KiB", FIELD_GAUGE},
    [GF_BALLOON_MIN] = {"balloon_min", "KiB", FIELD_GAUGE},
    [GF_MEM_AVAILABLE] = {"mem_available", "KiB", FIELD_GAUGE},
    [GF_MEM_UNUSED] = {"mem_unused", "KiB", FIELD_GAUGE},
    [GF_MEM_USABLE] = {"mem_usable", "KiB", FIELD_GAUGE},
    [GF_MEM_FREE] = {"mem_free", "KiB", FIELD_DERIVED},
    [GF_DISK_CACHES] = {"disk_caches", "KiB", FIELD_GAUGE},
    [GF_RSS] = {"rss", "KiB", FIELD_GAUGE},
    [GF_SWAP_IN] = {"swap_in", "KiB/s", FIELD_RATE},
    [GF_SWAP_OUT] = {"swap_out", "KiB/s", FIELD_RATE},
    [GF_MAJOR_FAULT] = {"major_fault", "1/s", FIELD_RATE},
    [GF_MINOR_FAULT] = {"minor_fault", "1/s", FIELD_RATE},
    [GF_HUGETLB_PGALLOC] = {"hugetlb_pgalloc", "", FIELD_GAUGE},
    [GF_HUGETLB_PGFAIL] = {"hugetlb_pgfail", "", FIELD_GAUGE},
    [GF_LAST_UPDATE] = {"last_update", "s", FIELD_GAUGE},
    [GF_STATS_AGE] = {"stats_age", "s", FIELD_DERIVED},
    /* guest agent */
    [GF_PSI_SOME_AVG10] = {"psi_some_avg10", "%", FIELD_GAUGE},
    [GF_PSI_SOME_AVG60] = {"psi_some_avg60", "%", FIELD_GAUGE},
    [GF_PSI_FULL_AVG10] = {"psi_full_avg10", "%", FIELD_GAUGE},
    [GF_PSI_FULL_AVG60] = {"psi_full_avg60", "%", FIELD_GAUGE},
    [GF_OOM_KILL] = {"oom_kill", "", FIELD_GAUGE},
    [GF_MAJOR_FAULT_AGENT] = {"major_fault_agent", "1/s", FIELD_RATE},
    [GF_SWAP_IN_AGENT] = {"swap_in_agent", "pages/s", FIELD_RATE},
    [GF_SWAP_OUT_AGENT] = {"swap_out_agent", "pages/s", FIELD_RATE},
    [GF_ALLOCSTALL] = {"allocstall", "1/s", FIELD_RATE},
    [GF_MEM_AVAILABLE_AGENT] = {"mem_available_agent", "KiB", FIELD_GAUGE},
    [GF_MEM_USABLE_AGENT] = {"mem_usable_agent", "KiB", FIELD_GAUGE},
    [GF_SWAP_TOTAL] = {"swap_total", "KiB", FIELD_GAUGE},
    [GF_SWAP_FREE] = {"swap_free", "KiB", FIELD_GAUGE},
    [GF_SWAP_USAGE] = {"swap_usage", "KiB", FIELD_DERIVED},
    [GF_AGENT_AGE] = {"agent_age", "s", FIELD_GAUGE},
    [GF_VCPU_COUNT] = {"vcpu_count", "", FIELD_GAUGE},
    [GF_VCPU_QUOTA] = {"vcpu_quota", "us", FIELD_GAUGE},
    [GF_VCPU_PERIOD] = {"vcpu_period", "us", FIELD_GAUGE},
    [GF_VCPU_USER_LIMIT] = {"vcpu_user_limit", "%", FIELD_GAUGE},
    [GF_SHARES] = {"shares", "", FIELD_GAUGE},
    [GF_BALLOON_AUTODEFLATE] = {"balloon_autodeflate", "", FIELD_GAUGE},
    [GF_BALLOON_FREE_PAGE_REPORTING] = {"balloon_free_page_reporting", "",
					FIELD_GAUGE},
    [GF_BALLOON_TARGET] = {"balloon_target", "KiB", FIELD_DERIVED},
};

const struct field_desc disk_fields[DISK_FIELD_COUNT] = {
    [DF_MAX_TOTAL_BYTES_SEC] = {"max_total_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_MAX_READ_BYTES_SEC] = {"max_read_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_MAX_WRITE_BYTES_SEC] = {"max_write_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_MAX_TOTAL_IOPS_SEC] = {"max_total_iops_sec", "1/s", FIELD_GAUGE},
    [DF_MAX_READ_IOPS_SEC] = {"max_read_iops_sec", "1/s", FIELD_GAUGE},
    [DF_MAX_WRITE_IOPS_SEC] = {"max_write_iops_sec", "1/s", FIELD_GAUGE},
    [DF_GUAR_TOTAL_BYTES_SEC] = {"guar_total_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_GUAR_READ_BYTES_SEC] = {"guar_read_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_GUAR_WRITE_BYTES_SEC] = {"guar_write_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_GUAR_TOTAL_IOPS_SEC] = {"guar_total_iops_sec", "1/s", FIELD_GAUGE},
    [DF_GUAR_READ_IOPS_SEC] = {"guar_read_iops_sec", "1/s", FIELD_GAUGE},
    [DF_GUAR_WRITE_IOPS_SEC] = {"guar_write_iops_sec", "1/s", FIELD_GAUGE},
    [DF_CUR_TOTAL_BYTES_SEC] = {"cur_total_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_CUR_READ_BYTES_SEC] = {"cur_read_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_CUR_WRITE_BYTES_SEC] = {"cur_write_bytes_sec", "B/s", FIELD_GAUGE},
    [DF_CUR_TOTAL_IOPS_SEC] = {"cur_total_iops_sec", "1/s", FIELD_GAUGE},
    [DF_CUR_READ_IOPS_SEC] = {"cur_read_iops_sec", "1/s", FIELD_GAUGE},
    [DF_CUR_WRITE_IOPS_SEC] = {"cur_write_iops_sec", "1/s", FIELD_GAUGE},
};

static int field_lookup(const struct field_desc *table, int n, const char *name)
{
	for (int i = 0; i < n; i++)
		if (strcmp(table[i].name, name) == 0)
			return i;
	return -1;
}

int host_field_lookup(const char *name)
{
	return field_lookup(host_fields, HOST_FIELD_COUNT, name);
}

int guest_field_lookup(const char *name)
{
	return field_lookup(guest_fields, GUEST_FIELD_COUNT, name);
}

int disk_field_lookup(const char *name)
{
	return field_lookup(disk_fields, DISK_FIELD_COUNT, name);
}
