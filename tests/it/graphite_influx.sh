#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# graphite_influx.sh: every series README.md "Metrics" documents arrives in
# real Graphite and real InfluxDB 1.x under its documented name, with its
# value.
#
# Debian's collectd runs the mom read plugin against a fixture root (host
# files with known values, memory short so that momd acts) and a private
# test-driver libvirtd, asks a real momd for its decisions (ActuatorSocket),
# feeds momd through write_mom, and writes everything with the stock
# write_graphite (to carbon-cache) and network (to InfluxDB's collectd
# listener) plugins.  Both daemons run with scratch configurations on free
# loopback ports.  The list of series comes from the metric contract
# (build/tests/metric_doc --series, which README's tables are checked
# against by metrics_doc.sh); the checks are in graphite_influx_check.py
# (run by Debian's /usr/bin/python3, which has python3-whisper).
# Counters arrive as rates in Graphite (StoreRates) and raw in InfluxDB.
# Also runs each InfluxDB dashboard query (contrib/dashboards) and checks
# it returns data.
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/libvirt.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"
. "$ROOT/tests/lib/pipeline.sh"

for t in carbon-cache influxd whisper-fetch influx; do
	command -v "$t" >/dev/null || {
		not_ok "$t installed (tests/install-deps.sh installs it)"
		done_testing
	}
done
listening() { ss -ltn | grep -q "127.0.0.1:$1 "; }

# ---- Graphite ---------------------------------------------------------------
C=$T_TMP/carbon
W=$C/storage/whisper
mkdir -p "$W" "$C/log" "$C/run"
GP=$(momapi free-port) GPP=$(momapi free-port) GQP=$(momapi free-port)
cat >"$C/carbon.conf" <<CONF
[cache]
STORAGE_DIR    = $C/storage/
LOCAL_DATA_DIR = $W/
CONF_DIR       = $C/
LOG_DIR        = $C/log/
PID_DIR        = $C/run/
USER =
ENABLE_TAGS = False
MAX_CREATES_PER_MINUTE = inf
LINE_RECEIVER_INTERFACE = 127.0.0.1
LINE_RECEIVER_PORT = $GP
PICKLE_RECEIVER_INTERFACE = 127.0.0.1
PICKLE_RECEIVER_PORT = $GPP
CACHE_QUERY_INTERFACE = 127.0.0.1
CACHE_QUERY_PORT = $GQP
ENABLE_UDP_LISTENER = False
CONF
printf '[test]\npattern = .*\nretentions = 1s:1h,60s:1d\n' >"$C/storage-schemas.conf"
carbon-cache --config="$C/carbon.conf" --debug start >"$T_TMP/carbon.out" 2>&1 &
CARBON_PID=$!
at_exit stop_pid "$CARBON_PID"
check "carbon-cache listens on 127.0.0.1:$GP" wait_for 30 "carbon" listening "$GP"

# ---- InfluxDB -----------------------------------------------------------------
I=$T_TMP/influx
mkdir -p "$I"
IH=$(momapi free-port) IB=$(momapi free-port) IC=$(momapi free-port udp)
cat >"$I/influxdb.conf" <<CONF
reporting-enabled = false
bind-address = "127.0.0.1:$IB"
[meta]
  dir = "$I/meta"
[data]
  dir = "$I/data"
  wal-dir = "$I/wal"
  query-log-enabled = false
[monitor]
  store-enabled = false
[http]
  bind-address = "127.0.0.1:$IH"
  log-enabled = false
[[collectd]]
  enabled = true
  bind-address = "127.0.0.1:$IC"
  database = "collectd"
  typesdb = "/usr/share/collectd/types.db"
  batch-timeout = "1s"
CONF
influxd run -config "$I/influxdb.conf" >"$T_TMP/influxd.out" 2>&1 &
INFLUX_PID=$!
at_exit stop_pid "$INFLUX_PID"
check "influxd answers on 127.0.0.1:$IH" wait_for 30 "influxd ping" \
	bash -c "[ \"\$(curl -s -o /dev/null -w '%{http_code}' 127.0.0.1:$IH/ping)\" = 204 ]"

# ---- libvirt, fixture root, momd ------------------------------------------------
lv_start || { not_ok "private libvirtd"; done_testing; }
# Shares (our metadata) on both, so that every documented guest series is
# sent; the test driver has no guest agent (metric_doc --no-agent below).
# g1 also has vdsm's ioTune metadata for its disk vda, so that the disk
# series are sent: maximum 0 (unlimited: the test driver's live limits,
# so the IoTune controller has nothing to write), guaranteed 1000..6000
# (graphite_influx_check.py knows these values).
T=ovirt-tune
IOT="<$T:ioTune><$T:device name='vda' path='/guest/g1.img'><$T:maximum>"
for l in total_bytes_sec read_bytes_sec write_bytes_sec total_iops_sec read_iops_sec write_iops_sec; do
	IOT="$IOT<$T:$l>0</$T:$l>"
done
IOT="$IOT</$T:maximum><$T:guaranteed>"
i=0
for l in total_bytes_sec read_bytes_sec write_bytes_sec total_iops_sec read_iops_sec write_iops_sec; do
	i=$((i + 1))
	IOT="$IOT<$T:$l>${i}000</$T:$l>"
done
IOT="$IOT</$T:guaranteed></$T:device></$T:ioTune>"
lv_define g1 1024 768 512 "" 2000 "$IOT" && lv_define g2 2048 1024 "" "" 500 ||
	not_ok "test domains defined"
cp -a "$ROOT/tests/fixtures/root" "$T_TMP/root"
# Memory short (10 % free), so that momd shrinks balloons and sets targets.
pl_meminfo "$T_TMP/root" 10000000 1000000 1500000
# momd's KSM knobs are a scratch directory, not the fixture the plugin reads.
mkdir -p "$T_TMP/ksm"
for f in run pages_to_scan sleep_millisecs merge_across_nodes; do echo 0 >"$T_TMP/ksm/$f"; done
momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$LV_URI" \
	--ksm-dir "$T_TMP/ksm" --interval-ms 1000 --settle-ms 300 \
	--rail-stale-ms 0 || { not_ok "momd starts"; done_testing; }
api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null

# ---- collectd ---------------------------------------------------------------------
conf=$T_TMP/collectd.conf
cd_conf_head "$conf" 1
cat >>"$conf" <<CONF
LoadPlugin mom
<Plugin mom>
  Connection "$LV_URI"
  Root "$T_TMP/root"
  StatsPeriod 2
  ActuatorSocket "$MOMD_SOCK"
</Plugin>
<LoadPlugin write_mom>
  FlushInterval 1
</LoadPlugin>
<Plugin write_mom>
  Socket "$MOMD_SOCK"
</Plugin>
PluginDir "/usr/lib/collectd"
<LoadPlugin write_graphite>
  FlushInterval 1
</LoadPlugin>
<Plugin write_graphite>
  <Node "carbon">
    Host "127.0.0.1"
    Port "$GP"
    Prefix "collectd."
  </Node>
</Plugin>
<LoadPlugin network>
  FlushInterval 1
</LoadPlugin>
<Plugin network>
  Server "127.0.0.1" "$IC"
</Plugin>
CONF
cd_start "$conf"

influx_has() {
	curl -sG "127.0.0.1:$IH/query" --data-urlencode db=collectd \
		--data-urlencode "q=SELECT last(value) FROM mom_value WHERE type='memory' AND type_instance='$1'" |
		grep -q '"values"'
}
check "memory-target reaches Graphite (momd decided, the plugin dispatched)" \
	wait_for 40 "memory-target whisper file" test -f "$W/collectd/testhost/mom-g1/memory-target.wsp"
check "memory-target reaches InfluxDB" wait_for 20 "memory-target in influx" influx_has target
check "ksmd_cpu (second read) reaches Graphite" \
	wait_for 20 "ksmd_cpu" test -f "$W/collectd/testhost/mom/percent-ksmd_cpu.wsp"
# The decisions went to Graphite and InfluxDB (above) but not back to
# momd: the read plugin marks the rows momd does not consume and write_mom
# leaves them out, so momd, fed by write_mom alone, ignored nothing (before
# the mark, every memory-target of every read counted there).
check "momd ignored none of write_mom's value lists (decisions not sent back)" \
	test "$(momapi GET /v1/status .ingest.ignored)" = 0
check "... while it took the values it consumes" \
	test "$(momapi GET /v1/status .ingest.values)" -gt 0
# write_mom counts what it left out, in its own metrics (in Graphite as a
# rate: write_graphite's StoreRates).
unused_rate() {
	whisper-fetch --drop=nulls --from=$(($(date +%s) - 600)) \
		"$W/collectd/testhost/write_mom/total_values-unused.wsp" 2>/dev/null | tail -1 | awk '{ print $2 }'
}
if wait_for 30 "write_mom's total_values-unused rising" eval 'awk -v r="$(unused_rate)" "BEGIN { exit !(r + 0 > 0) }"'; then
	ok "write_mom counts the value lists it left out (total_values-unused: $(unused_rate)/s)"
else
	not_ok "write_mom counts the value lists it left out (total_values-unused: '$(unused_rate)')"
fi

# Freeze the decisions: dry-run (nothing more is applied), the applied
# targets so far, the KSM plan; then stop momd so the balloons stay put.
api PUT /v1/dry-run '{"enabled": true}' >/dev/null
api_out GET "/v1/actions?limit=100000" >"$T_TMP/actions.json"
api_out GET /v1/plan >"$T_TMP/plan.json"
momd_stop
# The test driver's current sizes, once collectd has seen them (the
# Graphite value of memory-actual equals libvirt's).
cur_kib() { lv_virsh dominfo "$1" | awk '/^Used memory/ { print $3 }'; }
settled() {
	local g kib got
	for g in g1 g2; do
		kib=$(cur_kib "$g")
		got=$(whisper-fetch --drop=nulls --from=$(($(date +%s) - 3)) \
			"$W/collectd/testhost/mom-$g/memory-actual.wsp" | tail -1 | awk '{ print $2 }')
		awk -v a="$got" -v b="$((kib * 1024))" 'BEGIN { exit !(a + 0 == b) }' || return 1
	done
}
check "after momd stopped, Graphite's memory-actual equals libvirt's for g1 and g2" \
	wait_for 20 "balloons settled in Graphite" settled
# From now on every read shows the settled sizes.  The values are checked
# only once every series has a point from such a read in both stores:
# carbon writes its cache to whisper when it gets to it, InfluxDB in
# batches, both later on a busy machine (the deadline is generous for that;
# the wait ends as soon as all are there).
SETTLED_AT=$(date +%s)

# The test driver's guests have no guest agent: the agent's series are
# checked on real guests (tests/it/agent_pipeline.sh).
"$BUILD/tests/metric_doc" --series --no-agent >"$T_TMP/series"
check "the metric contract lists at least 50 series" [ "$(wc -l <"$T_TMP/series")" -ge 50 ]
if missing=$(/usr/bin/python3 "$ROOT/tests/it/graphite_influx_check.py" wait 90 "$SETTLED_AT" \
	"$T_TMP/series" "$W" "http://127.0.0.1:$IH" g1 g2 2>&1); then
	ok "every documented series is in Graphite and InfluxDB, with a point since the balloons settled"
else
	not_ok "every documented series in Graphite and InfluxDB: $missing"
fi
while read -r verdict desc; do
	case $verdict in
	PASS) ok "$desc" ;;
	FAIL) not_ok "$desc" ;;
	*) not_ok "checker: $verdict $desc" ;;
	esac
done < <(/usr/bin/python3 "$ROOT/tests/it/graphite_influx_check.py" "$T_TMP/series" "$W" \
	"http://127.0.0.1:$IH" "$T_TMP/actions.json" "$T_TMP/plan.json" \
	"g1=$(cur_kib g1):1048576:524288" "g2=$(cur_kib g2):2097152:0" \
	"$ROOT/contrib/dashboards/mom-influxdb.json" 2>&1)

cd_stop
check "collectd exited normally" grep -q "Exiting normally" "$T_TMP/collectd.log"
check "no plugin suspended by collectd" \
	test "$(grep -c 'Will suspend' "$T_TMP/collectd.log")" -eq 0
done_testing
