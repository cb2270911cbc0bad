#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# demo.sh: `make run`'s embedded default (tests/run-demo.sh) shows samples,
# decisions and a balloon change within 30 seconds, and on Ctrl-C (SIGINT to
# its whole process group, as a terminal sends it) stops everything it
# started, leaving no process, socket or scratch directory behind.
source "$(dirname "$0")/../lib/common.sh"

out=$T_TMP/demo.out
# Its own session, so that the SIGINT below reaches the whole group the way
# a terminal's Ctrl-C does, and nothing else.  A command started with & by a
# script inherits SIGINT ignored (and bash cannot trap a signal ignored at
# entry), so restore the default first, as a terminal's shell would.
DEMO_EMBEDDED=1 INTERVAL=1 python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp("bash", ["bash", sys.argv[1]])' "$ROOT/tests/run-demo.sh" >"$out" 2>&1 &
pid=$!
at_exit "kill -9 -- -$pid"

check "says it runs on the embedded default" \
	wait_for 30 "embedded banner" grep -q "running on the embedded default" "$out"
check "shows samples arriving" \
	wait_for 30 "a sample line" grep -q " sample  host free" "$out"
check "shows a decision with its reason" \
	wait_for 30 "a decision line" grep -q "decision guest:.*reason: 02-balloon" "$out"
check "applies a balloon change within 30 s" \
	wait_for 30 "an applied balloon action" grep -q "action applied guest:.*balloon_target" "$out"
db_never_below_min() {
	grep -oE 'demo-db [0-9]+ MiB' "$out" | awk '$2 < 3072 {bad=1} END {exit bad}'
}
check "the guest with a guaranteed minimum stays at or above 3072 MiB" \
	db_never_below_min

sock=$(sed -n 's/.*momd on \(.*momd.sock\).*/\1/p' "$out" | head -1)
dir=${sock%/momd.sock}
check "the demo reports its socket" test -n "$sock" -a -S "$sock"

kill -INT -- -"$pid"
gone() { ! kill -0 "$pid" 2>/dev/null; }
check "Ctrl-C stops the demo" wait_for 30 "demo exits" gone
# (A function, not bash -c: pgrep would find that shell's own command line.)
nothing_left() { ! pgrep -f -- "$dir" >/dev/null && ! pgrep -s "$pid" >/dev/null; }
check "no process of the demo is left" nothing_left
check "no socket is left" test ! -e "$sock"
check "no scratch directory is left" test ! -e "$dir"
done_testing
