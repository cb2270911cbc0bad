#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# read_plugin.sh: CPU per read of our `mom` read plugin beside the stock
# collectd `virt` plugin (ExtraStats "memory"), for 10, 100 and 500 domains
# of libvirt's test driver, both plugins in the SAME collectd process.
# Measures and prints; asserts nothing about time.
#
# Method: collectd runs with $BUILD/tests/bench_readtime.so preloaded
# (tests/bench/readtime.c), which wraps every complex read callback of
# virt.so and mom.so and logs, per call, the CPU time of the calling read
# thread (CLOCK_THREAD_CPUTIME_ID) spent inside the callback.  A thread
# clock counts only that thread, so the two plugins are separated exactly,
# and nothing else running on the machine (other processes, other plugins)
# is counted.  collectd's default ReadThreads (5): the two reads may run
# at the same moment and contend for its value cache, as in production
# (with ReadThreads 1 the ratio came out the same within the noise).
# Both plugins use the in-process test driver (a node file URI: each
# connection opens its own copy of the same N domains), so the driver's work is inside the
# measured thread, as in the anchor (virt ~9.5 ms per read for 100 domains
# in-process).  Only mom's guest group runs (CollectHost/CollectKSM false)
# to compare like with like.  Both read every second; the first 2 reads are
# dropped (connection, first domain list and XML parse); the figure is the
# median of the next $BENCH_READS (default 15) reads of each.  A null
# writer (bench_flood, Values 1) counts the value lists each plugin
# dispatched, so the cost per dispatched value is shown too: dispatching
# (collectd's cache update and queueing, ~1 µs a value) is part of a read.
#
# Each count runs twice, mom with CollectAgent false and true (the default):
# the difference is what guest-agent statistics add to a read.  The test
# driver has no guest agent, so with CollectAgent true every guest is one
# the agent worker probed and backs off from: the read callback's added
# work per guest is the cache lookup (a UUID parse, a mutex, a copy), which
# is all it ever does for agents; agent calls run in the worker thread, off
# the read.  A guest whose agent answers also dispatches its 15 agent
# value lists: the µs/value column prices those.  The worker's own cost per guest
# (three files, six agent calls through the kept handles) is measured on real guests by
# tests/it/guest_agent.sh (its "one poll of a" line).
#
# With BENCH_MOM_KSM=1, mom also runs its KSM group on the real host
# (CollectKSM true, Root "/"): the KSM files, ksmd's CPU and ksm_shareable,
# whose discovery of processes is what that group costs.
#
# Usage: BUILD=build bash tests/bench/read_plugin.sh [COUNTS...]
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/collectd.sh"

COUNTS=${*:-10 100 500}
READS=${BENCH_READS:-15}
SKIP=2
SHIM=$BUILD/tests/bench_readtime.so

if ! command -v collectd >/dev/null || [ ! -f /usr/lib/collectd/virt.so ]; then
	echo "read plugin: collectd or its virt plugin is not installed: not measured"
	exit 0
fi
if [ ! -f "$SHIM" ] || [ ! -f "$BUILD/mom.so" ]; then
	echo "read plugin: $SHIM or $BUILD/mom.so missing (make bench-build): not measured"
	exit 0
fi

# node_xml N FILE: a test-driver node with N running domains.
node_xml() {
	local n=$1 i
	{
		echo "<node>"
		for ((i = 1; i <= n; i++)); do
			echo "<domain type='test'><name>b$i</name><memory unit='MiB'>1024</memory><currentMemory unit='MiB'>512</currentMemory><vcpu>1</vcpu><os><type>hvm</type></os><devices><memballoon model='virtio'/></devices></domain>"
		done
		echo "</node>"
	} >"$2"
}

# reads_of PLUGIN: number of logged reads of PLUGIN (virt or mom).
reads_of() { grep -c "^$1[ -]" "$T_TMP/readtime.log" 2>/dev/null || true; }
enough() { [ "$(reads_of virt)" -ge $((SKIP + READS)) ] && [ "$(reads_of mom)" -ge $((SKIP + READS)) ]; }

# stats PLUGIN: "median_ms min_ms max_ms reads" of its CPU per read.
stats() {
	grep "^$1[ -]" "$T_TMP/readtime.log" | awk -v skip=$SKIP -v n="$READS" \
		'NR > skip && NR <= skip + n { print $2 / 1e6 }' | sort -g |
		awk '{ a[NR] = $1 } END { if (NR == 0) { print "- - - 0"; exit }
			m = (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2
			printf "%.3f %.3f %.3f %d\n", m, a[1], a[NR], NR }'
}

declare -A MOM_MS
echo "| domains | agent | mom ms/read | virt ms/read | virt/mom | mom µs/domain | virt µs/domain | mom values/read | virt values/read | mom µs/value | virt µs/value | reads |"
echo "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for n in $COUNTS; do
for agent in false true; do
	node_xml "$n" "$T_TMP/node.xml"
	rm -f "$T_TMP/readtime.log"
	uri="test://$T_TMP/node.xml"
	conf=$T_TMP/read.conf
	cd_conf_head "$conf" 1
	cat >>"$conf" <<CONF
PluginDir "/usr/lib/collectd"
LoadPlugin virt
<Plugin virt>
  Connection "$uri"
  HostnameFormat name
  ExtraStats "memory"
</Plugin>
PluginDir "$BUILD"
LoadPlugin mom
<Plugin mom>
  Connection "$uri"
  CollectHost false
  CollectKSM $([ "${BENCH_MOM_KSM:-0}" = 1 ] && echo true || echo false)
  CollectAgent $agent
</Plugin>
CONF
	# No csv: values are dispatched (the cost of dispatching is in the
	# callback) to bench_flood's null writer, which counts them per plugin.
	sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d' "$conf"
	cat >>"$conf" <<CONF
PluginDir "$BUILD/tests"
LoadPlugin bench_flood
<Plugin bench_flood>
  Values 1
</Plugin>
CONF
	rm -f "$T_TMP/count"
	FLOOD_COUNT_FILE=$T_TMP/count READTIME_LOG=$T_TMP/readtime.log READTIME_PLUGINS="virt.so mom.so" \
		LD_PRELOAD=$SHIM collectd -f -C "$conf" >>"$T_TMP/collectd.out" 2>&1 &
	CD_PID=$!
	if ! wait_for $((30 + n / 10)) "$((SKIP + READS)) reads of each plugin" enough; then
		echo "| $n | $agent | reads: mom $(reads_of mom), virt $(reads_of virt) (see collectd log) | | | | | |"
		tail -3 "$T_TMP/collectd.log" | sed 's/^/# /'
		stop_pid "$CD_PID"
		continue
	fi
	# Value lists per read: the null writer's counts (file rewritten every
	# second) over the reads logged by then.
	read -r _ cm cv <"$T_TMP/count"
	nm=$(reads_of mom) nv=$(reads_of virt)
	stop_pid "$CD_PID"
	read -r mm _ _ mr <<<"$(stats mom)"
	read -r vm _ _ vr <<<"$(stats virt)"
	MOM_MS[$n.$agent]=$mm
	awk -v n="$n" -v a="$agent" -v m="$mm" -v v="$vm" -v r="$mr/$vr" -v cm="$cm" -v cv="$cv" -v nm="$nm" -v nv="$nv" 'BEGIN {
		pm = cm / nm; pv = cv / nv
		printf "| %d | %s | %.3f | %.3f | %.2f | %.1f | %.1f | %.0f | %.0f | %.2f | %.2f | %s |\n",
			n, a, m, v, (m > 0 ? v / m : 0), m * 1000 / n, v * 1000 / n,
			pm, pv, (pm > 0 ? m * 1000 / pm : 0), (pv > 0 ? v * 1000 / pv : 0), r }'
done
done
echo
for n in $COUNTS; do
	[ -n "${MOM_MS[$n.false]:-}" ] && [ -n "${MOM_MS[$n.true]:-}" ] || continue
	awk -v n="$n" -v f="${MOM_MS[$n.false]}" -v t="${MOM_MS[$n.true]}" 'BEGIN {
		printf "guest-agent statistics add %.1f µs of read-thread CPU per domain per read with %d domains (medians %.3f -> %.3f ms)\n",
			(t - f) * 1000 / n, n, f, t }'
done
