#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# vdsm_iotune.sh: on real guests, the engine's storage QoS (vdsm's tune
# metadata qos/ioTune/device maximum) reaches the running VM as MOM's
# IoTune did (issue 17): the shipped policies (05-iotune) plan each disk's
# six limits, the IoTune controller writes them live, and libvirt shows
# them (virsh blkdeviotune).  ioTuneEnabled false (the API parameter vdsm
# sets) clears them.  A disk whose metadata maximum lacks a key is reported
# (the plan's error, a refused action) while its guest's balloon and KSM
# are still controlled: MOM's whole cycle failed on it.
#
# Real TCG guests under the system libvirtd (tests/lib/guests.sh), each
# with a scratch raw file of 2 MiB as virtio disk vda (the guest sees it,
# finds no filesystem on it and leaves it alone), Debian's collectd with both plugins (Interval 1), the real momd
# with the shipped policies.  d: complete metadata; x: its maximum lacks
# write_iops_sec, and it boots with its balloon inflated (200 of 256 MiB)
# so that the balloon controller has to grow it.  KSM is a scratch
# directory.  Needs root (else skipped).  Two 256 MiB guests, about a
# minute plus waiting for the guests' lock.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/guests.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

pl_guests_begin vdsm_iotune

# iotune_xml KEY=VALUE...: vdsm's ioTune for device vda, maximum only.
iotune_xml() {
	local kv x="<ovirt-tune:ioTune><ovirt-tune:device name='vda' path='/x'><ovirt-tune:maximum>"
	for kv in "$@"; do
		x="$x<ovirt-tune:${kv%%=*}>${kv#*=}</ovirt-tune:${kv%%=*}>"
	done
	echo "$x</ovirt-tune:maximum><ovirt-tune:guaranteed><ovirt-tune:read_iops_sec>10</ovirt-tune:read_iops_sec></ovirt-tune:guaranteed></ovirt-tune:device></ovirt-tune:ioTune>"
}
FULL=(total_bytes_sec=0 read_bytes_sec=1048576 write_bytes_sec=524288
	total_iops_sec=0 read_iops_sec=200 write_iops_sec=100)
if g_define d 256 --disk 2 --iotune "$(iotune_xml "${FULL[@]}")" &&
	g_define x 256 --cur-mib 200 --disk 2 --iotune "$(iotune_xml "${FULL[@]:0:5}")"; then
	ok "guests d (complete ioTune) and x (maximum lacks write_iops_sec) defined"
else
	not_ok "define guests"
	done_testing
fi
g_start d x || not_ok "start guests"
for g in d x; do
	g_wait_ready $g 180 || {
		not_ok "guest $g ready"
		done_testing
	}
done
# iot NAME KEY: a live limit of vda as virsh blkdeviotune shows it.
# (virsh aligns some names' colons and not others: "total_bytes_sec: 0",
# "read_bytes_sec : 0".)
iot() {
	g_virsh blkdeviotune "$(g_dom "$1")" vda --live |
		awk -F: -v k="$2" '{ gsub(/ /, "", $1); gsub(/ /, "", $2) } $1 == k { print $2 }'
}
check "libvirt reports vda's live limits (read_iops_sec $(iot d read_iops_sec))" \
	test -n "$(iot d read_iops_sec)"
check "the tune metadata is vdsm's" grep -q 'read_bytes_sec>1048576' \
	<(g_virsh metadata "$(g_dom d)" http://ovirt.org/vm/tune/1.0)

mkdir -p "$T_TMP/ksm"
pl_ksm_scratch "$T_TMP/ksm"
R=$T_TMP/root
pl_root "$R" "$T_TMP/ksm"
pl_meminfo "$R" 4194304 3145728
momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$G_URI" \
	--ksm-dir "$T_TMP/ksm" --interval-ms 1000 || {
	not_ok "momd starts"
	done_testing
}
conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
pl_plugins "$G_URI" "$R" 1 "${G_PREFIX}*" >>"$conf"
cd_start "$conf"
pl_watchdog "$MOMD_PID" "$CD_PID"

# limited NAME R_BYTES W_BYTES R_IOPS W_IOPS: libvirt shows those limits
# (totals 0) on the guest's vda.
limited() {
	[ "$(iot "$1" total_bytes_sec)" = 0 ] && [ "$(iot "$1" read_bytes_sec)" = "$2" ] &&
		[ "$(iot "$1" write_bytes_sec)" = "$3" ] && [ "$(iot "$1" total_iops_sec)" = 0 ] &&
		[ "$(iot "$1" read_iops_sec)" = "$4" ] && [ "$(iot "$1" write_iops_sec)" = "$5" ]
}
# The first decision needs collectd's first reads and momd's first cycle
# with them; 90 s because guests, collectd and momd share 2 busy cores
# (and a sanitized build in CI).
check "d's vda gets its metadata maximum (1048576 / 524288 B/s, 200 / 100 IOPS)" \
	wait_slow 90 "d limited" limited d 1048576 524288 200 100
s=$(api_out GET /v1/stats)
check "momd sees d's vda maximum and guaranteed" test \
	"$(jq_get "$s" "[j['guests']['$(g_dom d)']['disks']['vda'][k] for k in ('max_read_bytes_sec', 'guar_read_iops_sec')]")" = "[1048576, 10]"
n_applied() { actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom d)/vda' and x['result'] == 'applied'])"; }
applied_at_least() { [ "$(n_applied)" -ge "$1" ]; }
# momd records the actions just after libvirt took the values.
wait_slow 20 "d's actions recorded" applied_at_least 4
n=$(n_applied)
check "four applied limit actions for d's vda (the totals were already 0): $n" test "$n" = 4
check "the reason names 05-iotune" test "$(actions_py "all(x['reason'].startswith('05-iotune/iotune') for x in a if x['subject'] == 'guest:$(g_dom d)/vda')")" = True

# x: its disk is reported, its limits untouched, its balloon still grown.
p=$(api_out GET /v1/plan)
check "the plan reports x's vda: its maximum lacks write_iops_sec" \
	test "$(jq_get "$p" "'max_write_iops_sec' in j['plan']['errors']['disks']['$(g_dom x)']['vda']")" = True
check "a refused action says x's vda was skipped" test \
	"$(actions_py "any(x['result'] == 'refused' and x['detail'].startswith('skipped:') for x in a if x['subject'] == 'guest:$(g_dom x)/vda')")" = True
check "x's vda keeps its limits (read_iops_sec $(iot x read_iops_sec))" test "$(iot x read_iops_sec)" = 0
# The balloon controller grows x toward its maximum (02-balloon without
# pressure) and KSM is planned: neither stops for the failing disk.
grown() { [ "$(g_memstat x actual)" -gt $((200 * 1024)) ]; }
check "x's balloon is grown by the balloon controller (actual $(g_memstat x actual) KiB)" \
	wait_slow 60 "x grown" grown
check "KSM is still planned (ksm_run $(jq_get "$p" "j['plan']['host'].get('ksm_run')"))" \
	test "$(jq_get "$p" "'ksm_run' in j['plan']['host']")" = True

# vdsm turns I/O tuning off: every limit is cleared.
api PATCH /v1/parameters '{"ioTuneEnabled": false}' >/dev/null || not_ok "PATCH ioTuneEnabled"
check "ioTuneEnabled false: d's vda unlimited again" wait_slow 60 "d cleared" limited d 0 0 0 0

cd_stop
momd_stop
check "momd's log has no sanitizer report" \
	bash -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' '$T_TMP/momd.log'"
g_destroy_all
g_cleanup
left=$(g_virsh list --all --name 2>/dev/null | grep "^$G_PREFIX")
check "no domain of ours remains${left:+: $left}" test -z "$left"
done_testing
