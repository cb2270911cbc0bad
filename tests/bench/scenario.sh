#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# scenario.sh: the side-by-side balloon benchmark of issue 19 on 4 real TCG
# guests (tests/lib/guests.sh).  Measures and prints; asserts nothing.
#
# Guests (512 MiB, guaranteed minimum 128 MiB, one workload each, from
# tests/guest/workload.c, started over the control channel at t0):
#   idle    nothing
#   cache   a 150 MiB file in the guest's tmpfs read at 100 MiB/s (tmpfs:
#           the guest cannot drop it, unlike disk page cache)
#   svc     a service holding 50 MiB touched at 100 MiB/s that grows to
#           $RAMP_MIB MiB from t = $RAMP s at $RAMP_RATE MiB/s, in 16 MiB
#           mmaps each touched as it is mapped (a heap growing: the growth
#           is memory in use the policies can see; the earlier single
#           250 MiB mmap was refused outright by a guest the balloon had
#           shrunk, so the ramp never happened and nothing counted it)
#   batch   every 15 s allocates and touches 200 MiB, holds it 5 s
# Host: the read plugin's meminfo, simulated (tests/lib/pipeline.sh):
# 4 GiB; free = the phase's free memory with every guest at its maximum
# (calm 35 %, pressure from $P0 s to $P1 s 8 %, relieved 35 %) + what the
# balloons hold back, so reclaiming relieves the host as it would a real
# one.  scenario.py writes it and samples the guests once a second.
# Arms, in turn on the same guests (the order rotates between trials), each
# from the same start (workloads stopped, every guest squeezed to 200 MiB
# and back to 512 MiB, momd restarted with a fresh state and $HISTORY calm
# samples):
#   unmanaged   00-defines only: no balloon policy (the progress reference)
#   mom         00-defines + 02-balloon (MOM's defaults), balloonEnabled on
#   proxmox     00-defines + policies/examples/02-balloon-proxmox-style.json
#   adaptive    the policy set in $SCENARIO_ADAPTIVE_DIR (default
#               policies/adaptive/) plus 00-defines.json when it lacks one;
#               skipped with a line saying so while the directory does not
#               exist
# KSM is left alone (no KSM policy in any arm).
#
# Reported (tests/bench/scenario.py report): one Markdown table of medians
# over $BENCH_SCENARIO_TRIALS trials (default 2, ~13 min on 2 cores), and
# one timeline per arm (the last trial) in $BUILD/bench/scenario-<arm>.png.
# Harm columns: guest OOM kills (kernel lines on the consoles) and refused
# allocations (the workloads' refused= count: mmap failed with ENOMEM), so
# a growth the guest refused is never hidden.  "svc ramp -> first deflate"
# runs from the onset, the moment the service maps its first ramp chunk
# (its "ramp-start" line, placed on the host's clock from the moment the
# wl command was sent: never later than the real onset), to momd's first
# applied balloon_target for svc that grows it.
#
# Environment: BENCH_SCENARIO_TRIALS (2), SCENARIO_ADAPTIVE_DIR, the script
# in s since t0: SCENARIO_P0 (20, pressure starts), SCENARIO_P1 (55,
# relieved), SCENARIO_DURATION (75), SCENARIO_RAMP (35, the service grows),
# SCENARIO_RAMP_MIB (300) and SCENARIO_RAMP_RATE (100 MiB/s, the service's
# own touch rate; 0 = as fast as the guest can touch); G_LOCK_WAIT (600 s
# for the guests' lock); SCENARIO_ARMS (a comma-separated subset of the arms,
# in their order, e.g. "mom,adaptive": for iterating on one policy, not for
# the README's table); SCENARIO_AUTODEFLATE (1: every guest, so every arm,
# has <memballoon autodeflate='on'>, QEMU's deflate-on-oom: the guest takes
# pages back from its balloon before its OOM killer runs, the protection a
# production guest whose kernel supports it should have; 0: without, where
# the service's 100 MiB/s ramp is OOM-killed in every managed arm).
# Needs root, QEMU, the system libvirtd, gnuplot (for the pictures).
# Usage: BUILD=build bash tests/bench/scenario.sh
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/guests.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"
. "$ROOT/tests/lib/pipeline.sh"

TRIALS=${BENCH_SCENARIO_TRIALS:-2}
ADAPTIVE=${SCENARIO_ADAPTIVE_DIR:-$ROOT/policies/adaptive}
G_LOCK_WAIT=${G_LOCK_WAIT:-600}
HISTORY=10
P0=${SCENARIO_P0:-20}
P1=${SCENARIO_P1:-55}
DUR=${SCENARIO_DURATION:-75}
RAMP=${SCENARIO_RAMP:-35}
RAMP_MIB=${SCENARIO_RAMP_MIB:-300}
RAMP_RATE=${SCENARIO_RAMP_RATE:-100}
AUTODEFLATE=${SCENARIO_AUTODEFLATE:-1}
MARGIN_MIB=64
HOST_KIB=4194304
CALM_KIB=$((HOST_KIB * 35 / 100))
PRESSURE_KIB=$((HOST_KIB * 8 / 100))
GUESTS="idle cache svc batch"
OUT=$BUILD/bench
PY=$ROOT/tests/bench/scenario.py

none() {
	echo "scenario: $*: not measured"
	exit 0
}
[ "$(id -u)" -eq 0 ] || none "needs root (system libvirtd)"
command -v qemu-system-x86_64 >/dev/null || none "qemu-system-x86 is not installed"
command -v libvirtd >/dev/null || none "libvirtd is not installed"
command -v gnuplot >/dev/null || echo "# gnuplot missing (tests/install-deps.sh --bench): table only"
now_ms() { echo $(($(date +%s%N) / 1000000)); }
status_py() { momapi --bind s --str GET /v1/status "$1"; }
ready() { [ "$(status_py 's["guests"]')" = 4 ] && [ "$(status_py 's["cycles"]')" -ge "$1" ]; }

# The arms' policy directories.
ARMS="unmanaged mom proxmox"
A=$T_TMP/arms
mkdir -p "$A/unmanaged" "$A/mom" "$A/proxmox"
cp "$ROOT/policies/00-defines.json" "$A/unmanaged/"
cp "$ROOT/policies/00-defines.json" "$ROOT/policies/02-balloon.json" "$A/mom/"
cp "$ROOT/policies/00-defines.json" "$A/proxmox/"
cp "$ROOT/policies/examples/02-balloon-proxmox-style.json" "$A/proxmox/02-balloon.json"
if [ -d "$ADAPTIVE" ]; then
	mkdir -p "$A/adaptive"
	cp "$ADAPTIVE"/*.json "$A/adaptive/"
	[ -f "$A/adaptive/00-defines.json" ] || cp "$ROOT/policies/00-defines.json" "$A/adaptive/"
	# No arm touches KSM (momd here writes the real sysfs knobs): the
	# adaptive set's KSM policy stays out, as 03-ksm does for mom.
	rm -f "$A/adaptive/03-ksm.json"
	ARMS="$ARMS adaptive"
else
	echo "# adaptive arm skipped: $ADAPTIVE does not exist yet (issue 19's policy set)"
fi
if [ -n "${SCENARIO_ARMS:-}" ]; then
	keep=""
	for arm in $ARMS; do
		case ",$SCENARIO_ARMS," in *",$arm,"*) keep="$keep $arm" ;; esac
	done
	ARMS=${keep# }
	[ -n "$ARMS" ] || none "SCENARIO_ARMS=$SCENARIO_ARMS names none of the arms"
	echo "# only the arms $ARMS (SCENARIO_ARMS)"
fi
balloon_opt=""
[ "$AUTODEFLATE" = 1 ] && balloon_opt=--autodeflate

t_all=$(now_ms)
g_build_image >"$T_TMP/build.out" 2>&1 || { tail -5 "$T_TMP/build.out"; none "guest image build failed"; }
g_libvirtd_start || none "system libvirtd did not start (lock held by another run for ${G_LOCK_WAIT}s?)"
for g in $GUESTS; do g_define "$g" 512 --min-mib 128 $balloon_opt || none "define guest $g"; done
g_start $GUESTS || none "start guests"
for g in $GUESTS; do g_wait_ready "$g" 180 || none "guest $g not ready"; done
echo "# 4 guests ready after $(((($(now_ms) - t_all)) / 1000)) s"

R=$T_TMP/root
pl_root "$R"
pl_meminfo "$R" $HOST_KIB $CALM_KIB

# all_at KIB: every guest's balloon at KIB.
all_at() {
	local g
	for g in $GUESTS; do [ "$(g_actual "$g")" = "$1" ] || return 1; done
}
# stats_after SEC: every guest's balloon statistics were taken after SEC
# (epoch seconds, the guest's last-update).
stats_after() {
	local g u
	for g in $GUESTS; do
		u=$(g_memstat "$g" last_update) || return 1
		[ "$u" -gt "$1" ] || return 1
	done
}
# alive: restart a guest that died in an earlier arm (panic or poweroff).
alive() {
	local g
	for g in $GUESTS; do
		[ "$(g_virsh domstate "$(g_dom "$g")" 2>/dev/null)" = running ] && continue
		echo "# guest $g was not running; restarting it"
		g_start "$g" && g_wait_ready "$g" 180 || echo "# guest $g did not come back"
	done
}

# run_arm TRIAL ARM: one arm from the common start; results in $T_TMP/runs.
run_arm() {
	local trial=$1 arm=$2 d=$T_TMP/runs/$1/$2 g sampler conf t0 wl spec sent
	mkdir -p "$d"
	alive
	# Workloads stopped, then every guest squeezed to 200 MiB and let out
	# again: the squeeze returns what earlier arms touched to the host, so
	# each arm starts from the same QEMU resident size, not the last arm's.
	for g in $GUESTS; do g_ctl "$g" wlstop >/dev/null; g_setmem "$g" 200; done
	wait_for 60 "balloons squeezed to 200 MiB" all_at $((200 * 1024)) || echo "# $arm: squeeze to 200 MiB incomplete"
	for g in $GUESTS; do g_setmem "$g" 512; done
	wait_for 60 "balloons back at 512 MiB" all_at 524288 || echo "# $arm: balloons not all back at 512 MiB"
	# ... and until the guests' statistics are from after the let-out: a
	# first sample mixing the live 512 MiB with statistics from the squeeze
	# shows 300 MiB of use that is not there, which a policy remembering
	# peaks (adaptive) would hold as its floor for dozens of cycles.
	wait_for 30 "statistics from after the let-out" stats_after "$(date +%s)" ||
		echo "# $arm: some guest's statistics are older than the let-out"
	declare -A off
	for g in $GUESTS; do off[$g]=$(stat -c %s "$(g_console "$g")"); done
	rm -rf "$T_TMP/state"
	python3 "$PY" sample --prefix "$G_PREFIX" --p0 $P0 --p1 $P1 --duration $DUR --uri "$G_URI" \
		--root "$R" --t0file "$d/t0" --out "$d/samples.jsonl" --total $HOST_KIB \
		--calm-free $CALM_KIB --pressure-free $PRESSURE_KIB 2>>"$d/sampler.err" &
	sampler=$!
	momd_start --policy-dir "$A/$arm" --libvirt-uri "$G_URI" --interval-ms 1000 --cycle-follows-samples \
		--history $HISTORY || { echo "# $arm: momd did not start"; kill "$sampler"; return 1; }
	pl_watchdog "$MOMD_PID" "$sampler"
	api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
	conf=$T_TMP/collectd-$arm.conf
	cd_conf_head "$conf" 1
	sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d' "$conf"
	pl_plugins "$G_URI" "$R" 1 "${G_PREFIX}*" >>"$conf"
	cd_start "$conf"
	wait_slow 90 "momd sees 4 guests and ran $HISTORY cycles" ready $HISTORY ||
		echo "# $arm: pipeline not ready ($(tail -1 "$T_TMP/collectd.log"))"
	t0=$(now_ms)
	echo "$t0" >"$d/t0"
	wl="{\"idle\": [null, \"\"]"
	for g in cache svc batch; do
		case $g in
		cache) spec="cache 150 100" ;;
		svc) spec="service 50 $RAMP $RAMP_MIB 100 $RAMP_RATE" ;;
		batch) spec="batch 200 15 5" ;;
		esac
		sent=$(now_ms)
		g_ctl "$g" "wl $spec" >/dev/null || echo "# $arm: wl $spec in $g failed"
		# [acknowledged, spec, sent]: the workload started in between.
		wl+=", \"$g\": [$(now_ms), \"$spec\", $sent]"
	done
	echo "$wl}" >"$d/wl.json"
	wait "$sampler"
	api_out GET '/v1/actions?limit=1000' >"$d/actions.json"
	cd_stop
	momd_stop
	for g in $GUESTS; do
		g_ctl "$g" wlstop >/dev/null
		tail -c +$((off[$g] + 1)) "$(g_console "$g")" >"$d/console-$g.log"
	done
	echo "# trial $trial $arm: $(wc -l <"$d/samples.jsonl") samples, $(python3 -c 'import json,sys; print(sum(1 for a in json.load(open(sys.argv[1])) if a.get("control") == "balloon_target" and a.get("result") == "applied"))' "$d/actions.json") balloon changes, $(cat "$d"/console-*.log | grep -c 'Out of memory: Killed process') OOM kills, $(cat "$d"/console-*.log | grep -c 'workload: mmap .* failed') refused mmaps"
}

# The arms' order rotates from trial to trial, so that no arm always runs
# first (fresh guests) or last (after the others' history).
read -r -a arm_list <<<"$ARMS"
for trial in $(seq "$TRIALS"); do
	n=${#arm_list[@]}
	for i in $(seq 0 $((n - 1))); do run_arm "$trial" "${arm_list[$(((i + trial - 1) % n))]}"; done
done
python3 "$PY" report --prefix "$G_PREFIX" --p0 $P0 --p1 $P1 --duration $DUR --ramp $RAMP \
	--margin-mib $MARGIN_MIB --runs "$T_TMP/runs" --arms "${ARMS// /,}" \
	--roles idle=idle,cache=cache,svc=svc,batch=batch --out "$OUT"
[ -d "$ADAPTIVE" ] || echo "| adaptive | – | skipped: $ADAPTIVE does not exist yet |||||||||||"
echo "# host: 4 GiB simulated, free with guests at maximum 35 % calm / 8 % under pressure ($P0-$P1 s) + what balloons hold back; 1 s intervals, momd --history $HISTORY; balloon autodeflate $([ "$AUTODEFLATE" = 1 ] && echo on || echo off); service ramp to $RAMP_MIB MiB from $RAMP s at $RAMP_RATE MiB/s (16 MiB mmaps); margin $MARGIN_MIB MiB"
echo "# raw runs kept in $OUT/scenario-runs; total scenario bench: $(((($(now_ms) - t_all)) / 1000)) s"
rm -rf "$OUT/scenario-runs" && cp -r "$T_TMP/runs" "$OUT/scenario-runs"
