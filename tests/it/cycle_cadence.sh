#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# cycle_cadence.sh: cycle_follows_samples, with the real momd and its real
# HTTP ingest.  Following the samples, a cycle runs when a fresh host
# sample arrives 3/4 to 5/4 of an interval after the last cycle: not
# before the window opens however fast samples come, at the window's end
# when none comes (so staleness is still noticed).  Off (the default),
# cycles keep to the fixed timer whatever the samples do; a reload
# (SIGHUP) turns it on, and one that shortens the interval shortens the
# wait already under way.  A cycle waits for the rest of the host sample's
# round (its guests' samples of the same collectd time, posted later),
# and for a guest that stopped reporting no longer than the settle bound.
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

# ---- the round: the cycle waits for the guests of the host's sample -----
# A collectd read stamps the host's values and every guest's with one time,
# and the write plugin may post them in several batches, the host's first.
# A second momd, with an interval of 8 s so that the settle bound (a
# quarter interval, 2 s at most) is 2 s: a guest's sample posted 400 ms
# after the host's must reach momd, and wake the cycle, within that bound
# (1.6 s to spare), and the bound ends 1.9 s before the fallback for a
# sample posted as the window opens (the margins above, for a busy machine
# and ASan).  Its only policy sets each
# guest's vcpu_quota to its balloon_cur, so the plan says which of the
# guest's samples a cycle evaluated; a dry run applies nothing.
momd_stop
IV=8000
OPEN=$((IV * 3 / 4))
LATEST=$((IV * 5 / 4))
SETTLE=2000
mkdir -p "$T_TMP/echo"
cat >"$T_TMP/echo/90-echo.json" <<'EOF'
{"description": "cycle_cadence.sh: each guest's vcpu_quota is its balloon_cur, to see which sample a cycle evaluated",
 "guest": [{"rule": "echo", "description": "vcpu_quota = balloon_cur",
            "do": [{"set": "vcpu_quota", "to": ["stat", "balloon_cur"]}]}]}
EOF
momd_start --interval-ms "$IV" --cycle-follows-samples --dry-run \
	--policy-dir "$T_TMP/echo" || { not_ok "momd starts with the echo policy"; done_testing; }
# The posts of one collectd read share its time: MOMD_AT (api.sh).
round_time() { MOMD_AT=$(date +%s.%N | cut -c1-14); }
# Once the window after the cycle at $last opens, the host's sample of a
# new round ($1): the post's start in posted, its end in done_ms, the
# cycles counted before it (the last cycle long over) in cycles.
host_round() {
	wait_for 30 "the window opens" clock_past $((last + OPEN + SLACK))
	cycles=$(momapi GET /v1/status .cycles)
	round_time
	posted=$(now_ms)
	host_sample || not_ok "round $1: host sample posted ($STATUS)"
	done_ms=$(now_ms)
}
guest_sample() { post_guest g1 memory-actual="$1" memory-maximum=4294967296; }
cycles_past() { [ "$(momapi GET /v1/status .cycles)" -gt "$1" ]; }
g1_quota() { api GET /v1/plan && jv 'j["plan"]["guests"]["g1"]["vcpu_quota"]'; }

# Round 0, before the first cycle: the host and g1, one time.
round_time
host_sample || not_ok "round 0: host sample posted ($STATUS)"
guest_sample $((1 << 30)) || not_ok "round 0: g1's sample posted ($STATUS)"
next_cycle 0 && last=$NEXT

# Round 1: g1 was in round 0, so the cycle waits for its sample.
host_round 1
wait_for 10 "400 ms after the host's post" clock_past $((posted + 400))
gposted=$(now_ms)
guest_sample $((2 << 30)) || not_ok "round 1: g1's sample posted ($STATUS)"
if next_cycle "$last"; then
	check_sh "round 1: the cycle starts after g1's sample of the host's time was posted, before the fallback" \
		'[ "$NEXT" -ge $((gposted - SLACK)) ] && [ "$NEXT" -lt $((last + LATEST - SLACK)) ]'
	check_sh "... woken by g1's post, which completed the round: before the settle bound" \
		'[ "$NEXT" -lt $((posted + SETTLE - SLACK)) ]'
	diag "round 1: cycle $((NEXT - posted)) ms after the host's post began, $((NEXT - gposted)) ms after g1's"
	wait_for 30 "the cycle's plan" cycles_past "$cycles"
	check_sh "... and it evaluated g1's new sample (vcpu_quota = 2 GiB in KiB)" \
		'[ "$(g1_quota)" = $((2 << 20)) ]'
	last=$NEXT
else
	not_ok "round 1: a cycle follows"
fi

# Round 2: g1 stops reporting.  The cycle waits the settle bound for it,
# no longer: well before the fallback.
host_round 2
if next_cycle "$last"; then
	check_sh "round 2: g1 missing, the cycle waits the settle bound after the host's sample" \
		'[ "$NEXT" -ge $((posted + SETTLE - SLACK)) ]'
	check_sh "... and runs before the fallback" \
		'[ "$NEXT" -lt $((last + LATEST - SLACK)) ]'
	diag "round 2: cycle $((NEXT - done_ms)) ms after the host's post ended (settle bound $SETTLE ms)"
	last=$NEXT
else
	not_ok "round 2: a cycle follows"
fi

# Round 3: g1 was not in round 2, so it is not waited for any more.
host_round 3
if next_cycle "$last"; then
	check_sh "round 3: a guest gone since the last round delays no cycle: it starts after the post, within the settle bound" \
		'[ "$NEXT" -ge $((posted - SLACK)) ] && [ "$NEXT" -lt $((done_ms + SETTLE - SLACK)) ]'
	diag "round 3: cycle $((NEXT - done_ms)) ms after the host's post ended"
else
	not_ok "round 3: a cycle follows"
fi

# ---- SIGHUP shortens the interval: at once, not after the old one --------
# The fixed timer, an hour's interval from the file; a reload to 1 s
# applies to the cycle being waited for (README "Configuration": at once).
# The interval comes from the file alone: flags stay on top at a reload.
momd_stop
MOMD_BASE_FLAGS=(--policy-dir "$MOMD_POLICIES" --libvirt-uri test:///default
	--ksm-dir "$MOMD_KSM")
echo '{"interval_ms": 3600000}' >"$T_TMP/momd.json"
momd_start --config "$T_TMP/momd.json" ||
	{ not_ok "momd starts with an hour's interval"; done_testing; }
api GET /v1/status
check "an hour's interval from the file" [ "$(jv 'j["interval_ms"]')" = 3600000 ]
check "... and no cycle yet" [ -z "$(last_cycle)" ]
echo '{"interval_ms": 1000}' >"$T_TMP/momd.json"
kill -HUP "$MOMD_PID"
check "SIGHUP to 1 s: a cycle runs without waiting out the hour" \
	wait_for 30 "a first cycle" cycle_after 0

momd_log_clean
done_testing
