#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# hostile_clients.sh: momd's HTTP server (actuator/http.c, http_guard.c)
# under hostile clients, on loopback only and bounded in count and time.
#
# tests/it/hostile_clients.py opens 200 slowloris clients (a header byte
# every 2 s, never done) from 127.0.0.1 and 300 half-open ones (connected,
# silent, half of them with their sending side shut) from 127.0.0.3 on the
# TCP listener, and 50 slowloris clients on the unix socket.  Meanwhile the legitimate
# traffic goes on and each request is timed: `momctl status` and an ingest
# stream on the unix socket, and a token-bearing GET /v1/status on TCP from
# another loopback address (127.0.0.2), which the per-client limit keeps a
# place for.  Checked: every legitimate request succeeds; no slow client is
# held past the request deadline (10 s; the watchdog wakes at the earliest deadline); one client
# address holds at most 64 connections; momd lives on and serves after; the
# bodies buffered across connections stay within their budget, of which
# two stalled bodies of max_body take half, not all, and read-level clients
# cannot take the share kept for an administrator's body; libmicrohttpd's
# messages (refused connections, malformed requests) are momd's log lines,
# one per kind, not one per event; a client that reads a large response
# slowly, but fast enough for libmicrohttpd's idle timeout, is cut at the
# response deadline while momctl gets in.  A read-token client on TCP is
# held to the read level's share like the read socket.  After each
# scenario GET /metrics counts at least the 503s the clients got
# (momd_http_bodies_refused_total) and the connections momd cut
# (momd_http_connections_cut_total); the refusals are logged, once a
# minute at most.
# The latencies are printed (diag), never compared with a threshold.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/api.sh"

PORT=$(free_port)
echo 0123456789abcdef0123456789abcdef >"$T_TMP/token" && chmod 600 "$T_TMP/token"
momd_start --listen "127.0.0.1:$PORT" --token-file "$T_TMP/token" ||
	{ not_ok "momd starts"; done_testing; }
TOKEN=$(cat "$T_TMP/token")

# ms CMD...: run CMD, print its wall time in ms; CMD's status is kept.
ms() {
	local t0 rc
	t0=$(date +%s%N)
	"$@" >/dev/null 2>&1
	rc=$?
	echo $((($(date +%s%N) - t0) / 1000000))
	return $rc
}
# metric NAME: NAME's sample in GET /metrics on the admin socket (empty
# when it is not served).  at_least NAME N: it is N or more.
metric() { api GET /metrics && printf '%s\n' "$BODY" | awk -v n="$1" '$1 == n {print $2}'; }
at_least() {
	local v
	v=$(metric "$1")
	[ -n "$v" ] && [ "$v" -ge "$2" ]
}
# counted WHAT NAME N: NAME reaches N.  momd counts before the client sees
# the 503 or the cut, so at once; 10 s is the deadline, not a pause.
counted() {
	local rc=0
	wait_for 10 "$2 >= $3" at_least "$2" "$3" || rc=1
	check "$1 ($2 $(metric "$2"), at least $3)" test $rc = 0
}
tcp_status() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 30 --interface 127.0.0.2 \
		-H "Authorization: Bearer $TOKEN" "http://127.0.0.1:$PORT/v1/status")" = 200 ]
}
# legit FILE CMD...: run CMD every 0.2 s until hostile.json exists; one
# line "MS STATUS" per request in FILE.
legit() {
	local f=$1 t
	shift
	while [ ! -s "$T_TMP/hostile.json" ]; do
		t=$(ms "$@")
		echo "$t $?" >>"$f"
		nap 0.2
	done
}

python3 "$ROOT/tests/it/hostile_clients.py" "$PORT" "$MOMD_SOCK" 16 \
	>"$T_TMP/hostile.out" 2>"$T_TMP/hostile.err" &
HOSTILE=$!
at_exit "kill $HOSTILE"
# Let the flood connect first (its own deadline bounds the run).
wait_for 10 "hostile clients connected" \
	sh -c "[ \$(ss -Htn state established '( dport = :$PORT )' | wc -l) -ge 60 ]"
legit "$T_TMP/momctl.lat" "$BUILD/momctl" --socket "$MOMD_SOCK" status &
L1=$!
legit "$T_TMP/tcp.lat" tcp_status &
L2=$!
legit "$T_TMP/ingest.lat" post_host memory-total=8589934592 memory-free=4294967296 &
L3=$!
wait "$HOSTILE"
mv "$T_TMP/hostile.out" "$T_TMP/hostile.json"
wait $L1 $L2 $L3
sed 's/^/# /' "$T_TMP/hostile.err"
diag "hostile clients: $(cat "$T_TMP/hostile.json")"

H=$T_TMP/hostile.json
hj() { momapi json --file "$H" "$1"; }
check "all 200 slow TCP clients were answered: refused at once or cut" \
	[ "$(hj 'j["slow"]["still_open"]')" = 0 ]
check "no slow TCP client was held past the 10 s deadline (longest $(hj 'j["slow"]["max_held_s"]') s)" \
	test "$(hj 'j["slow"]["max_held_s"] <= 11.5')" = true
check "one client address holds at most 64 connections (held: slow $(hj 'j["slow"]["held"]'), half-open $(hj 'j["half_open"]["held"]'))" \
	test "$(hj 'j["slow"]["held"] <= 64 and j["half_open"]["held"] <= 64')" = true
check "half-open TCP clients are all closed, none past the deadline (longest held $(hj 'j["half_open"]["max_held_s"]') s)" \
	test "$(hj 'j["half_open"]["still_open"] == 0 and j["half_open"]["max_held_s"] <= 11.5')" = true
check "slow unix-socket clients are cut at the deadline too (longest $(hj 'j["unix_slow"]["max_held_s"]') s)" \
	test "$(hj 'j["unix_slow"]["still_open"] == 0 and j["unix_slow"]["max_held_s"] <= 11.5')" = true

# summary FILE: "n=N failed=F median=M ms max=X ms".
summary() {
	sort -n "$1" | awk '{t[NR]=$1; if ($2 != 0) f++} END {
		printf "n=%d failed=%d median=%d ms max=%d ms", NR, f, t[int((NR+1)/2)], t[NR] }'
}
for f in momctl tcp ingest; do
	diag "latency under load, $f: $(summary "$T_TMP/$f.lat")"
done
failed() { awk '$2 != 0' "$1" | wc -l; }
check "momctl status kept working ($(wc -l <"$T_TMP/momctl.lat") requests, none failed)" \
	[ "$(failed "$T_TMP/momctl.lat")" = 0 -a "$(wc -l <"$T_TMP/momctl.lat")" -gt 5 ]
check "the ingest stream kept working ($(wc -l <"$T_TMP/ingest.lat") batches, none refused)" \
	[ "$(failed "$T_TMP/ingest.lat")" = 0 -a "$(wc -l <"$T_TMP/ingest.lat")" -gt 5 ]
check "TCP from another client address kept working ($(wc -l <"$T_TMP/tcp.lat") requests, none failed)" \
	[ "$(failed "$T_TMP/tcp.lat")" = 0 -a "$(wc -l <"$T_TMP/tcp.lat")" -gt 5 ]
api GET /v1/status
check "momd serves after the attack, every batch counted" \
	[ "$STATUS/$(jv 'j["ingest"]["batches"]')" = "200/$(wc -l <"$T_TMP/ingest.lat")" ]
check "the cut connections are logged" grep -q 'http: cut [0-9]* connection(s)' "$MOMD_LOG"
# Every slowloris client held past the first second was cut at the deadline
# (the half-open ones may have met the idle timeout first: not counted).
counted "the slowloris clients cut are counted" momd_http_connections_cut_total \
	"$(hj 'j["slow"]["held"] + j["unix_slow"]["held"]')"

# libmicrohttpd logs once per event, and the events are the clients': its
# messages go through momd's log, each kind at most once a minute (it
# wrote each refused connection and malformed request to stderr).  The
# refusals came within the flood's first second, the malformed requests
# below within seconds: one line each, two if a minute passed between.
python3 - "$MOMD_SOCK" 50 <<'PY'
import socket, sys
for _ in range(int(sys.argv[2])):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(b"NOT HTTP\x01\r\n\r\n")
    s.recv(4096)  # the 400, then momd closes
    s.close()
PY
refused=$(hj 'j["slow"]["refused"] + j["half_open"]["refused"]')
lines=$(grep -c 'connection limit' "$MOMD_LOG")
check "$refused connections refused over a limit: $lines line(s) in momd's log, not one each" \
	[ "$refused" -gt 2 -a "$lines" -ge 1 -a "$lines" -le 2 ]
lines=$(grep -c 'malformed' "$MOMD_LOG")
check "50 malformed requests: $lines line(s) in momd's log" [ "$lines" -ge 1 -a "$lines" -le 2 ]
check "libmicrohttpd's lines are momd's, at warning level" \
	grep -q '^momd\[warning\]: http: libmicrohttpd: .*connection limit' "$MOMD_LOG"

# ---- the body budget: 20 clients each hold most of a 1 MiB body (1 MiB of
# buffer each, 20 MiB > the 16 MiB budget) and stall; a whole body that
# comes meanwhile is refused with 503 instead of being buffered, requests
# without a body still pass, and once the stalled ones are cut at the
# deadline bodies are taken again.
momd_stop
momd_start --max-body 1048576 || not_ok "momd restarts with max_body 1 MiB"
python3 - "$MOMD_SOCK" 20 >"$T_TMP/stall.out" 2>&1 <<'PY' &
import socket, sys, time
n = int(sys.argv[2])
hdr = b"POST /v1/metrics HTTP/1.1\r\nHost: momd\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\n"
socks = []
for _ in range(n):
    s = socket.socket(socket.AF_UNIX)
    s.connect(sys.argv[1])
    s.sendall(hdr + b" " * 1000000)
    socks.append(s)
print("stalled", len(socks), flush=True)
# Hold every socket until momd closes it (its 10 s deadline), at most 120 s
# on a loaded machine; a socket closed by momd reads EOF (or a reset).
import select
deadline = time.monotonic() + 120
cut = 0
while socks and time.monotonic() < deadline:
    ready, _, _ = select.select(socks, [], [], 1.0)
    for s in ready:
        try:
            data = s.recv(4096)
        except OSError:
            data = b""
        if not data:
            socks.remove(s)
            s.close()
            cut += 1
print("cut", cut, "of", n, flush=True)
PY
STALL=$!
at_exit "kill $STALL"
wait_for 10 "stalled bodies sent" grep -q stalled "$T_TMP/stall.out"
python3 -c 'import sys; sys.stdout.write("[" + " " * 1000000 + "]")' >"$T_TMP/big.json"
# big_post: POST it; prints the status and notes it in big.codes.
big_post() {
	local code
	code=$(curl -s -o "$T_TMP/big.out" -w '%{http_code}' --max-time 20 --unix-socket "$MOMD_SOCK" \
		-H 'Content-Type: application/json' --data-binary @"$T_TMP/big.json" http://momd/v1/metrics)
	echo "$code" | tee -a "$T_TMP/big.codes"
}
big_taken() { [ "$(big_post)" = 200 ]; }
check "a whole 1 MiB body while the budget is spent: 503 overloaded" \
	[ "$(big_post)/$(grep -o overloaded "$T_TMP/big.out")" = 503/overloaded ]
check "a request without a body still passes meanwhile" sh -c "\"$BUILD/momctl\" --socket \"$MOMD_SOCK\" status >/dev/null"
check "momd cut all 20 stalled bodies itself (the client held them open)" \
	wait_for 120 "stalled bodies cut" grep -q '^cut 20 of 20' "$T_TMP/stall.out"
check "once the stalled bodies are cut, a 1 MiB body is taken again (200)" \
	wait_for 20 "big body accepted" big_taken
kill $STALL 2>/dev/null
n503=$(grep -c '^503$' "$T_TMP/big.codes")
counted "every body answered 503 is counted ($n503 of them)" momd_http_bodies_refused_total "$n503"
counted "the 20 stalled bodies cut are counted" momd_http_connections_cut_total 20
check "the refusals are logged" \
	grep -q '^momd\[warning\]: http: refused the body of [0-9]* request(s) with 503 overloaded' "$MOMD_LOG"

# ---- two stalled maximal bodies take half the budget, not all of it: a
# body's buffer grew by doubling, so one of max_body bytes (and its
# terminator) reserved 2 x max_body of the 4 x max_body budget.  Two
# read-socket clients stall at a whole body's worth (max_body - 1 bytes of
# a Content-Length one, all max_body bytes of a chunked one without its
# last chunk); an administrator's small PUT still gets in.  max_body is
# 4 MiB + 1 so that doubling from 4 KiB overshoots it.
momd_stop
READ_SOCK=$T_TMP/read.sock
MAXB=$((4 * 1024 * 1024 + 1))
momd_start --max-body "$MAXB" --read-socket "$READ_SOCK" ||
	not_ok "momd restarts with max_body $MAXB and a read socket"
python3 - "$READ_SOCK" "$MAXB" >"$T_TMP/max.out" 2>&1 <<'PY' &
import fcntl, socket, struct, sys, termios, time
path, maxb = sys.argv[1], int(sys.argv[2])
def client(head, body):
    s = socket.socket(socket.AF_UNIX)
    s.connect(path)
    s.sendall(b"POST /v1/metrics HTTP/1.1\r\nHost: momd\r\n"
              b"Content-Type: application/json\r\n" + head + b"\r\n" + body)
    return s
chunks = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in
                  [b" " * 65536] * (maxb // 65536) + [b" " * (maxb % 65536)])
socks = [client(b"Content-Length: %d\r\n" % maxb, b" " * (maxb - 1)),
         client(b"Transfer-Encoding: chunked\r\n", chunks)]
# Sent is not yet read: on a unix socket, SIOCOUTQ counts what the
# server has not read yet.  Wait (at most 60 s) until it has read all.
def unread(s):
    return struct.unpack("i", fcntl.ioctl(s, termios.TIOCOUTQ, b"\0" * 4))[0]
deadline = time.monotonic() + 60
while any(unread(s) for s in socks) and time.monotonic() < deadline:
    time.sleep(0.01)
print("read" if not any(unread(s) for s in socks) else "unread", flush=True)
for s in socks:
    s.recv(1)  # held until momd cuts it, or the test ends
PY
MAX=$!
at_exit "kill $MAX"
wait_for 60 "momd read both stalled bodies" grep -qx read "$T_TMP/max.out"
api PUT /v1/policies/small '{"host":[]}'
check "two stalled bodies of max_body from the read socket leave room: an admin PUT gets 200 (got $STATUS $(jv 'j.get("error")'))" \
	[ "$STATUS" = 200 ]
kill $MAX 2>/dev/null

# ---- read-level clients cannot lock the administrator out: eight clients
# on the read socket (open to a group, like collectd's) each stall with a
# maximal body, twice what the whole budget holds.  The read level may take
# all of the budget but one maximal body's share (max_body + 1): two whole
# bodies, and each further staller half of what is left.  A further whole
# body from it is answered 503 `overloaded`, and vdsm's PUT of a maximal
# policy on the admin socket must fit in the share kept for it (200, and
# the policy is stored).  Without that share the stallers held all but
# 128 KiB of the budget and the PUT got 503 until the deadline cut them.
# The client checks that momd still held every staller when the PUT was
# answered, so that a slow machine cannot pass the test by cutting them.
# A whole body on TCP with the read token is held to the same share (503).
momd_stop
PORT=$(free_port)
echo fedcba9876543210fedcba9876543210 >"$T_TMP/read.token" && chmod 600 "$T_TMP/read.token"
log_lines=$(wc -l <"$MOMD_LOG")
momd_start --max-body "$MAXB" --read-socket "$READ_SOCK" \
	--listen "127.0.0.1:$PORT" --read-token-file "$T_TMP/read.token" ||
	not_ok "momd restarts with max_body $MAXB, a read socket and a read token"
python3 - "$READ_SOCK" "$MOMD_SOCK" "$MAXB" "$PORT" "$(cat "$T_TMP/read.token")" \
	>"$T_TMP/reserve.json" 2>"$T_TMP/reserve.err" <<'PY'
import fcntl, json, select, socket, struct, sys, termios, time
read_path, admin_path, maxb = sys.argv[1], sys.argv[2], int(sys.argv[3])
tcp, read_token = ("127.0.0.1", int(sys.argv[4])), sys.argv[5].encode()
deadline = time.monotonic() + 60
def post(addr, method, url, body, length=None, head=b""):
    s = socket.socket(socket.AF_UNIX if isinstance(addr, str) else socket.AF_INET)
    s.connect(addr)
    s.sendall(b"%s %s HTTP/1.1\r\nHost: momd\r\nContent-Type: application/json\r\n"
              b"%sContent-Length: %d\r\n\r\n" % (method, url, head, length or len(body)) + body)
    return s
def answer(s):  # status and body of a response that ends the connection
    s.settimeout(max(deadline - time.monotonic(), 1))
    buf = b""
    while True:
        data = s.recv(65536)
        if not data:
            break
        buf += data
        head, sep, body = buf.partition(b"\r\n\r\n")
        n = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
             if l.lower().startswith(b"content-length:")]
        if sep and n and len(body) >= n[0]:
            break
    s.close()
    return int(buf.split(b" ")[1]) if buf else 0, body.decode(errors="replace")
def unread(s):  # what the server has not read yet (SIOCOUTQ)
    return struct.unpack("i", fcntl.ioctl(s, termios.TIOCOUTQ, b"\0" * 4))[0]
# All but the last byte of a maximal body each, so none ever completes.
stallers = [post(read_path, b"POST", b"/v1/metrics", b" " * (maxb - 1), maxb)
            for _ in range(8)]
while any(unread(s) for s in stallers) and time.monotonic() < deadline:
    time.sleep(0.01)
out = {"read": not any(unread(s) for s in stallers), "extra": []}
for _ in range(2):
    code, body = answer(post(read_path, b"POST", b"/v1/metrics",
                             b"[" + b" " * (maxb - 2) + b"]"))
    out["extra"].append("%d %s" % (code, json.loads(body or "{}").get("error")))
code, body = answer(post(tcp, b"POST", b"/v1/metrics", b"[" + b" " * (maxb - 2) + b"]",
                         head=b"Authorization: Bearer %s\r\n" % read_token))
out["tcp_read"] = "%d %s" % (code, json.loads(body or "{}").get("error"))
policy = b'{"host": []}'
out["admin"], out["admin_body"] = answer(post(
    admin_path, b"PUT", b"/v1/policies/reserved", policy + b" " * (maxb - len(policy))))
# momd closes a staller it cuts: readable (end of file) means cut.
ready, _, _ = select.select(stallers, [], [], 0)
out["held"] = len(stallers) - len(ready)
print(json.dumps(out), flush=True)
PY
sed 's/^/# /' "$T_TMP/reserve.err"
diag "read-level stallers and an admin PUT: $(cat "$T_TMP/reserve.json")"
rj() { momapi json --file "$T_TMP/reserve.json" "$1"; }
check "momd read all of the eight stalled maximal bodies on the read socket" \
	[ "$(rj 'j["read"]')" = true ]
check "further whole bodies on the read socket: 503 overloaded ($(rj '", ".join(j["extra"])'))" \
	[ "$(rj 'j["extra"] == ["503 overloaded"] * 2')" = true ]
check "a whole body on TCP with the read token: 503 overloaded too ($(rj 'j["tcp_read"]'))" \
	[ "$(rj 'j["tcp_read"]')" = "503 overloaded" ]
check "meanwhile an admin PUT of a maximal policy gets 200 (got $(rj 'j["admin"]'))" \
	[ "$(rj 'j["admin"]')" = 200 ]
check "and momd held all eight stallers until it was answered ($(rj 'j["held"]') held)" \
	[ "$(rj 'j["held"]')" = 8 ]
api GET /v1/policies/reserved
check "the policy is stored (GET: $STATUS $BODY)" \
	[ "$STATUS/$(jv 'j == {"host": []}')" = 200/true ]
n503=$(rj '(j["extra"] + [j["tcp_read"]]).count("503 overloaded")')
counted "every body answered 503 is counted ($n503 of them)" momd_http_bodies_refused_total "$n503"
lines=$(tail -n +$((log_lines + 1)) "$MOMD_LOG" | grep -c 'http: refused the body of [0-9]* request(s)')
check "this run's refusals within seconds (the 503s and stallers' bodies): $lines log line, not one each" [ "$lines" = 1 ]

# ---- a slow reader of a large response: 6000 guests make /v1/stats about
# 2 MB, ten times what the unix socket buffers.  A client that reads 16 KiB
# every half second empties enough of the buffer every few seconds for
# libmicrohttpd to send more, and each send refreshes its idle timeout:
# without the response deadline it holds its connection as long as the
# body lasts (and asks again on the same connection).  A slower reader is
# cut by the idle timeout already.  The response deadline (30 s from the
# request's receipt) cuts it; momd's close shows on the client's socket as
# POLLRDHUP even while unread data is queued.  Meanwhile momctl gets in.
momd_stop
momd_start --max-guests 8000 --expiry-ms 3600000 ||
	not_ok "momd restarts with room for 6000 guests"
python3 "$ROOT/tests/bench/gen_batch.py" series 6000 2 $(($(date +%s) - 2)) 1 200 \
	"$T_TMP/series" 2>/dev/null
codes=$(for f in "$T_TMP"/series/*.json; do
	curl -s -o /dev/null -w '%{http_code}\n' --unix-socket "$MOMD_SOCK" \
		-H 'Content-Type: application/json' --data-binary @"$f" http://momd/v1/metrics
done | sort -u)
check "6000 guests' samples ingested (HTTP $(echo $codes))" [ "$codes" = 200 ]
python3 - "$MOMD_SOCK" >"$T_TMP/slow.out" 2>&1 <<'PY' &
import select, socket, sys, time
s = socket.socket(socket.AF_UNIX)
s.connect(sys.argv[1])
start = time.monotonic()
s.sendall(b"GET /v1/stats HTTP/1.1\r\nHost: momd\r\n\r\n")
buf = b""
while b"\r\n\r\n" not in buf:
    data = s.recv(4096)
    if not data:
        break
    buf += data
head, _, body = buf.partition(b"\r\n\r\n")
length = 0
for line in head.split(b"\r\n"):
    if line.lower().startswith(b"content-length:"):
        length = int(line.split(b":")[1])
print("length", length, flush=True)
poll = select.poll()
poll.register(s, select.POLLRDHUP)
got, end = len(body), "deadline"
while time.monotonic() - start < 90:
    time.sleep(0.5)  # the client's pace, not a wait for a condition
    if any(ev & (select.POLLRDHUP | select.POLLHUP) for _, ev in poll.poll(0)):
        end = "cut"
        break
    try:
        data = s.recv(16384)
    except OSError:  # a reset is a cut too
        data = b""
    if not data:
        end = "cut"
        break
    got += len(data)
    if got >= length:
        end = "whole"
        break
print("%s %d of %d after %.0f s" % (end, got, length, time.monotonic() - start), flush=True)
PY
SLOW=$!
at_exit "kill $SLOW"
wait_for 20 "the slow reader has its response's headers" grep -q '^length' "$T_TMP/slow.out"
length=$(awk '/^length/ {print $2}' "$T_TMP/slow.out")
check "the response is over 1 MB ($length bytes), more than the socket buffers" \
	[ "${length:-0}" -gt 1048576 ]
check "momctl status answers while the slow reader holds its connection" \
	sh -c "\"$BUILD/momctl\" --socket \"$MOMD_SOCK\" status >/dev/null"
wait_for 100 "the slow reader is done" grep -q '^[a-z]* [0-9]* of' "$T_TMP/slow.out"
diag "slow reader: $(tail -1 "$T_TMP/slow.out")"
check "momd cut the slow reader before it read its whole response" \
	grep -q '^cut [0-9]* of' "$T_TMP/slow.out"
check "the cut is logged as a response not read in time" \
	grep -q 'http: cut [0-9]* connection(s) that did not read their response within 30 s' "$MOMD_LOG"
counted "the slow reader's cut is counted" momd_http_connections_cut_total 1
momd_log_clean
done_testing
