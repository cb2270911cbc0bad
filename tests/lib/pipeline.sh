# SPDX-License-Identifier: Apache-2.0
#
# pipeline.sh: the real pipeline (collectd with the mom and write_mom
# plugins -> momd) on real guests, with the host's memory simulated: shared
# by tests/it/real_guests.sh and the demo (tests/run-demo.sh).  Sourced after
# common.sh (and momd.sh for $MOMD_SOCK).
#
# The read plugin's Root is a fixture tree in which only what the test must
# control is fake:
#   proc/meminfo            written by pl_meminfo (simulated host pressure)
#   proc/vmstat             no swapping
#   proc/cpuinfo            a copy of the real one (cpu_count)
#   proc/<ksmd pid>         symlink to the real /proc/<pid>: ksmd's CPU use
#   sys/kernel/mm/ksm       symlink to the KSM directory (by default the
#                           real /sys/kernel/mm/ksm: real merging, and what
#                           momd writes there is read back by the plugin)
# QEMU processes are deliberately not linked under proc/: ksm_shareable (the
# summed VmSize of QEMUs) is then 0, so that KSM's "committed memory" test
# does not keep ksmd on outside the simulated pressure.
#
#   pl_root DIR [KSM_DIR]          create the fixture tree
#   pl_ksm_scratch DIR             a scratch KSM directory (every knob and
#                                  counter at its idle value, run 0), for
#                                  tests that must not touch the real one
#   pl_meminfo DIR TOTAL_KIB FREE_KIB [AVAILABLE_KIB]
#                                  rewrite DIR/proc/meminfo atomically
#                                  (MemFree = FREE, no buffers/cache, so
#                                  MOM's mem_free = FREE; MemAvailable =
#                                  AVAILABLE, default FREE)
#   pl_plugins URI ROOT INTERVAL [GLOB]
#                                  print the collectd blocks loading mom
#                                  (Connection URI, Root ROOT, IncludeDomain
#                                  GLOB if given) and write_mom (to
#                                  $MOMD_SOCK, FlushInterval INTERVAL);
#                                  append after a config head that ends with
#                                  PluginDir "$BUILD"
#   wait_slow SECS WHAT CMD...     wait_for polling every 0.5 s: for checks
#                                  that cost a curl and a python each
#   pl_watchdog PID...             kill PIDs (e.g. momd, collectd) should this
#                                  shell die without its exit handler
#                                  (SIGKILL): they would go on changing
#                                  balloons and KSM; the next run's g_lock
#                                  then restores what guests.sh recorded
#   pl_keep_logs NAME              at exit, if the test failed, keep the
#                                  daemons' logs, outputs, csv and the
#                                  guests' consoles in
#                                  $BUILD/test-logs/NAME.files
#   pl_guests_begin NAME           a real-guest test's opening: skip
#                                  without root, pl_keep_logs NAME, the
#                                  guest image and libvirtd, or end there
#   actions_py EXPR                read momd's action log (the last 1000)
#                                  and print EXPR, a Python expression on
#                                  `a` (the list, oldest first); 1 on error
pl_root() {
	local dir=$1 ksm=${2:-/sys/kernel/mm/ksm} pid
	mkdir -p "$dir/proc" "$dir/sys/kernel/mm"
	ln -sfn "$ksm" "$dir/sys/kernel/mm/ksm"
	printf 'pswpin 0\npswpout 0\n' >"$dir/proc/vmstat"
	cp /proc/cpuinfo "$dir/proc/cpuinfo"
	pid=$(pgrep -x ksmd | head -1)
	[ -n "$pid" ] && ln -sfn "/proc/$pid" "$dir/proc/$pid"
	return 0
}

pl_ksm_scratch() {
	local kv
	mkdir -p "$1"
	for kv in run=0 pages_shared=0 pages_sharing=0 pages_unshared=0 \
		pages_volatile=0 full_scans=0 pages_to_scan=100 \
		sleep_millisecs=20 merge_across_nodes=1; do
		echo "${kv#*=}" >"$1/${kv%%=*}"
	done
}

pl_meminfo() {
	local dir=$1 total=$2 free=$3 avail=${4:-$3}
	cat >"$dir/proc/meminfo.new" <<MEM
MemTotal:       $total kB
MemFree:        $free kB
MemAvailable:   $avail kB
Buffers:               0 kB
Cached:                0 kB
SwapCached:            0 kB
AnonPages:      $((total - free)) kB
SwapTotal:             0 kB
SwapFree:              0 kB
MEM
	mv "$dir/proc/meminfo.new" "$dir/proc/meminfo"
}

pl_plugins() {
	local inc=""
	[ -n "${4:-}" ] && inc=$'\n'"  IncludeDomain \"$4\""
	cat <<CONF
LoadPlugin mom
<Plugin mom>
  Connection "$1"
  Root "$2"$inc
</Plugin>
<LoadPlugin write_mom>
  FlushInterval $3
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
</Plugin>
CONF
}

wait_slow() { WAIT_POLL=0.5 wait_for "$@"; }

pl_watchdog() {
	local parent=$$
	(
		# Not the guests' lock: that must go with this shell.
		[ -n "${G_LOCK_FD:-}" ] && eval "exec $G_LOCK_FD>&-"
		while kill -0 "$parent" 2>/dev/null; do nap 1; done
		kill "$@" 2>/dev/null
	) </dev/null >/dev/null 2>&1 &
	at_exit "kill $!"
}

actions_py() {
	momapi --bind a --str GET '/v1/actions?limit=1000' "$1"
}

_pl_keep_logs() {
	[ "$T_FAILED" = 1 ] || return 0
	local d=$BUILD/test-logs/$1.files
	rm -rf "$d" && mkdir -p "$d"
	cp "$T_TMP"/*.log "$T_TMP"/*.out "$G_RUN"/*.console.log "$d"/ 2>/dev/null
	cp -r "$T_TMP/csv" "$d"/ 2>/dev/null
	return 0
}
pl_keep_logs() { at_exit _pl_keep_logs "$1"; }

# pl_guests_begin NAME: the opening of a real-guest test: skipped without
# root; its logs and consoles kept under NAME on failure; the guest image
# (built by make deps, rebuilt here only if its inputs changed) and the
# system libvirtd ready, or the test ends there.
pl_guests_begin() {
	if [ "$(id -u)" -ne 0 ]; then
		skip "real guests need root (system libvirtd)"
		done_testing
	fi
	pl_keep_logs "$1"
	if ! g_build_image >"$T_TMP/build.out" 2>&1; then
		not_ok "guest image build"
		tail -10 "$T_TMP/build.out" | sed 's/^/# /'
		done_testing
	fi
	if ! g_libvirtd_start; then
		not_ok "libvirtd start"
		done_testing
	fi
	ok "libvirtd answers at $G_URI"
}
