#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# stale_data.sh: momd acts only on fresh samples.
#
# The real pipeline (Debian's collectd with both plugins from the build
# tree -> the real momd) on a private test-driver libvirtd, with the host
# under simulated memory pressure (fixture meminfo, 10 % free) and a
# scratch KSM directory shared by the read plugin and momd.  At 1 s
# intervals:
#  1. collectd is stopped (SIGSTOP) mid-run: within two intervals momd holds
#     (status, metric, one log line); while it holds, a KSM knob someone
#     else moved stays moved and turning ballooning on moves no balloon;
#     collectd continues (SIGCONT): momd acts again by itself;
#  2. the host's meminfo stops parsing (the read plugin then sends no host
#     memory): momd holds the same way, and resumes when it parses again;
#  3. one guest's samples stop while the other's continue (its domain is
#     destroyed): that guest is left out and left alone (no action, listed
#     in the status and the metric, one log line), the other is still
#     served; its samples return when it starts again.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/libvirt.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

lv_start || { not_ok "private libvirtd starts"; done_testing; }
lv_define st1 1024 1024 || not_ok "define st1"
lv_define st2 1024 1024 || not_ok "define st2"

R=$T_TMP/root
KSM=$T_TMP/ksm
pl_ksm_scratch "$KSM"
pl_root "$R" "$KSM"
pl_meminfo "$R" 10000000 1000000 1500000

momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$LV_URI" \
	--ksm-dir "$KSM" --interval-ms 1000 --settle-ms 300 \
	--rail-stale-ms 0 || { not_ok "momd starts"; done_testing; }

conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
pl_plugins "$LV_URI" "$R" 1 "st*" >>"$conf"
cd_start "$conf"
pl_watchdog "$MOMD_PID" "$CD_PID"

sample() { momapi GET /v1/status ".samples.$1"; }
host_stale() { [ "$(sample host_stale)" = "$1" ]; }
now_ms() { echo $(($(date +%s%N) / 1000000)); }
# actions_after MS [SUBJECT]: how many actions are newer than MS.
actions_after() {
	actions_py "len([x for x in a if x['time_ms'] > $1 and ('${2:-}' == '' or x['subject'] == '${2:-}')])"
}
held() { sample held_cycles; }
held_ge() { [ "$(held)" -ge "$1" ]; }
metric() { curl -s --unix-socket "$MOMD_SOCK" http://momd/metrics | grep "^$1 "; }

check "samples arrive: st1 and st2 are active" wait_for 30 "st1, st2 in /v1/guests" \
	sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/guests | grep -q st1.*st2"
check "under pressure, momd switches KSM on (acting on fresh samples)" \
	wait_for 20 "run = 1" grep -qx 1 "$KSM/run"
check "status: host samples fresh" host_stale false
check "metric momd_host_samples_stale 0" sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/metrics | grep -qx 'momd_host_samples_stale 0'"
limit=$(sample stale_after_ms)
check "stale limit: 1.5 intervals (1500 ms)" [ "$limit" = 1500 ]

# ---- 1. collectd stopped mid-run.
kill -STOP "$CD_PID"
t_stop=$(now_ms)
at_exit "kill -CONT $CD_PID"
check "collectd stopped: status says host samples are stale" \
	wait_for 10 "host_stale true" host_stale true
t_held=$(now_ms)
diag "stale-data stop time: momd held $((t_held - t_stop)) ms after collectd stopped (interval 1000 ms, limit $limit ms)"
check "no action later than two intervals after the stop" \
	[ "$(actions_after $((t_stop + 2000)))" = 0 ]
check "metric momd_host_samples_stale 1" sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/metrics | grep -qx 'momd_host_samples_stale 1'"
check "one log line says so" \
	[ "$(grep -c 'host samples stopped: the newest arrived' "$T_TMP/momd.log")" = 1 ]
# Provoke it: with stale samples under pressure momd would write run=1 back
# (it reads the knob every cycle) and, with ballooning on, shrink guests.
echo 0 >"$KSM/run"
api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
check "balloonEnabled set while holding" [ "$API_STATUS" = 200 ]
h0=$(held)
check "cycles go on holding" wait_for 10 "3 held cycles" \
	held_ge $((h0 + 3))
check "while holding, the KSM knob someone else moved stays (run 0)" grep -qx 0 "$KSM/run"
check "while holding, no balloon moves and nothing is recorded" \
	[ "$(actions_after $((t_stop + 2000)))" = 0 ]
check "still one log line" \
	[ "$(grep -c 'host samples stopped' "$T_TMP/momd.log")" = 1 ]

t_cont=$(now_ms)
kill -CONT "$CD_PID"
check "collectd continues: momd resumes by itself" wait_for 10 "host_stale false" host_stale false
check "... and logs it once" grep -q 'host samples are back after' "$T_TMP/momd.log"
check "... KSM switched on again" wait_for 20 "run = 1" grep -qx 1 "$KSM/run"
balloon_moved() { [ "$(actions_py "len([x for x in a if x['time_ms'] > $t_cont and x['subject'].startswith('guest:') and x['result'] == 'applied'])")" -gt 0 ]; }
check "... balloons move (ballooning was turned on meanwhile)" \
	wait_for 20 "a balloon action" balloon_moved

# ---- 2. The host's meminfo stops parsing.
printf 'MemTotal: lots\n' >"$R/proc/meminfo.new" && mv "$R/proc/meminfo.new" "$R/proc/meminfo"
t_bad=$(now_ms)
check "meminfo unparsable: momd holds" wait_for 10 "host_stale true" host_stale true
diag "stale-data stop time (meminfo unparsable): $(($(now_ms) - t_bad)) ms"
# (the newest host sample without memory holds as soon as it settles,
# said in a line of its own, whichever comes first)
check "... and says so in a second log line" \
	[ "$(grep -cE 'host samples (stopped|without host memory)' "$T_TMP/momd.log")" = 2 ]
check "no action later than two intervals after meminfo broke" \
	[ "$(actions_after $((t_bad + 2000)))" = 0 ]
pl_meminfo "$R" 10000000 1000000 1500000
check "meminfo parses again: momd resumes" wait_for 10 "host_stale false" host_stale false

# ---- 3. One guest's samples stop while the other's continue.
# st2's lines before: collectd's SIGSTOP in part 1 can land between a
# read's host values and its guests' (split across write_mom batches on a
# slow run), so the guests went stale a cycle before the host held and
# were logged then; this part counts only the lines it causes.
st2_lines() { grep -c 'guest st2: no samples for' "$T_TMP/momd.log"; }
st2_before=$(st2_lines)
st2_back() { grep -c 'guest st2: samples are back' "$T_TMP/momd.log"; }
st2_back_before=$(st2_back)
lv_virsh destroy st2 >/dev/null
t_g=$(now_ms)
st2_stale() { [ "$(sample stale_guests)" = '["st2"]' ]; }
check "st2's samples stop: status lists st2 as stale" wait_for 10 "stale_guests [st2]" st2_stale
t_gs=$(now_ms)
check "metric momd_guest_samples_stale{guest=\"st2\"} 1" \
	sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/metrics | grep -qx 'momd_guest_samples_stale{guest=\"st2\"} 1'"
check "one log line for st2 ($st2_before before)" [ "$(st2_lines)" = $((st2_before + 1)) ]
check "st2 is left out of the guests the policies see" \
	sh -c "! curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/guests | grep -q st2"
check "the host is not held for one guest" host_stale false
# Shrink st1 back to full size from outside: momd shrinks it again, but
# records nothing for st2 (a set on the destroyed domain would fail).
lv_virsh setmem st1 1048576 --live >/dev/null 2>&1
st1_served() { [ "$(actions_after "$t_gs" guest:st1)" -gt 0 ]; }
check "st1 is still served" wait_for 20 "an action for st1" st1_served
check "no action for st2 later than two intervals after its samples stopped" \
	[ "$(actions_after $((t_g + 2000)) guest:st2)" = 0 ]
lv_virsh start st2 >/dev/null
check "st2 starts again: its samples are back" wait_for 20 "st2 not stale" \
	sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/guests | grep -q st2"
check "... and that is logged" wait_for 5 "log line" \
	sh -c "[ \"\$(grep -c 'guest st2: samples are back' '$T_TMP/momd.log')\" -gt $st2_back_before ]"

cd_stop
momd_stop
check "momd's log has no sanitizer report" \
	sh -c "! grep -q 'AddressSanitizer\|runtime error' '$T_TMP/momd.log'"
done_testing
