#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# memory.sh: momd's resident size and private memory, idle and holding 1,000
# guests with a full 10-sample history.  Measures and prints; asserts
# nothing.
#
# Method: momd (--dry-run, test driver, evaluation every second, history 10)
# starts; after 2 s idle (no samples, so no evaluation yet) its
# /proc/PID/smaps_rollup gives Rss and private memory (Private_Clean + Private_Dirty: what this momd alone
# costs; Rss also counts shared library pages).  Then 10 samples of the host
# and 1,000 guests (gen_batch.py series: the mom plugin's value lists, one
# second apart, ending now, 500 value lists per body as write_mom batches
# them) are POSTed over the unix socket, momd runs 3
# more cycles with all 1,000 guests (checked in /v1/status), and
# smaps_rollup is read again.  $BENCH_RUNS runs (default 3), each with a
# fresh momd; medians are printed.  One more run with glibc malloc tuned
# through the environment is shown as a diagnostic (live set versus memory
# the allocator keeps after freeing parsed bodies).
#
# Usage: BUILD=build bash tests/bench/memory.sh [GUESTS]
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/momd.sh"

GUESTS=${1:-1000}
RUNS=${BENCH_RUNS:-3}
SAMPLES=10

# kib PID FIELD...: the sum of the named smaps_rollup fields, KiB.
kib() {
	local pid=$1
	shift
	awk -v want=" $* " 'index(want, " " substr($1, 1, length($1) - 1) " ") { s += $2 } END { print s + 0 }' \
		"/proc/$pid/smaps_rollup"
}
status() { momapi GET /v1/status .cycles .guests | tr '\n' ' '; }
cycles_ge() { local c; read -r c _ <<<"$(status)"; [ "${c:-0}" -ge "$1" ]; }
median() { sort -g | awk '{ a[NR] = $1 } END { if (NR) print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

if [ ! -r /proc/self/smaps_rollup ]; then
	echo "memory: /proc/PID/smaps_rollup is not available (kernel < 4.14): not measured"
	exit 0
fi

# One body per 33 guests: 500 value lists, write_mom's BatchSize.
t0=$(($(date +%s) - SAMPLES))
python3 "$ROOT/tests/bench/gen_batch.py" series "$GUESTS" "$SAMPLES" "$t0" 1 33 "$T_TMP/series" 2>/dev/null
mkdir -p "$T_TMP/ksm"

# one_run [VAR=VALUE...]: a fresh momd (with that environment); prints
# "idle_rss idle_private loaded_rss loaded_private guests" in KiB.
one_run() {
	local a p b q g c0
	rm -rf "$T_TMP/state"
	env "$@" "$BUILD/momd" --socket "$MOMD_SOCK" --state-dir "$T_TMP/state" \
		--policy-dir "$ROOT/policies" --libvirt-uri test:///default \
		--ksm-dir "$T_TMP/ksm" --dry-run --interval-ms 1000 --history "$SAMPLES" \
		--expiry-ms 600000 --rail-stale-ms 0 >>"$T_TMP/momd.log" 2>&1 &
	MOMD_PID=$!
	wait_for 10 "momd answers" curl -sf --unix-socket "$MOMD_SOCK" http://momd/v1/ping || return 1
	# Idle: no samples, so no evaluation cycle counts; 2 s of running.
	sleep 2
	a=$(kib "$MOMD_PID" Rss) p=$(kib "$MOMD_PID" Private_Clean Private_Dirty)
	read -r c0 _ <<<"$(status)"
	for f in "$T_TMP"/series/*.json; do
		curl -s -o /dev/null --unix-socket "$MOMD_SOCK" -H 'Content-Type: application/json' \
			--data-binary @"$f" http://momd/v1/metrics
	done
	wait_for 20 "3 more cycles" cycles_ge $((c0 + 3))
	read -r _ g <<<"$(status)"
	b=$(kib "$MOMD_PID" Rss) q=$(kib "$MOMD_PID" Private_Clean Private_Dirty)
	momd_stop
	echo "$a $p $b $q $g"
}

# row LABEL RUNS [VAR=VALUE...]: the medians of RUNS runs as table rows.
row() {
	local label=$1 runs=$2 r a p b q g
	local rss0=() prv0=() rss1=() prv1=() grow=()
	shift 2
	for r in $(seq "$runs"); do
		read -r a p b q g <<<"$(one_run "$@")"
		echo "# $label run $r: idle Rss ${a:-?} KiB private ${p:-?} KiB; ${g:-?} guests: Rss ${b:-?} KiB private ${q:-?} KiB" >&2
		[ "${g:-}" = "$GUESTS" ] || { echo "# $label run $r: momd holds ${g:-no} guests, not $GUESTS: not counted" >&2; continue; }
		rss0+=("$a") prv0+=("$p") rss1+=("$b") prv1+=("$q") grow+=($((q - p)))
	done
	[ "${#rss0[@]}" -gt 0 ] || { echo "| $label | no run completed | | | | |"; return; }
	echo "| $label | $(mib "$(printf '%s\n' "${rss0[@]}" | median)") | $(mib "$(printf '%s\n' "${prv0[@]}" | median)") | $(mib "$(printf '%s\n' "${rss1[@]}" | median)") | $(mib "$(printf '%s\n' "${prv1[@]}" | median)") | $(mib "$(printf '%s\n' "${grow[@]}" | median)") | ${#rss0[@]} |"
}

shipped=$(row "as shipped" "$RUNS")
# Diagnostic: the same with glibc's malloc told to keep one arena and give
# freed memory back, which separates the live set from what the allocator
# retains after parsing ingest bodies.
# BENCH_MEMORY_DIAG=0 leaves it out (tests/bench/compare.sh).
tuned=""
[ "${BENCH_MEMORY_DIAG:-1}" = 0 ] ||
	tuned=$(row "diagnostic: MALLOC_ARENA_MAX=1, TRIM/MMAP_THRESHOLD 128 KiB" 1 \
		MALLOC_ARENA_MAX=1 MALLOC_TRIM_THRESHOLD_=131072 MALLOC_MMAP_THRESHOLD_=131072)
echo "| momd | idle Rss MiB | idle private MiB | $GUESTS guests × $SAMPLES samples: Rss MiB | private MiB | private growth MiB | runs |"
echo "|---|---:|---:|---:|---:|---:|---:|"
echo "$shipped"
[ -z "$tuned" ] || echo "$tuned"
echo "# medians; Rss includes shared library pages; MOM: 40.6 MB resident with 1,000 guests"
