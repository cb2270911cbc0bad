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
# Elsewhere it runs on an embedded default and says so: a private libvirtd
# with libvirt's test driver and three demo guests (one with a guaranteed
# minimum), a simulated host /proc/meminfo whose free memory alternates
# between pressure (10 % free) and relief (45 % free) every 30 s, and a
# scratch directory standing in for /sys/kernel/mm/ksm.  The test driver's
# balloon statistics are synthetic (half of each guest's memory is always
# "unused"), which is enough to watch MOM's policy at work.
#
# Environment: DEMO_SECONDS (0 = until Ctrl-C), INTERVAL (collectd and
# policy interval, s, default 2), MANAGE=1 (manage local guests for real),
# DEMO_EMBEDDED=1 (the embedded default even where a hypervisor answers).
source "$(dirname "$0")/lib/common.sh"
source "$ROOT/tests/lib/libvirt.sh"
source "$ROOT/tests/lib/momd.sh"

DEMO_SECONDS=${DEMO_SECONDS:-0}
INTERVAL=${INTERVAL:-2}
R=$T_TMP/root

say() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*"; }

# The simulated host: MemTotal 16 GiB; MemFree 10 % or 45 % by phase.
simulate_host() {
	local total=16777216 start=$SECONDS free phase
	while :; do
		phase=$((((SECONDS - start) / 30) % 2))
		free=$((phase == 0 ? total / 10 : total * 45 / 100))
		cat >"$R/proc/meminfo.new" <<MEM
MemTotal:       $total kB
MemFree:        $free kB
MemAvailable:   $((free + 500000)) kB
Buffers:           0 kB
Cached:            0 kB
AnonPages:      $((total - free)) kB
SwapTotal:         0 kB
SwapFree:          0 kB
MEM
		mv "$R/proc/meminfo.new" "$R/proc/meminfo"
		sleep 1
	done
}

setup_embedded() {
	say "no hypervisor with running guests at qemu:///system:" \
		"running on the embedded default"
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
	simulate_host &
	at_exit "kill $!"
	URI=$LV_URI
	ROOTFS=$R
	KSM_DIR=$R/sys/kernel/mm/ksm
	MOMD_FLAGS=(--rail-stale-ms 0)
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
LoadPlugin mom
<Plugin mom>
  Connection "$URI"
  Root "$ROOTFS"
</Plugin>
<LoadPlugin write_mom>
  FlushInterval $INTERVAL
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
</Plugin>
CONF
	collectd -f -C "$conf" >"$T_TMP/collectd.out" 2>&1 &
	CD_PID=$!
	at_exit stop_pid "$CD_PID"
}

# One line per interval: the host's free memory and each guest's balloon.
show_samples() {
	api GET /v1/stats 2>/dev/null | python3 -c '
import json, sys
try:
    j = json.load(sys.stdin)
except ValueError:
    sys.exit(0)
h = j.get("host", {})
line = "sample  host"
if "mem_available" in h and "mem_free" in h:
    line += " free %4.1f%%" % (100.0 * h["mem_free"] / h["mem_available"])
if "ksm_run" in h:
    line += " ksm run=%d" % h["ksm_run"]
for name, g in sorted(j.get("guests", {}).items()):
    if "balloon_cur" in g:
        line += " | %s %d MiB" % (name, g["balloon_cur"] // 1024)
print(line)'
}

if [ "${DEMO_EMBEDDED:-0}" != 1 ] &&
	virsh -q -c qemu:///system list --name 2>/dev/null | grep -q .; then
	setup_local
else
	setup_embedded
fi
momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$URI" \
	--ksm-dir "$KSM_DIR" --interval-ms $((INTERVAL * 1000)) \
	"${MOMD_FLAGS[@]}" || { say "momd did not start; see $T_TMP/momd.log"; cat "$T_TMP/momd.log"; exit 1; }
# As vdsm does on a cluster with ballooning enabled (MOM's default is off).
api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
start_collectd
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
		sed -e 's/^momd\[[a-z]*\]: //' | while read -r l; do say "$l"; done
	seen=$total
done
say "stopping"
