#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# fuzz_replay.sh: replays every fuzz corpus through its plain-cc replay
# program: build/tests/fuzz_<name>_replay over tests/fuzz/corpus/<name>/.
# One TAP line per harness; a crash, sanitizer report or missing corpus is
# a failure.  New harnesses are picked up without editing this file.
. "$(dirname "$0")/../lib/common.sh"

found=0
for src in "$ROOT"/tests/fuzz/fuzz_*.c; do
	[ -f "$src" ] || continue
	name=$(basename "$src" .c)
	name=${name#fuzz_}
	bin=$BUILD/tests/fuzz_${name}_replay
	corpus=$ROOT/tests/fuzz/corpus/$name
	found=1
	if [ ! -x "$bin" ]; then
		not_ok "fuzz_$name: $bin not built (make tests-build)"
		continue
	fi
	if [ ! -d "$corpus" ]; then
		not_ok "fuzz_$name: no corpus $corpus"
		continue
	fi
	n=$(find "$corpus" -maxdepth 1 -type f | wc -l)
	if "$bin" "$corpus" >"$T_TMP/$name.log" 2>&1; then
		ok "fuzz_$name: replayed $n inputs"
	else
		not_ok "fuzz_$name: replay failed (exit $?)"
		tail -20 "$T_TMP/$name.log" | sed 's/^/# /'
	fi
done
[ "$found" = 1 ] || skip "no fuzz harness"
done_testing
