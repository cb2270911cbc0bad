#!/bin/bash
# SPDX-License-Identifier: Apache-2.0
#
# systemd_unit.sh: the installed units under a real systemd (issue 20).
# A Debian 12 tree (tests/tools/systemd-root.sh, made once under
# build/systemd-root) boots systemd as PID 1 in systemd-nspawn, on a
# throw-away overlay (--volatile=overlay: the cached tree is never
# changed).  `make install DESTDIR=...` is copied in, then done what README
# "Install on a KVM host" says: systemd-sysusers, daemon-reload, start the
# sockets.  A scratch directory is bound over /sys/kernel/mm/ksm (the
# host's KSM is never touched), so the shipped unit is run exactly as
# installed, ProtectKernelTunables and ReadWritePaths included.  Checked:
#  - momd.socket and momd-read.socket create the sockets with their
#    modes and groups, and the first request starts momd (activation);
#  - momd runs as user mom with no capability, NoNewPrivileges, its
#    OOM score, memory and task limits;
#  - it writes the KSM knobs (the scratch files on the host change) and
#    its state directory;
#  - it reaches libvirt's socket as user mom through polkit (50-mom.rules),
#    with libvirt's polkit access driver on: a balloon call gets as far as
#    the domain lookup, while the same user is refused what momd does not
#    need;
#  - in momd's own mount namespace, as its user, nothing else is writable
#    (/etc, /usr, /var/log, /run/mom, /home, other sysfs);
#  - the read socket cannot administer, the admin socket can;
#  - collectd with the installed snippet delivers samples to momd;
#  - momd stops cleanly, and the socket starts it again.
# It skips, saying why, where it cannot run: not root, no systemd-nspawn
# or debootstrap, no Debian mirror, or a container that does not boot.
. "$(dirname "$0")/../lib/common.sh"

if [ "${SANITIZE:-}" = 1 ]; then
	skip "systemd unit test: not with SANITIZE=1 (the container has no sanitizer runtime; the plain run boots it)"
	done_testing
fi
if [ "$(id -u)" -ne 0 ]; then
	skip "systemd unit test: needs root (systemd-nspawn)"
	done_testing
fi
for tool in systemd-nspawn debootstrap nsenter; do
	if ! command -v $tool >/dev/null; then
		skip "systemd unit test: $tool is not installed (tests/install-deps.sh)"
		done_testing
	fi
done
RFS=$ROOT/build/systemd-root
if ! sh "$ROOT/tests/tools/systemd-root.sh" "$RFS" 2>"$T_TMP/root.err"; then
	skip "systemd unit test: no Debian 12 tree: $(tr '\n' ' ' <"$T_TMP/root.err")"
	done_testing
fi
ok "a Debian 12 tree with systemd, libvirtd, polkitd and collectd ($RFS)"

# ---- what goes in ---------------------------------------------------------------
STAGE=$T_TMP/stage
if ! make -s -C "$ROOT" BUILD="$BUILD" DESTDIR="$STAGE" install >"$T_TMP/install.out" 2>&1; then
	not_ok "make install DESTDIR=..."
	sed 's/^/# /' "$T_TMP/install.out"
	done_testing
fi
ok "make install DESTDIR=$STAGE"
P=/usr/local
mkdir -p "$STAGE/etc/mom/test-policies"
# momd.json: the defaults (socket, state_dir, ksm_dir, qemu:///system)
# with a 1 s cycle and a policy the test steers through parameters.
cat >"$STAGE/etc/mom/momd.json" <<'JSON'
{
  "policy_dir": "/etc/mom/test-policies",
  "interval_ms": 1000,
  "rail_stale_ms": 0
}
JSON
cat >"$STAGE/etc/mom/test-policies/10-test.json" <<'JSON'
{
  "description": "systemd_unit.sh: the plan is chosen by the test",
  "parameters": {
    "k_run": {"default": -1, "description": "ksm_run, -1 for none"},
    "k_pts": {"default": -1, "description": "ksm_pages_to_scan, -1 for none"}
  },
  "host": [
    {"rule": "knobs", "do": [
      {"if": [">=", "k_run", 0], "then": [{"set": "ksm_run", "to": "k_run"}]},
      {"if": [">=", "k_pts", 0], "then": [{"set": "ksm_pages_to_scan", "to": "k_pts"}]}
    ]}
  ],
  "guest": [
    {"rule": "target", "do": [
      {"if": ["present", ["stat", "mem_available"]],
       "then": [{"set": "balloon_target", "to": ["stat", "mem_available"]}]}
    ]}
  ]
}
JSON
# collectd: Debian's collectd-core has no collectd.conf; a small one that
# includes the installed snippet.
mkdir -p "$STAGE/etc/collectd"
cat >"$STAGE/etc/collectd/collectd.conf" <<'CONF'
Hostname "nspawn"
FQDNLookup false
Interval 1
LoadPlugin logfile
<Plugin logfile>
  LogLevel "info"
  File "/var/log/collectd.log"
</Plugin>
Include "/etc/collectd/collectd.conf.d/*.conf"
CONF
# libvirt's polkit access driver: every API call is checked by polkit.
mkdir -p "$STAGE/etc/libvirt"
sed '/^#* *access_drivers *=/d' "$RFS/etc/libvirt/libvirtd.conf" >"$STAGE/etc/libvirt/libvirtd.conf"
echo 'access_drivers = [ "polkit" ]' >>"$STAGE/etc/libvirt/libvirtd.conf"

# The stand-in for /sys/kernel/mm/ksm, as the kernel has it after boot.
KSM=$T_TMP/ksm
mkdir -p "$KSM"
for kv in run=0 pages_to_scan=100 sleep_millisecs=20 merge_across_nodes=1 \
	pages_shared=0 pages_sharing=0 full_scans=0; do
	echo "${kv#*=}" >"$KSM/${kv%%=*}"
done
chmod 644 "$KSM"/*
: >"$KSM/.mom-scratch"

# ---- boot -------------------------------------------------------------------------
# --keep-unit --register=no: no systemd (machined, a bus) needed on the
# host.  --volatile=overlay: writes go to a tmpfs, dropped at exit.
# The host's network namespace is shared: --private-network would hide the
# KSM bind under a read-only /sys/kernel (nspawn mounts that after the
# binds).  The tree has no libvirt network to autostart and no dnsmasq, so
# the container's libvirtd changes nothing on the host's network.
systemd-nspawn --keep-unit --register=no -q -D "$RFS" --volatile=overlay \
	--machine="momtest$$" --bind="$KSM:/sys/kernel/mm/ksm" \
	--bind-ro="$STAGE:/mnt/stage" --boot --console=passive \
	>"$T_TMP/nspawn.log" 2>&1 &
NSPAWN=$!
C=""
container_pid() { C=$(ps -o pid= --ppid "$NSPAWN" | head -1 | tr -d ' '); [ -n "$C" ]; }
ct() { nsenter -t "$C" -a env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 "$@"; }
stop_container() {
	[ -n "${SYSTEMD_UNIT_KEEP:-}" ] && { diag "kept: nsenter -t $C -a"; return 0; }
	[ -n "$C" ] && ct systemctl poweroff >/dev/null 2>&1
	for _ in $(seq 100); do kill -0 "$NSPAWN" 2>/dev/null || return 0; sleep 0.1; done
	kill -9 "$NSPAWN" 2>/dev/null
}
at_exit stop_container
booted() { container_pid && ct systemctl is-system-running 2>/dev/null | grep -qx 'running\|degraded'; }
if ! wait_for 90 "the container's systemd is up" booted; then
	skip "systemd unit test: the container did not boot here: $(head -c 400 "$T_TMP/nspawn.log" | tr '\n' ' ')"
	done_testing
fi
ok "systemd boots in systemd-nspawn (PID 1 in the container: systemd $(ct systemctl --version | head -1 | cut -d' ' -f2))"
# The marker cannot exist in sysfs: seen there, the bind is on top.
if ! ct test -f /sys/kernel/mm/ksm/.mom-scratch; then
	not_ok "the scratch KSM directory is bound over /sys/kernel/mm/ksm (and not hidden)"
	done_testing
fi
ok "the scratch KSM directory is bound over /sys/kernel/mm/ksm"

# ---- install as README says ---------------------------------------------------------
ct cp -a /mnt/stage/. /
ct systemd-sysusers >/dev/null 2>&1
check_sh "systemd-sysusers created user mom and groups mom-admin, mom-read" \
	'ct sh -c "getent passwd mom && getent group mom-admin && getent group mom-read" >/dev/null'
check "user mom is in no other group (not libvirt, not kvm)" \
	[ "$(ct id -Gn mom)" = mom ]
ct systemctl daemon-reload
ct systemctl restart libvirtd >/dev/null 2>&1
check "libvirtd runs with the polkit access driver" \
	wait_for 30 "libvirtd active" ct systemctl is-active -q libvirtd
check_sh "systemctl enable --now momd.socket momd-read.socket" \
	'ct systemctl enable --now momd.socket momd-read.socket 2>/dev/null'
check "momd.socket made /run/mom/momd.sock 0660 root:mom-admin" \
	[ "$(ct stat -c '%a %U:%G' /run/mom/momd.sock)" = "660 root:mom-admin" ]
check "momd-read.socket made /run/mom/momd-read.sock 0660 root:mom-read" \
	[ "$(ct stat -c '%a %U:%G' /run/mom/momd-read.sock)" = "660 root:mom-read" ]
check_sh "momd is not running yet (started on demand)" \
	'! ct systemctl is-active -q momd'

# call SOCK METHOD PATH [BODY]: the status; the body in $T_TMP/cbody.  The
# client is the host's curl, through the container's root (/proc/PID/root).
call() {
	local sock=/proc/$C/root$1 method=$2 path=$3
	local args=(-s --max-time 10 -o "$T_TMP/cbody" -w '%{http_code}'
		--unix-socket "$sock" -X "$method")
	[ $# -ge 4 ] && args+=(-H 'Content-Type: application/json' --data-binary "$4")
	curl "${args[@]}" "http://momd$path"
}
ADMIN=/run/mom/momd.sock
READ=/run/mom/momd-read.sock
answers() { [ "$(call "$1" GET /v1/ping)" = 200 ]; }
check "the first request on the read socket starts momd and is answered" \
	wait_for 30 "momd answers" answers $READ
check "momd.service is active" ct systemctl is-active -q momd

# ---- the process -------------------------------------------------------------------
MP=$(ct systemctl show -p MainPID --value momd)
st() { ct sh -c "grep '^$1:' /proc/$MP/status" | awk '{print $2}'; }
check "momd runs as user mom (uid $(st Uid))" [ "$(st Uid)" = "$(ct id -u mom)" ]
check "... with no capability (CapEff, CapPrm, CapBnd all 0)" \
	[ "$(st CapEff)$(st CapPrm)$(st CapBnd)" = 000000000000000000000000000000000000000000000000 ]
check "... with NoNewPrivs" [ "$(st NoNewPrivs)" = 1 ]
check "... with OOMScoreAdjust 500 (the OOM killer takes momd before a guest)" \
	[ "$(ct cat /proc/$MP/oom_score_adj)" = 500 ]
check "... MemoryMax 256M and TasksMax 64 configured" \
	[ "$(ct systemctl show -p MemoryMax --value momd)/$(ct systemctl show -p TasksMax --value momd)" = 268435456/64 ]
# Enforced only where the container's systemd has the memory and pids
# controllers (cgroup v2 with them delegated).  A host that mounts them as
# cgroup v1 (this test machine) hands nspawn none: say so.
CG=/sys/fs/cgroup$(ct sh -c "sed -n 's/^0:://p' /proc/$MP/cgroup")
if ct test -f "$CG/memory.max"; then
	check "... and enforced by the kernel (memory.max, pids.max)" \
		[ "$(ct cat "$CG/memory.max")/$(ct cat "$CG/pids.max")" = 268435456/64 ]
else
	skip "MemoryMax/TasksMax enforcement: no cgroup v2 memory controller in this container (the host mounts cgroup v1 controllers; nspawn delegates none)"
fi
activated() { ct journalctl -u momd --no-pager | grep -q 'socket activation: 2 socket(s) passed in (admin, read)'; }
check "momd says it was socket-activated" wait_for 5 "log line" activated

# ---- KSM knobs and state --------------------------------------------------------------
check "the KSM files momd sets are root:mom 0664 (tmpfiles.d, ExecStartPre=-+)" \
	[ "$(ct stat -c '%a %U:%G' /sys/kernel/mm/ksm/run)" = "664 root:mom" ]
check "... the others untouched (0644 root:root)" \
	[ "$(ct stat -c '%a %U:%G' /sys/kernel/mm/ksm/full_scans)" = "644 root:root" ]
# A host sample (momd plans nothing without one); collectd comes later.
HOST="["
for kv in total=16777216 free=8000000 buffers=0 cached=0; do
	HOST+="{\"values\":[$((${kv#*=} * 1024))],\"dstypes\":[\"gauge\"],\"dsnames\":[\"value\"],\"time\":$(date +%s),\"interval\":1,\"host\":\"nspawn\",\"plugin\":\"mom\",\"plugin_instance\":\"\",\"type\":\"memory\",\"type_instance\":\"${kv%%=*}\"},"
done
check "ingest on the read socket (a host sample)" \
	[ "$(call $READ POST /v1/metrics "${HOST%,}]")" = 200 ]
check "the read socket may not change parameters (403)" \
	[ "$(call $READ PATCH /v1/parameters '{"k_run": 1}')" = 403 ]
check "the admin socket may (200)" \
	[ "$(call $ADMIN PATCH /v1/parameters '{"k_run": 1, "k_pts": 321}')" = 200 ]
# fresh BODY: the samples of BODY dated now (momd acts only on samples
# newer than 1.5 intervals, samples_stale_ms; a newer time lets the last
# one settle).
fresh() { sed "s/\"time\":[0-9.]*/\"time\":$(date +%s)/g" <<<"$1"; }
ksm_written() {
	call $READ POST /v1/metrics "$(fresh "${HOST%,}]")" >/dev/null
	[ "$(cat "$KSM/run")" = 1 ] && [ "$(cat "$KSM/pages_to_scan")" = 321 ]
}
check "momd writes the KSM knobs under the real unit: run 1, pages_to_scan 321 on the host's scratch files" \
	wait_for 20 "KSM written" ksm_written
check "momd persisted the parameters in its StateDirectory (/var/lib/mom, owned by mom)" \
	[ "$(ct stat -c '%U' /var/lib/mom/parameters.json 2>/dev/null)" = mom ]

# ---- libvirt -----------------------------------------------------------------------------
NOW=$(date +%s)
GUEST="[{\"values\":[1048576],\"dstypes\":[\"gauge\"],\"dsnames\":[\"value\"],\"time\":$NOW,\"interval\":1,\"host\":\"nspawn\",\"plugin\":\"mom\",\"plugin_instance\":\"ghost\",\"type\":\"memory\",\"type_instance\":\"actual\"}"
for kv in maximum=2097152 minimum=0 unused=524288 available=1572864; do
	GUEST+=",{\"values\":[${kv#*=}],\"dstypes\":[\"gauge\"],\"dsnames\":[\"value\"],\"time\":$NOW,\"interval\":1,\"host\":\"nspawn\",\"plugin\":\"mom\",\"plugin_instance\":\"ghost\",\"type\":\"memory\",\"type_instance\":\"${kv%%=*}\"}"
done
check "ingest on the read socket (a guest \"ghost\" that libvirt does not have)" \
	[ "$(call $READ POST /v1/metrics "$GUEST]")" = 200 ]
ghost_failed() {
	call $READ POST /v1/metrics "$(fresh "${HOST%,}]")" >/dev/null
	call $READ POST /v1/metrics "$(fresh "$GUEST]")" >/dev/null
	call $READ GET "/v1/actions?limit=50" >/dev/null
	grep -q 'guest:ghost' "$T_TMP/cbody" && grep -qi 'guest is gone\|domain not found' "$T_TMP/cbody"
}
if wait_for 20 "momd's balloon call for ghost reached libvirt" ghost_failed; then
	ok "momd reached libvirt's socket as user mom: its balloon call got to the domain lookup (\"guest is gone\")"
else
	not_ok "momd's balloon call did not reach libvirt: $(grep -o '"message":"[^"]*"' "$T_TMP/cbody" | tail -3 | tr '\n' ' ')"
fi
check_sh "... and no action says the connection or authentication failed" \
	'! grep -qi "failed to connect\|authentication\|access denied" "$T_TMP/cbody"'
asmom() { ct runuser -u mom -- virsh -c qemu:///system "$@"; }
check_sh "user mom may open libvirt read-write (polkit: org.libvirt.unix.manage)" \
	'asmom uri >/dev/null 2>&1'
check_sh "user mom may not list networks (not in 50-mom.rules: access denied)" \
	'! asmom net-list --all >"$T_TMP/virsh.out" 2>&1 && grep -qi "access denied" "$T_TMP/virsh.out"'
check_sh "user mom may not list domains (access denied)" \
	'! asmom list --all >"$T_TMP/virsh.out" 2>&1 && grep -qi "access denied" "$T_TMP/virsh.out"'

# ---- nothing else is writable -------------------------------------------------------
# As momd's user, in momd's own mount namespace (the unit's sandbox).
inmomd() { ct nsenter -t "$MP" -m -S "$(ct id -u mom)" -G "$(ct id -g mom)" "$@"; }
check "in momd's sandbox, as mom: a KSM knob is writable" \
	inmomd sh -c 'cat /sys/kernel/mm/ksm/sleep_millisecs > /sys/kernel/mm/ksm/sleep_millisecs'
check "... the state directory is writable" \
	inmomd sh -c 'touch /var/lib/mom/probe && rm /var/lib/mom/probe'
for path in /etc/mom/probe /usr/local/share/mom/probe /var/log/probe \
	/run/mom/probe /root/probe /home/probe /var/probe /var/lib/probe \
	/sys/kernel/mm/transparent_hugepage/enabled /proc/sys/vm/swappiness; do
	check_sh "... $path is not writable" \
		"! inmomd sh -c 'echo x > $path' 2>/dev/null"
done
check_sh "... even root finds /etc read-only there (ProtectSystem=strict)" \
	'! ct nsenter -t "$MP" -m sh -c "touch /etc/probe" 2>/dev/null'

# ---- collectd -------------------------------------------------------------------------
batches() { call $READ GET /v1/status >/dev/null; grep -o '"batches":[0-9]*' "$T_TMP/cbody" | cut -d: -f2; }
B0=$(batches)
ct systemctl restart collectd >/dev/null 2>&1
check "collectd (the installed snippet and plugins) starts" \
	wait_for 20 "collectd active" ct systemctl is-active -q collectd
grown() { [ "$(batches)" -gt "${B0:-0}" ]; }
check "collectd's samples reach momd (ingest batches grow from $B0)" \
	wait_for 30 "batches grow" grown

# ---- stop and socket restart --------------------------------------------------------------
# collectd first: its next sample would start momd again at once.
ct systemctl stop collectd
ct systemctl stop momd 2>/dev/null
check "momd stops cleanly (inactive, not failed)" \
	[ "$(ct systemctl is-active momd)" = inactive ]
check "the sockets stay" ct test -S $ADMIN
check "a request on the socket starts momd again" \
	wait_for 30 "momd back" answers $ADMIN
check_sh "the parameters set before are back (state directory)" \
	'[ "$(call $ADMIN GET /v1/parameters)" = 200 ] && grep -q "\"k_pts\": *321" "$T_TMP/cbody"'
ct journalctl -u momd --no-pager >"$T_TMP/momd.journal" 2>&1
check_sh "momd's journal has no error line (but the ghost's)" \
	'! grep -i " error\|sanitizer" "$T_TMP/momd.journal" | grep -qv ghost'
done_testing
