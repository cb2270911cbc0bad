#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# write_plugin.sh: CPU that the `write_mom` write plugin adds inside
# collectd, per value.  No assertions: it prints the median collectd CPU
# time (utime+stime) for a flood of N PUTVALs without write_mom and with it
# (delivering to the real momd on a unix socket), and the difference per
# value in microseconds.  The csv writer runs in both cases.
#
# Method: for each run, start collectd, flood N values of one plugin "mom"
# series through unixsock PUTVAL (one connection), and wait until csv has
# written all of them (and, with write_mom, until its own
# total_values-sent counter reaches N); the CPU is the growth of
# collectd's utime+stime over the flood.  Usage:
#   BUILD=build bash tests/bench/write_plugin.sh [N] (env BENCH_RUNS=5)
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"

N=${1:-20000}
RUNS=${BENCH_RUNS:-5}
TCK=$(getconf CLK_TCK)
CSV=$T_TMP/csv/testhost

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
csv_lines() {
	local f
	f=$(ls "$CSV/$1/$2"-* 2>/dev/null | tail -1)
	[ -n "$f" ] && echo $(($(wc -l <"$f") - 1)) || echo 0
}
lines_ge() { [ "$(csv_lines "$1" "$2")" -ge "$3" ]; }
sent_ge() {
	local v
	v=$(cd_csv_last testhost write_mom total_values-sent) && [ -n "$v" ] && [ "$v" -ge "$1" ]
}

cat >"$T_TMP/flood.py" <<'PY'
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
f = s.makefile("rw")
n = int(sys.argv[2])
t0 = int(time.time() * 1000) - n - 1000  # ms; strictly increasing, past
for i in range(n):
    ms = t0 + i
    f.write("PUTVAL testhost/mom/gauge-bench interval=1 %d.%03d:%d\n" % (ms // 1000, ms % 1000, i))
    f.flush()
    if not f.readline().startswith("0 "):
        sys.exit("PUTVAL failed")
PY

mkdir -p "$T_TMP/ksm"
momd_start --policy-dir "$ROOT/policies" --libvirt-uri test:///default \
	--ksm-dir "$T_TMP/ksm" --dry-run || { echo "momd did not start"; exit 1; }

# one_run MODE: sets TICKS to collectd's CPU ticks spent on the flood.
one_run() {
	local mode=$1 conf=$T_TMP/bench.conf t0 t1
	rm -rf "$T_TMP/csv" "$T_TMP/cd.sock"
	cd_conf_head "$conf"
	if [ "$mode" = with ]; then
		cat >>"$conf" <<CONF
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
  QueueLimit $((N * 2))
</Plugin>
CONF
	fi
	cd_start "$conf"
	wait_for 10 "unixsock" test -S "$T_TMP/cd.sock" || return 1
	t0=$(cpu_ticks "$CD_PID")
	python3 "$T_TMP/flood.py" "$T_TMP/cd.sock" "$N" || return 1
	wait_for 120 "csv has $N values" lines_ge mom gauge-bench "$N" || return 1
	if [ "$mode" = with ]; then
		wait_for 120 "write_mom sent $N" sent_ge "$N" || return 1
	fi
	t1=$(cpu_ticks "$CD_PID")
	cd_stop
	TICKS=$((t1 - t0))
}

declare -A med
for mode in without with; do
	runs=()
	for r in $(seq "$RUNS"); do
		if one_run "$mode"; then
			runs+=("$TICKS")
		else
			cd_stop
			tail -5 "$T_TMP/collectd.log"
		fi
	done
	[ "${#runs[@]}" -gt 0 ] || { echo "$mode: every run failed"; exit 1; }
	med[$mode]=$(printf '%s\n' "${runs[@]}" | median)
	printf '%-8s write_mom: collectd CPU for %d values: runs %s ticks, median %s ms\n' \
		"$mode" "$N" "${runs[*]}" "$(awk -v t="${med[$mode]}" -v h="$TCK" 'BEGIN { printf "%.0f", t * 1000 / h }')"
done
awk -v a="${med[with]}" -v b="${med[without]}" -v h="$TCK" -v n="$N" \
	'BEGIN { printf "write_mom adds %.2f us of collectd CPU per value (median of %s)\n", (a - b) * 1e6 / h / n, "'"$RUNS"'" }'
