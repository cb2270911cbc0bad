#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# cost.sh: every request has a bounded cost (issue 21).  Each attack is a
# request that used to cost momd gigabytes or pin a listener thread; here
# it must be refused, or answered, quickly and with a bounded rise of
# momd's peak memory (VmHWM), and momd must keep answering others.
#  - a policy body of deeply nested array chains (it used to be
#    pretty-printed before validation: quadratic);
#  - a glob pattern with many stars against a long guest name (glibc's
#    fnmatch is exponential in the stars);
#  - an evaluation whose cost exceeds its time budget gets a 503, not a
#    pinned thread;
#  - an evaluation case with more guests than max_guests is refused.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

hwm_kib() { awk '/^VmHWM/ {print $2}' "/proc/$MOMD_PID/status"; }

# timed_api MAXSECS METHOD PATH BODY-FILE: one request with a deadline;
# sets STATUS (000 when the deadline passed) and SECS.
timed_api() {
	local max=$1 method=$2 path=$3 file=$4 t0
	t0=$(date +%s%N)
	STATUS=$(curl -s -m "$max" -o "$T_TMP/body" -w '%{http_code}' \
		--unix-socket "$MOMD_SOCK" -X "$method" \
		-H 'Content-Type: application/json' --data-binary "@$file" \
		"http://momd$path")
	SECS=$((($(date +%s%N) - t0) / 1000000))
	BODY=$(cat "$T_TMP/body")
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
	check "$route: ... within 3 s (${SECS} ms)" [ "$SECS" -lt 3000 ]
	check "$route: ... and momd's peak memory rose by less than 64 MiB (${rise} MiB)" \
		[ "$rise" -lt 64 ]
	check "$route: ... the error says it is too deep" \
		[ -n "$(jv '1 if "deep" in j["message"] else None')" ]
done

done_testing
