#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# agent_pipeline.sh: guest-agent statistics and the OOM rail (issue 18)
# end to end on real guests: Debian's collectd with both plugins
# (Interval 1, so AgentInterval 1 s by default), the real momd (interval
# 1 s), TCG guests running Debian's qemu-guest-agent (tests/lib/guests.sh).
# The host's memory is simulated as in real_guests.sh (tests/lib/pipeline.sh)
# with a scratch KSM directory; no shipped policy runs, only the test's.
#
# Guests: a, k, o with the agent, n without (--noagent); 256 MiB each.
#   1. a reports PSI, oom_kill, major faults, swap and meminfo as momd
#      fields (GET /v1/stats), matching the guest's own MemTotal;
#   2. n, without the agent, has its balloon statistics and is fresh in
#      momd (not in stale_guests), and no agent field;
#   3. a process allocating past a's memory raises a's oom_kill in momd;
#      a was never shrunk, so that is no harm event of the OOM rail;
#   4. k's agent killed inside k: k's agent values go absent (stale) with
#      agent_age still shown, while a's stay present and younger, and k's
#      balloon statistics keep coming;
#   5. the OOM rail: a test policy shrinks o to half its size (one step:
#      rail_max_shrink_pct 100); a process in o then allocates past what is
#      left and its kernel kills it; momd grows o back to its pre-shrink
#      size in the cycle that sees oom_kill rise (action reason oom_rail,
#      momd_oom_harm_events_total 1), and refuses the policy's shrink for
#      the cool-down while cycles go on.
# Waits have deadlines with wide margins: TCG guests on 2 busy cores, and a
# sanitized pass in CI.  Needs root.  About 2 minutes.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/guests.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "real guests need root (system libvirtd)"
	done_testing
fi
# On failure, keep the logs and consoles for a look.
pl_keep_logs agent_pipeline

# stat NAME FIELD: a guest field of momd's latest snapshot ("" if absent).
stat() {
	local j
	j=$(api_out GET /v1/stats) || return 1
	jq_get "$j" "j['guests']['$(g_dom "$1")']['$2']"
}
has() { [ -n "$(stat "$1" "$2" 2>/dev/null)" ]; }
# lacks NAME FIELD: the guest is in the snapshot without FIELD.
lacks() {
	api_out GET /v1/stats | python3 -c 'import json, sys
sys.exit(0 if sys.argv[2] not in json.load(sys.stdin)["guests"][sys.argv[1]] else 1)' "$(g_dom "$1")" "$2"
}
gt() { python3 -c 'import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)' "${1:-0}" "${2:-0}"; }
AGENT_FIELDS="psi_some_avg10 psi_some_avg60 psi_full_avg10 psi_full_avg60 oom_kill
	major_fault_agent swap_in_agent swap_out_agent allocstall mem_available_agent
	mem_usable_agent swap_total swap_free swap_usage agent_age"
has_all() {
	local f
	for f in $AGENT_FIELDS; do has "$1" "$f" || return 1; done
}
stale_guests() { jq_get "$(api_out GET /v1/status)" "j['samples']['stale_guests']"; }
cycles() { jq_get "$(api_out GET /v1/status)" "j['cycles']"; }
metric() { api_out GET /metrics | awk -v m="$1" '$1 == m {print $2}'; }

# 0. Image, libvirtd, guests.
g_build_image >"$T_TMP/build.out" 2>&1 || {
	not_ok "guest image build"
	tail -10 "$T_TMP/build.out" | sed 's/^/# /'
	done_testing
}
g_libvirtd_start || { not_ok "libvirtd"; done_testing; }
g_define a 256 && g_define k 256 && g_define o 256 && g_define n 256 --noagent &&
	g_start a k o n || { not_ok "define and start guests"; done_testing; }
for g in a k o n; do g_wait_ready $g 180 || { not_ok "guest $g ready"; done_testing; }; done
for g in a k o; do check "libvirt reaches $g's agent" g_wait_agent $g; done

# The pipeline: scratch KSM, a relaxed simulated host (no pressure), no
# policy yet; the shrink step unbounded so that one step makes o small.
K=$T_TMP/ksm
pl_ksm_scratch "$K"
R=$T_TMP/root
pl_root "$R" "$K"
pl_meminfo "$R" 4194304 3355443
mkdir -p "$T_TMP/policies"
momd_start --policy-dir "$T_TMP/policies" --libvirt-uri "$G_URI" \
	--ksm-dir "$K" --interval-ms 1000 --rail-max-shrink-pct 100 || {
	not_ok "momd starts"
	done_testing
}
conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
pl_plugins "$G_URI" "$R" 1 "${G_PREFIX}*" >>"$conf"
cd_start "$conf"
pl_watchdog "$MOMD_PID" "$CD_PID"
WAIT_PIDS="$MOMD_PID $CD_PID"

# 1. Every agent field of a reaches momd (the rates need two readings).
if wait_slow 90 "a has every agent field in momd" has_all a; then
	ok "a reports PSI, oom_kill, major faults, swap and meminfo in momd: $(api_out GET /v1/stats | python3 -c '
import json, sys; g = json.load(sys.stdin)["guests"][sys.argv[1]]
print(" ".join("%s=%s" % (f, g[f]) for f in sys.argv[2].split()))' "$(g_dom a)" "$AGENT_FIELDS")"
else
	not_ok "a reports every agent field"
	diag "$(api_out GET /v1/stats)"
	tail -5 "$T_TMP/collectd.log" | sed 's/^/# /'
fi
total=$(g_ctl a meminfo | tr -s ' ' '\n' | awk '$0 == "MemTotal:" {getline; print; exit}')
check "a's mem_available_agent is the guest's own MemTotal ($total KiB)" \
	[ "$(stat a mem_available_agent)" = "$total" ]
check "a's swap_usage is swap_total - swap_free" \
	[ "$(stat a swap_usage)" = "$(($(stat a swap_total) - $(stat a swap_free)))" ]

# 2. n has no agent: balloon statistics as usual, fresh, no agent field.
check "n (no agent) has its balloon statistics in momd" eval 'has n mem_unused && has n stats_age'
check "n is fresh in momd (not in stale_guests: $(stale_guests))" \
	eval '! stale_guests | grep -q "$(g_dom n)"'
lacking=1
for f in $AGENT_FIELDS; do lacks n "$f" || lacking=0; done
check "n has no agent field at all (absent, not 0)" [ $lacking = 1 ]

# 3. An OOM kill inside a raises its oom_kill in momd.
oom0=$(stat a oom_kill)
t0=$(_g_ms)
g_ctl a "hog 400" >"$T_TMP/hog-a.out" 2>&1
if wait_slow 30 "a's oom_kill rises in momd" eval 'gt "$(stat a oom_kill)" "$oom0"'; then
	ok "a's oom_kill rose in momd from $oom0 to $(stat a oom_kill) after 'hog 400' in 256 MiB"
	diag "seen $((($(_g_ms) - t0) / 1000)) s after the hog started (agent interval 1 s)"
else
	not_ok "a's oom_kill rises in momd"
fi
check "a was never shrunk: no harm event" [ "$(metric momd_oom_harm_events_total)" = 0 ]

# 4. k's agent killed: its agent values go stale (absent), a's do not.
g_ctl k "agent kill" >/dev/null || not_ok "agent kill in k"
if wait_slow 30 "k's agent values absent" eval 'lacks k psi_some_avg10 && lacks k oom_kill && has k agent_age'; then
	ok "k's agent values are absent once its agent is dead; agent_age shows $(stat k agent_age) s"
else
	not_ok "k's agent values go absent"
	diag "$(api_out GET /v1/stats)"
fi
check "a's agent values stay present meanwhile" has_all a
check "a's reading is younger than k's ($(stat a agent_age) s < $(stat k agent_age) s)" \
	gt "$(stat k agent_age)" "$(stat a agent_age)"
check "k's balloon statistics keep coming (fresh in momd)" \
	eval 'has k mem_unused && ! stale_guests | grep -q "$(g_dom k)"'

# 5. The OOM rail.  A policy shrinks o to half its maximum, every cycle.
max_o=$(stat o balloon_max)
half=$((max_o / 2))
api PUT /v1/policies/90-test-shrink-o "$(
	cat <<JSON
{"description": "test: shrink guest o to half its maximum",
 "guest": [{"rule": "shrink-o", "do": [
   {"if": ["==", ["name"], ["str", "$(g_dom o)"]],
    "then": [{"set": "balloon_target", "to": ["*", ["stat", "balloon_max"], 0.5]}]}]}]}
JSON
)" >/dev/null
check "test policy for o accepted" [ "$API_STATUS" = 200 ]
check "o shrinks to half its size ($half KiB)" g_wait_actual o "$half" 60
# What is left is about 128 MiB, some of it the guest's own: 200 MiB more
# cannot fit, so the kernel kills the hog.
oom0=$(stat o oom_kill)
g_ctl o "hog 200" >"$T_TMP/hog-o.out" 2>&1
rail() {
	actions_py "[x for x in a if x['subject'] == 'guest:$(g_dom o)' and x['reason'] == 'oom_rail'][0]"
}
if wait_slow 60 "the OOM rail acts on o" rail; then
	r=$(rail)
	ok "the OOM rail acted on o: $(jq_get "$r" "j['detail']")"
	check "it grew o back to its pre-shrink size ($max_o KiB), applied" \
		eval '[ "$(jq_get "$r" "j[\"result\"]")" = applied ] && [ "$(jq_get "$r" "j[\"new\"]")" = "$max_o" ]'
	# The run of shrinks began at o's maximum; the size it reached is the
	# last step's, which the used floor may have moved once the hog grew
	# (149050 KiB in one CI run), so only its being below is asserted.
	check "its detail names the shrink run from $max_o KiB and the rise of oom_kill" \
		eval 'jq_get "$r" "j[\"detail\"]" | grep -Eq "oom_kill rose from [0-9]+ to [0-9]+ after the shrink from $max_o to [0-9]+ KiB"'
	shrunk_to=$(jq_get "$r" "j['detail']" | sed -En "s/.* after the shrink from $max_o to ([0-9]+) KiB.*/\1/p")
	check "... to a size below it (${shrunk_to:-none} KiB)" \
		[ "${shrunk_to:-$max_o}" -lt "$max_o" ]
	check "that grow is the next action on o after the shrink" \
		[ "$(actions_py "[x['reason'] for x in a if x['subject'] == 'guest:$(g_dom o)' and x['result'] == 'applied'][-1]")" = oom_rail ]
else
	not_ok "the OOM rail acts on o (oom_kill $oom0 -> $(stat o oom_kill); hog: $(cut -c1-60 "$T_TMP/hog-o.out"))"
	tail -5 "$T_TMP/momd.log" | sed 's/^/# /'
fi
check "o is back at $max_o KiB" g_wait_actual o "$max_o" 60
check "momd_oom_harm_events_total counts one event" [ "$(metric momd_oom_harm_events_total)" = 1 ]
# The policy keeps asking for the shrink: held for the cool-down
# (rail_oom_cooldown_ms, 10 min by default) while momd's cycles go on.
c0=$(cycles)
wait_slow 60 "5 more cycles" eval '[ "$(cycles)" -ge $((c0 + 5)) ]' || not_ok "momd keeps cycling"
check "the shrink is refused by the OOM rail during the cool-down" \
	eval 'actions_py "[x for x in a if x[\"subject\"] == \"guest:$(g_dom o)\" and x[\"result\"] == \"refused\" and \"held by the OOM rail\" in x[\"detail\"]][0]" >/dev/null'
check "o was not shrunk again ($(g_actual o) KiB, last applied: $(actions_py "[x['reason'] for x in a if x['subject'] == 'guest:$(g_dom o)' and x['result'] == 'applied'][-1]"))" \
	eval '[ "$(g_actual o)" = "$max_o" ] && [ "$(actions_py "[x[\"reason\"] for x in a if x[\"subject\"] == \"guest:$(g_dom o)\" and x[\"result\"] == \"applied\"][-1]")" = oom_rail ]'
done_testing
