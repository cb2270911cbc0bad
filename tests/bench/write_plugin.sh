#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# write_plugin.sh: the CPU that the `write_mom` write plugin adds inside
# collectd, per value.  Measures and prints; asserts nothing about time.
#
# Method: a synthetic read plugin (bench_flood, tests/bench/flood_plugin.c)
# dispatches $BENCH_FLOOD values per second (default 20,000), shaped like
# the mom plugin's guest values, into a collectd whose only other writer is
# bench_flood's own null write callback (no csv).  The same flood runs
# without write_mom and with it (delivering to a real momd on its unix
# socket, --dry-run), alternately, $BENCH_RUNS times each (default 4).  In
# each run, after a 3 s warm-up, collectd's CPU is the growth over
# $BENCH_WINDOW seconds (default 6) of the summed on-CPU time of all its
# threads (/proc/PID/task/*/schedstat, nanoseconds), divided by the values
# the flood dispatched in that window; write_mom's cost per value is the
# median over the (without, with) pairs of the difference.  The values momd
# accepted in the window are shown, so a run where write_mom dropped values
# is visible.
# momd's own CPU is not collectd's and is not counted (see ingest.sh).
#
# Usage: BUILD=build bash tests/bench/write_plugin.sh
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"

RATE=${BENCH_FLOOD:-20000}
RUNS=${BENCH_RUNS:-4}
WINDOW=${BENCH_WINDOW:-6}
COUNT=$T_TMP/flood.count

if [ ! -f "$BUILD/tests/bench_flood.so" ] || [ ! -f "$BUILD/write_mom.so" ]; then
	echo "write plugin: bench_flood.so or write_mom.so missing (make bench-build): not measured"
	exit 0
fi

# cpu_ns PID: on-CPU nanoseconds of all threads of PID.
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
flood_count() { awk '{ print $1 }' "$COUNT" 2>/dev/null || echo 0; }
momd_values() { momapi GET /v1/status .ingest.values; }
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

mkdir -p "$T_TMP/ksm"
# The flood has one guest per 8 values: momd takes them all (--max-guests).
momd_start --policy-dir "$ROOT/policies" --libvirt-uri test:///default \
	--ksm-dir "$T_TMP/ksm" --dry-run --interval-ms 10000 \
	--max-guests $(((RATE + 7) / 8 + 1)) ||
	{ echo "write plugin: momd did not start: not measured"; exit 0; }

# one_run MODE: prints "ns_per_value values momd_values".
one_run() {
	local mode=$1 conf=$T_TMP/flood.conf c0 c1 n0 n1 m0 m1
	rm -f "$COUNT" "$T_TMP/cd.sock"
	cd_conf_head "$conf" 1
	sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d' "$conf"
	cat >>"$conf" <<CONF
LoadPlugin bench_flood
<Plugin bench_flood>
  Values $RATE
</Plugin>
CONF
	if [ "$mode" = with ]; then
		cat >>"$conf" <<CONF
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
  QueueLimit $((RATE * 3))
  ReportStats false
</Plugin>
CONF
	fi
	# bench_flood.so is found in $BUILD/tests: a PluginDir of its own.
	sed -i "s|^LoadPlugin bench_flood|PluginDir \"$BUILD/tests\"\nLoadPlugin bench_flood\nPluginDir \"$BUILD\"|" "$conf"
	FLOOD_COUNT_FILE=$COUNT collectd -f -C "$conf" >>"$T_TMP/collectd.out" 2>&1 &
	CD_PID=$!
	if ! wait_for 20 "flood running" test -s "$COUNT"; then
		stop_pid "$CD_PID"
		tail -3 "$T_TMP/collectd.log" | sed 's/^/# /' >&2
		return 1
	fi
	sleep 3
	c0=$(cpu_ns "$CD_PID") n0=$(flood_count) m0=$(momd_values)
	sleep "$WINDOW"
	c1=$(cpu_ns "$CD_PID") n1=$(flood_count) m1=$(momd_values)
	stop_pid "$CD_PID"
	grep -h 'write_mom plugin:.*drop' "$T_TMP/collectd.log" 2>/dev/null | tail -2 | sed 's/^/# /' >&2
	: >"$T_TMP/collectd.log"
	[ "$n1" -gt "$n0" ] || return 1
	echo "$(((c1 - c0) / (n1 - n0))) $((n1 - n0)) $((m1 - m0))"
}

# Runs alternate without/with, so each pair shares the machine's load of
# the moment: the added cost is the median of the pairs' differences.
wos=() ws=() diffs=()
for r in $(seq "$RUNS"); do
	unset a b
	for mode in without with; do
		if out=$(one_run "$mode"); then
			read -r ns nv mv <<<"$out"
			[ "$mode" = with ] && b=$ns || a=$ns
			echo "# run $r $mode write_mom: $ns ns/value of collectd CPU, $nv values dispatched, momd accepted $mv"
		else
			echo "# run $r $mode write_mom: failed"
		fi
	done
	[ -n "${a:-}" ] && wos+=("$a")
	[ -n "${b:-}" ] && ws+=("$b")
	[ -n "${a:-}" ] && [ -n "${b:-}" ] && diffs+=($((b - a)))
done
echo "| flood | collectd ns/value without write_mom | with write_mom | added by write_mom (ns/value, median of paired differences) | pairs |"
echo "|---:|---:|---:|---:|---:|"
echo "| $RATE values/s | $(printf '%s\n' "${wos[@]}" | median) | $(printf '%s\n' "${ws[@]}" | median) | $(printf '%s\n' "${diffs[@]}" | median) | ${#diffs[@]} |"
