#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# read_plugin.sh: CPU cost per read of our `mom` read plugin and of the
# stock `virt` plugin (ExtraStats "memory") for 10, 100 and 500 test-driver
# domains (private libvirtd).  No assertions: it prints, per plugin and
# domain count, the median CPU milliseconds per read spent in collectd and
# in libvirtd (which serves the RPCs), and the ratio virt / mom.
#
# Method: both plugins are loaded in the same collectd, each with its own
# read interval (<LoadPlugin> Interval), and they are enabled one at a time
# by restarting collectd with the other plugin's Interval set very high;
# per-read CPU is the growth of utime+stime of the collectd and libvirtd
# processes between two consecutive values of a marker series.  Only the
# guest groups of `mom` run (CollectHost/CollectKSM false) so the
# comparison is like for like.  Usage: BUILD=build bash tests/bench/read_plugin.sh [COUNTS...]
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/libvirt.sh"
. "$ROOT/tests/lib/collectd.sh"

COUNTS=${*:-10 100 500}
READS=${BENCH_READS:-7}
TCK=$(getconf CLK_TCK)

cpu_ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
nlines() {
	local f
	f=$(ls "$1"-* 2>/dev/null | tail -1)
	[ -n "$f" ] && wc -l <"$f" || echo 0
}
grown() { [ "$(nlines "$1")" -gt "$2" ]; }
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

define_domains() {
	local n=$1 i
	for i in $(seq 1 "$n"); do
		cat >"$T_TMP/b$i.xml" <<XML
<domain type='test'><name>b$i</name><memory unit='MiB'>1024</memory>
<currentMemory unit='MiB'>512</currentMemory><vcpu>1</vcpu>
<os><type>hvm</type></os><devices><memballoon model='virtio'/></devices>
</domain>
XML
		echo "define $T_TMP/b$i.xml"
		echo "start b$i"
	done | virsh -q -c "$LV_URI" >/dev/null
}

# run_one PLUGIN MARKER: prints "collectd_ms libvirtd_ms" medians per read.
run_one() {
	local which=$1 marker=$2 mom_iv=100000 virt_iv=100000 n c0 l0 c1 l1
	local cds=() lvs=()
	[ "$which" = mom ] && mom_iv=2
	[ "$which" = virt ] && virt_iv=2
	rm -rf "$T_TMP/csv"
	cd_conf_head "$T_TMP/bench.conf" 2
	cat >>"$T_TMP/bench.conf" <<CONF
PluginDir "/usr/lib/collectd"
<LoadPlugin virt>
  Interval $virt_iv
</LoadPlugin>
<Plugin virt>
  Connection "$LV_URI"
  HostnameFormat name
  ExtraStats "memory"
</Plugin>
PluginDir "$BUILD"
<LoadPlugin mom>
  Interval $mom_iv
</LoadPlugin>
<Plugin mom>
  Connection "$LV_URI"
  CollectHost false
  CollectKSM false
</Plugin>
CONF
	cd_start "$T_TMP/bench.conf"
	wait_for 120 "$which first values" grown "$marker" 2 || { cd_stop; return 1; }
	for _ in $(seq "$READS"); do
		n=$(nlines "$marker")
		c0=$(cpu_ticks "$CD_PID") l0=$(cpu_ticks "$LV_PID")
		wait_for 60 "next read" grown "$marker" "$n" || break
		c1=$(cpu_ticks "$CD_PID") l1=$(cpu_ticks "$LV_PID")
		cds+=($(((c1 - c0) * 1000 / TCK)))
		lvs+=($(((l1 - l0) * 1000 / TCK)))
	done
	cd_stop
	echo "$(printf '%s\n' "${cds[@]}" | median) $(printf '%s\n' "${lvs[@]}" | median)"
}

lv_start || { echo "libvirtd did not start"; exit 1; }
printf '%-8s %-6s %14s %14s\n' domains plugin collectd_ms libvirtd_ms
defined=1 # the built-in "test" domain
for n in $COUNTS; do
	define_domains $((n - defined)) 2>/dev/null
	defined=$n
	mom=$(run_one mom "$T_TMP/csv/testhost/mom-test/memory-actual")
	virt=$(run_one virt "$T_TMP/csv/test/virt/memory-actual_balloon")
	printf '%-8s %-6s %14s %14s\n' "$n" mom ${mom:-? ?}
	printf '%-8s %-6s %14s %14s\n' "$n" virt ${virt:-? ?}
	awk -v m="${mom%% *}" -v v="${virt%% *}" -v n="$n" 'BEGIN {
		if (m > 0) printf "%-8s ratio virt/mom (collectd CPU) %.2f\n", n, v / m
		else printf "%-8s ratio: mom below clock-tick resolution\n", n }'
done
