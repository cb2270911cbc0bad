#!/bin/busybox sh
# SPDX-License-Identifier: Apache-2.0
#
# init.sh: /init of the tiny test guest (tests/guest/build.sh packs it into
# the initramfs with busybox-static, memhog and the virtio modules).
#
# Boot: mount proc/sys/devtmpfs and a /dev/shm tmpfs, insmod the modules
# listed in /lib/modules/order (the no-balloon initrd's list lacks
# virtio_balloon), print "GUEST-READY <uptime>", find the virtio-serial port
# named org.test.ctl and print "GUEST: control port <dev>" on the console;
# hosts wait for that line before talking to the port.
#
# Control protocol: one command per line, one reply line per command; replies
# start with "ok" or "err".  One host connection at a time; after the host
# disconnects the guest reopens the port about 0.5 s later.
#   ping               ok pong
#   hog N [FILL]       replace the hog with a memhog holding N MiB of anonymous
#                      memory (filled with byte FILL); replies once its RSS
#                      reaches N MiB (at most 30 s): ok hog N rss=<R>MiB
#                      MemAvailable: ... (empty rss= means it died, e.g. OOM)
#   alloc N            N MiB in tmpfs /dev/shm (the OOM killer cannot free it;
#                      over-inflating the balloon then panics the guest)
#   free               drop the hog and the tmpfs blob
#   meminfo            ok MemTotal: .. kB MemFree: .. kB MemAvailable: .. kB
#   poweroff           ok poweroff, then the guest powers off (domain shut off)
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

port=""
for i in $(seq 50); do
	for p in /sys/class/virtio-ports/*; do
		[ -e "$p/name" ] && [ "$(cat "$p/name")" = "org.test.ctl" ] && port=/dev/$(basename "$p")
	done
	[ -n "$port" ] && [ -e "$port" ] && break
	port=""
	sleep 0.1
done
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
	ping) echo "ok pong" ;;
	hog)
		[ -f /run/hog.pid ] && kill "$(cat /run/hog.pid)" 2>/dev/null
		/bin/memhog "$arg" $fill </dev/null >/dev/null 2>&1 3>&- &
		echo $! >/run/hog.pid
		n=0 r=0
		while [ $n -lt 300 ]; do
			r=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$(cat /run/hog.pid)/status" 2>/dev/null)
			[ -z "$r" ] && break
			[ "$r" -ge "$arg" ] && break
			n=$((n + 1))
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
