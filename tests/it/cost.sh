#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# cost.sh: every request has a bounded cost (issue 21).  Each attack is a
# request that used to cost momd gigabytes or pin a listener thread; here
# it must be refused, or answered, quickly and with a bounded rise of
# momd's peak memory (VmHWM), and momd must keep answering others.
#  - a policy body of deeply nested array chains (it used to be
#    pretty-printed before validation: quadratic);
#  - a glob pattern with many stars against a long guest name (exponential
#    for a backtracking matcher);
#  - an evaluation whose cost exceeds its time budget gets a 503, not a
#    pinned thread;
#  - an evaluation case with more guests than max_guests is refused.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$MOMD_PID/status"; }

# timed_api MAXSECS METHOD PATH BODY-FILE: one request with a deadline;
# sets STATUS (000 when the deadline passed) and SECS.  The answer's body
# goes to $OUT ($T_TMP/body unless set: one file per concurrent request).
timed_api() {
	local max=$1 method=$2 path=$3 file=$4 t0 out=${OUT:-$T_TMP/body}
	t0=$(date +%s%N)
	STATUS=$(curl -s -m "$max" -o "$out" -w '%{http_code}' \
		--unix-socket "$MOMD_SOCK" -X "$method" \
		-H 'Content-Type: application/json' --data-binary "@$file" \
		"http://momd$path")
	SECS=$((($(date +%s%N) - t0) / 1000000))
	BODY=$(cat "$out")
}

# --- 1 MB of nested array chains inside a policy (measured before the
# fix: +1.97 GiB peak and 20.7 s for 120 chains).
python3 - "$T_TMP/deep.json" <<'EOF'
import sys
chain = "[" * 2000 + "]" * 2000
body = '{"policies": {"p": {"host": [%s]}}}' % ",".join([chain] * 120)
open(sys.argv[1], "w").write(body)
EOF
for route in "PUT /v1/policies" "POST /v1/evaluate"; do
	# A fresh momd each time: VmHWM only ever rises.
	momd_stop
	momd_start || { not_ok "momd starts"; done_testing; }
	before=$(hwm_kib)
	timed_api 15 $route "$T_TMP/deep.json"
	after=$(hwm_kib)
	rise=$(((after - before) / 1024))
	check "$route: 1 MB of nested chains is refused with 400 (got $STATUS in ${SECS} ms)" \
		[ "$STATUS" = 400 ]
	diag "$route: refused in ${SECS} ms (speed is measured in make bench, not asserted)"
	check "$route: ... and momd's peak memory rose by less than 64 MiB (${rise} MiB)" \
		[ "$rise" -lt 64 ]
	check "$route: ... the error says it is too deep" \
		[ -n "$(jv '1 if "deep" in j["message"] else None')" ]
done

# --- A glob with many stars against a long guest name: exponential for a
# backtracking matcher (glibc 2.36's fnmatch, used before, happened to be
# fast on it too; the check guards the matcher momd now owns).
python3 - "$T_TMP/glob.json" <<'EOF2'
import json, sys
pol = {"guest": [{"rule": "g", "do": [
    {"if": ["glob", "*a" * 14 + "*b"],
     "then": [{"set": "balloon_target", "to": 1}]}]}]}
case = {"host": {"history": [{"mem_available": 1}]},
        "guests": [{"name": "a" * 120, "history": []}]}
json.dump({"policies": {"g": pol}, "case": case}, open(sys.argv[1], "w"))
EOF2
momd_stop
momd_start --eval-budget-ms 1000 || { not_ok "momd starts"; done_testing; }
timed_api 15 POST /v1/evaluate "$T_TMP/glob.json"
check "a 15-star glob against a 120-byte name is evaluated (got $STATUS in ${SECS} ms)" \
	[ "$STATUS" = 200 ]
# 200, not 503 over_budget, is the bound: the evaluation finished inside
# the 1000 ms budget, which an exponential matcher would not.
check "... and it does not match" \
	[ "$(jv 'j["plan"]["guests"][0]["controls"]' | grep -c balloon_target)" = 0 ]

# --- A long evaluation: 60000 averages for each of 1000 guests with 10
# samples (6*10^8 steps): first within a budget far above it while other
# requests come, then against --eval-budget-ms 50.
python3 - "$T_TMP/slow.json" <<'EOF2'
import json, sys
lets = [{"let": {"x%d" % i: ["+"] + [["avg", "mem_unused"]] * 999}}
        for i in range(60)]
pol = {"guest": [{"rule": "slow", "do": lets}]}
case = {"host": {"history": [{"mem_available": 1}]},
        "guests": [{"name": "g%d" % i, "history": [{"mem_unused": i}] * 10}
                   for i in range(1000)]}
json.dump({"policies": {"slow": pol}, "case": case}, open(sys.argv[1], "w"))
EOF2
momd_stop
momd_start --eval-budget-ms 600000 || { not_ok "momd starts (eval budget 600 s)"; done_testing; }
cpu_ticks() { awk '{print $14 + $15}' "/proc/$MOMD_PID/stat"; }
busy_since() { [ $(($(cpu_ticks) - $1)) -ge 20 ]; }
running() { kill -0 "$SLOW" 2>/dev/null && echo yes || echo no; }
t_cpu=$(cpu_ticks)
{
	OUT=$T_TMP/slow.body timed_api 120 POST /v1/evaluate "$T_TMP/slow.json"
	echo "$STATUS" >"$T_TMP/slow.status"
} &
SLOW=$!
# While it runs (momd has burnt 0.2 s of CPU on it), a second evaluation
# is answered 503 busy at once.  It used to wait for the slot (up to the
# budget: here until the first was done), holding a second listener
# thread, so that with two in flight the socket answered nothing else.
wait_for 5 "the slow evaluation is running" busy_since "$t_cpu"
timed_api 120 POST /v1/evaluate "$T_TMP/glob.json"
check "a second evaluation meanwhile: 503 busy (got $STATUS $(jv 'j.get("error")'), the first still running: $(running))" \
	[ "$STATUS:$(jv 'j.get("error")'):$(running)" = 503:busy:yes ]
# Ingest (collectd's write_mom) and reads on the same socket answer while
# the evaluation is still in flight, not after it.
post_host memory-total=8589934592 memory-free=4294967296
ingest=$STATUS
api GET /v1/status
check "POST /v1/metrics and GET /v1/status answer while it runs (got $ingest and $STATUS, the evaluation still running: $(running))" \
	[ "$ingest:$STATUS:$(running)" = 200:200:yes ]
wait "$SLOW"
check "... and the first evaluation completes (got $(cat "$T_TMP/slow.status"))" \
	[ "$(cat "$T_TMP/slow.status")" = 200 ]
# The budget check proper runs against a budget far below the work (50 ms
# for what took 0.9-20 s here), not against 1000 ms: on a quick, idle
# moment the work above can finish inside a second, and whether it does
# must not decide the check.
momd_stop
momd_start --eval-budget-ms 50 || { not_ok "momd starts (eval budget 50 ms)"; done_testing; }
timed_api 30 POST /v1/evaluate "$T_TMP/slow.json"
check "an evaluation over eval_budget_ms answers 503 over_budget (got $STATUS in ${SECS} ms)" \
	[ "$STATUS:$(jv 'j["error"]')" = 503:over_budget ]
diag "the over-budget evaluation answered after ${SECS} ms (budget 50 ms plus compiling)"
api GET /v1/ping
check "momd still answers after it" [ "$STATUS" = 200 ]

# --- More guests in a case than EVALCASE_MAX_GUESTS (4096).
python3 - "$T_TMP/many.json" <<'EOF2'
import json, sys
case = {"host": {"history": [{"mem_available": 1}]},
        "guests": [{"name": "g%d" % i, "history": []} for i in range(5000)]}
json.dump({"case": case}, open(sys.argv[1], "w"))
EOF2
timed_api 15 POST /v1/evaluate "$T_TMP/many.json"
check "a case of 5000 guests is refused with 400 (got $STATUS)" [ "$STATUS" = 400 ]
check "... saying how many are allowed" \
	[ -n "$(jv '1 if "4096 guests" in j["message"] else None')" ]

momd_log_clean
done_testing
