# SPDX-License-Identifier: Apache-2.0
#
# guests_infra.sh: proves the real-guest test infrastructure
# (tests/guest/, tests/lib/guests.sh) on real TCG guests under the system
# libvirtd: image build, libvirtd start, boot, balloon stats, setmem
# shrink/grow, in-guest memory pressure, a guest without balloon driver,
# KSM merging of identical guests, and that cleanup leaves no domain of
# ours, no daemon of ours and KSM / libvirt prerequisites as they were.
# Needs root.  About 40 s on 2 cores.
#
# Helpers (this file only):
#   elapsed T0           ms since T0 (from _g_ms)
#   dump_guest NAME      console tail as TAP diagnostics
#   has_stats NAME KEY.. 0 if dommemstat of NAME has every KEY
#   usable_below NAME K  0 if NAME's usable < K KiB
#   usable_above NAME K  0 if NAME's usable > K KiB
#   sharing_above N      0 if KSM pages_sharing > N
#   tree_list            the libvirt trees' file list (for before/after)
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/guests.sh"

elapsed() { echo $(($(_g_ms) - $1)); }
dump_guest() { diag "console of $1:"; tail -5 "$(g_console "$1")" 2>/dev/null | sed 's/^/#   /'; }
has_stats() {
	local n=$1 k s
	shift
	s=$(g_memstat "$n") || return 1
	for k in "$@"; do echo "$s" | grep -q "^$k " || return 1; done
}
usable_below() { [ "$(g_memstat "$1" usable)" -lt "$2" ]; }
usable_above() { [ "$(g_memstat "$1" usable)" -gt "$2" ]; }
sharing_above() { [ "$(cat "$K/pages_sharing")" -gt "$1" ]; }
tree_list() {
	if [ "${MOM_GUESTS_KEEP_CACHE:-0}" = 1 ]; then
		_g_list_trees | grep -v '^/var/cache/libvirt'
	else
		_g_list_trees
	fi
}

if [ "$(id -u)" -ne 0 ]; then
	skip "real guests need root (system libvirtd, KSM)"
	done_testing
fi
T_ALL=$(_g_ms)
MEM=384            # MiB, guests a and b (identical, for KSM)
MEM_KIB=$((MEM * 1024))
SMALL=200          # MiB, balloon target

declare -A KSM_ORIG DPID
our_daemons=""

# 1. Image.
t=$(_g_ms)
if g_image_ready >"$T_TMP/build.out" 2>&1; then
	ok "guest image ready in $(elapsed "$t") ms ($(tail -1 "$T_TMP/build.out"))"
else
	not_ok "guest image ready (built by make deps)"
	sed 's/^/# /' "$T_TMP/build.out" | tail -10
	done_testing
fi

# 2. KSM saved before anything touches it; the lock cleans dead runs first.
if ksm_save; then
	ok "KSM knobs saved ($(tr '\n' ' ' <"$KSM_SAVE"))"
	# A dead run's leftovers were restored by g_lock: these are the originals
	# (host state before, for the final checks).
	for f in $KSM_KNOBS; do [ -e "$K/$f" ] && KSM_ORIG[$f]=$(ksm_saved "$f"); done
else
	not_ok "KSM save / lock"
	done_testing
fi
# Host state after g_lock cleaned a dead run's leftovers, for the final checks.
had_conf=$([ -e /etc/libvirt/qemu.conf ] && echo 1 || echo 0)
had_user=$(getent passwd libvirt-qemu >/dev/null && echo 1 || echo 0)
had_group=$(getent group libvirt-qemu >/dev/null && echo 1 || echo 0)
tree_list >"$T_TMP/trees.before"

# 3. libvirtd.
t=$(_g_ms)
if g_libvirtd_start; then
	ok "libvirtd answers at $G_URI after $(elapsed "$t") ms"
	our_daemons=$(awk '{print $1}' "$G_STATE/daemons" 2>/dev/null | tr '\n' ' ')
	for d in $our_daemons; do DPID[$d]=$(cat "$G_STATE/$d.pid" 2>/dev/null); done
	diag "daemons started by this run: ${our_daemons:-none}"
else
	not_ok "libvirtd start"
	done_testing
fi

# 4. Define and boot a, b (identical, balloon) and n (no balloon driver).
if g_define a $MEM && g_define b $MEM && g_define n 256 --noballoon --min-mib 128 --sched 3:40; then
	ok "3 guests defined ($G_PREFIX{a,b,n}, type $G_VIRT_TYPE)"
else
	not_ok "define guests"
fi
if g_virsh dumpxml "$(g_dom n)" | grep -q "<ovirt-vm:minGuaranteedMemoryMb type=.int.>128<"; then
	ok "--min-mib writes vdsm's minGuaranteedMemoryMb metadata"
else
	not_ok "--min-mib metadata in the domain XML"
fi
t=$(_g_ms)
if g_start a b n; then ok "3 guests started in $(elapsed "$t") ms"; else not_ok "start guests"; fi
ready=1
for n in a b n; do
	if g_wait_ready $n 120; then
		ok "guest $n ready (control port) $(elapsed "$t") ms after start"
	else
		not_ok "guest $n ready"
		dump_guest $n
		ready=0
	fi
done
if [ $ready = 0 ]; then
	done_testing
fi

t=$(_g_ms)
if wait_for 30 "guest n: scheduled hog at uptime 3 s" grep -q "GUEST-SCHED t=3 hog=40MiB" "$(g_console n)"; then
	ok "--sched workload runs in guest n ($(elapsed "$t") ms after ready)"
else
	not_ok "--sched workload runs in guest n"
	dump_guest n
fi

# 5. Balloon statistics.
t=$(_g_ms)
if wait_for 30 "usable and unused in dommemstat of a and b" \
	eval 'has_stats a actual usable unused available rss && has_stats b actual usable unused'; then
	ok "balloon stats present after $(elapsed "$t") ms (a: $(g_memstat a | tr '\n' ' '))"
else
	not_ok "balloon stats (usable, unused) present"
	g_memstat a | sed 's/^/# /'
fi
r=$(g_ctl a ping)
if [ "$r" = "ok pong" ]; then ok "control channel answers"; else not_ok "control channel: '$r'"; fi

# 6. setmem shrinks and grows actual; the guest without driver ignores it.
# The deadlines below bound how fast a TCG guest's kernel reacts (balloon,
# statistics refreshed once a second, its own memory use); on a loaded
# 2-core host it gets a fraction of a core, so they are generous: each wait
# ends as soon as its condition holds.
n_before=$(g_actual n)
t=$(_g_ms)
g_setmem a $SMALL && g_setmem n $SMALL
if g_wait_actual a $((SMALL * 1024)) 60; then
	ok "setmem $SMALL MiB: actual reached $((SMALL * 1024)) KiB in $(elapsed "$t") ms"
else
	not_ok "setmem $SMALL MiB: actual converges (now $(g_actual a))"
	dump_guest a
fi
r=$(g_ctl a meminfo)
diag "a at $SMALL MiB: $r"
t=$(_g_ms)
g_setmem a $MEM
if g_wait_actual a $MEM_KIB 60; then
	ok "setmem back to $MEM MiB: actual $MEM_KIB KiB in $(elapsed "$t") ms"
else
	not_ok "setmem back to $MEM MiB (now $(g_actual a))"
fi
keys=$(g_memstat n | awk '{print $1}' | sort | tr '\n' ' ')
if [ "$keys" = "actual last_update rss " ]; then
	ok "no-balloon guest reports only actual, last_update, rss"
else
	not_ok "no-balloon guest stats: '$keys'"
fi
if [ "$(g_actual n)" = "$n_before" ] && [ "$n_before" = $((256 * 1024)) ]; then
	ok "no-balloon guest ignores setmem (actual stays $n_before KiB)"
else
	not_ok "no-balloon guest ignores setmem (before $n_before, now $(g_actual n))"
fi

# 7. In-guest memory pressure lowers usable; free raises it again.  First
# let usable follow the grow (stats refresh once a second).
if wait_for 30 "usable of a above $(((MEM - 120) * 1024)) after the grow" \
	usable_above a $(((MEM - 120) * 1024)); then
	ok "usable follows the grow: $(g_memstat a usable) KiB"
else
	not_ok "usable follows the grow (now $(g_memstat a usable))"
fi
u0=$(g_memstat a usable)
t=$(_g_ms)
r=$(g_ctl a "hog 150")
case "$r" in "ok hog 150 rss=15"*) ok "hog 150: $r ($(elapsed "$t") ms)" ;; *) not_ok "hog 150: '$r'" ;; esac
if wait_for 30 "usable of a below $((u0 - 120 * 1024))" usable_below a $((u0 - 120 * 1024)); then
	ok "hog 150 lowers usable: $u0 -> $(g_memstat a usable) KiB within $(elapsed "$t") ms"
else
	not_ok "hog 150 lowers usable (was $u0, now $(g_memstat a usable))"
fi
g_ctl a free >/dev/null
if wait_for 30 "usable of a back above $((u0 - 30 * 1024))" usable_above a $((u0 - 30 * 1024)); then
	ok "free: usable back to $(g_memstat a usable) KiB"
else
	not_ok "free raises usable (now $(g_memstat a usable))"
fi
if grep -q "Out of memory\|Killed process" "$(g_console a)"; then
	not_ok "no OOM kill in guest a"
else
	ok "no OOM kill in guest a"
fi

# 7b. Scripted workloads (tests/guest/workload.c, the scenario benchmark's):
# a service that grows from 20 to 60 MiB from 2 s on at 50 MiB/s in 16 MiB
# mmaps and reports its progress on the console (serial lines end in
# \r\n), a tmpfs reader, and wlstop giving the memory back.
u0=$(g_memstat a usable)
r=$(g_ctl a "wl service 20 2 60 50" "wl cache 30 20")
case "$r" in "ok wl "*$'\n'"ok wl "*) ok "wl service + wl cache started: $(echo $r)" ;; *) not_ok "wl: '$r'" ;; esac
wl_line() { grep -Eq "$1" "$(g_console a)"; }
if wait_for 20 "service ramp-start line" wl_line '^WL service ramp-start el=(19[0-9][0-9]|2[0-9]{3}) up=[0-9.]+ held=20[[:space:]]*$' &&
	wait_for 20 "service ramp-done line" wl_line '^WL service ramp-done el=[0-9]+ up=[0-9.]+ held=60 refused=0[[:space:]]*$'; then
	ok "service ramps at its scripted 2 s: $(grep '^WL service ramp' "$(g_console a)" | tr '\r\n' '  ')"
else
	not_ok "service ramp at 2 s (console: $(grep '^WL' "$(g_console a)" | tail -2 | tr '\n' ' '))"
fi
if wait_for 20 "a cache progress line" wl_line '^WL cache el=[0-9]+ up=[0-9.]+ ops=[1-9][0-9]* held=30 refused=0[[:space:]]*$' &&
	wait_for 20 "a service progress line at 60 MiB" wl_line '^WL service el=[0-9]+ up=[0-9.]+ ops=[1-9][0-9]* held=60 refused=0[[:space:]]*$'; then
	ok "workloads report progress: $(grep '^WL service el' "$(g_console a)" | tail -1)"
else
	not_ok "workload progress lines (console: $(grep '^WL' "$(g_console a)" | tail -2 | tr '\n' ' '))"
fi
r=$(g_ctl a wlstop)
if [ "$r" = "ok wlstop" ] && wait_for 10 "usable of a back above $((u0 - 20 * 1024)) after wlstop" \
	usable_above a $((u0 - 20 * 1024)); then
	ok "wlstop gives the memory back: usable $(g_memstat a usable) KiB (was $u0)"
else
	not_ok "wlstop: '$r', usable $(g_memstat a usable) KiB (was $u0)"
fi

# 8. KSM merges the identical guests' pages.
echo 1000 >"$K/pages_to_scan" && echo 20 >"$K/sleep_millisecs" && echo 1 >"$K/run"
# ksmd scans pages_to_scan pages per wake-up on the CPU it gets: on a
# loaded host it needs longer (the time is printed, not asserted tightly).
t=$(_g_ms)
if wait_for 90 "KSM pages_sharing > 10000" sharing_above 10000; then
	ok "KSM: pages_sharing $(cat "$K/pages_sharing") > 10000 after $(elapsed "$t") ms"
else
	not_ok "KSM: pages_sharing > 10000 within 90 s (now $(cat "$K/pages_sharing"))"
fi

# 9. Cleanup, explicitly, then check the host is as before.
t=$(_g_ms)
g_destroy_all
diag "destroyed our guests in $(elapsed "$t") ms"
left=$(g_virsh list --all --name | grep "^$G_PREFIX")
if [ -z "$left" ]; then ok "no domain of ours remains in libvirt"; else not_ok "domains left: $left"; fi
t=$(_g_ms)
g_cleanup
ksm_restore
diag "stopped daemons, undid prerequisites, restored KSM in $(elapsed "$t") ms"
if pgrep -f "guest=$G_PREFIX" >/dev/null; then not_ok "no QEMU of ours runs"; else ok "no QEMU of ours runs"; fi
if ls /etc/libvirt/qemu/"$G_PREFIX"* >/dev/null 2>&1; then
	not_ok "no domain definition of ours in /etc/libvirt/qemu"
else
	ok "no domain definition of ours in /etc/libvirt/qemu"
fi
bad=""
for f in "${!KSM_ORIG[@]}"; do
	[ "$(cat "$K/$f")" = "${KSM_ORIG[$f]}" ] || bad="$bad $f=$(cat "$K/$f")(was ${KSM_ORIG[$f]})"
done
if [ -z "$bad" ] && [ ! -f "$KSM_SAVE" ]; then
	ok "KSM knobs equal the originals (${#KSM_ORIG[@]} knobs), save file gone"
else
	not_ok "KSM restored:${bad:- save file $KSM_SAVE remains}"
fi
alive=""
for d in "${!DPID[@]}"; do
	[ -n "${DPID[$d]}" ] && kill -0 "${DPID[$d]}" 2>/dev/null && alive="$alive $d(${DPID[$d]})"
done
if [ -z "$alive" ]; then ok "daemons we started are gone"; else not_ok "daemons still running:$alive"; fi
now_conf=$([ -e /etc/libvirt/qemu.conf ] && echo 1 || echo 0)
now_user=$(getent passwd libvirt-qemu >/dev/null && echo 1 || echo 0)
now_group=$(getent group libvirt-qemu >/dev/null && echo 1 || echo 0)
if [ "$now_conf$now_user$now_group" = "$had_conf$had_user$had_group" ]; then
	ok "qemu.conf, user and group libvirt-qemu as before ($had_conf$had_user$had_group)"
else
	not_ok "prerequisites undone: conf/user/group before $had_conf$had_user$had_group, now $now_conf$now_user$now_group"
fi
tree_list >"$T_TMP/trees.after"
if [ -n "$our_daemons" ]; then
	if diff -q "$T_TMP/trees.before" "$T_TMP/trees.after" >/dev/null; then
		ok "libvirt's directories hold exactly the files they held before"
	else
		not_ok "libvirt's directories changed: $(diff "$T_TMP/trees.before" "$T_TMP/trees.after" | head -5 | tr '\n' ' ')"
	fi
else
	skip "libvirtd was not ours: its files are not ours to compare"
fi
diag "whole test: $(elapsed "$T_ALL") ms"
done_testing
