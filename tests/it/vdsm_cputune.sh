#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# vdsm_cputune.sh: on real guests, the engine's CPU limit (vdsm's tune
# metadata qos/vcpuLimit) reaches the running VM as MOM's CpuTune did
# (issue 17): the shipped policies (04-cputune) decide the vCPU quota and
# period, the CpuTune controller writes them live, and libvirt shows them
# (virsh schedinfo).  A guest without the metadata is left unlimited;
# changing the metadata at run time changes the limit; cpuTuneEnabled
# false (the API parameter vdsm sets) lifts every limit.
#
# Real TCG guests under the system libvirtd (tests/lib/guests.sh), Debian's
# collectd with both plugins (Interval 1), the real momd with the shipped
# policies, balloonEnabled off and the host not under memory pressure, so
# no balloon moves.  The host's CPU count is the fixture's: a cpuinfo of 4
# processors, so that the expected values do not depend on the machine:
# 4 CPUs, 2 vCPUs, 50 % -> 0.5 x 100000 x 4 / 2 = 100000 us per 100000 us;
# 10 % -> 20000 / 100000.  KSM is a scratch directory.  Needs root and a
# cgroup CPU controller for the guests (else skipped, saying so).  Two
# 256 MiB guests, about a minute plus waiting for the guests' lock.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/guests.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

pl_guests_begin vdsm_cputune

# c: 2 vCPUs limited to 50 % by vdsm's metadata; u: no metadata.
if g_define c 256 --vcpus 2 --vcpu-limit 50 && g_define u 256; then
	ok "guests c (2 vCPUs, vcpuLimit 50) and u (no tune metadata) defined"
else
	not_ok "define guests"
	done_testing
fi
g_start c u || not_ok "start guests"
for g in c u; do
	g_wait_ready $g 180 || {
		not_ok "guest $g ready"
		done_testing
	}
done
# sched NAME PARAM: a live scheduler parameter as virsh schedinfo shows it.
sched() { g_virsh schedinfo "$(g_dom "$1")" --live | awk -v k="$2" '$1 == k {print $3}'; }
# unlimited V: libvirt's "no quota": -1 (cgroup v1) or its largest quota or
# above (cgroup v2): 17592186044415 (2^44 - 1) since libvirt 7.0,
# 18446744073709551 before.  Compared by length, then as text, since the
# values do not fit every shell's arithmetic.
unlimited() {
	[ "$1" = -1 ] && return 0
	case $1 in '' | *[!0-9]* | 0?*) return 1 ;; esac
	[ "${#1}" -gt 14 ] ||
		{ [ "${#1}" -eq 14 ] && ! [[ $1 < 17592186044415 ]]; }
}
q0=$(sched u vcpu_quota)
if [ -z "$q0" ]; then
	skip "libvirt reports no vcpu_quota for the guests (no cgroup CPU controller): $(g_virsh schedinfo "$(g_dom u)" --live | tr '\n' ' ')"
	g_destroy_all
	g_cleanup
	done_testing
fi
diag "u's quota before momd: $q0, period $(sched u vcpu_period)"
check "the tune metadata is vdsm's" grep -q 'vcpuLimit>50' \
	<(g_virsh metadata "$(g_dom c)" http://ovirt.org/vm/tune/1.0)

mkdir -p "$T_TMP/ksm"
pl_ksm_scratch "$T_TMP/ksm"
R=$T_TMP/root
pl_root "$R" "$T_TMP/ksm"
for i in 0 1 2 3; do printf 'processor\t: %d\n\n' "$i"; done >"$R/proc/cpuinfo"
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

# tuned NAME QUOTA PERIOD: libvirt shows that pair for the guest.
tuned() { [ "$(sched "$1" vcpu_quota)" = "$2" ] && [ "$(sched "$1" vcpu_period)" = "$3" ]; }
is_unlimited() { unlimited "$(sched "$1" vcpu_quota)"; }
# The first decision needs collectd's first reads and momd's first cycle
# with them; 90 s because guests, collectd and momd share 2 busy cores
# (and a sanitized build in CI).
check "c gets 04-cputune's 100000 / 100000 (4 CPUs, 2 vCPUs, 50 %)" \
	wait_slow 90 "c tuned" tuned c 100000 100000
s=$(api_out GET /v1/stats)
check "momd sees c's vcpu_count 2 and vcpu_user_limit 50" test \
	"$(jq_get "$s" "[j['guests']['$(g_dom c)'][k] for k in ('vcpu_count', 'vcpu_user_limit')]")" = "[2, 50]"
check "u (no metadata) reads vcpu_user_limit 100" test \
	"$(jq_get "$s" "j['guests']['$(g_dom u)']['vcpu_user_limit']")" = 100
check "u stays unlimited ($(sched u vcpu_quota))" is_unlimited u
n=$(actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom c)' and x['control'] == 'vcpu_quota' and x['result'] == 'applied'])")
check "one applied quota action for c, with its reason ($n)" test "$n" = 1
check "the reason names 04-cputune" test "$(actions_py "[x['reason'] for x in a if x['subject'] == 'guest:$(g_dom c)' and x['control'] == 'vcpu_quota'][0].startswith('04-cputune/cputune')")" = True

# The engine lowers the limit at run time, as vdsm's updateVmPolicy does.
t0=$(_g_ms)
g_virsh metadata "$(g_dom c)" http://ovirt.org/vm/tune/1.0 --key ovirt-tune --live \
	--set '<qos><vcpuLimit>10</vcpuLimit></qos>' || not_ok "set the metadata"
# Design bound: one collectd read (1 s) and one momd cycle (1 s) after the
# change; the deadline is far above it for the same busy-machine reason.
check "c follows the new limit: 20000 / 100000" wait_slow 60 "c retuned" tuned c 20000 100000
diag "metadata change to libvirt: $((($(_g_ms) - t0)))ms (intervals 1 s)"
n=$(actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom c)' and x['control'] == 'vcpu_quota' and x['result'] == 'applied'])")
check "written once more, not every cycle ($n applied)" test "$n" = 2

# vdsm turns CPU tuning off: every limit is lifted.
api PATCH /v1/parameters '{"cpuTuneEnabled": false}' >/dev/null || not_ok "PATCH cpuTuneEnabled"
check "cpuTuneEnabled false: c unlimited again" wait_slow 60 "c unlimited" is_unlimited c
check "c's period back to 100000" test "$(sched c vcpu_period)" = 100000

cd_stop
momd_stop
check "momd's log has no sanitizer report" \
	bash -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' '$T_TMP/momd.log'"
g_destroy_all
g_cleanup
left=$(g_virsh list --all --name 2>/dev/null | grep "^$G_PREFIX")
check "no domain of ours remains${left:+: $left}" test -z "$left"
done_testing
