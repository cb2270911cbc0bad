#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# libvirt_rpc.sh: what an event loop costs every libvirt call of a client
# (libvirt_rpc_bench.c): $BENCH_RPC_ROUNDS rounds (default 7), each one
# process without and one with libvirt's event loop, alternating, each
# making $BENCH_RPC_CALLS (default 3000) calls to the system libvirtd
# ($BENCH_RPC_URI, default qemu:///system); prints the median CPU and wall
# time per call of each mode and their ratio.  Measures, asserts nothing.
# Usage: BUILD=build bash tests/bench/libvirt_rpc.sh
# The system libvirtd is started as the real-guest tests start it
# (tests/lib/guests.sh: under the guests' lock, stopped at exit if ours).
set -u
BUILD=$(realpath -m "${BUILD:-build}")
export BUILD
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/guests.sh"
B=$BUILD/tests/libvirt_rpc_bench
ROUNDS=${BENCH_RPC_ROUNDS:-7}
CALLS=${BENCH_RPC_CALLS:-3000}
URI=${BENCH_RPC_URI:-qemu:///system}

if [ ! -x "$B" ]; then
	echo "libvirt RPC: $B missing (make bench-build): not measured"
	exit 0
fi
if [ "$URI" = qemu:///system ] && ! g_libvirtd_start >/dev/null 2>&1; then
	echo "libvirt RPC: the system libvirtd did not start: not measured"
	exit 0
fi
if ! err=$("$B" --uri "$URI" 10 2>&1 >/dev/null); then
	echo "libvirt RPC: $URI cannot be used ($err): not measured"
	exit 0
fi
out=$T_TMP/rpc.txt
for _ in $(seq "$ROUNDS"); do
	for mode in "" --events; do
		# shellcheck disable=SC2086 # mode is one word or none
		if ! "$B" $mode --uri "$URI" "$CALLS" >>"$out" 2>"$T_TMP/err"; then
			sed 's/^/# /' "$out"
			echo "libvirt RPC: a run failed ($(tr '\n' ' ' <"$T_TMP/err")): not measured"
			exit 0
		fi
	done
done
sed 's/^/# /' "$out"
python3 - "$out" "$ROUNDS" "$CALLS" "$URI" <<'PY'
import statistics, sys
rows = [l.split() for l in open(sys.argv[1])]
med = {m: [statistics.median(float(r[k]) for r in rows if r[0] == m)
           for k in (1, 2)] for m in ("plain", "events")}
print(f"| {sys.argv[2]} rounds of {sys.argv[3]} virConnectNumOfDomains to {sys.argv[4]} | client CPU per call (µs, median) | wall per call (µs, median) |")
print("|---|---:|---:|")
print(f"| no event loop | {med['plain'][0]:.1f} | {med['plain'][1]:.1f} |")
print(f"| libvirt's event loop running in a thread | {med['events'][0]:.1f} | {med['events'][1]:.1f} |")
print(f"| ratio | {med['events'][0] / med['plain'][0]:.2f}x | {med['events'][1] / med['plain'][1]:.2f}x |")
PY
