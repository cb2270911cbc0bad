# SPDX-License-Identifier: Apache-2.0
#
# guest_agent.sh: the guest-agent reader and cache (collectd-plugin/
# agent_read.c, agent_cache.c) on real QEMU guests running Debian's
# qemu-guest-agent, through build/tests/agent_driver:
#   - the test image starts the agent on its channel; a --noagent guest has
#     no channel;
#   - a guest's /proc files read through the agent parse, and the cache
#     publishes PSI, vmstat and meminfo values that match the guest's own;
#   - a process allocating past the guest's memory raises oom_kill;
#   - a guest without the agent costs one failed probe, not retried within
#     the backoff;
#   - killing the agent inside one guest makes its values stale while the
#     other guest's stay on time; freezing (SIGSTOP) the other's agent makes
#     it stale too, and reading the cache never waits for either;
#   - each file's agent handle stays open between polls: a poll after the
#     first makes 6 agent calls (seek + read per file, counted by the
#     cache); after the agent restarts (its handles gone) the first poll
#     reopens the files and loses none, and a thawed agent's kept handles
#     serve again;
#   - an agent with its file commands disabled (qemu-ga -b) counts as an
#     agent down, not as bad handles; one with only guest-file-seek
#     disabled still gives every value, each file opened afresh;
#   - a real filesystem freeze (virsh domfsfreeze of a guest with an ext4
#     disk, what a backup snapshot does) disables them the same way: the
#     poll is down, the agent's open files stay as they were (no handle
#     opened, none lost), and after the thaw the kept handles serve again.
# Needs root (system libvirtd).  About 3 minutes on 2 cores.
#
# Helpers (this file only):
#   st NAME KEY      KEY's value in the driver's status line for guest NAME
#   st_is NAME KEY V 0 if it equals V
#   st_not NAME KEY V 0 if it is set and differs from V
#   err_of NAME      the whole error of NAME's last poll (st_err: its start)
#   agent_fds NAME   the open files of NAME's agent (control port)
#   down_on_disabled NAME SECS TEXT FAILURES FILE_ERRORS WHAT
#                    NAME's poll fails on disabled commands as an agent down
. "$(dirname "$0")/../lib/common.sh"
. "$ROOT/tests/lib/guests.sh"

DRIVER=$BUILD/tests/agent_driver
STATUS=$T_TMP/agent.status
INTERVAL=1000 # ms
BACKOFF=30000 # ms: longer than this test's checks after the probe
TIMEOUT=1     # s per agent call

st() {
	awk -v d="$(g_dom "$1")" -v k="$2" '$1 == d {
		for (i = 2; i <= NF; i++) if (index($i, k "=") == 1) { print substr($i, length(k) + 2); exit } }' \
		"$STATUS" 2>/dev/null
}
st_is() { [ "$(st "$1" "$2")" = "$3" ]; }
st_not() { local v; v=$(st "$1" "$2"); [ -n "$v" ] && [ "$v" != "$3" ]; }
line() { grep "^$(g_dom "$1") " "$STATUS" | cut -c1-400; }
err_of() { grep "^$(g_dom "$1") " "$STATUS" | sed -n 's/.* err=//p'; }
st_err() { err_of "$1" | cut -c1-100; }
agent_fds() { g_ctl "$1" "agent fds" | awk '$1 == "ok" {print $4}'; }
# down_on_disabled NAME SECS TEXT FAILURES FILE_ERRORS WHAT: within SECS,
# NAME's poll fails with an error holding TEXT (the whole error: st_err
# cuts it before qemu-ga's part), as an agent down (failures above
# FAILURES), not a file error (file_errors still FILE_ERRORS).
down_on_disabled() {
	local g=$1 secs=$2 text=$3 fl=$4 fe=$5 what=$6
	if wait_for "$secs" "$g: $what, a poll refused" eval 'err_of "$g" | grep -q "$text"'; then
		ok "$g ($what): its poll fails on the disabled commands ($(err_of "$g"))"
	else
		not_ok "$g ($what): its poll fails on the disabled commands"; diag "$(line "$g")"
	fi
	check "... as an agent down (failures $fl -> $(st "$g" failures)), not a file error (file_errors $fe -> $(st "$g" file_errors))" \
		eval '[ "$(st "$g" failures)" -gt "${fl:-0}" ] && st_is "$g" file_errors "$fe"'
}

if [ "$(id -u)" -ne 0 ]; then
	skip "real guests need root (system libvirtd)"
	done_testing
fi
if [ ! -x "$DRIVER" ]; then
	not_ok "$DRIVER missing (make tests-build)"
	done_testing
fi
if ! g_image_ready >"$T_TMP/build.out" 2>&1; then
	not_ok "guest image ready (built by make deps)"
	sed 's/^/# /' "$T_TMP/build.out" | tail -10
	done_testing
fi
g_libvirtd_start || { not_ok "libvirtd"; done_testing; }

# 1. Guests: a and b with the agent, n without, f with the agent and an
# ext4 disk (section 9).
g_define a 256 && g_define b 256 && g_define n 256 --noagent &&
	g_define f 256 --fsdisk 16 &&
	g_start a b n f || { not_ok "define and start guests"; done_testing; }
for g in a b n f; do g_wait_ready "$g" || not_ok "guest $g ready"; done
check "guest a started its agent on the channel" grep -q "GUEST: agent port /dev/vport" "$(g_console a)"
check "guest n (--noagent) has no agent port" grep -q "GUEST: no agent port" "$(g_console n)"
check "guest f mounted its ext4 disk" grep -q "GUEST: ext4 /dev/vda on /mnt/disk" "$(g_console f)"
# qemu-ga starting inside the guest is not yet libvirt seeing the channel
# connect (under ASan a few seconds can pass between them).
check "libvirt reaches a's agent" g_wait_agent a
check "libvirt reaches b's agent" g_wait_agent b
check "libvirt reaches f's agent" g_wait_agent f

# 2. One file at a time through the agent.
for f in /proc/pressure/memory /proc/vmstat /proc/meminfo; do
	out=$T_TMP/a.$(basename "$f")
	if "$DRIVER" read "$G_URI" "$(g_dom a)" "$f" >"$out" 2>"$out.err" && [ -s "$out" ]; then
		ok "read $f of a through the agent ($(wc -c <"$out") bytes)"
	else
		not_ok "read $f of a through the agent: $(cat "$out.err")"
	fi
done
# MOM_AGENT_SAMPLES=DIR keeps them (the unit tests' guest.* fixtures).
if [ -n "${MOM_AGENT_SAMPLES:-}" ]; then
	cp "$T_TMP/a.memory" "$MOM_AGENT_SAMPLES/guest.pressure"
	cp "$T_TMP/a.vmstat" "$MOM_AGENT_SAMPLES/guest.vmstat"
	cp "$T_TMP/a.meminfo" "$MOM_AGENT_SAMPLES/guest.meminfo"
fi
if "$DRIVER" read "$G_URI" "$(g_dom n)" /proc/vmstat >/dev/null 2>"$T_TMP/n.err"; then
	not_ok "reading through n's missing agent fails"
else
	ok "reading through n's missing agent fails: $(head -1 "$T_TMP/n.err")"
fi

# 3. The cache.  Its stdin is a fifo held open by this shell; closing it
# stops the driver.
mkfifo "$T_TMP/in"
"$DRIVER" watch "$G_URI" "$STATUS" $INTERVAL $BACKOFF $TIMEOUT \
	"$(g_dom a)" "$(g_dom b)" "$(g_dom n)" "$(g_dom f)" <"$T_TMP/in" 2>"$T_TMP/driver.err" &
DPID=$!
exec {W}>"$T_TMP/in"
at_exit stop_pid $DPID

have_all() {
	local g=$1 k
	st_is "$g" state ok || return 1
	for k in psi_some_avg10 psi_full_avg10 psi_some_total oom_kill pgmajfault \
		pswpin allocstall mem_total mem_available swap_total swap_free; do
		st_not "$g" "$k" - || return 1
	done
}
if wait_for 60 "a, b and f publish every agent field" eval 'have_all a && have_all b && have_all f'; then
	ok "a, b and f publish PSI, vmstat and meminfo through the cache"
else
	not_ok "a, b and f publish every field"
	diag "$(line a)"
	diag "$(line b)"
	diag "$(line f)"
	diag "$(cat "$T_TMP/driver.err")"
fi
# The first poll opens and reads (6 calls), every later one seeks and
# reads through the kept handles (6 calls): wait for a later one.
p0=$(st a polls)
wait_for 30 "a polled again" eval '[ "$(st a polls)" -gt "${p0:-0}" ]' ||
	not_ok "a polled again"
check "a's polls through the kept handles make 6 agent calls (poll_calls=$(st a poll_calls); 9 with open/read/close)" \
	st_is a poll_calls 6
diag "one poll of a (3 files, $(st a poll_calls) agent calls, TCG guest): $(st a poll_us) us; of b: $(st b poll_us) us"
mi=$(g_ctl a meminfo)
total=$(echo "$mi" | sed -n 's/.*MemTotal: \([0-9]*\) kB.*/\1/p')
check "a's mem_total ($(st a mem_total)) is the guest's own MemTotal ($total)" \
	st_is a mem_total "$total"
check "a's stale flag is clear while its agent answers" st_is a stale 0
check "no swap in the tiny guest: swap_total is 0 and present" st_is a swap_total 0
avail=$(st a mem_available)
check "a's mem_available ($avail) is positive and at most mem_total" \
	test "${avail:-0}" -gt 0 -a "${avail:-0}" -le "$total"

# 3b. A process allocating past the guest's memory: the kernel kills it and
# oom_kill rises in the cache (the OOM signal of issue 18).
oom0=$(st a oom_kill) maj0=$(st a pgmajfault)
g_ctl a "hog 400" >"$T_TMP/hog.out"
if wait_for 10 "a's oom_kill rises" eval '[ "$(st a oom_kill)" -gt "${oom0:-0}" ]'; then
	ok "a's oom_kill rose from $oom0 to $(st a oom_kill) after 'hog 400' in 256 MiB ($(cut -c1-40 "$T_TMP/hog.out"))"
else
	not_ok "a's oom_kill rises after an OOM kill"; diag "$(line a)"
fi
check "a's counters never go backwards (pgmajfault $maj0 -> $(st a pgmajfault))" \
	test "$(st a pgmajfault)" -ge "${maj0:-0}"
diag "a after the OOM kill: psi_some_avg10=$(st a psi_some_avg10) psi_full_avg10=$(st a psi_full_avg10) (1/100 %) allocstall=$(st a allocstall) pgmajfault=$(st a pgmajfault)"

# 4. No agent: one failed probe, then nothing within the backoff.
if wait_for 30 "n probed" st_is n polls 1; then
	ok "n: probed once ($(st_err n))"
else
	not_ok "n probed once"; diag "$(line n)"
fi
check "n: the probe failed, no values (stale, fields absent)" \
	eval 'st_is n state failing && st_is n failures 1 && st_is n stale 1 && st_is n oom_kill -'
p0=$(st a polls)
wait_for 30 "a polled 4 more times" eval '[ "$(st a polls)" -ge $((p0 + 4)) ]' ||
	not_ok "a keeps being polled"
check "n not re-probed within the backoff while a was polled $(($(st a polls) - p0)) times" \
	st_is n polls 1

# 5. Kill b's agent: b goes stale, a stays on time.
g_ctl b "agent kill" >/dev/null || not_ok "agent kill in b"
if wait_for 10 "b stale" eval 'st_is b stale 1 && st_is b state failing'; then
	ok "b's values are reported stale after its agent was killed ($(st_err b))"
else
	not_ok "b stale after agent kill"; diag "$(line b)"
fi
check "b keeps its last values (stale, not zeroed, not absent)" st_not b mem_total -
# a's age never exceeds the interval plus a round's polls (a's and the
# healthy f's) while b is down.
p0=$(st a polls) maxage=0
while [ "$(st a polls)" -lt $((p0 + 3)) ] && [ $SECONDS -lt 600 ]; do
	age=$(st a age_ms)
	[ "${age:-0}" -gt "$maxage" ] && maxage=$age
	nap 0.1
	[ "$(st a polls)" = "" ] && break
done
check "a stays on time while b's agent is dead (max age $maxage ms, interval $INTERVAL)" \
	test "$maxage" -le $((INTERVAL * 2))
diag "the last polls of the round: a $(st a poll_us) us, f $(st f poll_us) us"
check "a is fresh" eval 'st_is a stale 0 && st_is a state ok'

# 6. Freeze a's agent (port open, calls time out): a goes stale, the cache
# still answers at once.
g_ctl a "agent freeze" >/dev/null || not_ok "agent freeze in a"
if wait_for 15 "a stale" eval 'st_is a stale 1 && st_is a state failing'; then
	ok "a's values are reported stale once its frozen agent timed out ($(st_err a))"
else
	not_ok "a stale after agent freeze"; diag "$(line a)"
fi
diag "the frozen agent's failed poll took $(st a poll_us) us (timeout ${TIMEOUT} s)"
get=$(st a get_us)
check "agent_cache_get never waited for an agent (longest ${get} us)" test "${get:-999999}" -lt 20000

# 7. Thaw a's agent (its handles still open in it) and start a new agent
# in b (the old one's handles died with it).  Both are re-probed after
# their backoff; the first poll of b finds its kept handles gone, closes
# them and reopens the files in that same poll, so no file is lost.
fe_b=$(st b file_errors) fe_a=$(st a file_errors)
g_ctl a "agent start" >/dev/null || not_ok "agent start (thaw) in a"
g_ctl b "agent start" >/dev/null || not_ok "agent start (new) in b"
# Re-probes come after the 30 s backoff (60 s if a second probe failed
# while an agent was still coming up); 150 s leaves margin for a busy host.
if wait_for 150 "a and b fresh again" eval 'st_is a stale 0 && st_is b stale 0 && have_all a && have_all b'; then
	ok "a (thawed) and b (new agent) publish every field again"
else
	not_ok "a and b recover after thaw / agent restart"; diag "$(line a)"; diag "$(line b)"
fi
check "b's recovery lost no file to its stale handles (file_errors ${fe_b} -> $(st b file_errors))" \
	st_is b file_errors "$fe_b"
check "a's thaw lost no file (file_errors ${fe_a} -> $(st a file_errors))" \
	st_is a file_errors "$fe_a"
for g in a b; do
	p0=$(st $g polls)
	wait_for 30 "$g polled again" eval '[ "$(st $g polls)" -gt "${p0:-0}" ]' ||
		not_ok "$g polled again"
done
check "then 6 agent calls per poll again (a: $(st a poll_calls), b: $(st b poll_calls))" \
	eval 'st_is a poll_calls 6 && st_is b poll_calls 6'

# 8. A real freeze: f's ext4 disk, frozen by libvirt's domfsfreeze
# (guest-fsfreeze-freeze), what oVirt does for a backup snapshot.  qemu-ga
# disables every guest-file-* command while frozen, close too ("the agent
# is in frozen state"): f's poll is an agent down (backed off), not a file
# error; its kept handles stay kept, so the agent's open files are those
# of before the freeze (none opened afresh, none closed and forgotten).
# Thawed as soon as that is seen, so that f fails once and is re-probed
# after one backoff (a longer freeze would double it); section 10 checks
# its recovery, after section 9's waits.
fe_f=$(st f file_errors) fl_f=$(st f failures)
fds_f=$(agent_fds f)
fstatus() { g_virsh qemu-agent-command "$(g_dom f)" '{"execute":"guest-fsfreeze-status"}' 2>&1; }
if g_virsh domfsfreeze "$(g_dom f)" >"$T_TMP/freeze.out" 2>&1 && fstatus | grep -q '"frozen"'; then
	ok "f's filesystem frozen (guest-fsfreeze-status: $(fstatus))"
else
	not_ok "domfsfreeze of f: $(cat "$T_TMP/freeze.out") $(fstatus)"
fi
# Thawed at exit whatever happens, so that the driver closes its handles
# in an agent that accepts the closes (the guests go after it).
at_exit g_virsh domfsthaw "$(g_dom f)"
down_on_disabled f 60 "the agent is in frozen state" "$fl_f" "$fe_f" "frozen"
fds=$(agent_fds f)
check "the frozen agent holds the same open files as before the freeze (${fds_f:-?} -> ${fds:-?})" \
	test -n "$fds_f" -a "$fds" = "$fds_f"
if g_virsh domfsthaw "$(g_dom f)" >"$T_TMP/thaw.out" 2>&1 && fstatus | grep -q '"thawed"'; then
	ok "f thawed (guest-fsfreeze-status: $(fstatus))"
else
	not_ok "domfsthaw of f: $(cat "$T_TMP/thaw.out") $(fstatus)"
fi

# 9. Commands the agent has disabled for good: qemu-ga -b disables them as
# a freeze does (a and b restart their agents so): libvirt passes on
# "Command guest-file-seek has been disabled".
# b: every file command disabled, as while frozen: an agent down for now
# (backed off, handles kept), not file errors (handles closed, refused,
# forgotten and left open in the agent).  a: only guest-file-seek disabled,
# as an allow-list might: each poll opens every file afresh and closes the
# old handle, and the values keep coming.
fe_a=$(st a file_errors) fe_b=$(st b file_errors) fl_b=$(st b failures)
g_ctl b "agent block guest-file-open,guest-file-read,guest-file-seek,guest-file-close" >/dev/null ||
	not_ok "agent block (all file commands) in b"
g_ctl a "agent block guest-file-seek" >/dev/null || not_ok "agent block (seek) in a"
# The restart may cost each a failed poll (agent not connected yet) and its
# 30 s backoff before the restarted agent answers.
down_on_disabled b 120 "has been disabled" "$fl_b" "$fe_b" "every file command disabled"
if wait_for 120 "a fresh with seek disabled" eval 'st_is a stale 0 && have_all a && st_is a poll_calls 12'; then
	ok "a: seek disabled, every field still published, 12 agent calls a poll (refused seek, open, read, close of the old handle per file)"
else
	not_ok "a publishes with seek disabled"; diag "$(line a)"
fi
check "a lost no file to the disabled seek (file_errors ${fe_a} -> $(st a file_errors))" \
	st_is a file_errors "$fe_a"

# 10. f after its thaw (section 8): re-probed after its backoff, its kept
# handles serve again: every field, 6 calls a poll, no file lost, and the
# agent's open files still those of before the freeze.
# The re-probe comes 30 s after the failure (60 s after a second one).
if wait_for 150 "f fresh after the thaw" eval 'st_is f stale 0 && have_all f'; then
	ok "f publishes every field again after the thaw"
else
	not_ok "f recovers after the thaw"; diag "$(line f)"
fi
p0=$(st f polls)
wait_for 30 "f polled again" eval '[ "$(st f polls)" -gt "${p0:-0}" ]' || not_ok "f polled again"
check "f's kept handles serve again: 6 agent calls a poll ($(st f poll_calls)), no file lost (file_errors ${fe_f} -> $(st f file_errors))" \
	eval 'st_is f poll_calls 6 && st_is f file_errors "$fe_f"'
fds=$(agent_fds f)
check "and the agent's open files are still those of before the freeze (${fds_f:-?} -> ${fds:-?})" \
	test -n "$fds_f" -a "$fds" = "$fds_f"
exec {W}>&-
wait_for 10 "driver exits on EOF" eval "! kill -0 $DPID" && ok "driver stopped on EOF" || not_ok "driver stops"
done_testing
