#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# compare.sh: issue 15's three benchmark numbers for a baseline and this
# tree, side by side in one run: evaluation per guest (eval_bench, 1,000
# guests), ingest rate (ingest.sh: values/s and momd's ns CPU per value)
# and momd's memory (memory.sh: Rss and private memory holding 1,000
# guests).  Measures and prints medians and ratios; asserts nothing.
# "#" lines give each round's figures (ingest: values/s and ns CPU per
# value; memory: Rss and private MiB).
#
# The baseline is the git ref BENCH_BASE, by default 4f2de23: main just
# before issue 15's redesign (the merge of w21trust; the first redesign
# commit, c78424a, follows it).  Its tree is exported with git archive into
# $BUILD/bench-base/src and its momd and eval_bench built into
# $BUILD/bench-base/build (kept while the ref's commit is the same).  Both
# sides run this tree's scripts and shipped policies (unchanged since the
# baseline), so only the code differs.  $BENCH_RUNS rounds (default 3) of
# one run per benchmark and side; each figure is the median of its side's
# runs.
#
# Usage: BUILD=build [BENCH_BASE=REF] bash tests/bench/compare.sh
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BUILD=$(realpath -m "${BUILD:-$ROOT/build}")
BASE_REF=${BENCH_BASE:-4f2de23}
RUNS=${BENCH_RUNS:-3}
B=$BUILD/bench-base
T=$(mktemp -d /tmp/mombench.XXXXXX)
trap 'rm -rf "$T"' EXIT

base_commit=$(git -C "$ROOT" rev-parse --verify -q "$BASE_REF^{commit}") || {
	echo "compare: BENCH_BASE=$BASE_REF is not a commit here: not measured"
	exit 0
}
cur=$(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')
[ -z "$(git -C "$ROOT" status --porcelain -uno 2>/dev/null)" ] || cur="$cur+changes"

# The baseline's build, reused while it is of the same commit.
if [ "$(cat "$B/commit" 2>/dev/null)" != "$base_commit" ] ||
	[ ! -x "$B/build/momd" ] || [ ! -x "$B/build/tests/eval_bench" ]; then
	echo "# building the baseline ${base_commit:0:7} in $B"
	rm -rf "$B"
	mkdir -p "$B/src"
	git -C "$ROOT" archive "$base_commit" | tar -x -C "$B/src" || {
		echo "compare: git archive $BASE_REF failed: not measured"
		exit 0
	}
	if ! make -C "$B/src" -j"$(nproc)" BUILD="$B/build" \
		"$B/build/momd" "$B/build/tests/eval_bench" >"$B/build.log" 2>&1; then
		echo "compare: the baseline does not build (see $B/build.log): not measured"
		tail -5 "$B/build.log" | sed 's/^/# /'
		exit 0
	fi
	echo "$base_commit" >"$B/commit"
fi

# One run of benchmark NAME on the build BUILD; appends its figures as one
# line to $T/SIDE.NAME.
bench_eval() {
	"$2/tests/eval_bench" --policy-dir "$ROOT/policies" 1000 |
		awk -F'|' '$2 + 0 == 1000 { print $7 + 0 }' >>"$T/$1.eval"
}
bench_ingest() {
	BUILD=$2 BENCH_RUNS=1 bash "$ROOT/tests/bench/ingest.sh" 2>/dev/null |
		awk -F'|' 'p && NF > 3 { gsub(/ /, ""); print $3, $7; exit } /^\|---/ { p = 1 }' >>"$T/$1.ingest"
}
bench_memory() {
	BUILD=$2 BENCH_RUNS=1 BENCH_MEMORY_DIAG=0 bash "$ROOT/tests/bench/memory.sh" 2>/dev/null |
		awk -F'|' '$2 ~ /as shipped/ && $5 + 0 > 0 { print $5 + 0, $6 + 0 }' >>"$T/$1.memory"
}

# Each benchmark runs on both sides back to back, the side that goes first
# alternating by round: neither always meets a warmer (or busier) machine,
# and a spike of load falls on one pair, not on one side.
for r in $(seq "$RUNS"); do
	for name in eval ingest memory; do
		if [ $((r % 2)) = 1 ]; then
			"bench_$name" base "$B/build"
			"bench_$name" cur "$BUILD"
		else
			"bench_$name" cur "$BUILD"
			"bench_$name" base "$B/build"
		fi
	done
	echo "# round $r: base eval $(tail -1 "$T/base.eval" 2>/dev/null) ns/guest, ingest $(tail -1 "$T/base.ingest" 2>/dev/null), memory $(tail -1 "$T/base.memory" 2>/dev/null); this tree eval $(tail -1 "$T/cur.eval" 2>/dev/null), ingest $(tail -1 "$T/cur.ingest" 2>/dev/null), memory $(tail -1 "$T/cur.memory" 2>/dev/null)"
done

# median FILE COLUMN: the median of one column ("-" when there is none).
median() {
	awk -v c="$2" 'NF >= c { print $c }' "$1" 2>/dev/null | sort -g |
		awk '{ a[NR] = $1 } END { if (!NR) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a + 0 > 0 && b != "-") printf "%.2f", b / a; else print "-" }'; }
row() { # LABEL FILE COLUMN
	local a b
	a=$(median "$T/base.$2" "$3")
	b=$(median "$T/cur.$2" "$3")
	echo "| $1 | $a | $b | $(ratio "$a" "$b") |"
}

echo "| measure (median of $RUNS alternating runs) | baseline ${base_commit:0:7} | this tree $cur | ratio (this / baseline) |"
echo "|---|---:|---:|---:|"
row "evaluation, ns per guest (1,000 guests; lower is better)" eval 1
row "ingest, values/s accepted (higher is better)" ingest 1
row "ingest, momd ns CPU per value (lower is better)" ingest 2
row "momd Rss MiB, 1,000 guests × 10 samples (lower is better)" memory 1
row "momd private MiB, 1,000 guests × 10 samples (lower is better)" memory 2
