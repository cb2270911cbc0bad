# SPDX-License-Identifier: Apache-2.0
#
# collectd.sh: run Debian's real collectd in the foreground for a test.
# Sourced after common.sh.
#
#   cd_conf_head FILE [INTERVAL]   write the common head of a config: logfile
#                                  to $T_TMP/collectd.log, csv under
#                                  $T_TMP/csv, unixsock at $T_TMP/cd.sock,
#                                  stock types.db; append plugin blocks after
#   cd_start FILE                  start collectd -f; sets CD_PID
#   cd_stop                        SIGTERM and wait
#   cd_csv_last HOST PLUGIN ID     last value column of a csv series
#                                  (ID is "type-type_instance")
cd_conf_head() {
	local file=$1 interval=${2:-1}
	cat >"$file" <<CONF
Hostname "testhost"
FQDNLookup false
BaseDir "$T_TMP"
TypesDB "/usr/share/collectd/types.db"
Interval $interval
WriteThreads 2
PluginDir "/usr/lib/collectd"
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "$T_TMP/collectd.log"
  Timestamp true
</Plugin>
LoadPlugin csv
<Plugin csv>
  DataDir "$T_TMP/csv"
  StoreRates false
</Plugin>
LoadPlugin unixsock
<Plugin unixsock>
  SocketFile "$T_TMP/cd.sock"
  SocketGroup "root"
</Plugin>
PluginDir "$BUILD"
CONF
}

cd_start() {
	collectd -f -C "$1" >>"$T_TMP/collectd.out" 2>&1 &
	CD_PID=$!
	at_exit stop_pid "$CD_PID"
}

cd_stop() { stop_pid "$CD_PID"; }

cd_csv_last() {
	local f
	f=$(ls "$T_TMP/csv/$1/$2/$3"-* 2>/dev/null | tail -1)
	[ -n "$f" ] && tail -1 "$f" | cut -d, -f2-
}
