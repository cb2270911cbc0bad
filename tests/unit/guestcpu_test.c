/* SPDX-License-Identifier: Apache-2.0 */
/*
 * guestcpu_test.c: the read plugin's CPU QoS parsing (guest_cpu.c): vdsm's
 * vcpuLimit from the tune metadata as virDomainGetMetadata returns it,
 * strictly (a whole number in [1, 100]), and the quota normalisation that
 * makes cgroup v2's "unlimited" read -1.
 */
#include <errno.h>
#include <stdint.h>

#include "guest_cpu.h"
#include "testing.h"

static void limit(const char *xml, int want_rc, uint64_t want, const char *what)
{
	uint64_t pct = 0;
	int rc = guest_cpu_limit_parse(xml, &pct);

	T_OK(rc == want_rc && (rc != 0 || pct == want),
	     "vcpuLimit: %s (rc %d, %llu)", what, rc, (unsigned long long)pct);
}

int main(void)
{
	limit("<qos><vcpuLimit>50</vcpuLimit></qos>", 0, 50, "50");
	limit("<qos>\n  <vcpuLimit> 10 </vcpuLimit>\n  <ioTune/>\n</qos>", 0,
	      10, "white space trimmed");
	limit("<qos><vcpuLimit>100</vcpuLimit></qos>", 0, 100, "100");
	limit("<qos><vcpuLimit>1</vcpuLimit></qos>", 0, 1, "1");
	limit("<qos><ioTune/></qos>", -ENOENT, 0, "absent: vdsm's default");
	limit("<qos/>", -ENOENT, 0, "empty element");
	limit("<qos><vcpuLimit>0</vcpuLimit></qos>", -EINVAL, 0, "0 refused");
	limit("<qos><vcpuLimit>101</vcpuLimit></qos>", -EINVAL, 0,
	      "101 refused");
	limit("<qos><vcpuLimit>-5</vcpuLimit></qos>", -EINVAL, 0,
	      "negative refused");
	limit("<qos><vcpuLimit>5.5</vcpuLimit></qos>", -EINVAL, 0,
	      "fraction refused");
	limit("<qos><vcpuLimit>50%</vcpuLimit></qos>", -EINVAL, 0,
	      "trailing text refused");
	limit("<qos><vcpuLimit></vcpuLimit></qos>", -EINVAL, 0,
	      "empty value refused");
	limit("<qos><vcpuLimit>99999999999999999999999</vcpuLimit></qos>",
	      -EINVAL, 0, "overflow refused");
	limit("<qos><vcpuLimit>50", -EINVAL, 0, "not XML");
	T_EQ_INT(guest_cpu_quota_norm(-1), -1, "quota -1 stays -1");
	T_EQ_INT(guest_cpu_quota_norm(17592186044415LL), -1,
		 "cgroup v2's unlimited (libvirt >= 7.0: 2^44 - 1) reads -1");
	T_EQ_INT(guest_cpu_quota_norm(18446744073709551LL), -1,
		 "cgroup v2's unlimited before libvirt 7.0 reads -1");
	T_EQ_INT(guest_cpu_quota_norm(17592186044414LL), 17592186044414LL,
		 "just below 2^44 - 1 is a quota");
	T_EQ_INT(guest_cpu_quota_norm(50000), 50000, "a quota stays");
	return t_done();
}
