#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# bad_requests.sh: a table of bad REST requests against a real momd.  Each
# row is one request that must get its documented 4xx status and error
# code (actuator/openapi.json) and must leave the actuator's state exactly
# as it was: policies, effective policy, parameters, dry-run, log level,
# the state_dir files, the statistics and the accepted-ingest counters are
# dumped before and after and compared.  Covers what tests/it/api.sh does
# not: malformed JSON on every body-taking route, wrong types, huge
# numbers, NaN/Infinity literals, deep nesting, oversized bodies, unknown
# fields, path tricks in policy names, wrong methods on every route, and
# the bearer token on TCP (missing, wrong, truncated, wrong scheme).
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

MAX_BODY=65536
PORT=$(free_port)
TOKEN=fedcba9876543210fedcba9876543210
echo "$TOKEN" >"$T_TMP/token" && chmod 600 "$T_TMP/token"
momd_start --max-body "$MAX_BODY" --listen "127.0.0.1:$PORT" \
	--token-file "$T_TMP/token" || { not_ok "momd starts"; done_testing; }

# Some state to protect: a sample, a parameter and a policy set through
# the API, dry-run on.
post_host memory-total=17179869184 memory-free=4294967296 gauge-ksm_run=1
api PUT /v1/policies/01-zz '{"parameters": {"zz": {"default": 3}}}'
api PATCH /v1/parameters '{"zz": 5}'
api PUT /v1/dry-run '{"enabled": true}'
wait_for 10 "the host sample settles" \
	sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/stats | grep -q mem_available"

# Everything a refused request must not change.
dump() {
	state_snapshot 'GET /v1/stats' \
		'GET /v1/status .ingest.batches .ingest.records .ingest.values'
}

# req METHOD PATH [BODY [CTYPE]]: like api (tests/lib/api.sh), but the
# path goes out as it is written (no dot-segment squashing by curl) and a
# BODY of @FILE is read from FILE.
req() {
	local method=$1 path=$2 body=${3-} ctype=${4-application/json}
	local args=(-s -o "$T_TMP/body" -w '%{http_code}' --path-as-is
		--unix-socket "$MOMD_SOCK" -X "$method")
	if [ $# -ge 3 ]; then
		args+=(-H "Content-Type: $ctype" --data-binary "$body")
	fi
	STATUS=$(curl "${args[@]}" "http://momd$path")
	BODY=$(cat "$T_TMP/body")
}

# row STATUS CODE METHOD PATH [BODY [CTYPE]]: one bad request on the unix
# socket.  CODE "-" checks the status only.
row() {
	local want=$1 code=$2 desc before after
	shift 2
	desc="$1 ${2:0:60}${3+ ${3:0:40}}"
	before=$(dump)
	req "$@"
	after=$(dump)
	if [ "$STATUS" = "$want" ] && { [ "$code" = - ] || [ "$(jv 'j["error"]')" = "$code" ]; }; then
		if [ "$before" = "$after" ]; then
			ok "$desc: $want $code, nothing changed"
		else
			not_ok "$desc: state changed"
			diff <(echo "$before") <(echo "$after") | head -6 | sed 's/^/# /'
		fi
	else
		not_ok "$desc: expected $want $code, got $STATUS ${BODY:0:200}"
	fi
}

deep() { printf "%$1s" | tr ' ' '['; printf "%$1s" | tr ' ' ']'; }
DEEP=$(deep 5000)
DEEP_OBJ=$(python3 -c 'print("{\"a\": " * 3000 + "1" + "}" * 3000)')
python3 -c 'import sys; print("[" + ",".join(["1"] * int(sys.argv[1])) + "]")' "$MAX_BODY" >"$T_TMP/big"
# rec [VALUES [DSTYPE [TIME]]]: one write_http record, open (no closing
# brace) so that a row can add a key.
rec() {
	printf '{"values":[%s],"dstypes":["%s"],"dsnames":["value"],"time":%s,"interval":10,"host":"h","plugin":"mom","plugin_instance":"","type":"memory","type_instance":"total"' \
		"${1:-1}" "${2:-gauge}" "${3:-1}"
}
REC=$(rec)
LONG=$(printf 'a%.0s' $(seq 300))

# --- Malformed JSON, on every route that takes a body.
row 400 bad_request POST /v1/metrics '[{"values":[1]'
row 400 bad_request POST /v1/metrics ''
row 400 bad_json PUT /v1/policies '{"policies": {'
row 400 invalid_policy PUT /v1/policies/05-x '{"host": [}'
row 400 bad_json POST /v1/evaluate '{"case": }'
row 400 bad_json PUT /v1/log-level '{"level": "debug"'
row 400 bad_json PUT /v1/dry-run '{enabled: false}'
row 400 bad_json PATCH /v1/parameters "{'zz': 1}"
row 400 bad_json PATCH /v1/parameters '{"zz": 1} trailing'
row 400 bad_json PATCH /v1/parameters $'\xff\xfe{"zz": 1}'
row 400 bad_json PUT /v1/policies/05-x $'{"host": [], "x": "\xa2"}'
row 400 bad_request POST /v1/metrics "[$REC,\"meta\":}]"

# --- Wrong types.
row 400 bad_request PUT /v1/dry-run '{"enabled": 0}'
row 400 bad_request PUT /v1/dry-run '{"enabled": null}'
row 400 bad_request PUT /v1/dry-run '[true]'
row 400 bad_level PUT /v1/log-level '{"level": true}'
row 400 bad_level PUT /v1/log-level '{"level": 2.5}'
row 400 bad_json PUT /v1/log-level '"debug"'
row 400 bad_parameter PATCH /v1/parameters '{"zz": null}'
row 400 bad_parameter PATCH /v1/parameters '{"zz": [1]}'
row 400 bad_parameter PATCH /v1/parameters '{"zz": {"v": 1}}'
row 400 bad_json PATCH /v1/parameters '"zz"'
row 400 bad_request PUT /v1/policies '{"policies": []}'
row 400 bad_request PUT /v1/policies '{"policies": "x"}'
row 400 bad_request PUT /v1/policies '[]'
row 400 invalid_policy PUT /v1/policies/05-x '[]'
row 400 invalid_policy PUT /v1/policies/05-x '"text"'
row 400 bad_request POST /v1/evaluate '[]'
row 400 invalid_case POST /v1/evaluate '{"case": 5}'
row 400 - POST /v1/evaluate '{"policies": 5}'
row 400 bad_request POST /v1/metrics '{}'
row 400 bad_request POST /v1/metrics '[1]'
row 400 bad_request POST /v1/metrics "[$(rec '"1"')}]"
row 400 bad_request POST /v1/metrics "[$(rec 1 gauge '"1"')}]"
row 400 bad_request POST /v1/metrics "[$(rec 1 bytes)}]"

# --- Huge numbers.
row 400 bad_json PATCH /v1/parameters '{"zz": 1e400}'
row 400 bad_json PATCH /v1/parameters '{"zz": 123456789012345678901234567890}'
row 400 bad_level PUT /v1/log-level '{"level": 9223372036854775807}'
row 400 bad_level PUT /v1/log-level '{"level": -9223372036854775808}'
row 400 bad_request POST /v1/metrics "[$(rec 1e400)}]"
row 400 bad_request POST /v1/metrics "[$(rec 1e30 derive)}]"
row 400 bad_request POST /v1/metrics "[$(rec 18446744073709551616 counter)}]"
row 400 bad_request POST /v1/metrics "[$(rec 1 gauge 1e400)}]"
row 400 bad_request POST /v1/metrics "[$(rec 1 gauge -1)}]"
row 400 bad_json POST /v1/evaluate '{"case": {"host": {"history": [{"mem_available": 1e400}]}}}'

# --- NaN and Infinity are not JSON.
for lit in NaN Infinity -Infinity nan inf; do
	row 400 bad_json PATCH /v1/parameters "{\"zz\": $lit}"
	row 400 bad_request POST /v1/metrics "[$(rec "$lit")}]"
done
row 400 bad_json POST /v1/evaluate '{"case": {"host": {"history": [{"mem_available": NaN}]}}}'
row 400 invalid_policy PUT /v1/policies/05-x '{"parameters": {"q": {"default": Infinity}}}'

# --- Deep nesting (jansson stops at depth 2048).
row 400 bad_json PATCH /v1/parameters "$DEEP"
row 400 bad_request POST /v1/metrics "$DEEP"
row 400 invalid_policy PUT /v1/policies/05-x "$DEEP_OBJ"
row 400 bad_json PUT /v1/policies "$DEEP_OBJ"
row 400 bad_json POST /v1/evaluate "$DEEP_OBJ"

# --- Oversized bodies (max_body $MAX_BODY).
row 413 too_large POST /v1/metrics "@$T_TMP/big"
row 413 too_large PUT /v1/policies/05-x "@$T_TMP/big"
row 413 too_large PUT /v1/policies "@$T_TMP/big"
row 413 too_large POST /v1/evaluate "@$T_TMP/big"
row 413 too_large PATCH /v1/parameters "@$T_TMP/big"

# --- Unknown fields.
row 400 bad_request PUT /v1/dry-run '{"enabled": true, "x": 1}'
row 400 bad_level PUT /v1/log-level '{"level": "info", "x": 1}'
row 400 bad_request PUT /v1/policies '{"policies": {}, "x": 1}'
row 400 bad_request POST /v1/metrics "[$REC,\"extra\":1}]"
row 400 invalid_case POST /v1/evaluate '{"case": {"hosts": {}}}'
row 400 invalid_case POST /v1/evaluate '{"case": {"guests": [{"name": "g", "history": [], "x": 1}]}}'
row 400 invalid_policy PUT /v1/policies/05-x '{"host": [], "hots": []}'
row 400 bad_parameter PATCH /v1/parameters '{"no_such_parameter": 1}'

# --- Path tricks in policy names (api.sh: ..x, .hidden, a..b, %20, 64
# characters, ..%2F, ../).
row 400 bad_policy_name PUT /v1/policies/%2e%2e '{}'
row 404 not_found PUT /v1/policies/%2E%2E%2Fx '{}'
row 400 bad_policy_name PUT /v1/policies/.. '{}'
row 404 not_found PUT /v1/policies/../x '{}'
row 404 not_found PUT /v1/policies/../../../etc/x '{}'
row 404 not_found PUT //v1/policies/x '{}'
row 404 not_found PUT /v1/policies//etc/passwd '{}'
row 404 not_found PUT /v1/policies/ '{}'
row 404 not_found GET /v1/policies/
row 400 bad_policy_name PUT "/v1/policies/$LONG" '{}'
row 400 bad_policy_name PUT /v1/policies/a%00b '{}'
row 400 bad_policy_name PUT /v1/policies/a%0ab '{}'
row 400 bad_policy_name PUT /v1/policies/%2e '{}'
# Not UTF-8, and a character cut by a bounded message: still 400, not 503.
row 400 bad_policy_name PUT /v1/policies/%a203-ksm '{}'
row 400 bad_request PUT /v1/dry-run "{\"enabled\": true, \"${LONG:0:63}é\": 1}"
row 404 not_found PUT /v1/policies/%2fetc%2fpasswd '{}'
row 400 bad_policy_name DELETE /v1/policies/..
row 404 not_found GET /v1/policies/%2e%2e%2f%2e%2e%2fetc%2fpasswd
row 400 bad_policy_name PUT /v1/policies '{"policies": {"": {}}}'
row 400 bad_policy_name PUT /v1/policies '{"policies": {"/etc/x": {}}}'
row 400 bad_policy_name PUT /v1/policies "{\"policies\": {\"$LONG\": {}}}"

# --- Wrong methods on every route (405 with Allow).
for mp in "POST /v1/ping" "PUT /v1/status" "DELETE /v1/stats" "PUT /v1/guests" \
	"POST /v1/plan" "DELETE /v1/actions" "GET /v1/metrics" "DELETE /v1/metrics" \
	"POST /v1/parameters" "PUT /v1/parameters" "PATCH /v1/policies" \
	"POST /v1/policies" "POST /v1/policies/x" "PATCH /v1/policies/x" \
	"PUT /v1/effective-policy" "GET /v1/evaluate" "DELETE /v1/log-level" \
	"POST /v1/dry-run" "POST /metrics" "FOO /v1/ping"; do
	# shellcheck disable=SC2086
	row 405 method_not_allowed $mp
done

# --- Media types.
row 415 unsupported_media_type POST /v1/metrics '[]' ''
row 415 unsupported_media_type PUT /v1/dry-run '{"enabled": false}' application/jsonx
row 415 unsupported_media_type PUT /v1/policies/05-x '{}' text/json

# --- TCP: the bearer token.  Each refused request changes nothing either.
tcp_row() {
	local want=$1 desc=$2 before after got
	shift 2
	before=$(dump)
	got=$(curl -s -o "$T_TMP/tcp" -w '%{http_code}' -X PATCH \
		-H 'Content-Type: application/json' -d '{"zz": 9}' "$@" \
		"http://127.0.0.1:$PORT/v1/parameters")
	after=$(dump)
	if [ "$got" = "$want" ] && [ "$before" = "$after" ]; then
		ok "TCP $desc: $want, nothing changed"
	else
		not_ok "TCP $desc: expected $want, got $got $(head -c 200 "$T_TMP/tcp")"
	fi
}
tcp_row 401 "no Authorization"
tcp_row 401 "empty bearer" -H "Authorization: Bearer "
tcp_row 401 "a prefix of the token" -H "Authorization: Bearer ${TOKEN:0:31}"
tcp_row 401 "the token and more" -H "Authorization: Bearer ${TOKEN}0"
tcp_row 401 "lower-case scheme" -H "Authorization: bearer $TOKEN"
tcp_row 401 "token without scheme" -H "Authorization: $TOKEN"
tcp_row 401 "basic auth" -u "x:$TOKEN"
tcp_row 401 "two headers, first wrong" -H "Authorization: Bearer x" -H "Authorization: Bearer $TOKEN"
got=$(curl -s -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/ping")
check "TCP with the token still answers (200)" [ "$got" = 200 ]
check "no policy file escaped the state dir" \
	[ -z "$(find "$T_TMP" -path "$MOMD_STATE" -prune -o -newer "$T_TMP/token" -name '*.json' -print)" ]

momd_log_clean
done_testing
