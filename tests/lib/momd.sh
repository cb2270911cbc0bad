# SPDX-License-Identifier: Apache-2.0
#
# momd.sh: run the real actuator in a test.  Sourced after common.sh.
#
#   momd_start [FLAG...]        start build/momd on $T_TMP/momd.sock with a
#                               state dir in $T_TMP; extra flags are passed
#                               on (e.g. --libvirt-uri, --ksm-dir); waits
#                               until it answers.  Sets MOMD_PID.
#   momd_stop                   SIGTERM and wait
#   api METHOD PATH [JSON]      call the API; prints the body, returns 0
#                               when the status is 2xx.  API_STATUS holds it.
#   jq_get JSON EXPR            evaluate a Python expression on the parsed
#                               JSON `j` (no jq on the machine), e.g.
#                               jq_get "$body" 'j["guests"]["g1"]["balloon_cur"]'
MOMD_SOCK=$T_TMP/momd.sock

momd_start() {
	"$BUILD/momd" --socket "$MOMD_SOCK" --state-dir "$T_TMP/state" \
		"$@" >>"$T_TMP/momd.log" 2>&1 &
	MOMD_PID=$!
	at_exit stop_pid "$MOMD_PID"
	wait_for 10 "momd answers" curl -sf --unix-socket "$MOMD_SOCK" \
		http://momd/v1/ping
}

momd_stop() { stop_pid "$MOMD_PID"; }

api() {
	local method=$1 path=$2 data=${3:-} out
	if [ -n "$data" ]; then
		out=$(curl -s -w '\n%{http_code}' --unix-socket "$MOMD_SOCK" \
			-X "$method" -H 'Content-Type: application/json' \
			-d "$data" "http://momd$path")
	else
		out=$(curl -s -w '\n%{http_code}' --unix-socket "$MOMD_SOCK" \
			-X "$method" "http://momd$path")
	fi
	API_STATUS=${out##*$'\n'}
	printf '%s\n' "${out%$'\n'*}"
	[ "${API_STATUS:0:1}" = 2 ]
}

jq_get() {
	python3 -c 'import json,sys
j = json.loads(sys.argv[1])
try:
    v = eval(sys.argv[2], {"j": j})
except (KeyError, IndexError, TypeError):
    sys.exit(1)
print(json.dumps(v) if isinstance(v, (dict, list)) else v)' "$1" "$2"
}
