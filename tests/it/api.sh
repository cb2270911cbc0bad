# SPDX-License-Identifier: Apache-2.0
#
# api.sh: every REST endpoint of a real momd on its real unix socket:
# success and each documented error, a refused request changes nothing,
# policy name path tricks, restart persistence (atomic files in state_dir,
# nothing left behind, a bad state file ignored), the unix socket's mode
# and group, the bearer token on TCP, and TLS.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

J=application/json
GOOD_POLICY='{"parameters": {"zz": {"default": 3}}}'
KSM_POLICY='{"host": [{"rule": "scan", "do": [{"set": "ksm_pages_to_scan", "to": 77}]}]}'

# expect STATUS CODE DESC: the last reply had this status and error code.
expect() {
	local want=$1 code=$2 desc=$3
	if [ "$STATUS" = "$want" ] && { [ "$code" = - ] || [ "$(jv 'j["error"]')" = "$code" ]; }; then
		ok "$desc ($want${code#-})"
	else
		not_ok "$desc: expected $want $code, got $STATUS $BODY"
	fi
}

# refused DESC STATUS CODE METHOD PATH [BODY [CTYPE]]: the request is
# refused as documented and the state is exactly as before.
refused() {
	local desc=$1 want=$2 code=$3 before after
	shift 3
	before=$(state_snapshot)
	api "$@"
	expect "$want" "$code" "$desc"
	after=$(state_snapshot)
	if [ "$before" = "$after" ]; then
		ok "$desc: nothing changed"
	else
		not_ok "$desc: state changed"
		diff <(echo "$before") <(echo "$after") | head -10 | sed 's/^/# /'
	fi
}

momd_start --socket-group daemon --max-body 2048 || { not_ok "momd starts"; done_testing; }

# --- Who may call: the unix socket.
check "unix socket mode is 0660" [ "$(stat -c %a "$MOMD_SOCK")" = 660 ]
check "unix socket group is socket_group" [ "$(stat -c %G "$MOMD_SOCK")" = daemon ]

# --- Liveness, statistics, guests, status, plan, actions.
api GET /v1/ping
expect 200 - "GET /v1/ping"
check "ping says ok" [ "$(jv 'j["ok"]')" = true ]
api GET /v1/stats
check "stats before any sample: empty host" [ "$(jv 'j')" = '{"host": {}, "guests": {}}' ]
post_host memory-total=17179869184 memory-free=4294967296 gauge-ksm_run=1 \
	vmpage_number-ksm_pages_to_scan=64 vmpage_number-ksm_sharing=300 \
	gauge-ksm_merge_across_nodes=1 percent-ksmd_cpu=2.5 vmpage_number-ksm_shared=10
check "POST /v1/metrics (200)" [ "$STATUS" = 200 ]
post_guest g1 memory-actual=2147483648 memory-maximum=4294967296 memory-minimum=0 memory-unused=1073741824
check "POST /v1/metrics for a guest (200)" [ "$STATUS" = 200 ]
stats_ready() { api GET /v1/stats; [ "$(jv 'j["host"].get("ksm_pages_sharing")')" = 300 ] && [ "$(jv '"g1" in j["guests"]')" = true ]; }
if wait_for 10 "statistics settle" stats_ready; then
	ok "GET /v1/stats: host and guest, MOM's names"
	check "stats: ksm_run, ksm_pages_to_scan, ksm_merge_across_nodes, ksmd_cpu_usage" \
		[ "$(jv '[j["host"][k] for k in ("ksm_run","ksm_pages_to_scan","ksm_merge_across_nodes","ksmd_cpu_usage")]')" = '[1, 64, 1, 2.5]' ]
	check "stats: mem_available in KiB" [ "$(jv 'j["host"]["mem_available"]')" = 16777216 ]
	check "stats: guest balloon_cur in KiB" [ "$(jv 'j["guests"]["g1"]["balloon_cur"]')" = 2097152 ]
else
	not_ok "GET /v1/stats: $BODY"
fi
api GET /v1/guests
check "GET /v1/guests: [g1]" [ "$STATUS/$(jv 'j')" = '200/["g1"]' ]
api GET /v1/status
check "GET /v1/status: active" [ "$STATUS/$(jv 'j["status"]')" = 200/active ]
check "status counts the ingest" [ "$(jv 'j["ingest"]["batches"] >= 2')" = true ]
api GET /v1/plan
check "GET /v1/plan (200, plan and applied)" [ "$STATUS/$(jv 'sorted(j)')" = '200/["applied", "plan"]' ]
api GET "/v1/actions?limit=5"
check "GET /v1/actions?limit=5: an array" [ "$STATUS/$(jv 'isinstance(j, list) and len(j) <= 5')" = 200/true ]
refused "GET /v1/actions?limit=0" 400 bad_query GET "/v1/actions?limit=0"
refused "GET /v1/actions?limit=x" 400 bad_query GET "/v1/actions?limit=x"
api POST /v1/metrics '[{"values":[1]}]'
expect 400 bad_request "POST /v1/metrics: a bad record"
api POST /v1/metrics '[]' text/plain
expect 415 unsupported_media_type "POST /v1/metrics: not JSON"

# --- Routing errors.
refused "unknown path" 404 not_found GET /v1/nope
refused "unversioned path" 404 not_found GET /status
refused "POST /v1/stats" 405 method_not_allowed POST /v1/stats '{}'
check "405 has an Allow header" grep -qi '^Allow: GET' <<<"$HEADERS"
api DELETE /v1/parameters
check "Allow of /v1/parameters: GET, PATCH" grep -qi '^Allow: GET, PATCH' <<<"$HEADERS"
api POST /v1/policies/x
check "Allow of /v1/policies/{name}: GET, PUT, DELETE" grep -qi '^Allow: GET, PUT, DELETE' <<<"$HEADERS"
refused "body larger than max_body" 413 too_large PATCH /v1/parameters "{\"a\": \"$(head -c 3000 /dev/zero | tr '\0' x)\"}"

# --- Parameters (setPolicyParameters).
api GET /v1/parameters
check "GET /v1/parameters: the declared defaults" \
	[ "$STATUS/$(jv '[j[k] for k in ("balloonEnabled","ksmEnabled","ksmMergeAcrossNodes")]')" = '200/[0.0, 1.0, 1.0]' ]
api PATCH /v1/parameters '{"balloonEnabled": true}'
check "PATCH balloonEnabled=true" [ "$STATUS/$(jv 'j["balloonEnabled"]')" = 200/1.0 ]
api PATCH /v1/parameters '{"ksmMergeAcrossNodes": false}'
check "a partial update keeps the others" \
	[ "$(jv '[j["balloonEnabled"], j["ksmMergeAcrossNodes"], j["ksmEnabled"]]')" = '[1.0, 0.0, 1.0]' ]
refused "PATCH an unknown parameter (with a known one)" 400 bad_parameter PATCH /v1/parameters '{"ksmEnabled": false, "nope": 1}'
refused "PATCH a string value" 400 bad_parameter PATCH /v1/parameters '{"ksmEnabled": "yes"}'
refused "PATCH not an object" 400 bad_parameter PATCH /v1/parameters '[1]'
refused "PATCH bad JSON" 400 bad_json PATCH /v1/parameters '{"ksmEnabled": '
refused "PATCH duplicate keys" 400 bad_json PATCH /v1/parameters '{"ksmEnabled": 1, "ksmEnabled": 0}'
refused "PATCH text/plain" 415 unsupported_media_type PATCH /v1/parameters '{"ksmEnabled": 1}' text/plain

# --- Policies.
api GET /v1/policies
check "GET /v1/policies lists policy_dir" \
	[ "$STATUS/$(jv '[(p["name"], p["origin"]) for p in j["policies"]]')" = '200/[["00-defines", "policy_dir"], ["02-balloon", "policy_dir"], ["03-ksm", "policy_dir"], ["04-cputune", "policy_dir"], ["05-iotune", "policy_dir"]]' ]
api GET /v1/policies/03-ksm
check_sh "GET /v1/policies/03-ksm is the file's text" '[ "$STATUS" = 200 ] && [ "$BODY" = "$(cat "$MOMD_POLICIES/03-ksm.json")" ]'
refused "GET an unknown policy" 404 no_such_policy GET /v1/policies/99-none
refused "DELETE an unknown policy" 404 no_such_policy DELETE /v1/policies/99-none
api PUT /v1/policies/01-parameters "$GOOD_POLICY"
check "PUT /v1/policies/01-parameters adds it (origin api)" \
	[ "$STATUS/$(jv '[p["origin"] for p in j["policies"] if p["name"] == "01-parameters"]')" = '200/["api"]' ]
api GET /v1/parameters
check "its parameter is declared" [ "$(jv 'j["zz"]')" = 3.0 ]
refused "PUT a policy with a JSON syntax error" 400 invalid_policy PUT /v1/policies/04-bad '{"host": ['
check "the syntax error has line and column" [ "$(jv '[j["policy"], j["line"], j["column"]]')" = '["04-bad", 1, 10]' ]
refused "PUT a policy that does not validate" 400 invalid_policy PUT /v1/policies/04-bad '{"host": [{"rule": "r", "do": [{"set": "no_such_control", "to": 1}]}]}'
check "the validation error names the JSON path" [ -n "$(jv 'j["path"] or None')" ]
refused "PUT a policy text/plain" 415 unsupported_media_type PUT /v1/policies/04-x "$GOOD_POLICY" text/plain
refused "PUT replacing 00-defines with a bad one keeps the old" 400 invalid_policy PUT /v1/policies/00-defines '{"parameters": 5}'
for name in '..x' '.hidden' 'a..b' 'x%20y' "$(printf 'a%.0s' $(seq 64))"; do
	refused "policy name '${name:0:20}' refused" 400 bad_policy_name PUT "/v1/policies/$name" "$GOOD_POLICY"
done
refused "path trick ..%2F" 404 not_found PUT "/v1/policies/..%2Fevil" "$GOOD_POLICY"
refused "path trick ../" 404 not_found GET "/v1/policies/../../etc/passwd"
check_sh "no file escaped the state dir" '[ ! -e "$T_TMP/evil" ] && [ ! -e "$MOMD_STATE/../evil.json" ]'
api GET /v1/effective-policy
check "GET /v1/effective-policy: the set in name order" \
	[ "$STATUS/$(jv '[p["name"] for p in j["policies"]]')" = '200/["00-defines", "01-parameters", "02-balloon", "03-ksm", "04-cputune", "05-iotune"]' ]
check "effective policy holds documents" [ "$(jv 'j["policies"][1]["policy"]')" = "$(momapi json . <<<"$GOOD_POLICY")" ]
api DELETE /v1/policies/03-ksm
check "DELETE /v1/policies/03-ksm" [ "$STATUS/$(jv '[p["name"] for p in j["policies"]]')" = '200/["00-defines", "01-parameters", "02-balloon", "04-cputune", "05-iotune"]' ]
api GET /v1/policies/03-ksm
expect 404 no_such_policy "a deleted policy is gone"

# Whole-set replacement (setPolicy, made safe).
refused "PUT /v1/policies with a bad policy keeps the set" 400 invalid_policy PUT /v1/policies '{"policies": {"50_main_": {"host": 3}}}'
refused "PUT /v1/policies with a bad name" 400 bad_policy_name PUT /v1/policies '{"policies": {"../x": {}}}'
refused "PUT /v1/policies without \"policies\"" 400 bad_request PUT /v1/policies '{"x": {}}'
refused "PUT /v1/policies with a number as policy" 400 bad_request PUT /v1/policies '{"policies": {"a": 1}}'

# --- Dry-run evaluation: changes nothing.
CASE='{"params": {"balloonEnabled": 1}, "host": {"history": [{"mem_available": 16000000, "mem_free": 8000000, "ksm_run": 0}]}, "guests": []}'
refused "POST /v1/evaluate with a supplied set and case" 200 - POST /v1/evaluate "{\"policies\": {\"k\": $KSM_POLICY}, \"case\": ${CASE/\"balloonEnabled\": 1/}}"
check "the plan sets what the supplied policy says" [ "$(jv 'j["plan"]["host"]["ksm_pages_to_scan"]')" = 77 ]
check "the plan gives the reason" [ "$(jv '"scan" in j["plan"]["reasons"]["host"]["ksm_pages_to_scan"]')" = true ]
check "the reply says what was evaluated" [ "$(jv '[j["policies"], j["state"]]')" = '["supplied", "case"]' ]
refused "POST /v1/evaluate, current set and state" 200 - POST /v1/evaluate ''
check "evaluated the current set and state" [ "$(jv '[j["policies"], j["state"], "plan" in j]')" = '["current", "current", true]' ]
refused "POST /v1/evaluate with a bad policy" 400 invalid_policy POST /v1/evaluate '{"policies": {"k": {"host": 1}}}'
refused "POST /v1/evaluate with a bad case" 400 invalid_case POST /v1/evaluate '{"case": {"host": {"history": [{"no_such_field": 1}]}}}'
# A case's params must be declared by the set evaluated, as momd
# --evaluate requires: a typo was ignored and the default evaluated.
refused "POST /v1/evaluate, a case param the set in force declares" 200 - POST /v1/evaluate "{\"case\": $CASE}"
check "... evaluated with it" [ "$(jv '[j["policies"], j["state"]]')" = '["current", "case"]' ]
refused "POST /v1/evaluate, a case param no policy declares" 400 invalid_case POST /v1/evaluate '{"case": {"params": {"balonEnabled": 1}, "host": {"history": [{"mem_available": 16000000, "mem_free": 8000000}]}}}'
check "... named by its path" [ "$(jv 'j["path"]')" = '$.params.balonEnabled' ]
refused "POST /v1/evaluate, a case param the supplied set does not declare" 400 invalid_case POST /v1/evaluate "{\"policies\": {\"k\": $KSM_POLICY}, \"case\": $CASE}"
refused "POST /v1/evaluate with an unknown key" 400 bad_request POST /v1/evaluate '{"cases": {}}'

# --- Log level (setVerbosity) and dry-run mode.
api PUT /v1/log-level '{"level": "debug"}'
check "PUT log-level debug" [ "$STATUS/$(jv 'j["level"]')" = 200/debug ]
api PUT /v1/log-level '{"level": "4"}'
check "PUT log-level \"4\" (MOM's info)" [ "$STATUS/$(jv 'j["level"]')" = 200/info ]
api PUT /v1/log-level '{"level": 3}'
check "PUT log-level 3 (MOM's warning)" [ "$STATUS/$(jv 'j["level"]')" = 200/warning ]
api GET /v1/log-level
check "GET log-level" [ "$STATUS/$(jv 'j["level"]')" = 200/warning ]
refused "PUT log-level loud" 400 bad_level PUT /v1/log-level '{"level": "loud"}'
api PUT /v1/log-level '{"level": "info"}'
api PUT /v1/dry-run '{"enabled": true}'
check "PUT dry-run on" [ "$STATUS/$(jv 'j["enabled"]')" = 200/true ]
api GET /v1/dry-run
check "GET dry-run" [ "$STATUS/$(jv 'j["enabled"]')" = 200/true ]
api GET /v1/status
check "status shows dry-run" [ "$(jv 'j["dry_run"]')" = true ]
refused "PUT dry-run with a string" 400 bad_request PUT /v1/dry-run '{"enabled": "on"}'
api PUT /v1/dry-run '{"enabled": false}'

# --- Persistence failure: state_dir is not a directory.
mv "$MOMD_STATE" "$T_TMP/state.away" && touch "$MOMD_STATE"
api GET /v1/policies
before=$BODY
api PUT /v1/policies/05-new "$GOOD_POLICY"
expect 500 persist_failed "a policy that cannot be persisted is refused"
api GET /v1/policies
check "... and the set in force is unchanged" [ "$BODY" = "$before" ]
api GET /v1/parameters
before=$BODY
api PATCH /v1/parameters '{"ksmEnabled": 0}'
expect 500 persist_failed "parameters that cannot be persisted are refused"
api GET /v1/parameters
check "... and the values in force are unchanged" [ "$BODY" = "$before" ]
rm -f "$MOMD_STATE" && mv "$T_TMP/state.away" "$MOMD_STATE"

# --- Restart persistence.
api PATCH /v1/parameters '{"zz": 7, "ksmEnabled": false}'
before_pol=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/policies)
before_par=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/parameters)
momd_stop
check "momd stops" [ ! -S "$MOMD_SOCK" ]
check "state dir is 0700" [ "$(stat -c %a "$MOMD_STATE")" = 700 ]
check "state files are 0644" [ "$(stat -c %a "$MOMD_STATE"/policies.json "$MOMD_STATE"/parameters.json | sort -u)" = 644 ]
check "no temporary file left in state_dir" [ -z "$(find "$MOMD_STATE" -name '.*')" ]
check "no world-writable file in state_dir" [ -z "$(find "$MOMD_STATE" -perm -o+w)" ]
momd_start || not_ok "momd restarts"
api GET /v1/policies
check "policies survive a restart" [ "$BODY" = "$before_pol" ]
api GET /v1/parameters
check "parameters survive a restart" [ "$BODY" = "$before_par" ]
check "... zz=7, ksmEnabled=0" [ "$(jv '[j["zz"], j["ksmEnabled"]]')" = '[7.0, 0.0]' ]
# A persisted parameter whose policy was deleted does not void the others.
api DELETE /v1/policies/01-parameters
momd_stop
momd_start
api GET /v1/parameters
check "after its policy is deleted, a parameter is dropped at restart, the others kept" \
	[ "$(jv '["zz" in j, j["ksmEnabled"]]')" = '[false, 0.0]' ]
check "... with a warning" grep -q 'parameter zz .* ignored: no policy in force declares it' "$MOMD_LOG"
api PUT /v1/policies/01-parameters "$GOOD_POLICY"

# Whole-set replacement, then reset.
api PUT /v1/policies "{\"policies\": {\"50_main_\": $KSM_POLICY, \"00-defines\": $(cat "$MOMD_POLICIES/00-defines.json")}}"
check "PUT /v1/policies replaces the set" \
	[ "$STATUS/$(jv '[[p["name"] for p in j["policies"]], j["replaced"]]')" = '200/[["00-defines", "50_main_"], true]' ]
api GET /v1/policies/50_main_
check "the replaced set's policy reads back" [ "$(jv 'j["host"][0]["rule"]')" = scan ]
momd_stop
momd_start
api GET /v1/policies
check "a replaced set survives a restart" [ "$(jv '[[p["name"] for p in j["policies"]], j["replaced"]]')" = '[["00-defines", "50_main_"], true]' ]
api DELETE /v1/policies
check "DELETE /v1/policies resets to policy_dir" \
	[ "$STATUS/$(jv '[[p["name"] for p in j["policies"]], j["replaced"]]')" = '200/[["00-defines", "02-balloon", "03-ksm", "04-cputune", "05-iotune"], false]' ]
check "reset removes the persisted overrides" [ ! -e "$MOMD_STATE/policies.json" ]
momd_stop

# A state file that no longer validates is ignored, not fatal, not half-applied.
echo '{"version": 1, "replace": false, "policies": {"01-x": "{\"host\": 1}"}}' >"$MOMD_STATE/policies.json"
echo '{"ksmEnabled": 0, "balloonEnabled": "yes"}' >"$MOMD_STATE/parameters.json"
touch "$MOMD_STATE/.parameters.json.tmp.abc123"
if momd_start; then
	ok "momd starts with invalid state files"
	api GET /v1/policies
	check "the invalid policy overrides are ignored" [ "$(jv '[p["name"] for p in j["policies"]]')" = '["00-defines", "02-balloon", "03-ksm", "04-cputune", "05-iotune"]' ]
	api GET /v1/parameters
	check "invalid parameters are not half-applied" [ "$(jv 'j["ksmEnabled"]')" = 1.0 ]
	check "the problem is logged" grep -q 'policies.json ignored' "$MOMD_LOG"
	check "a crash's temporary file is removed at start" [ ! -e "$MOMD_STATE/.parameters.json.tmp.abc123" ]
	# Kept for their owner under another name, and the log says where:
	# left in place, the next change would have overwritten them.
	set -- "$MOMD_STATE"/policies.json.rejected-*
	check "the invalid policies.json is set aside ($*)" grep -q '"01-x"' "$1"
	check "the log names where it went" grep -q "policies.json ignored: .*; kept as $1" "$MOMD_LOG"
	set -- "$MOMD_STATE"/parameters.json.rejected-*
	check "the invalid parameters.json is set aside ($*)" grep -q '"balloonEnabled": "yes"' "$1"
	check "the log names where it went" grep -q "parameters.json ignored: .*; kept as $1" "$MOMD_LOG"
	api PATCH /v1/parameters '{"ksmEnabled": 0}'
	check "a change after it writes a new parameters.json ($STATUS)" [ -e "$MOMD_STATE/parameters.json" ]
	check "and leaves the one set aside as it was" grep -q '"balloonEnabled": "yes"' "$1"
else
	not_ok "momd starts with invalid state files"
fi
momd_stop

# --- What momd accepts it reads back at start: policies.json at most 64
# MiB, parameters.json 1 MiB.  A policy's whitespace is not stored (nine
# bodies of 4 MB of newlines were 75 MB of policies.json, ignored at the
# next start), a change whose file would be over the limit is refused and
# changes nothing, and a name is at most 255 bytes.
# put_file METHOD PATH FILE: api with the body read from FILE (too large
# for an argument).
put_file() {
	STATUS=$(curl -s -o "$T_TMP/body" -w '%{http_code}' --unix-socket "$MOMD_SOCK" \
		-X "$1" -H "Content-Type: $J" --data-binary "@$3" "http://momd$2")
	BODY=$(cat "$T_TMP/body")
}
rm -rf "$MOMD_STATE"
momd_start --max-body 40000000 || not_ok "momd starts with a 40 MB max_body"
{ printf '{'; head -c 4190000 /dev/zero | tr '\0' '\n'; printf '"description": "pad"}'; } >"$T_TMP/pad.json"
n=0
for i in 1 2 3 4 5 6 7 8 9; do put_file PUT "/v1/policies/pad$i" "$T_TMP/pad.json" && [ "$STATUS" = 200 ] && n=$((n + 1)); done
check "nine policies of 4 MB of whitespace are accepted" [ "$n" = 9 ]
check "... and stored compact" [ "$(stat -c %s "$MOMD_STATE/policies.json")" -lt 100000 ]
api GET /v1/policies/pad1
check "... GET answers the compact document" [ "$BODY" = '{"description":"pad"}' ]
python3 -c 'import sys; sys.stdout.write("{\"description\": \"" + "x" * 34000000 + "\"}")' >"$T_TMP/big.json"
put_file PUT /v1/policies/big1 "$T_TMP/big.json"
check "a 34 MB policy is accepted" [ "$STATUS" = 200 ]
before=$(state_snapshot | md5sum)
put_file PUT /v1/policies/big2 "$T_TMP/big.json"
expect 413 too_large "a second one would make policies.json larger than start-up reads"
check "... the message names the file and the limit" \
	[ "$(jv '"policies.json" in j["message"] and "67108864" in j["message"]')" = true ]
check "... and nothing changed" [ "$(state_snapshot | md5sum)" = "$before" ]
long=$(printf 'p%.0s' $(seq 256))
api PUT /v1/policies/long "{\"parameters\": {\"$long\": {\"default\": 1}}}"
expect 400 invalid_policy "a parameter name of 256 bytes is refused"
check "... saying the limit" [ "$(jv '"at most 255 bytes" in j["message"]')" = true ]
api PUT /v1/policies/long "{\"parameters\": {\"${long:1}\": {\"default\": 1}}}"
check "a parameter name of 255 bytes is accepted" [ "$STATUS" = 200 ]
python3 -c '
import json
names = ["p%05d_%s" % (i, "q" * 56) for i in range(16000)]
json.dump({"parameters": {n: {"default": 1} for n in names}}, open("'"$T_TMP"'/many.json", "w"))
json.dump({n: 0 for n in names}, open("'"$T_TMP"'/many_set.json", "w"))'
put_file PUT /v1/policies/many "$T_TMP/many.json"
check "a policy of 16000 parameters is accepted" [ "$STATUS" = 200 ]
api PATCH /v1/parameters '{"balloonEnabled": true}'
check "balloonEnabled set" [ "$STATUS" = 200 ]
before=$(state_snapshot | md5sum)
put_file PATCH /v1/parameters "$T_TMP/many_set.json"
expect 413 too_large "setting them all would make parameters.json larger than start-up reads"
check "... the message names the file and the limit" \
	[ "$(jv '"parameters.json" in j["message"] and "1048576" in j["message"]')" = true ]
check "... and nothing changed" [ "$(state_snapshot | md5sum)" = "$before" ]
before_pol=$(curl -s --unix-socket "$MOMD_SOCK" http://momd/v1/policies)
momd_stop
momd_start || not_ok "momd restarts"
api GET /v1/policies
check "every accepted policy survives a restart" [ "$BODY" = "$before_pol" ]
check "... pad1..pad9, big1, long and many among them" \
	[ "$(jv 'len([p for p in j["policies"] if p["origin"] == "api"])')" = 12 ]
api GET /v1/parameters
check "balloonEnabled survives a restart" [ "$(jv 'j["balloonEnabled"]')" = 1.0 ]
momd_stop
rm -rf "$MOMD_STATE" "$T_TMP"/pad.json "$T_TMP"/big.json "$T_TMP"/many*.json

# --- policy_dir is read at start and at SIGHUP (README), and a change
# through the API composes with that copy: a file added since is not
# brought in by an unrelated PUT, and a broken one fails only the SIGHUP.
names() { api GET /v1/policies; jv '" ".join(p["name"] for p in j["policies"])'; }
momd_start || not_ok "momd starts"
echo '{"description": "added"}' >"$MOMD_POLICIES/07-added.json"
api PUT /v1/policies/99-other '{"description": "other"}'
check "an unrelated PUT (200) does not bring in a file added to policy_dir" \
	[ "$STATUS/$(names)" = "200/00-defines 02-balloon 03-ksm 04-cputune 05-iotune 99-other" ]
kill -HUP "$MOMD_PID"
wait_for 10 "SIGHUP reads it" sh -c "curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/policies | grep -q 07-added"
check "SIGHUP brings it in" [ "$(names)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune 07-added 99-other" ]
echo '{"host": 3}' >"$MOMD_POLICIES/08-broken.json"
api PUT /v1/policies/99-other '{"description": "other 2"}'
check "a PUT with a broken file in policy_dir is made (200)" [ "$STATUS" = 200 ]
api DELETE /v1/policies/99-other
check "... and a DELETE (200)" [ "$STATUS" = 200 ]
api DELETE /v1/policies
check "... and a reset, to policy_dir as last read" \
	[ "$STATUS/$(names)" = "200/00-defines 02-balloon 03-ksm 04-cputune 05-iotune 07-added" ]
rm -f "$MOMD_POLICIES/07-added.json"
kill -HUP "$MOMD_PID"
check "SIGHUP reports the broken file" wait_for 10 "the reload's error" grep -q 'reload: policy 08-broken' "$MOMD_LOG"
check "... and keeps the policies in force" \
	[ "$(names)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune 07-added" ]
rm -f "$MOMD_POLICIES/08-broken.json"
kill -HUP "$MOMD_PID"
wait_for 10 "SIGHUP drops 07-added" sh -c "! curl -s --unix-socket '$MOMD_SOCK' http://momd/v1/policies | grep -q 07-added"
check "a SIGHUP once it is fixed reads policy_dir" [ "$(names)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune" ]
momd_stop

# --- SIGHUP is all or nothing (README "Configuration"): a configuration
# that does not validate leaves policy_dir unread, and a policy_dir that
# does not validate leaves the configuration as it was.  (Before, each
# half was applied on its own.)
dry() { api GET /v1/dry-run; jv 'j["enabled"]'; }
# refusals N: the log holds N refused reloads.
refusals() { [ "$(grep -c 'not reloaded' "$MOMD_LOG")" -ge "$1" ]; }
echo '{"dry_run": false}' >"$T_TMP/reload.json"
momd_start --config "$T_TMP/reload.json" || not_ok "momd starts with --config"
echo '{"description": "added"}' >"$MOMD_POLICIES/07-added.json"
echo '{"dry_run": true, "history": "x"}' >"$T_TMP/reload.json"
n=$(grep -c 'not reloaded' "$MOMD_LOG")
kill -HUP "$MOMD_PID"
wait_for 10 "the refused configuration is logged" refusals $((n + 1))
check "a refused configuration: policy_dir is not read either" \
	[ "$(names)/$(dry)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune/false" ]
check "... and the log says so" grep -q 'the policies are not reloaded either' "$MOMD_LOG"
echo '{"dry_run": true}' >"$T_TMP/reload.json"
echo '{"host": 3}' >"$MOMD_POLICIES/08-broken.json"
kill -HUP "$MOMD_PID"
wait_for 10 "the refused policies are logged" refusals $((n + 2))
check "refused policies: the configuration stays as it was (dry_run off)" \
	[ "$(names)/$(dry)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune/false" ]
check "... and the log says so" grep -q 'configuration not reloaded either' "$MOMD_LOG"
rm -f "$MOMD_POLICIES/08-broken.json"
kill -HUP "$MOMD_PID"
applied() { [ "$(names)/$(dry)" = "00-defines 02-balloon 03-ksm 04-cputune 05-iotune 07-added/true" ]; }
check "once both validate, one SIGHUP applies both" wait_for 10 "the reload" applied

# --- A second momd on the same socket is refused and the first keeps it.
# (The stale-socket rule unlinked a live socket: the second took the path
# and the first went on acting on the host with its API cut off.)
"$BUILD/momd" --socket "$MOMD_SOCK" --state-dir "$T_TMP/state2" \
	${MOMD_BASE_FLAGS[@]+"${MOMD_BASE_FLAGS[@]}"} >"$T_TMP/second.log" 2>&1 &
SECOND=$!
at_exit stop_pid "$SECOND"
second_done() { ! kill -0 "$SECOND" 2>/dev/null; }
check "a second momd on a live socket stops" wait_for 10 "the second momd exits" second_done
if second_done; then
	wait "$SECOND"
	rc=$?
else
	rc=running
	stop_pid "$SECOND"
fi
check "... with exit 69 ($rc)" [ "$rc" = 69 ]
check "... saying why" grep -q "$MOMD_SOCK: a process already listens on it" "$T_TMP/second.log"
api GET /v1/status
check "... and the first still answers on it" [ "$STATUS" = 200 ]
rm -f "$MOMD_POLICIES/07-added.json"
momd_stop

# --- TCP with a bearer token.
PORT=$(free_port)
TOKEN=0123456789abcdef0123456789abcdef
echo "$TOKEN" >"$T_TMP/token" && chmod 600 "$T_TMP/token"
momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token"
tcp() { curl -s -o "$T_TMP/body" -w '%{http_code}' "$@"; }
check "TCP without a token: 401" [ "$(tcp "http://127.0.0.1:$PORT/v1/ping")" = 401 ]
check "TCP with a wrong token: 401" [ "$(tcp -H "Authorization: Bearer x$TOKEN" "http://127.0.0.1:$PORT/v1/ping")" = 401 ]
check "TCP with a wrong scheme: 401" [ "$(tcp -H "Authorization: Basic $TOKEN" "http://127.0.0.1:$PORT/v1/ping")" = 401 ]
check "TCP refusal body is a JSON error" grep -q '"error":"unauthorized"' "$T_TMP/body"
check "TCP POST without a token: 401, nothing ingested" [ "$(tcp -H 'Content-Type: application/json' -d '[]' "http://127.0.0.1:$PORT/v1/metrics")" = 401 ]
check "TCP with the token: 200" [ "$(tcp -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/ping")" = 200 ]
check "TCP with the token: PATCH works" [ "$(tcp -X PATCH -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d '{"ksmEnabled": 1}' "http://127.0.0.1:$PORT/v1/parameters")" = 200 ]
check "the unix socket still needs no token" [ "$(curl -s -o /dev/null -w '%{http_code}' --unix-socket "$MOMD_SOCK" http://momd/v1/ping)" = 200 ]
momd_stop

# --- TLS on TCP.
if ! command -v openssl >/dev/null; then
	skip "TLS: openssl is not installed (tests/install-deps.sh)"
elif ! openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=127.0.0.1 \
	-addext subjectAltName=IP:127.0.0.1 -keyout "$T_TMP/key.pem" \
	-out "$T_TMP/cert.pem" >/dev/null 2>&1; then
	not_ok "TLS: openssl cannot make a self-signed certificate"
else
	PORT=$(free_port)
	chmod 600 "$T_TMP/key.pem"
	if momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token" \
		--tls-cert "$T_TMP/cert.pem" --tls-key "$T_TMP/key.pem"; then
		check "TLS with the token: 200" [ "$(tcp --cacert "$T_TMP/cert.pem" -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$PORT/v1/ping")" = 200 ]
		check "TLS without a token: 401" [ "$(tcp --cacert "$T_TMP/cert.pem" "https://127.0.0.1:$PORT/v1/ping")" = 401 ]
		check "plain HTTP to the TLS port fails" [ "$(tcp -H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/ping")" != 200 ]
	else
		not_ok "momd starts with TLS"
	fi
	momd_stop
fi

momd_log_clean
done_testing
