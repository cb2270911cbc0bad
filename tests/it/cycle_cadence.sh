#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# cycle_cadence.sh: cycle_follows_samples, with the real momd and its real
# HTTP ingest.  Following the samples, a cycle runs when a fresh host
# sample arrives 3/4 to 5/4 of an interval after the last cycle: not
# before the window opens however fast samples come, at the window's end
# when none comes (so staleness is still noticed).  Off (the default),
# cycles keep to the fixed timer whatever the samples do; a reload
# (SIGHUP) turns it on.
#
# Times are the cycles' starts from GET /v1/status (last_cycle_ms, wall
# clock) against this shell's wall clock.  The interval is 4000 ms, not
# shorter, on purpose: a sample posted just after the window opens must
# reach momd before the window closes 2 s later, and the machine is busy
# (2 cores, other tests, a run under ASan).  The assertions are the
# schedule's promises only; SLACK (100 ms) covers momd reading its wall
# clock for last_cycle_ms a little after the monotonic one it schedules
# with (after taking the engine lock), so that a cycle's time may be off
# its schedule by that much either way: a cycle on a sample must come
# SLACK before the fallback to count as not being the fallback.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

IV=4000
OPEN=$((IV * 3 / 4))
LATEST=$((IV * 5 / 4))
SLACK=100

now_ms() { date +%s%3N; }
# The last cycle's start (wall ms), or "" before the first one.
last_cycle() { api GET /v1/status && jv 'j["last_cycle_ms"]'; }
# A cycle after the one at $1 has begun: its start in NEXT.
cycle_after() { NEXT=$(last_cycle) && [ -n "$NEXT" ] && [ "$NEXT" -gt "$1" ]; }
# Wait for the cycle after the one at $1 (at most two fallbacks).
next_cycle() { wait_for 30 "a cycle after $1" cycle_after "$1"; }
clock_past() { [ "$(now_ms)" -ge "$1" ]; }
host_sample() { post_host memory-total=17179869184 memory-free=4294967296; }

momd_start --interval-ms "$IV" --cycle-follows-samples ||
	{ not_ok "momd starts"; done_testing; }
api GET /v1/status
check "status says the cycle follows the samples" \
	[ "$(jv 'j["cycle_follows_samples"]')/$(jv 'j["interval_ms"]')" = "true/$IV" ]
started=$(jv 'j["started_ms"]')

# ---- no sample at all: the fallback, 5/4 interval after the last --------
if next_cycle 0; then
	t1=$NEXT
	check_sh "with no sample, the first cycle waits for the fallback (5/4 interval after start)" \
		'[ $((t1 - started)) -ge $((LATEST - SLACK)) ]'
	next_cycle "$t1" && t2=$NEXT
	check_sh "with no sample, cycles still run, 5/4 interval apart" \
		'[ -n "${t2:-}" ] && [ $((t2 - t1)) -ge $((LATEST - SLACK)) ]'
else
	not_ok "a first cycle with no sample"
	done_testing
fi

# ---- a sample after the window opened: the cycle runs at once -----------
last=$t2
for i in 1 2 3; do
	wait_for 30 "the window opens" clock_past $((last + OPEN + SLACK))
	posted=$(now_ms)
	host_sample || not_ok "host sample $i posted ($STATUS)"
	if next_cycle "$last"; then
		check_sh "sample $i: the next cycle starts after it was posted and before the fallback" \
			'[ "$NEXT" -ge $((posted - SLACK)) ] && [ "$NEXT" -lt $((last + LATEST - SLACK)) ]'
		diag "sample $i: cycle $((NEXT - posted)) ms after the post began, $((NEXT - last)) ms after the last cycle"
		last=$NEXT
	else
		not_ok "sample $i: a cycle follows"
	fi
done

# ---- samples faster than the interval: cycles stay 3/4 interval apart ----
posts=0
until cycle_after "$last"; do
	host_sample && posts=$((posts + 1))
	clock_past $((last + 2 * LATEST)) && break
done
check_sh "samples posted without pause ($posts): the next cycle waits for the window to open" \
	'cycle_after "$last" && [ "$NEXT" -ge $((last + OPEN - SLACK)) ]'
check_sh "... and runs before the fallback, on a sample" '[ "$NEXT" -lt $((last + LATEST - SLACK)) ]'
last=$NEXT

# ---- samples stop: the fallback runs, and evaluates -----------------------
cycles=$(momapi GET /v1/status .cycles)
if next_cycle "$last"; then
	check_sh "samples stopped: the next cycle is the fallback, 5/4 interval after" \
		'[ $((NEXT - last)) -ge $((LATEST - SLACK)) ]'
	check "... and it evaluated (cycles count up)" \
		[ "$(momapi GET /v1/status .cycles)" -gt "$cycles" ]
else
	not_ok "samples stopped: a cycle still runs"
fi
momd_stop

# ---- off (the default): the fixed timer, whatever the samples do ---------
echo '{}' >"$T_TMP/momd.json"
momd_start --config "$T_TMP/momd.json" --interval-ms "$IV" ||
	{ not_ok "momd starts without the option"; done_testing; }
api GET /v1/status
check "off by default: the status says so" [ "$(jv 'j["cycle_follows_samples"]')" = false ]
if next_cycle 0; then
	last=$NEXT
	wait_for 30 "3/4 interval after the cycle" clock_past $((last + OPEN + SLACK))
	host_sample || not_ok "host sample posted ($STATUS)"
	next_cycle "$last"
	# The fixed timer keeps an absolute schedule, so a cycle that began
	# late (the engine lock, ASan, a busy machine) is followed by one
	# less than a full interval after it: the margin is 400 ms, not
	# SLACK.  A cycle on the sample would come about OPEN + SLACK
	# (3.1 s) after the last, well below IV - 400 (3.6 s).
	check_sh "off: a sample does not move the cycle (one interval after the last)" \
		'[ $((NEXT - last)) -ge $((IV - 400)) ]'
	last=$NEXT
else
	not_ok "off: a first cycle"
fi

# ---- SIGHUP turns it on ---------------------------------------------------
echo '{"cycle_follows_samples": true}' >"$T_TMP/momd.json"
kill -HUP "$MOMD_PID"
status_follows() { [ "$(momapi GET /v1/status .cycle_follows_samples)" = true ]; }
check "SIGHUP: the status says the cycle follows the samples" \
	wait_for 10 "the reload" status_follows
# The cycle in progress may still be the timer's: count from the next one.
next_cycle "$last" && last=$NEXT
wait_for 30 "the window opens" clock_past $((last + OPEN + SLACK))
posted=$(now_ms)
host_sample || not_ok "host sample posted after the reload ($STATUS)"
next_cycle "$last"
check_sh "after the reload the cycle follows the sample, before the fallback" \
	'[ "$NEXT" -ge $((posted - SLACK)) ] && [ "$NEXT" -lt $((last + LATEST - SLACK)) ]'

momd_log_clean
done_testing
