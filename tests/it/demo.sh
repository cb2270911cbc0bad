#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# demo.sh: `make run`'s embedded default (tests/run-demo.sh).
#
# The default, three tiny real guests: it boots them, shows samples and
# decisions, moves real balloons (libvirt's actual shrinks) within 30 s of
# the pipeline starting, KSM merges the identical guests (within two
# minutes: see below),
# the guest with a guaranteed minimum stays above it; and Ctrl-C (SIGINT to
# its whole process group, as a terminal sends it) destroys the guests,
# stops every daemon it started, restores the KSM knobs it saved and leaves
# no process, socket or scratch directory behind.
#
# DEMO_BACKEND=test (libvirt's test driver, for machines without QEMU):
# samples, a decision and a balloon change within 30 s; a clean Ctrl-C;
# and with POLICY=adaptive, the adaptive set deciding.
source "$(dirname "$0")/../lib/common.sh"

K=/sys/kernel/mm/ksm

# The waits below give up at once when the demo has exited (WAIT_PIDS).
sleep 0 &
p=$!
wait $p
# "At once" counted, not timed: the condition is tried once, then once more
# as the last look after the watched process is seen gone; a wait that went
# on to its deadline would try it thousands of times.
tries=0
never() { tries=$((tries + 1)); return 1; }
WAIT_PIDS=$p wait_for 600 "a process that has exited" never
check "a wait gives up at once when the watched process has exited (${tries} tries)" [ "$tries" -le 2 ]

# start_demo OUT ENV...: run the demo in its own session, so that the SIGINT
# below reaches the whole group the way a terminal's Ctrl-C does, and
# nothing else.  A command started with & by a script inherits SIGINT
# ignored (and bash cannot trap a signal ignored at entry), so restore the
# default first, as a terminal's shell would.  Sets DEMO_PID.
start_demo() {
	local out=$1
	shift
	env "$@" python3 -c '
import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.setsid()
os.execvp("bash", ["bash", sys.argv[1]])' "$ROOT/tests/run-demo.sh" >"$out" 2>&1 &
	DEMO_PID=$!
	at_exit "kill -9 -- -$DEMO_PID"
	# Every wait gives up at once when the demo has exited.
	WAIT_PIDS=$DEMO_PID
}

# stop_demo OUT WHAT: Ctrl-C, then the checks that nothing is left.
stop_demo() {
	local out=$1 what=$2 sock dir
	sock=$(sed -n 's/.*momd on \(.*momd.sock\).*/\1/p' "$out" | head -1)
	dir=${sock%/momd.sock}
	check "$what: the demo reports its socket" test -n "$sock" -a -S "$sock"
	kill -INT -- -"$DEMO_PID"
	WAIT_PIDS=""
	gone() { ! kill -0 "$DEMO_PID" 2>/dev/null; }
	check "$what: Ctrl-C stops the demo" wait_for 60 "demo exits" gone
	# (A function, not bash -c: pgrep would find that shell's own command
	# line.)  Daemons and QEMUs of the demo name files under its directory.
	nothing_left() {
		local left
		left=$( (pgrep -a -f -- "$dir"; pgrep -a -s "$DEMO_PID") 2>/dev/null)
		[ -z "$left" ] && return 0
		diag "left: $left"
		return 1
	}
	check "$what: no process of the demo is left (daemons, QEMU)" nothing_left
	check "$what: no socket is left" test ! -e "$sock"
	check "$what: no scratch directory is left" test ! -e "$dir"
}

# 1. The default: real guests.
out=$T_TMP/demo.out
start_demo "$out" INTERVAL=2 DEMO_EMBEDDED=1
check "says it runs on the embedded default" \
	wait_for 30 "embedded banner" grep -q "running on the embedded default" "$out"
# Up to G_LOCK_WAIT for another run that holds the guests' lock, then the
# image, libvirtd's first start (~8 s) and the boot; or the fallback.
booted_or_not() { grep -qE "guests booted|cannot run real guests here|falling back to libvirt's test driver" "$out"; }
check "real guests boot, or the demo says why not" \
	wait_for 600 "guests booted or a reason" booted_or_not
if grep -q "cannot run real guests here" "$out"; then
	skip "real guests: $(grep -o 'cannot run real guests here.*' "$out")"
	stop_demo "$out" "no real guests"
elif grep -q "falling back to libvirt's test driver" "$out"; then
	skip "real guests: $(grep -o 'real guests did not start.*' "$out")"
	check "fallback: shows samples from the test driver" \
		wait_for 60 "a sample line" grep -q " sample  host free.*demo-web" "$out"
	stop_demo "$out" "fallback"
else
	check "boots three real guests" grep -q "guests booted" "$out"
	saved=$(sed -n 's/.*KSM knobs saved (restored on exit): //p' "$out" | head -1)
	diag "KSM saved by the demo: $saved"
	prefix=momg$DEMO_PID-
	check "guests web, db, batch run in libvirt" test "$(virsh -q -c qemu:///system list --name |
		grep -c "^${prefix}\(web\|db\|batch\)$")" = 3
	check "shows samples with the real guests" \
		wait_for 60 "a sample line" grep -q " sample  host free.* | web [0-9]* MiB" "$out"
	check "shows a decision with its reason" \
		wait_for 30 "a decision line" grep -q "decision guest:.*reason: 02-balloon" "$out"
	check "applies a balloon change within 30 s" \
		wait_for 30 "an applied balloon action" grep -q "action applied guest:.*balloon_target" "$out"
	web_shrunk() {
		local a
		a=$(virsh -q -c qemu:///system dommemstat "${prefix}web" | awk '$1 == "actual" {print $2}')
		[ "${a:-393216}" -lt 393216 ]
	}
	check "web's real balloon moved (libvirt's actual below 384 MiB)" \
		wait_for 30 "web actual < 393216 KiB" web_shrunk
	sharing() { grep -qE "sharing [1-9][0-9]* MiB" "$out" && [ "$(cat $K/pages_sharing)" -gt 0 ]; }
	# A minute on an idle host; ksmd scans at the CPU it gets, and KSM is
	# on only in the simulated host's pressure turns, so on a busy host
	# the bound is widened on purpose to two minutes.
	check "KSM merges the guests within two minutes (shown, and in sysfs)" \
		wait_for 120 "sharing > 0" sharing
	db_never_below_min() {
		grep -oE '\| db [0-9]+ MiB' "$out" | awk '$3 < 320 {bad=1} END {exit bad}'
	}
	check "db, guaranteed 320 MiB, never shown below it" db_never_below_min
	grep -E ' sample ' "$out" | tail -2 | sed 's/^/# /'
	stop_demo "$out" "real guests"
	left=$(virsh -q -c qemu:///system list --all --name 2>/dev/null | grep "^$prefix")
	check "no domain of the demo is left${left:+: $left}" test -z "$left"
	now=""
	for kv in $saved; do now="$now${kv%%=*}=$(cat "$K/${kv%%=*}") "; done
	check "KSM knobs back to what the demo saved ($now)" test -n "$saved" -a "$now" = "$saved"
fi

# 2. Real guests that fail to start (libvirt refusing to start QEMU, as in
# a container): the demo falls back to the test driver, saying why.
if grep -q "cannot run real guests here" "$out"; then
	skip "fallback from real guests: they cannot run here at all"
else
	out=$T_TMP/demo-fail.out
	start_demo "$out" INTERVAL=1 DEMO_EMBEDDED=1 \
		DEMO_GUESTS_FAIL="internal error: Failed disable mount propagation out of the root filesystem"
	check "guests fail to start: the demo falls back to the test driver, saying why in one line" \
		wait_for 600 "fallback line" grep -q "real guests did not start (libvirt: error: internal error: Failed disable mount propagation out of the root filesystem): falling back to libvirt's test driver" "$out"
	check "fallback: shows samples from the test driver" \
		wait_for 60 "a sample line" grep -q " sample  host free.*demo-web" "$out"
	check "fallback: applies a balloon change" \
		wait_for 30 "an applied balloon action" grep -q "action applied guest:.*balloon_target" "$out"
	check "fallback: no domain of the failed guests is left" \
		sh -c "! virsh -q -c qemu:///system list --all --name 2>/dev/null | grep -q '^momg$DEMO_PID-'"
	stop_demo "$out" "fallback"
fi

# 3. libvirt's test driver.
out=$T_TMP/demo-test.out
start_demo "$out" INTERVAL=1 DEMO_EMBEDDED=1 DEMO_BACKEND=test
check "test driver: says it runs on the embedded default" \
	wait_for 30 "embedded banner" grep -q "running on the embedded default" "$out"
check "test driver: shows samples arriving" \
	wait_for 30 "a sample line" grep -q " sample  host free" "$out"
check "test driver: shows a decision with its reason" \
	wait_for 30 "a decision line" grep -q "decision guest:.*reason: 02-balloon" "$out"
check "test driver: applies a balloon change within 30 s" \
	wait_for 30 "an applied balloon action" grep -q "action applied guest:.*balloon_target" "$out"
db_never_below_min() {
	grep -oE 'demo-db [0-9]+ MiB' "$out" | awk '$2 < 3072 {bad=1} END {exit bad}'
}
check "test driver: the guest with a guaranteed minimum stays at or above 3072 MiB" \
	db_never_below_min
stop_demo "$out" "test driver"

# 4. POLICY=adaptive (issue 19) on the test driver: the adaptive set is the
# one in force and decides (its KSM law, with the host's tier as reason;
# the test driver's guests report no memory statistics, so the balloon law
# rightly leaves them alone).  30 s: many intervals of 1 s on a busy host.
out=$T_TMP/demo-adaptive.out
start_demo "$out" INTERVAL=1 DEMO_EMBEDDED=1 DEMO_BACKEND=test POLICY=adaptive
check "POLICY=adaptive: the demo says it runs policies/adaptive" \
	wait_for 30 "policy set line" grep -q "policy set: .*/policies/adaptive" "$out"
check "POLICY=adaptive: a decision of the adaptive set with its reason" \
	wait_for 30 "an adaptive decision" grep -q "reason: 03-ksm/ksm: adaptive_tier=" "$out"
stop_demo "$out" "adaptive"
done_testing
