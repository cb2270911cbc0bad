#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# run-demo.sh: what `make run` runs.  It shows, live, samples arriving in
# the actuator, the policy's decisions and the actions applied, until Ctrl-C
# (or for DEMO_SECONDS seconds), then stops everything it started.
#
# Where a hypervisor with running guests answers at qemu:///system, it
# watches those guests in dry-run mode: it decides and shows, but touches no
# guest it did not start and no KSM knob, unless MANAGE=1 is given.
#
# Elsewhere it runs on an embedded default and says so.  By default that is
# three tiny real guests (tests/lib/guests.sh: QEMU under TCG with a real
# virtio-balloon driver, on the system libvirtd, started if none answers):
# web, db (guaranteed minimum 320 MiB) and batch, 384 MiB each and identical
# (so KSM can merge them), with a scripted workload inside (memhog holding
# memory for a while: batch early on, web across the second pressure
# phase).  The host's memory is simulated: the read plugin's proc/meminfo
# says a 4 GiB host alternates between pressure (10 % free) and relief
# (60 % free) every 15 policy intervals; KSM is the real one
# (/sys/kernel/mm/ksm: saved first, restored at exit).  momd runs the
# shipped policies with ballooning enabled (as vdsm does), so the balloons
# shrink in MOM's 5 % steps under pressure and grow back after, and KSM
# merges the guests' identical pages.  Only this run's guests are read and
# managed (IncludeDomain).  Ctrl-C destroys the guests, stops the daemons it
# started and restores KSM.
#
# DEMO_BACKEND=test (or a machine without QEMU or root) gives the previous
# embedded default: a private libvirtd with libvirt's test driver, three
# synthetic guests, a simulated 16 GiB host alternating every 30 s, and a
# scratch directory standing in for /sys/kernel/mm/ksm.  The demo falls
# back to it, saying why in one line, when real guests fail to start (the
# image, libvirtd, libvirt starting QEMU, or a guest not booting); what
# was started for them is undone first.
#
# Environment: DEMO_SECONDS (0 = until Ctrl-C), INTERVAL (collectd and
# policy interval, s, default 2), MANAGE=1 (manage local guests for real),
# DEMO_EMBEDDED=1 (the embedded default even where a hypervisor answers
# with running guests), DEMO_BACKEND=guests|test (embedded default; guests
# when possible, no fallback with guests), DEMO_GUESTS_FAIL=TEXT (tests:
# act as if libvirt refused to start the guests with error TEXT),
# POLICY=default|adaptive (the policy set: the shipped MOM-equivalent
# one, or policies/adaptive, whose momd runs with --cycle-follows-samples).
source "$(dirname "$0")/lib/common.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

DEMO_SECONDS=${DEMO_SECONDS:-0}
INTERVAL=${INTERVAL:-2}
BACKEND=${DEMO_BACKEND:-}
R=$T_TMP/root
INCLUDE=""
SIM_PID=""
SHORT="" # prefix stripped from domain names in the output

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

# simulate_host TOTAL_KIB PHASE_S FREE_PCT_PRESSURE FREE_PCT_RELIEF: the
# host's meminfo, pressure first, then relief, alternating every PHASE_S.
simulate_host() {
	local total=$1 phase_s=$2 low=$3 high=$4 start=$SECONDS phase
	while :; do
		phase=$((((SECONDS - start) / phase_s) % 2))
		pl_meminfo "$R" "$total" $((total * (phase == 0 ? low : high) / 100))
		nap 1
	done
}

# Running domains that are not some test run's (tests name theirs momg<PID>-).
foreign_guests() {
	virsh -q -c qemu:///system list --name 2>/dev/null | grep -v '^momg[0-9]*-' | grep .
}

# can_run_guests: root, QEMU, libvirtd and the guest image's inputs.
can_run_guests() {
	[ "$(id -u)" = 0 ] || { echo "not root"; return 1; }
	local c
	for c in qemu-system-x86_64 libvirtd virsh; do
		command -v $c >/dev/null || { echo "$c not installed"; return 1; }
	done
	[ -x /bin/busybox ] || { echo "busybox-static not installed"; return 1; }
}

setup_test() {
	source "$ROOT/tests/lib/libvirt.sh"
	say "  private libvirtd (test driver), demo guests, simulated host" \
		"meminfo, scratch KSM directory under $T_TMP"
	lv_start || { say "libvirtd did not start"; exit 1; }
	lv_define demo-web 2048 2048
	lv_define demo-db 4096 4096 3072
	lv_define demo-batch 1024 1024
	mkdir -p "$R/proc" "$R/sys/kernel/mm/ksm"
	printf 'pswpin 0\npswpout 0\n' >"$R/proc/vmstat"
	for kv in run=0 pages_shared=0 pages_sharing=0 pages_unshared=0 \
		pages_volatile=0 full_scans=0 pages_to_scan=100 \
		sleep_millisecs=20 merge_across_nodes=1; do
		echo "${kv#*=}" >"$R/sys/kernel/mm/ksm/${kv%%=*}"
	done
	pl_meminfo "$R" 16777216 $((16777216 / 10))
	simulate_host 16777216 30 10 45 &
	SIM_PID=$!
	at_exit "kill $SIM_PID"
	URI=$LV_URI
	ROOTFS=$R
	KSM_DIR=$R/sys/kernel/mm/ksm
	MOMD_FLAGS=(--rail-stale-ms 0)
}

# guests_fail WHY: real guests did not start.  Undo what setup_guests did
# (guests, daemons, KSM, the lock) and fall back to the test driver, saying
# why in one line; with DEMO_BACKEND=guests, stop instead.
guests_fail() {
	if [ "$BACKEND" = guests ]; then
		say "DEMO_BACKEND=guests: real guests did not start ($1)"
		exit 1
	fi
	g_cleanup >/dev/null 2>&1
	ksm_restore >/dev/null 2>&1
	_g_release
	say "real guests did not start ($1): falling back to libvirt's test driver"
	BACKEND=test
	setup_test
}

setup_guests() {
	source "$ROOT/tests/lib/guests.sh"
	local phase=$((15 * INTERVAL)) t0 g sched_web="" k
	say "  3 tiny real guests (QEMU, TCG) on the system libvirtd: web," \
		"db (guaranteed 320 MiB), batch; 384 MiB each, identical for KSM"
	say "  simulated host: 4 GiB, 10 % free (pressure) and 60 % free" \
		"(relief) in turns of ${phase} s; real KSM (saved, restored on exit)"
	t0=$(_g_ms)
	g_build_image >"$T_TMP/build.out" 2>&1 || {
		guests_fail "building the guest image failed: $(tail -1 "$T_TMP/build.out")"
		return
	}
	ksm_save || { guests_fail "KSM could not be saved (another run holds $G_STATE/lock?)"; return; }
	say "  KSM knobs saved (restored on exit): $(tr '\n' ' ' <"$KSM_SAVE")"
	g_libvirtd_start || { guests_fail "the system libvirtd did not start"; return; }
	# Guest uptime runs ~5 s ahead of the host's phase clock (boot).  batch
	# holds 120 MiB at the start of each pressure phase (its balloon is
	# large then) for half of it; web takes 100 MiB in the middle of each
	# other relief phase and keeps it across the next pressure phase.
	local sched_batch="4:120,$((phase / 2 + 5)):0"
	for k in 1 2 3 4 5; do
		sched_batch="$sched_batch,$((2 * k * phase + 8)):120,$((2 * k * phase + phase / 2 + 5)):0"
	done
	for k in 0 1 2; do
		sched_web="$sched_web${sched_web:+,}$(((4 * k + 1) * phase + phase / 2 + 5)):100,$(((4 * k + 3) * phase + phase / 2 + 5)):0"
	done
	g_define web 384 --sched "$sched_web" && g_define db 384 --min-mib 320 &&
		g_define batch 384 --sched "$sched_batch" &&
		if [ -n "${DEMO_GUESTS_FAIL:-}" ]; then
			# tests/it/demo.sh: libvirt refusing to start QEMU.
			echo "error: $DEMO_GUESTS_FAIL" >"$T_TMP/start.err"
			false
		else
			g_start web db batch 2>"$T_TMP/start.err"
		fi || {
		guests_fail "libvirt: $(grep -m1 -o 'error: .*' "$T_TMP/start.err" || tail -1 "$T_TMP/start.err")"
		return
	}
	for g in web db batch; do
		g_wait_ready $g 180 || {
			guests_fail "guest $g did not boot: $(tail -1 "$(g_console $g)")"
			return
		}
	done
	say "  guests booted ($(((($(_g_ms) - t0)) / 1000)) s); consoles in $G_RUN"
	pl_root "$R"
	pl_meminfo "$R" 4194304 $((4194304 / 10))
	simulate_host 4194304 "$phase" 10 60 &
	SIM_PID=$!
	at_exit "kill $SIM_PID"
	URI=$G_URI
	ROOTFS=$R
	KSM_DIR=$K
	INCLUDE="${G_PREFIX}*"
	SHORT=$G_PREFIX
	MOMD_FLAGS=()
}

setup_embedded() {
	local why
	if [ "$BACKEND" != test ] && ! why=$(can_run_guests); then
		[ "$BACKEND" = guests ] && { say "DEMO_BACKEND=guests: cannot run guests: $why"; exit 1; }
		say "cannot run real guests here ($why): using libvirt's test driver"
		BACKEND=test
	fi
	say "no hypervisor with running guests at qemu:///system:" \
		"running on the embedded default"
	if [ "$BACKEND" = test ]; then setup_test; else setup_guests; fi
}

setup_local() {
	URI=qemu:///system
	ROOTFS=/
	KSM_DIR=/sys/kernel/mm/ksm
	MOMD_FLAGS=()
	if [ "${MANAGE:-0}" = 1 ]; then
		say "managing the guests of qemu:///system (MANAGE=1)"
	else
		say "watching the guests of qemu:///system in dry-run mode" \
			"(MANAGE=1 to manage them)"
		MOMD_FLAGS+=(--dry-run)
	fi
}

start_collectd() {
	local conf=$T_TMP/collectd.conf
	cat >"$conf" <<CONF
Hostname "demo"
FQDNLookup false
BaseDir "$T_TMP"
TypesDB "/usr/share/collectd/types.db"
Interval $INTERVAL
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "$T_TMP/collectd.log"
</Plugin>
PluginDir "$BUILD"
CONF
	pl_plugins "$URI" "$ROOTFS" "$INTERVAL" "$INCLUDE" >>"$conf"
	collectd -f -C "$conf" >"$T_TMP/collectd.out" 2>&1 &
	CD_PID=$!
	at_exit stop_pid "$CD_PID"
}

# One line per interval: the host's free memory, KSM, and each guest's
# balloon (and its free memory, when the guest reports it).
show_samples() {
	api_out GET /v1/stats 2>/dev/null | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
short = sys.argv[1]
h = j.get("host", {})
line = "sample  host"
if "mem_available" in h and "mem_free" in h:
    line += " free %4.1f%%" % (100.0 * h["mem_free"] / h["mem_available"])
if "ksm_run" in h:
    line += " ksm run=%d" % h["ksm_run"]
    if "ksm_pages_sharing" in h:
        line += " sharing %d MiB" % (h["ksm_pages_sharing"] * 4 // 1024)
for name, g in sorted(j.get("guests", {}).items()):
    if "balloon_cur" in g:
        if short and name.startswith(short):
            name = name[len(short):]
        line += " | %s %d MiB" % (name, g["balloon_cur"] // 1024)
        if short and "mem_unused" in g:
            line += " (%d free)" % (g["mem_unused"] // 1024)
print(line)' "$SHORT"
}

# POLICY=adaptive runs the adaptive set (policies/adaptive) instead.
case "${POLICY:-default}" in
default | mom) POLICY_DIR="$ROOT/policies" ;;
adaptive) POLICY_DIR="$ROOT/policies/adaptive" ;;
*) say "POLICY=$POLICY: use default or adaptive"; exit 2 ;;
esac
say "policy set: $POLICY_DIR"
if [ "${DEMO_EMBEDDED:-0}" != 1 ] && foreign_guests >/dev/null; then
	setup_local
else
	setup_embedded
fi
# The adaptive set answers a guest's ramp within the cycle that sees it:
# cycles follow collectd's samples (same interval here) instead of a timer
# with an arbitrary phase against them.
[ "${POLICY:-default}" = adaptive ] && MOMD_FLAGS+=(--cycle-follows-samples)
momd_start --policy-dir "$POLICY_DIR" --libvirt-uri "$URI" \
	--ksm-dir "$KSM_DIR" --interval-ms $((INTERVAL * 1000)) \
	"${MOMD_FLAGS[@]}" || { say "momd did not start; see $T_TMP/momd.log"; cat "$T_TMP/momd.log"; exit 1; }
# As vdsm does on a cluster with ballooning enabled (MOM's default is off).
api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
start_collectd
pl_watchdog "$MOMD_PID" "$CD_PID" ${SIM_PID:-}
say "collectd (mom + write_mom) -> momd on $MOMD_SOCK; Ctrl-C stops everything"

seen=0
end=$((SECONDS + DEMO_SECONDS))
while [ "$DEMO_SECONDS" -eq 0 ] || [ $SECONDS -lt $end ]; do
	sleep "$INTERVAL"
	show_samples | while read -r l; do say "$l"; done
	# Decisions and actions that momd logged since the last look.
	total=$(wc -l <"$T_TMP/momd.log")
	tail -n +$((seen + 1)) "$T_TMP/momd.log" | head -n $((total - seen)) |
		grep -E 'decision|action|error|warning' |
		sed -e 's/^momd\[[a-z]*\]: //' ${SHORT:+-e "s/$SHORT//g"} |
		while read -r l; do say "$l"; done
	seen=$total
done
say "stopping"
