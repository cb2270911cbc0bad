# SPDX-License-Identifier: Apache-2.0
#
# api.sh: helpers for the REST API tests (it/api.sh, it/openapi.sh,
# it/momctl.sh, it/vdsm_client.sh).  Sourced after common.sh.  momd runs
# for real on its real unix socket, with libvirt's in-process test driver
# (test:///default) and a scratch KSM directory, so nothing on the host is
# touched.
#
#   momd_start [ARGS...]     start momd (socket $MOMD_SOCK, state dir
#                            $MOMD_STATE, policies $MOMD_POLICIES) and wait
#                            until it answers; extra ARGS are momd flags.
#                            Samples count as stale after an hour only:
#                            these tests post a sample once and watch
#                            several cycles (it/stale_data.sh tests the
#                            hold on stale samples)
#   momd_stop                SIGTERM and wait
#   momd_log_clean           stop momd, then check that its log (every run
#                            of this test) has no sanitizer report
#   api METHOD PATH [BODY [CONTENT-TYPE]]
#                            one request on the socket: sets STATUS and
#                            BODY (and HEADERS, the response headers)
#   jv EXPR                  evaluate a Python expression on j = the JSON
#                            of $BODY and print it (None prints nothing)
#   post_host K=V...         post one host sample through /v1/metrics;
#                            K is the collectd type-instance (gauge-ksm_run)
#   post_guest NAME K=V...   the same for a guest
#   state_snapshot           what a refused request must not change: the
#                            policies, parameters and state_dir files
#   free_port                an unused TCP port on 127.0.0.1
MOMD_SOCK=$T_TMP/momd.sock
MOMD_STATE=$T_TMP/state
MOMD_POLICIES=$T_TMP/policies
MOMD_KSM=$T_TMP/ksm
MOMD_LOG=$T_TMP/momd.log
MOMD_PID=""

_api_setup() {
	local f
	mkdir -p "$MOMD_POLICIES" "$MOMD_KSM"
	cp "$ROOT"/policies/*.json "$MOMD_POLICIES/"
	for f in run pages_to_scan sleep_millisecs merge_across_nodes \
		pages_shared pages_sharing; do
		echo 0 >"$MOMD_KSM/$f"
	done
}
_api_setup

momd_start() {
	"$BUILD/momd" --socket "$MOMD_SOCK" --policy-dir "$MOMD_POLICIES" \
		--state-dir "$MOMD_STATE" --libvirt-uri test:///default \
		--ksm-dir "$MOMD_KSM" --interval-ms 500 --rail-stale-ms 0 \
		--samples-stale-ms 3600000 "$@" >>"$MOMD_LOG" 2>&1 &
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
	local args=(-s -o "$T_TMP/body" -D "$T_TMP/headers" -w '%{http_code}'
		--unix-socket "$MOMD_SOCK" -X "$method")
	if [ $# -ge 3 ]; then
		args+=(-H "Content-Type: $ctype" --data-binary "$body")
	fi
	STATUS=$(curl "${args[@]}" "http://momd$path")
	BODY=$(cat "$T_TMP/body")
	HEADERS=$(cat "$T_TMP/headers")
}

jv() {
	printf '%s' "$BODY" | python3 -c '
import json, sys
j = json.load(sys.stdin)
r = eval(sys.argv[1])
if r is not None:
    print(json.dumps(r) if isinstance(r, (dict, list, bool)) else r)
' "$1" 2>/dev/null
}

# The write_http JSON of one record.
_record() {
	local inst=$1 type=${2%%-*} tinst=${2#*-} value=$3
	printf '{"values":[%s],"dstypes":["gauge"],"dsnames":["value"],"time":%s,"interval":10,"host":"hv01","plugin":"mom","plugin_instance":"%s","type":"%s","type_instance":"%s"}' \
		"$value" "$MOMD_NOW" "$inst" "$type" "$tinst"
}

_post() {
	local inst=$1 kv sep="" body="["
	shift
	MOMD_NOW=$(date +%s.%N | cut -c1-14)
	for kv in "$@"; do
		body+=$sep$(_record "$inst" "${kv%%=*}" "${kv#*=}")
		sep=,
	done
	api POST /v1/metrics "$body]"
	[ "$STATUS" = 200 ]
}

post_host() { _post "" "$@"; }
post_guest() {
	local name=$1
	shift
	_post "$name" "$@"
}

state_snapshot() {
	local p
	for p in /v1/policies /v1/effective-policy /v1/parameters \
		/v1/dry-run /v1/log-level; do
		curl -s --unix-socket "$MOMD_SOCK" "http://momd$p"
		echo
	done
	(cd "$MOMD_STATE" 2>/dev/null &&
		find . -printf '%p %m %s\n' | sort && cat ./* 2>/dev/null)
}

free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
