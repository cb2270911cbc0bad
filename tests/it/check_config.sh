#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# check_config.sh: `momd --check-config` and the documentation of momd's
# options.  A good configuration exits 0 with "configuration OK"; an
# unknown key, a value of the wrong type, a broken file, a missing policy
# directory, a policy that does not validate, and a token, TLS file or
# socket group a start could not use each exit non-zero with a message
# naming the culprit, and nothing is started.  Every option of
# `momd --help` (the option table, actuator/conf.c) is documented in
# momd.json(5), README.md "Configuration" and the example configuration,
# with the same default.
. "$(dirname "$0")/../lib/common.sh"

M=$BUILD/momd
cc() { "$M" --check-config "$@" >"$T_TMP/out" 2>"$T_TMP/err"; }

# ---- good -------------------------------------------------------------------
cat >"$T_TMP/good.json" <<JSON
{
  "socket": "$T_TMP/momd.sock",
  "state_dir": "$T_TMP/state",
  "policy_dir": "$ROOT/policies",
  "interval_ms": 5000,
  "socket_mode": "0600",
  "dry_run": true
}
JSON
cc --config "$T_TMP/good.json"
check "good configuration: exit 0" [ $? = 0 ]
check "... prints configuration OK with the policy count" \
	grep -qx "configuration OK: $(ls "$ROOT"/policies/*.json | wc -l) policies, [0-9]* parameters" "$T_TMP/out"
check_sh "... and starts nothing (no socket, no state directory)" \
	'[ ! -e "$T_TMP/momd.sock" ] && [ ! -e "$T_TMP/state" ]'
echo '{}' >"$T_TMP/empty.json"
cc --config "$T_TMP/empty.json" --policy-dir "$ROOT/policies"
check "an empty object is a valid configuration" [ $? = 0 ]

# ---- bad --------------------------------------------------------------------
# bad NAME WANT_RC GREP [momd flags]: exits WANT_RC, stderr matches GREP.
bad() {
	local name=$1 want=$2 pat=$3 rc
	shift 3
	cc "$@"
	rc=$?
	if [ "$rc" = "$want" ] && grep -q -- "$pat" "$T_TMP/err" && [ ! -s "$T_TMP/out" ]; then
		ok "$name: exit $rc, says '$pat'"
	else
		not_ok "$name: exit $rc (want $want), stderr: $(head -c 300 "$T_TMP/err")"
	fi
}
printf '{"policy_dir": "%s", "polcy_dir": "x"}\n' "$ROOT/policies" >"$T_TMP/typo.json"
bad "unknown key" 78 'unknown option "polcy_dir"' --config "$T_TMP/typo.json"
echo '{"interval_ms": "10s"}' >"$T_TMP/type.json"
bad "wrong type" 78 'interval_ms: expected an integer' --config "$T_TMP/type.json" --policy-dir "$ROOT/policies"
echo '{"interval_ms": 5}' >"$T_TMP/range.json"
bad "out of range" 78 'interval_ms: "5" is not an integer in \[100,' --config "$T_TMP/range.json" --policy-dir "$ROOT/policies"
echo '{"history": 10, "history": 11}' >"$T_TMP/dup.json"
bad "duplicate key" 78 'duplicate' --config "$T_TMP/dup.json" --policy-dir "$ROOT/policies"
echo '{"socket": ' >"$T_TMP/broken.json"
bad "broken JSON names the line" 78 'broken.json:[0-9]*:[0-9]*:' --config "$T_TMP/broken.json"
bad "missing configuration file" 78 'nosuch.json' --config "$T_TMP/nosuch.json"
bad "missing policy directory" 65 "$T_TMP/nodir" --config "$T_TMP/good.json" --policy-dir "$T_TMP/nodir"
mkdir -p "$T_TMP/badpol"
cp "$ROOT"/policies/*.json "$T_TMP/badpol/"
echo '{"version": 1, "nonsense": true' >"$T_TMP/badpol/50-broken.json"
bad "a policy that does not parse is named" 65 '50-broken' --config "$T_TMP/good.json" --policy-dir "$T_TMP/badpol"
bad "listen without token_file" 78 'listen requires token_file' --config "$T_TMP/good.json" --listen 127.0.0.1:1
# Digits only: strtoll() skipped blanks and took a sign.
bad "a number with a blank" 78 'interval_ms: " 200" is not an integer' --config "$T_TMP/good.json" --interval-ms " 200"
bad "a number with a plus" 78 'interval_ms: "+200" is not an integer' --config "$T_TMP/good.json" --interval-ms +200
bad "a negative mode" 78 'socket_mode: "-0" is not an octal mode in \[0, 0777\]' --config "$T_TMP/good.json" --socket-mode -0
# ksm_dir "" read as a kernel without KSM; state_dir "" read /NAME.
bad "empty ksm_dir" 78 'ksm_dir: "" is not an absolute path' --config "$T_TMP/good.json" --ksm-dir ""
bad "relative ksm_dir" 78 'ksm_dir: "ksm" is not an absolute path' --config "$T_TMP/good.json" --ksm-dir ksm
bad "ksm_dir with .." 78 'ksm_dir: "/sys/kernel/mm/ksm/../.." has a ".." component' --config "$T_TMP/good.json" --ksm-dir /sys/kernel/mm/ksm/../..
bad "empty state_dir" 78 'state_dir: "" is not a directory' --config "$T_TMP/good.json" --state-dir ""
echo '{"state_dir": ""}' >"$T_TMP/nostate.json"
bad "empty state_dir in the file" 78 'state_dir: "" is not a directory' --config "$T_TMP/nostate.json" --policy-dir "$ROOT/policies"
bad "empty policy_dir" 78 'policy_dir: "" is not a directory' --config "$T_TMP/good.json" --policy-dir ""
# What a start reads besides the configuration is checked as a start
# reads it: passed by --check-config, these stopped momd at start (69).
printf 'a-token-of-24-characters\n' >"$T_TMP/token"
chmod 600 "$T_TMP/token"
cc --config "$T_TMP/good.json" --listen 127.0.0.1:1 --token-file "$T_TMP/token"
check "listen with a 0600 token file is valid" [ $? = 0 ]
bad "a missing token_file" 78 "token_file: $T_TMP/nosuch: No such file" \
	--config "$T_TMP/good.json" --listen 127.0.0.1:1 --token-file "$T_TMP/nosuch"
cp "$T_TMP/token" "$T_TMP/token-644" && chmod 644 "$T_TMP/token-644"
bad "a token_file others may read" 78 'token_file: .*group or others may read it (mode 0644)' \
	--config "$T_TMP/good.json" --listen 127.0.0.1:1 --token-file "$T_TMP/token-644"
ln -s "$T_TMP/token" "$T_TMP/token-link"
bad "a read_token_file that is a symlink" 78 'read_token_file: .*token-link' \
	--config "$T_TMP/good.json" --listen 127.0.0.1:1 --read-token-file "$T_TMP/token-link"
printf 'short\n' >"$T_TMP/token-short" && chmod 600 "$T_TMP/token-short"
bad "a token under 16 characters" 78 'token_file: .*at least 16 characters' \
	--config "$T_TMP/good.json" --listen 127.0.0.1:1 --token-file "$T_TMP/token-short"
bad "a missing tls_cert" 78 "tls_cert: $T_TMP/nosuch.pem" \
	--config "$T_TMP/good.json" --listen 127.0.0.1:1 --token-file "$T_TMP/token" \
	--tls-cert "$T_TMP/nosuch.pem" --tls-key "$T_TMP/token"
# Used only when momd makes its sockets, not with systemd's: a warning.
cc --config "$T_TMP/good.json" --socket-group mom-no-such-group
rc=$?
check "a socket_group that does not exist: exit 0 ($rc), with a warning" \
	bash -c "[ $rc = 0 ] && grep -q 'warning: socket_group mom-no-such-group: no such group' '$T_TMP/err'"
# getaddrinfo() kept a port's low 16 bits: 99999 listened on 34463.
for l in 127.0.0.1:99999 127.0.0.1:65536 127.0.0.1:0 127.0.0.1:+80 127.0.0.1 garbage; do
	bad "listen $l" 78 "listen: \"$l\" is not HOST:PORT with a port in \\[1, 65535\\]" \
		--config "$T_TMP/good.json" --listen "$l" --token-file "$T_TMP/token"
done
bad "listen on a host name" 78 'listen: "localhost" is not a numeric IPv4 or IPv6 address' \
	--config "$T_TMP/good.json" --listen localhost:8095 --token-file "$T_TMP/token"
for l in 127.0.0.1:65535 '[::1]:1'; do
	cc --config "$T_TMP/good.json" --listen "$l" --token-file "$T_TMP/token"
	check "listen $l is valid" [ $? = 0 ]
done
# A list that matches no plugin skipped every record at ingest.
for v in "" "mom, virt" "mom,,virt" "mom," "mom,*"; do
	bad "accept_plugins '$v'" 78 'accept_plugins: ".*" is not "\*" or plugin names separated by commas' \
		--config "$T_TMP/good.json" --accept-plugins "$v"
done
for v in mom mom,virt '*'; do
	cc --config "$T_TMP/good.json" --accept-plugins "$v"
	check "accept_plugins '$v' is valid" [ $? = 0 ]
done
bad "read_socket the same as socket" 78 'read_socket: ".*" is also socket' \
	--config "$T_TMP/good.json" --read-socket "$T_TMP/momd.sock"
bad "unknown flag" 64 'unknown option --bogus' --config "$T_TMP/good.json" --bogus 1

# ---- every option documented, with its default --------------------------------
"$M" --help | sed -n 's/^  --\([a-z-]*\) .*(default: \(.*\))$/\1 \2/p' |
	tr '-' '_' >"$T_TMP/options"
# tr also turned dashes in defaults into underscores; no default has one.
check "momd --help lists the options (at least 25)" [ "$(wc -l <"$T_TMP/options")" -ge 25 ]
readme=$(sed -n '/^## Configuration/,/^## /p' "$ROOT/README.md")
page=$ROOT/contrib/man/momd.json.5.in
example=$ROOT/contrib/momd.json.example.in
missing=""
while read -r name def; do
	[ "$def" = '""' ] && def=""
	grep -q "^\.It Ic $name\b\|^\.It Ic [a-z_]* , $name\b" "$page" || missing="$missing man:$name"
	grep -q "| \`$name\` |" <<<"$readme" || missing="$missing readme:$name"
	python3 - "$example" "$name" "$def" <<'PY' || missing="$missing example:$name"
import json, sys
d = json.load(open(sys.argv[1]))
v = d[sys.argv[2]]
want = sys.argv[3]
if isinstance(v, bool):
    v = "true" if v else "false"
v = str(v)
sys.exit(0 if v == want or "@DATADIR@" in v else 1)
PY
done <"$T_TMP/options"
check "every option is in momd.json(5), README Configuration and the example, same default${missing:+ (missing:$missing)}" \
	[ -z "$missing" ]
check "the example has no option momd does not know" \
	[ "$(momapi json --file "$example" 'len(j)')" = "$(wc -l <"$T_TMP/options")" ]
done_testing
