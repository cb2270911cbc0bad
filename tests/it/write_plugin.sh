#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# write_plugin.sh: the write plugin `write_mom` inside Debian's real
# collectd, delivering to the real actuator (build/momd), next to stock
# write_http delivering to a second momd.  The values of plugin "mom" come
# from the real read plugin (a fixture root whose meminfo the test writes,
# and libvirt's test driver with one guest g1): write_mom forwards no other
# "mom" value list (tests/it/trust.sh).  Other plugins' values are injected
# with unixsock PUTVAL; collectd's csv writer runs in the same daemon as a
# witness.
#   1. both writers deliver: each momd's /v1/stats shows the read host
#      and guest values; write_mom forwards only plugin "mom" (its own
#      metrics and other plugins are not forwarded), write_http everything;
#   2. momd killed (SIGKILL) and restarted mid-run: csv keeps advancing
#      (no write callback blocks), drops are counted in write_mom's own
#      metrics, the failure is logged, and delivery resumes;
#   3. a receiver that does not answer (SIGSTOP): csv still advances every
#      interval; after SIGCONT delivery resumes; collectd's shutdown while
#      the receiver is stopped is bounded;
#   4. URL + TokenFile over TCP: delivered with the right token; with a
#      wrong one the 401 batches are dropped and counted, not retried
#      forever;
#   5. an unknown option is a configuration error naming the option;
#   6. a URL whose host is not loopback is refused;
#   7. ForwardAll: a PUTVAL value list with a malformed meta mom:uuid or
#      a time printed as 0.000 is left out and counted, and one with a gauge
#      of DBL_MAX is sent so that it reads back, so momd refuses no batch;
#   8. ForwardAll to a momd with hostname set: PUTVAL value lists of another
#      host and of a plugin momd does not accept are skipped and counted
#      (reply, /v1/status, /metrics, one log line a minute per reason),
#      and the read plugin's host and guest samples keep arriving.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"

for f in "$BUILD/write_mom.so" "$BUILD/momd"; do
	if [ ! -x "$f" ] && [ ! -f "$f" ]; then
		not_ok "$f exists (run make)"
		done_testing
	fi
done

CSV=$T_TMP/csv/testhost
INJ_SEQ=$T_TMP/inject.seq

# The read plugin's root: meminfo (MemTotal becomes momd's mem_available).
FIX=$T_TMP/root
mkdir -p "$FIX/proc"
meminfo() { # TOTAL_KIB
	printf 'MemTotal: %s kB\nMemFree: 1024 kB\nMemAvailable: 1024 kB\n' "$1" \
		>"$FIX/proc/meminfo.new" && mv "$FIX/proc/meminfo.new" "$FIX/proc/meminfo"
}
meminfo 4194304
# libvirt's test driver with one running guest g1 of 512 MiB.
cat >"$T_TMP/node.xml" <<'XML'
<node>
  <domain type='test'>
    <name>g1</name>
    <uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>
    <memory unit='KiB'>1048576</memory>
    <currentMemory unit='KiB'>524288</currentMemory>
    <os><type>hvm</type></os>
    <devices><memballoon model='virtio'/></devices>
  </domain>
</node>
XML
# mom_block [COLLECT_GUESTS]: the read plugin on the fixture.
mom_block() {
	cat <<CONF
LoadPlugin mom
<Plugin mom>
  Connection "test://$T_TMP/node.xml"
  Root "$FIX"
  CollectKSM false
  CollectGuests ${1:-true}
</Plugin>
CONF
}

# A unixsock client: each argument is one command; fails on a non-0 reply.
cat >"$T_TMP/putval.py" <<'PY'
import os, socket, sys, time
sock, cmds = sys.argv[1], sys.argv[2:]
s = socket.socket(socket.AF_UNIX)
s.connect(sock)
f = s.makefile("rw")
loop = cmds and cmds[0] == "--loop"
if loop:
    # --loop PERIOD SEQFILE MEMINFO: every PERIOD seconds, write a rising
    # MemTotal (kB) into the read plugin's MEMINFO and PUTVAL the same
    # number, recording the last one acknowledged in SEQFILE.
    period, seqfile, meminfo, seq = float(cmds[1]), cmds[2], cmds[3], 0
    while True:
        seq += 1
        with open(meminfo + ".loop", "w") as out:
            out.write("MemTotal: %d kB\nMemFree: 1024 kB\n" % seq)
        os.rename(meminfo + ".loop", meminfo)
        for cmd in ("PUTVAL testhost/inj/gauge-seq interval=1 N:%d" % seq,):
            f.write(cmd + "\n"); f.flush()
            if not f.readline().startswith("0 "):
                sys.exit("PUTVAL failed")
        with open(seqfile + ".tmp", "w") as out:
            out.write("%d\n" % seq)
        os.rename(seqfile + ".tmp", seqfile)
        time.sleep(period)
# --repeat PERIOD CMD...: send the commands every PERIOD seconds until killed.
period = float(cmds[1]) if cmds and cmds[0] == "--repeat" else None
if period is not None:
    cmds = cmds[2:]
while True:
    for cmd in cmds:
        f.write(cmd + "\n"); f.flush()
        reply = f.readline()
        if not reply.startswith("0 "):
            sys.exit("%s -> %s" % (cmd, reply.strip()))
    if period is None:
        break
    time.sleep(period)
PY
putval() { python3 "$T_TMP/putval.py" "$T_TMP/cd.sock" "$@"; }

free_port() { momapi free-port; }

# momd_b: a second actuator on TCP (token required), for write_http.  Stock
# write_http forwards every plugin and momd skips the records of a plugin
# outside --accept-plugins, so B accepts every plugin of this test (part 1
# counts them as ignored).
PORT_B=$(free_port)
TOKEN=write-mom-test-token-$RANDOM$RANDOM
printf '%s\n' "$TOKEN" >"$T_TMP/token"
chmod 600 "$T_TMP/token"
mkdir -p "$T_TMP/ksm" "$T_TMP/ksm_b" "$T_TMP/state_b"
momd_b_start() {
	"$BUILD/momd" --socket "$T_TMP/momd_b.sock" --state-dir "$T_TMP/state_b" \
		--listen "127.0.0.1:$PORT_B" --token-file "$T_TMP/token" \
		--policy-dir "$ROOT/policies" --libvirt-uri test:///default \
		--ksm-dir "$T_TMP/ksm_b" --dry-run \
		--accept-plugins mom,write_mom,other,inj >>"$T_TMP/momd_b.log" 2>&1 &
	MOMD_B_PID=$!
	at_exit stop_pid "$MOMD_B_PID"
	wait_for 10 "momd B answers" curl -sf --unix-socket "$T_TMP/momd_b.sock" \
		http://momd/v1/ping
}
MOMD_FLAGS=(--policy-dir "$ROOT/policies" --libvirt-uri test:///default
	--ksm-dir "$T_TMP/ksm" --dry-run)

# api_a / api_b PATH [EXPR...]: GET on momd A's / B's unix socket
# (tests/lib/momapi.py; EXPR picks values out of the JSON reply).
api_a() { momapi GET "$@"; }
api_b() { momapi --socket "$T_TMP/momd_b.sock" GET "$@"; }
# stat_is API_FN EXPR WANT: the JSON at EXPR of /v1/stats equals WANT.
stat_is() { [ "$($1 /v1/stats "$2")" = "$3" ]; }
ingest() { $1 /v1/status ".ingest.$2"; }
ingest_ge() { local v; v=$(ingest "$1" "$2") && [ "$v" -ge "$3" ]; }

# csv helpers: the last value of a series, numerically compared.
csv_ge() {
	local v
	v=$(cd_csv_last testhost "$1" "$2") && [ -n "$v" ] &&
		awk -v a="$v" -v b="$3" 'BEGIN { exit !(a + 0 >= b + 0) }'
}
# host_avail_ge API N: momd's host mem_available (KiB) >= N.
host_avail_ge() {
	local v
	v=$($1 /v1/stats .host.mem_available) &&
		awk -v a="$v" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}
# csv_lines PLUGIN ID: data lines of a csv series.
csv_lines() {
	cat "$CSV/$1/$2"-* 2>/dev/null | grep -vc '^epoch'
}
# keeps_up FAILED_MIN: until write_mom's total_requests-failed reaches
# FAILED_MIN (so the receiver has been failing for a while), repeatedly
# take the value injected last and require csv, written by the same write
# threads, to show it within two intervals.  Prints the number of stalls.
# Timing on purpose: a write callback blocked on the hung receiver stalls
# csv for the whole Timeout (3 s), a healthy one for milliseconds; 2 s
# lies between, with room for a busy machine.
keeps_up() {
	local stalls=0 rounds=0 target end=$((SECONDS + 30))
	while ! csv_ge write_mom total_requests-failed "$1"; do
		target=$(cat "$INJ_SEQ")
		wait_for 2 "csv shows $target" csv_ge inj gauge-seq "$target" ||
			stalls=$((stalls + 1))
		rounds=$((rounds + 1))
		if [ "$SECONDS" -ge "$end" ]; then
			stalls=$((stalls + 1000)) # the receiver never failed
			break
		fi
	done
	diag "$rounds rounds, $stalls stalls, failed $(cd_csv_last testhost write_mom total_requests-failed) (target $1)" >&2
	echo "$stalls"
}

momd_start "${MOMD_FLAGS[@]}" || { not_ok "momd A starts"; done_testing; }
momd_b_start || { not_ok "momd B starts"; done_testing; }
ok "two real momd: A on a unix socket, B on 127.0.0.1:$PORT_B with a token"

CONF=$T_TMP/collectd.conf
cd_conf_head "$CONF"
cat >>"$CONF" <<CONF
PluginDir "/usr/lib/collectd"
<LoadPlugin write_http>
  FlushInterval 1
</LoadPlugin>
<Plugin write_http>
  <Node "momd_b">
    URL "http://127.0.0.1:$PORT_B/v1/metrics"
    Header "Authorization: Bearer $TOKEN"
    Format "JSON"
    StoreRates false
  </Node>
</Plugin>
PluginDir "$BUILD"
$(mom_block)
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
  BatchSize 5
  QueueLimit 200
  Timeout 3000
  MaxBackoff 500
  DrainTimeout 1000
</Plugin>
CONF
cd_start "$CONF"
wait_for 10 "collectd's unixsock" test -S "$T_TMP/cd.sock" ||
	{ not_ok "collectd starts"; cat "$T_TMP/collectd.log"; done_testing; }
ok "collectd started with write_mom and write_http"

# --- 1. Delivery by both writers -----------------------------------------
putval "PUTVAL testhost/other/gauge-x interval=1 N:1"
check "write_mom -> momd A: host mem_available 4 GiB (in KiB)" \
	wait_for 15 "momd A host stats" stat_is api_a .host.mem_available 4194304
check "write_mom -> momd A: guest g1 balloon_cur 512 MiB" \
	wait_for 10 "momd A guest stats" stat_is api_a .guests.g1.balloon_cur 524288
check "write_http -> momd B: host mem_available 4 GiB" \
	wait_for 15 "momd B host stats" stat_is api_b .host.mem_available 4194304
check "write_http -> momd B: guest g1 balloon_cur 512 MiB" \
	wait_for 10 "momd B guest stats" stat_is api_b .guests.g1.balloon_cur 524288
check "write_mom's own metrics are dispatched (csv total_values-sent > 0)" \
	wait_for 10 "write_mom csv" csv_ge write_mom total_values-sent 1
# write_http forwards everything, so momd B ignores plugins it does not
# accept; write_mom forwards only "mom": momd A must have ignored nothing.
check "write_http's batches include other plugins (momd B ignored some)" \
	wait_for 10 "momd B ignored" ingest_ge api_b ignored 1
# momd A accepts plugin "mom" only and skips and counts the records of any
# other: so none skipped means write_mom forwarded nothing else.
check "write_mom forwards only plugin mom, not its own metrics (A skipped none)" \
	test "$(ingest api_a skipped.plugin)" = 0
check "momd A rejected no batch of write_mom's" test "$(ingest api_a rejected)" = 0
check "momd B rejected no batch of write_http's" test "$(ingest api_b rejected)" = 0
# QueueLimit holds more than one read's value lists (the host and g1), so
# while momd A answers nothing is dropped and every value of a read gets
# through: with a ring smaller than a read, which values survived depended
# on how the sender thread was scheduled, and g1's balloon_cur could miss
# every read for 10 s on a busy machine.  When momd is down (part 2) the
# ring fills within a few reads and drops.
check "write_mom dropped nothing while momd A answered (QueueLimit > one read)" \
	test "$(cd_csv_last testhost write_mom total_values-dropped)" = 0

# --- 2. Actuator killed and restarted ------------------------------------
python3 "$T_TMP/putval.py" "$T_TMP/cd.sock" --loop 0.05 "$INJ_SEQ" "$FIX/proc/meminfo" &
INJ_PID=$!
at_exit kill "$INJ_PID"
wait_for 5 "injector running" test -s "$INJ_SEQ"
{ kill -9 "$MOMD_PID"; wait "$MOMD_PID"; } 2>/dev/null
ok "momd A killed (SIGKILL) while values flow"
dropped_before=$(cd_csv_last testhost write_mom total_values-dropped)
failed_before=$(cd_csv_last testhost write_mom total_requests-failed)
# While it is down (until write_mom has failed 4 more requests), the csv
# writer in the same write threads keeps up.
stalls=$(keeps_up $((${failed_before:-0} + 4)))
check "csv keeps up while momd is down (no write callback blocks)" test "$stalls" = 0
check "drops counted in write_mom's total_values-dropped" \
	wait_for 10 "drops in csv" csv_ge write_mom total_values-dropped $((${dropped_before:-0} + 1))
check "the failure is logged, prefixed" \
	grep -q 'write_mom plugin: cannot deliver to' "$T_TMP/collectd.log"
check "failed requests counted in total_requests-failed" \
	wait_for 10 "failed requests in csv" csv_ge write_mom total_requests-failed 1
rm -f "$MOMD_SOCK"
momd_start "${MOMD_FLAGS[@]}" || not_ok "momd A restarts"
check "delivery resumes after the restart (new momd ingests records)" \
	wait_for 15 "momd A records after restart" ingest_ge api_a records 5
check "resumed delivery is logged" \
	wait_for 10 "resumed log" grep -q 'write_mom plugin: delivery to .* resumed' "$T_TMP/collectd.log"
target=$(cat "$INJ_SEQ")
check "fresh values reach the restarted momd" \
	wait_for 10 "fresh host stats" host_avail_ge api_a "$target"

# --- 3. A receiver that does not answer ----------------------------------
kill -STOP "$MOMD_PID"
at_exit kill -CONT "$MOMD_PID"
ok "momd A stopped (SIGSTOP): connections hang"
# A hung request fails only after Timeout (3 s, three intervals): wait
# for two such failures while checking csv.
failed_before=$(cd_csv_last testhost write_mom total_requests-failed)
stalls=$(keeps_up $((failed_before + 2)))
check "csv keeps up while momd hangs (Timeout 3 s > interval)" test "$stalls" = 0
records_before=$(ingest api_b records)
check "write_http's receiver is unaffected (momd B still ingests)" \
	wait_for 10 "momd B records grow" ingest_ge api_b records $((records_before + 1))
kill -CONT "$MOMD_PID"
target=$(cat "$INJ_SEQ")
check "after SIGCONT delivery resumes" \
	wait_for 15 "fresh host stats after SIGCONT" host_avail_ge api_a "$target"

# Shutdown with a hung receiver: flush (<= 1 interval) + drain (1 s) +
# abort of the running request (~1 s) must bound it.
kill -STOP "$MOMD_PID"
kill "$INJ_PID"
t0=$(date +%s%N)
kill "$CD_PID"
# The deadline is the condition: without those bounds the hung request
# would hold collectd's shutdown indefinitely.
if wait_for 15 "collectd exits" eval "! kill -0 $CD_PID"; then
	ok "collectd stops with a hung receiver (after $((($(date +%s%N) - t0) / 1000000)) ms)"
else
	not_ok "collectd stops with a hung receiver"
fi
check "collectd exited normally" grep -q 'Exiting normally' "$T_TMP/collectd.log"
kill -CONT "$MOMD_PID"

# --- 4. URL and TokenFile ------------------------------------------------
run_url_collectd() { # TOKENFILE
	CONF2=$T_TMP/collectd2.conf
	rm -rf "$T_TMP/csv" "$T_TMP/collectd.log" "$T_TMP/cd.sock"
	cd_conf_head "$CONF2"
	cat >>"$CONF2" <<CONF
$(mom_block false)
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  URL "http://127.0.0.1:$PORT_B/v1/metrics"
  TokenFile "$1"
  Plugin "mom"
  Type "memory"
</Plugin>
CONF
	cd_start "$CONF2"
	wait_for 10 "collectd 2 unixsock" test -S "$T_TMP/cd.sock"
}
# A fresh momd B, so that what it holds came through this collectd only;
# cpuinfo makes the read plugin dispatch count-cpus, which Type filters out.
stop_pid "$MOMD_B_PID"
rm -rf "$T_TMP/state_b" "$T_TMP/momd_b.sock"
mkdir -p "$T_TMP/state_b"
momd_b_start || not_ok "momd B restarts"
meminfo 8388608
printf 'processor\t: 0\n\nprocessor\t: 1\n' >"$FIX/proc/cpuinfo"
run_url_collectd "$T_TMP/token"
check "URL + TokenFile: delivered to momd B over TCP" \
	wait_for 15 "momd B host stats 8 GiB" stat_is api_b .host.mem_available 8388608
check "Type filter: only memory records were forwarded (no cpu_count)" \
	test "$(api_b /v1/stats "'cpu_count' in j['host']")" = false
cd_stop
printf 'wrong-token\n' >"$T_TMP/badtoken"
run_url_collectd "$T_TMP/badtoken"
check "wrong token: the 401 batch is dropped and counted (total_values-rejected)" \
	wait_for 15 "rejected in csv" csv_ge write_mom total_values-rejected 1
check "wrong token: logged as refused" \
	grep -q 'write_mom plugin: http://127.0.0.1:.* refused a batch (HTTP status 401)' "$T_TMP/collectd.log"
# Stop the samples (no meminfo: the read plugin then dispatches no memory
# value), let the last batches go, then three more intervals of write_mom's
# own metrics: a retry of a refused batch would raise total_requests-failed.
rm -f "$FIX/proc/meminfo"
n=$(csv_lines write_mom total_requests-failed)
wait_for 10 "two intervals" eval "[ \$(csv_lines write_mom total_requests-failed) -ge $((n + 2)) ]"
failed=$(cd_csv_last testhost write_mom total_requests-failed)
n=$(csv_lines write_mom total_requests-failed)
wait_for 10 "three more intervals" eval "[ \$(csv_lines write_mom total_requests-failed) -ge $((n + 3)) ]"
check "wrong token: not retried (total_requests-failed stays $failed)" \
	test "$(cd_csv_last testhost write_mom total_requests-failed)" = "$failed"
cd_stop

# --- 5. Configuration errors ----------------------------------------------
CONF3=$T_TMP/collectd3.conf
# refused OPTION MESSAGE: collectd with write_mom configured with OPTION
# (one line) must stop, and its log say MESSAGE.
refused_conf() {
	rm -f "$T_TMP/collectd.log"
	cd_conf_head "$CONF3"
	printf 'LoadPlugin write_mom\n<Plugin write_mom>\n  %s\n</Plugin>\n' "$1" >>"$CONF3"
	timeout 20 collectd -f -C "$CONF3" >"$T_TMP/collectd3.out" 2>&1
	rc=$?
	check "'$1' stops collectd (exit status $rc)" test "$rc" -ne 0 -a "$rc" -ne 124
	check "the error says: $2" grep -q "write_mom plugin: $2" "$T_TMP/collectd.log" "$T_TMP/collectd3.out"
}
refused_conf "Bogus 1" 'unknown option "Bogus"'
# A batch larger than momd's default max_records or max_body would be
# refused whole, every time.
refused_conf "BatchSize 10001" "BatchSize must be a whole number between 1 and 10000"

# --- 6. A URL whose host is not what its prefix says ----------------------
# "http://localhost:@127.0.0.2:P/" starts like a loopback URL, but its host
# is 127.0.0.2 ("localhost:" is a user name).  A listener there records any
# Authorization header it is sent: the token must never reach it.
PORT_X=$(free_port)
python3 - "$PORT_X" "$T_TMP/leak" <<'PY' &
import http.server, sys
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        open(sys.argv[2], "a").write(self.headers.get("Authorization", "-") + "\n")
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
http.server.HTTPServer(("127.0.0.2", int(sys.argv[1])), H).serve_forever()
PY
LEAK_PID=$!
at_exit stop_pid "$LEAK_PID"
rm -f "$T_TMP/collectd.log"
cd_conf_head "$CONF3"
cat >>"$CONF3" <<CONF
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  URL "http://localhost:@127.0.0.2:$PORT_X/v1/metrics"
  TokenFile "$T_TMP/token"
</Plugin>
CONF
# Refused, collectd stops at once; accepted (as before), it runs, and a
# "mom" value put through unixsock is forwarded with the token.
rm -f "$T_TMP/cd.sock"
timeout 15 collectd -f -C "$CONF3" >"$T_TMP/collectd3.out" 2>&1 &
CD3=$!
at_exit stop_pid "$CD3"
cd3_settled() { ! kill -0 "$CD3" 2>/dev/null || test -S "$T_TMP/cd.sock"; }
wait_for 10 "collectd 3 exits or listens" cd3_settled
if kill -0 "$CD3" 2>/dev/null; then
	putval "PUTVAL testhost/mom/memory-total interval=1 N:$((1024 * MIB))"
	wait_for 10 "a request at 127.0.0.2" test -s "$T_TMP/leak"
	stop_pid "$CD3"
fi
check "URL http://localhost:@127.0.0.2/ is refused as not loopback" \
	grep -q 'is not an http:// URL on the loopback' "$T_TMP/collectd.log" "$T_TMP/collectd3.out"
check "... and the token never reached 127.0.0.2" \
	bash -c "! grep -qF '$TOKEN' '$T_TMP/leak' 2>/dev/null"

# --- 7. A forwarded value list that momd would refuse ---------------------
# momd refuses a whole batch for one record whose meta mom:uuid is not a
# UUID, and the sender drops a refused batch: with ForwardAll, anyone who
# may PUTVAL could so throw away the read plugin's samples batched with
# it.  write_mom leaves such a value list out and counts it.  momd B
# accepts plugin "other"; its unix socket wants no token.
rm -rf "$T_TMP/csv" "$T_TMP/collectd.log" "$T_TMP/cd.sock"
meminfo 4194304
CONF4=$T_TMP/collectd4.conf
cd_conf_head "$CONF4"
cat >>"$CONF4" <<CONF
$(mom_block false)
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$T_TMP/momd_b.sock"
  ForwardAll true
</Plugin>
CONF
cd_start "$CONF4"
wait_for 10 "collectd 4 unixsock" test -S "$T_TMP/cd.sock"
check "ForwardAll: the host sample reaches momd B" \
	wait_for 15 "momd B host stats 4 GiB" stat_is api_b .host.mem_available 4194304
rejected_before=$(ingest api_b rejected)
# 36 bytes, as long as a UUID, but not hex.
BAD_UUID=zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz
putval "PUTVAL testhost/other/gauge-baduuid interval=1 meta:mom:uuid=\"\\\"$BAD_UUID\\\"\" N:1" ||
	not_ok "PUTVAL with a meta mom:uuid"
# A time PUTVAL takes but the encoder prints as 0.000, which momd
# refuses (left out and counted too), and a gauge that write_http's %.15g
# prints beyond the largest double, as text that reads back as infinity
# (sent with 17 digits, taken).
putval "PUTVAL testhost/other/gauge-epoch interval=1 0.0004:1" ||
	not_ok "PUTVAL dated 0.0004"
putval "PUTVAL testhost/other/gauge-huge interval=1 N:1.7976931348623157e308" ||
	not_ok "PUTVAL of DBL_MAX"
# csv is called first in the same write thread, write_mom right after it;
# the meminfo for the next read is written only then, so write_mom queues
# that host sample after the PUTVAL one, in its batch or a later one.
wait_for 10 "csv of other/gauge-baduuid" test -d "$T_TMP/csv/testhost/other" ||
	not_ok "collectd took the PUTVAL"
meminfo 2097152
check "the host's next sample reaches momd B (2 GiB)" \
	wait_for 15 "momd B host stats 2 GiB" stat_is api_b .host.mem_available 2097152
check "momd B refused no batch (the malformed mom:uuid and time were not sent)" \
	test "$(ingest api_b rejected)" = "$rejected_before"
check "write_mom counted both (total_values-invalid)" \
	wait_for 10 "invalid in csv" csv_ge write_mom total_values-invalid 2
check "... and logged the first with its reason, once in the minute" \
	test "$(grep -c 'write_mom plugin: left out 1 value list(s) that momd would refuse with their whole batch, e.g. plugin "other" type "gauge" from host "testhost" with a meta mom:uuid that is not a UUID; 1 in all' "$T_TMP/collectd.log")" = 1 -a \
	"$(grep -c 'write_mom plugin: left out' "$T_TMP/collectd.log")" = 1
cd_stop

# --- 8. Value lists of another host or plugin, forwarded ------------------
# momd C takes host testhost (hostname) and plugins mom and other only.
# Anyone who may PUTVAL chooses a value list's host and plugin, and with
# ForwardAll write_mom forwards it.  momd refused every batch holding such
# a value list (400, which write_mom does not resend), so the read
# plugin's samples batched with it were lost, batch after batch, for as
# long as the PUTVALs went on.  Now it skips and counts them.
mkdir -p "$T_TMP/state_c" "$T_TMP/ksm_c"
"$BUILD/momd" --socket "$T_TMP/momd_c.sock" --state-dir "$T_TMP/state_c" \
	--policy-dir "$ROOT/policies" --libvirt-uri test:///default \
	--ksm-dir "$T_TMP/ksm_c" --dry-run --hostname testhost \
	--accept-plugins mom,other >>"$T_TMP/momd_c.log" 2>&1 &
MOMD_C_PID=$!
at_exit stop_pid "$MOMD_C_PID"
wait_for 10 "momd C answers" curl -sf --unix-socket "$T_TMP/momd_c.sock" \
	http://momd/v1/ping || not_ok "momd C starts"
api_c() { momapi --socket "$T_TMP/momd_c.sock" GET "$@"; }
rm -rf "$T_TMP/csv" "$T_TMP/collectd.log" "$T_TMP/cd.sock"
meminfo 4194304
CONF5=$T_TMP/collectd5.conf
cd_conf_head "$CONF5"
cat >>"$CONF5" <<CONF
$(mom_block)
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$T_TMP/momd_c.sock"
  ForwardAll true
</Plugin>
CONF
cd_start "$CONF5"
wait_for 10 "collectd 5 unixsock" test -S "$T_TMP/cd.sock" ||
	not_ok "collectd 5 starts"
# Every 10 ms, so that every batch write_mom sends (it lingers 100 ms, a
# tenth of the interval, for more records) holds some: a value list of
# plugin "other" (taken) from another host, and one of this host from a
# plugin momd C does not take.
putval --repeat 0.01 "PUTVAL evilhost/other/gauge-x interval=1 N:1" \
	"PUTVAL testhost/stray/gauge-y interval=1 N:1" &
FOREIGN_PID=$!
at_exit kill "$FOREIGN_PID"
check "another host's value lists are skipped and counted (skipped.host)" \
	wait_for 15 "momd C skipped.host" ingest_ge api_c skipped.host 2
check "a plugin momd does not take is skipped and counted (skipped.plugin)" \
	wait_for 10 "momd C skipped.plugin" ingest_ge api_c skipped.plugin 2
# Written only now, so the 2 GiB sample is read while the PUTVALs go on.
meminfo 2097152
check "the host's samples keep arriving (momd C host 2 GiB)" \
	wait_for 15 "momd C host stats 2 GiB" stat_is api_c .host.mem_available 2097152
check "... and the guest's (g1 balloon_cur 512 MiB)" \
	wait_for 10 "momd C guest stats" stat_is api_c .guests.g1.balloon_cur 524288
check "momd C refused no batch" test "$(ingest api_c rejected)" = 0
check "/metrics counts them by reason" \
	bash -c "curl -sf --unix-socket '$T_TMP/momd_c.sock' http://momd/metrics |
		grep -q '^momd_ingest_skipped_records_total{reason=\"host\"} [1-9]'"
check "logged with a count, naming the host" \
	grep -q 'ingest: skipped [0-9]* value list(s) since the last report for their host, such as "evilhost" (hostname is "testhost")' "$T_TMP/momd_c.log"
check "logged once a minute per reason, not per batch" \
	test "$(grep -c 'for their host' "$T_TMP/momd_c.log")" = 1 -a \
	"$(grep -c 'for their plugin, such as "stray"' "$T_TMP/momd_c.log")" = 1
kill "$FOREIGN_PID"
cd_stop

done_testing
