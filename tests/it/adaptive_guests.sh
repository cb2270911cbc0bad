#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# adaptive_guests.sh: the adaptive policy set (policies/adaptive, issue 19)
# on two real TCG guests (tests/lib/guests.sh), the short version of the
# scenario benchmark (tests/bench/scenario.sh), asserting what it promises:
#   1. with the host calm (simulated: 4 GiB, 60 % free), an idle guest is
#      reclaimed: momd shrinks its balloon, with a reclaim_calm reason, and
#      never below its floor (128 MiB + max/8 = 192 MiB for 512 MiB);
#   2. a guest whose service ramps from 50 to 300 MiB (at 100 MiB/s, in
#      16 MiB mmaps: tests/guest/workload.c) is deflated (a give_back or
#      raise_to_floor target above its size), the service gets all of its
#      ramp (no refused mmap) and no OOM kill shows on its console.
# KSM is a scratch directory (the adaptive KSM law runs ksmd only under
# pressure; nothing real is touched).  Needs root; about 2 minutes on 2
# cores plus waiting for the guests' lock.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/guests.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

if [ "$(id -u)" -ne 0 ]; then
	skip "real guests need root (system libvirtd)"
	done_testing
fi
pl_keep_logs adaptive_guests
HOST_KIB=4194304
FLOOR_KIB=$((131072 + 524288 / 8))
# targets NAME CMP: the applied balloon targets of NAME, with their reasons.
targets() {
	actions_py "[[x['old'], x['new'], x.get('reason', '')] for x in a if x['subject'] == 'guest:$(g_dom "$1")' and x['control'] == 'balloon_target' and x['result'] == 'applied']"
}
shrunk_calm() {
	targets idle | python3 -c 'import json,sys; t = json.load(sys.stdin); sys.exit(0 if any(n < o and "reclaim_calm" in r for o, n, r in t) else 1)'
}
deflated() {
	targets svc | python3 -c 'import json,sys; t = json.load(sys.stdin); sys.exit(0 if any(n > o and ("give_back" in r or "raise_to_floor" in r) for o, n, r in t) else 1)'
}
oom_kills() { grep -c 'Out of memory: Killed process' "$(g_console "$1")" 2>/dev/null || true; }

g_build_image >"$T_TMP/build.out" 2>&1 || {
	not_ok "guest image build"
	tail -10 "$T_TMP/build.out" | sed 's/^/# /'
	done_testing
}
g_libvirtd_start || {
	not_ok "libvirtd start (lock held by another run?)"
	done_testing
}
if g_define idle 512 --min-mib 128 && g_define svc 512 --min-mib 128 && g_start idle svc &&
	g_wait_ready idle 180 && g_wait_ready svc 180; then
	ok "guests idle and svc (512 MiB, minimum 128 MiB) ready"
else
	not_ok "guests ready"
	done_testing
fi

R=$T_TMP/root
pl_ksm_scratch "$T_TMP/ksm"
pl_root "$R" "$T_TMP/ksm"
pl_meminfo "$R" $HOST_KIB $((HOST_KIB * 6 / 10))
momd_start --policy-dir "$ROOT/policies/adaptive" --libvirt-uri "$G_URI" \
	--ksm-dir "$T_TMP/ksm" --interval-ms 1000 || {
	not_ok "momd starts with policies/adaptive"
	cat "$T_TMP/momd.log"
	done_testing
}
pl_watchdog "$MOMD_PID"
conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d' "$conf"
pl_plugins "$G_URI" "$R" 1 "${G_PREFIX}*" >>"$conf"
cd_start "$conf"

# 1. Calm host, idle guest.  120 s: the law waits 10 quiet cycles of 1 s
# and the first step comes a few cycles after the pipeline starts; the
# margin is for a loaded 2-core machine booting other guests.
check "calm host: the idle guest is reclaimed (reclaim_calm)" \
	wait_slow 120 "a calm reclaim of idle" shrunk_calm
above_floor() { [ "$(g_actual idle)" -ge $FLOOR_KIB ]; }
check "the idle guest stays at or above its floor ($FLOOR_KIB KiB; now $(g_actual idle))" above_floor

# 2. The service ramps 10 s after it starts, for 2.5 s: wait until the
# adaptive law has had it shrunk first, so the ramp meets a reclaimed guest.
svc_shrunk() { [ "$(g_actual svc)" -lt 524288 ]; }
wait_slow 120 "svc reclaimed before its ramp" svc_shrunk || diag "svc was not reclaimed before the ramp ($(g_actual svc) KiB)"
g_ctl svc "wl service 50 10 300 100" >/dev/null || not_ok "start the service workload"
# 120 s: the ramp happens 10 s in; the deflate follows within cycles.
check "the ramping service is deflated (give_back or raise_to_floor)" \
	wait_slow 120 "a deflate of svc" deflated
# The ramp itself (not only the service's first 50 MiB): the balloon ends
# up holding the 300 MiB service plus the margin.
holds_ramp() { [ "$(g_actual svc)" -ge $(((300 + 64) * 1024)) ]; }
check "the service guest is deflated to hold its ramp (300 MiB + 64 MiB margin)" \
	wait_slow 120 "svc actual >= 364 MiB" holds_ramp
# The guest gave the service its whole ramp: no mmap refused on the way.
ramp_done() { grep -Eq '^WL service ramp-done el=[0-9]+ up=[0-9.]+ held=300 refused=0' "$(g_console svc)"; }
check "the service holds its whole ramp, no allocation refused ($(grep -a '^WL service ramp' "$(g_console svc)" | tr -d '\r' | tr '\n' ' '))" \
	wait_for 30 "the service's ramp-done line" ramp_done
check "no OOM kill in the ramping guest ($(oom_kills svc))" [ "$(oom_kills svc)" = 0 ]
g_ctl svc wlstop >/dev/null
diag "svc targets: $(targets svc | head -c 600)"
cd_stop
momd_stop
done_testing
