#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# e2e.sh: the whole pipeline on real components.
#
# Debian's collectd loads both plugins from the build tree; the read plugin
# reads a private test-driver libvirtd and a fixture root standing in for
# /proc and /sys (the host's real ones must not be touched: the fixture's
# meminfo puts the host under memory pressure, and its KSM directory is also
# the actuator's KSM directory, so the actuator's writes show up in the next
# samples).  The write plugin forwards to the real momd, which evaluates the
# shipped MOM-equivalent policies and sets balloons through libvirt.
#
# Asserted on libvirt and on collectd's own csv output, not on momd's log:
# the first shrink is exactly MOM's 5 % step, libvirt applies it, and the new
# size is seen in the samples that follow; KSM is switched on as MOM would.
source "$(dirname "$0")/../lib/common.sh"
source "$ROOT/tests/lib/libvirt.sh"
source "$ROOT/tests/lib/collectd.sh"
source "$ROOT/tests/lib/momd.sh"
source "$ROOT/tests/lib/pipeline.sh"

lv_start || { not_ok "private libvirtd starts"; done_testing; }
lv_define e2e1 1024 1024 || not_ok "define e2e1"

# Host fixture: 10 000 000 KiB of RAM, 10 % free: pressure (MOM: < 20 %).
# Its KSM directory is a scratch one, also given to momd.
R=$T_TMP/root
KSM=$T_TMP/ksm
pl_ksm_scratch "$KSM"
pl_root "$R" "$KSM"
pl_meminfo "$R" 10000000 1000000 1500000

momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$LV_URI" \
	--ksm-dir "$KSM" --interval-ms 1000 --settle-ms 300 \
	--rail-stale-ms 0 || { not_ok "momd starts"; done_testing; }
# As vdsm would on a cluster with ballooning on (MOM's default is off).
api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
check "balloonEnabled set through the API" [ "$API_STATUS" = 200 ]

conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
cat >>"$conf" <<CONF
LoadPlugin mom
<Plugin mom>
  Connection "$LV_URI"
  Root "$R"
</Plugin>
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
</Plugin>
CONF
cd_start "$conf"

csv_has() { grep -q ",$3\$\|,$3.000000\$" "$T_TMP"/csv/testhost/"$1"/"$2"-* 2>/dev/null; }

# 1. Samples arrive: e2e1 becomes an active guest of momd.
guest_cur() { momapi GET /v1/stats ".guests.$1.balloon_cur"; }
e2e1_active() { api GET /v1/guests && grep -q '"e2e1"' <<<"$BODY"; }
check "momd receives e2e1's samples through collectd" \
	wait_for 20 "e2e1 in /v1/guests" e2e1_active

# 2. The policy decides MOM's first step (1048576 * 0.95, truncated) and
#    libvirt applies it.
first_target() {
	momapi GET '/v1/actions?limit=1000' \
		"[a['new'] for a in j if a['subject']=='guest:e2e1' and a['result']=='applied'][0]"
}
first_target_is() { [ "$(first_target)" = "$1" ]; }
check "the first balloon action is MOM's 5% step (996147 KiB)" \
	wait_for 20 "an applied action for e2e1" first_target_is 996147
first_old=$(momapi GET '/v1/actions?limit=1000' \
	"[a['old'] for a in j if a['subject']=='guest:e2e1'][0]")
check "it was decided from the full size seen in the samples (1048576 KiB)" \
	test "$first_old" = 1048576
libvirt_actual() { lv_virsh dommemstat "$1" | awk '/^actual/{print $2}'; }
shrunk_in_libvirt() { [ "$(libvirt_actual e2e1)" -lt 1048576 ]; }
check "libvirt's balloon follows the policy (below 1048576 KiB)" \
	wait_for 10 "e2e1 shrunk in libvirt" shrunk_in_libvirt

# 3. The new size is seen in the samples that follow, in collectd's output.
check "collectd's csv shows e2e1 at the applied size" \
	wait_for 20 "csv memory-actual = 996147 KiB" \
	csv_has mom-e2e1 memory-actual $((996147 * 1024))
stats_show_target() { local c; c=$(guest_cur e2e1); [ "${c:-99999999}" -le 996147 ]; }
check "momd's next samples show the applied size" \
	wait_for 20 "stats balloon_cur <= 996147" stats_show_target

# 4. KSM: mean free 10 % < 20 %: run 1, pages_to_scan boosted from 100 by
#    300, sleep max(10, 10 * 16 GiB / RAM) = 16 ms; seen in the samples.
check "KSM switched on in the KSM directory" \
	wait_for 20 "run = 1" grep -qx 1 "$KSM/run"
# (momd writes the knobs one after the other, run first: wait for each.)
check "sleep_millisecs set to 16 (10 ms per 16 GiB)" \
	wait_for 10 "sleep_millisecs = 16" grep -qx 16 "$KSM/sleep_millisecs"
pts_boosted() { [ "$(cat "$KSM/pages_to_scan")" -ge 400 ]; }
check "pages_to_scan boosted from 100" \
	wait_for 10 "pages_to_scan >= 400" pts_boosted
check "collectd reports ksm_run 1 from the written file" \
	wait_for 20 "csv gauge-ksm_run = 1" csv_has mom gauge-ksm_run 1

# 5. Every action is logged on one line with its reason.
check "actions are logged with their reason" \
	grep -q 'action applied guest:e2e1 balloon_target: 1048576 -> 996147 (planned 996147); reason: 02-balloon' "$T_TMP/momd.log"

cd_stop
check "collectd exits cleanly" grep -q "Exiting normally" "$T_TMP/collectd.log"
momd_stop
check "momd removes its socket on exit" test ! -e "$MOMD_SOCK"
done_testing
