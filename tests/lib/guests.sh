# SPDX-License-Identifier: Apache-2.0
#
# guests.sh: tiny real QEMU guests with a real virtio-balloon driver under the
# system libvirtd (qemu:///system), for tests, the demo and benchmarks.
# Sourced after common.sh (uses ok/diag/wait_for/at_exit/stop_pid, $BUILD,
# $T_TMP).  Recipe and measurements: /work/shared/real-guests.md.
#
# Everything this file changes on the host is recorded in $G_STATE (one fixed
# directory per host, /run/mom-tests/guest-state, since the system libvirtd
# and KSM are host-global: two checkouts must take the same lock) before it
# is changed and undone at exit,
# also on failure or SIGINT/SIGTERM; a run killed without its exit handler
# (SIGKILL) is cleaned up by the next run, which finds its records there.
# A lock ($G_STATE/lock, flock) lets one run at a time use the system
# libvirtd and KSM (both host-global); the next waits up to $G_LOCK_WAIT s.
# Children inherit the lock's descriptor: a daemon meant to outlive the run
# must be started with {G_LOCK_FD}>&- (as virtlogd and libvirtd are).
#
# Setup
#   g_lock                  take the lock (waits); clean what a dead earlier
#                           run left (its domains, daemons, prerequisites,
#                           KSM values).  Called by g_libvirtd_start and
#                           ksm_save; returns 1 at the deadline.
#   g_libvirtd_start        registers g_cleanup, then: if no libvirtd answers
#                           at qemu:///system, checks the prerequisites the
#                           install step provisions (user/group
#                           libvirt-qemu, /etc/libvirt/qemu.conf:
#                           tests/install-deps.sh; a test changes neither)
#                           and starts virtlogd + libvirtd with a private
#                           config; removes domains left by dead runs.
#                           Sets G_URI, G_PREFIX, G_RUN, G_IMG.  Returns 1
#                           (with a diag naming what is missing) on failure.
#   g_image_ready           0 when the guest image in $G_IMG is complete and
#                           up to date (tests/guest/build.sh --check), else
#                           1 with the reason: what a test calls
#   g_build_image           tests/guest/build.sh into $G_IMG
#                           ($ROOT/build/guest, where `make deps` builds it;
#                           MOM_GUEST_IMG overrides): the demo and benchmarks
#
# Guests (NAME is short; the libvirt name is ${G_PREFIX}NAME, per run)
#   g_define NAME MEM_MIB [--cur-mib N] [--min-mib N] [--noballoon]
#            [--sched SPEC] [--stats-period N] [--noagent]
#            [--vcpus N] [--vcpu-limit PCT] [--disk MIB] [--fsdisk MIB]
#            [--iotune XML] [--autodeflate]
#                           define (not start) a guest of MEM_MIB MiB;
#                           --cur-mib: currentMemory at start (balloon
#                           inflated at boot); --min-mib: vdsm's
#                           <ovirt-vm:minGuaranteedMemoryMb> metadata;
#                           --noballoon: initrd without virtio_balloon (the
#                           device stays, no driver); --sched: guest.sched=
#                           workload (SEC:MIB,...); --stats-period: balloon
#                           stats period in s (default 1, 0 = off);
#                           every guest gets the virtio-serial channel
#                           org.qemu.guest_agent.0 (its /init then starts
#                           qemu-ga) unless --noagent; --vcpus: vCPUs
#                           (default 1); --vcpu-limit: vdsm's tune metadata
#                           <ovirt-tune:qos><ovirt-tune:vcpuLimit> (percent);
#                           --disk: a scratch raw file of MIB MiB in
#                           $G_RUN as virtio disk vda (the guest need not
#                           use it); --fsdisk: the same disk made an ext4
#                           filesystem, which the guest mounts on
#                           /mnt/disk: one qemu-ga can really freeze
#                           (guest-fsfreeze-*, virsh domfsfreeze);
#                           --iotune: XML (ovirt-tune: prefix) put
#                           in that tune metadata, e.g. vdsm's <ioTune>;
#                           --autodeflate: <memballoon autodeflate='on'>
#                           (QEMU's deflate-on-oom: the guest takes pages
#                           back from its balloon before its OOM killer runs)
#   g_start NAME...         start defined guests
#   g_wait_ready NAME [SECS]
#                           wait (default 120 s) for "GUEST: control port" in
#                           the console log; 1 early if the guest died
#   g_wait_agent NAME [SECS]
#                           wait (default 60 s) until libvirt reaches the
#                           guest's agent (guest-ping answers): qemu-ga
#                           starting in the guest and libvirt seeing the
#                           channel connect are separate events
#   g_ctl NAME CMD...       send control commands ("hog 200", "free",
#                           "meminfo", ...); prints one reply per command;
#                           0 if all replies are "ok ...", else 1 or 2
#   g_memstat NAME [KEY]    `virsh dommemstat` (KEY: just that value, KiB;
#                           1 if absent)
#   g_actual NAME           balloon actual in KiB
#   g_setmem NAME MIB       live balloon target
#   g_wait_actual NAME KIB [SECS]
#                           wait (default 30 s) until actual == KIB
#   g_dom NAME              print the libvirt name
#   g_console NAME          print the console log's path
#   g_virsh ARGS...         virsh -q -c $G_URI ARGS
#   g_destroy NAME...       destroy and undefine (in parallel)
#   g_destroy_all           destroy and undefine every guest of this run
#   g_cleanup               undo everything g_libvirtd_start did: domains of
#                           this run first (parallel), leftover QEMUs of ours
#                           by pid, daemons we started, files and
#                           prerequisites we created.  Idempotent.
#
# KSM (host-global; knobs in $KSM_KNOBS)
#   ksm_save                register ksm_restore with at_exit, then save the
#                           knobs to $KSM_SAVE unless that file exists (a
#                           dead run's file was already restored by g_lock)
#   ksm_restore             run=2 (unmerge all), the other knobs, run last;
#                           removes $KSM_SAVE only if every write succeeded
#                           (else 1, and the file stays for the next try)
#   ksm_saved KNOB          print the saved value of KNOB
#
# Environment: MOM_VIRT_TYPE (domain type; default qemu = TCG, because
# /dev/kvm on the CI machines cannot run guests), G_LOCK_WAIT (s, default
# 600), MOM_GUESTS_KEEP_CACHE=1 (keep libvirt's QEMU capability cache in
# /var/cache/libvirt when we created it: saves ~8 s per run, leaves files).

G_URI=qemu:///system
G_STATE=${MOM_GUEST_STATE:-/run/mom-tests/guest-state}
G_IMG=${MOM_GUEST_IMG:-$ROOT/build/guest}
G_RUN=$T_TMP/g
G_PREFIX=momg$$-
G_VIRT_TYPE=${MOM_VIRT_TYPE:-qemu}
G_LOCK_WAIT=${G_LOCK_WAIT:-600}
G_LOCKED=0
G_LOCK_FD=
G_CTL=$ROOT/tests/guest/ctl.py
# The trees libvirtd and virtlogd write to; what appears there is undone.
G_TREES="/etc/libvirt /var/lib/libvirt /var/cache/libvirt /var/log/libvirt /run/libvirt"
K=/sys/kernel/mm/ksm
KSM_KNOBS="run pages_to_scan sleep_millisecs merge_across_nodes use_zero_pages max_page_sharing"
KSM_SAVE=$G_STATE/ksm.saved

g_virsh() { virsh -q -c "$G_URI" "$@"; }
g_dom() { echo "$G_PREFIX$1"; }
g_console() { echo "$G_RUN/$G_PREFIX$1.console.log"; }

# _g_answers: 0 if a libvirtd answers at $G_URI.
_g_answers() { virsh -q -c "$G_URI" version >/dev/null 2>&1; }

# _g_ms: milliseconds since the epoch.
_g_ms() { echo $(($(date +%s%N) / 1000000)); }

g_lock() {
	[ "$G_LOCKED" = 1 ] && return 0
	mkdir -p "$G_STATE" "$G_RUN"
	exec {G_LOCK_FD}>>"$G_STATE/lock"
	if ! flock -n "$G_LOCK_FD"; then
		diag "guests: waiting for another run holding $G_STATE/lock ($(cat "$G_STATE/owner" 2>/dev/null))"
		# Short waits: bash runs INT/TERM traps only between commands.
		local end=$(($(_g_ms) + G_LOCK_WAIT * 1000))
		until flock -w 1 "$G_LOCK_FD"; do
			if [ "$(_g_ms)" -ge "$end" ]; then
				diag "guests: timeout (${G_LOCK_WAIT}s) waiting for $G_STATE/lock"
				return 1
			fi
		done
	fi
	G_LOCKED=1
	# We hold the lock, so records left here belong to a dead run.
	if [ -s "$G_STATE/owner" ] || [ -s "$G_STATE/doms" ] || [ -s "$G_STATE/daemons" ] ||
		[ -s "$G_STATE/created" ] || [ -f "$KSM_SAVE" ]; then
		local owner=() dir
		read -r -a owner <"$G_STATE/owner" 2>/dev/null
		diag "guests: cleaning up after a dead run (${owner[*]})"
		_g_undo_state
		ksm_restore || diag "guests: restoring KSM from a dead run's $KSM_SAVE failed"
		# Its scratch directory (common.sh's $T_TMP, never removed when a
		# run is SIGKILLed: console logs, sockets, libvirtd.conf).
		dir=${owner[2]:-}
		case "$dir" in /tmp/momt.*/g) rm -rf "${dir%/g}" ;; esac
	fi
	echo "$$ $G_PREFIX $G_RUN" >"$G_STATE/owner"
	at_exit _g_release
}

# _g_release: forget the owner record (last cleanup step) and drop the lock.
_g_release() {
	[ "$G_LOCKED" = 1 ] || return 0
	[ -s "$G_STATE/doms" ] || [ -s "$G_STATE/daemons" ] || [ -s "$G_STATE/created" ] ||
		[ -f "$KSM_SAVE" ] || rm -f "$G_STATE/owner"
	exec {G_LOCK_FD}>&-
	G_LOCKED=0
}

g_build_image() { bash "$ROOT/tests/guest/build.sh" "$G_IMG"; }
g_image_ready() { bash "$ROOT/tests/guest/build.sh" --check "$G_IMG"; }

# _g_record FILE LINE: append LINE to $G_STATE/FILE (before the change).
_g_record() { echo "$2" >>"$G_STATE/$1"; }

# _g_unrecord FILE LINE: drop LINE from $G_STATE/FILE.
_g_unrecord() {
	local f=$G_STATE/$1
	[ -f "$f" ] || return 0
	grep -vxF -- "$2" "$f" >"$f.new"
	mv "$f.new" "$f"
}

# _g_list_trees: every path under $G_TREES, sorted.
_g_list_trees() {
	# shellcheck disable=SC2086
	find $G_TREES -xdev 2>/dev/null | sort
}

# _g_prereqs: record libvirt's trees (what libvirtd writes there is undone
# at exit), then check what a bare libvirtd needs (recipe section 2.1).
# The install step provisions it (tests/install-deps.sh, `make deps`): a
# test does not add users or write libvirt's configuration.  (g_lock and
# _g_undo_state still undo such changes recorded by runs of older
# versions.)
_g_prereqs() {
	local missing=""
	if [ ! -f "$G_STATE/manifest" ]; then
		_g_list_trees >"$G_STATE/manifest.new" && mv "$G_STATE/manifest.new" "$G_STATE/manifest"
		_g_record created "manifest"
	fi
	getent group libvirt-qemu >/dev/null || missing+=" group libvirt-qemu,"
	getent passwd libvirt-qemu >/dev/null || missing+=" user libvirt-qemu,"
	[ -e /etc/libvirt/qemu.conf ] || missing+=" /etc/libvirt/qemu.conf,"
	if [ -n "$missing" ]; then
		diag "guests: host not provisioned (missing:${missing%,}): run make deps as root (tests/install-deps.sh)"
		return 1
	fi
	mkdir -p /etc/libvirt /var/log/libvirt/qemu /var/lib/libvirt /var/cache/libvirt
}

# _g_daemon_pid NAME PIDFILE: print the pid in PIDFILE if that process is
# still NAME started with that pid file (so never someone else's process).
_g_daemon_pid() {
	local name=$1 pidfile=$2 pid
	pid=$(cat "$pidfile" 2>/dev/null) || return 1
	case "$pid" in '' | *[!0-9]*) return 1 ;; esac
	[ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] || return 1
	{ tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$pidfile" || return 1
	echo "$pid"
}

# _g_start_daemon NAME ARGS...: start a daemon that writes
# $G_STATE/NAME.pid, recorded in $G_STATE/daemons before it starts.
_g_start_daemon() {
	local name=$1 pidfile=$G_STATE/$1.pid
	shift
	rm -f "$pidfile"
	_g_record daemons "$name $pidfile"
	# The daemon must not inherit the lock.
	"$name" -d -p "$pidfile" "$@" {G_LOCK_FD}>&- </dev/null >>"$G_RUN/$name.out" 2>&1 || {
		diag "guests: $name failed to start: $(tail -3 "$G_RUN/$name.out")"
		return 1
	}
	wait_for 10 "$name pid file" _g_daemon_pid "$name" "$pidfile"
}

g_libvirtd_start() {
	g_lock || return 1
	at_exit g_cleanup
	mkdir -p "$G_RUN"
	local t0
	t0=$(_g_ms)
	if _g_answers; then
		diag "guests: using the libvirtd that answers at $G_URI (not ours; left running)"
	else
		_g_prereqs || return 1
		cat >"$G_RUN/libvirtd.conf" <<EOF
unix_sock_group = "root"
unix_sock_rw_perms = "0770"
auth_unix_rw = "none"
auth_unix_ro = "none"
log_outputs = "3:file:$G_RUN/libvirtd.log"
EOF
		if [ -S /run/libvirt/virtlogd-sock ] && pgrep -x virtlogd >/dev/null; then
			diag "guests: using the running virtlogd"
		else
			_g_start_daemon virtlogd || return 1
			wait_for 10 "virtlogd socket" test -S /run/libvirt/virtlogd-sock || return 1
		fi
		_g_start_daemon libvirtd -f "$G_RUN/libvirtd.conf" || return 1
		# The first start on a machine probes QEMU's capabilities (~8 s).
		wait_for 60 "libvirtd answers at $G_URI" _g_answers || {
			diag "guests: libvirtd log: $(tail -5 "$G_RUN/libvirtd.log" 2>/dev/null)"
			return 1
		}
		diag "guests: started virtlogd + libvirtd in $(($(_g_ms) - t0)) ms"
	fi
	_g_sweep_dead_runs
}

# _g_sweep_dead_runs: destroy/undefine domains named momg<PID>- whose PID is
# not alive (runs killed before their cleanup); others' are left alone.
_g_sweep_dead_runs() {
	local d pid stale=()
	while read -r d; do
		[[ $d =~ ^momg([0-9]+)- ]] || continue
		pid=${BASH_REMATCH[1]}
		[ "$pid" = "$$" ] && continue
		kill -0 "$pid" 2>/dev/null && continue
		stale+=("$d")
	done < <(g_virsh list --all --name 2>/dev/null)
	[ ${#stale[@]} -eq 0 ] && return 0
	diag "guests: removing domains of dead runs: ${stale[*]}"
	_g_destroy_doms "${stale[@]}"
}

# _g_destroy_doms FULLNAME...: destroy in parallel, undefine, kill a QEMU
# that survived (by pid, checked against its -name), drop their records and
# logs.
_g_destroy_doms() {
	local d pid pids=() qpids=()
	for d in "$@"; do
		qpids+=("$(cat "/run/libvirt/qemu/$d.pid" 2>/dev/null)")
		g_virsh destroy "$d" >/dev/null 2>&1 &
		pids+=($!)
	done
	for pid in "${pids[@]}"; do wait "$pid"; done
	local i=0
	for d in "$@"; do
		g_virsh undefine "$d" >/dev/null 2>&1
		pid=${qpids[$i]}
		i=$((i + 1))
		if [ -n "$pid" ] && { tr '\0' ' ' <"/proc/$pid/cmdline"; } 2>/dev/null | grep -qF "guest=$d,"; then
			kill -9 "$pid" 2>/dev/null
		fi
		rm -f "/var/log/libvirt/qemu/$d.log"
		_g_unrecord doms "$d"
	done
}

# _g_foreign_domains: print running domains that are not ours (so we keep
# the daemon they depend on).
_g_foreign_domains() {
	_g_answers || return 0
	g_virsh list --name 2>/dev/null | grep -v "^momg[0-9]*-" | grep .
}

# _g_undo_state: undo what $G_STATE records (this run's or a dead run's):
# domains, daemons, created files and users.
_g_undo_state() {
	local opts=$-
	set +e
	_g_undo_state_body
	[[ $opts == *e* ]] && set -e
	return 0
}
_g_undo_state_body() {
	local doms=() line name pidfile pid pids=() keep=0
	[ -f "$G_STATE/doms" ] && mapfile -t doms <"$G_STATE/doms"
	[ ${#doms[@]} -gt 0 ] && _g_destroy_doms "${doms[@]}"
	rm -f "$G_STATE/doms"
	if [ -s "$G_STATE/daemons" ] && [ -n "$(_g_foreign_domains)" ]; then
		diag "guests: domains not ours are running ($(_g_foreign_domains | tr '\n' ' ')): leaving libvirtd, virtlogd and their prerequisites in place"
		return 0
	fi
	# libvirtd before virtlogd: signal both, then wait for each.
	for name in libvirtd virtlogd; do
		while read -r line pidfile; do
			[ "$line" = "$name" ] || continue
			pid=$(_g_daemon_pid "$name" "$pidfile") || continue
			kill "$pid" 2>/dev/null && pids+=("$pid")
		done <"$G_STATE/daemons" 2>/dev/null
	done
	for pid in "${pids[@]}"; do stop_pid "$pid"; done
	rm -f "$G_STATE/daemons" "$G_STATE"/*.pid
	if [ -f "$G_STATE/created" ]; then
		if grep -qx manifest "$G_STATE/created" && [ -f "$G_STATE/manifest" ]; then
			if _g_answers; then
				diag "guests: a libvirtd still answers; not removing libvirt's files"
				keep=1
			else
				_g_list_trees | comm -13 "$G_STATE/manifest" - | sort -r |
					while read -r line; do
						if [ "${MOM_GUESTS_KEEP_CACHE:-0}" = 1 ]; then
							case "$line" in /var/cache/libvirt | /var/cache/libvirt/*) continue ;; esac
						fi
						rm -rf -- "$line"
					done
			fi
		fi
		if [ "$keep" = 0 ]; then
			grep -qx "user libvirt-qemu" "$G_STATE/created" && userdel libvirt-qemu
			# userdel removes the same-named group (USERGROUPS_ENAB)
			grep -qx "group libvirt-qemu" "$G_STATE/created" &&
				getent group libvirt-qemu >/dev/null && groupdel libvirt-qemu
			if grep -qx "backups" "$G_STATE/created"; then
				cp -p "$G_STATE"/etc-backup/* /etc/ 2>/dev/null
				rm -rf "$G_STATE/etc-backup"
			fi
			rm -f "$G_STATE/created" "$G_STATE/manifest"
		fi
	fi
	return 0
}

g_cleanup() {
	[ "$G_LOCKED" = 1 ] || return 0
	_g_undo_state
}

g_destroy_all() {
	local doms=()
	[ -f "$G_STATE/doms" ] && mapfile -t doms <"$G_STATE/doms"
	[ ${#doms[@]} -gt 0 ] && _g_destroy_doms "${doms[@]}"
	return 0
}

g_destroy() {
	local n names=()
	for n in "$@"; do names+=("$G_PREFIX$n"); done
	_g_destroy_doms "${names[@]}"
}

g_define() {
	local name=$1 mem=$2 cur=$2 min="" initrd=$G_IMG/initrd.img sched="" period=1 meta="" cmdline
	local agent=1 agentdev="" vcpus=1 tune="" disk=0 diskdev="" balloon="" fsdisk=0
	shift 2
	while [ $# -gt 0 ]; do
		case "$1" in
		--cur-mib) cur=$2; shift ;;
		--min-mib) min=$2; shift ;;
		--noballoon) initrd=$G_IMG/initrd-noballoon.img ;;
		--sched) sched=$2; shift ;;
		--stats-period) period=$2; shift ;;
		--noagent) agent=0 ;;
		--vcpus) vcpus=$2; shift ;;
		--vcpu-limit) tune="$tune<ovirt-tune:vcpuLimit>$2</ovirt-tune:vcpuLimit>"; shift ;;
		--disk) disk=$2; shift ;;
		--fsdisk) disk=$2 fsdisk=1; shift ;;
		--iotune) tune="$tune$2"; shift ;;
		--autodeflate) balloon=" autodeflate='on'" ;;
		*) diag "g_define: unknown option $1"; return 1 ;;
		esac
		shift
	done
	local full=$G_PREFIX$name
	if [ -n "$min" ]; then
		meta="<ovirt-vm:vm xmlns:ovirt-vm='http://ovirt.org/vm/1.0'><ovirt-vm:minGuaranteedMemoryMb type='int'>$min</ovirt-vm:minGuaranteedMemoryMb></ovirt-vm:vm>"
	fi
	# vdsm's tune metadata (lib/vdsm/virt/vmtune.py's namespace).
	[ -n "$tune" ] && meta="$meta<ovirt-tune:qos xmlns:ovirt-tune='http://ovirt.org/vm/tune/1.0'>$tune</ovirt-tune:qos>"
	[ -n "$meta" ] && meta="<metadata>$meta</metadata>"
	# no_timer_check: on a busy host a TCG guest's IO-APIC timer check can
	# fail at boot ("IO-APIC + timer doesn't work!", a panic); the check
	# is meaningless under emulation.
	cmdline="console=ttyS0 panic=-1 no_timer_check"
	[ -n "$sched" ] && cmdline="$cmdline guest.sched=$sched"
	rm -f "$G_RUN/$full.console.log"
	if [ "$disk" != 0 ]; then
		rm -f "$G_RUN/$full.disk.raw"
		truncate -s "${disk}M" "$G_RUN/$full.disk.raw" || return 1
		if [ "$fsdisk" = 1 ]; then
			mkfs.ext4 -q -F -L momtest "$G_RUN/$full.disk.raw" >/dev/null ||
				{ diag "g_define: mkfs.ext4 on $G_RUN/$full.disk.raw failed"; return 1; }
		fi
		diskdev="<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='$G_RUN/$full.disk.raw'/><target dev='vda' bus='virtio'/></disk>"
	fi
	[ "$agent" = 1 ] && agentdev="<channel type='unix'><source mode='bind' path='$G_RUN/$full.qga.sock'/><target type='virtio' name='org.qemu.guest_agent.0'/></channel>"
	cat >"$G_RUN/$full.xml" <<EOF
<domain type='$G_VIRT_TYPE'>
  <name>$full</name>
  $meta
  <memory unit='MiB'>$mem</memory>
  <currentMemory unit='MiB'>$cur</currentMemory>
  <vcpu placement='static'>$vcpus</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>$G_IMG/vmlinux</kernel>
    <initrd>$initrd</initrd>
    <cmdline>$cmdline</cmdline>
  </os>
  <features><acpi/></features>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <serial type='file'><source path='$G_RUN/$full.console.log'/><target port='0'/></serial>
    <console type='file'><source path='$G_RUN/$full.console.log'/><target type='serial' port='0'/></console>
    <channel type='unix'>
      <source mode='bind' path='$G_RUN/$full.ctl.sock'/>
      <target type='virtio' name='org.test.ctl'/>
    </channel>
    $agentdev
    $diskdev
    <memballoon model='virtio'$balloon><stats period='$period'/></memballoon>
  </devices>
</domain>
EOF
	_g_record doms "$full"
	g_virsh define "$G_RUN/$full.xml" >/dev/null
}

g_start() {
	local n rc=0
	for n in "$@"; do
		g_virsh start "$G_PREFIX$n" >/dev/null || rc=1
	done
	return $rc
}

g_wait_ready() {
	local name=$1 secs=${2:-120} full=$G_PREFIX$1 log end state
	log=$G_RUN/$full.console.log
	end=$(($(_g_ms) + secs * 1000))
	while ! grep -q "GUEST: control port" "$log" 2>/dev/null; do
		if grep -q "Kernel panic" "$log" 2>/dev/null; then
			diag "guest $name panicked: $(grep -m1 'Kernel panic' "$log")"
			return 1
		fi
		if [ "$(_g_ms)" -ge "$end" ]; then
			state=$(g_virsh domstate "$full" 2>&1)
			diag "timeout (${secs}s): guest $name ready (state: $state; console: $(tail -2 "$log" 2>/dev/null | tr '\n' ' '))"
			return 1
		fi
		sleep 0.1
	done
}

g_wait_agent() {
	local name=$1 secs=${2:-60} full=$G_PREFIX$1 end err=""
	end=$(($(_g_ms) + secs * 1000))
	until err=$(g_virsh qemu-agent-command "$full" '{"execute":"guest-ping"}' 2>&1 >/dev/null); do
		if [ "$(_g_ms)" -ge "$end" ]; then
			diag "timeout (${secs}s): guest $name's agent answers a ping ($err)"
			return 1
		fi
		sleep 0.2
	done
}

g_ctl() {
	local name=$1
	shift
	python3 "$G_CTL" "$G_RUN/$G_PREFIX$name.ctl.sock" "$@"
}

g_memstat() {
	local name=$1 key=${2:-}
	if [ -z "$key" ]; then
		g_virsh dommemstat "$G_PREFIX$name"
	else
		g_virsh dommemstat "$G_PREFIX$name" | awk -v k="$key" '$1 == k {print $2; f = 1} END {exit !f}'
	fi
}

g_actual() { g_memstat "$1" actual; }

g_setmem() { g_virsh setmem "$G_PREFIX$1" "$2M" --live >/dev/null; }

# _g_actual_is NAME KIB: 0 if the balloon's actual is KIB.
_g_actual_is() { [ "$(g_actual "$1")" = "$2" ]; }

g_wait_actual() {
	wait_for "${3:-30}" "guest $1: actual = $2 KiB (now $(g_actual "$1"))" _g_actual_is "$1" "$2"
}

ksm_save() {
	g_lock || return 1
	at_exit ksm_restore
	[ -f "$KSM_SAVE" ] && return 0
	local f
	for f in $KSM_KNOBS; do
		[ -e "$K/$f" ] && echo "$f=$(cat "$K/$f")"
	done >"$KSM_SAVE.new" && mv "$KSM_SAVE.new" "$KSM_SAVE"
}

ksm_saved() { sed -n "s/^$1=//p" "$KSM_SAVE"; }

ksm_restore() {
	[ -f "$KSM_SAVE" ] || return 0
	local f v rc=0
	# Unmerge everything first: merge_across_nodes and max_page_sharing
	# refuse changes (EBUSY) while pages are shared.
	echo 2 >"$K/run" || rc=1
	while IFS='=' read -r f v; do
		[ "$f" = run ] && continue
		[ "$(cat "$K/$f")" = "$v" ] || echo "$v" >"$K/$f" || rc=1
	done <"$KSM_SAVE"
	ksm_saved run >"$K/run" || rc=1
	[ $rc = 0 ] && rm -f "$KSM_SAVE"
	return $rc
}
