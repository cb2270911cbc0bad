#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
#
# init.sh: /init of the tiny test guest (tests/guest/build.sh packs it into
# the initramfs with busybox-static, memhog, the virtio modules and ext4's).
#
# Boot: mount proc/sys/devtmpfs and a /dev/shm tmpfs, insmod the modules
# listed in /lib/modules/order (the no-balloon initrd's list lacks
# virtio_balloon), with a disk vda also ext4's (/lib/modules/fs-order) and
# mount it on /mnt/disk if it holds ext4 ("GUEST: ext4 /dev/vda on
# /mnt/disk"), print "GUEST-READY <uptime>", find the virtio-serial port
# named org.test.ctl and print "GUEST: control port <dev>" on the console;
# hosts wait for that line before talking to the port.  If the domain has the
# port org.qemu.guest_agent.0, start Debian's qemu-ga on it first and print
# "GUEST: agent port <dev> pid <pid>" (else "GUEST: no agent port").
#
# Control protocol: one command per line, one reply line per command; replies
# start with "ok" or "err".  One host connection at a time; after the host
# disconnects the guest reopens the port about 0.5 s later.
#   ping [NONCE]       ok pong [NONCE]  (ctl.py's handshake)
#   hog N [FILL]       replace the hog with a memhog holding N MiB of anonymous
#                      memory (filled with byte FILL); replies once its RSS
#                      reaches N MiB (at most 60 s of the guest's clock):
#                      ok hog N rss=<R>MiB
#                      MemAvailable: ... (empty rss= means it died, e.g. OOM)
#   alloc N            N MiB in tmpfs /dev/shm (the OOM killer cannot free it;
#                      over-inflating the balloon then panics the guest)
#   free               drop the hog and the tmpfs blob
#   meminfo            ok MemTotal: .. kB MemFree: .. kB MemAvailable: .. kB
#   poweroff           ok poweroff, then the guest powers off (domain shut off)
#   agent kill         SIGKILL the guest agent (port closed: libvirt sees the
#                      agent disconnect): ok agent kill
#   agent freeze       SIGSTOP it (port stays open, commands time out)
#   agent start        SIGCONT a frozen agent, or start a killed one
#   agent block CMDS   restart the agent with those commands (comma-separated)
#                      disabled (qemu-ga -b), as a frozen filesystem or an
#                      allow-list disables them: ok agent block pid=<pid>
#   agent fds          the agent's open file descriptors (its channel, log
#                      and every guest-file-open handle): ok agent fds N
#   agent status       ok agent running|stopped|none pid=<pid>
#   wl MODE ARGS...    start /bin/workload MODE ARGS (tests/guest/workload.c)
#                      in the background, its progress lines on the console:
#                      ok wl <pid>
#   wlstop             stop every workload, remove its cache file: ok wlstop
#
# Optional workload from the kernel command line, no host needed:
#   guest.sched=SEC:MIB,...   at guest uptime SEC hold MIB MiB (0 = none);
#                             prints "GUEST-SCHED t=SEC hog=MIBMiB"
#
# init must never exit (the kernel would panic): the control loop respawns.
/bin/busybox mkdir -p /proc /sys /dev /run /sbin /usr/bin /usr/sbin
/bin/busybox --install -s
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mkdir -p /dev/shm && mount -t tmpfs -o size=90% tmpfs /dev/shm
for m in $(cat /lib/modules/order); do
	insmod "/lib/modules/$m.ko" || echo "GUEST: insmod $m failed"
done
# A disk (vda) gets ext4's modules and, if it holds ext4 (guests.sh
# --fsdisk), is mounted: a filesystem the agent can really freeze.  The
# module files then go, to give their memory back either way.
if [ -e /sys/block/vda ]; then
	for m in $(cat /lib/modules/fs-order); do
		insmod "/lib/modules/$m.ko" || echo "GUEST: insmod $m failed"
	done
	mkdir -p /mnt/disk
	if mount -t ext4 /dev/vda /mnt/disk 2>/dev/null; then
		echo "GUEST: ext4 /dev/vda on /mnt/disk"
	else
		echo "GUEST: /dev/vda holds no ext4"
	fi
fi
for m in $(cat /lib/modules/fs-order); do rm -f "/lib/modules/$m.ko"; done
echo "GUEST-READY $(cut -d' ' -f1 /proc/uptime) modules: $(cat /lib/modules/order | tr '\n' ' ')"

sched=$(tr ' ' '\n' </proc/cmdline | sed -n 's/^guest.sched=//p')
if [ -n "$sched" ]; then
	(for step in $(echo "$sched" | tr ',' ' '); do
		t=${step%%:*}
		mb=${step##*:}
		while [ "$(cut -d. -f1 /proc/uptime)" -lt "$t" ]; do sleep 0.2; done
		[ -f /run/sched.pid ] && kill "$(cat /run/sched.pid)" 2>/dev/null
		rm -f /run/sched.pid
		if [ "$mb" -gt 0 ]; then
			/bin/memhog "$mb" </dev/null >/dev/null 2>&1 &
			echo $! >/run/sched.pid
		fi
		echo "GUEST-SCHED t=$t hog=${mb}MiB"
	done) </dev/null &
fi

# vport NAME: the /dev node of the virtio-serial port named NAME, or nothing.
vport() {
	for p in /sys/class/virtio-ports/*; do
		[ -e "$p/name" ] && [ "$(cat "$p/name")" = "$1" ] && echo "/dev/$(basename "$p")"
	done
}
port=""
for i in $(seq 50); do
	port=$(vport org.test.ctl)
	[ -n "$port" ] && [ -e "$port" ] && break
	port=""
	sleep 0.1
done

# The guest agent: found after the control port (all ports appear together).
cat >/agent.sh <<'EOS'
# agent.sh [BLOCK]: start qemu-ga on its port, pid in /run/qga.pid; BLOCK
# lists commands it has disabled
ap=$(cat /run/qga.port 2>/dev/null)
[ -n "$ap" ] || exit 1
mkdir -p /run/qga
/usr/sbin/qemu-ga -m virtio-serial -p "$ap" -t /run/qga -l /run/qga/log ${1:+-b "$1"} </dev/null >/dev/null 2>&1 3>&- &
echo $! >/run/qga.pid
EOS
aport=$(vport org.qemu.guest_agent.0)
if [ -n "$aport" ]; then
	echo "$aport" >/run/qga.port
	sh /agent.sh
	echo "GUEST: agent port $aport pid $(cat /run/qga.pid)"
else
	echo "GUEST: no agent port"
fi
if [ -z "$port" ]; then
	echo "GUEST: no control port; idling"
	while true; do sleep 3600; done
fi
echo "GUEST: control port $port"

cat >/ctl.sh <<'EOS'
# serve one host connection: commands until the host disconnects (EOF)
exec 3<>"$1" || exit 1
mi() { grep -E "^$1:" /proc/meminfo | tr -s ' '; }
while read -r cmd arg fill <&3; do
	case "$cmd" in
	ping) echo "ok pong${arg:+ $arg}" ;;
	hog)
		[ -f /run/hog.pid ] && kill "$(cat /run/hog.pid)" 2>/dev/null
		/bin/memhog "$arg" $fill </dev/null >/dev/null 2>&1 3>&- &
		echo $! >/run/hog.pid
		# Bounded by the guest's clock, not by a count of polls: under
		# TCG on a busy host each poll (awk, cat, sleep) takes several
		# times its 0.1 s, and 300 polls outlasted the host's wait for
		# the reply (ctl.py), which then saw no reply at all.
		read -r t0 _ </proc/uptime
		t0=${t0%.*} r=0
		while :; do
			r=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$(cat /run/hog.pid)/status" 2>/dev/null)
			[ -z "$r" ] && break
			[ "$r" -ge "$arg" ] && break
			read -r now _ </proc/uptime
			[ $((${now%.*} - t0)) -ge 60 ] && break
			sleep 0.1
		done
		echo "ok hog $arg rss=${r}MiB $(mi MemAvailable)" ;;
	alloc)
		rm -f /dev/shm/blob
		dd if=/dev/zero of=/dev/shm/blob bs=1M count="$arg" 2>/dev/null
		echo "ok alloc $arg $(mi MemAvailable)" ;;
	free)
		rm -f /dev/shm/blob
		[ -f /run/hog.pid ] && kill "$(cat /run/hog.pid)" 2>/dev/null
		rm -f /run/hog.pid
		sleep 0.2
		echo "ok free $(mi MemAvailable)" ;;
	meminfo) echo "ok $(mi MemTotal) $(mi MemFree) $(mi MemAvailable)" ;;
	agent)
		pid=$(cat /run/qga.pid 2>/dev/null)
		st=none
		[ -n "$pid" ] && [ -d "/proc/$pid" ] && st=$(awk '{print $3}' "/proc/$pid/stat")
		case "$arg:$st" in
		kill:none) echo "err agent not running" ;;
		kill:*) kill -9 "$pid"; rm -f /run/qga.pid; echo "ok agent kill" ;;
		freeze:none) echo "err agent not running" ;;
		freeze:*) kill -STOP "$pid"; echo "ok agent freeze" ;;
		start:none) sh /agent.sh && echo "ok agent start pid=$(cat /run/qga.pid)" || echo "err no agent port" ;;
		start:*) kill -CONT "$pid"; echo "ok agent start pid=$pid" ;;
		block:*)
			# A restart: the old agent's handles go with it.
			if [ "$st" != none ]; then
				kill -9 "$pid"
				rm -f /run/qga.pid
				# until it is gone (or a zombie): the port is free
				i=0
				while [ $i -lt 50 ] && grep -qv ' Z ' "/proc/$pid/stat" 2>/dev/null; do
					sleep 0.1
					i=$((i + 1))
				done
			fi
			sh /agent.sh "$fill" && echo "ok agent block pid=$(cat /run/qga.pid)" ||
				echo "err no agent port" ;;
		fds:none) echo "err agent not running" ;;
		fds:*) echo "ok agent fds $(ls "/proc/$pid/fd" | wc -l)" ;;
		status:none) echo "ok agent none pid=" ;;
		status:T) echo "ok agent stopped pid=$pid" ;;
		status:*) echo "ok agent running pid=$pid" ;;
		*) echo "err agent kill|freeze|start|block|fds|status" ;;
		esac ;;
	wl)
		# $fill holds the rest of the line: the workload's arguments
		/bin/workload "$arg" $fill </dev/null >/dev/console 2>&1 3>&- &
		echo $! >>/run/wl.pids
		echo "ok wl $!" ;;
	wlstop)
		[ -f /run/wl.pids ] && kill $(cat /run/wl.pids) 2>/dev/null
		rm -f /run/wl.pids /dev/shm/wl.cache
		echo "ok wlstop" ;;
	poweroff)
		echo "ok poweroff"
		sync
		poweroff -f ;;
	*) echo "err unknown '$cmd'" ;;
	esac >&3
done
EOS
while true; do
	sh /ctl.sh "$port" </dev/null
	sleep 0.5
done
