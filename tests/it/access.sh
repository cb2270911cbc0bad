#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# access.sh: who may do what (issue 21, "least privilege").
#  - two levels: read and ingest (GET routes, /metrics, POST /v1/metrics,
#    POST /v1/evaluate) and administration (PUT, PATCH, DELETE).  A
#    read-level client (the read_socket, or the read_token_file's token on
#    TCP) gets 403 on every admin route and changes nothing; the admin
#    socket and token can do both;
#  - a token file that group or others can read is refused at start;
#  - socket activation: momd takes its sockets from LISTEN_FDS (named by
#    LISTEN_FDNAMES, "read" for the read level), through systemd's own
#    launcher (systemd-socket-activate) and a small Python launcher; it
#    creates no socket of its own then, and refuses a passed descriptor that
#    is not a listening unix socket.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

READ_SOCK=$T_TMP/read.sock
ADMIN_TOKEN=admin-0123456789abcdef0123
READ_TOKEN=read-0123456789abcdef01234
printf '%s\n' "$ADMIN_TOKEN" >"$T_TMP/admin.token"
printf '%s\n' "$READ_TOKEN" >"$T_TMP/read.token"
chmod 600 "$T_TMP/admin.token" "$T_TMP/read.token"

# req SOCKET|URL TOKEN METHOD PATH [BODY]: prints the HTTP status.
req() {
	local where=$1 token=$2 method=$3 path=$4
	local args=(-s -o "$T_TMP/rbody" -w '%{http_code}' -X "$method")
	[ -n "$token" ] && args+=(-H "Authorization: Bearer $token")
	[ $# -ge 5 ] && args+=(-H 'Content-Type: application/json' --data-binary "$5")
	case $where in
	http*) curl "${args[@]}" "$where$path" ;;
	*) curl "${args[@]}" --unix-socket "$where" "http://momd$path" ;;
	esac
}

sample() {
	printf '[{"values":[%s],"dstypes":["gauge"],"dsnames":["value"],"time":%s,"interval":10,"host":"hv01","plugin":"mom","plugin_instance":"","type":"memory","type_instance":"free"}]' \
		1048576 "$(date +%s)"
}
POLICY='{"host":[{"rule":"r","do":[{"set":"ksm_run","to":0}]}]}'

# levels WHERE TOKEN LEVEL: the whole matrix for one client.
levels() {
	local w=$1 t=$2 level=$3 want before lacks
	for p in /v1/status /v1/parameters /v1/policies /metrics /v1/log-level; do
		check "$level: GET $p 200" [ "$(req "$w" "$t" GET "$p")" = 200 ]
	done
	check "$level: POST /v1/metrics (ingest) 200" \
		[ "$(req "$w" "$t" POST /v1/metrics "$(sample)")" = 200 ]
	check "$level: POST /v1/evaluate (a dry run) is not refused" \
		[ "$(req "$w" "$t" POST /v1/evaluate '{}')" != 403 ]
	want=200
	[ "$level" = read ] && want=403
	before=$(state_snapshot)
	check "$level: PATCH /v1/parameters $want" \
		[ "$(req "$w" "$t" PATCH /v1/parameters '{"ksmEnabled": 1}')" = $want ]
	check "$level: PUT /v1/policies/acc $want" \
		[ "$(req "$w" "$t" PUT /v1/policies/acc "$POLICY")" = $want ]
	check "$level: PUT /v1/log-level $want" \
		[ "$(req "$w" "$t" PUT /v1/log-level '{"level":"debug"}')" = $want ]
	check "$level: PUT /v1/dry-run $want" \
		[ "$(req "$w" "$t" PUT /v1/dry-run '{"enabled":true}')" = $want ]
	# A method the path lacks: admin is told 405, the read level 403
	# like every other PUT, PATCH and DELETE (it got 405).
	lacks=405
	[ "$level" = read ] && lacks=403
	check "$level: PATCH /v1/dry-run (no such method there) $lacks" \
		[ "$(req "$w" "$t" PATCH /v1/dry-run '{"enabled":true}')" = $lacks ]
	check "$level: DELETE /v1/policies/acc $want" \
		[ "$(req "$w" "$t" DELETE /v1/policies/acc)" = $want ]
	check "$level: DELETE /v1/policies $want" \
		[ "$(req "$w" "$t" DELETE /v1/policies)" = $want ]
	if [ "$level" = read ]; then
		check "read: the 403 says why" grep -q '"forbidden"' "$T_TMP/rbody"
		check "read: nothing changed (policies, parameters, state files)" \
			[ "$before" = "$(state_snapshot)" ]
	else
		# Undo what the admin did, so the next client starts equal.
		req "$w" "$t" PATCH /v1/parameters '{"ksmEnabled": 0}' >/dev/null
		req "$w" "$t" PUT /v1/log-level '{"level":"info"}' >/dev/null
		req "$w" "$t" PUT /v1/dry-run '{"enabled":false}' >/dev/null
	fi
}

# ---- the read socket and the admin socket ------------------------------------
PORT=$(free_port)
if ! momd_start --read-socket "$READ_SOCK" --listen "127.0.0.1:$PORT" \
	--token-file "$T_TMP/admin.token" --read-token-file "$T_TMP/read.token"; then
	not_ok "momd starts with a read socket and two tokens"
	done_testing
fi
check "the read socket has the configured mode" [ "$(stat -c %a "$READ_SOCK")" = 660 ]
levels "$READ_SOCK" "" read
levels "$MOMD_SOCK" "" admin
URL=http://127.0.0.1:$PORT
levels "$URL" "$READ_TOKEN" read
levels "$URL" "$ADMIN_TOKEN" admin
check "TCP: no token 401" [ "$(req "$URL" "" GET /v1/status)" = 401 ]
check "TCP: the read token with one more character 401" \
	[ "$(req "$URL" "${READ_TOKEN}x" GET /v1/status)" = 401 ]
momd_stop
check_sh "both sockets are removed at exit" '[ ! -e "$READ_SOCK" ] && [ ! -e "$MOMD_SOCK" ]'

# A read token alone is enough for TCP (a scraper; admin on the socket).
if momd_start --listen "127.0.0.1:$PORT" --read-token-file "$T_TMP/read.token"; then
	check "read token only: GET /metrics 200" [ "$(req "$URL" "$READ_TOKEN" GET /metrics)" = 200 ]
	check "read token only: PATCH 403" \
		[ "$(req "$URL" "$READ_TOKEN" PATCH /v1/parameters '{"ksmEnabled": 1}')" = 403 ]
	check "read token only: the admin socket still administers" \
		[ "$(req "$MOMD_SOCK" "" PATCH /v1/parameters '{"ksmEnabled": 0}')" = 200 ]
else
	not_ok "momd starts with only a read token on TCP"
fi
momd_stop

# ---- token file permissions ----------------------------------------------------
start_refused() { # DESC WANT momd-flags...
	local desc=$1 want=$2 rc
	shift 2
	timeout 20 "$BUILD/momd" --socket "$T_TMP/t.sock" --policy-dir "$MOMD_POLICIES" \
		--state-dir "$MOMD_STATE" --libvirt-uri test:///default \
		--ksm-dir "$MOMD_KSM" "$@" >"$T_TMP/start.log" 2>&1
	rc=$?
	if [ "$rc" != 0 ] && [ "$rc" != 124 ] && grep -q -- "$want" "$T_TMP/start.log"; then
		ok "$desc (exit $rc)"
	else
		not_ok "$desc: exit $rc, $(head -c 300 "$T_TMP/start.log")"
	fi
	check "... and left no socket" [ ! -e "$T_TMP/t.sock" ]
}
for mode in 644 640 604 660 620; do
	cp "$T_TMP/admin.token" "$T_TMP/loose.token"
	chmod "$mode" "$T_TMP/loose.token"
	start_refused "token_file mode 0$mode is refused, naming the mode" \
		"loose.token: group or others may read it (mode 0$mode)" \
		--listen "127.0.0.1:$PORT" --token-file "$T_TMP/loose.token"
	start_refused "read_token_file mode 0$mode is refused too" "mode 0$mode" \
		--listen "127.0.0.1:$PORT" --read-token-file "$T_TMP/loose.token"
done
ln -s "$T_TMP/admin.token" "$T_TMP/link.token"
start_refused "a token file that is a symlink is refused" "link.token" \
	--listen "127.0.0.1:$PORT" --token-file "$T_TMP/link.token"
chmod 400 "$T_TMP/admin.token"
if momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/admin.token"; then
	ok "a token file of mode 0400 is accepted"
else
	not_ok "a token file of mode 0400 is accepted"
fi
momd_stop

# ---- socket activation ---------------------------------------------------------
ACT_ADMIN=$T_TMP/act-admin.sock
ACT_READ=$T_TMP/act-read.sock
if command -v systemd-socket-activate >/dev/null; then
	# No --accept: one momd gets both listening sockets, by name.
	systemd-socket-activate -l "$ACT_ADMIN" -l "$ACT_READ" \
		--fdname=admin:read "$BUILD/momd" --socket "$T_TMP/own.sock" \
		--policy-dir "$MOMD_POLICIES" --state-dir "$MOMD_STATE" \
		--libvirt-uri test:///default --ksm-dir "$MOMD_KSM" \
		--interval-ms 500 >>"$MOMD_LOG" 2>&1 &
	SA_PID=$!
	at_exit stop_pid "$SA_PID"
	wait_for 10 "systemd-socket-activate listens" test -S "$ACT_READ"
	check "systemd-socket-activate: the first request starts momd, which answers" \
		wait_for 10 "momd answers on the passed socket" \
		curl -sf --unix-socket "$ACT_READ" http://momd/v1/ping
	check "momd says it was socket-activated" \
		grep -q "socket activation: 2 socket(s) passed in (admin, read)" "$MOMD_LOG"
	check "the passed socket named read is read-level: PATCH 403" \
		[ "$(req "$ACT_READ" "" PATCH /v1/parameters '{"ksmEnabled": 1}')" = 403 ]
	check "... and reads: GET /v1/status 200" [ "$(req "$ACT_READ" "" GET /v1/status)" = 200 ]
	check "the passed socket named admin administers: PATCH 200" \
		[ "$(req "$ACT_ADMIN" "" PATCH /v1/parameters '{"ksmEnabled": 0}')" = 200 ]
	check "momd created no socket of its own (--socket is not used)" [ ! -e "$T_TMP/own.sock" ]
	stop_pid "$SA_PID"
else
	skip "systemd-socket-activate not installed (package systemd)"
fi

# A Python launcher: the protocol itself, and what momd refuses.
# launch KIND: KIND sock (one listening socket, no names), file (a regular
# file as descriptor 3), otherpid (LISTEN_PID not momd's: ignored).
launch() {
	python3 - "$1" "$T_TMP" "$BUILD/momd" "$MOMD_POLICIES" "$MOMD_STATE" \
		"$MOMD_KSM" "$MOMD_LOG" <<'PY'
import os, socket, sys
kind, tmp, momd, pol, state, ksm, log = sys.argv[1:]
path = tmp + "/py.sock"
if kind == "file":
    fd = os.open(tmp + "/notasocket", os.O_RDWR | os.O_CREAT, 0o600)
else:
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.bind(path)
    s.listen(16)
    fd = s.fileno()
pid = os.fork()
if pid == 0:
    logfd = os.open(log, os.O_WRONLY | os.O_APPEND)
    os.dup2(logfd, 1)
    os.dup2(logfd, 2)
    os.dup2(fd, 3)
    os.set_inheritable(3, True)
    env = dict(os.environ, LISTEN_FDS="1",
               LISTEN_PID=str(os.getpid() + (1 if kind == "otherpid" else 0)))
    os.execve(momd, [momd, "--socket", tmp + "/own.sock", "--policy-dir", pol,
                     "--state-dir", state, "--libvirt-uri", "test:///default",
                     "--ksm-dir", ksm], env)
print(pid, flush=True)
PY
}
PY_PID=$(launch sock | head -1)
at_exit stop_pid "$PY_PID"
check "Python launcher: momd serves the passed socket (no name: admin)" \
	wait_for 10 "momd on py.sock" curl -sf --unix-socket "$T_TMP/py.sock" http://momd/v1/ping
check "... PATCH 200 there" [ "$(req "$T_TMP/py.sock" "" PATCH /v1/parameters '{"ksmEnabled": 0}')" = 200 ]
check "... and no socket of its own" [ ! -e "$T_TMP/own.sock" ]
stop_pid "$PY_PID"
rm -f "$T_TMP/py.sock"

PY_PID=$(launch otherpid | head -1)
at_exit stop_pid "$PY_PID"
check "LISTEN_PID of another process: ignored, momd makes its own socket" \
	wait_for 10 "momd on own.sock" curl -sf --unix-socket "$T_TMP/own.sock" http://momd/v1/ping
stop_pid "$PY_PID"
rm -f "$T_TMP/py.sock"

PY_PID=$(launch file | head -1)
check "a passed descriptor that is not a socket: momd exits with an error" \
	wait_for 10 "momd exits" bash -c "! kill -0 $PY_PID 2>/dev/null"
check "... that says what is wrong" \
	wait_for 5 "error logged" grep -q "descriptor 3 is not a listening unix stream socket" "$MOMD_LOG"

momd_log_clean
done_testing
