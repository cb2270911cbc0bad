#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# ingest.sh: how many values per second momd accepts from write_http-format
# batches on one core.  Measures and prints; asserts nothing about time.
#
# Method: momd runs pinned to CPU 0 (taskset), --dry-run on the test driver,
# with its loopback TCP listener and a bearer token; wrk, pinned to CPU 1,
# keeps 4 connections busy POSTing a prepared batch (tests/bench/ingest.lua:
# the mom plugin's value lists for 33 guests plus the host, 483 value lists,
# ~500 like write_mom's BatchSize; a fresh collectd time per request).
# $BENCH_RUNS runs (default 3) of $BENCH_DURATION s (default 5) after a 2 s
# warm-up; per run: batches/s and values/s that momd counted as accepted
# (GET /v1/status, ingest.batches and ingest.values, over the run's wall
# time), momd's CPU use (utime+stime, /proc/PID/stat) and its CPU per batch
# and per value (robust to other load on the machine), and what one full
# core would accept at that cost (1e9 / ns per value): on a loaded machine
# momd does not get all of CPU 0.  Medians are printed.
#
# Usage: BUILD=build bash tests/bench/ingest.sh
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/momd.sh"

RUNS=${BENCH_RUNS:-3}
DUR=${BENCH_DURATION:-5}
GUESTS=${BENCH_BATCH_GUESTS:-33}

if ! command -v wrk >/dev/null; then
	echo "ingest: wrk is not installed (tests/install-deps.sh --bench): not measured"
	exit 0
fi
if ! command -v taskset >/dev/null; then
	echo "ingest: taskset is not installed: not measured"
	exit 0
fi

# cpu_ns PID: utime+stime of the whole process in ns (clock ticks; this
# counts threads that have exited too, and momd's HTTP server may use a
# thread per connection).
TCK=$(getconf CLK_TCK)
cpu_ns() { awk -v hz="$TCK" '{ sub(/.*\) /, ""); printf "%.0f\n", ($12 + $13) * 1e9 / hz }' "/proc/$1/stat"; }
ms() { echo $(($(date +%s%N) / 1000000)); }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
ingest() { momapi GET /v1/status .ingest.batches .ingest.records .ingest.values .ingest.rejected | tr '\n' ' '; }

python3 "$ROOT/tests/bench/gen_batch.py" template "$GUESTS" --host >"$T_TMP/batch.tpl" 2>"$T_TMP/batch.info"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$T_TMP/token"
chmod 600 "$T_TMP/token"
port=$((20000 + RANDOM % 20000))
mkdir -p "$T_TMP/ksm"
# momd_start, pinned: taskset execs momd, so MOMD_PID is momd itself.
taskset -c 0 "$BUILD/momd" --socket "$MOMD_SOCK" --state-dir "$T_TMP/state" \
	--policy-dir "$ROOT/policies" --libvirt-uri test:///default \
	--ksm-dir "$T_TMP/ksm" --dry-run --listen "127.0.0.1:$port" \
	--token-file "$T_TMP/token" >>"$T_TMP/momd.log" 2>&1 &
MOMD_PID=$!
at_exit stop_pid "$MOMD_PID"
if ! wait_for 10 "momd answers" curl -sf --unix-socket "$MOMD_SOCK" http://momd/v1/ping; then
	echo "ingest: momd did not start: not measured"
	tail -3 "$T_TMP/momd.log"
	exit 0
fi

run_wrk() {
	BATCH=$T_TMP/batch.tpl TOKEN_FILE=$T_TMP/token taskset -c 1 \
		wrk -t1 -c4 -d"$1"s -s "$ROOT/tests/bench/ingest.lua" \
		"http://127.0.0.1:$port/v1/metrics"
}

echo "# batch: $GUESTS guests + host, $(cat "$T_TMP/batch.info"), $(wc -c <"$T_TMP/batch.tpl") bytes"
run_wrk 2 >/dev/null
bps=() vps=() cpu=() nsv=() usb=()
for r in $(seq "$RUNS"); do
	read -r b0 _ v0 j0 <<<"$(ingest)"
	c0=$(cpu_ns "$MOMD_PID") t0=$(ms)
	run_wrk "$DUR" >"$T_TMP/wrk.out" 2>&1
	t1=$(ms) c1=$(cpu_ns "$MOMD_PID")
	read -r b1 _ v1 j1 <<<"$(ingest)"
	db=$((b1 - b0)) dv=$((v1 - v0)) dt=$((t1 - t0)) dc=$((c1 - c0))
	[ "$db" -gt 0 ] || { echo "# run $r: no batch accepted"; cat "$T_TMP/wrk.out"; continue; }
	bps+=("$((db * 1000 / dt))")
	vps+=("$((dv * 1000 / dt))")
	cpu+=("$((dc / 10000 / dt))")
	usb+=("$((dc / db / 1000))")
	nsv+=("$((dc / dv))")
	echo "# run $r: $db batches, $dv values in $dt ms; momd CPU $((dc / 1000000)) ms; rejected $((j1 - j0)); wrk: $(grep -E 'Requests/sec|Non-2xx' "$T_TMP/wrk.out" | tr -s ' ' | tr '\n' ' ')"
done
mnsv=$(printf '%s\n' "${nsv[@]}" | median)
echo "| batches/s | values/s | value lists per batch | momd CPU % of its core | momd µs CPU/batch | momd ns CPU/value | values/s per full core (1e9 / ns per value) | runs |"
echo "|---:|---:|---:|---:|---:|---:|---:|---:|"
echo "| $(printf '%s\n' "${bps[@]}" | median) | $(printf '%s\n' "${vps[@]}" | median) | $(sed 's/ value lists.*//' "$T_TMP/batch.info") | $(printf '%s\n' "${cpu[@]}" | median) | $(printf '%s\n' "${usb[@]}" | median) | $mnsv | $(awk -v n="$mnsv" 'BEGIN { if (n > 0) printf "%.0f", 1e9 / n; else print "-" }') | ${#bps[@]} |"
