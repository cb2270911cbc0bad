#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
#
# systemd-root.sh DIR: make DIR a minimal Debian 12 tree that boots a real
# systemd in systemd-nspawn, with what momd, collectd and libvirtd need at
# run time (tests/it/systemd_unit.sh).  Made once: DIR/.mom-root holds the
# package list it was made with, and a tree with the same list is kept.
# debootstrap takes its mirror from this machine's apt sources, so it works
# wherever apt-get does.  About 70 s and 350 MB.  Exit 0: DIR is ready;
# exit 2: it cannot be made here (the reason on stderr).
set -eu

DIR=$1
# libpam-systemd: polkitd wants a logind.  No recommends: no QEMU, no
# dnsmasq; libvirtd's QEMU driver starts without a QEMU binary.
PKGS="systemd,systemd-sysv,dbus,libpam-systemd,polkitd,libjansson4,\
libmicrohttpd12,libcurl4,libvirt0,libvirt-clients,libvirt-daemon-system,\
libvirt-daemon-driver-qemu,collectd-core,procps"
STAMP="bookworm $PKGS"

# The container shares the host's network namespace: its libvirtd must
# start no network there (and it has no dnsmasq to).  Done on every call,
# so a tree made before this line is fixed too.
no_autostart() {
	rm -f "$1/etc/libvirt/qemu/networks/autostart/default.xml"
}
if [ -f "$DIR/.mom-root" ] && [ "$(cat "$DIR/.mom-root")" = "$STAMP" ]; then
	no_autostart "$DIR"
	exit 0
fi
command -v debootstrap >/dev/null || {
	echo "debootstrap is not installed (tests/install-deps.sh)" >&2
	exit 2
}
# The first deb.debian.org-style URI of the machine's own apt sources
# (deb822 or one-line format).
mirror=$(cat /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
	2>/dev/null | sed -n -e 's/^URIs:[[:space:]]*\([^ ]*\).*/\1/p' \
	-e 's/^deb[[:space:]]\{1,\}\(\[[^]]*\][[:space:]]*\)\{0,1\}\([^ ]*\).*/\2/p' |
	grep -v security | head -n 1)
[ -n "$mirror" ] || {
	echo "no Debian mirror in /etc/apt/sources*" >&2
	exit 2
}
rm -rf "$DIR.new"
mkdir -p "$(dirname "$DIR")"
if ! debootstrap --variant=minbase --include="$PKGS" bookworm "$DIR.new" \
	"$mirror" >"$DIR.log" 2>&1; then
	echo "debootstrap from $mirror failed (log: $DIR.log):" >&2
	tail -n 3 "$DIR.log" >&2
	rm -rf "$DIR.new"
	exit 2
fi
no_autostart "$DIR.new"
echo "$STAMP" >"$DIR.new/.mom-root"
rm -rf "$DIR"
mv "$DIR.new" "$DIR"
