#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# real_guests.sh: the whole pipeline on 3 real TCG guests (tests/lib/
# guests.sh, the same set-up as tests/it/real_guests.sh): CPU per minute of
# momd and collectd at a 1-second interval, and how fast the pipeline
# reacts to host pressure.  Measures and prints; asserts nothing about time.
#
# Set-up: 3 identical guests of 512 MiB, each holding 100 MiB of identical
# pages (memhog, for KSM); collectd with Interval 1, the mom plugin (guests
# of this run, host values from a fixture root whose proc/meminfo the bench
# rewrites: a simulated 4 GiB host; KSM is the real /sys/kernel/mm/ksm) and
# ActuatorSocket as the installed snippet has it, write_mom with
# FlushInterval 1, no csv; momd --interval-ms 1000 with balloonEnabled on,
# writing real balloons and the real KSM knobs (saved first, restored at
# exit; guests destroyed at exit).
#
# CPU: with the host at 30 % free (no pressure) and a full 10-sample
# history, the CPU of momd and of collectd over $BENCH_CPU_WINDOW s
# (default 40, to keep make bench under 10 minutes), scaled to a minute:
# summed thread schedstat (ns) and, as a cross-check, utime+stime.  collectd loads nothing else that works
# (logfile and unixsock idle), so its CPU is what mom + write_mom add.
# The collectd row names how many value lists of plugin "mom" a second
# reached momd, and a last row measures collectd's own floor for that many
# (cpu_floor: a collectd dispatching as many lists, shaped alike, to a
# writer that does nothing; needs bench_flood.so from make bench-build).
# The "both" row carries the target of issue 20 (at most 0.070 CPU-s per
# minute, a twentieth of MOM's daemon).  BENCH_CPU_AB="DIR..." (other
# build trees, e.g. of the commits before a change) measures each DIR's
# momd and plugins and then this build's in turn on the same guests,
# $BENCH_CPU_ROUNDS rounds (default 2); BENCH_PERF=1 adds a perf record of
# each process (software clock at $BENCH_PERF_FREQ Hz, default 4999; frame
# pointer call graphs, or DWARF ones with BENCH_PERF=dwarf) over a second
# window, reports in $BUILD/bench/perf-*.txt.  BENCH_TRIALS=0 skips the reaction part.
# BENCH_CPU_INTERVAL=S (default 1) runs the pipeline at S seconds instead
# (collectd's Interval and FlushInterval, momd's --interval-ms; the agents
# are polled every read, AgentInterval's default) with a window of 12
# reads at least, and skips the reaction part, which times 1 s reads:
# what the CPU is at collectd's default interval of 10 s, say.
#
# Reaction, $BENCH_TRIALS times (default 3) each with the shipped policies
# (they average mem_free over the 10-sample history, as MOM does) and with
# tests/bench/policies-latest (the same policies acting on the latest
# sample), installed through the API; medians are printed.  At t0 the
# bench rewrites meminfo to 10 % free.  Reported: t0 to the
# first balloon change applied (its time in momd's action log), to the
# guest's actual size reaching that target (libvirt, polled every 0.2 s),
# and from KSM being wanted (the action setting ksm_run 1) to pages_sharing
# rising in sysfs (first trial of each policy only, KSM unmerged before it;
# in the other trials the pressure is lifted once the balloon target is
# reached).  What the policy implies is computed from the two
# meminfo figures: the number k of pressure samples its rule needs, so a
# decision cannot come before (k - 1) intervals after t0 and, with the
# random phase of the first read, k intervals at most; the pipeline's own
# share is what the measurement adds beyond k intervals.
#
# Needs root, QEMU and the system libvirtd (else prints why not measured).
# Usage: BUILD=build bash tests/bench/real_guests.sh
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/guests.sh"
. "$ROOT/tests/lib/collectd.sh"
. "$ROOT/tests/lib/momd.sh"
. "$ROOT/tests/lib/pipeline.sh"

IV=${BENCH_CPU_INTERVAL:-1}
case $IV in '' | *[!0-9]* | 0*) echo "BENCH_CPU_INTERVAL: whole seconds, at least 1, not '$IV'" >&2; exit 64 ;; esac
WINDOW=${BENCH_CPU_WINDOW:-$((IV * 12 > 40 ? IV * 12 : 40))}
# BENCH_AGENT=0: the read plugin without guest-agent statistics
# (CollectAgent false), to show what the agent polls cost.
AGENT_OPT=
[ "${BENCH_AGENT:-1}" = 0 ] && AGENT_OPT='\n  CollectAgent false'

G_LOCK_WAIT=${G_LOCK_WAIT:-300}
HOST_KIB=4194304
CALM_KIB=$((HOST_KIB * 3 / 10))
PRESSURE_KIB=$((HOST_KIB / 10))
HISTORY=10
GUESTS="a b c"
TCK=$(getconf CLK_TCK)

none() {
	echo "real guests: $*: not measured"
	echo "| CPU per minute | not measured ($*) |"
	exit 0
}
[ "$(id -u)" -eq 0 ] || none "needs root (system libvirtd, KSM)"
command -v qemu-system-x86_64 >/dev/null || none "qemu-system-x86 is not installed"
command -v libvirtd >/dev/null || none "libvirtd is not installed"
[ -w "$K/run" ] || none "no writable $K (KSM)"

ticks() { awk '{ sub(/.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# cpu_ns PID: on-CPU ns of PID's live threads (precise; ticks() also
# counts threads that have exited, at 1/CLK_TCK resolution: both shown).
cpu_ns() { cat /proc/"$1"/task/*/schedstat 2>/dev/null | awk '{ s += $1 } END { printf "%.0f\n", s }'; }
# first_actions T0: "balloon_time target subject ksm_time" of the first
# applied balloon change and the first ksm_run=1 at or after T0 (ms), "-"
# for what is not there yet; one process, straight from momd's socket.
first_actions() {
	python3 - "$MOMD_SOCK" "$1" <<'PY'
import http.client, json, socket, sys
class C(http.client.HTTPConnection):
    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(sys.argv[1])
c = C("momd", timeout=5)
c.request("GET", "/v1/actions?limit=200")
a = [x for x in json.loads(c.getresponse().read()) if x["time_ms"] >= int(sys.argv[2]) and x["result"] == "applied"]
b = [x for x in a if x["control"] == "balloon_target"]
k = [x for x in a if x["control"] == "ksm_run" and x["new"] == 1]
print(b[0]["time_ms"] if b else "-", b[0]["new"] if b else "-", b[0]["subject"] if b else "-",
      k[0]["time_ms"] if k else "-")
PY
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "") print "-"; else printf "%.1f", (b - a) / 1000 }'; }
status_py() { momapi --bind s --str GET /v1/status "$1"; }
ready() { [ "$(status_py 's["guests"]')" = 3 ] && [ "$(status_py 's["cycles"]')" -ge "$1" ]; }
# at_max: every guest within 0.5 % of its 512 MiB.  Not exactly: the
# policies do not grow a guest by less than 0.25 % of its size, so a guest
# may settle just below its maximum, as under MOM.
at_max() {
	local g v
	for g in $GUESTS; do
		v=$(g_actual "$g") && [ -n "$v" ] && [ "$v" -ge $((524288 * 995 / 1000)) ] || return 1
	done
}
unmerged() { [ "$(cat "$K/pages_sharing")" = 0 ]; }

# k_needed POLICY_KIND: pressure samples the balloon rule needs (avg over
# HISTORY samples, or the latest one), hfp < 0.20 with these meminfo values.
k_needed() {
	python3 -c 'import sys
calm, press, total, hist = (float(x) for x in sys.argv[1:5])
kind = sys.argv[5]
for k in range(1, int(hist) + 1):
    vals = [press] * k if kind == "latest" else [calm] * (int(hist) - k) + [press] * k
    if sum(vals) / len(vals) / total < 0.20:
        print(k); break
else:
    print(0)' "$CALM_KIB" "$PRESSURE_KIB" "$HOST_KIB" "$HISTORY" "$1"
}

t_all=$(now_ms)
g_build_image >"$T_TMP/build.out" 2>&1 || { tail -5 "$T_TMP/build.out"; none "guest image build failed"; }
ksm_save || none "KSM save failed (lock held by another run for ${G_LOCK_WAIT}s?)"
g_libvirtd_start || none "system libvirtd did not start"
for g in $GUESTS; do g_define "$g" 512 || none "define guest $g"; done
g_start $GUESTS || none "start guests"
for g in $GUESTS; do g_wait_ready "$g" 180 || none "guest $g not ready"; done
for g in $GUESTS; do g_ctl "$g" "hog 100" >/dev/null || echo "# hog 100 in $g failed"; done
# The agents answer before collectd starts: a first probe that finds no
# agent backs the guest off for AgentBackoff (60 s), longer than the CPU
# window, so the window would measure no agent polls at all (as earlier
# runs of this bench may have, by chance of the guests' boot).
if [ "${BENCH_AGENT:-1}" != 0 ]; then
	for g in $GUESTS; do g_wait_agent "$g" 120 || none "guest $g's agent does not answer"; done
fi
echo "# 3 guests ready and holding 100 MiB each after $(secs "$t_all" "$(now_ms)") s"

R=$T_TMP/root
pl_root "$R"
pl_meminfo "$R" $HOST_KIB $CALM_KIB
# pipeline_start DIR: momd and collectd's two plugins from build tree DIR
# (momd's state directory is kept across restarts); waits for a full history.
pipeline_start() {
	local conf=$T_TMP/collectd.conf
	BUILD=$1 momd_start --policy-dir "$ROOT/policies" --libvirt-uri "$G_URI" --ksm-dir "$K" \
		--interval-ms $((IV * 1000)) --history $HISTORY || none "momd did not start"
	api PATCH /v1/parameters '{"balloonEnabled": true}' >/dev/null
	BUILD=$1 cd_conf_head "$conf" "$IV"
	sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d' "$conf"
	pl_plugins "$G_URI" "$R" "$IV" "${G_PREFIX}*" |
		sed "s|^  Root \"$R\"|&\n  ActuatorSocket \"$MOMD_SOCK\"${AGENT_OPT}|" >>"$conf"
	cd_start "$conf"
	wait_slow $((60 * IV)) "momd sees 3 guests and ran $((HISTORY + 2)) cycles" ready $((HISTORY + 2)) ||
		none "pipeline did not start ($(tail -2 "$T_TMP/collectd.log" | tr '\n' ' '))"
}
pipeline_stop() { cd_stop && momd_stop; }

# cpu_window LABEL: CPU of the running momd and collectd over $WINDOW s,
# three table rows (LABEL prefixes the process names when not empty); with
# BENCH_PERF set, then perf record of each (software clock, call graphs)
# over another window into $BUILD/bench/perf-{momd,collectd}LABEL.txt.
cpu_window() {
	local l=${1:+$1: } pids="" cg m0 c0 t0 mn0 cn0 r0 m1 c1 t1 mn1 cn1 r1 p f
	r0=$(status_py 's["ingest"]["records"]')
	m0=$(ticks "$MOMD_PID") c0=$(ticks "$CD_PID") t0=$(now_ms)
	mn0=$(cpu_ns "$MOMD_PID") cn0=$(cpu_ns "$CD_PID")
	sleep "$WINDOW"
	mn1=$(cpu_ns "$MOMD_PID") cn1=$(cpu_ns "$CD_PID")
	m1=$(ticks "$MOMD_PID") c1=$(ticks "$CD_PID") t1=$(now_ms)
	r1=$(status_py 's["ingest"]["records"]')
	# The value lists of plugin "mom" that reached momd (write_mom
	# forwards each one as a record): what collectd's own queue carried.
	LISTS_PER_S=$(awk -v r=$((r1 - r0)) -v ms=$((t1 - t0)) 'BEGIN { printf "%.0f", r * 1000 / ms }')
	awk -v m=$((m1 - m0)) -v c=$((c1 - c0)) -v mn=$((mn1 - mn0)) -v cn=$((cn1 - cn0)) \
		-v hz="$TCK" -v ms=$((t1 - t0)) -v l="$l" -v lists="$LISTS_PER_S" 'BEGIN {
		f = 60000 / ms / hz; g = 60000 / ms / 1e9; w = ms / 1000
		printf "| %smomd | %.3f | %.3f | %.1f s |\n", l, mn * g, m * f, w
		printf "| %scollectd (mom + write_mom; %d value lists/s) | %.3f | %.3f | %.1f s |\n", l, lists, cn * g, c * f, w
		printf "| %s**both** (target: at most 0.070) | **%.3f** | %.3f | %.1f s |\n", l, (mn + cn) * g, (m + c) * f, w }'
	[ -n "${BENCH_PERF:-}" ] && command -v perf >/dev/null || return 0
	mkdir -p "$BUILD/bench"
	cg=-g
	[ "$BENCH_PERF" = dwarf ] && cg="--call-graph dwarf"
	for p in momd:$MOMD_PID collectd:$CD_PID; do
		f=$BUILD/bench/perf-${p%%:*}${1:+-$1}
		perf record -q -F "${BENCH_PERF_FREQ:-4999}" $cg -p "${p#*:}" -o "$f.data" -- sleep "$WINDOW" 2>/dev/null &
		pids+=" $!"
	done
	wait $pids # not a bare wait: momd and collectd are children too
	for p in momd collectd; do
		f=$BUILD/bench/perf-$p${1:+-$1}
		perf report -i "$f.data" --stdio --no-children --percent-limit 0.5 >"$f.txt" 2>/dev/null &&
			echo "# perf of $p: $f.txt"
	done
}

# cpu_floor N: collectd's own CPU for N value lists a second, with none of
# our code in the read or the write: a second collectd (same settings,
# Interval $IV) whose only source is bench_flood dispatching N x $IV lists
# per read, shaped like the mom plugin's (origin mark and UUID meta), and whose
# only writer is bench_flood's null one.  What collectd itself spends on
# dispatching, cloning, queueing and handing over that many lists, over
# the same window: the floor under the "collectd" row at this many values.
cpu_floor() {
	local n=$1 conf=$T_TMP/floor.conf cnt=$T_TMP/floor.count pid c0 c1 t0 t1
	if [ ! -f "$BUILD/tests/bench_flood.so" ] || [ -z "$n" ] || [ "$n" -lt 1 ]; then
		echo "# collectd's own floor: not measured (bench_flood.so missing: make bench-build)"
		return 0
	fi
	cd_conf_head "$conf" "$IV"
	sed -i '/^LoadPlugin csv/,/^<\/Plugin>/d; /^LoadPlugin unixsock/,/^<\/Plugin>/d' "$conf"
	sed -i "s|^BaseDir .*|BaseDir \"$T_TMP/floor\"|; s|collectd.log|floor.log|" "$conf"
	mkdir -p "$T_TMP/floor"
	cat >>"$conf" <<CONF
PluginDir "$BUILD/tests"
LoadPlugin bench_flood
<Plugin bench_flood>
  Values $((n * IV))
</Plugin>
CONF
	FLOOD_COUNT_FILE=$cnt collectd -f -C "$conf" >>"$T_TMP/floor.out" 2>&1 &
	pid=$!
	if ! wait_for $((20 * IV)) "the floor's collectd reads" test -s "$cnt"; then
		stop_pid "$pid"
		echo "# collectd's own floor: not measured (its collectd did not start: $(tail -1 "$T_TMP/floor.log" 2>/dev/null))"
		return 0
	fi
	c0=$(cpu_ns "$pid") t0=$(now_ms)
	sleep "$WINDOW"
	c1=$(cpu_ns "$pid") t1=$(now_ms)
	stop_pid "$pid"
	awk -v c=$((c1 - c0)) -v ms=$((t1 - t0)) -v n="$n" 'BEGIN {
		printf "| collectd alone, %d value lists/s to a null writer (its floor) | %.3f | | %.1f s |\n", n, c * 60000 / ms / 1e9, ms / 1000 }'
}

# 1. CPU.  BENCH_CPU_AB="DIR...": the same guests, with each DIR's build
# in turn (labelled by the DIR's base name) and then this one ("this"),
# $BENCH_CPU_ROUNDS rounds (default 2), for a before/after comparison in
# one session.
echo "| process | CPU-s per minute (thread schedstat) | cross-check: utime+stime ticks | window |"
echo "|---|---:|---:|---:|"
if [ -n "${BENCH_CPU_AB:-}" ]; then
	for i in $(seq "${BENCH_CPU_ROUNDS:-2}"); do
		for d in $BENCH_CPU_AB; do
			pipeline_start "$(realpath -m "$d")"
			cpu_window "$(basename "$d")-$i"
			pipeline_stop
		done
		pipeline_start "$BUILD"
		cpu_window "this-$i"
		[ "$i" = "${BENCH_CPU_ROUNDS:-2}" ] || pipeline_stop
	done
else
	pipeline_start "$BUILD"
	cpu_window ""
fi
echo "# collectd Interval $IV s, momd --interval-ms $((IV * 1000)); MOM: 1.37 CPU-s per minute at 1 s intervals; target (issue 20, at 1 s): at most 0.070, a twentieth, with collectd's share"
cpu_floor "$LISTS_PER_S"
echo
if [ "$IV" != 1 ]; then
	echo "# reaction part skipped: it times 1 s reads (BENCH_CPU_INTERVAL=$IV)"
	echo "# total real-guest bench: $(secs "$t_all" "$(now_ms)") s"
	exit 0
fi

# trial KIND KSM: one pressure step from a calm host with every guest at
# its maximum.  Sets T0 and TA (first balloon change applied), TR (actual
# reached that target), TK (ksm_run 1 applied), TS (pages_sharing rose),
# all in ms ("" if not seen within 60 s).  With KSM = 1 the pressure stays
# until pages_sharing rises (KSM is unmerged first); otherwise it is lifted
# as soon as the guest reached its target, so that guests regrow quickly.
trial() {
	local kind=$1 ksm=$2 deadline target="" guest="" base trace="" name act
	TA="" TR="" TK="" TS=""
	if [ "$ksm" = 1 ] && ! unmerged; then
		echo 2 >"$K/run"
		wait_for 30 "KSM unmerged" unmerged
	fi
	base=$(cat "$K/pages_sharing")
	T0=$(now_ms)
	pl_meminfo "$R" $HOST_KIB $PRESSURE_KIB
	deadline=$((T0 + 60000))
	while [ "$(now_ms)" -lt "$deadline" ]; do
		if [ -z "$TA" ] || [ -z "$TK" ]; then
			read -r TA target guest TK <<<"$(first_actions "$T0")"
			[ "$TA" = - ] && TA=""
			[ "$TK" = - ] && TK=""
		fi
		if [ -n "$TA" ] && [ -z "$TR" ]; then
			name=${guest#guest:}
			name=${name#"$G_PREFIX"}
			act=$(g_actual "$name" 2>/dev/null)
			trace+=" +$(secs "$T0" "$(now_ms)")s:${act:-?}"
			[ -n "$act" ] && [ "$act" -le $((target + 3)) ] && TR=$(now_ms)
		fi
		if [ "$ksm" = 1 ] && [ -n "$TK" ] && [ -z "$TS" ] &&
			[ "$(cat "$K/pages_sharing")" -gt "$base" ]; then
			TS=$(now_ms)
		fi
		[ -n "$TR" ] && [ -n "$TK" ] && { [ "$ksm" = 0 ] || [ -n "$TS" ]; } && break
		sleep 0.1
	done
	pl_meminfo "$R" $HOST_KIB $CALM_KIB
	echo "# $kind: target ${target:-?} KiB for ${guest:-?}; actual seen (KiB):$trace" >&2
	[ "$ksm" = 1 ] && echo "# $kind: KSM when sharing rose: pages_to_scan $(cat "$K/pages_to_scan"), sleep_millisecs $(cat "$K/sleep_millisecs"), full_scans $(cat "$K/full_scans")" >&2
	return 0
}

median() { sort -g | awk '{ a[NR] = $1 } END { if (NR == 0) print "-"; else print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# react LABEL KIND N: N trials (KSM measured in the first), one table row of
# medians.  Before each: guests back at their maximum (momd regrows them:
# its pending targets stay consistent) and, for the averaging policy, a full
# history of calm samples.
react() {
	local label=$1 kind=$2 n=$3 k i settle a=() r=() kk=() ks="-"
	k=$(k_needed "$kind")
	settle=2
	[ "$kind" = avg ] && settle=$((HISTORY + 1))
	for i in $(seq "$n"); do
		wait_slow 60 "guests back near 512 MiB" at_max || echo "# $kind trial $i: guests not all back near 512 MiB" >&2
		sleep "$settle"
		trial "$kind" $((i == 1 ? 1 : 0))
		echo "# $kind trial $i: change $(secs "$T0" "$TA") s, reached $(secs "$T0" "$TR") s, KSM wanted $(secs "$T0" "$TK") s${TS:+, sharing rose $(secs "$TK" "$TS") s later}" >&2
		[ -n "$TA" ] && a+=("$(secs "$T0" "$TA")")
		[ -n "$TR" ] && r+=("$(secs "$T0" "$TR")")
		[ -n "$TK" ] && kk+=("$(secs "$T0" "$TK")")
		[ -n "$TS" ] && ks=$(secs "$TK" "$TS")
	done
	local ma
	ma=$(printf '%s\n' "${a[@]}" | median)
	echo "| $label | $k samples ($((k - 1))-$k s) | $ma | $(printf '%s\n' "${r[@]}" | median) | $(printf '%s\n' "${kk[@]}" | median) | $ks | $(awk -v a="$ma" -v k="$k" 'BEGIN { if (a == "-") print "-"; else printf "%.1f", a - k }') | ${#a[@]} |"
}

TRIALS=${BENCH_TRIALS:-3}
rows=$(
	react "shipped (mean of 10 samples)" avg "$TRIALS"
	for p in 02-balloon 03-ksm; do
		api PUT "/v1/policies/$p" "$(cat "$ROOT/tests/bench/policies-latest/$p.json")" >/dev/null ||
			echo "# PUT $p: $API_STATUS" >&2
	done
	react "latest sample (tests/bench/policies-latest)" latest "$TRIALS"
)
echo "| policy | rule needs | pressure → first balloon change applied (s) | → actual reaches target (s) | pressure → KSM wanted (s) | KSM wanted → pages_sharing rises (s, first trial) | beyond k intervals (s) | trials |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|"
echo "$rows"
echo "# 1-second collectd interval, momd --interval-ms 1000; MOM: 5.5 s at 1 s intervals with its averaging policy"
echo "# total real-guest bench: $(secs "$t_all" "$(now_ms)") s"
