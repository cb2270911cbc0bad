# SPDX-License-Identifier: Apache-2.0
#
# momctl.sh: every momctl command against a real momd: the table output,
# the --json output (compared with the API's own answer), and the exit
# codes scripts rely on (0 ok, 1 API refusal, 2 usage, 3 cannot connect,
# 5 local file), over the unix socket and over TCP with a token.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

PORT=$(free_port)
TOKEN=0123456789abcdef0123456789abcdef
echo "$TOKEN" >"$T_TMP/token" && chmod 600 "$T_TMP/token"
if ! momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token"; then
	not_ok "momd starts"
	done_testing
fi

# mc ARGS...: run momctl on the socket; sets RC, OUT, ERR.
mc() {
	"$BUILD/momctl" --socket "$MOMD_SOCK" "$@" >"$T_TMP/out" 2>"$T_TMP/err"
	RC=$?
	OUT=$(cat "$T_TMP/out")
	ERR=$(cat "$T_TMP/err")
}
# rc_is N DESC: the last momctl exited N.
rc_is() {
	if [ "$RC" = "$1" ]; then ok "$2 (exit $1)"; else not_ok "$2: exit $RC, want $1; $ERR"; fi
}
not_has() { ! has "$@"; }
has() { grep -qE -- "$1" <<<"$OUT"; }
# same_json PATH: momctl's --json output equals the API's answer.
same_json() {
	api GET "$1"
	momapi same "$OUT" "$BODY"
}

post_host memory-total=17179869184 memory-free=8589934592 gauge-ksm_run=1 \
	vmpage_number-ksm_pages_to_scan=64 vmpage_number-ksm_sharing=300
post_guest g1 memory-actual=2147483648 memory-maximum=4294967296 memory-minimum=0
stats_ready() { api GET /v1/guests; [ "$BODY" = '["g1"]' ]; }
wait_for 10 "statistics settle" stats_ready || not_ok "statistics settle"

mc ping
rc_is 0 "ping"
check "ping prints active" [ "$OUT" = active ]

mc status
rc_is 0 "status"
check "status table: status: active" has '^status: active$'
check "status table flattens objects" has '^ingest\.batches: [0-9]+$'
mc status --json
check_sh "status --json is JSON with status active" '[ "$(momapi json .status <<<"$OUT")" = active ]'

mc stats
rc_is 0 "stats"
check "stats table header" has '^ENTITY +FIELD +VALUE'
check "stats table: host ksm_pages_sharing 300" has '^host +ksm_pages_sharing +300$'
check "stats table: guest:g1 balloon_cur" has '^guest:g1 +balloon_cur +2097152$'
mc --json stats
check "stats --json equals GET /v1/stats" same_json /v1/stats

mc guests
rc_is 0 "guests"
check "guests prints g1" [ "$OUT" = g1 ]
mc guests --json
check "guests --json equals GET /v1/guests" same_json /v1/guests

mc plan
rc_is 0 "plan"

# Policies.
mc policies
rc_is 0 "policies"
check "policies table" has '^03-ksm +policy_dir$'
mc policies list --json
check "policies list --json equals GET /v1/policies" same_json /v1/policies
mc policies get 03-ksm
rc_is 0 "policies get 03-ksm"
check "policies get prints the policy" momapi same "$OUT" "@$MOMD_POLICIES/03-ksm.json"
echo '{"parameters": {"zz": {"default": 3}}}' >"$T_TMP/01-parameters.json"
mc policies set "$T_TMP/01-parameters.json"
rc_is 0 "policies set FILE"
check "the file name is the policy name; origin api" has '^01-parameters +api$'
mc policies set "$T_TMP/01-parameters.json" 01-other
rc_is 0 "policies set FILE NAME"
check "the policy is set under NAME" has '^01-other +api$'
echo '{"host": [' >"$T_TMP/04-bad.json"
mc policies set "$T_TMP/04-bad.json"
rc_is 1 "policies set with a bad policy"
check "the error names the policy, line and column" grep -qE 'invalid_policy: 04-bad:[0-9]+:[0-9]+: JSON syntax' <<<"$ERR"
mc policies set "$T_TMP/missing.json"
rc_is 5 "policies set with a missing file"
mc policies get 99-none
rc_is 1 "policies get of an unknown policy"
mc policies get ..x
rc_is 1 "policies get with a path trick"
# A name with dot segments is sent as it is (escaped), never squashed by
# the client into another route: "../policies" used to become DELETE
# /v1/policies, which reset every policy.
for trick in ../policies ./ "../policies/01-other" ..%2Fpolicies; do
	mc policies delete "$trick"
	rc_is 1 "policies delete '$trick' is refused"
	mc policies
	check "... and 01-other (set through the API) is still in force" has '^01-other +api$'
done
mc policies get ../policies
check "policies get ../policies gets no listing" not_has '"policies"'
mc policies delete 01-other
rc_is 0 "policies delete"
check "it is gone" not_has '^01-other '
mc policies effective
rc_is 0 "policies effective"
check "effective lists each policy in name order" [ "$(grep '^# ' <<<"$OUT" | tr '\n' ' ')" = '# 00-defines # 01-parameters # 02-balloon # 03-ksm # 04-cputune # 05-iotune ' ]
mc policies effective --json
check "policies effective --json equals GET /v1/effective-policy" same_json /v1/effective-policy
echo '{"host": [{"rule": "scan", "do": [{"set": "ksm_pages_to_scan", "to": 77}]}]}' >"$T_TMP/50_main_.json"
mc policies replace "$T_TMP/50_main_.json" "$MOMD_POLICIES/00-defines.json"
rc_is 0 "policies replace FILE..."
check_sh "the set is replaced" '[ "$(grep -c " api\$" <<<"$OUT")" = 2 ] && has "policy_dir is ignored"'
mc policies reset
rc_is 0 "policies reset"
check "back to the policy directory" [ "$(grep -c ' policy_dir$' <<<"$OUT")" = 5 ]
mc policies frobnicate
rc_is 2 "policies with an unknown sub-command"

# Parameters.
mc parameters
rc_is 0 "parameters"
check "parameters table" has '^ksmEnabled: 1$'
mc parameters set ksmEnabled=false balloonEnabled=true
rc_is 0 "parameters set K=V K=V"
check_sh "the values changed" 'has "^ksmEnabled: 0\$" && has "^balloonEnabled: 1\$"'
mc parameters set ksmMergeAcrossNodes=0
check_sh "a partial set keeps the others" 'has "^ksmEnabled: 0\$" && has "^ksmMergeAcrossNodes: 0\$"'
mc parameters get --json
check "parameters get --json equals GET /v1/parameters" same_json /v1/parameters
# getdelim() stopped at a NUL and sent the part before it (exit 0), and
# sent an empty file's unwritten buffer ("the body is not UTF-8").
printf '{"description": "x"}\0{"bogus' >"$T_TMP/nul.json"
mc policies set "$T_TMP/nul.json"
rc_is 5 "policies set of a file with a NUL byte"
check "... says so" grep -q 'nul.json: holds a NUL byte at offset 20' <<<"$ERR"
api GET /v1/policies/nul
check "... and sends nothing (404)" [ "$STATUS" = 404 ]
: >"$T_TMP/empty.json"
mc policies set "$T_TMP/empty.json"
rc_is 1 "policies set of an empty file is sent and refused"
check_sh "... as an empty body, not as stray bytes" '! grep -q "not UTF-8" "$T_TMP/err"'
mc parameters set nope=1
rc_is 1 "parameters set of an unknown parameter"
check "the error is reported on stderr" grep -q 'bad_parameter' <<<"$ERR"
mc parameters set ksmEnabled=maybe
rc_is 2 "parameters set with a bad value"
mc parameters set ksmEnabled
rc_is 2 "parameters set without ="
# strtod takes nan and inf; JSON cannot carry them, and the request went
# out without the key: 200, nothing changed, exit 0.
for v in nan inf -infinity; do
	mc parameters set ksmMergeAcrossNodes=$v
	rc_is 2 "parameters set with $v"
done

# Evaluate.
cat >"$T_TMP/case.json" <<'EOF'
{
 "host": {"history": [{"mem_available": 16000000, "mem_free": 8000000, "ksm_run": 0}]},
 "guests": []}
EOF
mkdir -p "$T_TMP/pdir"
cp "$T_TMP/50_main_.json" "$T_TMP/pdir/"
mc evaluate "$T_TMP/case.json" --policy-dir "$T_TMP/pdir"
rc_is 0 "evaluate CASE --policy-dir DIR"
check "the table shows the control, value and reason" has '^host +ksm_pages_to_scan +77 +50_main_/scan'
check "it says what was evaluated" has '^policies: supplied, state: case$'
mc evaluate --json
rc_is 0 "evaluate (current set and state) --json"
evaluated() { [ "$(momapi json '[j["policies"], j["state"], "plan" in j]' <<<"$OUT")" = '["current", "current", true]' ]; }
check "evaluate --json is the API's reply" evaluated
mc evaluate "$T_TMP/missing.json"
rc_is 5 "evaluate with a missing case file"
echo '{"host": {"history": [{"bogus": 1}]}}' >"$T_TMP/badcase.json"
mc evaluate "$T_TMP/badcase.json"
rc_is 1 "evaluate with an invalid case"

# Actions, log level, dry run.
mc actions --limit 5
rc_is 0 "actions --limit 5"
check "actions table header" has '^TIME +SUBJECT +CONTROL'
mc actions --json
check_sh "actions --json is an array" '[ "$(momapi json "isinstance(j, list)" <<<"$OUT")" = true ]'
mc actions --limit 0
rc_is 2 "actions --limit 0"
mc log-level debug
rc_is 0 "log-level debug"
check "prints the level" [ "$OUT" = debug ]
mc log-level 4
check "log-level 4 is MOM's info" [ "$OUT" = info ]
mc log-level
check "log-level reads back" [ "$RC/$OUT" = 0/info ]
mc log-level loud
rc_is 1 "log-level with an unknown level"
mc dry-run on
check "dry-run on" [ "$RC/$OUT" = 0/on ]
mc dry-run
check "dry-run reads back" [ "$RC/$OUT" = 0/on ]
mc dry-run off
check "dry-run off" [ "$RC/$OUT" = 0/off ]
mc dry-run maybe
rc_is 2 "dry-run maybe"

# Usage and connection errors.
mc
rc_is 2 "no command"
mc frobnicate
rc_is 2 "unknown command"
# atof() took these as 0 (the default 10 s) or "5s" as 5, silently.
for t in abc "" -1 0 5s nan 1e9 0.0001; do
	mc --timeout "$t" ping
	rc_is 2 "--timeout '$t' is refused"
done
mc --timeout 2.5 ping
rc_is 0 "--timeout 2.5"
"$BUILD/momctl" --help >"$T_TMP/help"
check "--help documents the exit codes" grep -q '3 cannot connect' "$T_TMP/help"
"$BUILD/momctl" --socket "$T_TMP/nowhere.sock" ping 2>/dev/null
RC=$?
rc_is 3 "cannot connect"
MOMCTL_SOCKET=$MOMD_SOCK "$BUILD/momctl" ping >/dev/null
RC=$?
rc_is 0 "MOMCTL_SOCKET selects the socket"

# A server that answers well-formed HTTP with JSON that is not the API's
# reply: exit 4 with a message, never a crash (log-level died in
# puts(NULL) on a reply without "level").
# rawfake RAW: send RAW (Python escapes), or nothing for "", and close.
rawfake() {
	rm -f "$T_TMP/fake.sock"
	"$MOMAPI_PYTHON" - "$T_TMP/fake.sock" "$1" <<'PY' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1])
s.listen(8)
raw = sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
while True:
    c, _ = s.accept()
    c.recv(65536)
    if raw == b"slow":
        time.sleep(30)
    else:
        c.sendall(raw)
    c.close()
PY
	FAKE_PID=$!
	at_exit stop_pid "$FAKE_PID"
	wait_for 10 "the fake server listens" [ -S "$T_TMP/fake.sock" ]
}
# fake BODY: serve BODY as a JSON reply (200) to every request.
fake() {
	rawfake "HTTP/1.1 200 OK\\r\\nContent-Type: application/json\\r\\nContent-Length: ${#1}\\r\\nConnection: close\\r\\n\\r\\n$1"
}
for body in '{}' '[1, 2]' '"x"' garbage; do
	fake "$body"
	for cmd in log-level "log-level debug" ping dry-run "dry-run on" status stats guests plan policies "policies effective" actions parameters; do
		# shellcheck disable=SC2086 # cmd is words
		"$BUILD/momctl" --socket "$T_TMP/fake.sock" $cmd >"$T_TMP/out" 2>"$T_TMP/err"
		RC=$?
		ERR=$(cat "$T_TMP/err")
		# want: 0 where the top level has the documented type and
		# the printer needs no member, 4 elsewhere.
		want=4
		case "$body/$cmd" in
		'{}/status' | '{}/stats' | '{}/plan' | '{}/policies' | \
			'{}/policies effective' | '{}/parameters' | \
			'[1, 2]/guests' | '[1, 2]/actions') want=0 ;;
		esac
		if [ "$RC" = "$want" ] && { [ "$want" = 0 ] || grep -q 'not what the API documents\|is not JSON' <<<"$ERR"; }; then
			ok "momctl $cmd, reply $body: exit $want"
		else
			not_ok "momctl $cmd, reply $body: exit $RC, want $want; $ERR"
		fi
	done
	stop_pid "$FAKE_PID"
done

# A server that answers something other than a whole HTTP reply: a bad
# reply, exit 4, not "cannot connect" (3), which a script reads as momd
# down.  One that does not answer within --timeout: 3.
for raw in 'garbage\r\n\r\n' 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{"ok": tr' ''; do
	rawfake "$raw"
	mc --socket "$T_TMP/fake.sock" ping
	rc_is 4 "a reply '$raw'"
	check "... says it is a bad reply" grep -q 'bad reply' <<<"$ERR"
	stop_pid "$FAKE_PID"
done
rawfake slow
start=$(date +%s)
mc --socket "$T_TMP/fake.sock" --timeout 1 ping
rc_is 3 "no reply within --timeout 1"
check "... within a few seconds" [ $(($(date +%s) - start)) -le 5 ]
stop_pid "$FAKE_PID"
"$BUILD/momctl" --url ftp://127.0.0.1:1 ping 2>"$T_TMP/err"
RC=$?
ERR=$(cat "$T_TMP/err")
rc_is 2 "--url that is not http or https"
check "... says what --url takes" grep -q -- '--url: http://HOST:PORT' "$T_TMP/err"

# TCP with the token.
"$BUILD/momctl" --url "http://127.0.0.1:$PORT" --token-file "$T_TMP/token" status >"$T_TMP/out" 2>&1
RC=$?
rc_is 0 "over TCP with --token-file"
"$BUILD/momctl" --url "http://127.0.0.1:$PORT" status >/dev/null 2>"$T_TMP/err"
RC=$?
ERR=$(cat "$T_TMP/err")
rc_is 1 "over TCP without a token"
check "... the error says unauthorized" grep -q unauthorized <<<"$ERR"
"$BUILD/momctl" --url "http://127.0.0.1:$PORT" --token-file "$T_TMP/nope" status 2>/dev/null
RC=$?
rc_is 5 "a missing token file"
momd_log_clean
done_testing
