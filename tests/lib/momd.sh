# SPDX-License-Identifier: Apache-2.0
#
# momd.sh: run the real actuator in a test and talk to it: the one way every
# integration test does.  Sourced after common.sh (tests/lib/api.sh sources
# it and adds momd's test-driver defaults).
#
#   momd_start [FLAG...]     start $BUILD/momd on $MOMD_SOCK, state dir
#                            $MOMD_STATE, log $MOMD_LOG, with the flags of
#                            the array MOMD_BASE_FLAGS (empty here; api.sh
#                            fills it), then FLAG...; waits until it answers
#                            GET /v1/ping; 1 if it does not.  Sets MOMD_PID.
#   momd_stop                SIGTERM and wait
#   momd_log_clean           stop momd, then check that its log (every run
#                            of this test) has no sanitizer report
#   api METHOD PATH [BODY [CONTENT-TYPE]]
#                            one request with curl (the natural real client,
#                            and one cheap process): sets STATUS (also as
#                            API_STATUS), BODY and HEADERS; prints nothing;
#                            0 when the status is 2xx
#   api_out METHOD PATH [BODY]
#                            the same, and prints the body: for $(...)
#                            (this file's api printed the body before the
#                            two contracts became one: such a test now
#                            calls api_out)
#   momapi ARGS...           (common.sh) the test client, on $MOMD_SOCK:
#                            `momapi GET /v1/status .cycles` prints one
#                            value in one process (not curl | python)
#   jv EXPR                  EXPR (a path like .a.b[0] or a Python
#                            expression over j) on the JSON of $BODY;
#                            None prints nothing, dicts, lists and bools
#                            print as JSON
#   jq_get JSON EXPR         EXPR on JSON; bools and tuples print the Python
#                            way (True): kept for older tests, prefer jv
MOMD_SOCK=$T_TMP/momd.sock
MOMD_STATE=$T_TMP/state
MOMD_LOG=$T_TMP/momd.log
MOMD_PID=""
MOMD_BASE_FLAGS=()
export MOMD_SOCK

momd_start() {
	"$BUILD/momd" --socket "$MOMD_SOCK" --state-dir "$MOMD_STATE" \
		${MOMD_BASE_FLAGS[@]+"${MOMD_BASE_FLAGS[@]}"} "$@" >>"$MOMD_LOG" 2>&1 &
	MOMD_PID=$!
	at_exit stop_pid "$MOMD_PID"
	wait_for 10 "momd answers on $MOMD_SOCK" \
		curl -sf --unix-socket "$MOMD_SOCK" http://momd/v1/ping
}

momd_stop() {
	[ -n "$MOMD_PID" ] && stop_pid "$MOMD_PID"
	MOMD_PID=""
}

momd_log_clean() {
	momd_stop
	if grep -q 'AddressSanitizer\|LeakSanitizer\|runtime error' "$MOMD_LOG"; then
		not_ok "momd's log has a sanitizer report"
		grep -A8 'Sanitizer\|runtime error' "$MOMD_LOG" | head -20 | sed 's/^/# /'
	else
		ok "momd's log has no sanitizer report"
	fi
}

api() {
	local method=$1 path=$2 body=${3-} ctype=${4-application/json}
	local args=(-s -o "$T_TMP/body" -D "$T_TMP/headers"
		-w '%{http_code}' --unix-socket "$MOMD_SOCK" -X "$method")
	if [ $# -ge 3 ]; then
		args+=(-H "Content-Type: $ctype" --data-binary "$body")
	fi
	STATUS=$(curl "${args[@]}" "http://momd$path")
	API_STATUS=$STATUS
	BODY=$(cat "$T_TMP/body")
	HEADERS=$(cat "$T_TMP/headers")
	[ "${STATUS:0:1}" = 2 ]
}

api_out() {
	local rc=0
	api "$@" || rc=$?
	printf '%s\n' "$BODY"
	return $rc
}

jv() { printf '%s' "$BODY" | momapi json "$1" 2>/dev/null; }

jq_get() { printf '%s' "$1" | momapi json --str "$2" 2>/dev/null; }
