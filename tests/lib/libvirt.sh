# SPDX-License-Identifier: Apache-2.0
#
# libvirt.sh: a private libvirtd with libvirt's test driver, for tests and
# the demo.  Sourced after common.sh.
#
# libvirtd runs unprivileged (uid 65534) in session mode with its own
# XDG_RUNTIME_DIR, so it never touches the system's libvirtd or its guests.
# The test driver keeps its state only while a connection is open, so a
# "keeper" virsh holds one for the whole test; collectd and the actuator then
# see the same domains and each other's changes through $LV_URI.
#
#   lv_start                       start the daemon and the keeper (and
#                                  wait until the keeper holds the state);
#                                  sets LV_URI
#   lv_virsh CMD...                virsh against LV_URI
#   lv_restart                     stop the daemon, start a new one (same dir)
#   lv_define NAME MAX_MIB CUR_MIB [MIN_MIB [BALLOON_ATTRS [SHARES [IOTUNE]]]]
#                                  define and start a test domain; MIN_MIB is
#                                  written as vdsm's minGuaranteedMemoryMb; BALLOON_ATTRS go into <memballoon>;
#                                  SHARES as our metadata's <shares>;
#                                  IOTUNE (XML with the ovirt-tune: prefix)
#                                  inside vdsm's tune metadata <qos>, and
#                                  the domain gets a disk vda
lv_start() {
	local dir=$T_TMP/lv
	mkdir -p "$dir"
	chown 65534:65534 "$dir"
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		env -i HOME="$dir" XDG_RUNTIME_DIR="$dir" \
		XDG_CONFIG_HOME="$dir/config" XDG_CACHE_HOME="$dir/cache" \
		PATH=/usr/sbin:/usr/bin \
		libvirtd --timeout 120 >"$dir/libvirtd.out" 2>&1 &
	LV_PID=$!
	at_exit stop_pid "$LV_PID"
	LV_SOCK=$dir/libvirt/libvirt-sock
	LV_URI="test+unix:///default?socket=$LV_SOCK"
	wait_for 30 "libvirtd socket" test -S "$LV_SOCK" || return 1
	# The keeper: a virsh reading commands from a FIFO this shell holds
	# open.  Until its connection is open, a domain defined by another
	# connection vanishes when that one closes, and on a busy machine virsh
	# takes a while to start: so the keeper itself defines a marker domain,
	# and once another connection sees it, the keeper holds the state.
	rm -f "$dir/keeper.in"
	mkfifo "$dir/keeper.in"
	virsh -q -c "$LV_URI" <"$dir/keeper.in" >"$dir/keeper.out" 2>&1 &
	LV_KEEPER=$!
	exec {LV_KEEPER_FD}>"$dir/keeper.in"
	at_exit "kill $LV_KEEPER"
	cat >"$dir/keeper.xml" <<XML
<domain type='test'>
  <name>momt-keeper</name>
  <memory unit='MiB'>16</memory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
</domain>
XML
	echo "define $dir/keeper.xml" >&"$LV_KEEPER_FD"
	wait_for 30 "the keeper's connection holds the test driver" \
		virsh -q -c "$LV_URI" dominfo momt-keeper || return 1
	virsh -q -c "$LV_URI" undefine momt-keeper >/dev/null
}

lv_virsh() { virsh -q -c "$LV_URI" "$@"; }

lv_define() {
	local name=$1 max=$2 cur=$3 min=${4:-} balloon=${5:-} shares=${6:-} meta=""
	local iotune=${7:-} disk=""
	if [ -n "$min" ]; then
		meta="<ovirt-vm:vm xmlns:ovirt-vm='http://ovirt.org/vm/1.0'><ovirt-vm:minGuaranteedMemoryMb type='int'>$min</ovirt-vm:minGuaranteedMemoryMb></ovirt-vm:vm>"
	fi
	if [ -n "$shares" ]; then
		meta="$meta<mom:guest xmlns:mom='https://github.com/ovirt-mom-successor/mom/1.0'><mom:shares>$shares</mom:shares></mom:guest>"
	fi
	if [ -n "$iotune" ]; then
		meta="$meta<ovirt-tune:qos xmlns:ovirt-tune='http://ovirt.org/vm/tune/1.0'>$iotune</ovirt-tune:qos>"
		disk="<disk type='file' device='disk'><source file='/guest/$name.img'/><target dev='vda' bus='virtio'/></disk>"
	fi
	if [ -n "$meta" ]; then meta="<metadata>$meta</metadata>"; fi
	cat >"$T_TMP/$name.xml" <<XML
<domain type='test'>
  <name>$name</name>
  $meta
  <memory unit='MiB'>$max</memory>
  <currentMemory unit='MiB'>$cur</currentMemory>
  <vcpu>1</vcpu>
  <os><type>hvm</type></os>
  <devices>$disk<memballoon model='virtio' $balloon/></devices>
</domain>
XML
	lv_virsh "define $T_TMP/$name.xml; start $name" >/dev/null
}

# lv_restart: stop the daemon and its keeper, then start a fresh one on the
# same socket directory (the test driver's state starts over: only the
# built-in "test" domain).  Sets LV_PID and LV_KEEPER anew.
lv_restart() {
	exec {LV_KEEPER_FD}>&-
	kill "$LV_KEEPER" 2>/dev/null
	stop_pid "$LV_PID"
	wait_for 10 "libvirtd socket removed" test ! -S "$LV_SOCK"
	rm -f "$LV_SOCK"
	lv_start
}
