#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# vdsm_guests.sh: on real guests, momd leaves alone what MOM under vdsm left
# alone (issue 16): a VM whose vdsm metadata disables ballooning
# (<ovirt-vm:ballooningEnabled>false) and a paused VM are never ballooned
# while the policy would shrink them, and each refusal says why; a third,
# ordinary guest shrinks under the same policy, so the policy did decide.
#
# Real TCG guests under the system libvirtd (tests/lib/guests.sh), Debian's
# collectd with both plugins (Interval 1), the real momd on a test policy
# that shrinks every guest reporting a balloon size by 5 % a cycle.  The
# host's memory is the pipeline fixture's (tests/lib/pipeline.sh) and KSM a
# scratch directory: nothing but the guests touches the host.  momd runs
# with --rail-stale-ms 0 so that the paused guest's frozen statistics do
# not get it refused by the staleness rail first: the refusal must come from
# the check right before libvirt is asked.  Needs root.  Kept short: three
# 256 MiB guests, about a minute plus waiting for the guests' lock.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/guests.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

pl_guests_begin vdsm_guests

# e: ordinary; d: ballooning disabled by vdsm; p: paused before momd starts.
if g_define e 256 && g_define d 256 && g_define p 256 &&
	g_virsh metadata "$(g_dom d)" http://ovirt.org/vm/1.0 --key ovirt-vm --config \
		--set '<vm><ballooningEnabled>false</ballooningEnabled></vm>'; then
	ok "guests e, d (vdsm metadata: ballooningEnabled false), p defined"
else
	not_ok "define guests"
	done_testing
fi
g_start e d p || not_ok "start guests"
for g in e d p; do
	g_wait_ready $g 180 || {
		not_ok "guest $g ready"
		done_testing
	}
done
check "the metadata is what vdsm writes" grep -q 'ballooningEnabled>false' \
	<(g_virsh metadata "$(g_dom d)" http://ovirt.org/vm/1.0)
g_virsh suspend "$(g_dom p)" >/dev/null
check "p is paused" test "$(g_virsh domstate "$(g_dom p)")" = paused
d0=$(g_actual d)
p0=$(g_actual p)
e0=$(g_actual e)

mkdir -p "$T_TMP/pol" "$T_TMP/ksm"
for f in run pages_to_scan sleep_millisecs merge_across_nodes pages_shared pages_sharing; do
	echo 0 >"$T_TMP/ksm/$f"
done
cat >"$T_TMP/pol/50-shrink.json" <<'JSON'
{"description": "test: shrink every guest that reports a balloon size by 5 % a cycle",
 "guest": [{"rule": "shrink", "do": [
   {"if": ["present", ["stat", "balloon_cur"]],
    "then": [{"set": "balloon_target", "to": ["*", ["stat", "balloon_cur"], 0.95]}]}]}]}
JSON
R=$T_TMP/root
pl_root "$R" "$T_TMP/ksm"
pl_meminfo "$R" 4194304 419430
momd_start --policy-dir "$T_TMP/pol" --libvirt-uri "$G_URI" \
	--ksm-dir "$T_TMP/ksm" --interval-ms 1000 --rail-stale-ms 0 || {
	not_ok "momd starts"
	done_testing
}
conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
pl_plugins "$G_URI" "$R" 1 "${G_PREFIX}*" >>"$conf"
cd_start "$conf"
pl_watchdog "$MOMD_PID" "$CD_PID"

# refused NAME WORDS: momd recorded a refusal for NAME whose detail has WORDS.
refused() {
	[ "$(actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom "$1")'
		and x['result'] == 'refused' and '$2' in x['detail']])")" -ge 1 ]
}
applied() {
	actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom "$1")'
		and x['result'] == 'applied' and x['new'] < x['old']])"
}
check "the policy shrinks e (two applied shrinks)" \
	wait_slow 90 "e shrunk twice" eval '[ "$(applied e)" -ge 2 ]'
check "d: refused, ballooning disabled in vdsm's metadata" \
	wait_slow 30 "d refused" refused d "ballooningEnabled false"
check "p: refused, not running" wait_slow 30 "p refused" refused p "not running"
diag "e: $e0 -> $(g_actual e) KiB; d: $d0 -> $(g_actual d); p: $p0 -> $(g_actual p)"
check "d was never ballooned (no applied action)" test "$(applied d)" = 0
check "p was never ballooned (no applied action)" test "$(applied p)" = 0
check "d's balloon is where it started ($d0 KiB)" test "$(g_actual d)" = "$d0"
check "p's balloon is where it started ($p0 KiB)" test "$(g_actual p)" = "$p0"
check "e's balloon did move ($e0 -> $(g_actual e) KiB)" test "$(g_actual e)" -lt "$e0"
n=$(actions_py "len([x for x in a if x['subject'] == 'guest:$(g_dom d)' and x['result'] == 'refused'])")
check "a refusal that holds is recorded once, not every cycle ($n)" test "$n" -le 2
cd_stop
momd_stop
check "momd's log has no sanitizer report" \
	bash -c "! grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' '$T_TMP/momd.log'"
g_destroy_all
g_cleanup
left=$(g_virsh list --all --name 2>/dev/null | grep "^$G_PREFIX")
check "no domain of ours remains${left:+: $left}" test -z "$left"
done_testing
