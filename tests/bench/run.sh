#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# run.sh: `make bench`, every benchmark of tests/bench/ in turn.  It measures
# and prints; it asserts nothing about time and exits 0 unless the build
# tree is missing.  Each benchmark prints a Markdown table (or why it could
# not measure); lines starting with "#" are details of single runs.  The
# whole output is also written to $BUILD/bench/results.md, from which the
# README's "Benchmarks" section is updated by hand.
#
#   compare.sh        issue 15's numbers (evaluation per guest, ingest
#                     rate, momd memory) for a baseline (BENCH_BASE, a git
#                     ref; default 4f2de23, before the redesign) and this
#                     tree, side by side, with ratios
#   eval_bench        policy evaluation per cycle and per guest (in-process)
#   ingest.sh         momd ingest on one core (wrk over loopback TCP)
#   write_plugin.sh   write_mom's added collectd CPU per value
#   memory.sh         momd Rss and private memory, idle and 1,000 guests
#   read_plugin.sh    mom vs virt read callbacks, CPU per read, one collectd
#   libvirt_rpc.sh    a libvirt call's client CPU without and with an event
#                     loop in the process (why QoS inputs are not read on
#                     change events)
#   real_guests.sh    CPU per minute and reaction times on 3 real guests
#   scenario.sh       balloon policies side by side on 4 real guests with
#                     workloads: reclaim, reaction, harm (issue 19)
#
# BENCH_ONLY="eval ingest ..." runs a subset (names as above, without
# extension).  Usage: BUILD=build bash tests/bench/run.sh
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# Absolute, also when given as BUILD=build: the scripts' daemons change
# directory (virtlogd before writing its pid file).
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
export BUILD
ONLY=${BENCH_ONLY:-compare eval ingest write_plugin memory read_plugin libvirt_rpc real_guests scenario}
OUT=$BUILD/bench/results.md

if [ ! -x "$BUILD/tests/eval_bench" ]; then
	echo "run.sh: $BUILD/tests/eval_bench missing: run make bench-build" >&2
	exit 1
fi
mkdir -p "$BUILD/bench"

ms() { echo $(($(date +%s%N) / 1000000)); }

# section NAME TITLE CMD...: run one benchmark with a heading and its time.
section() {
	local name=$1 title=$2 t
	shift 2
	case " $ONLY " in *" $name "*) ;; *) return 0 ;; esac
	echo
	echo "### $title"
	echo
	t=$(ms)
	"$@" 2>&1
	echo
	echo "($name: $((($(ms) - t) / 1000)) s)"
}

main() {
	local t0
	t0=$(ms)
	echo "## make bench: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
	echo
	echo "Machine: $(nproc) CPUs ($(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo), kernel $(uname -r); load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"
	section compare "Before and after issue 15's redesign (BENCH_BASE=${BENCH_BASE:-4f2de23}), side by side" \
		bash "$ROOT/tests/bench/compare.sh"
	section eval "Policy evaluation (shipped policies, in-process)" \
		"$BUILD/tests/eval_bench" --policy-dir "$ROOT/policies"
	section ingest "Ingest: momd on one core, write_http batches over loopback TCP" \
		bash "$ROOT/tests/bench/ingest.sh"
	section write_plugin "write_mom: added collectd CPU per value" \
		bash "$ROOT/tests/bench/write_plugin.sh"
	section memory "momd memory" bash "$ROOT/tests/bench/memory.sh"
	section read_plugin "Read plugin: CPU per read, mom vs stock virt, same collectd" \
		bash "$ROOT/tests/bench/read_plugin.sh"
	section libvirt_rpc "libvirt: a call's client CPU without and with an event loop" \
		bash "$ROOT/tests/bench/libvirt_rpc.sh"
	section real_guests "Real guests: CPU per minute and reaction (3 TCG guests, 1 s interval)" \
		bash "$ROOT/tests/bench/real_guests.sh"
	section scenario "Scenario: balloon policies side by side (4 TCG guests with workloads, simulated host)" \
		bash "$ROOT/tests/bench/scenario.sh"
	echo
	echo "Load average at end: $(cut -d' ' -f1-3 /proc/loadavg). Total: $((($(ms) - t0) / 1000)) s."
}

export BUILD
main | tee "$OUT"
echo "(also in $OUT)"
