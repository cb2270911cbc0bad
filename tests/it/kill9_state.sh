#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# kill9_state.sh: momd killed with SIGKILL while it persists a change, 100
# rounds (KILL9_ROUNDS).  Each round sends PUT /v1/policies/99-k9 (a policy
# whose description names the round) and PATCH /v1/parameters (two
# parameters set to the round's number, in one request) at once, kills
# momd after a random 0-40 ms, and starts it again.  After every restart:
# the state directory loads (nothing "ignored" in the log), the policy is
# the previous round's or this round's, both parameters hold the same
# round (the old pair or the new pair, never a mix), and no temporary file
# is left in state_dir.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

ROUNDS=${KILL9_ROUNDS:-100}
policy() {
	printf '{"description": "round %s", "host": [{"rule": "k", "do": [{"set": "ksm_pages_to_scan", "to": %s}]}]}' "$1" "$((100 + $1))"
}
# state: "POLICY_ROUND BALLOON KSM" as momd reports them after a restart.
state() {
	local pol par
	pol=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/policies/99-k9)
	par=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/parameters)
	printf '{"p": %s, "q": %s}' "${pol:-null}" "${par:-null}" | momapi json '" ".join([
    (lambda d: d.split()[-1] if d.startswith("round ") else "none")(
        j["p"].get("policy", j["p"]).get("description", "") if isinstance(j["p"], dict) else ""),
    str(int(j["q"]["balloonEnabled"])), str(int(j["q"]["ksmEnabled"]))])'
}

momd_start || { not_ok "momd starts"; done_testing; }
api PUT /v1/policies/99-k9 "$(policy 0)"
api PATCH /v1/parameters '{"balloonEnabled": 0, "ksmEnabled": 0}'
check "round 0 set" [ "$(state)" = "0 0 0" ]

old=0 bad=0 mixed=0 leftover=0 removed=0 newer=0 tmp_seen=0
t0=$(date +%s)
for r in $(seq 1 "$ROUNDS"); do
	curl -s -o /dev/null --unix-socket "$MOMD_SOCK" -X PUT \
		-H 'Content-Type: application/json' --data-binary "$(policy "$r")" \
		http://momd/v1/policies/99-k9 &
	c1=$!
	curl -s -o /dev/null --unix-socket "$MOMD_SOCK" -X PATCH \
		-H 'Content-Type: application/json' \
		--data-binary "{\"balloonEnabled\": $r, \"ksmEnabled\": $r}" \
		http://momd/v1/parameters &
	c2=$!
	nap "0.0$((RANDOM % 31 / 10))$((RANDOM % 10))"
	kill -9 "$MOMD_PID"
	wait "$MOMD_PID" 2>/dev/null
	wait $c1 $c2 2>/dev/null
	ls -a "$MOMD_STATE" | grep -q '\.tmp\.' && tmp_seen=$((tmp_seen + 1))
	momd_start || { not_ok "round $r: momd restarts"; break; }
	read -r p b k <<<"$(state)"
	if [ "$b" != "$k" ]; then
		mixed=$((mixed + 1))
		diag "round $r: parameters mixed: balloonEnabled $b, ksmEnabled $k"
	fi
	if { [ "$p" != "$old" ] && [ "$p" != "$r" ]; } ||
		{ [ "$b" != "$old" ] && [ "$b" != "$r" ]; }; then
		bad=$((bad + 1))
		diag "round $r: policy round $p, parameters $b (expected $old or $r)"
	fi
	[ "$p" = "$r" ] && newer=$((newer + 1))
	if ls -a "$MOMD_STATE" | grep -q '\.tmp\.'; then
		leftover=$((leftover + 1))
		diag "round $r: temporary file left: $(ls -a "$MOMD_STATE" | tr '\n' ' ')"
	fi
	# The next round's "old" is what survived (policy and parameters
	# are persisted separately: each is old or new on its own).
	if [ "$p" = "$b" ]; then
		old=$p
	else
		# One got through, the other not: put both at the same round.
		api PUT /v1/policies/99-k9 "$(policy "$r")"
		api PATCH /v1/parameters "{\"balloonEnabled\": $r, \"ksmEnabled\": $r}"
		old=$r
	fi
done
secs=$(($(date +%s) - t0))
diag "$ROUNDS kill -9 rounds in $secs s: the new policy survived $newer times, a temporary file was found after the kill $tmp_seen times (removed at start)"
check "$ROUNDS rounds: every restart holds the old or the new policy and parameters" [ "$bad" = 0 ]
check "the two parameters of one PATCH are never mixed" [ "$mixed" = 0 ]
check "no temporary file after any restart" [ "$leftover" = 0 ]
check "the state directory loads every time (nothing ignored)" \
	sh -c "! grep -q 'ignored:' '$MOMD_LOG'"
momd_log_clean
done_testing
