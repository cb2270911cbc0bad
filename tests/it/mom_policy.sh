# SPDX-License-Identifier: Apache-2.0
#
# mom_policy.sh: MOM's policy language through the real momd and momctl.
# PUT /v1/policies/{name} with Content-Type text/x-mom-policy stores the
# converted JSON (read back and compared with `momctl convert`); a text
# with no equivalent, or that does not load, is refused with its line and
# column and changes nothing; PUT /v1/policies with MOM text replaces the
# set (MOM's setPolicy); POST /v1/evaluate tries MOM text without changing
# anything.  `momctl convert` offline: stdout, several files, -o DIR, and a
# refused file that writes nothing.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

MOM=text/x-mom-policy
DATA=$ROOT/tests/data/mom

# refused DESC CODE METHOD PATH BODY: 400 CODE, state unchanged.
refused() {
	local desc=$1 code=$2 before after
	shift 2
	before=$(state_snapshot)
	api "$@"
	check "$desc: 400 $code" [ "$STATUS:$(jv 'j["error"]')" = "400:$code" ]
	after=$(state_snapshot)
	check "$desc: nothing changed" [ "$before" = "$after" ]
}

# --- momctl convert, offline (no daemon running yet).
"$BUILD/momctl" --socket "$T_TMP/none.sock" convert "$DATA/02-balloon.policy" >"$T_TMP/02.json"
check "momctl convert prints the JSON policy without a daemon" \
	test "$(momapi json --file "$T_TMP/02.json" 'j["guest"][0]["rule"] == "guests-1" and "hfp__02_balloon" in json.dumps(j["host"])')" = true
"$BUILD/momctl" convert "$DATA/00-defines.policy" "$DATA/03-ksm.policy" >"$T_TMP/both.json"
check "momctl convert of several files prints {\"policies\": {name: policy}}" \
	test "$(momapi json --file "$T_TMP/both.json" 'sorted(j["policies"])')" = '["00-defines", "03-ksm"]'
mkdir -p "$T_TMP/out"
"$BUILD/momctl" convert -o "$T_TMP/out" "$DATA/00-defines.policy" "$DATA/02-balloon.policy" >/dev/null
check_sh "momctl convert -o DIR writes one file per input" \
	'[ -s "$T_TMP/out/00-defines.json" ] && [ -s "$T_TMP/out/02-balloon.json" ] && cmp -s "$T_TMP/out/02-balloon.json" <(head -c -1 "$T_TMP/02.json")'
printf '(defvar a 1)\n\n  (Host.Control "ksm_run" (<< a 2))\n' >"$T_TMP/bad.policy"
mkdir -p "$T_TMP/out2"
"$BUILD/momctl" convert -o "$T_TMP/out2" "$DATA/00-defines.policy" "$T_TMP/bad.policy" 2>"$T_TMP/err"
rc=$?
check "a refused file: exit 1" [ "$rc" = 1 ]
check "a refused file: file:line:column and the construct" \
	grep -q "bad.policy:3:27: the shift operator '<<' has no equivalent" "$T_TMP/err"
check "a refused file: nothing written" [ -z "$(ls "$T_TMP/out2")" ]

momd_start || { not_ok "momd starts"; done_testing; }

# --- PUT one policy as MOM text; read back the JSON.
api PUT /v1/policies/02-balloon "$(cat "$DATA/02-balloon.policy")" $MOM
check "PUT /v1/policies/02-balloon with $MOM (200)" [ "$STATUS" = 200 ]
check "the listing says the API set it" [ "$(jv '[p["origin"] for p in j["policies"] if p["name"] == "02-balloon"][0]')" = api ]
api GET /v1/policies/02-balloon
printf '%s' "$BODY" >"$T_TMP/got.json"
check "GET reads back the converted JSON (as momctl convert gives it)" \
	momapi same "@$T_TMP/got.json" "@$T_TMP/02.json"

# vdsm's setPolicyParameters: one (set key value) line per key, no final newline.
api PUT /v1/policies/01-parameters "$(printf '(set balloonEnabled True)\n(set ksmEnabled False)\n(set ksmMergeAcrossNodes True)')" $MOM
check "vdsm's 01-parameters text is accepted (200)" [ "$STATUS" = 200 ]
api GET /v1/policies/01-parameters
check "01-parameters holds the parameter defaults" \
	[ "$(jv '[j["parameters"][k]["default"] for k in ("balloonEnabled", "ksmEnabled", "ksmMergeAcrossNodes")]')" = "[1, 0, 1]" ]

# --- Refused texts change nothing.
refused "a construct with no equivalent" invalid_policy \
	PUT /v1/policies/02-balloon "$(printf '(defvar x 1)\n(with Guests g\n   (g.SetVar "seen" 1))')" $MOM
check "the refusal gives line and column" [ "$(jv 'j["line"]'):$(jv 'j["column"]')" = "3:4" ]
check "the refusal names the construct and the policy" \
	[ "$(jv '"SetVar" in j["message"] and j["policy"] == "02-balloon"')" = true ]
refused "a syntax error" invalid_policy PUT /v1/policies/02-balloon "(defvar x (+ 1 2)" $MOM
check "the syntax error gives the unclosed form at line 1, column 1" [ "$(jv 'j["line"]'):$(jv 'j["column"]')" = "1:1" ]
refused "a converted text that does not load" invalid_policy \
	PUT /v1/policies/02-balloon '(with Guests g (g.Control "balloon_target" nosuchparam))' $MOM
api GET /v1/policies/02-balloon
printf '%s' "$BODY" >"$T_TMP/got2.json"
check "the previous 02-balloon is still in force" \
	momapi same "@$T_TMP/got2.json" "@$T_TMP/02.json"

# --- Function calls are expanded where they are called: f_i calls f_{i-1}
# twice, so (f14) is 2^14 copies of f0's body.  What is stored is compact
# and at most max_body; what would be larger is refused.
# doubling [PARAM]: the text (f0 reads PARAM when given).
doubling() {
	if [ -n "${1-}" ]; then
		printf '(defvar %s 1)\n(def f0 () (+ Host.mem_free %s))\n' "$1" "$1"
	else
		printf '(def f0 () (+ Host.mem_free 1))\n'
	fi
	for i in $(seq 1 14); do printf '(def f%d () (+ (f%d) (f%d)))\n' $i $((i - 1)) $((i - 1)); done
	printf '(defvar y (f14))\n(Host.Control "ksm_run" y)\n'
}
api PUT /v1/policies/amp "$(doubling)" $MOM
check "the 453-byte doubling text is accepted (200)" [ "$STATUS" = 200 ]
api GET /v1/policies/amp
check_sh "it is stored compact (${#BODY} bytes; 8 MB indented)" \
	'[ "${#BODY}" -lt 600000 ] && [ "$(printf "%s" "$BODY" | wc -l)" -le 1 ]'
api DELETE /v1/policies/amp
# A parameter's name (255 bytes, the longest) in each of the 2^14 copies.
long=$(head -c 255 /dev/zero | tr '\0' p)
refused "a 1 KB text that would expand beyond max_body" invalid_policy \
	PUT /v1/policies/amp "$(doubling "$long")" $MOM
check "the refusal names max_body and the line that crosses it" \
	[ "$(jv 'j["line"]'):$(jv '"larger than 4194304 bytes (max_body)" in j["message"]')" = 17:true ]
refused "the same to POST /v1/evaluate" invalid_policy POST /v1/evaluate "$(doubling "$long")" $MOM

# --- Distinct names give distinct generated names: policy names alike but
# for '-' and '_', and variables alike in their first 66 characters, which
# `momctl convert` and momd both take.
api PUT /v1/policies/a-b "$(cat "$DATA/02-balloon.policy")" $MOM
check "02-balloon's text as a-b (200)" [ "$STATUS" = 200 ]
api PUT /v1/policies/a_b "$(cat "$DATA/02-balloon.policy")" $MOM
check "the same text as a_b too (200: $(jv 'j.get("message")'))" [ "$STATUS" = 200 ]
api DELETE /v1/policies/a-b
api DELETE /v1/policies/a_b
v66=$(head -c 66 /dev/zero | tr '\0' v)
printf '(defvar %sa Host.mem_free)\n(defvar %sb (+ %sa 1))\n(Host.Control "ksm_run" %sb)\n' \
	"$v66" "$v66" "$v66" "$v66" >"$T_TMP/long.policy"
"$BUILD/momctl" convert "$T_TMP/long.policy" >"$T_TMP/long.json"
check "momctl converts two variables alike in 66 characters" [ "$?" = 0 ]
api PUT /v1/policies/long "$(cat "$T_TMP/long.policy")" $MOM
check "momd takes the same text (200: $(jv 'j.get("message")'))" [ "$STATUS" = 200 ]
api GET /v1/policies/long
printf '%s' "$BODY" >"$T_TMP/long-got.json"
check "and stores what momctl convert gives" momapi same "@$T_TMP/long-got.json" "@$T_TMP/long.json"
api DELETE /v1/policies/long

# --- POST /v1/evaluate with MOM text: tried against the current state.
post_host memory-total=17179869184 memory-free=4294967296 gauge-ksm_run=1 \
	vmpage_number-ksm_pages_to_scan=64 gauge-ksm_merge_across_nodes=1 vmpage_number-ksm_shared=0
before=$(state_snapshot)
ready() { api POST /v1/evaluate '(if (> Host.mem_available 0) (Host.Control "ksm_pages_to_scan" 77) 0)' $MOM; [ "$STATUS" = 200 ]; }
wait_for 10 "POST /v1/evaluate with MOM text answers a plan" ready
check "the MOM text decided the plan" [ "$(jv 'j["plan"]["host"]["ksm_pages_to_scan"]'):$(jv 'j["policies"]')" = 77:supplied ]
check "evaluate changed nothing" [ "$before" = "$(state_snapshot)" ]
refused "POST /v1/evaluate with a bad MOM text" invalid_policy POST /v1/evaluate '(Host.GetControl "ksm_run")' $MOM

# --- PUT /v1/policies with MOM text: MOM's setPolicy replaces the set.
api PUT /v1/policies '(Host.Control "ksm_run" 0)' $MOM
check "PUT /v1/policies with $MOM (200)" [ "$STATUS" = 200 ]
check "the set is that one policy" [ "$(jv '[p["name"] for p in j["policies"]]')" = '["50_main_"]' ]
api DELETE /v1/policies
check "DELETE /v1/policies goes back to the directory" [ "$(jv 'len(j["policies"])')" = 5 ]

# The bound is momd's max_body, not a constant.
momd_stop
momd_start --max-body 262144 || { not_ok "momd restarts with max_body 256 KiB"; done_testing; }
refused "with max_body 256 KiB, the doubling text" invalid_policy \
	PUT /v1/policies/amp "$(doubling)" $MOM
check "the refusal names that max_body, at (defvar y (f14))" \
	[ "$(jv 'j["line"]'):$(jv '"larger than 262144 bytes (max_body)" in j["message"]')" = 16:true ]

momd_log_clean
done_testing
