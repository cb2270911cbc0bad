#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# run-tests.sh [NAME...]: run the unit test programs (build/tests/*_test) and
# the integration scripts (tests/it/*.sh), or only those whose name contains
# one of the NAMEs.  Every program speaks TAP: each "ok" line is a pass, each
# "not ok" a failure, each "# SKIP" a skip.  A program that exits non-zero
# without a "not ok" line, or prints no check at all, counts as one failure.
# Logs go to $BUILD/test-logs/.  The last line is "N passed, N failed,
# N skipped"; the exit status is non-zero when anything failed.
set -u
BUILD=${BUILD:-$(pwd)/build}
LOGS=$BUILD/test-logs
TIMEOUT=${TEST_TIMEOUT:-900}
mkdir -p "$LOGS"
export BUILD
# The interpreter tests/lib/momapi.py runs on, resolved once for all tests
# (tests/lib/common.sh).
MOMAPI_PYTHON=${MOMAPI_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || echo python3)}
export MOMAPI_PYTHON

# SANITIZE=1: every binary of ours is built with ASan and UBSan (make does
# that); collectd gets the runtimes preloaded by a wrapper first on PATH.
# Reports go to files; each one counts as a failure at the end.
REPORTS=$BUILD/sanitizer
if [ "${SANITIZE:-0}" = 1 ]; then
	rm -rf "$REPORTS"
	mkdir -p "$REPORTS"
	ROOT=$(cd "$(dirname "$0")/.." && pwd)
	PATH=$ROOT/tests/lib/sanitize:$PATH
	ASAN_OPTIONS="log_path=$REPORTS/asan:detect_leaks=1:halt_on_error=1"
	UBSAN_OPTIONS="log_path=$REPORTS/ubsan:print_stacktrace=1:halt_on_error=1"
	LSAN_OPTIONS="suppressions=$ROOT/tests/lib/lsan.supp:print_suppressions=0"
	export PATH ASAN_OPTIONS UBSAN_OPTIONS LSAN_OPTIONS SANITIZE
	echo "sanitizers on: reports in $REPORTS"
fi

passed=0 failed=0 skipped=0 failed_names=""

selected() {
	[ $# -le 1 ] && return 0
	name=$1
	shift
	for pat in "$@"; do
		case "$name" in *"$pat"*) return 0 ;; esac
	done
	return 1
}

run_one() {
	name=$1
	shift
	log="$LOGS/$(echo "$name" | tr '/' '_').log"
	start=$(date +%s)
	timeout -k 10 "$TIMEOUT" "$@" >"$log" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	p=$(grep -c '^ok ' "$log" | tr -d ' ')
	s=$(grep -c '^ok .*# SKIP' "$log" | tr -d ' ')
	f=$(grep -c '^not ok ' "$log" | tr -d ' ')
	p=$((p - s))
	extra=""
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
		f=1
		extra=" (exit status $rc$([ "$rc" -eq 124 ] && echo ', timed out'))"
	elif [ $((p + f + s)) -eq 0 ]; then
		f=1
		extra=" (ran no check)"
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	if [ "$f" -gt 0 ]; then
		failed_names="$failed_names $name"
		printf 'FAIL %-32s %3d passed, %d failed, %d skipped, %ss%s\n' \
			"$name" "$p" "$f" "$s" "$secs" "$extra"
		grep -E '^not ok |^#' "$log" | head -20 | sed 's/^/     /'
		echo "     log: $log"
	else
		printf 'ok   %-32s %3d passed, %d skipped, %ss\n' "$name" "$p" "$s" "$secs"
	fi
	grep '# SKIP' "$log" | sed 's/^/     /'
}

for bin in "$BUILD"/tests/*_test; do
	[ -x "$bin" ] || continue
	name=unit/$(basename "$bin")
	selected "$name" "$@" || continue
	run_one "$name" "$bin"
done

for script in tests/it/*.sh; do
	[ -f "$script" ] || continue
	name=it/$(basename "$script" .sh)
	selected "$name" "$@" || continue
	run_one "$name" bash "$script"
done

if [ "${SANITIZE:-0}" = 1 ]; then
	for r in "$REPORTS"/*; do
		[ -f "$r" ] || continue
		failed=$((failed + 1))
		failed_names="$failed_names sanitizer:$(basename "$r")"
		echo "FAIL sanitizer report $r"
		head -30 "$r" | sed 's/^/     /'
	done
fi
[ -n "$failed_names" ] && echo "failed:$failed_names"
# For a caller that combines several passes (make test under CI).
echo "$passed $failed $skipped" >"$BUILD/test-totals"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
