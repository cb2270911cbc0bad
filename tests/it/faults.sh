#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# faults.sh: momd facing faults, each reported and contained.
#
# Covered elsewhere (not repeated here):
#  - libvirtd restarted while collectd runs: tests/it/read_plugin.sh (the
#    read plugin reconnects, values resume);
#  - momd SIGKILLed and restarted while collectd writes to it:
#    tests/it/write_plugin.sh (csv keeps advancing, the write plugin
#    reconnects and resumes).
# Here:
#  0. libvirtd stopped (SIGSTOP) while a cycle sets a balloon: the cycle
#     waits, but /metrics, /v1/plan and ingest keep answering;
#  1. libvirtd restarted under momd: momd reconnects and balloons again;
#  2. momd SIGKILLed under an ingest stream and restarted: the policies and
#     parameters set through the API are back, no temporary file is left
#     in state_dir, ingest resumes;
#  3. a KSM write refused by the host (a read-only bind mount of the
#     scratch KSM directory, in a private mount namespace): reported as a
#     failed action, balloons still applied;
#  4. a domain that vanishes between decision and action: the failure is
#     reported, the other guest is still served, momd lives;
#  5. guests whose statistics stop: forgotten after expiry_ms, logged;
#  6. SIGTERM under load stops momd within 2 s; SIGHUP reloads the
#     configuration (live options applied, a broken file keeps the one in
#     force).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/libvirt.sh"
. "$ROOT/tests/lib/api.sh"

lv_start || { not_ok "private libvirtd starts"; done_testing; }
lv_define fa1 1024 1024
lv_define fa2 1024 1024
echo '{"interval_ms": 300, "rail_stale_ms": 0}' >"$T_TMP/momd.json"

# The balloon policy shrinks guests whose memory is unused when the host is
# short; balloonEnabled on.
balloon_on() { api PATCH /v1/parameters '{"balloonEnabled": true}'; }

rec() { printf '{"values":[%s],"dstypes":["gauge"],"dsnames":["value"],"time":%s,"interval":1,"host":"hv","plugin":"mom","plugin_instance":"%s","type":"%s","type_instance":"%s"}' "$4" "$NOW" "$1" "$2" "$3"; }
# post_round [GUEST...]: one host sample (memory short) and one per guest.
post_round() {
	local g
	NOW=$(date +%s.%N | cut -c1-14)
	api POST /v1/metrics "[$(rec "" memory total 8589934592),$(rec "" memory free 268435456),$(rec "" memory available 268435456)]"
	for g in "$@"; do
		api POST /v1/metrics "[$(rec "$g" memory actual 1073741824),$(rec "$g" memory maximum 1073741824),$(rec "$g" memory minimum 0),$(rec "$g" memory unused 805306368),$(rec "$g" memory available 1073741824),$(rec "$g" memory usable 805306368)]"
	done
}
actions_since() { # TIME_MS: actions newer than TIME_MS as JSON
	momapi --arg since "$1" GET "/v1/actions?limit=200" \
		'[a for a in j if a["time_ms"] > int(since)]'
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
has_action() { # SINCE_MS SUBJECT RESULT
	[ "$(momapi --arg since "$1" --arg s "$2" --arg r "$3" GET "/v1/actions?limit=200" \
		'any(a["time_ms"] > int(since) and a["subject"] == s and a["result"] == r for a in j)')" = true ]
}
applied_for() { # GUEST SINCE_MS
	post_round fa1 fa2
	has_action "$2" "guest:$1" applied
}

momd_start --config "$T_TMP/momd.json" --libvirt-uri "$LV_URI" || { not_ok "momd starts"; done_testing; }
balloon_on
t=$(now_ms)
check "momd balloons fa1 against the private libvirtd" wait_for 20 "a balloon applied" applied_for fa1 "$t"

# --- 0. libvirtd stopped under momd.  fa5 is new: the next cycle decides a
# balloon for it and calls libvirt, which does not answer until SIGCONT.
lv_define fa5 1024 1024
cycles() { momapi --timeout 2 GET /v1/status .cycles 2>/dev/null; }
kill -STOP "$LV_PID"
at_exit kill -CONT "$LV_PID"
post_round fa5
c0=$(cycles)
stalled() { post_round fa5; [ "$(cycles)" = "$c1" ]; }
# The cycle count stops moving once a cycle waits for libvirtd.
c1=$(cycles); nap 1; c1=$(cycles)
if wait_for 15 "a cycle waiting for the stopped libvirtd" stalled; then
	ok "a cycle waits for the stopped libvirtd (cycles stay at $c1, were $c0)"
else
	not_ok "a cycle waits for the stopped libvirtd (cycles $c0 -> $(cycles))"
fi
slow=""
for i in 1 2 3; do
	for p in /metrics /v1/plan /v1/status; do
		curl -s -f -m 2 -o /dev/null --unix-socket "$MOMD_SOCK" "http://momd$p" || slow+=" $p"
	done
	NOW=$(date +%s.%N | cut -c1-14)
	curl -s -f -m 2 -o /dev/null --unix-socket "$MOMD_SOCK" -H 'Content-Type: application/json' \
		--data-binary "[$(rec "" memory total 8589934592)]" http://momd/v1/metrics || slow+=" ingest"
done
check "while libvirtd is stopped, /metrics, /v1/plan, /v1/status and ingest answer within 2 s${slow:+ (not:$slow)}" \
	[ -z "$slow" ]
kill -CONT "$LV_PID"
moving() { post_round fa5; [ "$(cycles)" -gt "$c1" ]; }
check "after SIGCONT the cycles go on" wait_for 20 "cycles move again" moving

# --- 1. libvirtd restarted under momd.
lv_restart || not_ok "libvirtd restarts"
lv_define fa1 1024 1024
lv_define fa2 1024 1024
lv_define fa4 1024 1024
t=$(now_ms)
applied_fa4() { post_round fa4; has_action "$t" guest:fa4 applied; }
check "after a libvirtd restart momd reconnects and balloons a new guest" wait_for 30 "a balloon applied after the restart" applied_fa4
check "momd survived the libvirtd restart" kill -0 "$MOMD_PID"

# --- 2. SIGKILL under an ingest stream, then restart.
api PUT /v1/policies/01-fault '{"parameters": {"faultp": {"default": 1}}}'
api PATCH /v1/parameters '{"faultp": 7}'
pol_before=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/policies)
par_before=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/parameters)
( for i in $(seq 3000); do
	curl -s -o /dev/null --max-time 2 --unix-socket "$MOMD_SOCK" -H 'Content-Type: application/json' \
		-d "[$(NOW=$i rec g9 memory actual 1)]" http://momd/v1/metrics
	# A policy write racing the kill: its file must be whole or absent.
	[ $((i % 50)) = 0 ] && curl -s -o /dev/null --max-time 2 --unix-socket "$MOMD_SOCK" -X PATCH \
		-H 'Content-Type: application/json' -d '{"faultp": 7}' http://momd/v1/parameters
done ) >/dev/null 2>&1 &
LOAD=$!
at_exit kill "$LOAD"
wait_for 10 "ingest flows" sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/status | grep -q '\"batches\":[1-9][0-9]'"
kill -9 "$MOMD_PID"
wait "$MOMD_PID" 2>/dev/null
ok "momd SIGKILLed while ingest and parameter writes flow"
check "state files are whole JSON after the kill" \
	eval 'momapi json --file "$MOMD_STATE/policies.json" . >/dev/null &&
		momapi json --file "$MOMD_STATE/parameters.json" . >/dev/null'
momd_start --config "$T_TMP/momd.json" --libvirt-uri "$LV_URI" || not_ok "momd restarts after SIGKILL"
check "no temporary file left in state_dir after the restart" [ -z "$(find "$MOMD_STATE" -name '.*')" ]
check "policies set through the API are back" [ "$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/policies)" = "$pol_before" ]
check "parameters set through the API are back" [ "$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/parameters)" = "$par_before" ]
check "ingest resumes after the restart" wait_for 10 "batches counted" \
	sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/status | grep -q '\"batches\":[1-9]'"
kill "$LOAD" 2>/dev/null
wait "$LOAD" 2>/dev/null

# --- 6a. SIGTERM under load stops within 2 s.
batches() { momapi GET /v1/status .ingest.batches; }
batches_above() { [ "$(batches)" -gt "$1" ]; }
b0=$(batches)
( for i in $(seq 2000); do
	curl -s -o /dev/null --max-time 2 --unix-socket "$MOMD_SOCK" -H 'Content-Type: application/json' \
		-d "[$(NOW=$i rec g9 memory actual 1)]" http://momd/v1/metrics || true
done ) >/dev/null 2>&1 &
LOAD=$!
# The stream is flowing (momd counted a batch of it) before the signal.
wait_for 10 "the stream reaches momd" batches_above "${b0:-0}"
t0=$(date +%s%N)
kill -TERM "$MOMD_PID"
check "SIGTERM under load: momd exits" wait_for 30 "momd exits" sh -c "! kill -0 $MOMD_PID"
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
kill "$LOAD" 2>/dev/null
diag "SIGTERM under load: momd exited after ${ms} ms"
wait "$MOMD_PID"
check "... with status 0" [ $? = 0 ]

# --- 3. A KSM write refused: the KSM directory read-only (bind mount in a
# private mount namespace, so root cannot write either).
if unshare -m --propagation private true 2>/dev/null; then
	echo '{"host": [{"rule": "k", "do": [{"set": "ksm_pages_to_scan", "to": 55}]}]}' >"$MOMD_POLICIES/60-ksmfault.json"
	rm -f "$MOMD_POLICIES/03-ksm.json"
	unshare -m --propagation private sh -c \
		'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"' sh \
		"$MOMD_KSM" "$BUILD/momd" --socket "$MOMD_SOCK" --policy-dir "$MOMD_POLICIES" \
		--state-dir "$MOMD_STATE" --libvirt-uri "$LV_URI" --ksm-dir "$MOMD_KSM" \
		--config "$T_TMP/momd.json" >>"$MOMD_LOG" 2>&1 &
	MOMD_PID=$!
	at_exit stop_pid "$MOMD_PID"
	wait_for 10 "momd answers" curl -sf --unix-socket "$MOMD_SOCK" http://momd/v1/ping
	t=$(now_ms)
	ksm_failed() { post_round fa1 fa2; actions_since "$t" | grep -q 'Read-only file system'; }
	check "a refused KSM write is reported (failed, Read-only file system)" wait_for 20 "a failed KSM action" ksm_failed
	c0=$(momapi GET /v1/status .cycles)
	cycles_on() { post_round fa1; [ "$(momapi GET /v1/status .cycles)" -ge $((c0 + 3)) ]; }
	check "cycles go on meanwhile" wait_for 20 "3 more cycles" cycles_on
	check "the KSM file is unchanged" [ "$(cat "$MOMD_KSM/pages_to_scan")" = 0 ]
	check "the host's mounts are untouched" sh -c "! grep -q '$MOMD_KSM' /proc/self/mounts"
	kill -0 "$MOMD_PID" && ok "momd lives on with a read-only KSM directory" || not_ok "momd lives on"
	momd_stop
	rm -f "$MOMD_POLICIES/60-ksmfault.json"
	cp "$ROOT/policies/03-ksm.json" "$MOMD_POLICIES/"
else
	skip "KSM write refused: no private mount namespace here (unshare -m)"
fi

# --- 4. A domain vanishing between decision and action: fa3 is reported
# (its samples arrive) but is gone from libvirt when the balloon is set.
# --- 5. A guest whose statistics stop: forgotten after expiry_ms.
echo '{"interval_ms": 300, "rail_stale_ms": 0, "expiry_ms": 2000}' >"$T_TMP/momd.json"
momd_start --config "$T_TMP/momd.json" --libvirt-uri "$LV_URI" || not_ok "momd restarts"
balloon_on
lv_define fa3 1024 1024
lv_virsh "destroy fa3; undefine fa3" >/dev/null 2>&1
t=$(now_ms)
vanished() { post_round fa1 fa3; has_action "$t" guest:fa3 failed; }
check "a vanished domain's balloon change is reported as failed" wait_for 20 "a failed action for fa3" vanished
check "momd lives on after the domain vanished" kill -0 "$MOMD_PID"
host_only() { NOW=$(date +%s.%N | cut -c1-14); api POST /v1/metrics "[$(rec "" memory total 8589934592),$(rec "" memory free 268435456)]"; }
gone() { host_only; api GET /v1/guests; [ "$(jv '"fa1" in j or "fa3" in j')" = false ]; }
check "guests whose statistics stopped are forgotten after expiry_ms" wait_for 20 "fa1 and fa3 forgotten" gone
# (momd logs it just after the store forgot them, which the API shows
# first.)
check "... and that is logged" wait_for 10 "forgot logged" \
	grep -q 'forgot [0-9]* guest(s) that stopped reporting' "$MOMD_LOG"

# --- 6b. SIGHUP: configuration reload.
# (momd_start passes --interval-ms, which overrides the file, also on
# reload: dry_run shows a live option instead.)
echo '{"dry_run": true, "log_level": "debug", "history": 4}' >"$T_TMP/momd.json"
kill -HUP "$MOMD_PID"
dry() { curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/dry-run | grep -q '"enabled":true'; }
check "SIGHUP applies dry_run live" wait_for 10 "dry run on" dry
check "SIGHUP applies log_level live" wait_for 5 "log level debug" sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/log-level | grep -q debug"
check "SIGHUP names the options that need a restart" grep -q 'history changed; it takes effect at the next restart' "$MOMD_LOG"
echo '{"dry_run": false, "rail_stale_ms": "soon"}' >"$T_TMP/momd.json"
kill -HUP "$MOMD_PID"
check "SIGHUP with a broken configuration keeps the one in force" wait_for 10 "refusal logged" grep -q 'configuration not reloaded, the one in force stays' "$MOMD_LOG"
check "... dry run still on" dry
check "momd lives on after the reloads" kill -0 "$MOMD_PID"

momd_log_clean
done_testing
