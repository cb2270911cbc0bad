#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# read_plugin.sh: the `mom` read plugin inside Debian's real collectd (csv
# writer) against a private libvirtd running the test driver.
#
# The plugin's Root points at a copy of tests/fixtures/root in $T_TMP (a
# fake /proc and /sys/kernel/mm/ksm), NOT at the machine's real files, so
# every host value is known exactly.  Two KSM files are removed from the
# copy to check that absent files are not dispatched.  Checks, on the csv
# files under $T_TMP/csv/testhost/mom/ and mom-<domain>/:
#   - every host and guest identifier, its type (file name and csv header,
#     i.e. the types.db data sources) and its value;
#   - counters arrive as integers (DERIVE filled through .derive);
#   - the guaranteed minimum from vdsm metadata, and the logged source;
#   - the balloon's autodeflate and freePageReporting from the domain XML;
#   - a domain destroyed mid-run: its series stop, the others continue, no
#     libvirt error is logged;
#   - a libvirtd restart: the plugin reconnects and values resume.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/libvirt.sh"
. "$ROOT/tests/lib/collectd.sh"

CSV=$T_TMP/csv/testhost
MIB=1048576

if [ ! -f "$BUILD/mom.so" ]; then
	not_ok "$BUILD/mom.so exists (run make build/mom.so)"
	done_testing
fi

# eq_num A B: numeric equality (csv prints gauges as %f).
eq_num() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 == b + 0) }'; }
# lines FILE-PREFIX: number of data lines in a series (0 if none), over
# all its files (csv starts a file per day: a run may cross midnight).
lines() { cat "$1"-* 2>/dev/null | grep -vc '^epoch'; }
header() { head -1 "$(ls "$1"-* 2>/dev/null | tail -1)" 2>/dev/null; }
has_series() { ls "$1"-* >/dev/null 2>&1; }
grows() { [ "$(lines "$1")" -ge "$2" ]; }

# check_value PLUGIN_DIR ID HEADER WANT: the series exists with the
# expected data sources and its last value equals WANT.
check_value() {
	local dir=$1 id=$2 hdr=$3 want=$4 got
	got=$(cd_csv_last testhost "$dir" "$id")
	if [ "$(header "$CSV/$dir/$id")" != "$hdr" ]; then
		not_ok "$dir/$id: header '$(header "$CSV/$dir/$id")', want '$hdr'"
	elif eq_num "$got" "$want"; then
		ok "$dir/$id = $want"
	else
		not_ok "$dir/$id = '$got', want $want"
	fi
}

# check_int PLUGIN_DIR ID HEADER WANT: like check_value, for DERIVE series
# (csv prints them as integers; a counter filled through .gauge would not
# print this way).
check_int() {
	local dir=$1 id=$2 hdr=$3 want=$4 got
	got=$(cd_csv_last testhost "$dir" "$id")
	if [ "$(header "$CSV/$dir/$id")" != "$hdr" ]; then
		not_ok "$dir/$id: header '$(header "$CSV/$dir/$id")', want '$hdr'"
	elif [ "$got" = "$want" ]; then
		ok "$dir/$id = $want (integer counter)"
	else
		not_ok "$dir/$id = '$got', want $want"
	fi
}

# The fixture root: a copy, so the test can change it.
cp -a "$ROOT/tests/fixtures/root" "$T_TMP/root"
rm "$T_TMP/root/sys/kernel/mm/ksm/ksm_zero_pages" \
	"$T_TMP/root/sys/kernel/mm/ksm/advisor_mode"

lv_start || { not_ok "libvirtd started"; done_testing; }
ok "private libvirtd with the test driver"
lv_define g1 1024 768 512 && lv_define g2 2048 1024 "" "autodeflate='on' freePageReporting='on'" &&
	lv_define gone 512 512
check "test domains g1 (vdsm minimum 512 MiB), g2, gone defined" \
	test "$(lv_virsh list --name | grep -c .)" -eq 4

cd_conf_head "$T_TMP/collectd.conf" 1
cat >>"$T_TMP/collectd.conf" <<CONF
LoadPlugin mom
<Plugin mom>
  Connection "$LV_URI"
  Root "$T_TMP/root"
  StatsPeriod 2
  StaleReads 3
  ExcludeDomain "excluded*"
</Plugin>
CONF
cd_start "$T_TMP/collectd.conf"

wait_for 20 "host series" has_series "$CSV/mom/memory-total" &&
	wait_for 20 "guest series" has_series "$CSV/mom-g1/memory-actual" &&
	wait_for 20 "ksmd cpu (second read)" has_series "$CSV/mom/percent-ksmd_cpu"
check "plugin loaded, host and guest series written" \
	has_series "$CSV/mom-g1/memory-actual"

# ---- host values ---------------------------------------------------------
for spec in total:16314224 free:8123456 available:12345678 buffers:234567 \
	cached:3456789 anon:2345678 swap_total:4194300 swap_free:4000000 \
	ksm_shareable:6291456; do
	check_value mom "memory-${spec%%:*}" epoch,value $((${spec#*:} * 1024))
done
check_int mom vmpage_io-swap epoch,in,out 1234,5678
check_value mom percent-pressure_some_avg10 epoch,value 1.5
check_value mom percent-pressure_some_avg60 epoch,value 2.25
check_value mom percent-pressure_full_avg10 epoch,value 0.75
check_value mom percent-pressure_full_avg60 epoch,value 1
check_int mom total_time_in_ms-pressure_some epoch,value 123456
check_int mom total_time_in_ms-pressure_full epoch,value 23456
check_value mom count-cpus epoch,value 4
check_value mom gauge-ksm_run epoch,value 1
check_value mom vmpage_number-ksm_shared epoch,value 1100
check_value mom vmpage_number-ksm_sharing epoch,value 4400
check_value mom vmpage_number-ksm_unshared epoch,value 550
check_value mom vmpage_number-ksm_volatile epoch,value 77
check_value mom vmpage_number-ksm_pages_to_scan epoch,value 100
check_int mom total_operations-ksm_full_scans epoch,value 12
check_value mom duration-ksm_sleep epoch,seconds 0.02
check_value mom gauge-ksm_merge_across_nodes epoch,value 1
check_value mom gauge-ksm_general_profit epoch,value 13516800
check_value mom percent-ksmd_cpu epoch,value 0
check "absent KSM file ksm_zero_pages not dispatched" \
	test -z "$(ls "$CSV"/mom/vmpage_number-ksm_zero_pages-* 2>/dev/null)"
check "absent KSM file advisor_mode not dispatched" \
	test -z "$(ls "$CSV"/mom/gauge-ksm_advisor_mode-* 2>/dev/null)"
check "nothing else under mom/ (exactly 28 host series)" \
	test "$(ls "$CSV/mom" | sed 's/-[0-9-]*$//' | sort -u | wc -l)" -eq 28

# Every value of one read carries the same time stamp.
t1=$(tail -1 "$(ls "$CSV"/mom/memory-total-* | tail -1)" | cut -d, -f1)
# (Two write threads write csv: g1's value of that read may come a little
# after the host's.)
check "host and guest values of a read share one time stamp" \
	wait_for 10 "g1's value at $t1 in csv" grep -q "^$t1," "$(ls "$CSV"/mom-g1/memory-actual-* | tail -1)"

# ---- guest values --------------------------------------------------------
# The test driver: actual = available = current, unused = usable = rss =
# current/2, disk_caches = current/8, counters 0, a fixed last_update.
guest_checks() {
	local d=$1 cur=$2 max=$3 min=$4 balloon_flags=${5:-0}
	check_value "mom-$d" memory-actual epoch,value $((cur * MIB))
	check_value "mom-$d" memory-maximum epoch,value $((max * MIB))
	check_value "mom-$d" memory-minimum epoch,value $((min * MIB))
	check_value "mom-$d" memory-available epoch,value $((cur * MIB))
	check_value "mom-$d" memory-unused epoch,value $((cur * MIB / 2))
	check_value "mom-$d" memory-usable epoch,value $((cur * MIB / 2))
	check_value "mom-$d" memory-rss epoch,value $((cur * MIB / 2))
	check_value "mom-$d" memory-disk_caches epoch,value $((cur * MIB / 8))
	check_int "mom-$d" swap_io-in epoch,value 0
	check_int "mom-$d" swap_io-out epoch,value 0
	check_int "mom-$d" ps_pagefaults epoch,minflt,majflt 0,0
	check_int "mom-$d" total_operations-hugetlb_pgalloc epoch,value 0
	check_int "mom-$d" total_operations-hugetlb_pgfail epoch,value 0
	check_value "mom-$d" gauge-last_update epoch,value 627319920
	local age
	age=$(cd_csv_last testhost "mom-$d" duration-stats_age)
	check "mom-$d/duration-stats_age = now - last_update ($age)" \
		awk -v a="$age" -v n="$(date +%s)" \
		'BEGIN { exit !(a > n - 627319920 - 30 && a <= n + 1 - 627319920) }'
	# No tune metadata: vdsm's default CPU limit.  The test driver has no
	# vCPU scheduler parameters: no vcpu_quota/vcpu_period (absent).
	check_value "mom-$d" percent-vcpu_user_limit epoch,value 100
	check "mom-$d: no vcpu_quota from the test driver" \
		bash -c "! ls '$CSV/mom-$d'/gauge-vcpu_quota-* >/dev/null 2>&1"
	# The balloon's features from the domain XML (issue 19); no shares:
	# no domain here has our metadata, so that series is absent.
	check_value "mom-$d" gauge-balloon_autodeflate epoch,value "$balloon_flags"
	check_value "mom-$d" gauge-balloon_free_page_reporting epoch,value "$balloon_flags"
	check "mom-$d: 19 series (with count-vcpus, percent-vcpu_user_limit and the two balloon features)" \
		test "$(ls "$CSV/mom-$d" | sed 's/-[0-9-]*$//' | sort -u | wc -l)" -eq 19
}
guest_checks g1 768 1024 512
guest_checks g2 1024 2048 0 1
guest_checks test 2048 8192 0
check "vdsm metadata named as the minimum's source" \
	grep -q "mom plugin: domain g1: guaranteed minimum 524288 KiB (source: vdsm)" \
	"$T_TMP/collectd.log"
check "a domain without metadata or memtune has source none" \
	grep -q "mom plugin: domain g2: guaranteed minimum 0 KiB (source: none)" \
	"$T_TMP/collectd.log"
# The test driver's last_update never moves: after max(3, 2*2/1) reads the
# stats are stale, and the change is logged.
wait_for 15 "stale logged" grep -q "domain g1: balloon statistics stale (was ok)" \
	"$T_TMP/collectd.log"
check "stale statistics detected and logged" \
	grep -q "domain g1: balloon statistics stale (was ok)" "$T_TMP/collectd.log"

# ---- disks: vdsm's ioTune metadata (issue 17) -----------------------------
# vda: a whole maximum, a partial guaranteed; vdb: a malformed value (left
# absent) and no such disk (no live values); a device named with a slash is
# skipped.  One warning says so; g1 and g2 (no metadata) send no disk.
T=ovirt-tune
lv_define io1 512 512 "" "" "" "<$T:ioTune>\
<$T:device name='vda' path='/guest/io1.img'><$T:maximum>\
<$T:total_bytes_sec>0</$T:total_bytes_sec><$T:read_bytes_sec>1048576</$T:read_bytes_sec>\
<$T:write_bytes_sec>524288</$T:write_bytes_sec><$T:total_iops_sec>0</$T:total_iops_sec>\
<$T:read_iops_sec>200</$T:read_iops_sec><$T:write_iops_sec>100</$T:write_iops_sec>\
</$T:maximum><$T:guaranteed><$T:read_iops_sec>10</$T:read_iops_sec></$T:guaranteed></$T:device>\
<$T:device name='vdb' path='/x'><$T:maximum><$T:total_iops_sec>12x</$T:total_iops_sec>\
<$T:read_iops_sec>7</$T:read_iops_sec></$T:maximum></$T:device>\
<$T:device name='a/b' path='/y'/></$T:ioTune>" || not_ok "define io1"
wait_for 20 "io1's disk series" has_series "$CSV/mom-io1/gauge-vda-cur_total_bytes_sec"
check_value mom-io1 gauge-vda-max_read_bytes_sec epoch,value 1048576
check_value mom-io1 gauge-vda-max_write_bytes_sec epoch,value 524288
check_value mom-io1 gauge-vda-max_total_bytes_sec epoch,value 0
check_value mom-io1 operations_per_second-vda-max_read_iops_sec epoch,value 200
check_value mom-io1 operations_per_second-vda-max_write_iops_sec epoch,value 100
check_value mom-io1 operations_per_second-vda-guar_read_iops_sec epoch,value 10
check_value mom-io1 operations_per_second-vda-max_total_iops_sec epoch,value 0
# The test driver's live limits of vda: all 0 (unlimited).
for l in total read write; do
	check_value mom-io1 "gauge-vda-cur_${l}_bytes_sec" epoch,value 0
	check_value mom-io1 "operations_per_second-vda-cur_${l}_iops_sec" epoch,value 0
done
check "vda: 6 + 1 + 6 disk series (a guaranteed key the metadata lacks is not sent)" \
	test "$(ls "$CSV/mom-io1" | grep -- '-vda-' | sed 's/-[0-9-]*$//' | sort -u | wc -l)" -eq 13
check_value mom-io1 operations_per_second-vdb-max_read_iops_sec epoch,value 7
check "vdb: only its well-formed key (the malformed one and the live values of a disk libvirt does not have are absent)" \
	test "$(ls "$CSV/mom-io1" | grep -- '-vdb-' | sed 's/-[0-9-]*$//' | sort -u)" = operations_per_second-vdb-max_read_iops_sec
check "the unusable ioTune metadata is logged once" \
	test "$(grep -c "domain io1: metadata http://ovirt.org/vm/tune/1.0 qos/ioTune: 1 device(s) skipped .* 1 value(s) not a whole number" "$T_TMP/collectd.log")" = 1
check "a domain without the metadata sends no disk series" \
	bash -c "! ls '$CSV/mom-g1' | grep -q -- '-vd[a-z]-'"

# ---- a domain destroyed mid-run ------------------------------------------
lv_define excluded1 512 512
errs_before=$(grep -c 'libvirt error' "$T_TMP/collectd.log")
lv_virsh destroy gone >/dev/null
wait_for 10 "gone noticed" grep -q "domain gone (.*) is gone" "$T_TMP/collectd.log"
check "the destroyed domain's state is dropped (logged)" \
	grep -q "domain gone (.*) is gone" "$T_TMP/collectd.log"
# csv is written by collectd's write threads after the read: a value of
# gone read just before it was noticed may still be on its way.  Count gone's
# lines once a read after the noticing one has reached csv (g1 grew by 2).
n_g1=$(lines "$CSV/mom-g1/memory-actual")
wait_for 15 "g1 two more reads" grows "$CSV/mom-g1/memory-actual" $((n_g1 + 2))
n_gone=$(lines "$CSV/mom-gone/memory-actual")
n_g1=$(lines "$CSV/mom-g1/memory-actual")
wait_for 15 "g1 keeps going" grows "$CSV/mom-g1/memory-actual" $((n_g1 + 3))
check "other domains continue after the destroy" \
	grows "$CSV/mom-g1/memory-actual" $((n_g1 + 3))
check "the destroyed domain's series stopped" \
	test "$(lines "$CSV/mom-gone/memory-actual")" -eq "$n_gone"
check "no libvirt error logged for the destroy" \
	test "$(grep -c 'libvirt error' "$T_TMP/collectd.log")" -eq "$errs_before"
check "ExcludeDomain: excluded1 never read" test ! -d "$CSV/mom-excluded1"

# ---- libvirtd restart ----------------------------------------------------
lv_restart || not_ok "libvirtd restarted"
wait_for 20 "reconnected" sh -c "grep -c 'mom plugin: connected to' '$T_TMP/collectd.log' | grep -qx 2"
check "plugin reconnected after the libvirtd restart" \
	test "$(grep -c 'mom plugin: connected to' "$T_TMP/collectd.log")" -eq 2
n_test=$(lines "$CSV/mom-test/memory-actual")
wait_for 15 "values resume" grows "$CSV/mom-test/memory-actual" $((n_test + 2))
check "guest values resume after the restart" \
	grows "$CSV/mom-test/memory-actual" $((n_test + 2))
n_g1=$(lines "$CSV/mom-g1/memory-actual")
n_test=$(lines "$CSV/mom-test/memory-actual")
wait_for 15 "two more reads" grows "$CSV/mom-test/memory-actual" $((n_test + 2))
check "domains that vanished with the old daemon have no new values" \
	test "$(lines "$CSV/mom-g1/memory-actual")" -le $((n_g1 + 1))
check "lost connection logged" \
	grep -q "mom plugin: connection to .* lost\|mom plugin: cannot connect" \
	"$T_TMP/collectd.log"
check "libvirt errors rate-limited (at most 10 lines)" \
	test "$(grep -c 'libvirt error' "$T_TMP/collectd.log")" -le 10

cd_stop
check "collectd exited normally" grep -q "Exiting normally" "$T_TMP/collectd.log"
check "no plugin suspended by collectd" \
	test "$(grep -c 'Will suspend' "$T_TMP/collectd.log")" -eq 0
# refused WHAT LINES MESSAGE: the configuration with "StaleReads 3"
# replaced by LINES does not start (collectd -T exits non-zero) and its
# error says MESSAGE.
refused() {
	sed "s/^  StaleReads 3\$/$2/" "$T_TMP/collectd.conf" >"$T_TMP/bad.conf"
	if timeout 20 collectd -T -C "$T_TMP/bad.conf" >"$T_TMP/bad.out" 2>&1; then
		not_ok "$1 rejected"
	else
		ok "$1 rejected (collectd exits non-zero)"
	fi
	check "... the error says: $3" \
		grep -q "mom plugin: $3" "$T_TMP/collectd.log" "$T_TMP/bad.out"
}
refused "an unknown option" '  StaleReads 3\n  Bogus 1' 'unknown option "Bogus"'
# A number that is not a whole one is refused, not cut (2.5 read as 2).
refused "StaleReads 2.5" '  StaleReads 2.5' 'StaleReads must be a whole number between 1 and'
# An option given twice would have the last one win silently.
refused "an option given twice" '  StaleReads 3\n  StaleReads 4' 'option "StaleReads" given twice'

grep "mom plugin: libvirt error" "$T_TMP/collectd.log" | sed "s/^/# /"
done_testing
